//! The pack's JSONPath expressions (captures, probes, outcome sources, `expect.result` keys)
//! parsed offline by serde_json_path (RFC 9535), each error on the byte where parsing stopped.

use super::pack::{Pack, Spanned};
use crate::diagnostic::{Code, Diagnostic, FileKind, Span};
use serde_json_path::JsonPath;

/// A `pack/json-path` error for every expression that does not parse.
pub(super) fn check(pack: &Pack, text: &str, out: &mut Vec<Diagnostic>) {
    let mut paths: Vec<(&Spanned<String>, &str)> = Vec::new();
    paths.extend(
        pack.outcome_sources
            .iter()
            .map(|p| (p, "an outcome source")),
    );
    paths.extend(pack.probes.values().map(|p| (&p.path, "a probe path")));
    for scenario in &pack.scenarios {
        paths.extend(scenario.capture.iter().map(|c| (&c.path, "a capture path")));
        paths.extend(
            scenario
                .expect
                .result
                .iter()
                .map(|(p, _)| (p, "an `expect.result` key")),
        );
    }
    for (path, what) in paths {
        if let Err(error) = JsonPath::parse(&path.value) {
            if let Some(function) = regex_function(&path.value) {
                out.push(unchecked(path, what, function));
                continue;
            }
            let at = error_span(text, path, error.position());
            let why = if path.value.starts_with('$') {
                error.message().to_owned()
            } else {
                "it starts at the answer's root, `$`".to_owned()
            };
            out.push(
                Diagnostic::error(
                    Code::PACK_JSON_PATH,
                    FileKind::Pack,
                    at,
                    format!("{what} `{}` is not a JSONPath: {why}", path.value),
                )
                .with_help(
                    "write an RFC 9535 JSONPath from the answer's root, e.g. `$.failure.type` or `$.result['tenant']`",
                ),
            );
        }
    }
}

/// The regex filter function (`match`, `search`) `path` calls when this build cannot parse it:
/// serde_json_path knows them only with its `regex` feature, which the CLI has and the wasm
/// builds leave out (280 KB gzipped). Asked of the parser itself, so any build that has them
/// checks them.
fn regex_function(path: &str) -> Option<&'static str> {
    let called = |name: &str| {
        path.match_indices(name).any(|(at, _)| {
            let before = path[..at].chars().next_back();
            let after = path[at + name.len()..].trim_start();
            after.starts_with('(') && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    let function = ["match", "search"].into_iter().find(|name| called(name))?;
    JsonPath::parse("$[?match(@, 'a')]")
        .is_err()
        .then_some(function)
}

/// The note for a path this build could not check: never an error, never a silent pass.
fn unchecked(path: &Spanned<String>, what: &str, function: &str) -> Diagnostic {
    Diagnostic::info(
        Code::PACK_JSON_PATH,
        FileKind::Pack,
        path.span,
        format!(
            "{what} `{}` calls `{function}()`, which this build cannot parse: the path is not checked here",
            path.value
        ),
    )
    .with_help("`scenario-lab anip check` parses it (its JSONPath has the regex functions)")
}

/// The byte of the file where parsing stopped (`position` counts characters of the path from 1),
/// when the value's bytes in the file are the path itself (plain or quoted without escapes);
/// the whole value otherwise.
fn error_span(text: &str, path: &Spanned<String>, position: usize) -> Span {
    let raw = text.get(path.span.start..path.span.end).unwrap_or_default();
    let quoted = raw.len() >= 2
        && (raw.starts_with('"') || raw.starts_with('\''))
        && raw.ends_with(&raw[..1]);
    let (start, inner) = if quoted {
        (path.span.start + 1, &raw[1..raw.len() - 1])
    } else {
        (path.span.start, raw)
    };
    if inner != path.value {
        return path.span;
    }
    let chars = position.saturating_sub(1);
    let byte = inner
        .char_indices()
        .nth(chars)
        .map_or(inner.len(), |(i, _)| i);
    let width = inner[byte..].chars().next().map_or(0, char::len_utf8);
    // An error past the end points at the last character.
    if width == 0 {
        let last = inner.char_indices().last().map_or(0, |(i, _)| i);
        return Span::new(start + last, start + inner.len());
    }
    Span::new(start + byte, start + byte + width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anip::{Syntax, parse_pack};

    fn errors(text: &str, syntax: Syntax) -> Vec<(String, String)> {
        let pack = parse_pack(text, syntax).value;
        let mut out = Vec::new();
        check(&pack, text, &mut out);
        out.into_iter()
            .map(|d| (text[d.span.start..d.span.end].to_owned(), d.message))
            .collect()
    }

    #[test]
    fn a_bad_path_is_flagged_at_the_byte_where_it_breaks() {
        let yaml = "format: scenario-pack/v1\nscenarios:\n  - id: a\n    capture: {g: $.grant_id, h: \"$.a[?\", i: $..x}\n";
        let found = errors(yaml, Syntax::Yaml);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("`$.a[?`"), "{found:?}");
        let json = r#"{"format": "scenario-pack/v1", "scenarios": [{"id": "a", "expect": {"result": {"result.x": 1}}}]}"#;
        let found = errors(json, Syntax::Json);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "r", "{found:?}");
    }

    #[test]
    fn a_regex_function_is_checked_where_the_build_can_and_noted_where_it_cannot() {
        let yaml = "format: scenario-pack/v1\nscenarios:\n  - id: a\n    capture: {g: \"$.items[?match(@.name, 'a.*')]\", h: \"$.items[?length(@.name) > 2]\"}\n";
        let pack = parse_pack(yaml, Syntax::Yaml).value;
        let mut out = Vec::new();
        check(&pack, yaml, &mut out);
        if JsonPath::parse("$[?match(@, 'a')]").is_ok() {
            assert!(out.is_empty(), "{out:?}");
        } else {
            assert_eq!(out.len(), 1, "{out:?}");
            assert_eq!(out[0].severity, crate::diagnostic::Severity::Info);
            assert!(out[0].message.contains("`match()`"), "{out:?}");
        }
        // A word that merely contains the name is no call.
        assert_eq!(regex_function("$.rematch(x"), None);
    }
}

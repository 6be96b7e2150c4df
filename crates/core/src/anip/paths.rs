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
        let error = match parse(&path.value) {
            Ok(_) => continue,
            Err(Unparsed::TooDeep(why)) => {
                out.push(not_a_path(path, what, path.span, &why));
                continue;
            }
            Err(Unparsed::Syntax(error)) => error,
        };
        let (at, why) = match regex_calls_rewritten(&path.value) {
            // Parsed with the regex calls in a form this build knows: its verdict is the CLI's.
            Some(Ok(rewritten)) => match JsonPath::parse(&rewritten) {
                Ok(_) => continue,
                Err(error) => (path.span, error.message().to_owned()),
            },
            Some(Err(why)) => (path.span, why),
            None if !path.value.starts_with('$') => (
                error_span(text, path, error.position()),
                "it starts at the answer's root, `$`".to_owned(),
            ),
            None => (
                error_span(text, path, error.position()),
                error.message().to_owned(),
            ),
        };
        out.push(not_a_path(path, what, at, &why));
    }
}

fn not_a_path(path: &Spanned<String>, what: &str, at: Span, why: &str) -> Diagnostic {
    Diagnostic::error(
        Code::PACK_JSON_PATH,
        FileKind::Pack,
        at,
        format!("{what} `{}` is not a JSONPath: {why}", shown(&path.value)),
    )
    .with_help(
        "write an RFC 9535 JSONPath from the answer's root, e.g. `$.failure.type` or `$.result['tenant']`",
    )
}

/// A path as a message quotes it: its first 80 characters.
fn shown(path: &str) -> String {
    match path.char_indices().nth(80) {
        Some((end, _)) => format!("{}…", &path[..end]),
        None => path.to_owned(),
    }
}

/// How deep parentheses and brackets may nest in a JSONPath: the parser recurses per level,
/// and a hostile pack must get an error, never a stack overflow.
pub const NESTING: usize = 64;

/// Why a JSONPath did not parse.
#[derive(Debug, thiserror::Error)]
pub enum Unparsed {
    /// Refused before parsing: it nests deeper than [`NESTING`].
    #[error("{0}")]
    TooDeep(String),
    /// The parser's error.
    #[error("{0}")]
    Syntax(serde_json_path::ParseError),
}

/// `path` parsed by serde_json_path once its nesting is within [`NESTING`]: every JSONPath
/// parse of ours (the pack check, the HTTP probes, the ANIP runner) goes through here.
pub fn parse(path: &str) -> Result<JsonPath, Unparsed> {
    if let Some(why) = too_deep(path) {
        return Err(Unparsed::TooDeep(why));
    }
    JsonPath::parse(path).map_err(Unparsed::Syntax)
}

/// Why `path` is refused before parsing (it nests deeper than [`NESTING`]), if it is.
fn too_deep(path: &str) -> Option<String> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for (_, b) in outside_strings(path) {
        match b {
            b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (deepest > NESTING)
        .then(|| format!("it nests parentheses and brackets {deepest} deep (at most {NESTING})"))
}

/// The regex filter functions, which serde_json_path knows only with its `regex` feature: the
/// CLI has it, the wasm builds leave it out (280 KB gzipped).
const REGEX_FUNCTIONS: [&str; 2] = ["match", "search"];

/// For a build without the regex functions, `path` with each `match(a, b)` / `search(a, b)`
/// written `(length(a) == length(b))`: the same two value arguments and a logical result, so
/// the parser judges the rest of the path as a build with them would. `None` when this build
/// has them or `path` calls neither; `Err` says why a call is malformed.
fn regex_calls_rewritten(path: &str) -> Option<Result<String, String>> {
    if JsonPath::parse("$[?match(@, 'a')]").is_ok() {
        return None;
    }
    match rewrite_calls(path) {
        Ok((_, false)) => None,
        Ok((rewritten, true)) => Some(Ok(rewritten)),
        Err(why) => Some(Err(why)),
    }
}

/// `text` with its regex calls rewritten, and whether there were any (its nesting is bounded by
/// [`too_deep`] first).
fn rewrite_calls(text: &str) -> Result<(String, bool), String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut found = false;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if c == '\'' || c == '"' {
            let end = string_end(text, i);
            out.push_str(&text[i..end]);
            i = end;
        } else if let Some((name, open)) = call_at(text, i) {
            let close =
                closing_paren(text, open).ok_or_else(|| format!("`{name}(` is never closed"))?;
            let args = top_level_args(&text[open + 1..close]);
            let [value, pattern] = args.as_slice() else {
                return Err(format!(
                    "`{name}()` takes two arguments, a value and a regular expression"
                ));
            };
            let (value, _) = rewrite_calls(value.trim())?;
            let (pattern, _) = rewrite_calls(pattern.trim())?;
            out.push_str("(length(");
            out.push_str(&value);
            out.push_str(") == length(");
            out.push_str(&pattern);
            out.push_str("))");
            found = true;
            i = close + 1;
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    Ok((out, found))
}

/// The regex function called at byte `at` of `text`, and the byte of its `(`.
fn call_at(text: &str, at: usize) -> Option<(&'static str, usize)> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    REGEX_FUNCTIONS.into_iter().find_map(|name| {
        let rest = text[at..].strip_prefix(name)?;
        let open = at + name.len() + (rest.len() - rest.trim_start().len());
        text[open..].starts_with('(').then_some((name, open))
    })
}

/// The byte after the string literal opening at `start` (or the end of `text`).
fn string_end(text: &str, start: usize) -> usize {
    let quote = text.as_bytes()[start];
    let mut j = start + 1;
    while let Some(&b) = text.as_bytes().get(j) {
        match b {
            b'\\' => j += 2,
            _ if b == quote => return j + 1,
            _ => j += 1,
        }
    }
    text.len()
}

/// The byte of the `)` closing the `(` at `open`.
fn closing_paren(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, b) in outside_strings(&text[open..]) {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + j);
                }
            }
            _ => {}
        }
    }
    None
}

/// `args` split at its top-level commas (outside strings, parentheses and brackets).
fn top_level_args(args: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (j, b) in outside_strings(args) {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(&args[start..j]);
                start = j + 1;
            }
            _ => {}
        }
    }
    if !args.trim().is_empty() || !parts.is_empty() {
        parts.push(&args[start..]);
    }
    parts
}

/// The bytes of `text` outside its string literals (`'...'`, `"..."`, with `\` escapes), with
/// their offsets: what the nesting and argument scans read.
fn outside_strings(text: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut j = 0;
    std::iter::from_fn(move || {
        loop {
            let &b = text.as_bytes().get(j)?;
            if b == b'\'' || b == b'"' {
                j = string_end(text, j);
                continue;
            }
            j += 1;
            return Some((j - 1, b));
        }
    })
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
    fn regex_calls_are_judged_as_the_cli_judges_them_in_every_build() {
        let capture = |path: &str| {
            format!(
                "format: scenario-pack/v1\nscenarios:\n  - id: a\n    capture: {{g: \"{path}\"}}\n"
            )
        };
        for good in [
            "$.items[?match(@.name, 'a.*')]",
            "$.items[?!search(@.name, 'x(y)')]",
            "$.items[?search(@.name, 'a') && length(@.tags) > 2]",
        ] {
            assert_eq!(errors(&capture(good), Syntax::Yaml), [], "{good}");
        }
        for bad in [
            "$.items[?match(@.name)]",
            "$.items[?match(@.name, 'a'",
            "$.items[?match(@.*, 'a')]",
            "$.items[?match(@.name, 'a')",
        ] {
            assert_eq!(errors(&capture(bad), Syntax::Yaml).len(), 1, "{bad}");
        }
    }

    #[test]
    fn the_rewrite_keeps_strings_and_other_names() {
        let (text, found) =
            rewrite_calls("$[?match(@.a, 'match(,)') && @.rematch == 1]").unwrap_or_default();
        assert!(found);
        assert_eq!(
            text,
            "$[?(length(@.a) == length('match(,)')) && @.rematch == 1]"
        );
        assert_eq!(
            rewrite_calls("$.rematch(x"),
            Ok(("$.rematch(x".to_owned(), false))
        );
    }

    #[test]
    fn a_hostile_nesting_is_an_error_never_a_stack_overflow() {
        let deep = format!("$[?{}@.a{}]", "(".repeat(50_000), ")".repeat(50_000));
        assert!(too_deep(&deep).is_some());
        assert!(too_deep("$[?match(@.a, '((((((((((((((((((((')]").is_none());
        let yaml = format!(
            "format: scenario-pack/v1\nscenarios:\n  - id: a\n    capture: {{g: \"{deep}\"}}\n"
        );
        let found = errors(&yaml, Syntax::Yaml);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("nests"), "{}", &found[0].1[..200]);
        assert!(
            found[0].1.len() < 300,
            "the message quotes the start of the path only"
        );
    }
}

//! Recipe `{{token}}` resolution, identical to the platform's resolver.

use crate::faker;
use serde_json::{Map, Value};
use std::fmt;

/// Tokens the platform substitutes without a declaration.
pub const BUILT_INS: [&str; 2] = ["testRunId", "testRunShortId"];

/// The run id the platform uses to rehearse resolution at upload.
pub const REHEARSAL_RUN_ID: &str = "00000000-0000-4000-8000-000000000000";

/// Why a recipe could not be resolved; `Display` gives the platform's exact message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// A `{{name}}` with no variable.
    UnknownVariable(String),
    /// A variable no token uses.
    UnusedVariable(String),
    /// A `derived` format the platform refuses.
    InvalidDerivedFormat {
        /// The variable.
        token: String,
        /// The format written.
        found: String,
    },
    /// A `derived` source other than `testRunId`.
    InvalidDerivedSource {
        /// The variable.
        token: String,
        /// The source written.
        given: String,
    },
    /// A faker generator the platform lacks.
    UnsupportedFaker(String),
    /// A definition without what its strategy needs.
    InvalidDefinition {
        /// The variable.
        token: String,
        /// What is missing.
        reason: String,
    },
    /// Tokens left after resolution.
    UnresolvedRemain(Vec<String>),
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::UnknownVariable(t) => write!(
                f,
                "Unknown recipe variable: {t}. The only tokens a recipe can use are {{{{testRunId}}}} and {{{{testRunShortId}}}}; every other value must be concrete."
            ),
            ResolveError::UnusedVariable(t) => write!(f, "Unused variable definition: {t}"),
            ResolveError::InvalidDerivedFormat { token, found } => {
                write!(
                    f,
                    "Invalid derived format for {token}: only {{testRunId}} is supported, found {{{found}}}"
                )
            }
            ResolveError::InvalidDerivedSource { token, given } => {
                write!(f, "Invalid derived source for {token}: {given}")
            }
            ResolveError::UnsupportedFaker(g) => write!(f, "Unsupported faker generator: {g}"),
            ResolveError::InvalidDefinition { token, reason } => {
                write!(f, "Invalid variable definition for {token}: {reason}")
            }
            ResolveError::UnresolvedRemain(names) => write!(
                f,
                "Unresolved recipe variables remain: {}",
                names.join(", ")
            ),
        }
    }
}

/// A `{{name}}` occurrence (platform regex `\{\{([a-zA-Z0-9_]+)\}\}`): the name and the byte
/// range of the whole token inside the string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenMatch<'a> {
    /// The token's inner name.
    pub name: &'a str,
    /// Its first byte (`{{`).
    pub start: usize,
    /// One past its last byte (`}}`).
    pub end: usize,
}

/// Every non-overlapping `{{name}}` in `text`, leftmost first (regex semantics).
pub fn scan(text: &str) -> Vec<TokenMatch<'_>> {
    scan_delimited(text, "{{", "}}")
}

/// Every `{name}` placeholder in a derived format (`\{([a-zA-Z0-9_]+)\}`).
pub fn scan_placeholders(text: &str) -> Vec<TokenMatch<'_>> {
    scan_delimited(text, "{", "}")
}

fn scan_delimited<'a>(text: &'a str, open: &str, close: &str) -> Vec<TokenMatch<'a>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    if !bytes.contains(&b'{') {
        return found;
    }
    while let Some(pos) = text[i..].find(open) {
        let start = i + pos;
        let name_start = start + open.len();
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        let name_end = name_start + name_len;
        if name_len > 0 && text[name_end..].starts_with(close) {
            let end = name_end + close.len();
            found.push(TokenMatch {
                name: &text[name_start..name_end],
                start,
                end,
            });
            i = end;
        } else {
            i = start + 1;
        }
    }
    found
}

/// `{{ ... }}` forms that only the SDK resolves (spaced names, `cycle(...)`, `index`).
pub fn scan_sdk_only(text: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(pos) = text[i..].find("{{") {
        let start = i + pos;
        let Some(close) = text[start + 2..].find("}}") else {
            break;
        };
        let inner = &text[start + 2..start + 2 + close];
        let end = start + 2 + close + 2;
        if inner.contains('{') {
            i = start + 1;
            continue;
        }
        let trimmed = inner.trim();
        let platform_token = !trimmed.is_empty()
            && inner == trimmed
            && trimmed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !platform_token && !trimmed.is_empty() {
            found.push((start, end, trimmed));
        }
        i = end;
    }
    found
}

/// The short run id: first 8 hex chars of SHA-256 of the run id.
pub fn test_run_short_id(test_run_id: &str) -> String {
    faker::short_hash(test_run_id)
}

/// Token names used in string values (never keys), first-seen order, deduplicated.
pub fn used_tokens(value: &Value) -> Vec<String> {
    let mut names = Vec::new();
    collect_tokens(value, &mut names);
    names
}

fn collect_tokens(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            for token in scan(s) {
                if !names.iter().any(|n| n == token.name) {
                    names.push(token.name.to_owned());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_tokens(v, names)),
        Value::Object(map) => map.values().for_each(|v| collect_tokens(v, names)),
        _ => {}
    }
}

/// Resolves one declared variable definition for `test_run_id`.
pub fn resolve_variable(
    token: &str,
    definition: &Value,
    test_run_id: &str,
) -> Result<Value, ResolveError> {
    let invalid = |reason: &str| ResolveError::InvalidDefinition {
        token: token.to_owned(),
        reason: reason.to_owned(),
    };
    let strategy = definition
        .get("strategy")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("missing strategy"))?;
    match strategy {
        "literal" => match definition.get("value") {
            Some(v @ (Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                Ok(v.clone())
            }
            Some(_) => Err(invalid(
                "literal value must be a string, number, boolean or null",
            )),
            None => Err(invalid("literal needs a value")),
        },
        "derived" => {
            let format = definition
                .get("format")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("derived needs a format"))?;
            if let Some(other) = scan_placeholders(format)
                .into_iter()
                .find(|p| p.name != "testRunId")
            {
                return Err(ResolveError::InvalidDerivedFormat {
                    token: token.to_owned(),
                    found: other.name.to_owned(),
                });
            }
            let source = definition
                .get("source")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if source != "testRunId" {
                return Err(ResolveError::InvalidDerivedSource {
                    token: token.to_owned(),
                    given: source.to_owned(),
                });
            }
            Ok(Value::String(format.replace("{testRunId}", test_run_id)))
        }
        "faker" => {
            let generator = definition
                .get("generator")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("faker needs a generator"))?;
            faker::generate(generator, &format!("{test_run_id}:{token}"))
                .map(Value::String)
                .ok_or_else(|| ResolveError::UnsupportedFaker(generator.to_owned()))
        }
        other => Err(invalid(&format!("unknown strategy {other}"))),
    }
}

/// Resolves `create` exactly like the platform (`resolveRecipeCreateGraph`).
pub fn resolve_create(
    create: &Value,
    variables: Option<&Map<String, Value>>,
    test_run_id: &str,
) -> Result<Value, ResolveError> {
    let empty = Map::new();
    let variables = variables.unwrap_or(&empty);
    let used = used_tokens(create);
    for token in &used {
        if !variables.contains_key(token) && !BUILT_INS.contains(&token.as_str()) {
            return Err(ResolveError::UnknownVariable(token.clone()));
        }
    }
    for name in variables.keys() {
        if !used.contains(name) {
            return Err(ResolveError::UnusedVariable(name.clone()));
        }
    }
    if used.is_empty() {
        return Ok(create.clone());
    }
    let mut resolved: Vec<(String, Value)> = Vec::new();
    for token in &used {
        if variables.contains_key(token) {
            continue;
        }
        match token.as_str() {
            "testRunId" => resolved.push((token.clone(), Value::String(test_run_id.to_owned()))),
            "testRunShortId" => {
                resolved.push((token.clone(), Value::String(test_run_short_id(test_run_id))));
            }
            _ => {}
        }
    }
    for (name, definition) in variables {
        resolved.push((
            name.clone(),
            resolve_variable(name, definition, test_run_id)?,
        ));
    }
    let output = replace(create, &resolved);
    let mut remaining = used_tokens(&output);
    if !remaining.is_empty() {
        remaining.sort();
        return Err(ResolveError::UnresolvedRemain(remaining));
    }
    Ok(output)
}

/// Resolves a recipe given as JSON: a recipe object (`{create, variables?}`), a whole recipes file
/// (its first recipe, like the planner CLI's `sdk up`), or a bare create map.
pub fn resolve_recipe(recipe: &Value, test_run_id: &str) -> Result<Value, ResolveError> {
    let recipe = match recipe
        .get("recipes")
        .and_then(Value::as_array)
        .and_then(|r| r.first())
    {
        Some(first) => first,
        None => recipe,
    };
    match recipe.get("create") {
        Some(create) => resolve_create(
            create,
            recipe.get("variables").and_then(Value::as_object),
            test_run_id,
        ),
        None => resolve_create(recipe, None, test_run_id),
    }
}

fn lookup<'a>(resolved: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    resolved.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn replace(value: &Value, resolved: &[(String, Value)]) -> Value {
    match value {
        Value::String(s) => {
            let tokens = scan(s);
            if tokens.is_empty() {
                return value.clone();
            }
            if tokens.len() == 1
                && tokens[0].start == 0
                && tokens[0].end == s.len()
                && let Some(v) = lookup(resolved, tokens[0].name)
            {
                return v.clone();
            }
            let mut out = String::with_capacity(s.len() + 16);
            let mut cursor = 0;
            for token in tokens {
                out.push_str(&s[cursor..token.start]);
                match lookup(resolved, token.name) {
                    Some(v) => out.push_str(&js_string(v)),
                    None => out.push_str(&s[token.start..token.end]),
                }
                cursor = token.end;
            }
            out.push_str(&s[cursor..]);
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| replace(v, resolved)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), replace(v, resolved)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// JavaScript's `String(value)` for a resolved scalar.
pub fn js_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                let mut buffer = ryu_js::Buffer::new();
                buffer.format(n.as_f64().unwrap_or(f64::NAN)).to_owned()
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(v: &Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    /// The observed examples of `reference/recipes.md` §5.
    #[test]
    fn typed_whole_string_replacement() {
        let create = json!({"M": [{"a": "{{num}}", "b": "v{{num}}", "c": "{{flag}}", "d": "is {{flag}}", "e": "{{nul}}", "f": "z={{nul}}"}]});
        let variables = vars(&json!({
            "num": {"strategy": "literal", "value": 42},
            "flag": {"strategy": "literal", "value": true},
            "nul": {"strategy": "literal", "value": null}
        }));
        let out = resolve_create(&create, Some(&variables), REHEARSAL_RUN_ID).expect("resolves");
        assert_eq!(
            out,
            json!({"M": [{"a": 42, "b": "v42", "c": true, "d": "is true", "e": null, "f": "z=null"}]})
        );
    }

    #[test]
    fn declared_variables_win_over_built_ins() {
        let create = json!({"M": [{"a": "{{testRunId}}", "b": "{{testRunShortId}}", "c": "{{cycle(a,b)}}", "d": "{{ testRunId }}"}]});
        let variables = vars(&json!({"testRunId": {"strategy": "literal", "value": "fixed"}}));
        let out = resolve_create(&create, Some(&variables), REHEARSAL_RUN_ID).expect("resolves");
        assert_eq!(
            out,
            json!({"M": [{"a": "fixed", "b": "db8055e0", "c": "{{cycle(a,b)}}", "d": "{{ testRunId }}"}]})
        );
    }

    #[test]
    fn errors_carry_the_platform_messages() {
        let err = resolve_create(&json!({"M": [{"a": "{{index}}x"}]}), None, REHEARSAL_RUN_ID)
            .unwrap_err();
        assert!(err.to_string().starts_with(
            "Unknown recipe variable: index. The only tokens a recipe can use are {{testRunId}}"
        ));
        let unused = vars(&json!({"x": {"strategy": "literal", "value": 1}}));
        assert_eq!(
            resolve_create(&json!({"M": []}), Some(&unused), "r")
                .unwrap_err()
                .to_string(),
            "Unused variable definition: x"
        );
        let bad = vars(
            &json!({"d": {"strategy": "derived", "source": "testRunId", "format": "{env}-{testRunId}"}}),
        );
        assert_eq!(
            resolve_create(&json!({"M": [{"a": "{{d}}"}]}), Some(&bad), "r")
                .unwrap_err()
                .to_string(),
            "Invalid derived format for d: only {testRunId} is supported, found {env}"
        );
        let faker = vars(&json!({"f": {"strategy": "faker", "generator": "person.fullName"}}));
        assert_eq!(
            resolve_create(&json!({"M": [{"a": "{{f}}"}]}), Some(&faker), "r")
                .unwrap_err()
                .to_string(),
            "Unsupported faker generator: person.fullName"
        );
        let nested = vars(&json!({"w": {"strategy": "literal", "value": "{{other}}"}}));
        assert_eq!(
            resolve_create(&json!({"M": [{"a": "{{w}}"}]}), Some(&nested), "r")
                .unwrap_err()
                .to_string(),
            "Unresolved recipe variables remain: other"
        );
    }

    #[test]
    fn keys_are_never_substituted_and_numbers_format_like_js() {
        let out = resolve_create(
            &json!({"M": [{"{{testRunId}}": "x-{{testRunId}}"}]}),
            None,
            "r1",
        )
        .expect("resolves");
        assert_eq!(out, json!({"M": [{"{{testRunId}}": "x-r1"}]}));
        assert_eq!(js_string(&json!(1.0)), "1");
        assert_eq!(js_string(&json!(1.5)), "1.5");
        assert_eq!(js_string(&json!(1e21)), "1e+21");
    }

    #[test]
    fn short_ids_match_the_golden_vectors() {
        assert_eq!(
            test_run_short_id("00000000-0000-4000-8000-000000000000"),
            "db8055e0"
        );
        assert_eq!(test_run_short_id("run-1"), "4e65d3fb");
    }

    #[test]
    fn scanning_follows_regex_semantics() {
        let names: Vec<_> = scan("{{{a}}} {{b c}} {{d_1}}")
            .iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["a", "d_1"]);
        let sdk: Vec<_> = scan_sdk_only("{{ testRunId }} {{cycle(a,b)}} {{x}}")
            .into_iter()
            .map(|t| t.2)
            .collect();
        assert_eq!(sdk, ["testRunId", "cycle(a,b)"]);
    }
}

//! The SDK's own `{{...}}` pass at `up` time: `testRunId`, `index` and `cycle(...)`.

use serde_json::Value;

/// A token the SDK does not know; `Display` is the SDK's `UNRESOLVED_TOKEN` message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Unresolved token: {{{{{0}}}}}")]
pub struct UnresolvedToken(pub String);

/// Replaces SDK tokens in every string of one record's fields. `index` is the record's
/// 0-based index within its model in creation order.
pub fn resolve_record(
    value: &mut Value,
    test_run_id: &str,
    index: usize,
) -> Result<(), UnresolvedToken> {
    match value {
        Value::String(s) => {
            if s.contains("{{") {
                *s = resolve_string(s, test_run_id, index)?;
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter_mut()
            .try_for_each(|v| resolve_record(v, test_run_id, index)),
        Value::Object(map) => map
            .values_mut()
            .try_for_each(|v| resolve_record(v, test_run_id, index)),
        _ => Ok(()),
    }
}

/// The SDK regex `\{\{\s*([^{}]+?)\s*\}\}`, each match replaced by its resolved text.
fn resolve_string(s: &str, test_run_id: &str, index: usize) -> Result<String, UnresolvedToken> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let inner_len = after.find(['{', '}']).unwrap_or(after.len());
        if !after[inner_len..].starts_with("}}") || after[..inner_len].trim().is_empty() {
            out.push_str(&rest[..=open]);
            rest = &rest[open + 1..];
            continue;
        }
        out.push_str(&rest[..open]);
        let inner = after[..inner_len].trim();
        out.push_str(&resolve_inner(inner, test_run_id, index)?);
        rest = &after[inner_len + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn resolve_inner(inner: &str, test_run_id: &str, index: usize) -> Result<String, UnresolvedToken> {
    if inner == "testRunId" {
        return Ok(test_run_id.to_owned());
    }
    if inner == "index" {
        return Ok(index.to_string());
    }
    if let Some(args) = inner
        .strip_prefix("cycle(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let parts: Vec<&str> = args
            .split(',')
            .map(|p| p.trim().trim_matches(|c| c == '"' || c == '\''))
            .collect();
        if !parts.is_empty() {
            return Ok(parts[index % parts.len()].to_owned());
        }
    }
    Err(UnresolvedToken(inner.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_like_the_sdk() {
        let mut record = json!({"title": "P {{index}} {{cycle(a,b)}}", "name": "Acme {{ testRunId }}", "q": "{{cycle('x', \"y\")}}"});
        resolve_record(&mut record, "run-1", 1).expect("resolves");
        assert_eq!(
            record,
            json!({"title": "P 1 b", "name": "Acme run-1", "q": "y"})
        );
        let mut bad = json!("{{testRunShortId}}");
        assert_eq!(
            resolve_record(&mut bad, "r", 0).unwrap_err().to_string(),
            "Unresolved token: {{testRunShortId}}"
        );
    }
}

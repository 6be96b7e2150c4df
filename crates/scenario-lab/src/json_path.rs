//! JSONPath reads of answers (serde_json_path, RFC 9535), shared by the HTTP probes and the ANIP runner.

use serde_json::Value;
use serde_json_path::JsonPath;

/// `path` parsed; `Err` says why it is not a JSONPath.
pub fn parse(path: &str) -> Result<JsonPath, String> {
    scenario_lab_core::anip::paths::parse(path)
        .map_err(|e| format!("`{path}` is not a JSONPath: {e}"))
}

/// The first value `path` selects in `value`; `Err` when the path does not parse.
pub fn first(value: &Value, path: &str) -> Result<Option<Value>, String> {
    Ok(parse(path)?.query(value).first().cloned())
}

/// Every value `path` selects, in document order.
pub fn all<'v>(value: &'v Value, path: &JsonPath) -> Vec<&'v Value> {
    path.query(value).all()
}

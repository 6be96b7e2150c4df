//! The Environment Factory wire protocol v1 as types: request bodies, answers and error bodies.
//!
//! One set of types serves every side of the wire: the lifecycle, the conformance probes and the
//! proxy's `up`/`down` routes send [`Request`]s and decode the answers; the demo endpoint decodes
//! [`Request`]s and answers with the same types. Fields follow `reference/protocol.md`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The three actions of protocol v1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// `discover`: the schema of the factories.
    Discover,
    /// `up`: create a recipe's records.
    Up,
    /// `down`: delete exactly the records of a refs token.
    Down,
}

impl Action {
    /// The action as it is written on the wire.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Discover => "discover",
            Action::Up => "up",
            Action::Down => "down",
        }
    }
}

/// A request body. Serialises as `{"action": "...", ...}` with the platform's key order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Request {
    /// `{"action":"discover"}`.
    Discover,
    /// `{"action":"up","create":{...},"testRunId":"..."}`.
    Up(UpRequest),
    /// `{"action":"down","refs":{...},"refsToken":"...","testRunId":"..."}`.
    Down(DownRequest),
}

impl Request {
    /// The request's action.
    #[must_use]
    pub fn action(&self) -> Action {
        match self {
            Request::Discover => Action::Discover,
            Request::Up(_) => Action::Up,
            Request::Down(_) => Action::Down,
        }
    }

    /// The exact bytes to sign and send.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The body of `up`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpRequest {
    /// `{Model: [records]}` in the author's key order, tokens already resolved.
    pub create: Value,
    /// The scenario instance id (the SDK generates one when it is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_run_id: Option<String>,
}

/// The body of `down`: the SDK reads only `refsToken`; the platform also sends `refs` and
/// `testRunId`, and so do we.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownRequest {
    /// The `refs` that `up` answered (or null).
    #[serde(default)]
    pub refs: Value,
    /// The signed token that `up` answered; absent when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs_token: Option<String>,
    /// The scenario instance id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_run_id: Option<String>,
}

/// A body with any `action` value, for probes of what an endpoint does with unknown actions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionProbe {
    /// The action sent.
    pub action: String,
}

/// `sdk` in every successful answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdkInfo {
    /// `python`, `typescript`, `rust`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// `unknown` in factory mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orm: Option<String>,
    /// The adapter: `fastapi`, `web`, `axum`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
}

/// The keys every successful answer carries: the protocol version and the SDK.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// `"1.0"` for factory-driven SDKs (a string or a number on the wire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Value>,
    /// The SDK that answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<SdkInfo>,
}

impl Metadata {
    /// The version as text (`"1.0"`, or `?` when absent).
    #[must_use]
    pub fn version_text(&self) -> String {
        match &self.version {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => "?".to_owned(),
        }
    }

    /// The SDK's language, lowercase (`python`, `typescript`, ...), when the answer says it.
    #[must_use]
    pub fn language(&self) -> Option<String> {
        self.sdk
            .as_ref()
            .and_then(|s| s.language.as_deref())
            .map(str::to_ascii_lowercase)
    }
}

/// The answer to `discover` (the schema itself is read by `discover::parse`, with positions).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DiscoverAnswer {
    /// Version and SDK.
    #[serde(flatten)]
    pub metadata: Metadata,
    /// `{models, edges, relations, scopeField}`.
    #[serde(default)]
    pub schema: Value,
}

/// The answer to `up`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpAnswer {
    /// Version and SDK.
    #[serde(flatten)]
    pub metadata: Metadata,
    /// What tests log in with: `cookies`, `headers`, `credentials` (by convention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Value>,
    /// Every created record, keyed by model, as the factories returned them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<Map<String, Value>>,
    /// The opaque signed token `down` needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs_token: Option<String>,
}

impl UpAnswer {
    /// Records per model as the answer lists them.
    #[must_use]
    pub fn refs_counts(&self) -> std::collections::BTreeMap<String, usize> {
        refs_counts(self.refs.as_ref())
    }
}

/// Records per model of a `refs` object.
#[must_use]
pub fn refs_counts(refs: Option<&Map<String, Value>>) -> std::collections::BTreeMap<String, usize> {
    refs.into_iter()
        .flatten()
        .map(|(model, records)| (model.clone(), records.as_array().map_or(0, Vec::len)))
        .collect()
}

/// The answer to `down`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DownAnswer {
    /// Version and SDK.
    #[serde(flatten)]
    pub metadata: Metadata,
    /// `true` when the teardown ran (a skipped teardown still says `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<bool>,
}

/// The body of every SDK error (it replaces the whole answer; no metadata).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// A human message, e.g. `Invalid body: missing refsToken`.
    pub error: String,
    /// A stable code, e.g. `INVALID_BODY` (absent in some non-SDK errors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An error answer as the real endpoints write it (`planner.md` §7): the SDK's
/// `{"error", "code"}`, FastAPI's `{"detail": ...}` (a JSON-encoded code inside is unwrapped), or a
/// vendor gate in front of the handler (404/410/503 with a vendor code or none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorReading {
    /// The code: top-level, or unwrapped from FastAPI's `detail`.
    pub code: Option<String>,
    /// The message (`message`, `error` or `detail`; non-strings as JSON).
    pub message: Option<String>,
    /// The code came from inside a FastAPI `detail` string.
    pub unwrapped: bool,
    /// The answer is a gate in front of the SDK (endpoint disabled, not configured, retired).
    pub gated: bool,
}

/// Whether `code` is one the SDKs answer with (not a vendor's).
pub fn is_sdk_code(code: &str) -> bool {
    [
        codes::INVALID_SIGNATURE,
        codes::INVALID_BODY,
        codes::UNKNOWN_ACTION,
        codes::INVALID_REFS_TOKEN,
        codes::UNRESOLVED_TOKEN,
        codes::SAME_SECRETS,
        codes::INTERNAL_ERROR,
        codes::FACTORY_MISSING_PK,
        codes::PRODUCTION_BLOCKED,
    ]
    .contains(&code)
}

/// Reads an error answer's code and message in the dialects real endpoints speak.
pub fn read_error(status: u16, body: &str) -> ErrorReading {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut reading = ErrorReading {
        code: value
            .get("code")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        message: ["message", "error", "detail"]
            .iter()
            .find_map(|k| value.get(k).filter(|v| !v.is_null()).map(text)),
        ..ErrorReading::default()
    };
    if reading.code.is_none()
        && let Some(detail) = value.get("detail").and_then(serde_json::Value::as_str)
        && let Ok(inner) = serde_json::from_str::<serde_json::Value>(detail)
        && let Some(code) = inner.get("code").and_then(serde_json::Value::as_str)
    {
        reading.code = Some(code.to_owned());
        reading.message = ["error", "message"]
            .iter()
            .find_map(|k| inner.get(k).map(text))
            .or(reading.message);
        reading.unwrapped = true;
    }
    reading.gated = matches!(status, 404 | 410 | 503)
        && !reading.code.as_deref().is_some_and(is_sdk_code)
        && !(status == 404 && reading.code.is_none() && reading.message.is_none());
    reading
}

/// What a discover answer that is not the factory protocol's is, and what to do.
pub fn foreign_discover(body: &str) -> Option<&'static str> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    if value.get("schema").is_some() {
        let two = value.get("version").is_some_and(|v| v == "2.0" || v == 2.0);
        return two.then_some(
            "a Scenario v2 discover (version 2.0): the platform's recipe flow speaks v1; use an SDK of the factory-driven v1 protocol (0.2.1 to 0.2.9)",
        );
    }
    if value
        .get("scenarios")
        .is_some_and(serde_json::Value::is_array)
    {
        return Some(
            "a Scenario v2 discover (a `scenarios` list, no `schema`): the platform's recipe flow speaks v1; use an SDK of the factory-driven v1 protocol (0.2.1 to 0.2.9)",
        );
    }
    if value.get("environments").is_some() {
        return Some(
            "a legacy \"environments\" discover: this endpoint speaks the protocol before factories; upgrade it to the factory-driven v1 SDK (0.2.1 to 0.2.9)",
        );
    }
    None
}

/// The error codes SDKs answer with (`reference/protocol.md` §3.3); unknown codes stay strings.
pub mod codes {
    /// 401: missing or wrong `x-signature`.
    pub const INVALID_SIGNATURE: &str = "INVALID_SIGNATURE";
    /// 400: the body is not what the action needs.
    pub const INVALID_BODY: &str = "INVALID_BODY";
    /// 400: an action other than discover, up and down.
    pub const UNKNOWN_ACTION: &str = "UNKNOWN_ACTION";
    /// 403: a refs token that does not verify.
    pub const INVALID_REFS_TOKEN: &str = "INVALID_REFS_TOKEN";
    /// 400: a `{{token}}` the SDK does not know.
    pub const UNRESOLVED_TOKEN: &str = "UNRESOLVED_TOKEN";
    /// 500: the shared and the signing secret are equal.
    pub const SAME_SECRETS: &str = "SAME_SECRETS";
    /// 500: anything else, including input-schema failures.
    pub const INTERNAL_ERROR: &str = "INTERNAL_ERROR";
    /// 500: a factory returned no `id`.
    pub const FACTORY_MISSING_PK: &str = "FACTORY_MISSING_PK";
    /// 404: the TypeScript SDK under `NODE_ENV=production`.
    pub const PRODUCTION_BLOCKED: &str = "PRODUCTION_BLOCKED";
}

#[cfg(test)]
mod wire_dialect_tests {
    use super::*;

    #[test]
    fn fastapi_detail_codes_are_unwrapped() {
        let r = read_error(
            403,
            r#"{"detail":"{\"error\":\"bad token\",\"code\":\"INVALID_REFS_TOKEN\"}"}"#,
        );
        assert_eq!(r.code.as_deref(), Some("INVALID_REFS_TOKEN"));
        assert_eq!(r.message.as_deref(), Some("bad token"));
        assert!(r.unwrapped && !r.gated);
        let plain = read_error(401, r#"{"detail":"Invalid signature"}"#);
        assert_eq!(
            (plain.code, plain.message.as_deref()),
            (None, Some("Invalid signature"))
        );
    }

    #[test]
    fn vendor_gates_are_gates_and_sdk_codes_are_not() {
        assert!(
            read_error(
                503,
                r#"{"error":"not configured","code":"AUTONOMA_NOT_CONFIGURED"}"#
            )
            .gated
        );
        assert!(read_error(410, r#"{"error":"Endpoint removido","message":"gone"}"#).gated);
        assert!(read_error(404, r#"{"error":"Not Found","code":"NOT_FOUND"}"#).gated);
        assert!(!read_error(404, r#"{"error":"x","code":"PRODUCTION_BLOCKED"}"#).gated);
        assert!(
            !read_error(404, "Not Found").gated,
            "plain 404: nothing mounted"
        );
        assert!(!read_error(400, r#"{"error":"x","code":"VENDOR"}"#).gated);
    }

    #[test]
    fn other_protocols_are_named() {
        assert!(foreign_discover(r#"{"environments":[]}"#).is_some_and(|m| m.contains("legacy")));
        assert!(
            foreign_discover(r#"{"version":"2.0","schema":{}}"#).is_some_and(|m| m.contains("v2"))
        );
        assert!(foreign_discover(r#"{"version":"1.0","schema":{}}"#).is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_serialise_in_the_platforms_key_order() {
        let up = Request::Up(UpRequest {
            create: json!({"Organization": [{"_alias": "org", "name": "Acme"}]}),
            test_run_id: Some("run-1".into()),
        });
        // The body of golden vector H5 (`reference/protocol.md` §11.1).
        assert_eq!(
            String::from_utf8(up.to_bytes()).unwrap(),
            r#"{"action":"up","create":{"Organization":[{"_alias":"org","name":"Acme"}]},"testRunId":"run-1"}"#
        );
        assert_eq!(
            String::from_utf8(Request::Discover.to_bytes()).unwrap(),
            r#"{"action":"discover"}"#
        );
        let down = Request::Down(DownRequest {
            refs: Value::Null,
            refs_token: Some("t".into()),
            test_run_id: Some("r".into()),
        });
        assert_eq!(
            String::from_utf8(down.to_bytes()).unwrap(),
            r#"{"action":"down","refs":null,"refsToken":"t","testRunId":"r"}"#
        );
    }

    #[test]
    fn requests_decode_as_an_endpoint_reads_them() {
        let request: Request =
            serde_json::from_str(r#"{"refsToken":"t","action":"down"}"#).unwrap();
        assert_eq!(request.action(), Action::Down);
        let answer: UpAnswer = serde_json::from_str(
            r#"{"version":"1.0","sdk":{"language":"python"},"auth":{},"refs":{"A":[{"id":1}]},"refsToken":"x","extra":1}"#,
        )
        .unwrap();
        assert_eq!(answer.refs_counts().get("A"), Some(&1));
        assert_eq!(answer.metadata.language().as_deref(), Some("python"));
    }
}

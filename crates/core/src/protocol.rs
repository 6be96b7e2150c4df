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

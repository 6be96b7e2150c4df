//! An ANIP manifest's capability declarations, and the normalized digest that parity compares.

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write;

/// What the check and the runner read of a manifest (`GET /anip/manifest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `anip/0.24`.
    #[serde(default)]
    pub protocol: Option<String>,
    /// Capability name → declaration.
    #[serde(default)]
    pub capabilities: BTreeMap<String, CapabilityDecl>,
}

/// One capability declaration (the fields a scenario depends on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CapabilityDecl {
    /// Declared inputs.
    #[serde(default)]
    pub inputs: Vec<InputDecl>,
    /// Scopes a token needs (all of them).
    #[serde(default)]
    pub minimum_scope: Vec<String>,
    /// What an approver may issue once the handler asks for approval.
    #[serde(default)]
    pub grant_policy: Option<GrantPolicy>,
    /// `read`, `write`, `irreversible` or `transactional`.
    #[serde(default)]
    pub side_effect: Option<SideEffectDecl>,
}

/// A declared input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InputDecl {
    /// Its name.
    pub name: String,
    /// Whether a caller must give it.
    #[serde(default = "yes")]
    pub required: bool,
    /// The value used when it is absent.
    #[serde(default)]
    pub default: Option<Value>,
}

const fn yes() -> bool {
    true
}

/// `grant_policy`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GrantPolicy {
    /// `one_time` and/or `session_bound`.
    #[serde(default)]
    pub allowed_grant_types: Vec<String>,
    /// The type issued when the approver names none.
    #[serde(default)]
    pub default_grant_type: Option<String>,
    /// Longest life an approver may give.
    #[serde(default)]
    pub expires_in_seconds: Option<u64>,
    /// Most uses an approver may give.
    #[serde(default)]
    pub max_uses: Option<u64>,
}

/// `side_effect`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SideEffectDecl {
    /// `read`, `write`, `irreversible` or `transactional`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

impl CapabilityDecl {
    /// Whether an approver may issue session-bound grants for it.
    pub fn allows_session_grants(&self) -> bool {
        self.grant_policy
            .as_ref()
            .is_some_and(|p| p.allowed_grant_types.iter().any(|t| t == "session_bound"))
    }
}

/// Reads a saved `manifest.json` (diagnostics point into it).
pub fn parse_manifest(text: &str) -> Parsed<Option<Manifest>> {
    let parsed = crate::json::parse(FileKind::AnipManifest, text);
    let mut diagnostics = parsed.diagnostics;
    let value = parsed.value.as_ref().and_then(|node| {
        serde_json::from_value::<Manifest>(node.to_value())
            .map_err(|e| {
                diagnostics.push(Diagnostic::error(
                    Code::PACK_SCHEMA,
                    FileKind::AnipManifest,
                    Span::new(
                        node.span.start,
                        node.span.start.saturating_add(1).min(node.span.end),
                    ),
                    format!("not an ANIP manifest: {e}"),
                ));
            })
            .ok()
    });
    Parsed { value, diagnostics }
}

/// Values a declaration may leave out: dropped before comparing, so that a runtime that omits
/// defaults (Go's `omitempty`) and one that writes them (Python) normalize alike.
const DEFAULTS: [(&str, &str); 5] = [
    ("kind", "\"atomic\""),
    ("contract_version", "\"1.0\""),
    ("response_modes", "[\"unary\"]"),
    ("session", "{\"type\":\"stateless\"}"),
    ("required", "true"),
];

/// The `capabilities` object with nulls, empties, `false` and default values dropped, keys sorted
/// (the form parity compares field by field and the digest covers).
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                let normal = normalize(&map[key]);
                let default = DEFAULTS
                    .iter()
                    .find(|(k, _)| k == key)
                    .and_then(|(_, v)| serde_json::from_str::<Value>(v).ok());
                if !is_empty(&normal) && default.as_ref() != Some(&normal) {
                    out.insert(key.clone(), normal);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        other => other.clone(),
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// `sha256:<hex>` over the canonical JSON (sorted keys, no spaces) of the normalized capabilities.
pub fn capability_digest(capabilities: &Value) -> String {
    let mut text = String::new();
    canonical(&normalize(capabilities), &mut text);
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::from("sha256:");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        Value::Number(n) => match n.as_f64().filter(|_| !n.is_i64() && !n.is_u64()) {
            Some(f) => out.push_str(ryu_js::Buffer::new().format(f)),
            None => out.push_str(&n.to_string()),
        },
        other => out.push_str(&other.to_string()),
    }
}

/// The declaration fields parity compares.
pub const PARITY_FIELDS: [&str; 6] = [
    "side_effect",
    "minimum_scope",
    "inputs",
    "grant_policy",
    "composition",
    "kind",
];

/// Each difference between two normalized capability sets: `(capability, field, left, right)`;
/// a capability only one side has is reported with the field `(capability)`.
pub fn differences(left: &Value, right: &Value) -> Vec<(String, String, Value, Value)> {
    let (left, right) = (normalize(left), normalize(right));
    let empty = serde_json::Map::new();
    let (lhs, rhs) = (
        left.as_object().unwrap_or(&empty),
        right.as_object().unwrap_or(&empty),
    );
    let names: std::collections::BTreeSet<&String> = lhs.keys().chain(rhs.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        match (lhs.get(name), rhs.get(name)) {
            (Some(left), Some(right)) => {
                let empty = serde_json::Map::new();
                let left = left.as_object().unwrap_or(&empty);
                let right = right.as_object().unwrap_or(&empty);
                for field in PARITY_FIELDS {
                    let ours = left.get(field).cloned().unwrap_or(Value::Null);
                    let theirs = right.get(field).cloned().unwrap_or(Value::Null);
                    if ours != theirs {
                        out.push((name.clone(), field.to_owned(), ours, theirs));
                    }
                }
            }
            (ours, theirs) => out.push((
                name.clone(),
                "(capability)".to_owned(),
                Value::Bool(ours.is_some()),
                Value::Bool(theirs.is_some()),
            )),
        }
    }
    out
}

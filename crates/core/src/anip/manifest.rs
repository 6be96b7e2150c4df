//! An ANIP manifest's capability declarations, and the normalized digest that parity compares.

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What the check and the runner read of a manifest (`GET /anip/manifest`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `anip/0.24`.
    #[serde(default)]
    pub protocol: Option<String>,
    /// Capability name → declaration.
    #[serde(default)]
    pub capabilities: BTreeMap<String, CapabilityDecl>,
    /// The normalized digest of the capabilities as written (`parse_manifest` fills it in).
    #[serde(skip)]
    pub digest: Option<String>,
}

/// One capability declaration (the fields a scenario depends on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CapabilityDecl {
    /// What it does, for people.
    #[serde(default)]
    pub description: Option<String>,
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
    /// Its type (`string`, `integer`, …).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// What it is, for people.
    #[serde(default)]
    pub description: Option<String>,
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
        let json = node.to_value();
        let digest = json.get("capabilities").map(capability_digest);
        serde_json::from_value::<Manifest>(json)
            .map(|manifest| Manifest { digest, ..manifest })
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

/// Each field's documented default (the schema and the 0.24.13 runtimes): a value equal to its
/// field's default is dropped before comparing, so that a runtime that omits defaults (Go's
/// `omitempty`) and one that writes them (Python) normalize alike. Nothing else is dropped but
/// nulls and empty containers, so `required: false` (Go's and C#'s default) stays visible.
pub const DEFAULTS: [(&str, &str); 9] = [
    ("kind", "\"atomic\""),
    ("contract_version", "\"1.0\""),
    ("response_modes", "[\"unary\"]"),
    ("session", "{\"type\":\"stateless\"}"),
    ("required", "true"),
    ("optional", "true"),
    ("logged", "true"),
    ("entity_reference", "false"),
    ("description", "\"\""),
];

/// The default of `key`, if the table has one.
pub fn default_of(key: &str) -> Option<Value> {
    DEFAULTS
        .iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, v)| serde_json::from_str::<Value>(v).ok())
}

/// The `capabilities` object with nulls, empty containers and values equal to their field's
/// default dropped, keys sorted (the form parity compares field by field and the digest covers).
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                let normal = normalize(&map[key]);
                if !is_empty(&normal) && default_of(key).as_ref() != Some(&normal) {
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
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// `sha256:<hex>` over the canonical JSON (sorted keys, no spaces) of the normalized capabilities.
pub fn capability_digest(capabilities: &Value) -> String {
    json_digest(&normalize(capabilities))
}

/// `sha256:<hex>` over the canonical JSON of `value`, as the runtimes digest parameters, previews
/// and audit entries.
pub fn json_digest(value: &Value) -> String {
    format!(
        "sha256:{}",
        hex::encode(Sha256::digest(canonical_json(value).as_bytes()))
    )
}

/// The canonical JSON of `value` (sorted keys, no spaces), as the runtimes digest parameters
/// (`sha256:` of it) and sign grants.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    canonical(value, &mut out);
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

/// One difference parity names: `(capability, field, left, right)`.
pub type Difference = (String, String, Value, Value);

/// Each difference between two normalized capability sets, every field of every capability
/// (inputs by name, then field: "input amount: required"); a value a side leaves out shows as its
/// field's default. A capability only one side has is reported with the field `(capability)`.
pub fn differences(left: &Value, right: &Value) -> Vec<Difference> {
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
                let left = left.as_object().unwrap_or(&empty);
                let right = right.as_object().unwrap_or(&empty);
                for field in union(left, right) {
                    if field == "inputs" {
                        input_differences(name, left.get(field), right.get(field), &mut out);
                        continue;
                    }
                    let (ours, theirs) = shown(field, left.get(field), right.get(field));
                    if ours != theirs {
                        out.push((name.clone(), field.clone(), ours, theirs));
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

/// The keys of both objects, sorted.
fn union<'a>(
    left: &'a serde_json::Map<String, Value>,
    right: &'a serde_json::Map<String, Value>,
) -> std::collections::BTreeSet<&'a String> {
    left.keys().chain(right.keys()).collect()
}

/// Both sides' values of `key`, an absent one shown as the key's default (else null).
fn shown(key: &str, left: Option<&Value>, right: Option<&Value>) -> (Value, Value) {
    let fill = |v: Option<&Value>| {
        v.cloned()
            .or_else(|| default_of(key))
            .unwrap_or(Value::Null)
    };
    (fill(left), fill(right))
}

/// The inputs of one capability compared by name, then field by field.
fn input_differences(
    capability: &str,
    left: Option<&Value>,
    right: Option<&Value>,
    out: &mut Vec<Difference>,
) {
    let by_name = |inputs: Option<&Value>| -> std::collections::BTreeMap<String, serde_json::Map<String, Value>> {
        inputs
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .map(|i| {
                let name = i.get("name").and_then(Value::as_str).unwrap_or_default();
                (name.to_owned(), i.clone())
            })
            .collect()
    };
    let (lhs, rhs) = (by_name(left), by_name(right));
    let names: std::collections::BTreeSet<&String> = lhs.keys().chain(rhs.keys()).collect();
    for name in names {
        match (lhs.get(name), rhs.get(name)) {
            (Some(left), Some(right)) => {
                for key in union(left, right) {
                    let (ours, theirs) = shown(key, left.get(key), right.get(key));
                    if ours != theirs {
                        out.push((
                            capability.to_owned(),
                            format!("input {name}: {key}"),
                            ours,
                            theirs,
                        ));
                    }
                }
            }
            (ours, theirs) => out.push((
                capability.to_owned(),
                format!("input {name}"),
                Value::Bool(ours.is_some()),
                Value::Bool(theirs.is_some()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn capability(input: &Value, extra: &Value) -> Value {
        let mut cap = json!({
            "kind": "atomic",
            "side_effect": {"type": "read"},
            "minimum_scope": ["a.read"],
            "inputs": [input],
            "cross_service_contract": null,
        });
        if let (Some(cap), Some(extra)) = (cap.as_object_mut(), extra.as_object()) {
            cap.extend(extra.clone());
        }
        json!({ "billing.refund": cap })
    }

    #[test]
    fn every_defaulted_field_is_equal_written_or_left_out_and_seen_when_it_flips() {
        let table: [(&str, Value, Value); 4] = [
            ("required", json!(true), json!(false)),
            ("entity_reference", json!(false), json!(true)),
            ("description", json!(""), json!("x")),
            ("type", json!("string"), json!("number")),
        ];
        for (key, default, flipped) in table {
            let bare = capability(&json!({"name": "amount", "type": "string"}), &json!({}));
            let mut written_input = json!({"name": "amount", "type": "string"});
            written_input[key] = default.clone();
            let written = capability(&written_input, &json!({}));
            if key != "type" {
                assert!(
                    differences(&bare, &written).is_empty(),
                    "{key} written as its default"
                );
                assert_eq!(
                    capability_digest(&bare),
                    capability_digest(&written),
                    "{key}"
                );
            }
            let mut flipped_input = json!({"name": "amount", "type": "string"});
            flipped_input[key] = flipped.clone();
            let other = capability(&flipped_input, &json!({}));
            let found = differences(&written, &other);
            assert_eq!(
                found,
                vec![(
                    "billing.refund".to_owned(),
                    format!("input amount: {key}"),
                    default.clone(),
                    flipped.clone()
                )],
                "{key}"
            );
            assert_ne!(
                capability_digest(&written),
                capability_digest(&other),
                "{key} flips the digest"
            );
            // Both ways.
            assert_eq!(
                differences(&other, &written).len(),
                1,
                "{key} the other way"
            );
        }
        for (field, default, flipped) in [
            (
                "observability",
                json!({"logged": true}),
                json!({"logged": false}),
            ),
            (
                "composes_with",
                json!([{"capability": "b", "optional": true}]),
                json!([{"capability": "b", "optional": false}]),
            ),
            ("kind", json!("atomic"), json!("composed")),
            (
                "response_modes",
                json!(["unary"]),
                json!(["unary", "streaming"]),
            ),
            (
                "session",
                json!({"type": "stateless"}),
                json!({"type": "continuation"}),
            ),
        ] {
            let input = json!({"name": "amount", "type": "string"});
            let a = capability(&input, &json!({ field: default }));
            let b = capability(&input, &json!({ field: flipped }));
            let found = differences(&a, &b);
            assert_eq!(found.len(), 1, "{field}: {found:?}");
            assert_eq!(found[0].1, field);
            assert_ne!(capability_digest(&a), capability_digest(&b), "{field}");
        }
    }

    #[test]
    fn nulls_and_absent_keys_are_equal() {
        let input = json!({"name": "amount", "type": "string"});
        let a = capability(&input, &json!({"cost": null, "requires": []}));
        let b = capability(&input, &json!({}));
        assert!(differences(&a, &b).is_empty());
    }

    #[test]
    fn the_python_and_typescript_manifests_of_one_contract_are_equal() {
        let read = |text: &str| -> Value {
            serde_json::from_str::<Value>(text).unwrap_or_default()["capabilities"].clone()
        };
        let python = read(include_str!(
            "../../../../tests/fixtures/anip/runtimes/python-0.24.13-manifest.json"
        ));
        let typescript = read(include_str!(
            "../../../../tests/fixtures/anip/runtimes/typescript-0.24.13-manifest.json"
        ));
        assert!(python.as_object().is_some_and(|c| c.len() == 2));
        assert_eq!(differences(&python, &typescript), Vec::new());
        assert_eq!(capability_digest(&python), capability_digest(&typescript));
    }
}

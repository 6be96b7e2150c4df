//! ANIP's own case files turned into a pack: the showcase's service-conformance `cases.json`
//! and the contract-test packs (`samples`, `compensation_scenarios`).

use super::pack::FORMAT;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Why a file cannot be imported.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    /// Not JSON.
    #[error("not JSON: {0}")]
    Json(String),
    /// JSON of neither known shape.
    #[error(
        "neither a service-conformance case list (`[{{id, capability, parameters, expected_status}}]`) nor a contract-test pack (`{{samples, compensation_scenarios}}`): {0}"
    )]
    Shape(String),
}

#[derive(Deserialize)]
struct Case {
    id: String,
    capability: String,
    #[serde(default)]
    parameters: Value,
    #[serde(default)]
    actor: Option<String>,
    #[serde(default)]
    scope: Option<Vec<String>>,
    #[serde(default)]
    requested_effects: Vec<String>,
    expected_status: String,
}

#[derive(Deserialize)]
struct ContractPack {
    #[serde(default)]
    credentials: Option<Credentials>,
    #[serde(default)]
    samples: BTreeMap<String, Value>,
    #[serde(default)]
    compensation_scenarios: Vec<Compensation>,
}

#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    api_key_env: Option<String>,
}

#[derive(Deserialize)]
struct Compensation {
    setup_capability: String,
    #[serde(default)]
    setup_params: Value,
    #[serde(default)]
    extract_fields: Vec<String>,
    compensate_capability: String,
    #[serde(default)]
    compensate_params_template: Value,
}

/// The pack (as JSON, for the caller to write as YAML or JSON) made from `text`.
pub fn import(text: &str) -> Result<Value, ImportError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ImportError::Json(e.to_string()))?;
    if value.is_array() {
        let cases: Vec<Case> =
            serde_json::from_value(value).map_err(|e| ImportError::Shape(e.to_string()))?;
        Ok(from_cases(&cases))
    } else {
        let pack: ContractPack =
            serde_json::from_value(value).map_err(|e| ImportError::Shape(e.to_string()))?;
        if pack.samples.is_empty() && pack.compensation_scenarios.is_empty() {
            return Err(ImportError::Shape(
                "no `samples` and no `compensation_scenarios`".to_owned(),
            ));
        }
        Ok(from_contract_pack(&pack))
    }
}

/// The class a case's expected status proves.
fn class_of(status: &str) -> &'static str {
    match status {
        "approval_required" => "approval_stop",
        "denied" | "scope_insufficient" | "insufficient_authority" => "denial",
        "restricted" => "restriction",
        "clarification_required" => "missing_context",
        _ => "capability_selection",
    }
}

fn from_cases(cases: &[Case]) -> Value {
    let mut actors = Map::new();
    let mut scenarios = Vec::new();
    for case in cases {
        let actor = case.actor.clone().unwrap_or_else(|| "requester".to_owned());
        let env = format!(
            "ANIP_BEARER_{}",
            actor
                .to_ascii_uppercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        actors
            .entry(actor.clone())
            .or_insert_with(|| json!({ "credential_env": env }));
        // The showcase's runner reads success as `completed`; ours as `success`.
        let outcome = if case.expected_status == "completed" {
            "success"
        } else {
            case.expected_status.as_str()
        };
        let mut invoke = json!({"capability": case.capability, "parameters": case.parameters});
        if !case.requested_effects.is_empty() {
            invoke["requested_effects"] = json!(case.requested_effects);
        }
        let mut token = json!({ "actor": actor });
        if let Some(scope) = &case.scope {
            token["scope"] = json!(scope);
        }
        scenarios.push(json!({
            "id": case.id,
            "class": class_of(&case.expected_status),
            "request": {"invoke": invoke},
            "token": token,
            "expect": {"outcome": outcome},
        }));
    }
    json!({
        "format": FORMAT,
        "service": {},
        "actors": actors,
        "scenarios": scenarios,
    })
}

fn from_contract_pack(pack: &ContractPack) -> Value {
    let mut scenarios = Vec::new();
    for (capability, parameters) in &pack.samples {
        scenarios.push(json!({
            "id": format!("{capability}-sample"),
            "class": "capability_selection",
            "request": {"invoke": {"capability": capability, "parameters": parameters}},
            "expect": {"outcome": "success"},
        }));
    }
    for (index, compensation) in pack.compensation_scenarios.iter().enumerate() {
        let setup = format!("{}-setup-{}", compensation.setup_capability, index + 1);
        let capture: Map<String, Value> = compensation
            .extract_fields
            .iter()
            .map(|field| (field.clone(), Value::String(format!("$.result.{field}"))))
            .collect();
        scenarios.push(json!({
            "id": setup,
            "class": "capability_selection",
            "request": {"invoke": {"capability": compensation.setup_capability, "parameters": compensation.setup_params}},
            "expect": {"outcome": "success"},
            "capture": capture,
        }));
        scenarios.push(json!({
            "id": format!("{}-compensate-{}", compensation.compensate_capability, index + 1),
            "class": "capability_selection",
            "prior": [setup],
            "request": {"invoke": {
                "capability": compensation.compensate_capability,
                "parameters": template(&compensation.compensate_params_template),
            }},
            "expect": {"outcome": "success"},
            "notes": "compensation: undoes the setup scenario with the fields it captured",
        }));
    }
    let env = pack
        .credentials
        .as_ref()
        .and_then(|c| c.api_key_env.clone())
        .unwrap_or_else(|| "ANIP_BEARER".to_owned());
    json!({
        "format": FORMAT,
        "service": {},
        "actors": {"requester": {"credential_env": env}},
        "scenarios": scenarios,
    })
}

/// `{"booking_id": "{booking_id}"}` → `{"booking_id": "${booking_id}"}`.
fn template(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(text.replace('{', "${").replace("$${", "${")),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), template(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(template).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_conformance_cases_become_direct_invokes() {
        let pack = import(r#"[{"id": "x", "capability": "gtm.a", "parameters": {"q": 1}, "actor": "sales_leader",
            "scope": ["gtm.a"], "requested_effects": ["system.mutation"], "expected_status": "approval_required"}]"#)
            .unwrap_or_default();
        assert_eq!(pack["scenarios"][0]["class"], "approval_stop");
        assert_eq!(
            pack["scenarios"][0]["request"]["invoke"]["requested_effects"][0],
            "system.mutation"
        );
        assert_eq!(
            pack["actors"]["sales_leader"]["credential_env"],
            "ANIP_BEARER_SALES_LEADER"
        );
    }

    #[test]
    fn compensation_scenarios_chain_setup_and_compensation() {
        let pack = import(r#"{"samples": {}, "compensation_scenarios": [{"setup_capability": "book", "setup_params": {},
            "extract_fields": ["booking_id"], "compensate_capability": "cancel",
            "compensate_params_template": {"booking_id": "{booking_id}"}}]}"#)
        .unwrap_or_default();
        assert_eq!(
            pack["scenarios"][0]["capture"]["booking_id"],
            "$.result.booking_id"
        );
        assert_eq!(
            pack["scenarios"][1]["request"]["invoke"]["parameters"]["booking_id"],
            "${booking_id}"
        );
        assert_eq!(pack["scenarios"][1]["prior"][0], "book-setup-1");
    }

    #[test]
    fn other_json_is_refused_with_its_shape() {
        assert!(matches!(import("{}"), Err(ImportError::Shape(_))));
        assert!(matches!(import("nope"), Err(ImportError::Json(_))));
    }
}

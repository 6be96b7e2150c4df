//! Tests shared by the Node and the headless-Chromium runs of the wasm package (each runner's file includes this module).

use scenario_lab_wasm::{flatten, parse_scenarios, preflight, resolve_recipe, version};
use serde::Serialize;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

pub(crate) const RECIPES: &str =
    include_str!("../../../../examples/autonoma/scenario-recipes.json");
pub(crate) const DISCOVER: &str = include_str!("../../../../examples/autonoma/discover.json");
pub(crate) const SCENARIOS: &str = include_str!("../../../../examples/autonoma/scenarios.md");
pub(crate) const AUDIT: &str = include_str!("../../../../examples/autonoma/entity-audit.md");

fn js(value: &serde_json::Value) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn rust(value: JsValue) -> serde_json::Value {
    serde_wasm_bindgen::from_value(value).unwrap_or(serde_json::Value::Null)
}

#[wasm_bindgen_test]
fn reference_example_has_no_errors() {
    let input = serde_json::json!({"recipes": RECIPES, "discover": DISCOVER, "scenarios": SCENARIOS, "entityAudit": AUDIT});
    let result = rust(
        preflight(js(&input))
            .map_err(|_| "preflight threw")
            .unwrap_or(JsValue::NULL),
    );
    assert_eq!(result["summary"]["errors"], 0, "{result}");
    assert_eq!(result["summary"]["warnings"], 0, "{result}");
}

#[wasm_bindgen_test]
fn broken_copy_reports_utf16_columns() {
    // A non-ASCII name before the broken reference on the same line.
    let broken = RECIPES
        .replacen(r#""userId": {"#, r#""note": "Zoë 🚀", "userId": {"#, 1)
        .replacen(r#""_ref": "olivia""#, r#""_ref": "olivai""#, 1);
    let input = serde_json::json!({"recipes": broken, "discover": DISCOVER});
    let result = rust(
        preflight(js(&input))
            .map_err(|_| "preflight threw")
            .unwrap_or(JsValue::NULL),
    );
    let unknown = result["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "recipe/unknown-alias"))
        .cloned()
        .unwrap_or_default();
    let start = usize::try_from(unknown["start"].as_u64().unwrap_or_default()).unwrap_or_default();
    assert_eq!(&broken[start..start + 8], "\"olivai\"");
    let line = usize::try_from(unknown["line"].as_u64().unwrap_or_default()).unwrap_or_default();
    let line_text = broken.lines().nth(line - 1).unwrap_or_default();
    let byte_col = line_text.find("\"olivai\"").unwrap_or_default();
    let utf16_col = line_text[..byte_col].encode_utf16().count() + 1;
    assert_eq!(unknown["column"].as_u64(), Some(utf16_col as u64));
}

#[wasm_bindgen_test]
fn resolve_and_flatten() {
    let recipe = r#"{"create":{"Organization":[{"_alias":"org","name":"A {{testRunShortId}}","slug":"{{slug}}"}]},"variables":{"slug":{"strategy":"derived","source":"testRunId","format":"acme-{testRunId}"}}}"#;
    let create = rust(
        resolve_recipe(recipe, "run-1")
            .map_err(|_| "resolve threw")
            .unwrap_or(JsValue::NULL),
    );
    assert_eq!(create["Organization"][0]["name"], "A 4e65d3fb");
    assert_eq!(create["Organization"][0]["slug"], "acme-run-1");
    assert!(resolve_recipe(r#"{"create":{"M":[{"a":"{{nope}}"}]}}"#, "r").is_err());
    let nested = r#"{"Organization":[{"_alias":"org","name":"A","slug":"a","projects":[{"name":"P","status":"ACTIVE"}]}]}"#;
    let flat: serde_json::Value =
        serde_json::from_str(&flatten(nested, DISCOVER)).unwrap_or_default();
    assert_eq!(flat["Project"][0]["organizationId"]["_ref"], "org");
    let summary = rust(
        parse_scenarios(SCENARIOS)
            .map_err(|_| "parse threw")
            .unwrap_or(JsValue::NULL),
    );
    assert_eq!(summary["scenarioCount"], 3);
    assert_eq!(summary["scenarios"][2]["totalEntities"], 303);
    assert!(!version().is_empty());
}

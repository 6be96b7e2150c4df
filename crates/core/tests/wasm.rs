//! Core behaviour that must hold on wasm32 as on native: golden vectors and the full preflight.
//! Runs under `wasm-bindgen-test-runner` (Node) and as a plain native test.

use scenario_lab_core::{Code, Workspace, preflight, signing, tokens};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test;

const RECIPES: &str = include_str!("../../../examples/autonoma/scenario-recipes.json");
const DISCOVER: &str = include_str!("../../../examples/autonoma/discover.json");
const SCENARIOS: &str = include_str!("../../../examples/autonoma/scenarios.md");
const AUDIT: &str = include_str!("../../../examples/autonoma/entity-audit.md");

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn golden_signatures() {
    assert_eq!(
        signing::sign_body("test-secret-key", br#"{"action":"discover"}"#),
        "2c5588170f06ff28479566d72d45969927913c56bcba01d36c3122f2284cbba2"
    );
    assert_eq!(tokens::test_run_short_id("run-1"), "4e65d3fb");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reference_example_passes() {
    let report = preflight(&Workspace {
        scenarios: Some(SCENARIOS),
        entity_audit: Some(AUDIT),
        discover: Some(DISCOVER),
        recipes: Some(RECIPES),
        validation: None,
        layout: scenario_lab_core::dialect::Layout::default(),
    });
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    assert_eq!(report.warnings(), 0, "{:#?}", report.diagnostics);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn unknown_alias_is_found() {
    let broken = RECIPES.replacen(r#""_ref": "olivia""#, r#""_ref": "olivai""#, 1);
    let report = preflight(&Workspace {
        recipes: Some(&broken),
        discover: Some(DISCOVER),
        ..Workspace::default()
    });
    let unknown: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::RECIPE_UNKNOWN_ALIAS)
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        &broken[unknown[0].span.start..unknown[0].span.end],
        "\"olivai\""
    );
}

/// The wasm builds leave serde_json_path's regex functions out: a path calling `search()` is
/// still judged as the CLI judges it (no finding when well formed, an error when not).
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_regex_json_path_is_judged_as_the_cli_judges_it() {
    use scenario_lab_core::anip::{Syntax, check_pack};
    let findings = |path: &str| {
        let pack = format!(
            "format: scenario-pack/v1\nscenarios:\n  - id: a\n    capture: {{g: \"{path}\"}}\n"
        );
        check_pack(&pack, Syntax::Yaml, None)
            .report
            .diagnostics
            .into_iter()
            .filter(|d| d.code == Code::PACK_JSON_PATH)
            .count()
    };
    assert_eq!(findings("$.items[?search(@.name, 'a')]"), 0);
    assert_eq!(findings("$.items[?search(@.name)]"), 1);
}

//! The preflight for JavaScript: converts inputs and outputs, decides nothing.

pub mod dto;

use dto::{FilesDto, ReportDto, ScenariosDto};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &'static str = r#"
/** File contents by name. Only `recipes` is required. */
export interface PreflightInput {
  recipes: string;
  scenarios?: string;
  discover?: string;
  entityAudit?: string;
  validation?: string;
}

export type FileName = "scenarios.md" | "entity-audit.md" | "discover.json" | "scenario-recipes.json" | ".scenario-validation.json";
export type Severity = "error" | "warning" | "info";

/** A range: UTF-8 byte offsets plus 1-based line and UTF-16 column (Monaco, CodeMirror). */
export interface Range {
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Label extends Range {
  file: FileName;
  message: string;
}

export interface TextEdit extends Range {
  newText: string;
}

export interface Fix {
  message: string;
  file: FileName;
  edits: TextEdit[];
}

export interface Diagnostic extends Range {
  /** Stable code such as `recipe/unknown-alias`. */
  code: string;
  severity: Severity;
  message: string;
  file: FileName;
  help?: string;
  labels: Label[];
  /** Zero or one mechanical fix. */
  fixes: Fix[];
}

export interface PreflightResult {
  diagnostics: Diagnostic[];
  skipped: { checks: string; reason: string }[];
  summary: { errors: number; warnings: number; infos: number };
}

export interface ScenariosSummary {
  format: "plugin" | "cli";
  scenarioCount: number | null;
  scenarios: { name: string; description: string | null; entityTypes: number | null; totalEntities: number | null }[];
  entityTypes: string[];
  variableFields: { token: string; entity: string | null; scenarios: string[] }[];
  sections: string[];
  diagnostics: Diagnostic[];
}

/** Runs the whole offline preflight. */
export function preflight(input: PreflightInput): PreflightResult;
/** The create map the platform would send for a recipe object, a recipes file (first recipe) or a bare create map. Throws with the platform's message. */
export function resolveRecipe(recipeJson: string, testRunId: string): Record<string, unknown[]>;
/** The frontmatter summary and diagnostics of a scenarios.md. */
export function parseScenarios(markdown: string): ScenariosSummary;
/** Moves nested children to top-level keys with `_ref`s; returns the same kind of document. */
export function flatten(recipeJson: string, discoverJson: string): string;
/** The package version. */
export function version(): string;
"#;

/// The one conversion of any error into a JavaScript exception.
fn into_js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(into_js_error)
}

#[wasm_bindgen(skip_typescript)]
pub fn preflight(input: JsValue) -> Result<JsValue, JsError> {
    let files: FilesDto = serde_wasm_bindgen::from_value(input).map_err(into_js_error)?;
    let workspace = files.workspace();
    let report = scenario_lab_core::preflight(&workspace);
    to_js(&ReportDto::from_report(&report, &workspace))
}

#[wasm_bindgen(js_name = resolveRecipe, skip_typescript)]
pub fn resolve_recipe(recipe_json: &str, test_run_id: &str) -> Result<JsValue, JsError> {
    let recipe: serde_json::Value = serde_json::from_str(recipe_json).map_err(into_js_error)?;
    let create =
        scenario_lab_core::tokens::resolve_recipe(&recipe, test_run_id).map_err(into_js_error)?;
    to_js(&create)
}

#[wasm_bindgen(js_name = parseScenarios, skip_typescript)]
pub fn parse_scenarios(markdown: &str) -> Result<JsValue, JsError> {
    let parsed = scenario_lab_core::scenarios::parse(markdown);
    to_js(&ScenariosDto::new(
        markdown,
        &parsed.value,
        &parsed.diagnostics,
    ))
}

#[wasm_bindgen(skip_typescript)]
pub fn flatten(recipe_json: &str, discover_json: &str) -> String {
    scenario_lab_core::fix_all::flatten_document(recipe_json, discover_json).0
}

#[wasm_bindgen(skip_typescript)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

//! What the editor's workers call in this same wasm module: the wasm package's `KeptWorkspace`,
//! `checkPack`, `packComplete` and `packHover` under names of their own (`EditorWorkspace`,
//! `editorCheckPack`, …: a binary keeps only its own crate's exports, and a build that links the
//! package's exports too must not see a name twice), which the editor's worker hands to
//! @scenario-lab/codemirror's worker loop under the package's names; and the preflight as the
//! Rust side reads it (`analyzeWorkspace`).

use scenario_lab_core::dialect::{Dialects, Layout};
use scenario_lab_core::{Diagnostic, FileKind, Texts, Workspace};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The workspace texts as the worker receives them (the package's `PreflightInput`).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceFiles<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipes: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenarios: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discover: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_audit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<&'a str>,
    /// The folder's layout (which tooling's rules apply).
    pub layout: Layout,
}

impl<'a> WorkspaceFiles<'a> {
    pub fn new(texts: &'a Texts, layout: Layout) -> Self {
        let text = |kind| texts.get(&kind).map(String::as_str);
        WorkspaceFiles {
            recipes: text(FileKind::Recipes),
            scenarios: text(FileKind::Scenarios),
            discover: text(FileKind::Discover),
            entity_audit: text(FileKind::EntityAudit),
            validation: text(FileKind::Validation),
            layout,
        }
    }
}

/// The preflight's answer as it crosses from the worker.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct WorkerReport {
    pub diagnostics: Vec<Diagnostic>,
    pub skipped: Vec<String>,
    #[serde(default)]
    pub dialects: Dialects,
}

/// The preflight of `files` (a `PreflightInput`), as [`WorkerReport`] JSON.
#[wasm_bindgen(js_name = analyzeWorkspace)]
pub fn analyze_workspace(files: JsValue) -> Result<String, JsError> {
    // The files as a kept workspace's update carries them (`PreflightInput` keys and the layout).
    let files: scenario_lab_wasm::kept::FilesPatch =
        serde_wasm_bindgen::from_value(files).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(report_json(&Workspace {
        recipes: files.recipes.as_deref(),
        scenarios: files.scenarios.as_deref(),
        discover: files.discover.as_deref(),
        entity_audit: files.entity_audit.as_deref(),
        validation: files.validation.as_deref(),
        layout: files.layout.unwrap_or_default(),
    }))
}

/// The report of `workspace` as JSON (also the fallback when no worker runs).
pub fn report_json(workspace: &Workspace<'_>) -> String {
    let report = scenario_lab_core::preflight(workspace);
    let answer = WorkerReport {
        diagnostics: report.diagnostics,
        skipped: report
            .skipped
            .iter()
            .map(|s| format!("{}: {}", s.checks, s.reason))
            .collect(),
        dialects: report.dialects,
    };
    serde_json::to_string(&answer).unwrap_or_default()
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ScenarioLabEditor, js_name = analyze, catch)]
    fn analyze_in_worker(files: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// Whether the code view's bundle (CodeMirror and its workers) is on the page.
pub fn available() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"ScenarioLabEditor".into()).ok())
        .is_some_and(|v| v.is_object())
}

/// The preflight in the worker: the texts go out, [`WorkerReport`] JSON comes back. `None` when
/// no worker is available (the caller runs the preflight itself).
pub async fn analyze(files: &WorkspaceFiles<'_>) -> Option<Result<String, String>> {
    if !available() {
        return None;
    }
    let files = serde_wasm_bindgen::to_value(files).unwrap_or(JsValue::NULL);
    let promise = match analyze_in_worker(&files) {
        Ok(promise) => promise,
        Err(error) => return Some(Err(format!("{error:?}"))),
    };
    Some(
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map(|v| v.as_string().unwrap_or_default())
            .map_err(|e| {
                e.dyn_ref::<js_sys::Error>()
                    .map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
            }),
    )
}

/// The wasm package's `KeptWorkspace`, exported from the editor's module.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct EditorWorkspace(scenario_lab_wasm::kept::KeptWorkspace);

#[wasm_bindgen]
impl EditorWorkspace {
    #[wasm_bindgen(constructor)]
    pub fn new() -> EditorWorkspace {
        EditorWorkspace::default()
    }

    pub fn update(&mut self, change: JsValue) -> Result<(), JsError> {
        self.0.update(change)
    }

    pub fn preflight(&self) -> Result<JsValue, JsError> {
        self.0.preflight()
    }

    pub fn call(
        &self,
        method: &str,
        file: &str,
        offset: usize,
        new_name: &str,
    ) -> Result<JsValue, JsError> {
        self.0.call(method, file, offset, new_name)
    }
}

/// The wasm package's `checkPack`.
#[wasm_bindgen(js_name = editorCheckPack)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands optional strings over owned"
)]
pub fn check_pack(
    text: &str,
    file_name: &str,
    manifest: Option<String>,
) -> Result<JsValue, JsError> {
    scenario_lab_wasm::check_pack(text, file_name, manifest)
}

/// The wasm package's `packComplete`.
#[wasm_bindgen(js_name = editorPackComplete)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands optional strings over owned"
)]
pub fn pack_complete(
    text: &str,
    file_name: &str,
    manifest: Option<String>,
    offset: usize,
) -> Result<JsValue, JsError> {
    scenario_lab_wasm::pack_complete(text, file_name, manifest, offset)
}

/// The wasm package's `packHover`.
#[wasm_bindgen(js_name = editorPackHover)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands optional strings over owned"
)]
pub fn pack_hover(
    text: &str,
    file_name: &str,
    manifest: Option<String>,
    offset: usize,
) -> Result<JsValue, JsError> {
    scenario_lab_wasm::pack_hover(text, file_name, manifest, offset)
}

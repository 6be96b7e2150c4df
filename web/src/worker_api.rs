//! What the editor's worker calls in this same wasm module: the preflight (`analyzeWorkspace`)
//! and the language service on the workspace it keeps (`keepFiles`, `keptCall`), and the pack
//! language service (`packCall`).

use scenario_lab_core::dialect::{Dialects, Layout};
use scenario_lab_core::{Diagnostic, FileKind, Texts, Workspace};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use scenario_lab_wasm::Call;
use scenario_lab_wasm::dto::FilesDto;
use std::cell::RefCell;

thread_local! {
    /// The workspace as the language worker last received it: a call sends only the texts that
    /// changed since, so a 1 MB file is not copied into wasm on every completion.
    static KEPT: RefCell<FilesDto> = RefCell::default();
}

/// What changed since the last call: new texts, and the files that are gone; `reset` first
/// drops everything kept (the page does not know what the worker holds).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilesChange {
    #[serde(default)]
    pub reset: bool,
    #[serde(default)]
    pub changed: OwnedFiles,
    #[serde(default)]
    pub removed: Vec<FileKey>,
}

/// A file by its `PreflightInput` key.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FileKey {
    Recipes,
    Scenarios,
    Discover,
    EntityAudit,
    Validation,
}

/// Applies `change` (a [`FilesChange`]) to the kept workspace.
#[wasm_bindgen(js_name = keepFiles)]
pub fn keep_files(change: JsValue) -> Result<(), JsError> {
    let change: FilesChange =
        serde_wasm_bindgen::from_value(change).map_err(|e| JsError::new(&e.to_string()))?;
    KEPT.with_borrow_mut(|kept| {
        if change.reset {
            *kept = FilesDto::default();
        }
        let OwnedFiles {
            recipes,
            scenarios,
            discover,
            entity_audit,
            validation,
            layout: _,
        } = change.changed;
        if let Some(text) = recipes {
            kept.recipes = text;
        }
        for (slot, text) in [
            (&mut kept.scenarios, scenarios),
            (&mut kept.discover, discover),
            (&mut kept.entity_audit, entity_audit),
            (&mut kept.validation, validation),
        ] {
            if text.is_some() {
                *slot = text;
            }
        }
        for key in change.removed {
            match key {
                FileKey::Recipes => kept.recipes.clear(),
                FileKey::Scenarios => kept.scenarios = None,
                FileKey::Discover => kept.discover = None,
                FileKey::EntityAudit => kept.entity_audit = None,
                FileKey::Validation => kept.validation = None,
            }
        }
    });
    Ok(())
}

/// A language-service call (`complete`, `hover`, `definition`, `references`, `rename`) on the
/// kept workspace; `new_name` for a rename (empty otherwise).
#[wasm_bindgen(js_name = keptCall)]
pub fn kept_call(
    method: &str,
    file: &str,
    offset: usize,
    new_name: &str,
) -> Result<JsValue, JsError> {
    let call = match method {
        "complete" => Call::Complete,
        "hover" => Call::Hover,
        "definition" => Call::Definition,
        "references" => Call::References,
        "rename" => Call::Rename(new_name),
        other => return Err(JsError::new(&format!("no language call `{other}`"))),
    };
    KEPT.with_borrow(|kept| scenario_lab_wasm::answer(kept, file, offset, call))
}

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

/// The same files as the worker decodes them.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnedFiles {
    pub recipes: Option<String>,
    pub scenarios: Option<String>,
    pub discover: Option<String>,
    pub entity_audit: Option<String>,
    pub validation: Option<String>,
    #[serde(default)]
    pub layout: Option<Layout>,
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
    let files: OwnedFiles =
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

/// The pack language service for the Packs tab's code view (`method`: `complete` or `hover`;
/// `offset` in UTF-16): the wasm package's `packComplete` and `packHover`.
#[wasm_bindgen(js_name = packCall)]
#[allow(
    clippy::needless_pass_by_value,
    reason = "wasm-bindgen hands optional strings over owned"
)]
pub fn pack_call(
    method: &str,
    text: &str,
    file_name: &str,
    manifest: Option<String>,
    offset: usize,
) -> Result<JsValue, JsError> {
    let call = match method {
        "complete" => scenario_lab_wasm::PackCall::Complete,
        _ => scenario_lab_wasm::PackCall::Hover,
    };
    scenario_lab_wasm::pack_answer(text, file_name, manifest.as_deref(), offset, call)
}

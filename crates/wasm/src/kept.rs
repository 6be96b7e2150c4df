//! A workspace kept in wasm memory between language-service calls: a worker sends only the texts
//! that changed, so a 1 MB recipe is not copied into wasm on every completion.

use crate::dto::FilesDto;
use crate::{Call, answer, files_report, into_js_error};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// A file by its `PreflightInput` key.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FileKey {
    Recipes,
    Scenarios,
    Discover,
    EntityAudit,
    Validation,
}

/// What changed since the last update: `changed` texts (and `folder` or `layout`) replace the
/// kept ones, `removed` files are dropped; `reset` first drops everything.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceChange {
    #[serde(default)]
    pub reset: bool,
    #[serde(default)]
    pub changed: FilesPatch,
    #[serde(default)]
    pub removed: Vec<FileKey>,
}

/// Texts to set, by `PreflightInput` key.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilesPatch {
    pub recipes: Option<String>,
    pub scenarios: Option<String>,
    pub discover: Option<String>,
    pub entity_audit: Option<String>,
    pub validation: Option<String>,
    pub folder: Option<Vec<String>>,
    pub layout: Option<scenario_lab_core::dialect::Layout>,
}

/// The kept workspace.
#[cfg_attr(feature = "kept", wasm_bindgen(skip_typescript))]
#[derive(Debug, Default)]
pub struct KeptWorkspace {
    files: FilesDto,
}

impl KeptWorkspace {
    /// Applies a decoded change.
    pub fn apply(&mut self, change: WorkspaceChange) {
        let kept = &mut self.files;
        if change.reset {
            *kept = FilesDto::default();
        }
        let FilesPatch {
            recipes,
            scenarios,
            discover,
            entity_audit,
            validation,
            folder,
            layout,
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
        if folder.is_some() {
            kept.folder = folder;
        }
        if layout.is_some() {
            kept.layout = layout;
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
    }

    /// The kept files.
    pub fn files(&self) -> &FilesDto {
        &self.files
    }
}

#[cfg_attr(feature = "kept", wasm_bindgen)]
impl KeptWorkspace {
    /// An empty workspace.
    #[cfg_attr(feature = "kept", wasm_bindgen(constructor))]
    pub fn new() -> KeptWorkspace {
        KeptWorkspace::default()
    }

    /// Applies a `WorkspaceChange`.
    pub fn update(&mut self, change: JsValue) -> Result<(), JsError> {
        let change: WorkspaceChange =
            serde_wasm_bindgen::from_value(change).map_err(into_js_error)?;
        self.apply(change);
        Ok(())
    }

    /// The preflight of the kept files (`preflight()`'s answer).
    pub fn preflight(&self) -> Result<JsValue, JsError> {
        files_report(&self.files)
    }

    /// A language-service call (`complete`, `hover`, `definition`, `references`, `rename`) at a
    /// UTF-16 offset of `file`; `new_name` for a rename.
    pub fn call(
        &self,
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
        answer(&self.files, file, offset, call)
    }
}

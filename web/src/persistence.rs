//! Unsaved edits kept in localStorage, with the disk version they started from, so a reload loses nothing and a changed file is never overwritten silently.

use scenario_lab_core::FileKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One file's unsaved text and the disk text it was edited from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredEdit {
    pub text: String,
    /// The file on disk when editing started; `None` for local or new files.
    pub base: Option<String>,
}

/// What to do with a stored edit when the workspace is (re)loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum Restore {
    /// Nothing stored, or the stored text equals the disk: take the disk.
    Disk,
    /// The disk is unchanged since editing started: restore the edit.
    Edit(String),
    /// The disk changed since editing started and differs from the edit: the user chooses.
    Conflict { edit: String, disk: String },
}

/// Decides how one file comes back after a reload.
pub fn restore(stored: Option<&StoredEdit>, disk: Option<&str>) -> Restore {
    let Some(stored) = stored else {
        return Restore::Disk;
    };
    if Some(stored.text.as_str()) == disk {
        return Restore::Disk;
    }
    if stored.base.as_deref() == disk {
        Restore::Edit(stored.text.clone())
    } else {
        Restore::Conflict {
            edit: stored.text.clone(),
            disk: disk.unwrap_or_default().to_owned(),
        }
    }
}

fn key(workspace: &str) -> String {
    format!("scenario-lab:edits:{workspace}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The stored edits of a workspace (keyed by its folder, or `local`).
pub fn load(workspace: &str) -> BTreeMap<String, StoredEdit> {
    storage()
        .and_then(|s| s.get_item(&key(workspace)).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Stores (or, when the text equals its base, forgets) one file's edit.
/// Returns false when the browser refused (storage full or disabled).
pub fn save(workspace: &str, file: FileKind, edit: Option<StoredEdit>) -> bool {
    let Some(storage) = storage() else {
        return false;
    };
    let mut all = load(workspace);
    match edit {
        Some(edit) if Some(&edit.text) != edit.base.as_ref() => {
            all.insert(file.file_name().to_owned(), edit);
        }
        _ => {
            all.remove(file.file_name());
        }
    }
    let text = serde_json::to_string(&all).unwrap_or_default();
    storage.set_item(&key(workspace), &text).is_ok()
}

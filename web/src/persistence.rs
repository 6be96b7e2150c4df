//! Unsaved edits kept in localStorage, with a fingerprint of the disk version they started from, so a reload loses nothing and a changed file is never overwritten silently.

use scenario_lab_core::FileKind;
pub use scenario_lab_core::file_version::fingerprint;

/// One file's unsaved text and the fingerprint of the disk text it was edited from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredEdit {
    pub text: String,
    /// `fingerprint` of the file on disk when editing started; `None` for local or new files.
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
    if stored.base == disk.map(fingerprint) {
        Restore::Edit(stored.text.clone())
    } else {
        Restore::Conflict {
            edit: stored.text.clone(),
            disk: disk.unwrap_or_default().to_owned(),
        }
    }
}

/// The localStorage keys of one file's edit: its text and its base fingerprint.
fn keys(workspace: &str, file: FileKind) -> (String, String) {
    let prefix = format!("scenario-lab:{workspace}:{}", file.file_name());
    (format!("{prefix}:text"), format!("{prefix}:base"))
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The stored edit of one file of a workspace (keyed by its folder, or `local`).
pub fn load(workspace: &str, file: FileKind) -> Option<StoredEdit> {
    let storage = storage()?;
    let (text_key, base_key) = keys(workspace, file);
    let text = storage.get_item(&text_key).ok()??;
    let base = storage.get_item(&base_key).ok().flatten();
    Some(StoredEdit { text, base })
}

/// Stores one file's edit, or forgets it (`None`).
/// Returns false when the browser refused (storage full or disabled).
pub fn save(workspace: &str, file: FileKind, edit: Option<&StoredEdit>) -> bool {
    let Some(storage) = storage() else {
        return false;
    };
    let (text_key, base_key) = keys(workspace, file);
    match edit {
        Some(edit) => {
            let base_ok = match &edit.base {
                Some(base) => storage.set_item(&base_key, base).is_ok(),
                None => storage.remove_item(&base_key).is_ok(),
            };
            base_ok && storage.set_item(&text_key, &edit.text).is_ok()
        }
        None => storage.remove_item(&text_key).is_ok() && storage.remove_item(&base_key).is_ok(),
    }
}

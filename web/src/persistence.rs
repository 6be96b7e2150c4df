//! Unsaved edits kept in localStorage, with a fingerprint of the disk version they started from, so a reload loses nothing and a changed file is never overwritten silently.

use scenario_lab_core::FileKind;
pub use scenario_lab_core::file_version::fingerprint;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    // IndexedDB through the code view's bundle (idb-keyval): for edits localStorage cannot hold.
    #[wasm_bindgen(js_namespace = ["ScenarioLabEditor", "store"], js_name = get, catch)]
    fn idb_get(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["ScenarioLabEditor", "store"], js_name = set, catch)]
    fn idb_set(key: &str, value: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["ScenarioLabEditor", "store"], js_name = del, catch)]
    fn idb_del(key: &str) -> Result<js_sys::Promise, JsValue>;
}

/// What localStorage holds instead of a text kept in IndexedDB.
const IN_INDEXED_DB: &str = "\u{1}indexeddb";

thread_local! {
    /// IndexedDB writes not finished yet: the edits they carry exist only in memory until then.
    static WRITING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Whether an edit is still on its way into IndexedDB.
pub fn writing() -> bool {
    WRITING.with(std::cell::Cell::get) > 0
}

/// How a save went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// Stored (or forgotten).
    Stored,
    /// Being written to IndexedDB; `failed` is called if that fails.
    Pending,
    /// The browser refused: the edit exists only in this page's memory.
    Refused,
}

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

/// The stored edit of one file of a workspace (keyed by its folder, or `local`). A text kept
/// in IndexedDB comes back as [`StoredEdit::in_indexed_db`]; [`load_large`] reads it.
pub fn load(workspace: &str, file: FileKind) -> Option<StoredEdit> {
    let storage = storage()?;
    let (text_key, base_key) = keys(workspace, file);
    let text = storage.get_item(&text_key).ok()??;
    let base = storage.get_item(&base_key).ok().flatten();
    Some(StoredEdit { text, base })
}

impl StoredEdit {
    /// Whether the text itself is in IndexedDB.
    pub fn in_indexed_db(&self) -> bool {
        self.text == IN_INDEXED_DB
    }
}

/// The text of an edit kept in IndexedDB (`None`: gone, or no IndexedDB).
pub async fn load_large(workspace: &str, file: FileKind) -> Option<String> {
    let (text_key, _) = keys(workspace, file);
    let promise = idb_get(&text_key).ok()?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()?
        .as_string()
}

/// Stores one file's edit, or forgets it (`None`): in localStorage (written at once, so a
/// closing page keeps it), or in IndexedDB when localStorage has no room (it holds about five
/// million characters per site); `failed` hears if that write fails later.
pub fn save(
    workspace: &str,
    file: FileKind,
    edit: Option<&StoredEdit>,
    failed: impl FnOnce(String) + 'static,
) -> Saved {
    let Some(storage) = storage() else {
        return Saved::Refused;
    };
    let (text_key, base_key) = keys(workspace, file);
    let Some(edit) = edit else {
        let _ = idb_del(&text_key);
        let forgotten =
            storage.remove_item(&text_key).is_ok() && storage.remove_item(&base_key).is_ok();
        return if forgotten {
            Saved::Stored
        } else {
            Saved::Refused
        };
    };
    let base_ok = match &edit.base {
        Some(base) => storage.set_item(&base_key, base).is_ok(),
        None => storage.remove_item(&base_key).is_ok(),
    };
    if !base_ok {
        return Saved::Refused;
    }
    if storage.set_item(&text_key, &edit.text).is_ok() {
        let _ = idb_del(&text_key);
        return Saved::Stored;
    }
    let Ok(promise) = idb_set(&text_key, &edit.text) else {
        let _ = storage.remove_item(&text_key);
        return Saved::Refused;
    };
    if storage.set_item(&text_key, IN_INDEXED_DB).is_err() {
        return Saved::Refused;
    }
    WRITING.with(|w| w.set(w.get() + 1));
    wasm_bindgen_futures::spawn_local(async move {
        let result = wasm_bindgen_futures::JsFuture::from(promise).await;
        WRITING.with(|w| w.set(w.get().saturating_sub(1)));
        if let Err(error) = result {
            failed(format!("{error:?}"));
        }
    });
    Saved::Pending
}

//! Browser tabs on the same workspace stay in sync (BroadcastChannel): the channel, the messages
//! and what each tab last shared; `EditorState::receive_tab_edit` decides what a message does.

use crate::persistence::fingerprint;
use scenario_lab_core::FileKind;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

const CHANNEL: &str = "scenario-lab";

/// One message between tabs.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TabMessage {
    /// The workspace (its folder, or `local`): other workspaces' messages are ignored.
    pub workspace: String,
    /// The tab that sent it (never answered by itself).
    sender: String,
    pub file: String,
    pub text: String,
    /// The fingerprint of the text the sender's edit started from (what it last shared).
    pub base: Option<String>,
    /// `true`: the text was saved to disk; `false`: an unsaved edit.
    pub saved: bool,
}

/// Another tab's edit this tab did not take, because it has its own.
#[derive(Clone, Debug, PartialEq)]
pub struct TabEdit {
    pub file: FileKind,
    pub text: String,
}

thread_local! {
    static TAB: RefCell<Option<(web_sys::BroadcastChannel, String)>> = const { RefCell::new(None) };
    /// Per file, the fingerprint of the text this tab last shared with the others (announced,
    /// taken or loaded): the base its next announced edit started from.
    static SYNCED: RefCell<BTreeMap<FileKind, String>> = const { RefCell::new(BTreeMap::new()) };
}

fn mark_synced(file: FileKind, text: &str) {
    SYNCED.with(|s| {
        s.borrow_mut().insert(file, fingerprint(text));
    });
}

/// Joins the channel (once per page); `receive` gets the other tabs' messages.
pub fn connect(receive: impl Fn(TabMessage) + 'static) {
    TAB.with(|tab| {
        if tab.borrow().is_some() {
            return;
        }
        let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
            return;
        };
        let id = format!("{:x}", (js_sys::Math::random() * 1e16) as u64);
        let own = id.clone();
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                if let Ok(message) = serde_json::from_str::<TabMessage>(&text)
                    && message.sender != own
                {
                    receive(message);
                }
            });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        *tab.borrow_mut() = Some((channel, id));
    });
}

/// A (re)load: the texts come from the disk and the browser's storage, which every tab shares,
/// so none of them is an edit of this tab's own yet.
pub fn loaded(texts: &scenario_lab_core::Texts) {
    for (file, text) in texts {
        mark_synced(*file, text);
    }
}

/// Tells the other tabs about an edit (after it is stored) or a save.
pub fn announce(workspace: &str, file: FileKind, text: &str, saved: bool) {
    let base = SYNCED.with(|s| s.borrow().get(&file).cloned());
    mark_synced(file, text);
    TAB.with(|tab| {
        if let Some((channel, id)) = tab.borrow().as_ref() {
            let message = TabMessage {
                workspace: workspace.to_owned(),
                sender: id.clone(),
                file: file.file_name().to_owned(),
                text: text.to_owned(),
                base,
                saved,
            };
            if let Ok(json) = serde_json::to_string(&message) {
                let _ = channel.post_message(&JsValue::from_str(&json));
            }
        }
    });
}

/// Records that this tab now shows `text` as shared (taken from another tab).
pub fn taken(file: FileKind, text: &str) {
    mark_synced(file, text);
}

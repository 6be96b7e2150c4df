//! The Packs tab's code view: CodeMirror (`ScenarioLabEditor.mountPack`) on the selected pack,
//! with the page's offline check as squiggles and quick fixes, and completion and hover from the
//! pack language service; the textarea stands in without it.

use crate::analysis::CodeDiagnostic;
use leptos::html::Div;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The pack view of `web/editor/src/editor.js`.
    #[derive(Clone, Debug)]
    pub type PackView;

    #[wasm_bindgen(js_namespace = ScenarioLabEditor, js_name = mountPack)]
    fn mount_pack(parent: &web_sys::HtmlElement, host: &JsValue) -> PackView;

    #[wasm_bindgen(method)]
    fn show(this: &PackView, name: &str, text: &str);
    #[wasm_bindgen(method, js_name = setDiagnostics)]
    fn set_diagnostics(this: &PackView, diagnostics: &JsValue);
    #[wasm_bindgen(method)]
    fn select(this: &PackView, from: u32, to: u32);
    #[wasm_bindgen(method, js_name = setManifest)]
    fn set_manifest(this: &PackView, text: Option<String>);
}

thread_local! {
    /// One pack view for the page's life (its per-pack undo histories survive tab switches).
    static VIEW: RefCell<Option<(PackView, web_sys::HtmlElement)>> = const { RefCell::new(None) };
}

fn with_view<T>(
    changed: Callback<(String, String)>,
    f: impl FnOnce(&PackView, &web_sys::HtmlElement) -> T,
) -> T {
    VIEW.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (view, element) = slot.get_or_insert_with(|| {
            let element = crate::code_view::root_element("pack-view-root");
            let host = js_sys::Object::new();
            let on_change =
                Closure::<dyn Fn(String, String)>::new(move |name: String, text: String| {
                    changed.run((name, text));
                });
            let _ = js_sys::Reflect::set(&host, &"changed".into(), &on_change.into_js_value());
            (mount_pack(&element, &host.into()), element)
        });
        f(view, element)
    })
}

/// Selects UTF-16 `from..to` in the pack view (a finding clicked in the list).
pub fn select(from: usize, to: usize) {
    VIEW.with(|cell| {
        if let Some((view, _)) = cell.borrow().as_ref() {
            view.select(from as u32, to as u32);
        }
    });
}

/// The code view of the selected pack. `shown` is bumped when a pack is loaded or selected (its
/// text is then pushed into the view); each edit comes back through `changed`.
#[component]
pub fn PackCodeView(
    /// The pack shown.
    selected: RwSignal<Option<String>>,
    /// Its text (set by the view on every edit).
    text: RwSignal<String>,
    /// Bumped when `text` was replaced from outside the view.
    shown: RwSignal<u64>,
    /// The offline check's diagnostics of `text`.
    diagnostics: Memo<Vec<CodeDiagnostic>>,
    /// The saved `manifest.json` beside the packs (completion and hover read it).
    manifest: RwSignal<Option<String>>,
) -> impl IntoView {
    let host = NodeRef::<Div>::new();
    let changed = Callback::new(move |(name, new_text): (String, String)| {
        if selected.get_untracked().as_deref() == Some(name.as_str()) {
            text.set(new_text);
        }
    });
    Effect::new(move |_| {
        if let Some(parent) = host.get() {
            let element = with_view(changed, |_, element| element.clone());
            let _ = parent.append_child(&element);
        }
    });
    Effect::new(move |_| {
        shown.track();
        let Some(name) = selected.get() else { return };
        let current = text.get_untracked();
        with_view(changed, |view, _| view.show(&name, &current));
    });
    Effect::new(move |_| {
        let list = diagnostics.get();
        let value = serde_json::to_string(&list)
            .ok()
            .and_then(|t| js_sys::JSON::parse(&t).ok())
            .unwrap_or(JsValue::NULL);
        with_view(changed, |view, _| view.set_diagnostics(&value));
    });
    Effect::new(move |_| {
        let text = manifest.get();
        with_view(changed, |view, _| view.set_manifest(text));
    });
    view! { <div class="pack-view" node_ref=host></div> }
}

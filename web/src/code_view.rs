//! The code editor: CodeMirror 6 (bundled from `web/editor` by Trunk's hook) bound through
//! `globalThis.ScenarioLabEditor`; the textarea editor stands in when the bundle is absent.

use crate::analysis::{self, Analysis, CodeDiagnostic};
use crate::state::EditorState;
use crate::text_editor::TextEditor;
use leptos::html::Div;
use leptos::prelude::*;
use scenario_lab_core::FileKind;
use scenario_lab_core::line_index::LineIndex;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The code view of `web/editor/src/editor.js`.
    #[derive(Clone, Debug)]
    pub type CodeView;

    #[wasm_bindgen(js_namespace = ScenarioLabEditor, js_name = mount)]
    fn mount(parent: &web_sys::HtmlElement, host: &JsValue) -> CodeView;

    #[wasm_bindgen(method, js_name = setFile)]
    fn set_file(this: &CodeView, file: &str, text: &str);
    #[wasm_bindgen(method, js_name = removeFile)]
    fn remove_file(this: &CodeView, file: &str);
    #[wasm_bindgen(method)]
    fn show(this: &CodeView, file: &str);
    #[wasm_bindgen(method, js_name = setDiagnostics)]
    fn set_diagnostics(this: &CodeView, file: &str, diagnostics: &JsValue);
    #[wasm_bindgen(method)]
    fn select(this: &CodeView, file: &str, from: u32, to: u32);
}

pub use crate::worker_api::available;

thread_local! {
    /// One code view for the page's life: its per-file states (undo, selection, folds) survive
    /// tab switches; the component only moves its element into place.
    static VIEW: RefCell<Option<(CodeView, web_sys::HtmlElement)>> = const { RefCell::new(None) };
}

/// An edit the code view asks for in another file (a cross-file fix or rename).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Edit {
    from: usize,
    to: usize,
    new_text: String,
}

/// The editor: CodeMirror when its bundle loaded, otherwise the textarea.
#[component]
pub fn CodeEditor() -> impl IntoView {
    if !available() {
        return view! { <TextEditor /> }.into_any();
    }
    let state = expect_context::<EditorState>();
    let host = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let Some(parent) = host.get() {
            let element = with_view(state, |_, element| element.clone());
            let _ = parent.append_child(&element);
        }
    });
    follow_texts(state);
    follow_analysis(state);
    follow_jumps(state);
    view! { <div class="code-view" node_ref=host></div> }.into_any()
}

/// A detached `<div class=…>` a CodeMirror view is mounted in (moved into place by components).
pub fn root_element(class: &str) -> web_sys::HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("the editor runs in a page");
    let element: web_sys::HtmlElement = document
        .create_element("div")
        .expect("a div")
        .unchecked_into();
    element.set_class_name(class);
    element
}

/// Runs `f` on the page's code view, mounting it the first time.
fn with_view<T>(state: EditorState, f: impl FnOnce(&CodeView, &web_sys::HtmlElement) -> T) -> T {
    VIEW.with(|cell| {
        let mut slot = cell.borrow_mut();
        let (view, element) = slot.get_or_insert_with(|| {
            let element = root_element("code-view-root");
            let view = mount(&element, &host_callbacks(state));
            (view, element)
        });
        f(view, element)
    })
}

/// The functions the code view calls back (closures live as long as the page).
fn host_callbacks(state: EditorState) -> JsValue {
    let host = js_sys::Object::new();
    let set = |name: &str, f: JsValue| {
        let _ = js_sys::Reflect::set(&host, &name.into(), &f);
    };
    let changed = Closure::<dyn Fn(String, String)>::new(move |file: String, text: String| {
        if let Some(kind) = FileKind::from_file_name(&file) {
            state.edit(kind, text);
        }
    });
    set("changed", changed.into_js_value());
    let navigate = Closure::<dyn Fn(String, u32, u32)>::new(move |file: String, from, to| {
        if let Some(kind) = FileKind::from_file_name(&file) {
            let (start, end) = state.texts.with_untracked(|t| {
                let text = t.get(&kind).map_or("", String::as_str);
                let index = LineIndex::new(text);
                (
                    index.offset_of_utf16(from as usize),
                    index.offset_of_utf16(to as usize),
                )
            });
            state.go_to(kind, start, end);
        }
    });
    set("navigate", navigate.into_js_value());
    let apply = Closure::<dyn Fn(String, JsValue)>::new(move |file: String, edits: JsValue| {
        let edits: Vec<Edit> = serde_wasm_bindgen::from_value(edits).unwrap_or_default();
        if let Some(kind) = FileKind::from_file_name(&file) {
            apply_edits(state, kind, &edits);
        }
    });
    set("applyEdits", apply.into_js_value());
    let notice = Closure::<dyn Fn(String)>::new(move |message: String| {
        state.notice.set(Some(message));
    });
    set("notice", notice.into_js_value());
    let next = Closure::<dyn Fn(bool, u32)>::new(move |backwards: bool, caret: u32| {
        let file = state.current.get_untracked();
        let text = state
            .texts
            .with_untracked(|t| t.get(&file).cloned())
            .unwrap_or_default();
        crate::text_editor::next_problem(state, &text, caret, backwards);
    });
    set("nextProblem", next.into_js_value());
    host.into()
}

/// Edits in UTF-16 offsets applied to a file's text, as one outside change (one undo step).
fn apply_edits(state: EditorState, kind: FileKind, edits: &[Edit]) {
    let Some(text) = state.texts.with_untracked(|t| t.get(&kind).cloned()) else {
        return;
    };
    let index = LineIndex::new(&text);
    let fix = scenario_lab_core::Fix {
        message: String::new(),
        file: kind,
        edits: edits
            .iter()
            .map(|e| scenario_lab_core::TextEdit {
                span: scenario_lab_core::Span::new(
                    index.offset_of_utf16(e.from),
                    index.offset_of_utf16(e.to),
                ),
                new_text: e.new_text.clone(),
            })
            .collect(),
    };
    state.replace_text(kind, fix.apply(&text));
}

/// Puts the texts into the code view on loads and outside edits, and shows the current file.
fn follow_texts(state: EditorState) {
    Effect::new(move |_| {
        state.external_revision.track();
        let current = state.current.get();
        state.texts.with_untracked(|texts| {
            with_view(state, |view, _| {
                for kind in FileKind::ALL {
                    match texts.get(&kind) {
                        Some(text) => view.set_file(kind.file_name(), text),
                        None if kind != current => view.remove_file(kind.file_name()),
                        None => view.set_file(kind.file_name(), ""),
                    }
                }
                view.show(current.file_name());
            });
        });
    });
}

/// Sends each file's diagnostics (UTF-16 offsets, fixes, knock-on marks) to the code view.
fn follow_analysis(state: EditorState) {
    Effect::new(move |_| {
        let by_file = state.analysis.with(|a: &Analysis| {
            state
                .texts
                .with_untracked(|t| analysis::code_diagnostics(t, a))
        });
        with_view(state, |view, _| {
            for kind in FileKind::ALL {
                let list: &[CodeDiagnostic] = by_file.get(&kind).map_or(&[], Vec::as_slice);
                view.set_diagnostics(kind.file_name(), &to_js(&list));
            }
        });
    });
}

fn follow_jumps(state: EditorState) {
    Effect::new(move |_| {
        let Some(jump) = state.jump.get() else {
            return;
        };
        let (from, to) = state.texts.with_untracked(|t| {
            let text = t.get(&jump.file).map_or("", String::as_str);
            let index = LineIndex::new(text);
            (
                index.utf16_of(text, jump.start) as u32,
                index.utf16_of(text, jump.end.max(jump.start)) as u32,
            )
        });
        with_view(state, |view, _| {
            view.select(jump.file.file_name(), from, to);
        });
    });
}

fn to_js(value: &impl Serialize) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}

//! The editor's page: header with the proxy status, local files (picker and drag and drop), conflicts, tabs and the file list.

use crate::analysis::Texts;
use crate::code_view::CodeEditor;
use crate::diagnostics_panel::DiagnosticsPanel;
use crate::lifecycle_panel::LifecyclePanel;
use crate::overview::Overview;
use crate::packs_panel::PacksPanel;
use crate::proxy_client::Proxy;
use crate::recipe_graph_view::RecipeGraphs;
use crate::review::Review;
use crate::state::{EditorState, ProxyStatus, Tab};
use leptos::prelude::*;
use leptos::task::spawn_local;
use scenario_lab_core::FileKind;
use wasm_bindgen_futures::JsFuture;

/// The whole editor, talking to the proxy named by the page URL's token (if any).
#[component]
pub fn App() -> impl IntoView {
    let state = EditorState::new(Proxy::from_location());
    view! { <Editor state=state /> }
}

/// The editor on a given state (tests build their own).
#[component]
pub fn Editor(state: EditorState) -> impl IntoView {
    provide_context(state);
    crate::tab_sync::connect(move |message| state.receive_tab_edit(message));
    spawn_local(state.load_from_proxy());
    // Ctrl+S / Cmd+S saves through the proxy instead of the browser's "save page".
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key() == "s" {
            ev.prevent_default();
            if state.proxy_status.with_untracked(ProxyStatus::is_connected) {
                spawn_local(async move {
                    if let Err(error) = state.save_all().await {
                        state.report(&error);
                    }
                });
            }
        }
    });
    // Edits waiting for a pause in typing are stored before the page goes away; an edit the
    // browser refused to store makes leaving ask first.
    let leaving = window_event_listener(leptos::ev::pagehide, move |_| state.flush_unsaved());
    let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if state.has_memory_only_edits() {
            ev.prevent_default();
            ev.set_return_value(
                "Some edits are only in this page (the browser refused to store them).",
            );
        }
    });
    let hidden =
        window_event_listener(leptos::ev::visibilitychange, move |_| state.flush_unsaved());
    on_cleanup(move || {
        keys.remove();
        leaving.remove();
        unload.remove();
        hidden.remove();
    });
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
            open_local_files(state, &files);
        }
    };
    view! {
        <div class="app" on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
            <Header />
            <Conflicts />
            <TabEdits />
            {move || state.notice.get().map(|n| view! {
                <div class="notice" role="status">{n}<button class="link" on:click=move |_| state.notice.set(None)>"dismiss"</button></div>
            })}
            <nav class="tabs">
                <TabButton tab=Tab::Overview label="Overview" />
                <TabButton tab=Tab::Editor label="Editor" />
                <TabButton tab=Tab::Graph label="Graph" />
                <TabButton tab=Tab::Lifecycle label="Lifecycle" />
                <TabButton tab=Tab::Review label="Review" />
                <TabButton tab=Tab::Packs label="Packs" />
            </nav>
            <main>
                <div class="panel" class:hidden=move || state.tab.get() != Tab::Overview><Overview /></div>
                <div class="panel editor-panel" class:hidden=move || state.tab.get() != Tab::Editor>
                    <FileList />
                    <div class="editor-column">
                        <CodeEditor />
                        <DiagnosticsPanel />
                    </div>
                </div>
                <div class="panel" class:hidden=move || state.tab.get() != Tab::Graph><RecipeGraphs /></div>
                <div class="panel" class:hidden=move || state.tab.get() != Tab::Lifecycle><LifecyclePanel /></div>
                <div class="panel" class:hidden=move || state.tab.get() != Tab::Review><Review /></div>
                <div class="panel" class:hidden=move || state.tab.get() != Tab::Packs><PacksPanel /></div>
            </main>
        </div>
    }
}

#[component]
fn TabButton(tab: Tab, label: &'static str) -> impl IntoView {
    let state = expect_context::<EditorState>();
    view! {
        <button class="tab" class:active=move || state.tab.get() == tab data-tab=label
            on:click=move |_| state.tab.set(tab)>{label}</button>
    }
}

#[component]
fn Header() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let status = move || match state.proxy_status.get() {
        ProxyStatus::Offline(message) => ("offline", "offline: preflight only".to_owned(), message),
        ProxyStatus::Connecting => (
            "connecting",
            "connecting to the proxy…".to_owned(),
            String::new(),
        ),
        ProxyStatus::Failed(message) => ("failed", "proxy unavailable".to_owned(), message),
        ProxyStatus::Connected {
            dir,
            endpoint,
            database,
            signing_secret,
        } => (
            "connected",
            format!("proxy: {dir}"),
            format!(
                "endpoint: {} · database checks: {} · signing secret: {}",
                endpoint.unwrap_or_else(|| "none".into()),
                if database { "on" } else { "off" },
                if signing_secret { "set" } else { "not set" }
            ),
        ),
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(files) = input.files() {
            open_local_files(state, &files);
        }
    };
    let save = move |_| {
        spawn_local(async move {
            match state.save_all().await {
                Ok(0) => state.notice.set(Some("nothing to save".into())),
                Ok(n) => state.notice.set(Some(format!("saved {n} file(s)"))),
                Err(error) => state.report(&error),
            }
        });
    };
    view! {
        <header class="top">
            <h1>"Scenario Lab"</h1>
            <div class=move || format!("proxy-status {}", status().0) data-testid="proxy-status">
                <strong>{move || status().1}</strong>
                <span class="detail">{move || status().2}</span>
            </div>
            <label class="button">
                "Open files…"
                <input type="file" multiple=true accept=".md,.json" data-testid="file-picker" on:change=on_pick />
            </label>
            {move || matches!(state.proxy_status.get(), ProxyStatus::Failed(_)).then(|| view! {
                <button data-action="retry" class="primary" on:click=move |_| spawn_local(state.load_from_proxy())>"Retry"</button>
            })}
            // Not while a validation or another live action reads the files.
            <button data-action="save" disabled=move || !state.proxy_status.with(super::state::ProxyStatus::is_connected) || state.busy.get().is_some()
                on:click=save>"Save"</button>
            <button data-action="reload" disabled=move || !state.proxy_status.with(super::state::ProxyStatus::is_connected) || state.busy.get().is_some()
                on:click=move |_| spawn_local(state.load_from_proxy())>"Reload from disk"</button>
            {move || (!state.proxy_status.with(super::state::ProxyStatus::is_connected) && state.texts.with(|t| !t.is_empty())).then(|| view! {
                <button data-action="download" title="Download the files as they are in this editor"
                    on:click=move |_| download_files(state)>"Download files"</button>
            })}
            <span class="busy">{move || state.busy.get().map(|b| format!("running: {b}…"))}</span>
        </header>
    }
}

#[component]
fn Conflicts() -> impl IntoView {
    let state = expect_context::<EditorState>();
    view! {
        {move || state.conflicts.get().into_iter().map(|c| {
            let file = c.file;
            // What choosing the disk would change: disk lines against the editor's, as you type.
            let diff = move || {
                let current = state.texts.with(|t| t.get(&file).cloned()).unwrap_or_default();
                crate::analysis::line_diff(&c.disk, &current)
                    .into_iter()
                    .filter(|(sign, _)| *sign != ' ')
                    .take(200)
                    .map(|(sign, line)| view! { <div class=if sign == '+' { "add" } else { "del" }>{format!("{sign} {line}")}</div> })
                    .collect_view()
            };
            view! {
                <div class="conflict" role="alert" data-file=file.file_name()>
                    {format!("{} changed on disk since you edited it here. The editor shows your edit (typing is kept); saving waits for your choice.", state.name_untracked(file))}
                    <button on:click=move |_| state.resolve_conflict(file, true)>"Keep my edits"</button>
                    <button on:click=move |_| state.resolve_conflict(file, false)>"Use the disk version"</button>
                    <details class="conflict-diff">
                        <summary>"Differences (- disk, + yours)"</summary>
                        <pre data-testid="conflict-diff">{diff}</pre>
                    </details>
                </div>
            }
        }).collect_view()}
    }
}

/// Edits another tab made to files this tab also edited.
#[component]
fn TabEdits() -> impl IntoView {
    let state = expect_context::<EditorState>();
    view! {
        {move || state.tab_edits.get().into_iter().map(|edit| {
            let file = edit.file;
            let theirs = edit.text.clone();
            let drop = move || state.tab_edits.update(|e| e.retain(|e| e.file != file));
            view! {
                <div class="conflict" role="alert" data-tab-edit=file.file_name()>
                    {format!("Another tab edited {} too. Your edit here is kept; saving it would replace theirs.", state.name_untracked(file))}
                    <button on:click=move |_| { state.replace_text(file, theirs.clone()); drop(); }>"Take the other tab's version"</button>
                    <button on:click=move |_| drop()>"Keep mine"</button>
                </div>
            }
        }).collect_view()}
    }
}

#[component]
fn FileList() -> impl IntoView {
    let state = expect_context::<EditorState>();
    view! {
        <aside class="files">
            <h2>"Files"</h2>
            <ul>
                {FileKind::ALL.into_iter().map(|kind| {
                    let present = move || state.texts.with(|t| t.contains_key(&kind));
                    // Errors and warnings; notes do not make a file look broken.
                    let errors = move || state.analysis.with(|a| a.rows.iter().filter(|r| r.diagnostic.file == kind && r.severity() != scenario_lab_core::Severity::Info).count());
                    view! {
                        <li>
                            <button class="file" class:active=move || state.current.get() == kind class:absent=move || !present()
                                data-file=kind.file_name() on:click=move |_| state.current.set(kind)
                                title=move || state.analysis.with(|a| a.dialect_label(kind)).unwrap_or_default()>
                                {move || state.name(kind)}
                                {move || state.analysis.with(|a| a.dialect_label(kind)).map(|label| view! { <span class="dialect" data-dialect=kind.file_name()>{label}</span> })}
                                {move || state.is_dirty(kind).then_some(" •")}
                                {move || (errors() > 0).then(|| view! { <span class="count">{errors()}</span> })}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="hint">"Drop files anywhere to open them; Ctrl+S saves through the proxy."</p>
        </aside>
    }
}

/// Offline (no proxy, or it stopped answering): each edited file (all files when none is
/// edited) is downloaded as it is in the editor, so nothing typed stays stuck in the page.
pub fn download_files(state: EditorState) {
    let texts = state.texts.get_untracked();
    let edited: Vec<FileKind> = texts
        .keys()
        .copied()
        .filter(|&k| {
            state.is_dirty(k)
                || state
                    .disk
                    .with_untracked(std::collections::BTreeMap::is_empty)
        })
        .collect();
    let files = if edited.is_empty() {
        texts.keys().copied().collect()
    } else {
        edited
    };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    for kind in files {
        let Some(text) = texts.get(&kind) else {
            continue;
        };
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/plain;charset=utf-8");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
            continue;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            continue;
        };
        if let Ok(link) = document.create_element("a") {
            let _ = link.set_attribute("href", &url);
            let _ = link.set_attribute("download", &state.name_untracked(kind));
            if let Some(link) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&link) {
                link.click();
            }
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}

/// Reads picked or dropped files by name into the editor (offline preflight needs nothing else).
pub fn open_local_files(state: EditorState, files: &web_sys::FileList) {
    let list: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
    spawn_local(async move {
        let mut texts: Texts = state.texts.get_untracked();
        let mut unknown = Vec::new();
        for file in list {
            let name = file.name();
            let Some(kind) = FileKind::from_file_name(&name) else {
                unknown.push(name);
                continue;
            };
            if kind == FileKind::Recipes {
                // `recipe.json` alone is a hand-made folder (the planner's copies carry more).
                state
                    .layout
                    .set(scenario_lab_core::dialect::layout_of([name.as_str()]));
                state.recipes_name.set(name.clone());
            }
            match JsFuture::from(file.text()).await {
                Ok(text) => {
                    texts.insert(kind, text.as_string().unwrap_or_default());
                }
                Err(_) => unknown.push(format!("{name} (unreadable)")),
            }
        }
        if !unknown.is_empty() {
            state.notice.set(Some(format!(
                "not a workspace file: {} (expected scenarios.md, entity-audit.md, discover.json, scenario-recipes.json or recipe.json, .scenario-validation.json)",
                unknown.join(", ")
            )));
        }
        state.set_texts(texts);
    });
}

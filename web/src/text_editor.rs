//! The text editor: a textarea with line numbers and diagnostic markers in the gutter, jumping to a diagnostic's exact bytes.

use crate::analysis::{byte_offset, line_count, utf16_offset};
use crate::state::EditorState;
use leptos::html::{Div, Textarea};
use leptos::prelude::*;
use scenario_lab_core::Severity;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use wasm_bindgen::JsCast;

/// The height of one line in pixels (fixed in the stylesheet, so markers and jumps line up).
pub const LINE_HEIGHT: f64 = 18.0;

#[component]
pub fn TextEditor() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let textarea = NodeRef::<Textarea>::new();
    let gutter = NodeRef::<Div>::new();

    follow_outside_edits(state, textarea);
    follow_jumps(state, textarea);

    let lines = Memo::new(move |_| {
        let file = state.current.get();
        state
            .texts
            .with(|t| t.get(&file).map_or(1, |text| line_count(text)))
    });
    let numbers = Memo::new(move |_| {
        let n = lines.get();
        let mut out = String::with_capacity(n * 6);
        for i in 1..=n {
            out.push_str(&i.to_string());
            out.push('\n');
        }
        out
    });
    // One marker per line with a diagnostic, the most severe first.
    let markers = Memo::new(move |_| {
        let file = state.current.get();
        let mut by_line: BTreeMap<usize, (Severity, String)> = BTreeMap::new();
        state.analysis.with(|a| {
            for row in a.rows.iter().filter(|r| r.diagnostic.file == file) {
                let entry = by_line
                    .entry(row.line)
                    .or_insert((row.severity(), String::new()));
                entry.0 = entry.0.min(row.severity());
                if !entry.1.is_empty() {
                    entry.1.push('\n');
                }
                let _ = write!(entry.1, "{}: {}", row.code(), row.diagnostic.message);
            }
        });
        by_line.into_iter().collect::<Vec<_>>()
    });

    let on_input = move |ev: leptos::ev::Event| {
        let file = state.current.get_untracked();
        state.edit(file, event_target_value(&ev));
    };
    // Tab indents (two spaces, through the browser's editing so undo keeps working); F8 and
    // Shift+F8 go to the next and previous problem in this file.
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Tab" if !ev.ctrl_key() && !ev.alt_key() && !ev.meta_key() && !ev.shift_key() => {
            ev.prevent_default();
            if let Some(document) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
            {
                let _ = document.exec_command_with_show_ui_and_value("insertText", false, "  ");
            }
        }
        "F8" => {
            ev.prevent_default();
            if let Some(area) = textarea.get_untracked() {
                let caret = area.selection_start().ok().flatten().unwrap_or(0);
                next_problem(state, &area.value(), caret, ev.shift_key());
            }
        }
        _ => {}
    };
    let on_scroll = move |_| {
        if let (Some(area), Some(gutter)) = (textarea.get(), gutter.get()) {
            gutter.set_scroll_top(area.scroll_top());
        }
    };

    view! {
        <div class="text-editor">
            <div class="gutter" node_ref=gutter aria-hidden="true">
                <div class="gutter-inner" style:height=move || format!("{}px", lines.get() as f64 * LINE_HEIGHT + 40.0)>
                    <pre class="line-numbers">{move || numbers.get()}</pre>
                    {move || markers.get().into_iter().map(|(line, (severity, title))| {
                        view! {
                            <div
                                class=format!("marker {}", severity.as_str())
                                data-line=line
                                title=title
                                style:top=format!("{}px", (line as f64 - 1.0) * LINE_HEIGHT)
                            ></div>
                        }
                    }).collect_view()}
                </div>
            </div>
            <textarea
                class="source"
                node_ref=textarea
                spellcheck="false"
                autocomplete="off"
                wrap="off"
                aria-label=move || format!("{} text", state.current.get().file_name())
                on:input=on_input
                on:scroll=on_scroll
                on:keydown=on_keydown
            ></textarea>
        </div>
    }
}

/// Puts the file's text into the textarea when the file or an outside edit changes it (never on
/// the user's own keystrokes, which would move the caret).
fn follow_outside_edits(state: EditorState, textarea: NodeRef<Textarea>) {
    Effect::new(move |_| {
        state.external_revision.track();
        let file = state.current.get();
        let text = state
            .texts
            .with_untracked(|t| t.get(&file).cloned())
            .unwrap_or_default();
        if let Some(area) = textarea.get()
            && area.value() != text
        {
            area.set_value(&text);
        }
    });
}

/// Jumps to a diagnostic: selects its bytes and scrolls its line into view.
fn follow_jumps(state: EditorState, textarea: NodeRef<Textarea>) {
    Effect::new(move |_| {
        let Some(jump) = state.jump.get() else {
            return;
        };
        let Some(area) = textarea.get() else {
            return;
        };
        if jump.file != state.current.get_untracked() {
            return;
        }
        // The jump may come with a file switch whose text is not in the textarea yet.
        let text = state
            .texts
            .with_untracked(|t| t.get(&jump.file).cloned())
            .unwrap_or_default();
        if area.value() != text {
            area.set_value(&text);
        }
        let start = utf16_offset(&text, jump.start);
        let end = utf16_offset(&text, jump.end.max(jump.start));
        let _ = area.focus();
        let _ = area.set_selection_range(start, end);
        let line = text[..jump.start.min(text.len())].matches('\n').count();
        area.set_scroll_top(((line as f64 - 4.0).max(0.0) * LINE_HEIGHT) as i32);
    });
}

/// Jumps to the first problem of the current file after the caret (before it, with `backwards`),
/// wrapping around.
pub fn next_problem(state: EditorState, text: &str, caret_utf16: u32, backwards: bool) {
    let file = state.current.get_untracked();
    let caret = byte_offset(text, caret_utf16);
    let spans: Vec<(usize, usize)> = state.analysis.with_untracked(|a| {
        a.rows
            .iter()
            .filter(|r| r.diagnostic.file == file)
            .map(|r| (r.diagnostic.span.start, r.diagnostic.span.end))
            .collect()
    });
    let next = if backwards {
        spans.iter().rev().find(|s| s.0 < caret).or(spans.last())
    } else {
        spans.iter().find(|s| s.0 > caret).or(spans.first())
    };
    if let Some(&(start, end)) = next {
        state.go_to(file, start, end);
    }
}

//! The diagnostics list under the editor: code, place, message, help, click to jump, quick fixes applied in place.

use crate::state::EditorState;
use leptos::prelude::*;

/// Rows beyond this many are counted, not drawn (a 1 MB file can have thousands).
const MAX_ROWS: usize = 300;

#[component]
pub fn DiagnosticsPanel() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let summary = move || {
        state.analysis.with(|a| {
            if a.rows.is_empty() {
                "no problems found".to_owned()
            } else {
                format!(
                    "{} error(s), {} warning(s), {} note(s)",
                    a.errors,
                    a.warnings,
                    a.rows.len() - a.errors - a.warnings
                )
            }
        })
    };
    let rows = move || {
        state.analysis.with(|a| {
            a.rows
                .iter()
                .take(MAX_ROWS)
                .cloned()
                .enumerate()
                .collect::<Vec<_>>()
        })
    };
    let hidden = move || {
        state
            .analysis
            .with(|a| a.rows.len().saturating_sub(MAX_ROWS))
    };
    view! {
        <section class="diagnostics" aria-label="diagnostics">
            <header>
                <strong data-testid="diagnostics-summary">{summary}</strong>
                {move || {
                    let fixable = state.analysis.with(|a| a.rows.iter().filter(|r| r.fix().is_some()).count());
                    (fixable > 1).then(|| view! {
                        <button class="fix" data-action="fix-all" on:click=move |_| {
                            let applied = state.fix_all();
                            state.notice.set(Some(format!("applied {applied} quick fix(es)")));
                        }>{format!("Fix all ({fixable})")}</button>
                    })
                }}
                <span class="timing" data-testid="preflight-ms">
                    {move || format!("preflight {:.1} ms", state.preflight_ms.get())}
                </span>
            </header>
            <ul>
                {move || rows().into_iter().map(|(i, row)| {
                    let d = row.diagnostic.clone();
                    let file = d.file;
                    let (start, end) = (d.span.start, d.span.end);
                    let fix = d.fix.clone();
                    let place = format!("{}:{}:{}", state.name_untracked(file), row.line, row.column);
                    view! {
                        <li class=format!("diagnostic {}", d.severity.as_str()) data-code=d.code.as_str() data-line=row.line>
                            <button class="jump" title="go to the place" on:click=move |_| state.go_to(file, start, end)>
                                <span class="severity">{d.severity.as_str()}</span>
                                <code class="code">{d.code.as_str()}</code>
                                <span class="place">{place}</span>
                                <span class="message">{d.message.clone()}</span>
                            </button>
                            {d.help.clone().map(|help| view! { <div class="help">"help: " {help}</div> })}
                            {d.labels.iter().zip(row.label_lines.iter()).map(|(label, line)| {
                                let (file, start, end) = (label.file, label.span.start, label.span.end);
                                view! { <div class="label">"note: " {label.message.clone()}" "
                                    <button class="link" on:click=move |_| state.go_to(file, start, end)>
                                        {format!("{}:{line}", state.name_untracked(file))}
                                    </button>
                                </div> }
                            }).collect_view()}
                            {fix.map(|fix| {
                                let message = fix.message.clone();
                                view! {
                                    <button class="fix" data-fix=i on:click=move |_| {
                                        let text = state.texts.with_untracked(|t| t.get(&fix.file).cloned()).unwrap_or_default();
                                        state.replace_text(fix.file, fix.apply(&text));
                                        state.current.set(fix.file);
                                    }>"Fix: " {message}</button>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || (hidden() > 0).then(|| view! { <p class="more">{format!("{} more not shown", hidden())}</p> })}
            {move || state.analysis.with(|a| a.skipped.clone()).into_iter().map(|s| view! { <p class="skipped">"skipped: " {s}</p> }).collect_view()}
        </section>
    }
}

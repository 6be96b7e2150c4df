//! The review checkpoint: scenarios.md edits as a diff against disk, auth per role, clean teardown, upload, and writing the validated recipes.

use crate::analysis::line_diff;
use crate::lifecycle_panel::{AuthBlock, LeakList, start_validation};
use crate::state::EditorState;
use leptos::prelude::*;
use scenario_lab_core::FileKind;
use scenario_lab_core::api::{UploadRequest, UploadResult};
use scenario_lab_core::run_report::ScenarioRun;

#[component]
pub fn Review() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let upload = RwSignal::new(None::<(bool, String)>);
    let diff = Memo::new(move |_| {
        let current = state.texts.with(|t| t.get(&FileKind::Scenarios).cloned());
        let disk = state.disk.with(|d| d.get(&FileKind::Scenarios).cloned());
        match (disk, current) {
            (Some(disk), Some(current)) if disk != current => Some(line_diff(&disk, &current)),
            _ => None,
        }
    });
    // "Write validated recipes" needs a passing validation of exactly the current recipes.
    let validated_current = Memo::new(move |_| {
        state.texts.with(|t| {
            state.validation.with(|v| {
                v.as_ref()
                    .is_some_and(|run| run.recipes.as_ref() == t.get(&FileKind::Recipes))
            })
        })
    });
    // Writing needs every scenario proven, not a single one.
    let passed = move || {
        state.validation.with(|v| {
            v.as_ref()
                .is_some_and(|r| r.passed() && r.scenarios.is_empty())
        })
    };
    let can_write =
        Memo::new(move |_| state.busy.get().is_none() && passed() && validated_current.get());
    let write_hint = move || match state.validation.with(std::option::Option::is_some) {
        false => "run a full validation first",
        true if !passed() => "the last validation failed or covered only some scenarios",
        true if !validated_current.get() => {
            "the recipes changed since the last validation: validate again"
        }
        true => "the last validation of this content passed",
    };
    let run_upload = move |_| {
        state.call(
            "upload".into(),
            "/api/upload",
            UploadRequest::default(),
            move |answer: Result<UploadResult, _>| {
                upload.set(Some(match answer {
                    Ok(body) => (body.ok, body.message),
                    Err(error) => (false, error.to_string()),
                }));
            },
        );
    };
    view! {
        <section class="review">
            <h2>"Review checkpoint"</h2>
            <h3>"scenarios.md changes"</h3>
            {move || match diff.get() {
                None => view! { <p data-testid="scenarios-diff">"scenarios.md is unchanged from the file on disk."</p> }.into_any(),
                Some(lines) => view! {
                    <pre class="diff" data-testid="scenarios-diff">{lines.into_iter().filter(|(s, _)| *s != ' ').map(|(sign, line)| {
                        let class = if sign == '+' { "added" } else { "removed" };
                        view! { <span class=class>{format!("{sign} {line}\n")}</span> }
                    }).collect_view()}</pre>
                }.into_any(),
            }}
            <ValidatedRuns />
            <h3>"Reconcile"</h3>
            <div class="actions">
                <button data-action="reconcile" disabled=move || state.busy.get().is_some() || !state.proxy_status.with(super::state::ProxyStatus::is_connected)
                    title="validate; repair what is the scenario's, one fix per iteration (at most 5); write when it passes"
                    on:click=move |_| crate::lifecycle_panel::start_reconcile(state)>"Reconcile and write"</button>
            </div>
            <ReconcileEdits />
            <h3>"Write and upload"</h3>
            <div class="actions">
                <button class="primary" data-action="write" disabled=move || !can_write.get()
                    title=write_hint on:click=move |_| start_validation(state, true, Vec::new())>"Write validated recipes"</button>
                <span class="hint" data-testid="write-hint">{write_hint}</span>
            </div>
            <div class="actions">
                <button data-action="upload" disabled=move || state.busy.get().is_some() || !state.proxy_status.with(super::state::ProxyStatus::is_connected)
                    on:click=run_upload>"Upload recipes"</button>
                {move || upload.get().map(|(ok, message)| view! { <span class=if ok { "pass" } else { "fail" } data-testid="upload-status">{message}</span> })}
            </div>
        </section>
    }
}

/// The repairs the last `--reconcile` made, as a diff per edit.
#[component]
fn ReconcileEdits() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let edits = move || {
        state.validation.with(|v| {
            v.as_ref()
                .and_then(|r| r.outcome.report.as_ref())
                .map(|r| r.edits.clone())
                .unwrap_or_default()
        })
    };
    view! {
        {move || edits().into_iter().map(|edit| view! {
            <div class="edit" data-testid="reconcile-edit">
                <p><code>{format!("{}:{}", edit.file, edit.line)}</code>" "{edit.why.clone()}</p>
                <pre class="diff"><span class="removed">{format!("- {}\n", edit.before)}</span><span class="added">{format!("+ {}\n", edit.after)}</span></pre>
            </div>
        }).collect_view()}
    }
}

/// Auth per role and the teardown of each scenario of the last validation.
#[component]
fn ValidatedRuns() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let scenarios = move || -> Vec<ScenarioRun> {
        state.validation.with(|v| {
            v.as_ref()
                .and_then(|r| r.outcome.report.as_ref())
                .map(|r| r.scenarios.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <h3>"Auth per role"</h3>
        {move || {
            let runs = scenarios();
            if runs.is_empty() {
                return view! { <p>"No validation yet: run one from the Lifecycle tab."</p> }.into_any();
            }
            runs.into_iter().map(|s| view! {
                <div class="auth-role">
                    <h4>{s.name.clone()}</h4>
                    <AuthBlock auth=s.auth.clone() />
                </div>
            }).collect_view().into_any()
        }}
        <h3>"Teardown"</h3>
        {move || state.validation.get().and_then(|run| run.outcome.report).map(|report| {
            view! {
                <ul class="checks">
                    {report.scenarios.iter().map(|s| {
                        let clean = s.torn_down_cleanly();
                        view! { <li class=if clean { "pass" } else { "fail" }>{format!("{}: {}", s.name, if clean { "torn down cleanly" } else { "teardown problems (see Lifecycle)" })}</li> }
                    }).collect_view()}
                </ul>
                <LeakList leaked=report.leaked.clone() pending=report.pending />
            }
        })}
    }
}

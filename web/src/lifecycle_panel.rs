//! The lifecycle panel: discover, up, down and full validation through the proxy, with progress, masked auth, refs counts, database checks and leaks.

use crate::analysis;
use crate::state::{EditorState, Tab, ValidationRun};
use leptos::prelude::*;
use leptos::task::spawn_local;
use scenario_lab_core::FileKind;
use scenario_lab_core::api::{
    CancelAnswer, DiscoverResult, DownRequest, DownResult, PendingRun, UpRequest, UpResult,
    ValidateEvent, ValidateRequest, ValidateStep,
};
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::run_report::Leak;
use serde_json::Value;
use std::collections::BTreeMap;

/// One `up` from this page and, once torn down, its `down`.
#[derive(Clone, Debug, PartialEq)]
struct UpView {
    up: UpResult,
    down: Option<DownResult>,
}

/// Saves dirty files, then runs the validation (of `scenarios`, or all when empty), streaming
/// progress into the state.
pub fn start_validation(state: EditorState, write: bool, scenarios: Vec<String>) {
    launch(state, write, false, scenarios);
}

/// `validate --reconcile --write` through the proxy: the scenario-side repairs land on disk and
/// the editor takes them (Review lists them).
pub fn start_reconcile(state: EditorState) {
    launch(state, true, true, Vec::new());
}

fn launch(state: EditorState, write: bool, reconcile: bool, scenarios: Vec<String>) {
    if state.busy.get_untracked().is_some() {
        return;
    }
    state.busy.set(Some(if reconcile {
        "reconciling: repairing what is the scenario's, validating again".into()
    } else if write {
        "writing validated recipes (validating again first)".into()
    } else {
        "validating".into()
    }));
    state.progress.set(Vec::new());
    state.validation.set(None);
    state.validation_step.set(Some(ValidateStep {
        label: "saving".into(),
        ..ValidateStep::default()
    }));
    spawn_local(async move {
        match state.save_all_checked("validate").await {
            Ok(true) => {}
            Ok(false) => {
                state.busy.set(None);
                state.validation_step.set(None);
                return;
            }
            Err(error) => {
                state.report(&error);
                state.busy.set(None);
                state.validation_step.set(None);
                return;
            }
        }
        let recipes = state
            .texts
            .with_untracked(|t| t.get(&FileKind::Recipes).cloned());
        let proxy = state.proxy.get_value();
        let request = ValidateRequest {
            scenarios: scenarios.clone(),
            write,
            reconcile,
            ..ValidateRequest::default()
        };
        let result = proxy
            .validate(&request, move |event| match event {
                ValidateEvent::Progress(line) => state.progress.update(|p| p.push(line)),
                ValidateEvent::Step(step) => state.validation_step.set(Some(step)),
                ValidateEvent::Report(_) => {}
            })
            .await;
        state.validation_step.set(None);
        match result {
            Ok(outcome) => {
                let run = ValidationRun {
                    outcome,
                    recipes,
                    scenarios,
                };
                let passed = run.passed();
                let edited = run
                    .outcome
                    .report
                    .as_ref()
                    .is_some_and(|r| !r.edits.is_empty());
                state.validation.set(Some(run));
                if reconcile && edited && !passed {
                    // Repairs were written even though a failure is left: show them.
                    state.load_from_proxy().await;
                }
                if write && passed {
                    // The proxy rewrote the artifacts: take the disk versions, which are what
                    // the validation just proved.
                    state.load_from_proxy().await;
                    let written = state
                        .texts
                        .with_untracked(|t| t.get(&FileKind::Recipes).cloned());
                    state.validation.update(|v| {
                        if let Some(run) = v {
                            run.recipes = written;
                        }
                    });
                    state
                        .notice
                        .set(Some("wrote scenario-recipes.json, .scenario-validation.json and .endpoint-validated".into()));
                }
            }
            Err(error) => state.report(&error),
        }
        state.refresh_pending().await;
        state.busy.set(None);
    });
}

#[component]
pub fn LifecyclePanel() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let discover = RwSignal::new(None::<DiscoverResult>);
    let ups = RwSignal::new(Vec::<UpView>::new());
    let names = state.tab_view(Tab::Lifecycle, analysis::recipe_names);
    let connected = move || {
        state
            .proxy_status
            .with(super::state::ProxyStatus::is_connected)
    };
    let idle = move || state.busy.get().is_none();
    // Without an endpoint there is nothing to call: the live buttons say so instead.
    let has_endpoint = move || {
        state.proxy_status.with(|s| {
            matches!(
                s,
                super::state::ProxyStatus::Connected {
                    endpoint: Some(_),
                    ..
                }
            )
        })
    };
    let ready = move || idle() && has_endpoint();

    let run_discover = move |_| {
        state.call(
            "discover".into(),
            "/api/discover",
            (),
            move |answer: Result<DiscoverResult, _>| match answer {
                Ok(body) => discover.set(Some(body)),
                Err(error) => state.report(&error),
            },
        );
    };
    let run_up = move |scenario: String| bring_up(state, ups, scenario);
    view! {
        <section class="lifecycle">
            <Show when=connected fallback=move || view! {
                <p class="offline">{move || format!("Live actions need the proxy. {}", status_text(&state))}</p>
            }>
                <div class="actions">
                    <button data-action="discover" disabled=move || !ready() on:click=run_discover>"Discover"</button>
                    <button data-action="validate" class="primary" disabled=move || !ready()
                        on:click=move |_| start_validation(state, false, Vec::new())>"Validate all scenarios"</button>
                    <span class="busy">{move || state.busy.get().map(|b| format!("running: {b}…"))}</span>
                    {move || (!has_endpoint()).then(|| view! {
                        <span class="hint" data-testid="no-endpoint">"No endpoint: start the proxy with --endpoint (or AUTONOMA_SDK_ENDPOINT) to discover, bring up and validate."</span>
                    })}
                </div>
                {move || discover.get().map(|d| view! {
                    <div class=if d.ok { "result pass" } else { "result fail" } data-testid="discover-result">
                        <strong>"discover: "</strong>{d.message}
                    </div>
                })}
                <table class="scenario-actions">
                    <thead><tr><th>"Scenario"</th><th>"Signed up (tear down below)"</th><th>"Full proof of this scenario"</th></tr></thead>
                    <tbody>
                        {move || names.get().into_iter().map(|name| {
                            let n = name.clone();
                            let v = name.clone();
                            view! { <tr><td>{name}</td><td>
                                <button data-up=n.clone() disabled=move || !ready() on:click=move |_| run_up(n.clone())>"Up"</button>
                            </td><td>
                                <button data-validate=v.clone() disabled=move || !ready()
                                    on:click=move |_| start_validation(state, false, vec![v.clone()])>"Validate"</button>
                            </td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
                <UpResults ups=ups />
                <PendingRuns ups=ups />
                <ValidationView />
            </Show>
        </section>
    }
}

/// One `Up` from the page: saves the edits, brings the scenario up, keeps its answer.
fn bring_up(state: EditorState, ups: RwSignal<Vec<UpView>>, scenario: String) {
    state.busy.set(Some(format!("up {scenario}")));
    spawn_local(async move {
        let saved = state
            .save_all_checked(&format!("bring {scenario} up"))
            .await;
        if let Err(error) = &saved {
            state.report(error);
        } else if saved == Ok(true) {
            match state
                .proxy
                .get_value()
                .post::<_, UpResult>("/api/up", &UpRequest { scenario })
                .await
            {
                Ok(up) => {
                    ups.update(|u| u.push(UpView { up, down: None }));
                    state.refresh_pending().await;
                }
                Err(error) => state.report(&error),
            }
        }
        state.busy.set(None);
    });
}

/// Tears a run down (from this page's ups or the ledger) and records the answer.
fn tear_down(state: EditorState, ups: RwSignal<Vec<UpView>>, test_run_id: String) {
    let body = DownRequest {
        test_run_id: test_run_id.clone(),
    };
    state.call(
        format!("down {test_run_id}"),
        "/api/down",
        body,
        move |answer: Result<DownResult, _>| match answer {
            Ok(down) => {
                if down.ok {
                    state
                        .pending
                        .update(|p| p.retain(|p| p.test_run_id != test_run_id));
                }
                ups.update(|u| {
                    for view in u.iter_mut().filter(|v| v.up.test_run_id == test_run_id) {
                        view.down = Some(down.clone());
                    }
                });
            }
            Err(error) => state.report(&error),
        },
    );
}

/// The runs brought up from this page, newest first, each with its teardown.
#[component]
fn UpResults(ups: RwSignal<Vec<UpView>>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    move || {
        ups.get().into_iter().rev().map(|UpView { up, down }| {
        let id = up.test_run_id.clone();
        let down_id = id.clone();
        view! {
            <div class="up-result" data-run=id.clone()>
                <h4>{format!("up {} → {} in {} ms ({id})", up.scenario, up.status, up.up_ms)}</h4>
                <p>{up.message.clone()}</p>
                <RefsCounts counts=up.refs_counts.clone() />
                <AuthBlock auth=up.auth.clone() />
                {match down {
                    Some(d) => view! { <p class=if d.ok { "pass" } else { "fail" }>
                        {format!("down → {} in {} ms: {}", d.status, d.down_ms, d.message)}</p> }.into_any(),
                    None => view! { <button data-down=down_id.clone() on:click=move |_| tear_down(state, ups, down_id.clone())>"Down (tear it down)"</button> }.into_any(),
                }}
            </div>
        }
    }).collect_view()
    }
}

/// The ledger's runs not shown above: kept runs and teardowns that failed.
#[component]
fn PendingRuns(ups: RwSignal<Vec<UpView>>) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let idle = move || state.busy.get().is_none();
    // Without an endpoint there is nothing to call: the live buttons say so instead.
    let has_endpoint = move || {
        state.proxy_status.with(|s| {
            matches!(
                s,
                super::state::ProxyStatus::Connected {
                    endpoint: Some(_),
                    ..
                }
            )
        })
    };
    let ready = move || idle() && has_endpoint();
    move || {
        let shown: Vec<String> = ups.with(|u| u.iter().map(|v| v.up.test_run_id.clone()).collect());
        let owed: Vec<PendingRun> = state
            .pending
            .get()
            .into_iter()
            .filter(|p| !shown.contains(&p.test_run_id))
            .collect();
        (!owed.is_empty()).then(|| view! {
            <div class="pending fail" data-testid="pending">
                <h4>{format!("{} run(s) still need a teardown", owed.len())}</h4>
                <ul>
                    {owed.into_iter().map(|p| {
                        let down_id = p.test_run_id.clone();
                        view! { <li data-kept=p.kept.to_string()>
                            {format!("{} ({}): {} ", p.scenario, p.test_run_id, p.reason)}
                            <button data-down=down_id.clone() disabled=move || !ready() on:click=move |_| tear_down(state, ups, down_id.clone())>"Tear down"</button>
                        </li> }
                    }).collect_view()}
                </ul>
            </div>
        })
    }
}

fn status_text(state: &EditorState) -> String {
    match state.proxy_status.get() {
        crate::state::ProxyStatus::Offline(m) | crate::state::ProxyStatus::Failed(m) => m,
        crate::state::ProxyStatus::Connecting => "connecting…".into(),
        crate::state::ProxyStatus::Connected { .. } => String::new(),
    }
}

#[component]
pub fn RefsCounts(counts: BTreeMap<String, usize>) -> impl IntoView {
    let rows = counts
        .into_iter()
        .map(|(model, n)| view! { <tr><td>{model}</td><td class="num">{n.to_string()}</td></tr> })
        .collect_view();
    view! { <table class="refs-counts"><thead><tr><th>"Model"</th><th>"Records"</th></tr></thead><tbody>{rows}</tbody></table> }
}

/// The auth block as the proxy returned it (every value already masked).
#[component]
pub fn AuthBlock(auth: Option<Value>) -> impl IntoView {
    auth.filter(|a| !a.is_null()).map(|auth| {
        view! { <pre class="auth" title="auth values are masked by the proxy">{serde_json::to_string_pretty(&auth).unwrap_or_default()}</pre> }
    })
}

/// Asks the proxy to stop the running validation (what is up still goes down).
fn cancel_validation(state: EditorState) {
    state.validation_step.update(|s| {
        if let Some(step) = s {
            step.label = "cancelling: tearing down what came up".into();
        }
    });
    spawn_local(async move {
        let answer: Result<CancelAnswer, _> = state
            .proxy
            .get_value()
            .post("/api/validate/cancel", &())
            .await;
        match answer {
            Ok(answer) => state.notice.set(Some(answer.message)),
            Err(error) => state.report(&error),
        }
    });
}

/// The running validation's progress bar and its Cancel.
#[component]
fn ValidationProgress() -> impl IntoView {
    let state = expect_context::<EditorState>();
    move || {
        state.validation_step.get().map(|step| {
            let cancelling = step.label.starts_with("cancelling");
            view! {
                <div class="validation-progress" data-testid="validation-progress">
                    <progress max=step.total.max(1) value=step.done
                        aria-label="validation progress"></progress>
                    <span class="step">{format!("{} of {} · {}", step.done, step.total, step.label)}</span>
                    <button data-action="cancel-validation" disabled=cancelling
                        title="No new scenario starts; the ones up now are checked and torn down"
                        on:click=move |_| cancel_validation(state)>"Cancel"</button>
                </div>
            }
        })
    }
}

/// The last validation: progress lines, then every check per scenario.
#[component]
pub fn ValidationView() -> impl IntoView {
    let state = expect_context::<EditorState>();
    view! {
        <div class="validation">
            <ValidationProgress />
            {move || {
                let progress = state.progress.get();
                (!progress.is_empty()).then(|| view! { <pre class="progress" data-testid="progress">{progress.join("\n")}</pre> })
            }}
            {move || state.validation.get().map(|run| {
                let verdict = if run.passed() { "validation passed" } else { "validation failed" };
                let outcome = run.outcome.clone();
                let report = outcome.report.unwrap_or_default();
                view! {
                    <div class=if run.passed() { "verdict pass" } else { "verdict fail" } data-testid="verdict">
                        {format!("{verdict} (exit code {})", outcome.exit_code)}
                        {outcome.error.map(|e| format!(": {e}"))}
                    </div>
                    <CheckList title="workspace".to_owned() checks=report.checks.clone() />
                    {report.scenarios.iter().map(|s| view! {
                        <div class="scenario-run" data-scenario=s.name.clone()>
                            <h4>{format!("{} — {} (up {} ms, down {} ms)", s.name,
                                if s.ok { "ok" } else { "failed" }, ms(s.up_ms), ms(s.down_ms))}</h4>
                            <CheckList title="checks".to_owned() checks=s.checks.clone() />
                            <RefsCounts counts=s.refs_counts.clone() />
                        </div>
                    }).collect_view()}
                    <CheckList title="conformance".to_owned() checks=report.conformance.clone() />
                    <LeakList leaked=report.leaked.clone() pending=report.pending />
                }
            })}
        </div>
    }
}

fn ms(value: Option<u64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

#[component]
fn CheckList(title: String, checks: Vec<CheckResult>) -> impl IntoView {
    (!checks.is_empty()).then(|| {
        view! {
            <details open=true>
                <summary>{format!("{title}: {} check(s)", checks.len())}</summary>
                <ul class="checks">
                    {checks.into_iter().map(|c| {
                        let class = if c.skipped { "skip" } else if c.ok { "pass" } else { "fail" };
                        let diagnosis = c.diagnosis.clone().map(|d| view! { <Diagnosed diagnosis=d/> });
                        view! { <li class=class data-check=c.id.clone()>
                            <code>{c.id.clone()}</code>" "{c.message}
                            {diagnosis}
                        </li> }
                    }).collect_view()}
                </ul>
            </details>
        }
    })
}

/// Whose fault a failure is and where: each place a link that opens the file at its line.
#[component]
fn Diagnosed(diagnosis: scenario_lab_core::diagnosis::Diagnosis) -> impl IntoView {
    let state = expect_context::<EditorState>();
    let places = diagnosis
        .places
        .iter()
        .map(|place| {
            let name = place.file.rsplit(['/', '\\']).next().unwrap_or_default().to_owned();
            let kind = FileKind::from_file_name(&name);
            let line = place.line;
            let label = place.label();
            let open = move |_| {
                let Some(kind) = kind else { return };
                let span = state.texts.with_untracked(|t| {
                    t.get(&kind).map(|text| {
                        let index = scenario_lab_core::line_index::LineIndex::new(text);
                        index.line_span(text, line.saturating_sub(1))
                    })
                });
                if let Some((start, end)) = span {
                    state.go_to(kind, start, end);
                }
            };
            let shown = label.clone();
            view! { <button class="link place" data-place=label disabled=kind.is_none() on:click=open>{shown}</button> }
        })
        .collect_view();
    view! {
        <div class=format!("diagnosis {}", side_class(diagnosis.side)) data-cause=diagnosis.cause.clone()>
            <strong>{diagnosis.side.label()}</strong>" ("{diagnosis.cause.clone()}") "{places}
            <div class="help">"help: "{diagnosis.help.clone()}</div>
        </div>
    }
}

fn side_class(side: scenario_lab_core::diagnosis::Side) -> &'static str {
    match side {
        scenario_lab_core::diagnosis::Side::Handler => "handler",
        scenario_lab_core::diagnosis::Side::Scenario => "scenario",
        scenario_lab_core::diagnosis::Side::Environment => "environment",
    }
}

#[component]
pub fn LeakList(leaked: Vec<Leak>, pending: usize) -> impl IntoView {
    view! {
        <div class="leaks">
            {if leaked.is_empty() {
                view! { <p class="pass">"no orphans or foreign deletions"</p> }.into_any()
            } else {
                view! { <ul class="fail">{leaked.into_iter().map(|l| view! { <li>{format!("{} ({}): {} row(s) in {}",
                    l.scenario, l.test_run_id, l.rows, l.table)}</li> }).collect_view()}</ul> }.into_any()
            }}
            {(pending > 0).then(|| view! { <p class="fail">{format!("{pending} refs token(s) could not be torn down: run `scenario-lab down --pending`")}</p> })}
        </div>
    }
}

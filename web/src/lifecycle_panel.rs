//! The lifecycle panel: discover, up, down and full validation through the proxy, with progress, masked auth, refs counts, database checks and leaks.

use crate::analysis;
use crate::state::{EditorState, Tab, ValidationRun};
use leptos::prelude::*;
use leptos::task::spawn_local;
use scenario_lab_core::FileKind;
use serde_json::{Value, json};

/// Saves dirty files, then runs the validation (of `scenarios`, or all when empty), streaming
/// progress into the state.
pub fn start_validation(state: EditorState, write: bool, scenarios: Vec<String>) {
    if state.busy.get_untracked().is_some() {
        return;
    }
    state.busy.set(Some(if write {
        "writing validated recipes (validating again first)".into()
    } else {
        "validating".into()
    }));
    state.progress.set(Vec::new());
    state.validation.set(None);
    spawn_local(async move {
        if let Err(error) = state.save_all().await {
            state.notice.set(Some(error.to_string()));
            state.busy.set(None);
            return;
        }
        let recipes = state
            .texts
            .with_untracked(|t| t.get(&FileKind::Recipes).cloned());
        let proxy = state.proxy.get_value();
        let result = proxy
            .validate(
                &json!({"write": write, "scenarios": scenarios.clone()}),
                move |line| {
                    state.progress.update(|p| p.push(line));
                },
            )
            .await;
        match result {
            Ok(answer) => {
                let run = ValidationRun {
                    exit_code: answer["exitCode"].as_i64().unwrap_or(2),
                    report: answer["report"].clone(),
                    error: answer["error"].as_str().map(str::to_owned),
                    recipes,
                    scenarios,
                };
                let passed = run.passed();
                state.validation.set(Some(run));
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
            Err(error) => state.notice.set(Some(error.to_string())),
        }
        state.refresh_pending().await;
        state.busy.set(None);
    });
}

#[component]
pub fn LifecyclePanel() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let discover = RwSignal::new(None::<Value>);
    let ups = RwSignal::new(Vec::<Value>::new());
    let names = state.tab_view(Tab::Lifecycle, analysis::recipe_names);
    let connected = move || state.proxy_status.with(|s| s.is_connected());
    let idle = move || state.busy.get().is_none();

    let run_discover = move |_| {
        state.call(
            "discover".into(),
            "/api/discover",
            json!({}),
            move |answer| match answer {
                Ok(body) => discover.set(Some(body)),
                Err(error) => state.notice.set(Some(error.to_string())),
            },
        );
    };
    let run_up = move |scenario: String| {
        state.busy.set(Some(format!("up {scenario}")));
        spawn_local(async move {
            if let Err(error) = state.save_all().await {
                state.notice.set(Some(error.to_string()));
            } else {
                match state
                    .proxy
                    .get_value()
                    .post("/api/up", &json!({"scenario": scenario}))
                    .await
                {
                    Ok(mut body) => {
                        body["scenario"] = json!(scenario);
                        ups.update(|u| u.push(body));
                    }
                    Err(error) => state.notice.set(Some(error.to_string())),
                }
            }
            state.busy.set(None);
        });
    };
    let run_down = move |test_run_id: String| {
        let body = json!({"testRunId": test_run_id});
        state.call(
            format!("down {test_run_id}"),
            "/api/down",
            body,
            move |answer| match answer {
                Ok(body) => {
                    if body["ok"].as_bool() == Some(true) {
                        state
                            .pending
                            .update(|p| p.retain(|p| p["testRunId"] != test_run_id.as_str()));
                    }
                    ups.update(|u| {
                        for up in u
                            .iter_mut()
                            .filter(|u| u["testRunId"] == test_run_id.as_str())
                        {
                            up["down"] = body.clone();
                        }
                    });
                }
                Err(error) => state.notice.set(Some(error.to_string())),
            },
        );
    };

    view! {
        <section class="lifecycle">
            <Show when=connected fallback=move || view! {
                <p class="offline">{move || format!("Live actions need the proxy. {}", status_text(&state))}</p>
            }>
                <div class="actions">
                    <button data-action="discover" disabled=move || !idle() on:click=run_discover>"Discover"</button>
                    <button data-action="validate" class="primary" disabled=move || !idle()
                        on:click=move |_| start_validation(state, false, Vec::new())>"Validate all scenarios"</button>
                    <span class="busy">{move || state.busy.get().map(|b| format!("running: {b}…"))}</span>
                </div>
                {move || discover.get().map(|d| view! {
                    <div class=if d["ok"].as_bool() == Some(true) { "result pass" } else { "result fail" } data-testid="discover-result">
                        <strong>"discover: "</strong>{d["message"].as_str().unwrap_or_default().to_owned()}
                    </div>
                })}
                <table class="scenario-actions">
                    <thead><tr><th>"Scenario"</th><th>"Signed up (tear down below)"</th><th>"Full proof of this scenario"</th></tr></thead>
                    <tbody>
                        {move || names.get().into_iter().map(|name| {
                            let n = name.clone();
                            let v = name.clone();
                            view! { <tr><td>{name}</td><td>
                                <button data-up=n.clone() disabled=move || !idle() on:click=move |_| run_up(n.clone())>"Up"</button>
                            </td><td>
                                <button data-validate=v.clone() disabled=move || !idle()
                                    on:click=move |_| start_validation(state, false, vec![v.clone()])>"Validate"</button>
                            </td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
                {move || ups.get().into_iter().rev().map(|up| {
                    let id = up["testRunId"].as_str().unwrap_or_default().to_owned();
                    let down = up.get("down").cloned();
                    let down_id = id.clone();
                    view! {
                        <div class="up-result" data-run=id.clone()>
                            <h4>{format!("up {} → {} in {} ms ({})", up["scenario"].as_str().unwrap_or_default(), up["status"], up["upMs"], id)}</h4>
                            <p>{up["message"].as_str().unwrap_or_default().to_owned()}</p>
                            <RefsCounts counts=up["refsCounts"].clone() />
                            <AuthBlock auth=up["auth"].clone() />
                            {match down {
                                Some(d) => view! { <p class=if d["ok"].as_bool() == Some(true) { "pass" } else { "fail" }>
                                    {format!("down → {} in {} ms: {}", d["status"], d["downMs"], d["message"].as_str().unwrap_or_default())}</p> }.into_any(),
                                None => view! { <button data-down=down_id.clone() on:click=move |_| run_down(down_id.clone())>"Down (tear it down)"</button> }.into_any(),
                            }}
                        </div>
                    }
                }).collect_view()}
                {move || {
                    let shown: Vec<Value> = ups.with(|u| u.iter().map(|u| u["testRunId"].clone()).collect());
                    let owed: Vec<Value> = state.pending.get().into_iter()
                        .filter(|p| !shown.contains(&p["testRunId"])).collect();
                    (!owed.is_empty()).then(|| view! {
                        <div class="pending fail" data-testid="pending">
                            <h4>{format!("{} run(s) still need a teardown", owed.len())}</h4>
                            <ul>
                                {owed.into_iter().map(|p| {
                                    let id = p["testRunId"].as_str().unwrap_or_default().to_owned();
                                    let down_id = id.clone();
                                    view! { <li>
                                        {format!("{} ({id}): {} ", p["scenario"].as_str().unwrap_or_default(), p["reason"].as_str().unwrap_or_default())}
                                        <button data-down=down_id.clone() disabled=move || !idle() on:click=move |_| run_down(down_id.clone())>"Tear down"</button>
                                    </li> }
                                }).collect_view()}
                            </ul>
                        </div>
                    })
                }}
                <ValidationView />
            </Show>
        </section>
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
pub fn RefsCounts(counts: Value) -> impl IntoView {
    let rows = counts
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(model, n)| view! { <tr><td>{model.clone()}</td><td class="num">{n.to_string()}</td></tr> })
                .collect_view()
        });
    view! { <table class="refs-counts"><thead><tr><th>"Model"</th><th>"Records"</th></tr></thead><tbody>{rows}</tbody></table> }
}

/// The auth block as the proxy returned it (every value already masked).
#[component]
pub fn AuthBlock(auth: Value) -> impl IntoView {
    (!auth.is_null()).then(|| {
        view! { <pre class="auth" title="auth values are masked by the proxy">{serde_json::to_string_pretty(&auth).unwrap_or_default()}</pre> }
    })
}

/// The last validation: progress lines, then every check per scenario.
#[component]
pub fn ValidationView() -> impl IntoView {
    let state = expect_context::<EditorState>();
    view! {
        <div class="validation">
            {move || {
                let progress = state.progress.get();
                (!progress.is_empty()).then(|| view! { <pre class="progress" data-testid="progress">{progress.join("\n")}</pre> })
            }}
            {move || state.validation.get().map(|run| {
                let report = run.report.clone();
                let verdict = if run.passed() { "validation passed" } else { "validation failed" };
                view! {
                    <div class=if run.passed() { "verdict pass" } else { "verdict fail" } data-testid="verdict">
                        {format!("{verdict} (exit code {})", run.exit_code)}
                        {run.error.clone().map(|e| format!(": {e}"))}
                    </div>
                    <CheckList title="workspace".to_owned() checks=report["checks"].clone() />
                    {report["scenarios"].as_array().cloned().unwrap_or_default().into_iter().map(|s| view! {
                        <div class="scenario-run" data-scenario=s["name"].as_str().unwrap_or_default().to_owned()>
                            <h4>{format!("{} — {} (up {} ms, down {} ms)", s["name"].as_str().unwrap_or_default(),
                                if s["ok"].as_bool() == Some(true) { "ok" } else { "failed" }, s["up_ms"], s["down_ms"])}</h4>
                            <CheckList title="checks".to_owned() checks=s["checks"].clone() />
                            <RefsCounts counts=s["refsCounts"].clone() />
                        </div>
                    }).collect_view()}
                    <CheckList title="conformance".to_owned() checks=report["conformance"].clone() />
                    <LeakList leaked=report["leaked"].clone() pending=report["pending"].as_u64().unwrap_or(0) />
                }
            })}
        </div>
    }
}

#[component]
fn CheckList(title: String, checks: Value) -> impl IntoView {
    let items = checks.as_array().cloned().unwrap_or_default();
    (!items.is_empty()).then(|| {
        view! {
            <details open=true>
                <summary>{format!("{title}: {} check(s)", items.len())}</summary>
                <ul class="checks">
                    {items.into_iter().map(|c| {
                        let class = if c["skipped"].as_bool() == Some(true) { "skip" } else if c["ok"].as_bool() == Some(true) { "pass" } else { "fail" };
                        view! { <li class=class data-check=c["id"].as_str().unwrap_or_default().to_owned()>
                            <code>{c["id"].as_str().unwrap_or_default().to_owned()}</code>" "{c["message"].as_str().unwrap_or_default().to_owned()}
                        </li> }
                    }).collect_view()}
                </ul>
            </details>
        }
    })
}

#[component]
pub fn LeakList(leaked: Value, pending: u64) -> impl IntoView {
    let leaks = leaked.as_array().cloned().unwrap_or_default();
    view! {
        <div class="leaks">
            {if leaks.is_empty() {
                view! { <p class="pass">"no orphans or foreign deletions"</p> }.into_any()
            } else {
                view! { <ul class="fail">{leaks.into_iter().map(|l| view! { <li>{format!("{} ({}): {} row(s) in {}",
                    l["scenario"].as_str().unwrap_or_default(), l["testRunId"].as_str().unwrap_or_default(), l["rows"], l["table"].as_str().unwrap_or_default())}</li> }).collect_view()}</ul> }.into_any()
            }}
            {(pending > 0).then(|| view! { <p class="fail">{format!("{pending} refs token(s) could not be torn down: run `scenario-lab down --pending`")}</p> })}
        </div>
    }
}

//! The Packs panel: the workspace's ANIP scenario packs with the offline check live as you type,
//! runs of a pack or one scenario through the proxy, approval chains and manifest parity.

use crate::analysis::{CodeDiagnostic, CodeFix};
use crate::pack_code_view::PackCodeView;
use crate::state::{EditorState, Tab};
use leptos::prelude::*;
use leptos::task::spawn_local;
use scenario_lab_core::Severity;
use scenario_lab_core::anip::pack::{Pack, Request, ScenarioClass};
use scenario_lab_core::anip::run_report::{PackRunReport, ScenarioRun, Verdict};
use scenario_lab_core::anip::{Syntax, check_pack};
use scenario_lab_core::api::{
    NewPackAnswer, NewPackRequest, PackRunEvent, PackRunOutcome, PackText, PacksAnswer,
    ParityAnswer, ParityRequest, RunPackRequest,
};
use scenario_lab_core::line_index::LineIndex;
use std::collections::BTreeMap;

/// One finding of the offline check, ready to show (`start`/`end` in UTF-16 units).
#[derive(Clone, Debug, PartialEq)]
struct Finding {
    severity: Severity,
    code: &'static str,
    message: String,
    help: Option<String>,
    line: usize,
    column: usize,
    start: usize,
    end: usize,
    fixes: Vec<CodeFix>,
}

impl Finding {
    /// As the code view draws it.
    fn code_diagnostic(&self) -> CodeDiagnostic {
        let mut message = self.message.clone();
        if let Some(help) = &self.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        CodeDiagnostic {
            from: self.start,
            to: self.end,
            severity: self.severity.as_str(),
            code: self.code,
            message,
            knock_on: false,
            fixes: self.fixes.clone(),
        }
    }
}

/// What Save does after writing the pack.
#[derive(Clone, Debug, PartialEq)]
enum AfterSave {
    Nothing,
    RunPack,
    RunScenario(String),
}

/// One step of an approval chain: the scenario, what it does, its verdict.
type ChainStep = (String, String, Verdict);
/// A gated capability and its approval scenarios in run order.
type Chain = (String, Vec<ChainStep>);

/// The panel's own state.
#[derive(Clone, Copy)]
struct Packs {
    list: RwSignal<Vec<PackText>>,
    manifest: RwSignal<Option<String>>,
    dir: RwSignal<String>,
    selected: RwSignal<Option<String>>,
    text: RwSignal<String>,
    report: RwSignal<Option<PackRunReport>>,
    parity: RwSignal<Option<ParityAnswer>>,
    busy: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
    /// Bumped when `text` is replaced from outside the code view (a load, a selection).
    shown: RwSignal<u64>,
}

fn syntax(name: &str) -> Syntax {
    Syntax::of_path(name)
}

#[component]
pub fn PacksPanel() -> impl IntoView {
    let state = expect_context::<EditorState>();
    let packs = Packs {
        list: RwSignal::new(Vec::new()),
        manifest: RwSignal::new(None),
        dir: RwSignal::new(String::new()),
        selected: RwSignal::new(None),
        text: RwSignal::new(String::new()),
        report: RwSignal::new(None),
        parity: RwSignal::new(None),
        busy: RwSignal::new(None),
        error: RwSignal::new(None),
        shown: RwSignal::new(0),
    };
    // Loaded the first time the tab opens, and again with the Reload button.
    let loaded = StoredValue::new(false);
    Effect::new(move |_| {
        if state.tab.get() == Tab::Packs && !loaded.get_value() {
            loaded.set_value(true);
            load(state, packs);
        }
    });
    // One check per edit: the findings and the model (scenario list, approval chains) both come
    // from it.
    let analysed = Memo::new(move |_| {
        let name = packs.selected.get().unwrap_or_default();
        let manifest = packs.manifest.get();
        packs
            .text
            .with(|text| analyse(text, &name, manifest.as_deref()))
    });
    let checked = Memo::new(move |_| analysed.with(|(findings, _)| findings.clone()));
    let model = Memo::new(move |_| analysed.with(|(_, pack)| pack.clone()));
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let code = Memo::new(move |_| {
        checked.with(|f| f.iter().map(Finding::code_diagnostic).collect::<Vec<_>>())
    });
    let editor = move || {
        if crate::code_view::available() {
            view! { <PackCodeView selected=packs.selected text=packs.text shown=packs.shown diagnostics=code manifest=packs.manifest /> }.into_any()
        } else {
            view! {
                <textarea class="pack-text" spellcheck="false" node_ref=textarea
                    prop:value=move || packs.text.get()
                    on:input=move |ev| packs.text.set(event_target_value(&ev))></textarea>
            }
            .into_any()
        }
    };
    view! {
        <section class="packs">
            <p class="muted">{move || format!("ANIP scenario packs in {}; credentials stay in the proxy's environment.", packs.dir.get())}</p>
            <div class="pack-list">
                {move || packs.list.get().into_iter().map(|pack| {
                    let name = pack.name.clone();
                    let active = name.clone();
                    view! {
                        <button class="pack" data-pack=name.clone()
                            class:active=move || packs.selected.get().as_deref() == Some(active.as_str())
                            on:click=move |_| select(packs, &pack)>{name.clone()}</button>
                    }
                }).collect_view()}
                <button on:click=move |_| load(state, packs)>"Reload"</button>
            </div>
            {move || packs.error.get().map(|e| view! { <div class="verdict fail" role="alert">{e}</div> })}
            {move || packs.busy.get().map(|b| view! { <div class="busy">{b}</div> })}
            <Show when=move || packs.selected.get().is_some()>
                {editor()}
                <div class="pack-actions">
                    <button data-action="save" on:click=move |_| save(state, packs, AfterSave::Nothing)>"Save"</button>
                    <button data-action="run-pack" disabled=move || checked.with(|f| f.iter().any(|f| f.severity == Severity::Error))
                        on:click=move |_| save(state, packs, AfterSave::RunPack)>"Save and run the pack"</button>
                </div>
                <FindingsList checked textarea />
                <ScenarioList model packs state />
            </Show>
            <NewPackView packs state />
            <RunView packs model />
            <ParityView packs state />
        </section>
    }
}

/// The pack's findings, ready to show, and its model.
fn analyse(text: &str, name: &str, manifest: Option<&str>) -> (Vec<Finding>, Pack) {
    let checked = check_pack(text, syntax(name), manifest);
    let index = LineIndex::new(text);
    let findings = checked
        .report
        .diagnostics
        .iter()
        .filter(|d| d.file == scenario_lab_core::FileKind::Pack)
        .map(|d| {
            let at = index.line_col_chars(text, d.span.start);
            Finding {
                severity: d.severity,
                code: d.code.as_str(),
                message: d.message.clone(),
                help: d.help.clone(),
                line: at.line,
                column: at.column,
                start: index.utf16_of(text, d.span.start),
                end: index.utf16_of(text, d.span.end),
                fixes: d
                    .fix
                    .iter()
                    .map(|fix| CodeFix::of(fix, |offset| index.utf16_of(text, offset)))
                    .collect(),
            }
        })
        .collect();
    (findings, checked.pack)
}

#[component]
fn FindingsList(
    checked: Memo<Vec<Finding>>,
    textarea: NodeRef<leptos::html::Textarea>,
) -> impl IntoView {
    view! {
        <div class="pack-findings">
            <p>{move || checked.with(|f| {
                let errors = f.iter().filter(|f| f.severity == Severity::Error).count();
                format!("anip check: {errors} error(s), {} warning(s)", f.len() - errors)
            })}</p>
            <ul class="findings">
                {move || checked.get().into_iter().map(|f| {
                    let class = f.severity.as_str();
                    let jump = move |_| {
                        if crate::code_view::available() {
                            crate::pack_code_view::select(f.start, f.end);
                        } else if let Some(area) = textarea.get_untracked() {
                            let _ = area.focus();
                            let _ = area.set_selection_range(f.start as u32, f.end as u32);
                        }
                    };
                    view! {
                        <li class=class data-code=f.code on:click=jump>
                            {format!("{}:{} {}[{}]: {}", f.line, f.column, class, f.code, f.message)}
                            {f.help.map(|h| view! { <span class="help">{format!(" — {h}")}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn ScenarioList(model: Memo<Pack>, packs: Packs, state: EditorState) -> impl IntoView {
    view! {
        <table class="pack-scenarios">
            <thead><tr><th>"Scenario"</th><th>"Class"</th><th></th></tr></thead>
            <tbody>
                {move || model.with(|pack| pack.scenarios.iter().map(|s| {
                    let id = s.id.value.clone();
                    let run_id = id.clone();
                    let class = s.class.as_ref().map_or("", |c| c.value.as_str());
                    view! {
                        <tr data-scenario=id.clone()>
                            <td>{id.clone()}</td><td>{class}</td>
                            <td><button on:click=move |_| save(state, packs, AfterSave::RunScenario(run_id.clone()))>"Run"</button></td>
                        </tr>
                    }
                }).collect_view())}
            </tbody>
        </table>
    }
}

fn load(state: EditorState, packs: Packs) {
    let proxy = state.proxy.get_value();
    packs.busy.set(Some("reading the packs".into()));
    spawn_local(async move {
        match proxy.get::<PacksAnswer>("/api/packs").await {
            Ok(answer) => {
                packs.dir.set(answer.dir);
                packs.manifest.set(answer.manifest);
                if packs.selected.get_untracked().is_none()
                    && let Some(first) = answer.packs.first()
                {
                    select(packs, first);
                }
                packs.list.set(answer.packs);
                packs.error.set(None);
            }
            Err(error) => packs.error.set(Some(error.to_string())),
        }
        packs.busy.set(None);
    });
}

fn select(packs: Packs, pack: &PackText) {
    packs.selected.set(Some(pack.name.clone()));
    packs.text.set(pack.text.clone());
    packs.shown.update(|n| *n += 1);
    packs.report.set(None);
}

/// Saves the selected pack; then runs it, or one scenario, as `after` says.
fn save(state: EditorState, packs: Packs, after: AfterSave) {
    let Some(name) = packs.selected.get_untracked() else {
        return;
    };
    let text = packs.text.get_untracked();
    let proxy = state.proxy.get_value();
    packs.busy.set(Some(format!("saving {name}")));
    spawn_local(async move {
        let saved = proxy.put_pack(&name, &text).await;
        if let Err(error) = saved {
            packs.error.set(Some(error.to_string()));
            packs.busy.set(None);
            return;
        }
        packs.list.update(|list| {
            if let Some(entry) = list.iter_mut().find(|p| p.name == name) {
                entry.text.clone_from(&text);
            }
        });
        let scenario = match after {
            AfterSave::Nothing => None,
            AfterSave::RunPack => Some(None),
            AfterSave::RunScenario(id) => Some(Some(id)),
        };
        if let Some(scenario) = scenario {
            packs.busy.set(Some(match &scenario {
                Some(id) => format!("running {id} (and what it needs) against the service"),
                None => format!("running {name} against the service"),
            }));
            let request = RunPackRequest {
                name: name.clone(),
                scenario,
                service: None,
            };
            let done = RwSignal::new(0usize);
            let total = RwSignal::new(0usize);
            let on_event = move |event: PackRunEvent| match event {
                PackRunEvent::Service(start) => {
                    total.update(|t| *t += start.scenarios);
                    packs
                        .busy
                        .set(Some(format!("running against {}", start.service)));
                }
                PackRunEvent::Scenario(run) => {
                    done.update(|d| *d += 1);
                    packs.busy.set(Some(format!(
                        "{} of {}: {} {}",
                        done.get_untracked(),
                        total.get_untracked(),
                        run.id,
                        verdict_class(run.verdict)
                    )));
                }
                PackRunEvent::Report(_) => {}
            };
            match proxy.run_pack(&request, on_event).await {
                Ok(PackRunOutcome {
                    report: Some(report),
                    ..
                }) => {
                    packs.report.set(Some(report));
                    packs.error.set(None);
                }
                Ok(PackRunOutcome { error, .. }) => {
                    packs.error.set(Some(
                        error.unwrap_or_else(|| "the run gave no report".into()),
                    ));
                }
                Err(error) => packs.error.set(Some(error.to_string())),
            }
        }
        packs.busy.set(None);
    });
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Passed => "pass",
        Verdict::Failed => "fail",
        Verdict::Skipped => "skip",
    }
}

#[component]
fn RunView(packs: Packs, model: Memo<Pack>) -> impl IntoView {
    move || {
        packs.report.get().map(|report| {
            let (passed, failed, skipped) = report.counts();
            let summary = format!("{passed} passed, {failed} failed, {skipped} skipped");
            let class = if report.failed() { "verdict fail" } else { "verdict pass" };
            let services = report.services.clone();
            view! {
                <div class="pack-run">
                    <div class=class data-run-summary>{summary}</div>
                    {services.into_iter().map(|service| {
                        let chains = model.with_untracked(|pack| chains(pack, &service.scenarios));
                        view! {
                            <h4>{service.service.clone()}</h4>
                            <VerdictTable runs=service.scenarios.clone() />
                            <ApprovalChains chains />
                            {(!service.hygiene.is_empty()).then(|| view! {
                                <p class="muted">"Protocol hygiene (warnings, never a failure):"</p>
                                <ul class="hygiene">{service.hygiene.iter().map(|h| view! { <li>{format!("{}: {}", h.scenario, h.message)}</li> }).collect_view()}</ul>
                            })}
                        }
                    }).collect_view()}
                </div>
            }
        })
    }
}

#[component]
fn VerdictTable(runs: Vec<ScenarioRun>) -> impl IntoView {
    view! {
        <table class="pack-verdicts">
            <thead><tr><th>"Scenario"</th><th>"Class"</th><th>"Verdict"</th><th>"Outcome"</th><th>"ms"</th></tr></thead>
            <tbody>
                {runs.into_iter().map(|run| {
                    let failed: Vec<String> = run.checks.iter().filter(|c| !c.ok).map(|c| format!("{}: {}", c.id, c.message)).collect();
                    view! {
                        <tr data-verdict=run.id.clone() class=verdict_class(run.verdict)>
                            <td>{run.id.clone()}</td>
                            <td>{run.class.clone()}</td>
                            <td>{verdict_class(run.verdict)}</td>
                            <td>{run.outcome.clone().unwrap_or_default()}</td>
                            <td>{run.ms}</td>
                        </tr>
                        {(!failed.is_empty()).then(|| view! { <tr class="fail"><td colspan="5">{failed.join("; ")}</td></tr> })}
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Each gated capability's approval scenarios in run order: invoke → request → grant →
/// continuation → negatives.
fn chains(pack: &Pack, runs: &[ScenarioRun]) -> Vec<Chain> {
    let mut capability_of: BTreeMap<&str, String> = BTreeMap::new();
    for scenario in &pack.scenarios {
        let own = scenario
            .grant_for
            .as_ref()
            .or(scenario.invoked())
            .map(|c| c.value.clone());
        let inherited = || {
            scenario
                .prior
                .iter()
                .find_map(|p| capability_of.get(p.value.as_str()).cloned())
        };
        let capability = match &scenario.request {
            Some(Request::Grant(_)) => inherited().or(own),
            _ => own.or_else(inherited),
        };
        if let Some(capability) = capability {
            capability_of.insert(scenario.id.value.as_str(), capability);
        }
    }
    let approval = [
        ScenarioClass::ApprovalStop,
        ScenarioClass::ApprovalContinuation,
        ScenarioClass::ApprovalNegative,
    ];
    let mut out: Vec<Chain> = Vec::new();
    for run in runs {
        let Some(scenario) = pack.scenarios.iter().find(|s| s.id.value == run.id) else {
            continue;
        };
        if !scenario
            .class
            .as_ref()
            .is_some_and(|c| approval.contains(&c.value))
        {
            continue;
        }
        let Some(capability) = capability_of.get(run.id.as_str()) else {
            continue;
        };
        let step = match (&scenario.request, scenario.negative.as_ref()) {
            (Some(Request::Grant(_)), _) => "grant".to_owned(),
            (_, Some(negative)) => negative.value.as_str().replace('_', " "),
            _ if scenario
                .class
                .as_ref()
                .is_some_and(|c| c.value == ScenarioClass::ApprovalStop) =>
            {
                "invoke → request".to_owned()
            }
            _ => "continuation".to_owned(),
        };
        match out.iter_mut().find(|(c, _)| c == capability) {
            Some((_, steps)) => steps.push((run.id.clone(), step, run.verdict)),
            None => out.push((
                capability.clone(),
                vec![(run.id.clone(), step, run.verdict)],
            )),
        }
    }
    out
}

#[component]
fn ApprovalChains(chains: Vec<Chain>) -> impl IntoView {
    view! {
        <div class="approval-chains">
            {chains.into_iter().map(|(capability, steps)| {
                let label = capability.clone();
                view! {
                <div class="approval-chain" data-chain=capability>
                    <strong>{label}</strong>": "
                    {steps.into_iter().enumerate().map(|(i, (id, step, verdict))| view! {
                        {(i > 0).then_some(" → ")}
                        <span class=format!("chain-step {}", verdict_class(verdict)) title=id>{step}</span>
                    }).collect_view()}
                </div>
            }}).collect_view()}
        </div>
    }
}

/// "New pack": `anip init` through the proxy for a service URL the user types.
#[component]
fn NewPackView(packs: Packs, state: EditorState) -> impl IntoView {
    let service = RwSignal::new(String::new());
    let name = RwSignal::new("service.pack.yaml".to_owned());
    let notes = RwSignal::new(Vec::<String>::new());
    let create = move |_| {
        let request = NewPackRequest {
            service: service.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            samples: String::new(),
        };
        let proxy = state.proxy.get_value();
        packs.busy.set(Some(format!("reading {}", request.service)));
        spawn_local(async move {
            match proxy
                .post::<_, NewPackAnswer>("/api/packs/new", &request)
                .await
            {
                Ok(answer) => {
                    notes.set(answer.notes);
                    if answer.manifest.is_some() {
                        packs.manifest.set(answer.manifest);
                    }
                    packs.list.update(|list| {
                        list.push(answer.pack.clone());
                        list.sort_by(|a, b| a.name.cmp(&b.name));
                    });
                    select(packs, &answer.pack);
                    packs.error.set(None);
                }
                Err(error) => packs.error.set(Some(error.to_string())),
            }
            packs.busy.set(None);
        });
    };
    view! {
        <div class="new-pack">
            <h4>"New pack"</h4>
            <input class="new-pack-service" placeholder="the service's URL, e.g. http://127.0.0.1:8765"
                prop:value=move || service.get() on:input=move |ev| service.set(event_target_value(&ev)) />
            <input class="new-pack-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <button data-action="new-pack" disabled=move || service.get().trim().is_empty() on:click=create>"Write its starter pack"</button>
            <ul class="new-pack-notes">{move || notes.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
        </div>
    }
}

#[component]
fn ParityView(packs: Packs, state: EditorState) -> impl IntoView {
    let urls = RwSignal::new(String::new());
    let compare = move |_| {
        let services: Vec<String> = urls
            .get_untracked()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let proxy = state.proxy.get_value();
        packs.busy.set(Some("comparing manifests".into()));
        spawn_local(async move {
            match proxy
                .post::<_, ParityAnswer>("/api/packs/parity", &ParityRequest { services })
                .await
            {
                Ok(answer) => {
                    packs.parity.set(Some(answer));
                    packs.error.set(None);
                }
                Err(error) => packs.error.set(Some(error.to_string())),
            }
            packs.busy.set(None);
        });
    };
    view! {
        <div class="parity">
            <h4>"Manifest parity"</h4>
            <input class="parity-urls" placeholder="service URLs, separated by spaces"
                prop:value=move || urls.get() on:input=move |ev| urls.set(event_target_value(&ev)) />
            <button data-action="parity" on:click=compare>"Compare"</button>
            {move || packs.parity.get().map(|answer| view! {
                <ul class="parity-services">
                    {answer.services.iter().map(|s| view! { <li>{format!("{}: {} capabilities, {}", s.url, s.capabilities, s.digest)}</li> }).collect_view()}
                </ul>
                {if answer.differences.is_empty() {
                    view! { <div class="verdict pass">"The normalized manifests are equal."</div> }.into_any()
                } else {
                    view! {
                        <table class="parity-differences">
                            <thead><tr><th>"Capability"</th><th>"Field"</th><th>"First service"</th><th>"Other"</th><th>"Service"</th></tr></thead>
                            <tbody>
                                {answer.differences.iter().map(|d| view! {
                                    <tr><td>{d.capability.clone()}</td><td>{d.field.clone()}</td>
                                        <td>{d.first.to_string()}</td><td>{d.other.to_string()}</td><td>{d.service.clone()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            })}
        </div>
    }
}

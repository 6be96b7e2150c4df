//! One whole validation, as the CLI and the proxy run it: discover and coverage, offline
//! preflight, then each scenario's live lifecycle, repeat and conformance probes; the pending
//! ledger and, with `--write`, the validated artifacts. Each step is a function below, in the
//! order they run.

use crate::artifacts;
use crate::cli::{ValidateArgs, exit};
use crate::conformance;
use crate::database::{DbContext, DbSetupError};
use crate::diagnoses::Read;
use crate::endpoint::AnswerLimits;
use crate::endpoint::{EndpointClient, EndpointError};
use crate::integrity;
use crate::ledger::Ledger;
use crate::lifecycle::{self, Instance, Progress, RunContext};
use crate::live_discover::{self, LiveDiscover};
use crate::reaper;
use crate::record_store::{HttpProbes, ProbeScope, RecordStore};
use crate::workspace_dir::WorkspaceDir;
use futures::StreamExt;
use scenario_lab_core::api::ValidateStep;
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::dialect;
use scenario_lab_core::run_report::{RecordsProof, ValidateReport};
use scenario_lab_core::{FileKind, Report, Severity, tokens};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the caller of a validation watches and steers: the step counter (a progress bar) and
/// the cancel switch. A cancelled validation starts no new scenario; a scenario already up is
/// still checked and torn down, so nothing a cancel interrupts is left behind.
#[derive(Default)]
pub struct Steering {
    cancelled: AtomicBool,
    done: AtomicUsize,
    total: AtomicUsize,
    on_step: Option<Box<dyn Fn(ValidateStep) + Send + Sync>>,
}

impl std::fmt::Debug for Steering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Steering")
            .field("cancelled", &self.is_cancelled())
            .field("done", &self.done)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Steering {
    /// Steering that reports every step to `on_step`.
    pub fn with_steps(on_step: impl Fn(ValidateStep) + Send + Sync + 'static) -> Steering {
        Steering {
            on_step: Some(Box::new(on_step)),
            ..Steering::default()
        }
    }

    /// Asks the validation to stop after the scenarios running now; `false` when it already was.
    pub fn cancel(&self) -> bool {
        !self.cancelled.swap(true, Ordering::SeqCst)
    }

    /// Whether a cancel was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    fn plan(&self, total: usize) {
        self.total.store(total, Ordering::SeqCst);
    }

    fn starting(&self, label: &str) {
        if let Some(on_step) = &self.on_step {
            on_step(ValidateStep {
                done: self.done.load(Ordering::SeqCst),
                total: self.total.load(Ordering::SeqCst),
                label: label.to_owned(),
            });
        }
    }

    fn finished(&self) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }
}

/// Why a validation stopped without a verdict.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("cannot write the artifacts: {0}")]
    Artifacts(#[source] std::io::Error),
}

/// The whole validation; `progress` receives every line a person should see while it runs.
/// Returns the report (none for usage errors) and the exit code.
pub async fn execute(
    args: &ValidateArgs,
    client: &EndpointClient,
    signing_secret: Option<String>,
    progress: Progress<'_>,
    steering: &Steering,
) -> Result<(Option<ValidateReport>, u8), ValidateError> {
    let Some((dir, recipes)) = read_workspace(args, progress) else {
        return Ok((None, exit::USAGE));
    };
    let scenarios = selected(&recipes, args).len();
    steering.plan(1 + scenarios + usize::from(!args.no_conformance));
    steering.starting("discover and preflight");
    let mut read = Read {
        dir: &dir,
        recipes: &recipes,
        preflight: None,
    };
    let ledger = Ledger::for_workspace(&dir.dir);
    let mut report = ValidateReport {
        endpoint: client.url().to_owned(),
        reaped: reaper::reap(&ledger, client, reaper::Scope::SameEndpoint).await,
        ..ValidateReport::default()
    };
    for line in &report.reaped {
        progress(line);
    }
    progress(&format!(
        "validating {} against {}",
        dir.dir.display(),
        client.url()
    ));
    let live = match discover_step(client, &dir, &mut report).await {
        Ok(live) => live,
        Err(error) => return Ok(unreachable(&error, report, &read, progress)),
    };
    read.preflight = Some(preflight_step(&dir, live.text.as_deref(), &mut report));
    steering.finished();
    if read.preflight.as_ref().is_some_and(|p| p.errors() > 0) || !live.check.ok {
        return Ok(stopped(report, &read, exit::CHECK_FAILED));
    }
    let db = match database_step(args, &dir, live.discover.as_ref(), &mut report, progress).await {
        Ok(db) => db,
        Err(code) => return Ok(stopped(report, &read, code)),
    };
    let ctx = RunContext {
        client: client.clone(),
        records: db,
        signing_secret,
        ledger: ledger.clone(),
    };
    let (creates, mut not_run) =
        match scenarios_step(&ctx, &recipes, args, &mut report, progress, steering).await {
            Ok(ran) => ran,
            Err(error) => return Ok(unreachable(&error, report, &read, progress)),
        };
    if !args.no_conformance && steering.is_cancelled() {
        not_run.push("the conformance probes".to_owned());
    } else if !args.no_conformance {
        steering.starting("conformance probes");
        progress("  [conformance] probes");
        match conformance::run(
            client,
            ctx.records.as_ref().and_then(RecordStore::sql),
            &creates,
        )
        .await
        {
            Ok(checks) => report.conformance = checks,
            Err(error) => return Ok(unreachable(&error, report, &read, progress)),
        }
        steering.finished();
    }
    if !not_run.is_empty() {
        let check = cancelled_check(&not_run);
        progress(&format!("  {}", check.message));
        report.checks.push(check);
    }
    report.pending = ledger.entries().map_or(0, |e| e.len());
    report.compute_ok();
    crate::diagnoses::attach(&mut report, &read);
    report.edits.clone_from(&args.edits);
    if args.write {
        let models = live.discover.as_ref().map_or(0, |d| d.models.len());
        let note = artifacts::write(&dir.dir, dir.recipes_name, &report, &recipes, true, models)
            .map_err(ValidateError::Artifacts)?;
        progress(&note);
    }
    let code = if report.ok {
        exit::OK
    } else {
        exit::CHECK_FAILED
    };
    Ok((Some(report), code))
}

/// The workspace and its recipes, or `None` after saying why not (a usage error).
fn read_workspace(args: &ValidateArgs, progress: Progress<'_>) -> Option<(WorkspaceDir, Value)> {
    let dir = match WorkspaceDir::open(&args.workspace) {
        Ok(dir) => dir,
        Err(message) => {
            progress(message.trim_end());
            return None;
        }
    };
    let text = dir.text(FileKind::Recipes).unwrap_or_default();
    progress(&dir.describe());
    // Preflight reports a broken file with positions; this value only feeds the runs. A bare
    // recipe runs as the envelope of one recipe named `standard`.
    let recipes = dialect::as_envelope(serde_json::from_str(text).unwrap_or(Value::Null));
    let names: Vec<&str> = dialect::envelope_recipes(&recipes)
        .filter_map(|r| r.get("name")?.as_str())
        .collect();
    if let Some(unknown) = args
        .scenarios
        .iter()
        .find(|s| recipes.is_object() && !names.contains(&s.as_str()))
    {
        progress(&format!(
            "error: no recipe named `{unknown}` in {} (recipes: {})",
            dir.display_path(FileKind::Recipes),
            names.join(", ")
        ));
        return None;
    }
    Some((dir, recipes))
}

/// 1. The signed discover, its shape, coverage of the audit and the factory-body integrity.
async fn discover_step(
    client: &EndpointClient,
    dir: &WorkspaceDir,
    report: &mut ValidateReport,
) -> Result<LiveDiscover, EndpointError> {
    let live = live_discover::discover(client).await?;
    report.redirected_to.clone_from(&live.redirected_to);
    report.checks.push(live.check.clone());
    let audit = dir
        .text(FileKind::EntityAudit)
        .map(|t| scenario_lab_core::audit::parse(t).value);
    if let Some(discover) = &live.discover {
        report
            .checks
            .extend(live_discover::coverage_checks(discover, audit.as_ref()));
    }
    report.checks.push(integrity::check(dir, audit.as_ref()));
    Ok(live)
}

/// Step 2, the offline preflight against the live discover; errors stop the validation here.
/// Its report is the one the diagnoses place from.
fn preflight_step(
    dir: &WorkspaceDir,
    live_discover: Option<&str>,
    report: &mut ValidateReport,
) -> Report {
    let mut workspace = dir.workspace();
    if let Some(text) = live_discover {
        workspace.discover = Some(text);
    }
    let preflight = scenario_lab_core::preflight(&workspace);
    let passed = preflight.errors() == 0;
    report.checks.push(if passed {
        CheckResult::pass(
            "preflight",
            format!("0 errors, {} warnings", preflight.warnings()),
        )
    } else {
        let first: Vec<String> = preflight
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .take(5)
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        CheckResult::fail(
            "preflight",
            format!(
                "{} errors (run `scenario-lab preflight`): {}",
                preflight.errors(),
                first.join("; ")
            ),
        )
    });
    preflight
}

/// Step 3, where records are proven: the read-only database and its table map, else the HTTP
/// probes of `[probes]`, else nowhere (said in every report); `Err` is the exit code to stop with.
async fn database_step(
    args: &ValidateArgs,
    dir: &WorkspaceDir,
    discover: Option<&scenario_lab_core::discover::Discover>,
    report: &mut ValidateReport,
    progress: Progress<'_>,
) -> Result<Option<RecordStore>, u8> {
    let refuse = |message: String, report: &mut ValidateReport| {
        progress(&format!("error: {message}"));
        report.checks.push(CheckResult::fail("db.connect", message));
        exit::USAGE
    };
    let settings = dir.settings().map_err(|message| refuse(message, report))?;
    let Some(url) = &args.database_url else {
        let Some(probes) = &settings.probes else {
            progress(&format!(
                "  {}: db.created, db.gone and db.untouched are skipped",
                RecordsProof::NOT_PROVEN
            ));
            return Ok(None);
        };
        let models = discover.map_or_else(Vec::new, |d| {
            d.models.iter().map(|m| m.name.clone()).collect()
        });
        let scope = ProbeScope {
            models,
            endpoint: &args.endpoint.endpoint.clone().unwrap_or_default(),
            trusted: &args.probe_origins,
            limits: AnswerLimits::megabytes(args.endpoint.max_answer_mb),
        };
        return match HttpProbes::new(probes, scope, &|name| std::env::var(name).ok()) {
            Ok(probes) => {
                progress("  records proven through the HTTP probes of [probes]");
                report.records = RecordsProof::Probes;
                Ok(Some(RecordStore::Probes(probes)))
            }
            Err(message) => Err(refuse(message, report)),
        };
    };
    match DbContext::connect(url, discover, &settings).await {
        Ok((db, notes)) => {
            for note in notes {
                progress(&format!("  {note}"));
            }
            report.records = RecordsProof::Database;
            Ok(Some(RecordStore::Sql(db)))
        }
        Err(error) => {
            let code = match &error {
                DbSetupError::Unreachable(_) => exit::UNREACHABLE,
                DbSetupError::Settings(_) => exit::USAGE,
            };
            progress(&format!("error: {error}"));
            report
                .checks
                .push(CheckResult::fail("db.connect", error.to_string()));
            Err(code)
        }
    }
}

/// What one recipe's run produced.
enum ScenarioOutcome {
    /// Its tokens did not resolve (a `preflight` failure).
    Unresolved(CheckResult),
    Ran(Value),
    /// The validation was cancelled before it started.
    Cancelled(String),
}

/// The recipes `--scenario` selects (all when none is named).
fn selected<'a>(recipes: &'a Value, args: &ValidateArgs) -> Vec<&'a Value> {
    dialect::envelope_recipes(recipes)
        .filter(|r| {
            args.scenarios.is_empty()
                || r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| args.scenarios.iter().any(|s| s == n))
        })
        .collect()
}

/// 4. Each selected scenario's proof (and `--repeat`); returns the create maps that ran.
async fn scenarios_step(
    ctx: &RunContext,
    recipes: &Value,
    args: &ValidateArgs,
    report: &mut ValidateReport,
    progress: Progress<'_>,
    steering: &Steering,
) -> Result<(Vec<Value>, Vec<String>), EndpointError> {
    let selected = selected(recipes, args);
    // Table counts are compared per scenario, so database checks need one scenario at a time.
    let jobs = if ctx.records.is_some() && args.jobs > 1 {
        progress("  note: --jobs is 1 with --database-url (row counts are compared per scenario)");
        1
    } else {
        args.jobs.max(1)
    };
    let runs: Vec<_> = selected
        .iter()
        .map(|recipe| async move {
            let name = recipe
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("recipe");
            if steering.is_cancelled() {
                return Ok((ScenarioOutcome::Cancelled(name.to_owned()), None));
            }
            steering.starting(&format!("[{name}] up, checks, down"));
            let proved = prove_recipe(ctx, recipe, args, progress).await;
            steering.finished();
            proved
        })
        .collect();
    let outcomes: Vec<Result<(ScenarioOutcome, Proven), EndpointError>> =
        futures::stream::iter(runs).buffered(jobs).collect().await;
    let mut creates = Vec::new();
    let mut not_run = Vec::new();
    for outcome in outcomes {
        let (outcome, proven) = outcome?;
        match outcome {
            ScenarioOutcome::Unresolved(check) => report.checks.push(check),
            ScenarioOutcome::Ran(create) => creates.push(create),
            ScenarioOutcome::Cancelled(name) => not_run.push(format!("[{name}]")),
        }
        if let Some((run, leaks)) = proven {
            report.leaked.extend(leaks);
            report.scenarios.push(run);
        }
    }
    Ok((creates, not_run))
}

/// The check a cancelled validation fails with: what it did not start.
fn cancelled_check(not_run: &[String]) -> CheckResult {
    CheckResult::fail(
        "validation.cancelled",
        format!(
            "cancelled before: {}; every scenario that came up was torn down",
            not_run.join(", ")
        ),
    )
}

type Proven = Option<(
    scenario_lab_core::run_report::ScenarioRun,
    Vec<scenario_lab_core::run_report::Leak>,
)>;

/// Resolves one recipe, proves it, and with `--repeat` brings up concurrent instances.
async fn prove_recipe(
    ctx: &RunContext,
    recipe: &Value,
    args: &ValidateArgs,
    progress: Progress<'_>,
) -> Result<(ScenarioOutcome, Proven), EndpointError> {
    let name = recipe
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("recipe");
    let test_run_id = lifecycle::new_test_run_id(name, args.iteration);
    let create = match tokens::resolve_recipe(recipe, &test_run_id) {
        Ok(create) => create,
        Err(error) => {
            let check = CheckResult::fail("preflight", format!("{name}: {error}"));
            return Ok((ScenarioOutcome::Unresolved(check), None));
        }
    };
    let indented = |line: &str| progress(&format!("  {line}"));
    let (mut run, mut leaks) =
        lifecycle::run_scenario(ctx, name, &create, &test_run_id, &indented).await?;
    progress(&format!(
        "  [{name}] {} (up {} ms, down {} ms)",
        if run.ok { "ok" } else { "FAILED" },
        run.up_ms.unwrap_or(0),
        run.down_ms.unwrap_or(0)
    ));
    if args.repeat > 1 {
        let instances: Vec<Instance> = (1..=args.repeat)
            .filter_map(|i| {
                let id = format!("{}-r{i}", lifecycle::new_test_run_id(name, args.iteration));
                let create = tokens::resolve_recipe(recipe, &id).ok()?;
                Some(Instance {
                    test_run_id: id,
                    create,
                })
            })
            .collect();
        let (check, more) = lifecycle::run_repeat(ctx, name, instances, &indented).await?;
        run.ok &= check.ok;
        run.checks.push(check);
        leaks.extend(more);
    }
    Ok((ScenarioOutcome::Ran(create), Some((run, leaks))))
}

/// The report of a validation the endpoint (or the database) stopped answering.
/// A validation that stopped before its end: its verdict and the diagnoses of what failed.
fn stopped(mut report: ValidateReport, read: &Read<'_>, code: u8) -> (Option<ValidateReport>, u8) {
    report.compute_ok();
    crate::diagnoses::attach(&mut report, read);
    (Some(report), code)
}

fn unreachable(
    error: &EndpointError,
    mut report: ValidateReport,
    read: &Read<'_>,
    progress: Progress<'_>,
) -> (Option<ValidateReport>, u8) {
    progress(&format!(
        "error: {error}\n  help: is the app running, and is the URL right (FastAPI mounts need the trailing slash)?"
    ));
    report
        .checks
        .push(CheckResult::fail("endpoint.reachable", error.to_string()));
    stopped(report, read, exit::UNREACHABLE)
}

//! `scenario-lab validate`: discover and coverage, offline preflight, then each scenario's live
//! lifecycle, repeat and conformance probes; reports, the pending ledger and, with `--write`,
//! the validated artifacts.

use crate::artifacts;
use crate::cli::{ValidateArgs, exit};
use crate::conformance;
use crate::database::ReadOnlyDb;
use crate::endpoint::{EndpointClient, EndpointError};
use crate::lifecycle::{
    self, CheckResult, DbContext, Leak, PendingTeardown, RunContext, ScenarioRun,
};
use crate::live_discover::discover;
use crate::settings::Settings;
use crate::workspace_dir::WorkspaceDir;
use futures::StreamExt;
use scenario_lab_core::audit::AuditDoc;
use scenario_lab_core::discover::Discover;
use scenario_lab_core::{FileKind, tokens};
use serde::Serialize;
use serde_json::Value;

/// The whole validation, as the JSON report shows it.
#[derive(Debug, Default, Serialize)]
pub struct ValidateReport {
    pub ok: bool,
    pub endpoint: String,
    pub checks: Vec<CheckResult>,
    pub scenarios: Vec<ScenarioRun>,
    pub conformance: Vec<CheckResult>,
    pub leaked: Vec<Leak>,
    pub pending: usize,
}

impl ValidateReport {
    fn all_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .chain(self.scenarios.iter().flat_map(|s| s.checks.iter()))
            .chain(self.conformance.iter())
    }
    fn compute_ok(&mut self) {
        let ok = self.all_checks().all(|c| c.ok);
        self.ok = ok;
    }
}

fn coverage_checks(discover: &Discover, audit: Option<&AuditDoc>) -> Vec<CheckResult> {
    let Some(audit) = audit else {
        return vec![
            CheckResult::skip("discover.coverage", "entity-audit.md not found"),
            CheckResult::skip("discover.factories", "entity-audit.md not found"),
        ];
    };
    let independent = audit.independent_models();
    let missing: Vec<&str> = independent
        .iter()
        .copied()
        .filter(|m| discover.model(m).is_none())
        .collect();
    let dependents = audit.pure_dependents();
    let coverage = if missing.is_empty() {
        CheckResult::pass(
            "discover.coverage",
            format!(
                "{} audited models listed; {} pure dependent(s) absent as expected{}",
                independent.len(),
                dependents.len(),
                if dependents.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", dependents.join(", "))
                }
            ),
        )
    } else {
        CheckResult::fail(
            "discover.coverage",
            format!(
                "audited models missing from discover: {}",
                missing.join(", ")
            ),
        )
    };
    let factories = if missing.is_empty() {
        CheckResult::pass(
            "discover.factories",
            format!(
                "every independently created model has a factory ({})",
                independent.len()
            ),
        )
    } else {
        CheckResult::fail(
            "discover.factories",
            format!("no factory registered for {}", missing.join(", ")),
        )
    };
    vec![coverage, factories]
}

/// The factory-body integrity grep (`reference/artifacts.md` §9) on the handler named by
/// `.endpoint-implemented`: raw ORM or SQL writes inside the create body of a factory for an
/// independently created model.
fn integrity_check(dir: &std::path::Path, audit: Option<&AuditDoc>) -> CheckResult {
    let Ok(sentinel) = std::fs::read_to_string(dir.join(".endpoint-implemented")) else {
        return CheckResult::skip("discover.integrity", ".endpoint-implemented not found");
    };
    let handler = sentinel.lines().find_map(|l| {
        let l = l.trim().trim_start_matches("- ");
        l.strip_prefix("handler:")
            .map(|p| p.trim().trim_end_matches(['.', ',', ';', ':']).to_owned())
    });
    let Some(handler) = handler else {
        return CheckResult::fail(
            "discover.integrity",
            ".endpoint-implemented does not name the handler file (a line `handler: <path>`)",
        );
    };
    // The handler path is relative to the repository (the folder holding autonoma/).
    let root = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_default();
    let path = root.join(&handler);
    let Ok(source) = std::fs::read_to_string(&path) else {
        return CheckResult::fail(
            "discover.integrity",
            format!("handler file {} not found", path.display()),
        );
    };
    let Some(audit) = audit else {
        return CheckResult::skip(
            "discover.integrity",
            "entity-audit.md not found: no independently created models to check",
        );
    };
    let independent = audit.independent_models();
    match crate::integrity::scan(&handler, &source, &independent) {
        None => CheckResult::skip(
            "discover.integrity",
            format!("{handler}: only Python and TypeScript/JavaScript handlers are scanned"),
        ),
        Some(findings) if findings.is_empty() => CheckResult::pass(
            "discover.integrity",
            format!("no raw ORM or SQL writes in the create bodies of {handler}"),
        ),
        Some(findings) => CheckResult::fail(
            "discover.integrity",
            format!(
                "raw writes in factory create bodies (call the audited creation function instead): {}",
                findings
                    .iter()
                    .map(|f| format!("{handler}:{} ({}): {}", f.line, f.model, f.text))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
        ),
    }
}

/// What one recipe's run produced.
enum ScenarioOutcome {
    /// Its tokens did not resolve (a `preflight` failure).
    Unresolved(CheckResult),
    Ran {
        create: Value,
        run: Box<ScenarioRun>,
        repeat: Option<(CheckResult, Vec<PendingTeardown>, Vec<Leak>)>,
    },
    Unreachable(EndpointError),
}

/// Resolves one recipe, proves it, and with `--repeat` brings up concurrent instances.
async fn run_one(
    ctx: &RunContext,
    recipe: &Value,
    args: &ValidateArgs,
    progress: &(dyn Fn(&str) + Sync),
) -> ScenarioOutcome {
    let name = recipe
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("recipe");
    let test_run_id = lifecycle::new_test_run_id(name, args.iteration);
    let create = match tokens::resolve_recipe(recipe, &test_run_id) {
        Ok(create) => create,
        Err(error) => {
            return ScenarioOutcome::Unresolved(CheckResult::fail(
                "preflight",
                format!("{name}: {error}"),
            ));
        }
    };
    let indented = |line: &str| progress(&format!("  {line}"));
    let run = match lifecycle::run_scenario(ctx, name, &create, &test_run_id, &indented).await {
        Ok(run) => run,
        Err(error) => return ScenarioOutcome::Unreachable(error),
    };
    let verdict = if run.ok { "ok" } else { "FAILED" };
    progress(&format!(
        "  [{name}] {verdict} (up {} ms, down {} ms)",
        run.up_ms.unwrap_or(0),
        run.down_ms.unwrap_or(0)
    ));
    let repeat = if args.repeat > 1 {
        let instances: Vec<(String, Value)> = (1..=args.repeat)
            .filter_map(|i| {
                let id = format!("{}-r{i}", lifecycle::new_test_run_id(name, args.iteration));
                tokens::resolve_recipe(recipe, &id).ok().map(|c| (id, c))
            })
            .collect();
        match lifecycle::run_repeat(ctx, name, instances, &indented).await {
            Ok(result) => Some(result),
            Err(error) => return ScenarioOutcome::Unreachable(error),
        }
    } else {
        None
    };
    ScenarioOutcome::Ran {
        create,
        run: Box::new(run),
        repeat,
    }
}

/// The `validate` command; returns the exit code.
pub async fn run(args: &ValidateArgs) -> anyhow::Result<u8> {
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let signing_secret = std::env::var("AUTONOMA_SIGNING_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    let (report, code) =
        execute(args, &client, signing_secret, &|line| eprintln!("{line}")).await?;
    if let Some(report) = &report {
        finish(report, args)?;
    }
    Ok(code)
}

/// The whole validation; `progress` receives every line a person should see while it runs.
/// Returns the report (none for usage errors) and the exit code.
pub async fn execute(
    args: &ValidateArgs,
    client: &EndpointClient,
    signing_secret: Option<String>,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<(Option<ValidateReport>, u8)> {
    let client = client.clone();
    let dir = match WorkspaceDir::read(&args.workspace.dir) {
        Ok(dir) => dir,
        Err(error) => {
            progress(&format!("error: {error}"));
            return Ok((None, exit::USAGE));
        }
    };
    let Some(recipes_text) = dir.text(FileKind::Recipes) else {
        progress(&format!(
            "error: {} not found",
            dir.display_path(FileKind::Recipes)
        ));
        return Ok((None, exit::USAGE));
    };
    let settings = match Settings::read(&args.workspace.dir) {
        Ok(settings) => settings,
        Err(message) => {
            progress(&format!("error: {message}"));
            return Ok((None, exit::USAGE));
        }
    };
    let mut report = ValidateReport {
        endpoint: client.url().to_owned(),
        ..ValidateReport::default()
    };
    progress(&format!(
        "validating {} against {}",
        args.workspace.dir.display(),
        client.url()
    ));

    // 1. discover and coverage.
    let (live_discover, discover_body, shape) = match discover(&client).await {
        Ok(result) => result,
        Err(error) => {
            return Ok((
                Some(unreachable(&error, &mut report, progress)),
                exit::UNREACHABLE,
            ));
        }
    };
    let shape_ok = shape.ok;
    report.checks.push(shape);
    let audit = dir
        .text(FileKind::EntityAudit)
        .map(|t| scenario_lab_core::audit::parse(t).value);
    if let Some(discover) = &live_discover {
        report
            .checks
            .extend(coverage_checks(discover, audit.as_ref()));
    }
    report
        .checks
        .push(integrity_check(&args.workspace.dir, audit.as_ref()));

    // 2. offline preflight against the live discover; errors stop here.
    let live_discover_text = discover_body
        .as_ref()
        .map(|b| serde_json::to_string(b).unwrap_or_default());
    let mut workspace = dir.workspace();
    if let Some(text) = live_discover_text.as_deref() {
        workspace.discover = Some(text);
    }
    let preflight = scenario_lab_core::preflight(&workspace);
    let preflight_passed = preflight.errors() == 0;
    report.checks.push(if preflight_passed {
        CheckResult::pass(
            "preflight",
            format!("0 errors, {} warnings", preflight.warnings()),
        )
    } else {
        let first: Vec<String> = preflight
            .diagnostics
            .iter()
            .filter(|d| d.severity == scenario_lab_core::Severity::Error)
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
    if !preflight_passed || !shape_ok {
        report.compute_ok();
        return Ok((Some(report), exit::CHECK_FAILED));
    }

    // 3. database.
    let db = match &args.database_url {
        Some(url) => match connect_db(url, live_discover.as_ref(), &settings).await {
            Ok(db) => Some(db),
            Err(message) => {
                progress(&format!("error: {message}"));
                report.checks.push(CheckResult::fail("db.connect", message));
                report.compute_ok();
                return Ok((Some(report), exit::UNREACHABLE));
            }
        },
        None => None,
    };
    let ctx = RunContext {
        client: client.clone(),
        db,
        signing_secret,
    };

    // 4. each scenario.
    let recipes: Value = serde_json::from_str(recipes_text)?;
    let selected: Vec<&Value> = recipes["recipes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            args.scenarios.is_empty()
                || r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| args.scenarios.iter().any(|s| s == n))
        })
        .collect();
    let mut pending: Vec<PendingTeardown> = artifacts::read_ledger(&args.workspace.dir);
    let mut creates = Vec::new();
    // Table counts are compared per scenario, so database checks need one scenario at a time.
    let jobs = if ctx.db.is_some() && args.jobs > 1 {
        progress("  note: --jobs is 1 with --database-url (row counts are compared per scenario)");
        1
    } else {
        args.jobs.max(1)
    };
    // Collected first: a closure inside the stream would make the future not `Send`.
    let runs: Vec<_> = selected
        .iter()
        .map(|recipe| run_one(&ctx, recipe, args, progress))
        .collect();
    let outcomes: Vec<ScenarioOutcome> = futures::stream::iter(runs).buffered(jobs).collect().await;
    for outcome in outcomes {
        match outcome {
            ScenarioOutcome::Unresolved(check) => report.checks.push(check),
            ScenarioOutcome::Ran {
                create,
                mut run,
                repeat,
            } => {
                creates.push(create);
                report.leaked.extend(run.leaks.iter().cloned());
                pending.extend(run.pending.iter().cloned());
                if let Some((check, more_pending, leaks)) = repeat {
                    run.ok &= check.ok;
                    run.checks.push(check);
                    pending.extend(more_pending);
                    report.leaked.extend(leaks);
                }
                report.scenarios.push(*run);
            }
            ScenarioOutcome::Unreachable(error) => {
                artifacts::write_ledger(&args.workspace.dir, &pending)?;
                return Ok((
                    Some(unreachable(&error, &mut report, progress)),
                    exit::UNREACHABLE,
                ));
            }
        }
    }
    // 5. conformance probes.
    if !args.no_conformance {
        progress("  [conformance] probes");
        match conformance::run(&client, ctx.db.as_ref(), &creates).await {
            Ok(checks) => report.conformance = checks,
            Err(error) => {
                return Ok((
                    Some(unreachable(&error, &mut report, progress)),
                    exit::UNREACHABLE,
                ));
            }
        }
    }
    report.pending = pending.len();
    artifacts::write_ledger(&args.workspace.dir, &pending)?;
    report.compute_ok();

    // 6. artifacts.
    if args.write {
        write_artifacts(
            &report,
            &recipes,
            args,
            preflight_passed,
            live_discover.as_ref().map_or(0, |d| d.models.len()),
            progress,
        )?;
    }
    let code = if report.ok {
        exit::OK
    } else {
        exit::CHECK_FAILED
    };
    Ok((Some(report), code))
}

async fn connect_db(
    url: &str,
    discover: Option<&Discover>,
    settings: &Settings,
) -> Result<DbContext, String> {
    let db = ReadOnlyDb::connect(url).await.map_err(|e| e.to_string())?;
    let catalog = db.catalog().await.map_err(|e| e.to_string())?;
    let map = match discover {
        Some(discover) => {
            scenario_lab_core::table_map::map_tables(discover, &catalog, &settings.tables)
        }
        None => Default::default(),
    };
    if !map.unmapped.is_empty() {
        eprintln!(
            "  note: no table found for {} (set [tables] in autonoma/scenario-lab.toml)",
            map.unmapped.join(", ")
        );
    }
    Ok(DbContext {
        db,
        tables: map.tables,
        id_columns: settings.id_columns.clone(),
        catalog,
    })
}

fn unreachable(
    error: &EndpointError,
    report: &mut ValidateReport,
    progress: &(dyn Fn(&str) + Sync),
) -> ValidateReport {
    progress(&format!(
        "error: {error}\n  help: is the app running, and is the URL right (FastAPI mounts need the trailing slash)?"
    ));
    report
        .checks
        .push(CheckResult::fail("endpoint.reachable", error.to_string()));
    report.compute_ok();
    std::mem::take(report)
}

fn write_artifacts(
    report: &ValidateReport,
    recipes: &Value,
    args: &ValidateArgs,
    preflight_passed: bool,
    models: usize,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<()> {
    let blocking: Vec<String> = report
        .all_checks()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {}", c.id, c.message))
        .collect();
    let validation = artifacts::validation_file(
        report.ok,
        preflight_passed,
        &report.scenarios,
        &blocking,
        &report.endpoint,
    );
    let sentinel = args.workspace.dir.join(".endpoint-validated");
    if report.ok {
        let validated = artifacts::validated_recipes(recipes, &report.scenarios);
        artifacts::write_atomic(
            &args.workspace.dir.join("scenario-recipes.json"),
            (serde_json::to_string_pretty(&validated)? + "\n").as_bytes(),
        )?;
        artifacts::write_atomic(
            &args.workspace.dir.join(".scenario-validation.json"),
            (serde_json::to_string_pretty(&validation)? + "\n").as_bytes(),
        )?;
        artifacts::write_atomic(
            &sentinel,
            artifacts::sentinel_text(&report.scenarios, models).as_bytes(),
        )?;
        progress(&format!(
            "wrote scenario-recipes.json, .scenario-validation.json and .endpoint-validated in {}",
            args.workspace.dir.display()
        ));
    } else {
        artifacts::write_atomic(
            &args.workspace.dir.join(".scenario-validation.json"),
            (serde_json::to_string_pretty(&validation)? + "\n").as_bytes(),
        )?;
        if sentinel.exists() {
            std::fs::remove_file(&sentinel)?;
            progress("removed the stale .endpoint-validated sentinel");
        }
        progress("wrote .scenario-validation.json (status failed); no sentinel");
    }
    Ok(())
}

/// Prints the summary table and writes the requested reports.
fn finish(report: &ValidateReport, args: &ValidateArgs) -> anyhow::Result<()> {
    print!("{}", crate::validate_report::summary_table(report));
    if let Some(path) = &args.report_json {
        artifacts::write_atomic(
            path,
            (serde_json::to_string_pretty(report)? + "\n").as_bytes(),
        )?;
    }
    if let Some(path) = &args.report_junit {
        artifacts::write_atomic(path, crate::validate_report::junit(report).as_bytes())?;
    }
    Ok(())
}

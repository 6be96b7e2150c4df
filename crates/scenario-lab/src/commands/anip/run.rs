//! `scenario-lab anip run PACK...`: each pack against each service, verdicts, reports, exit code.

use super::CommandError;
use super::check::{PackFile, render};
use crate::anip::client::{AnipClient, ClientError};
use crate::anip::report::{junit, progress_line, summary};
use crate::anip::runner::{Credentials, RunError, Runner, run_order};
use crate::atomic_file::write_atomic;
use crate::cli::{AnipRunArgs, Format, exit};
use crate::terminal::eprint_safe;
use scenario_lab_core::anip::Manifest;
use scenario_lab_core::anip::pack::{Pack, Request, Scenario};
use scenario_lab_core::anip::run_report::{OutcomeDrift, PackRunReport};
use scenario_lab_core::anip::wire::TokenRequest;
use std::collections::{BTreeMap, BTreeSet};

/// The `anip run` command.
pub async fn run(args: &AnipRunArgs) -> Result<u8, CommandError> {
    let mut code = exit::OK;
    for path in &args.packs {
        let file = match PackFile::read(path) {
            Ok(file) => file,
            Err(error) => {
                eprint_safe(&format!("error: {error}\n"));
                return Ok(exit::USAGE);
            }
        };
        let checked = file.check();
        if checked.report.errors() > 0 {
            eprint_safe(&render(&file, &checked.report, Format::Human, false));
            eprint_safe("error: the pack has errors; `scenario-lab anip check` shows them\n");
            return Ok(exit::USAGE);
        }
        let outcome = run_pack(args, &path.display().to_string(), &checked.pack).await;
        match outcome {
            Ok(report) => {
                print!("{}", summary(&report));
                write_reports(args, &report)?;
                if report.failed() {
                    code = exit::CHECK_FAILED;
                }
            }
            Err(failure) => {
                eprint_safe(&format!("error: {}\n", failure.message));
                return Ok(failure.code);
            }
        }
    }
    Ok(code)
}

/// A run that gave no verdicts, and its exit code.
struct Stopped {
    message: String,
    code: u8,
}

impl From<RunError> for Stopped {
    fn from(error: RunError) -> Self {
        let code = match &error {
            RunError::Client(ClientError::Unreachable { .. }) => exit::UNREACHABLE,
            _ => exit::USAGE,
        };
        let hint = match &error {
            RunError::Client(ClientError::Authentication { env, .. }) => {
                format!("\n  help: set {env} to a bootstrap credential the service accepts")
            }
            RunError::Client(ClientError::Unreachable { .. }) => {
                "\n  help: start the service, or pass its URL with --service".to_owned()
            }
            _ => String::new(),
        };
        Stopped {
            message: format!("{error}{hint}"),
            code,
        }
    }
}

async fn run_pack(args: &AnipRunArgs, name: &str, pack: &Pack) -> Result<PackRunReport, Stopped> {
    let services: Vec<String> = if args.service.is_empty() {
        pack.service.url.iter().map(|u| u.value.clone()).collect()
    } else {
        args.service.clone()
    };
    if services.is_empty() {
        return Err(Stopped {
            message: format!("{name} names no `service.url`; pass the service with --service URL"),
            code: exit::USAGE,
        });
    }
    let credentials = credentials(pack)?;
    let selected = |s: &Scenario| {
        (args.scenario.is_empty() || args.scenario.contains(&s.id.value))
            && (args.class.is_empty()
                || s.class
                    .as_ref()
                    .is_some_and(|c| args.class.iter().any(|a| a == c.value.as_str())))
    };
    let order = run_order(pack, &selected);
    let mut report = PackRunReport {
        pack: name.to_owned(),
        ..PackRunReport::default()
    };
    for service in services {
        println!("{name} against {service}: {} scenarios", order.len());
        let client = AnipClient::new(&service);
        client.discovery().await.map_err(RunError::from)?;
        let manifest = client.get("/anip/manifest").await.map_err(RunError::from)?;
        let manifest: Manifest =
            crate::anip::client::decode(&manifest, "/anip/manifest").map_err(RunError::from)?;
        let mut runner = Runner {
            pack,
            client,
            manifest,
            credentials: credentials.clone(),
            agent: args.agent.clone(),
            captures: BTreeMap::default(),
            grants: BTreeMap::default(),
            probe_tokens: BTreeMap::default(),
            asked: BTreeMap::default(),
            hygiene: Vec::new(),
        };
        authenticate(&runner).await?;
        let run = runner
            .run(&order, &mut |r| print!("{}", progress_line(r)))
            .await;
        report.services.push(run);
    }
    report.outcome_drift = drift(&report);
    Ok(report)
}

/// The actors the pack uses, with their credentials from the environment (names only in errors).
fn credentials(pack: &Pack) -> Result<Credentials, Stopped> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    for scenario in &pack.scenarios {
        let default = match scenario.request {
            Some(Request::Grant(_)) => "approver",
            _ => "requester",
        };
        used.insert(
            scenario
                .token
                .actor
                .as_ref()
                .map_or(default, |a| a.value.as_str())
                .to_owned(),
        );
        if scenario
            .expect
            .audit
            .as_ref()
            .is_some_and(|a| a.grant_linked)
        {
            used.insert("approver".to_owned());
        }
    }
    if !pack.probes.is_empty() {
        used.insert("requester".to_owned());
    }
    let mut credentials = Credentials::default();
    for actor in used {
        let Some(spec) = pack.actors.get(&actor) else {
            continue;
        };
        match std::env::var(&spec.credential_env) {
            Ok(value) if !value.is_empty() => {
                credentials
                    .0
                    .insert(actor, (spec.credential_env.clone(), value));
            }
            _ => {
                return Err(RunError::MissingCredential {
                    actor,
                    env: spec.credential_env.clone(),
                }
                .into());
            }
        }
    }
    Ok(credentials)
}

/// Each actor's credential tried once before the first scenario, so that a wrong key is one
/// clear error instead of a failure per scenario.
async fn authenticate(runner: &Runner<'_>) -> Result<(), Stopped> {
    let scope = runner
        .manifest
        .capabilities
        .values()
        .next()
        .map(|c| c.minimum_scope.clone())
        .unwrap_or_default();
    for actor in runner.credentials.0.keys() {
        let request = TokenRequest {
            scope: scope.clone(),
            ttl_hours: Some(1),
            ..TokenRequest::default()
        };
        runner.token(actor, &request).await?;
    }
    Ok(())
}

/// Scenarios whose outcome differs between services.
fn drift(report: &PackRunReport) -> Vec<OutcomeDrift> {
    let Some(first) = report.services.first() else {
        return Vec::new();
    };
    if report.services.len() < 2 {
        return Vec::new();
    }
    first
        .scenarios
        .iter()
        .filter_map(|scenario| {
            let outcomes: Vec<(String, Option<String>)> = report
                .services
                .iter()
                .map(|s| {
                    let outcome = s
                        .scenarios
                        .iter()
                        .find(|r| r.id == scenario.id)
                        .and_then(|r| r.outcome.clone());
                    (s.service.clone(), outcome)
                })
                .collect();
            let distinct: BTreeSet<&Option<String>> = outcomes.iter().map(|(_, o)| o).collect();
            (distinct.len() > 1).then(|| OutcomeDrift {
                scenario: scenario.id.clone(),
                outcomes,
            })
        })
        .collect()
}

fn write_reports(args: &AnipRunArgs, report: &PackRunReport) -> Result<(), CommandError> {
    let write = |path: &std::path::Path, text: String| {
        write_atomic(path, text.as_bytes()).map_err(|source| CommandError::Write {
            path: path.display().to_string(),
            source,
        })
    };
    if let Some(path) = &args.report_json {
        write(
            path,
            serde_json::to_string_pretty(report).unwrap_or_default(),
        )?;
    }
    if let Some(path) = &args.report_junit {
        write(path, junit(report))?;
    }
    Ok(())
}

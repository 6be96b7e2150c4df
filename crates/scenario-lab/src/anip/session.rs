//! One pack run against its services, as `anip run` and the proxy's Packs panel start it:
//! credentials from the environment, each tried once, then the runner per service.

use super::client::{AnipClient, ClientError};
use super::run_state::{Credentials, RunError, RunState};
use super::runner::run_order;
use crate::cli::exit;
use scenario_lab_core::anip::Manifest;
use scenario_lab_core::anip::ScenarioClass;
use scenario_lab_core::anip::pack::{Pack, ProbeSource, Request, Scenario};
use scenario_lab_core::anip::run_report::{OutcomeDrift, PackRunReport, ScenarioRun};
use scenario_lab_core::anip::wire::TokenRequest;
use scenario_lab_core::checks::nearest::did_you_mean;
use std::collections::{BTreeMap, BTreeSet};

/// What to run, and where.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Service URLs (the pack's `service.url` when empty).
    pub services: Vec<String>,
    /// Only these scenarios (and what they need).
    pub scenarios: Vec<String>,
    /// Only these classes (and what they need).
    pub classes: Vec<String>,
    /// The agent app for `ask` scenarios.
    pub agent: Option<String>,
    /// Where the user's credentials may go (never a service only the pack names).
    pub trust: super::trust::Trust,
    /// Credentials for variables the environment does not set (the demo's own service).
    pub env_fallback: BTreeMap<String, String>,
}

/// What a run reports as it goes.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A service's run starts.
    Service { service: &'a str, scenarios: usize },
    /// A scenario ended.
    Scenario(&'a ScenarioRun),
}

/// A run that gave no verdicts, and its exit code.
#[derive(Debug)]
pub struct Stopped {
    pub message: String,
    pub code: u8,
}

impl From<RunError> for Stopped {
    fn from(error: RunError) -> Self {
        // The service cannot be used: down, or answering what no ANIP service would.
        let code = match &error {
            RunError::Client(
                ClientError::Unreachable { .. }
                | ClientError::TooLarge { .. }
                | ClientError::Decode { .. },
            ) => exit::UNREACHABLE,
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

pub async fn run_pack(
    options: &RunOptions,
    name: &str,
    pack: &Pack,
    progress: &mut (dyn FnMut(&Progress<'_>) + Send),
) -> Result<PackRunReport, Stopped> {
    let services: Vec<String> = if options.services.is_empty() {
        pack.service.url.iter().map(|u| u.value.clone()).collect()
    } else {
        options.services.clone()
    };
    if services.is_empty() {
        return Err(Stopped {
            message: format!("{name} names no `service.url`; pass the service with --service URL"),
            code: exit::USAGE,
        });
    }
    let selected = |s: &Scenario| {
        (options.scenarios.is_empty() || options.scenarios.contains(&s.id.value))
            && (options.classes.is_empty()
                || s.class
                    .as_ref()
                    .is_some_and(|c| options.classes.iter().any(|a| a == c.value.as_str())))
    };
    unknown_selection(options, pack)?;
    let order = run_order(pack, &selected);
    let credentials = credentials(pack, &order, &options.env_fallback)?;
    let mut report = PackRunReport {
        pack: name.to_owned(),
        ..PackRunReport::default()
    };
    if !credentials.0.is_empty()
        && let Some(foreign) = services.iter().find(|s| !options.trust.allows(s))
    {
        return Err(untrusted(foreign, &credentials));
    }
    for service in services {
        progress(&Progress::Service {
            service: &service,
            scenarios: order.len(),
        });
        let client = AnipClient::new(&service);
        client.discovery().await.map_err(RunError::from)?;
        let manifest = client.get("/anip/manifest").await.map_err(RunError::from)?;
        let manifest: Manifest =
            crate::anip::client::decode(&manifest, "/anip/manifest").map_err(RunError::from)?;
        let mut runner = RunState {
            pack,
            client,
            manifest,
            credentials: credentials.clone(),
            agent: options.agent.clone(),
            captures: BTreeMap::default(),
            grants: BTreeMap::default(),
            approvals: BTreeMap::default(),
            probe_tokens: BTreeMap::default(),
            asked: BTreeMap::default(),
            hygiene: Vec::new(),
        };
        authenticate(&runner).await?;
        let run = runner
            .run(&order, &mut |r| progress(&Progress::Scenario(r)))
            .await;
        report.services.push(run);
    }
    report.outcome_drift = drift(&report);
    Ok(report)
}

/// `--scenario` ids and `--class` names that select nothing are usage errors, not empty runs.
fn unknown_selection(options: &RunOptions, pack: &Pack) -> Result<(), Stopped> {
    let ids: Vec<&str> = pack.scenarios.iter().map(|s| s.id.value.as_str()).collect();
    let classes = ScenarioClass::ALL.iter().map(|c| c.as_str());
    let unknown = options
        .scenarios
        .iter()
        .find(|id| !ids.contains(&id.as_str()))
        .map(|id| {
            format!(
                "the pack has no scenario `{id}`; {}",
                did_you_mean(id, ids.iter().copied(), "scenario id")
            )
        })
        .or_else(|| {
            options
                .classes
                .iter()
                .find(|c| ScenarioClass::parse(c).is_none())
                .map(|c| {
                    format!(
                        "`{c}` is not a scenario class; {}",
                        did_you_mean(c, classes.clone(), "class")
                    )
                })
        });
    match unknown {
        Some(message) => Err(Stopped {
            message,
            code: exit::USAGE,
        }),
        None => Ok(()),
    }
}

/// The actors the scenarios of `order` use, with their credentials from the environment (names
/// only in errors). Manifest and agent scenarios need none.
fn credentials(
    pack: &Pack,
    order: &[usize],
    fallback: &BTreeMap<String, String>,
) -> Result<Credentials, Stopped> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    for scenario in order.iter().map(|&i| &pack.scenarios[i]) {
        let default = match scenario.request {
            Some(Request::Grant(_)) => Some("approver"),
            // The agent app holds its own credentials; the manifest needs none.
            Some(Request::Ask(_) | Request::Manifest) | None => None,
            Some(Request::Invoke(_)) => Some("requester"),
        };
        if let Some(default) = default {
            used.insert(
                scenario
                    .token
                    .actor
                    .as_ref()
                    .map_or(default, |a| a.value.as_str())
                    .to_owned(),
            );
        }
        if let Some(audit) = &scenario.expect.audit {
            let actor = scenario.token.actor.as_ref();
            used.insert(actor.map_or("requester", |a| a.value.as_str()).to_owned());
            if audit.grant_linked {
                used.insert("approver".to_owned());
            }
        }
        for probe in scenario
            .expect
            .mutation
            .iter()
            .filter_map(|(name, _)| pack.probes.get(&name.value))
        {
            if let ProbeSource::Invoke { actor, .. } = &probe.source {
                used.insert(
                    actor
                        .as_ref()
                        .map_or("requester", |a| a.value.as_str())
                        .to_owned(),
                );
            }
        }
    }
    let mut credentials = Credentials::default();
    for actor in used {
        let Some(spec) = pack.actors.get(&actor) else {
            continue;
        };
        let value = std::env::var(&spec.credential_env)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| fallback.get(&spec.credential_env).cloned());
        match value {
            Some(value) => {
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

/// The refusal to send credentials to a service the user did not name (names, never values).
fn untrusted(service: &str, credentials: &Credentials) -> Stopped {
    let names: BTreeSet<&str> = credentials
        .0
        .values()
        .map(|(env, _)| env.as_str())
        .collect();
    let file = super::trust::file()
        .map_or_else(|| "your trust file".to_owned(), |f| f.display().to_string());
    let origin = super::trust::origin_of(service).unwrap_or_else(|| service.to_owned());
    Stopped {
        message: format!(
            "refusing to send {} to {service}: the pack names this service, you did not\n  \
             help: if you trust it, name it: `anip run --service {service}` (or `serve \
             --anip-service {service}` for the editor), or add the line `{origin}` to {file}",
            names.into_iter().collect::<Vec<_>>().join(", "),
        ),
        code: exit::USAGE,
    }
}

/// Each actor's credential tried once before the first scenario, so that a wrong key is one
/// clear error instead of a failure per scenario.
async fn authenticate(runner: &RunState<'_>) -> Result<(), Stopped> {
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

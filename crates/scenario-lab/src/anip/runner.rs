//! Runs a checked pack against one live service: order by `prior`, tokens, requests, probes, verdicts.

use super::run_state::{ApprovalSeen, Observed, RunError, RunState};
use super::{audit, expect, manifest_check, probe, request};
use scenario_lab_core::anip::ScenarioClass;
use scenario_lab_core::anip::pack::{Pack, Request, Scenario};
use scenario_lab_core::anip::run_report::{HygieneWarning, ScenarioRun, ServiceRun, Verdict};
use scenario_lab_core::check_result::CheckResult;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// The scenarios to run, in an order where each comes after its `prior` (file order otherwise):
/// the selected ones and everything they need.
pub fn run_order(pack: &Pack, selected: &dyn Fn(&Scenario) -> bool) -> Vec<usize> {
    let index: BTreeMap<&str, usize> = pack
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.value.as_str(), i))
        .collect();
    let mut wanted = BTreeSet::new();
    let mut stack: Vec<usize> = (0..pack.scenarios.len())
        .filter(|&i| selected(&pack.scenarios[i]))
        .collect();
    while let Some(i) = stack.pop() {
        if wanted.insert(i) {
            stack.extend(
                pack.scenarios[i]
                    .prior
                    .iter()
                    .filter_map(|p| index.get(p.value.as_str())),
            );
        }
    }
    let mut order = Vec::new();
    let mut placed = BTreeSet::new();
    while order.len() < wanted.len() {
        let before = order.len();
        for &i in &wanted {
            let ready = pack.scenarios[i]
                .prior
                .iter()
                .filter_map(|p| index.get(p.value.as_str()))
                .all(|p| placed.contains(p));
            if !placed.contains(&i) && ready {
                placed.insert(i);
                order.push(i);
            }
        }
        if order.len() == before {
            break; // a cycle: the offline check refuses such packs before a run
        }
    }
    order
}

impl RunState<'_> {
    /// Runs `order`, reporting each scenario to `progress` as it ends.
    pub async fn run(
        &mut self,
        order: &[usize],
        progress: &mut (dyn FnMut(&ScenarioRun) + Send),
    ) -> ServiceRun {
        let mut runs: Vec<ScenarioRun> = Vec::new();
        for &i in order {
            let scenario = &self.pack.scenarios[i];
            let blocked: Vec<&str> = scenario
                .prior
                .iter()
                .filter(|p| {
                    runs.iter()
                        .any(|r| r.id == p.value && r.verdict != Verdict::Passed)
                })
                .map(|p| p.value.as_str())
                .collect();
            let run = if blocked.is_empty() {
                self.scenario(scenario).await
            } else {
                skipped(
                    scenario,
                    &format!("needs {} first, which did not pass", blocked.join(", ")),
                )
            };
            progress(&run);
            runs.push(run);
        }
        ServiceRun {
            service: self.client.base().to_owned(),
            scenarios: runs,
            hygiene: std::mem::take(&mut self.hygiene),
        }
    }

    async fn scenario(&mut self, scenario: &Scenario) -> ScenarioRun {
        let started = Instant::now();
        let waited_before = self.client.waited_us();
        if matches!(scenario.request, Some(Request::Ask(_))) && self.agent.is_none() {
            return skipped(
                scenario,
                "an agent-facing scenario: pass the agent app with --agent URL",
            );
        }
        let mut slept = std::time::Duration::ZERO;
        if scenario.wait_seconds > 0 {
            let before = Instant::now();
            tokio::time::sleep(std::time::Duration::from_secs(scenario.wait_seconds)).await;
            slept = before.elapsed();
        }
        let mut steps = Vec::new();
        let mut checks = Vec::new();
        let observed = match self.execute(scenario, &mut steps, &mut checks).await {
            Ok(observed) => observed,
            Err(error) => {
                checks.push(CheckResult::fail("request", error.to_string()));
                Observed::default()
            }
        };
        for failure in &observed.failures {
            for message in scenario_lab_core::anip::wire::hygiene(failure) {
                let warning = HygieneWarning {
                    scenario: scenario.id.value.clone(),
                    message,
                };
                if !self.hygiene.contains(&warning) {
                    self.hygiene.push(warning);
                }
            }
        }
        if !observed.answers.is_empty() {
            expect::outcome_checks(scenario, &observed, &mut checks);
            self.follow_up_check(scenario, &observed, &mut checks);
            self.audit_checks(scenario, &observed, &mut steps, &mut checks)
                .await;
            self.capture(scenario, &observed, &mut checks);
        }
        let failed = checks.iter().any(|c| !c.ok);
        ScenarioRun {
            id: scenario.id.value.clone(),
            class: class_name(scenario),
            verdict: if failed {
                Verdict::Failed
            } else {
                Verdict::Passed
            },
            outcome: observed.outcome,
            checks,
            steps,
            ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            busy_us: u64::try_from(started.elapsed().saturating_sub(slept).as_micros())
                .unwrap_or(u64::MAX),
            http_us: self.client.waited_us() - waited_before,
        }
    }

    /// Probes before, the request, probes after: what was observed, with mutation checks.
    async fn execute(
        &mut self,
        scenario: &Scenario,
        steps: &mut Vec<String>,
        checks: &mut Vec<CheckResult>,
    ) -> Result<Observed, RunError> {
        let before = self.read_probes(scenario, steps).await?;
        let sources: Vec<String> = self
            .pack
            .outcome_sources
            .iter()
            .map(|s| s.value.clone())
            .collect();
        let observed = match &scenario.request {
            Some(Request::Invoke(invoke)) => {
                request::invoke_all(self, scenario, invoke, steps).await?
            }
            Some(Request::Grant(grant)) => {
                request::issue_grant(self, scenario, grant, steps).await?
            }
            Some(Request::Manifest) => manifest_check::observe(self, scenario, steps).await?,
            Some(Request::Ask(ask)) => request::ask_agent(self, scenario, ask, steps).await?,
            None => Observed::default(),
        };
        // The agent's answer is its own outcome; the service's are read from the answers.
        let observed = if matches!(scenario.request, Some(Request::Ask(_)) | None) {
            observed
        } else {
            observed.finish(&sources)
        };
        let after = self.read_probes(scenario, steps).await?;
        for (probe, delta) in &scenario.expect.mutation {
            let check = match (before.get(&probe.value), after.get(&probe.value)) {
                (Some(Ok(a)), Some(Ok(b))) => {
                    let seen = b - a;
                    CheckResult::of(
                        &format!("mutation.{}", probe.value),
                        seen == *delta,
                        format!("`{}` changed by {seen} (expected {delta})", probe.value),
                    )
                }
                (Some(Err(e)), _) | (_, Some(Err(e))) => {
                    CheckResult::fail(&format!("mutation.{}", probe.value), e.clone())
                }
                _ => CheckResult::fail(
                    &format!("mutation.{}", probe.value),
                    "the probe was not read",
                ),
            };
            checks.push(check);
        }
        Ok(observed)
    }

    async fn read_probes(
        &mut self,
        scenario: &Scenario,
        steps: &mut Vec<String>,
    ) -> Result<BTreeMap<String, Result<i64, String>>, RunError> {
        let mut values = BTreeMap::new();
        for (name, _) in &scenario.expect.mutation {
            let Some(probe) = self.pack.probes.get(&name.value) else {
                continue;
            };
            steps.push(format!("probe {}", name.value));
            let value = probe::read(self, probe).await?;
            values.insert(name.value.clone(), value);
        }
        Ok(values)
    }

    /// A follow-up after a clarification keeps the capability the clarification was about.
    fn follow_up_check(
        &self,
        scenario: &Scenario,
        observed: &Observed,
        checks: &mut Vec<CheckResult>,
    ) {
        if scenario.class.as_ref().map(|c| c.value) != Some(ScenarioClass::FollowUp) {
            return;
        }
        let before = scenario
            .prior
            .iter()
            .find_map(|p| self.asked.get(&p.value).and_then(|(_, c)| c.clone()));
        if let Some(before) = before {
            let now = observed.capability.as_deref().unwrap_or("none");
            checks.push(CheckResult::of(
                "capability.kept",
                now == before,
                format!("the follow-up uses `{now}`; the clarification was about `{before}`"),
            ));
        }
    }

    fn capture(&mut self, scenario: &Scenario, observed: &Observed, checks: &mut Vec<CheckResult>) {
        let Some(answer) = observed.answers.first() else {
            return;
        };
        for capture in &scenario.capture {
            match crate::json_path::first(answer, &capture.path.value) {
                Ok(Some(value)) => {
                    self.captures.insert(capture.name.value.clone(), value);
                }
                Ok(None) => checks.push(CheckResult::fail(
                    &format!("capture.{}", capture.name.value),
                    format!("`{}` matched nothing in the answer", capture.path.value),
                )),
                Err(error) => checks.push(CheckResult::fail(
                    &format!("capture.{}", capture.name.value),
                    error,
                )),
            }
        }
        if let Some(id) = answer
            .pointer("/failure/approval_required/approval_request_id")
            .and_then(Value::as_str)
        {
            let seen = ApprovalSeen {
                default_grant_type: answer
                    .pointer("/failure/approval_required/grant_policy/default_grant_type")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                invocation_id: answer
                    .get("invocation_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            };
            self.approvals.insert(id.to_owned(), seen);
        }
        if let Some(Request::Grant(_)) = &scenario.request
            && let (Some(grant), Some(apr)) = (
                answer.get("grant_id").and_then(Value::as_str),
                answer.get("approval_request_id").and_then(Value::as_str),
            )
        {
            self.grants.insert(grant.to_owned(), apr.to_owned());
        }
    }

    async fn audit_checks(
        &self,
        scenario: &Scenario,
        observed: &Observed,
        steps: &mut Vec<String>,
        checks: &mut Vec<CheckResult>,
    ) {
        let Some(audit) = &scenario.expect.audit else {
            return;
        };
        steps.push("audit as the requester and the approver".to_owned());
        match audit::linkage(self, observed, audit).await {
            Ok(found) => checks.extend(found),
            Err(error) => checks.push(CheckResult::fail("audit", error.to_string())),
        }
    }
}

fn class_name(scenario: &Scenario) -> String {
    scenario
        .class
        .as_ref()
        .map_or(ScenarioClass::CapabilitySelection.as_str(), |c| {
            c.value.as_str()
        })
        .to_owned()
}

fn skipped(scenario: &Scenario, why: &str) -> ScenarioRun {
    ScenarioRun {
        id: scenario.id.value.clone(),
        class: class_name(scenario),
        verdict: Verdict::Skipped,
        outcome: None,
        checks: vec![CheckResult::skip("run", why)],
        steps: Vec::new(),
        ms: 0,
        busy_us: 0,
        http_us: 0,
    }
}

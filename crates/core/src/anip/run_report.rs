//! The report of `scenario-lab anip run`: scenario verdicts, and protocol hygiene on its own axis.

use crate::check_result::CheckResult;
use serde::{Deserialize, Serialize};

/// A whole run: one pack against one or more services.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PackRunReport {
    /// The pack's path.
    pub pack: String,
    /// One run per service.
    pub services: Vec<ServiceRun>,
    /// Scenarios whose outcome differs between services (several `--service`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcome_drift: Vec<OutcomeDrift>,
}

/// The pack's scenarios against one service.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ServiceRun {
    /// The base URL.
    pub service: String,
    /// Each scenario selected, in run order.
    pub scenarios: Vec<ScenarioRun>,
    /// Protocol hygiene warnings: they never fail a scenario.
    pub hygiene: Vec<HygieneWarning>,
}

/// A verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every expectation held.
    Passed,
    /// One did not.
    Failed,
    /// Not run: a scenario it needs failed, or its kind needs `--agent`.
    Skipped,
}

/// One scenario's run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScenarioRun {
    /// Its id.
    pub id: String,
    /// Its class.
    pub class: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The outcome observed (`success`, a failure type, or an outcome source's value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Each expectation checked.
    pub checks: Vec<CheckResult>,
    /// What the runner did, in order (`token requester`, `invoke fixture.reset_tenant`, …).
    pub steps: Vec<String>,
    /// Wall time in milliseconds.
    pub ms: u64,
    /// Wall time in microseconds, less the `wait_seconds` sleep (the benchmark's figure).
    pub busy_us: u64,
    /// Microseconds spent in HTTP round trips (the runner's own overhead is `busy_us - http_us`).
    pub http_us: u64,
}

/// A protocol hygiene finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HygieneWarning {
    /// The scenario whose answer showed it.
    pub scenario: String,
    /// What was found.
    pub message: String,
}

/// One scenario's outcomes across services.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutcomeDrift {
    /// The scenario.
    pub scenario: String,
    /// `(service, outcome)` for each service.
    pub outcomes: Vec<(String, Option<String>)>,
}

impl PackRunReport {
    /// `(passed, failed, skipped)` over every service.
    pub fn counts(&self) -> (usize, usize, usize) {
        let all = self.services.iter().flat_map(|s| &s.scenarios);
        let count = |v: Verdict| all.clone().filter(|r| r.verdict == v).count();
        (
            count(Verdict::Passed),
            count(Verdict::Failed),
            count(Verdict::Skipped),
        )
    }

    /// Whether anything failed (a scenario, or outcomes that differ between services).
    pub fn failed(&self) -> bool {
        self.counts().1 > 0 || !self.outcome_drift.is_empty()
    }
}

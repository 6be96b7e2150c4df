//! The result of a live validation as plain data: global checks, one run per scenario, leaks.
//! The CLI renders it (summary table, JSON, JUnit, HTML) and the proxy streams it to the editor.

use crate::check_result::CheckResult;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Rows a run left behind or removed in one table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Leak {
    /// The scenario whose run changed the table.
    pub scenario: String,
    /// The run's id (`<scenario>-repeat` for the concurrent instances).
    pub test_run_id: String,
    /// The table.
    pub table: String,
    /// Positive: rows left behind (orphans). Negative: rows deleted that `up` never created.
    pub rows: i64,
}

/// The proof of one scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioRun {
    /// The recipe's name.
    pub name: String,
    /// Every check passed.
    pub ok: bool,
    /// The run id sent with `up`.
    pub test_run_id: String,
    /// Milliseconds `up` took, when it answered.
    pub up_ms: Option<u64>,
    /// Milliseconds `down` took, when it answered.
    pub down_ms: Option<u64>,
    /// The checks in the order they ran.
    pub checks: Vec<CheckResult>,
    /// Records per model as `up` returned them.
    pub refs_counts: BTreeMap<String, usize>,
    /// The auth block with every value masked.
    pub auth: Option<Value>,
    /// Wall time of the whole scenario (snapshot, up, checks, down, checks).
    pub wall_ms: u64,
    /// Database queries issued per phase.
    pub queries: BTreeMap<String, usize>,
}

impl ScenarioRun {
    /// Whether the teardown checks (`down.*`, `db.gone`, `db.untouched`) all passed.
    #[must_use]
    pub fn torn_down_cleanly(&self) -> bool {
        self.checks
            .iter()
            .filter(|c| c.id.starts_with("down.") || c.id == "db.gone" || c.id == "db.untouched")
            .all(|c| c.ok)
    }
}

/// The whole validation, as `--report-json` writes it and the proxy streams it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateReport {
    /// Every check passed.
    pub ok: bool,
    /// The endpoint URL as given.
    pub endpoint: String,
    /// Where the endpoint redirected every request to (followed with the same body and
    /// signature), when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirected_to: Option<String>,
    /// Checks of the whole workspace: discover, coverage, integrity, preflight, database.
    pub checks: Vec<CheckResult>,
    /// One run per scenario.
    pub scenarios: Vec<ScenarioRun>,
    /// The protocol probes.
    pub conformance: Vec<CheckResult>,
    /// Tables whose row counts did not come back.
    pub leaked: Vec<Leak>,
    /// Runs whose teardown is still owed (in the pending ledger).
    pub pending: usize,
    /// Teardowns of crashed runs retried before this validation (the reaper).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reaped: Vec<String>,
    /// How the records `up` created were proven (or that they were not).
    #[serde(default)]
    pub records: RecordsProof,
    /// The scenario-side repairs `validate --reconcile` made, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<ScenarioEdit>,
}

/// One repair of a scenario file by `validate --reconcile`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioEdit {
    /// The file, as reports name it.
    pub file: String,
    /// The 1-based line of the first changed line.
    pub line: usize,
    /// That line before.
    pub before: String,
    /// That line after.
    pub after: String,
    /// Why: the failure's cause and the repair.
    pub why: String,
}

/// How a validation proved the records: by read-only SQL, by HTTP read probes, or not at all
/// (then `db.created`, `db.gone` and `db.untouched` are skipped and the verdict rests on the
/// endpoint's answers alone).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordsProof {
    /// `--database-url`.
    Database,
    /// `[probes]` in `scenario-lab.toml`.
    Probes,
    /// Neither: records were not proven.
    #[default]
    NotProven,
}

impl RecordsProof {
    /// What the summary line says when records were not proven.
    pub const NOT_PROVEN: &'static str =
        "records not proven: no --database-url and no [probes] in scenario-lab.toml";
}

impl ValidateReport {
    /// Every check: global, per scenario, conformance.
    pub fn all_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .chain(self.scenarios.iter().flat_map(|s| s.checks.iter()))
            .chain(self.conformance.iter())
    }

    /// Sets `ok` from the checks.
    pub fn compute_ok(&mut self) {
        let ok = self.all_checks().all(|c| c.ok);
        self.ok = ok;
    }
}

/// Replaces every string value in an auth block with `****(N chars)`; cookie attributes and
/// names stay readable.
#[must_use]
pub fn mask_auth(auth: &Value) -> Value {
    match auth {
        Value::String(s) => Value::String(format!("****({} chars)", s.chars().count())),
        Value::Array(items) => Value::Array(items.iter().map(mask_auth).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let keep = matches!(
                        k.as_str(),
                        "name" | "path" | "domain" | "sameSite" | "httpOnly" | "secure" | "expires"
                    );
                    (k.clone(), if keep { v.clone() } else { mask_auth(v) })
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn auth_values_are_masked_and_cookie_attributes_kept() {
        let masked = mask_auth(&json!({
            "cookies": [{"name": "session", "value": "abc", "path": "/"}],
            "headers": {"Authorization": "Bearer xyz"}
        }));
        assert_eq!(
            masked,
            json!({
                "cookies": [{"name": "session", "value": "****(3 chars)", "path": "/"}],
                "headers": {"Authorization": "****(10 chars)"}
            })
        );
    }

    #[test]
    fn the_report_uses_one_naming_convention() {
        let run = ScenarioRun {
            up_ms: Some(1),
            ..ScenarioRun::default()
        };
        let text = serde_json::to_string(&run).unwrap();
        assert!(
            text.contains("\"upMs\":1") && text.contains("\"testRunId\""),
            "{text}"
        );
        assert!(!text.contains('_'), "{text}");
    }
}

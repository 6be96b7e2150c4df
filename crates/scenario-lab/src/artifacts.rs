//! The files a validation writes: the validated recipes, `.scenario-validation.json` (with the
//! proof of the recipes it validated) and the `.endpoint-validated` sentinel.

use crate::atomic_file::{write_atomic, write_private};
use scenario_lab_core::run_report::{RecordsProof, ScenarioRun, ValidateReport};
use scenario_lab_core::signing;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::path::Path;

/// `.scenario-validation.json`: the plugin's nine keys, plus the proof of the recipes this tool
/// validated (what `upload` checks).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationFile {
    pub status: String,
    pub preflight_passed: bool,
    pub smoke_test_passed: bool,
    pub validated_scenarios: Vec<String>,
    pub failed_scenarios: Vec<String>,
    pub blocking_issues: Vec<String>,
    pub recipe_path: String,
    pub validation_mode: String,
    pub endpoint_url: String,
    /// HMAC-SHA256 of the validated `scenario-recipes.json` bytes under this workspace's proof
    /// key (`.scenario-lab/proof.key`, which the proxy never serves or writes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipes_proof: Option<String>,
    /// How the records were proven (`database`, `probes`, or `not-proven`).
    #[serde(default)]
    pub records: RecordsProof,
    /// The scenario-side repairs `validate --reconcile` made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<scenario_lab_core::run_report::ScenarioEdit>,
}

impl ValidationFile {
    /// The file for a finished validation.
    pub fn new(report: &ValidateReport, preflight_passed: bool) -> ValidationFile {
        let names = |ok: bool| {
            report
                .scenarios
                .iter()
                .filter(|r| r.ok == ok)
                .map(|r| r.name.clone())
                .collect()
        };
        ValidationFile {
            status: if report.ok { "ok" } else { "failed" }.to_owned(),
            preflight_passed,
            smoke_test_passed: report.ok,
            validated_scenarios: names(true),
            failed_scenarios: names(false),
            blocking_issues: report
                .all_checks()
                .filter(|c| !c.ok)
                .map(|c| match &c.diagnosis {
                    Some(d) => format!("{}: [{}] {}", c.id, d.lead(), c.message),
                    None => format!("{}: {}", c.id, c.message),
                })
                .collect(),
            recipe_path: "autonoma/scenario-recipes.json".to_owned(),
            validation_mode: "endpoint-lifecycle".to_owned(),
            endpoint_url: report.endpoint.clone(),
            recipes_proof: None,
            records: report.records,
            edits: report.edits.clone(),
        }
    }

    /// Whether it says the validation passed (status ok, preflight passed).
    pub fn says_ok(&self) -> bool {
        self.status == "ok" && self.preflight_passed
    }
}

/// The proof of `recipes` under the workspace's key, creating the key (owner-only) the first time.
pub fn recipes_proof(workspace: &Path, recipes: &[u8]) -> std::io::Result<String> {
    let path = workspace.join(".scenario-lab").join("proof.key");
    let key = match std::fs::read_to_string(&path) {
        Ok(key) if key.trim().len() >= 32 => key.trim().to_owned(),
        _ => {
            let key = format!(
                "{:016x}{:016x}{:016x}{:016x}",
                rand::random::<u64>(),
                rand::random::<u64>(),
                rand::random::<u64>(),
                rand::random::<u64>()
            );
            write_private(&path, key.as_bytes())?;
            key
        }
    };
    Ok(signing::sign_body(&key, recipes))
}

/// The recipes file with each validated recipe's `validation` block set from its run.
pub fn validated_recipes(recipes: &Value, runs: &[ScenarioRun]) -> Value {
    let mut out = recipes.clone();
    out["validationMode"] = json!("endpoint-lifecycle");
    if let Some(list) = out.get_mut("recipes").and_then(Value::as_array_mut) {
        for recipe in list {
            let Some(run) = recipe
                .get("name")
                .and_then(Value::as_str)
                .and_then(|n| runs.iter().find(|r| r.name == n))
            else {
                continue;
            };
            recipe["validation"] = json!({
                "status": "validated",
                "method": "endpoint-up-down",
                "phase": "ok",
                "up_ms": run.up_ms.unwrap_or(0),
                "down_ms": run.down_ms.unwrap_or(0),
            });
        }
    }
    out
}

/// The plain-text sentinel report.
pub fn sentinel_text(report: &ValidateReport, models: usize, recipe_path: &str) -> String {
    let runs = &report.scenarios;
    let mut auth_kinds: Vec<String> = runs
        .iter()
        .filter_map(|r| {
            r.auth
                .as_ref()?
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>())
        })
        .flatten()
        .collect();
    auth_kinds.sort();
    auth_kinds.dedup();
    let down = match report.records {
        RecordsProof::Database => "no orphans (table counts back to their snapshot)",
        RecordsProof::Probes => "no orphans (the probes list every model as before)",
        RecordsProof::NotProven => {
            "records not proven (no --database-url and no [probes]): judged on the endpoint's answers alone"
        }
    };
    let edits = if report.edits.is_empty() {
        "none".to_owned()
    } else {
        report
            .edits
            .iter()
            .map(|e| {
                format!(
                    "{}:{} `{}` -> `{}` ({})",
                    e.file,
                    e.line,
                    e.before.trim(),
                    e.after.trim(),
                    e.why
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let n = runs.len();
    format!(
        "Validated {n} scenarios across {models} models.\n\
         - discover: all audited models present, all independently_created factories registered\n\
         - up: all {n} scenarios created successfully, auth returned {{{}}}\n\
         - down: all {n} scenarios cleaned up, {down}\n\
         - recipes: {recipe_path} emitted, preflight passed\n\
         - scenarios.md edits: {edits}\n\
         - validated by scenario-lab {}\n",
        auth_kinds.join("|"),
        env!("CARGO_PKG_VERSION"),
    )
}

/// Writes the artifacts of a finished validation: on success the validated recipes, the
/// validation file with their proof and the sentinel; on failure the validation file and no
/// sentinel. Returns what it did, for people.
pub fn write(
    dir: &Path,
    recipes_name: &str,
    report: &ValidateReport,
    recipes: &Value,
    preflight_passed: bool,
    models: usize,
) -> std::io::Result<String> {
    let mut validation = ValidationFile::new(report, preflight_passed);
    validation.recipe_path = format!("{}/{recipes_name}", folder_name(dir));
    let sentinel = dir.join(".endpoint-validated");
    if report.ok {
        let validated = artifacts_json(&validated_recipes(recipes, &report.scenarios));
        write_atomic(&dir.join(recipes_name), validated.as_bytes())?;
        validation.recipes_proof = Some(recipes_proof(dir, validated.as_bytes())?);
        write_atomic(
            &dir.join(".scenario-validation.json"),
            artifacts_json(&validation).as_bytes(),
        )?;
        write_atomic(
            &sentinel,
            sentinel_text(report, models, &validation.recipe_path).as_bytes(),
        )?;
        return Ok(format!(
            "wrote {recipes_name}, .scenario-validation.json and .endpoint-validated in {}",
            dir.display()
        ));
    }
    write_atomic(
        &dir.join(".scenario-validation.json"),
        artifacts_json(&validation).as_bytes(),
    )?;
    let removed = match std::fs::remove_file(&sentinel) {
        Ok(()) => "; removed the stale .endpoint-validated sentinel",
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => "",
        Err(error) => return Err(error),
    };
    Ok(format!(
        "wrote .scenario-validation.json (status failed); no sentinel{removed}"
    ))
}

/// The workspace folder's own name (`autonoma`, `.autonoma`), as artifacts name paths.
fn folder_name(dir: &Path) -> String {
    dir.file_name().map_or_else(
        || "autonoma".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Pretty JSON with a final newline, as artifacts are written.
fn artifacts_json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

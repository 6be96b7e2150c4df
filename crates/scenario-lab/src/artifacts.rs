//! The files a validation writes: validated recipes, `.scenario-validation.json`, the
//! `.endpoint-validated` sentinel and the pending-teardown ledger. Every write is atomic.

use crate::lifecycle::{PendingTeardown, ScenarioRun};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Writes `contents` to a temporary file beside `path`, then renames it over `path`.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("artifact");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temp, contents)?;
    std::fs::rename(&temp, path)
}

/// The pending-teardown ledger, `autonoma/.scenario-lab/pending.json`.
pub fn ledger_path(dir: &Path) -> PathBuf {
    dir.join(".scenario-lab").join("pending.json")
}

pub fn read_ledger(dir: &Path) -> Vec<PendingTeardown> {
    std::fs::read_to_string(ledger_path(dir))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn write_ledger(dir: &Path, entries: &[PendingTeardown]) -> std::io::Result<()> {
    let path = ledger_path(dir);
    if entries.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    write_atomic(
        &path,
        serde_json::to_string_pretty(entries)
            .unwrap_or_default()
            .as_bytes(),
    )
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

/// The nine keys of `.scenario-validation.json`.
pub fn validation_file(
    ok: bool,
    preflight_passed: bool,
    runs: &[ScenarioRun],
    blocking: &[String],
    endpoint: &str,
) -> Value {
    json!({
        "status": if ok { "ok" } else { "failed" },
        "preflightPassed": preflight_passed,
        "smokeTestPassed": ok,
        "validatedScenarios": runs.iter().filter(|r| r.ok).map(|r| r.name.clone()).collect::<Vec<_>>(),
        "failedScenarios": runs.iter().filter(|r| !r.ok).map(|r| r.name.clone()).collect::<Vec<_>>(),
        "blockingIssues": blocking,
        "recipePath": "autonoma/scenario-recipes.json",
        "validationMode": "endpoint-lifecycle",
        "endpointUrl": endpoint,
    })
}

/// The plain-text sentinel report.
pub fn sentinel_text(runs: &[ScenarioRun], models: usize) -> String {
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
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for run in runs {
        for (model, n) in &run.refs_counts {
            *counts.entry(model.as_str()).or_default() += n;
        }
    }
    format!(
        "Validated {} scenarios across {models} models.\n\
         - discover: all audited models present, all independently_created factories registered\n\
         - up: all {} scenarios created successfully, auth returned {{{}}}\n\
         - down: all {} scenarios cleaned up, no orphans (table counts back to their snapshot)\n\
         - recipes: autonoma/scenario-recipes.json emitted, preflight passed\n\
         - scenarios.md edits: none\n\
         - validated by scenario-lab {}\n",
        runs.len(),
        runs.len(),
        auth_kinds.join("|"),
        runs.len(),
        env!("CARGO_PKG_VERSION"),
    )
}

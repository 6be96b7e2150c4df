//! `scenario-lab conformance`: the protocol probes alone.

use super::CommandError;
use crate::cli::{ConformanceArgs, exit};
use crate::conformance;
use crate::database::DbContext;
use crate::endpoint::EndpointClient;
use crate::lifecycle;
use crate::terminal::{eprint_safe, print_safe};
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::FileKind;
use serde_json::Value;
use std::fmt::Write;

/// The resolved create maps of the workspace's recipes (the token probes use the smallest).
fn creates(args: &ConformanceArgs) -> Vec<Value> {
    let Ok(dir) = WorkspaceDir::read(&args.workspace.dir) else {
        return Vec::new();
    };
    // A planner's bare recipe is the envelope of one, as `validate` reads it.
    let recipes: Value = dir
        .text(FileKind::Recipes)
        .and_then(|t| serde_json::from_str(t).ok())
        .map_or(Value::Null, scenario_lab_core::dialect::as_envelope);
    scenario_lab_core::dialect::envelope_recipes(&recipes)
        .filter_map(|r| {
            let id = lifecycle::new_test_run_id("conformance", 1);
            scenario_lab_core::tokens::resolve_recipe(r, &id).ok()
        })
        .collect()
}

/// Runs the probes and prints one line per check and a verdict.
pub async fn run(args: &ConformanceArgs) -> Result<u8, CommandError> {
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let db = match &args.database_url {
        Some(url) => match DbContext::counts_only(url).await {
            Ok(db) => Some(db),
            Err(error) => {
                eprint_safe(&format!("error: {error}\n"));
                return Ok(exit::UNREACHABLE);
            }
        },
        None => None,
    };
    let checks = match conformance::run(&client, db.as_ref(), &creates(args)).await {
        Ok(checks) => checks,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::UNREACHABLE);
        }
    };
    let mut out = String::new();
    for check in &checks {
        let _ = writeln!(out, "{:<4} {}: {}", check.mark(), check.id, check.message);
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    let _ = writeln!(
        out,
        "conformance {}: {} passed, {failed} failed",
        if failed == 0 { "passed" } else { "failed" },
        checks.iter().filter(|c| c.ok && !c.skipped).count()
    );
    print_safe(&out);
    Ok(if failed == 0 {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

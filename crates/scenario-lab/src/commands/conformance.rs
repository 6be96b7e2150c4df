//! `scenario-lab conformance`: the protocol probes alone.

use crate::cli::{ConformanceArgs, exit};
use crate::conformance;
use crate::endpoint::EndpointClient;
use crate::lifecycle::{self, DbContext};
use serde_json::Value;

/// `scenario-lab conformance`: the protocol probes alone.
pub async fn run(args: &ConformanceArgs) -> anyhow::Result<u8> {
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let creates: Vec<Value> =
        std::fs::read_to_string(args.workspace.dir.join("scenario-recipes.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|file| {
                let list = file.get("recipes")?.as_array()?.clone();
                Some(
                    list.iter()
                        .filter_map(|r| {
                            scenario_lab_core::tokens::resolve_recipe(
                                r,
                                &lifecycle::new_test_run_id("conformance", 1),
                            )
                            .ok()
                        })
                        .collect(),
                )
            })
            .unwrap_or_default();
    let db = match &args.database_url {
        Some(url) => {
            let db = match crate::database::ReadOnlyDb::connect(url).await {
                Ok(db) => db,
                Err(error) => {
                    eprintln!("error: {error}");
                    return Ok(exit::UNREACHABLE);
                }
            };
            let catalog = db.catalog().await.unwrap_or_default();
            Some(DbContext {
                db,
                tables: Default::default(),
                id_columns: Default::default(),
                catalog,
            })
        }
        None => None,
    };
    match conformance::run(&client, db.as_ref(), &creates).await {
        Ok(checks) => {
            for check in &checks {
                println!(
                    "{:<4} {}: {}",
                    if check.skipped {
                        "skip"
                    } else if check.ok {
                        "ok"
                    } else {
                        "FAIL"
                    },
                    check.id,
                    check.message
                );
            }
            let failed = checks.iter().filter(|c| !c.ok).count();
            println!(
                "conformance {}: {} passed, {failed} failed",
                if failed == 0 { "passed" } else { "failed" },
                checks.iter().filter(|c| c.ok && !c.skipped).count()
            );
            Ok(if failed == 0 {
                exit::OK
            } else {
                exit::CHECK_FAILED
            })
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(exit::UNREACHABLE)
        }
    }
}

//! The smaller live commands: `discover`, `down --pending`, `conformance` and `upload`.

use crate::artifacts;
use crate::cli::{ConformanceArgs, DiscoverArgs, DownArgs, UploadArgs};
use crate::conformance;
use crate::endpoint::Action;
use crate::lifecycle::{self, DbContext};
use crate::preflight_command::exit;
use crate::validate_command::{self, client_or_usage};
use serde_json::Value;

/// `scenario-lab discover`: signed discover, shape check, `discover.json` in stable order.
pub async fn discover(args: &DiscoverArgs) -> anyhow::Result<u8> {
    let client = match client_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    match validate_command::discover(&client).await {
        Ok((_, Some(body), check)) if check.ok => {
            let path = args.dir.join("discover.json");
            artifacts::write_atomic(
                &path,
                (serde_json::to_string_pretty(&body)? + "\n").as_bytes(),
            )?;
            println!("{}; wrote {}", check.message, path.display());
            Ok(exit::OK)
        }
        Ok((_, _, check)) => {
            eprintln!("error: discover failed: {}", check.message);
            Ok(exit::CHECK_FAILED)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(exit::UNREACHABLE)
        }
    }
}

/// `scenario-lab down --pending`: retries every ledger entry, keeps the ones that still fail.
pub async fn down(args: &DownArgs) -> anyhow::Result<u8> {
    if !args.pending {
        eprintln!(
            "error: pass --pending to retry the teardowns in {}",
            artifacts::ledger_path(&args.dir).display()
        );
        return Ok(exit::USAGE);
    }
    let client = match client_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let entries = artifacts::read_ledger(&args.dir);
    if entries.is_empty() {
        println!("no pending teardowns");
        return Ok(exit::OK);
    }
    let mut left = Vec::new();
    for entry in entries {
        match client.call(Action::Down, &entry.down_body()).await {
            Ok(response) if response.status == 200 => {
                println!("torn down {} ({})", entry.test_run_id, entry.scenario)
            }
            Ok(response) => {
                eprintln!(
                    "still pending {}: {}",
                    entry.test_run_id,
                    lifecycle::explain(&response)
                );
                left.push(entry);
            }
            Err(error) => {
                eprintln!("still pending {}: {error}", entry.test_run_id);
                left.push(entry);
            }
        }
    }
    artifacts::write_ledger(&args.dir, &left)?;
    Ok(if left.is_empty() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

/// `scenario-lab conformance`: the protocol probes alone.
pub async fn conformance(args: &ConformanceArgs) -> anyhow::Result<u8> {
    let client = match client_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let creates: Vec<Value> = std::fs::read_to_string(args.dir.join("scenario-recipes.json"))
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

/// `scenario-lab upload`: posts the recipes to the platform, only after a passed validation.
pub async fn upload(args: &UploadArgs) -> anyhow::Result<u8> {
    match upload_recipes(&args.dir, args.setup.clone(), args.api_url.clone()).await {
        Ok(message) => {
            println!("{message}");
            Ok(exit::OK)
        }
        Err((code, message)) => {
            eprintln!("error: {message}");
            Ok(code)
        }
    }
}

/// Uploads `dir/scenario-recipes.json` when `.scenario-validation.json` says ok. `Err` carries
/// the exit code and the message (shared by the CLI and the proxy's `/api/upload`).
pub async fn upload_recipes(
    dir: &std::path::Path,
    setup: Option<String>,
    api_url: Option<String>,
) -> Result<String, (u8, String)> {
    let validation: Option<Value> = std::fs::read_to_string(dir.join(".scenario-validation.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let validated = validation.as_ref().is_some_and(|v| {
        v.get("status").and_then(Value::as_str) == Some("ok")
            && v.get("preflightPassed") == Some(&Value::Bool(true))
    });
    if !validated {
        return Err((
            exit::CHECK_FAILED,
            ".scenario-validation.json does not say ok\n  help: run `scenario-lab validate --write` first; upload refuses unproven recipes".into(),
        ));
    }
    let api = api_url.ok_or((
        exit::USAGE,
        "no API URL: pass --api-url or set AUTONOMA_API_URL".to_owned(),
    ))?;
    let key = std::env::var("AUTONOMA_API_KEY")
        .or_else(|_| std::env::var("AUTONOMA_API_TOKEN"))
        .map_err(|_| (exit::USAGE, "AUTONOMA_API_KEY is not set".to_owned()))?;
    let setup = setup
        .or_else(|| {
            std::fs::read_to_string(dir.join(".generation-id"))
                .ok()
                .map(|s| s.trim().to_owned())
        })
        .filter(|s| !s.is_empty())
        .ok_or((
            exit::USAGE,
            "no setup id: pass --setup or write autonoma/.generation-id".to_owned(),
        ))?;
    let body = std::fs::read(dir.join("scenario-recipes.json")).map_err(|e| {
        (
            exit::USAGE,
            format!("cannot read scenario-recipes.json: {e}"),
        )
    })?;
    let url = format!(
        "{}/v1/setup/setups/{setup}/scenario-recipe-versions",
        api.trim_end_matches('/')
    );
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(body)
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
        .map_err(|error| {
            (
                exit::UNREACHABLE,
                format!("platform unreachable at {url}: {error}"),
            )
        })?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let json: Option<Value> = serde_json::from_str(&text).ok();
    let ok = matches!(status, 200 | 201)
        && json
            .as_ref()
            .and_then(|b| b.get("ok"))
            .and_then(Value::as_bool)
            == Some(true);
    if ok {
        let count = json
            .as_ref()
            .and_then(|b| b.get("scenarioCount"))
            .cloned()
            .unwrap_or(Value::Null);
        Ok(format!("uploaded: {count} scenarios (HTTP {status})"))
    } else {
        let detail: String = text.chars().take(4000).collect();
        Err((
            exit::CHECK_FAILED,
            format!("upload refused: HTTP {status}: {detail}"),
        ))
    }
}

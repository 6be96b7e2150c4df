//! The upload of validated recipes to the platform, shared by `scenario-lab upload` and the proxy.

use crate::cli::exit;
use serde_json::Value;

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

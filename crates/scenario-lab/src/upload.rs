//! The upload of validated recipes to the platform, shared by `scenario-lab upload` and the
//! proxy: only recipes whose proof a validation of this tool recorded, to a well-formed setup id.

use crate::artifacts::{ValidationFile, recipes_proof};
use crate::cli::exit;
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::FileKind;
use serde_json::Value;

/// Why an upload did not happen: the exit code and a message for people.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UploadError {
    pub code: u8,
    pub message: String,
}

fn refuse(code: u8, message: impl Into<String>) -> UploadError {
    UploadError {
        code,
        message: message.into(),
    }
}

/// Whether `id` looks like a platform setup id: letters, digits, `-` and `_`, at most 128.
pub fn valid_setup_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The recipes bytes, when `.scenario-validation.json` says ok and its proof matches them.
fn proven_recipes(dir: &WorkspaceDir) -> Result<String, UploadError> {
    let unproven = |why: &str| {
        refuse(
            exit::CHECK_FAILED,
            format!(
                "{why}\n  help: run `scenario-lab validate --write` first; upload sends only recipes this tool proved"
            ),
        )
    };
    let validation: ValidationFile = dir
        .text(FileKind::Validation)
        .and_then(|t| serde_json::from_str(t).ok())
        .ok_or_else(|| unproven(".scenario-validation.json is missing or unreadable"))?;
    if !validation.says_ok() {
        return Err(unproven(".scenario-validation.json does not say ok"));
    }
    let recipes = dir
        .text(FileKind::Recipes)
        .ok_or_else(|| unproven(&format!("{} is missing", dir.name(FileKind::Recipes))))?;
    let expected = recipes_proof(&dir.dir, recipes.as_bytes())
        .map_err(|e| refuse(exit::USAGE, format!("cannot read the proof key: {e}")))?;
    if validation.recipes_proof.as_deref() != Some(expected.as_str()) {
        return Err(unproven(&format!(
            "{} is not the file a validation of this tool proved (it changed since, or the validation file was not written by `validate --write`)",
            dir.name(FileKind::Recipes)
        )));
    }
    Ok(recipes.to_owned())
}

/// The setup id from the argument or `.generation-id`, checked.
fn setup_id(dir: &WorkspaceDir, setup: Option<String>) -> Result<String, UploadError> {
    let from_file = || dir.other(".generation-id").ok().flatten();
    let setup = setup
        .or_else(from_file)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            refuse(
                exit::USAGE,
                "no setup id: pass --setup or write autonoma/.generation-id",
            )
        })?;
    if !valid_setup_id(&setup) {
        return Err(refuse(
            exit::USAGE,
            format!(
                "`{}` is not a setup id (letters, digits, `-` and `_` only)",
                setup.escape_debug()
            ),
        ));
    }
    Ok(setup)
}

/// Uploads the workspace's proven recipes. Returns what the platform said.
pub async fn upload_recipes(
    dir: &WorkspaceDir,
    setup: Option<String>,
    api_url: Option<String>,
) -> Result<String, UploadError> {
    let body = proven_recipes(dir)?;
    let api = api_url.ok_or_else(|| {
        refuse(
            exit::USAGE,
            "no API URL: pass --api-url or set AUTONOMA_API_URL",
        )
    })?;
    let key = std::env::var("AUTONOMA_API_KEY")
        .or_else(|_| std::env::var("AUTONOMA_API_TOKEN"))
        .map_err(|_| refuse(exit::USAGE, "AUTONOMA_API_KEY is not set"))?;
    let setup = setup_id(dir, setup)?;
    let url = format!(
        "{}/v1/setup/setups/{setup}/scenario-recipe-versions",
        api.trim_end_matches('/')
    );
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(body)
        .timeout(std::time::Duration::from_mins(1))
        .send()
        .await
        .map_err(|error| {
            refuse(
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
        Err(refuse(
            exit::CHECK_FAILED,
            format!("upload refused: HTTP {status}: {detail}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_ids_are_plain() {
        assert!(valid_setup_id("cm1abc_DEF-42"));
        assert!(!valid_setup_id("../../elsewhere/x?q="));
        assert!(!valid_setup_id(""));
        assert!(!valid_setup_id("a b"));
    }
}

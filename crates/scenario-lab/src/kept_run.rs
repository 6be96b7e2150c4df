//! A scenario brought up and kept up (`scenario-lab up`, the editor's Up): the recipe from disk,
//! one signed `up`, the refs token in the ledger as a kept run until `down --run` tears it down.

use crate::endpoint::{EndpointClient, EndpointError};
use crate::ledger::{KEPT, Ledger, LedgerEntry, LedgerError};
use crate::lifecycle::{explain, new_test_run_id};
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::FileKind;
use scenario_lab_core::protocol::{Request, UpAnswer, UpRequest};
use serde_json::Value;

/// Why nothing was brought up.
#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    #[error("{0}")]
    Recipe(String),
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// What came up.
#[derive(Debug)]
pub struct KeptRun {
    pub scenario: String,
    pub test_run_id: String,
    pub status: u16,
    pub up_ms: u64,
    /// The answer explained.
    pub message: String,
    /// The answer (default when it was not an up answer).
    pub answer: UpAnswer,
}

impl KeptRun {
    /// Whether a refs token came back (the run is in the ledger).
    pub fn kept(&self) -> bool {
        self.answer.refs_token.is_some()
    }
}

/// Brings `scenario` of the workspace up and records it in the ledger as kept.
pub async fn bring_up(
    client: &EndpointClient,
    dir: &WorkspaceDir,
    scenario: &str,
) -> Result<KeptRun, KeepError> {
    let name = dir.name(FileKind::Recipes);
    let text = dir
        .text(FileKind::Recipes)
        .ok_or_else(|| KeepError::Recipe(format!("{name} not found")))?;
    let recipes: Value = serde_json::from_str(text)
        .map(scenario_lab_core::dialect::as_envelope)
        .map_err(|e| KeepError::Recipe(format!("{name}: {e} (run `scenario-lab preflight`)")))?;
    let recipe = scenario_lab_core::dialect::envelope_recipes(&recipes)
        .find(|r| r.get("name").and_then(Value::as_str) == Some(scenario))
        .ok_or_else(|| KeepError::Recipe(format!("no recipe named `{scenario}`")))?;
    let test_run_id = new_test_run_id(scenario, 1);
    let create = scenario_lab_core::tokens::resolve_recipe(recipe, &test_run_id)
        .map_err(|e| KeepError::Recipe(format!("{scenario}: {e}")))?;
    let response = client
        .call(&Request::Up(UpRequest {
            create,
            test_run_id: Some(test_run_id.clone()),
        }))
        .await?;
    let answer: UpAnswer = response.decode().unwrap_or_default();
    if let Some(token) = &answer.refs_token {
        let refs = answer.refs.clone().map_or(Value::Null, Value::Object);
        let mut entry = LedgerEntry::new(scenario, &test_run_id, token, refs, client.url());
        entry.kept = true;
        KEPT.clone_into(&mut entry.reason);
        Ledger::for_workspace(&dir.dir).add(entry)?;
    }
    Ok(KeptRun {
        scenario: scenario.to_owned(),
        test_run_id,
        status: response.status,
        up_ms: response.elapsed_ms,
        message: explain(&response, client.url()),
        answer,
    })
}

/// Which record each login value of the auth block belongs to: (path in the auth block, model,
/// record id). The values themselves are never returned.
pub fn logins(answer: &UpAnswer) -> Vec<(String, String, String)> {
    let mut leaves = Vec::new();
    if let Some(auth) = &answer.auth {
        string_leaves(auth, "auth", &mut leaves);
    }
    let mut found = Vec::new();
    for (path, value) in leaves.iter().filter(|(_, v)| v.len() >= 3) {
        let owner = answer.refs.iter().flatten().find_map(|(model, records)| {
            records.as_array()?.iter().find_map(|record| {
                let fields = record.as_object()?;
                fields
                    .iter()
                    .any(|(key, v)| key != "id" && v.as_str() == Some(value.as_str()))
                    .then(|| {
                        (
                            model.clone(),
                            record.get("id").map_or_else(String::new, id_text),
                        )
                    })
            })
        });
        if let Some((model, id)) = owner {
            found.push((path.clone(), model, id));
        }
    }
    found
}

fn id_text(id: &Value) -> String {
    id.as_str().map_or_else(|| id.to_string(), str::to_owned)
}

fn string_leaves(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                string_leaves(item, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                string_leaves(item, &format!("{path}.{key}"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_login_is_traced_to_its_record_without_its_value() {
        let answer: UpAnswer = serde_json::from_value(json!({
            "auth": {"credentials": {"email": "owner@acme.test", "password": "Test1234!"}},
            "refs": {"User": [{"id": "usr_1", "email": "owner@acme.test", "password": "Test1234!"}]},
            "refsToken": "t"
        }))
        .unwrap();
        let found = logins(&answer);
        assert!(found.contains(&(
            "auth.credentials.email".into(),
            "User".into(),
            "usr_1".into()
        )));
    }
}

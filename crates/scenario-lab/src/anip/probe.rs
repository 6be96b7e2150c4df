//! Reads a probe (a read capability, an HTTP GET or a read-only SQL query) as a number.

use super::run_state::{RunError, RunState};
use crate::database::ReadOnlyDb;
use crate::json_path::first as json_path;
use scenario_lab_core::anip::pack::{Probe, ProbeSource};
use scenario_lab_core::anip::wire::{InvokeRequest, TokenRequest};
use serde_json::Value;

/// The probe's number; the inner `Err` says why it could not be read (the check fails, the
/// run goes on); the outer one stops the run (service unreachable, credential refused).
pub async fn read(
    runner: &mut RunState<'_>,
    probe: &Probe,
) -> Result<Result<i64, String>, RunError> {
    let answer = match &probe.source {
        ProbeSource::Invoke {
            capability,
            parameters,
            actor,
        } => {
            let actor = actor.as_ref().map_or("requester", |a| a.value.as_str());
            let key = format!("{actor} {}", capability.value);
            let jwt = if let Some(jwt) = runner.probe_tokens.get(&key) {
                jwt.clone()
            } else {
                let scope = runner
                    .manifest
                    .capabilities
                    .get(&capability.value)
                    .map(|c| c.minimum_scope.clone())
                    .unwrap_or_default();
                let request = TokenRequest {
                    scope,
                    capability: Some(capability.value.clone()),
                    ttl_hours: Some(2),
                    session_id: None,
                };
                let jwt = runner.token(actor, &request).await?.token;
                runner.probe_tokens.insert(key, jwt.clone());
                jwt
            };
            let body = InvokeRequest {
                parameters: parameters.clone(),
                approval_grant: None,
                client_reference_id: Some("scenario-lab-probe".to_owned()),
                requested_effects: Vec::new(),
            };
            runner
                .client
                .invoke(&jwt, &capability.value, &body)
                .await?
                .json
        }
        ProbeSource::Http { url } => runner.client.get(url).await?.json,
        ProbeSource::Sql {
            query,
            database_url_env,
        } => return Ok(sql(query, database_url_env).await),
    };
    Ok(number(&answer, &probe.path.value))
}

fn number(answer: &Value, path: &str) -> Result<i64, String> {
    match json_path(answer, path)? {
        Some(value) => value
            .as_i64()
            .or_else(|| {
                value
                    .as_array()
                    .map(|a| i64::try_from(a.len()).unwrap_or(i64::MAX))
            })
            .ok_or_else(|| format!("`{path}` is {value}, not a number")),
        None => Err(format!("`{path}` matched nothing in the probe's answer")),
    }
}

async fn sql(query: &str, env: &str) -> Result<i64, String> {
    let url = std::env::var(env).map_err(|_| {
        format!("the environment variable {env} (the probe's database URL) is not set")
    })?;
    let db = ReadOnlyDb::connect(&url).await.map_err(|e| e.to_string())?;
    db.scalar(query).await.map_err(|e| e.to_string())
}

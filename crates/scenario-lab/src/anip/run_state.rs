//! What a pack run keeps between its steps, below them all: the service's client, the
//! credentials, captures, approvals seen, and the observed answer each step reads.

use super::client::{AnipClient, ClientError};
use scenario_lab_core::anip::Manifest;
use scenario_lab_core::anip::pack::Pack;
use scenario_lab_core::anip::run_report::HygieneWarning;
use scenario_lab_core::anip::wire::{Failure, TokenAnswer, TokenRequest};
use scenario_lab_core::check_result::CheckResult;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Actor name → (environment variable, credential). Credentials never leave this struct except
/// as a Bearer header.
#[derive(Clone, Default)]
pub struct Credentials(pub BTreeMap<String, (String, String)>);

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

/// Why a run stopped before giving verdicts.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("the environment variable {env} (the bootstrap credential of `{actor}`) is not set")]
    MissingCredential { actor: String, env: String },
}

/// An approval request as its stop showed it.
#[derive(Clone, Debug, Default)]
pub struct ApprovalSeen {
    /// The policy's default grant type (for a grant that names none).
    pub default_grant_type: Option<String>,
    /// The invocation that raised it (the audit's `parent_invocation_id`).
    pub invocation_id: Option<String>,
}

/// What the runner keeps between scenarios.
#[derive(Debug)]
pub struct RunState<'p> {
    pub pack: &'p Pack,
    pub client: AnipClient,
    pub manifest: Manifest,
    pub credentials: Credentials,
    pub agent: Option<String>,
    /// `${name}` → value.
    pub captures: BTreeMap<String, Value>,
    /// grant id → its approval request id (for audit linkage).
    pub grants: BTreeMap<String, String>,
    /// approval request id → what the stop that raised it showed.
    pub approvals: BTreeMap<String, ApprovalSeen>,
    /// `ask` scenario id → (question, the capability the agent chose).
    pub asked: BTreeMap<String, (String, Option<String>)>,
    /// Probe tokens, issued once per run ("actor capability" → JWT).
    pub probe_tokens: BTreeMap<String, String>,
    pub hygiene: Vec<HygieneWarning>,
}

impl RunState<'_> {
    /// A fresh token for `actor` (never printed).
    pub async fn token(
        &self,
        actor: &str,
        request: &TokenRequest,
    ) -> Result<TokenAnswer, RunError> {
        let (env, credential) =
            self.credentials
                .0
                .get(actor)
                .ok_or_else(|| RunError::MissingCredential {
                    actor: actor.to_owned(),
                    env: self
                        .pack
                        .actors
                        .get(actor)
                        .map_or_else(|| "?".to_owned(), |a| a.credential_env.clone()),
                })?;
        Ok(self.client.token((actor, env, credential), request).await?)
    }
}

/// What a request gave.
#[derive(Debug, Default)]
pub struct Observed {
    /// Each answer's JSON (several for a race).
    pub answers: Vec<Value>,
    /// The outcome (a race: `success` when exactly the expected number succeeded).
    pub outcome: Option<String>,
    /// Each answer's outcome.
    pub outcomes: Vec<String>,
    /// Failures seen (for protocol hygiene).
    pub failures: Vec<Failure>,
    /// The invocation id of the (first) answer.
    pub invocation_id: Option<String>,
    /// The grant presented, resolved.
    pub grant_used: Option<String>,
    /// The token the request was made with (held in memory only, for the audit read).
    pub jwt: Option<String>,
    /// The agent's chosen capability and clarification field.
    pub capability: Option<String>,
    pub clarification_field: Option<String>,
    /// Checks the request itself made (the manifest's signature and identity).
    pub checks: Vec<CheckResult>,
}

/// `${name}` replaced by captured values: a whole-string use keeps the value's type.
pub fn substitute(value: &Value, captures: &BTreeMap<String, Value>) -> Value {
    match value {
        Value::String(text) => {
            if let Some(name) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}'))
                && let Some(found) = captures.get(name)
            {
                return found.clone();
            }
            Value::String(substitute_str(text, captures))
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute(v, captures)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, captures)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `${name}` inside a string replaced by the captured value's text.
pub fn substitute_str(text: &str, captures: &BTreeMap<String, Value>) -> String {
    let mut out = text.to_owned();
    for (name, value) in captures {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        out = out.replace(&format!("${{{name}}}"), &text);
    }
    out
}

/// The outcome of one answer: the pack's sources first, then `success` or `failure.type`.
pub fn outcome_of(answer: &Value, sources: &[String]) -> String {
    for source in sources {
        if let Ok(Some(Value::String(found))) = crate::json_path::first(answer, source) {
            return found;
        }
    }
    if answer.get("success").and_then(Value::as_bool) == Some(true)
        || answer.get("grant_id").is_some()
    {
        return "success".to_owned();
    }
    answer
        .pointer("/failure/type")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_owned()
}

impl Observed {
    /// Each answer's outcome, failures and the first invocation id, read from the answers.
    #[must_use]
    pub fn finish(mut self, sources: &[String]) -> Observed {
        self.outcomes = self
            .answers
            .iter()
            .map(|a| outcome_of(a, sources))
            .collect();
        self.failures = self
            .answers
            .iter()
            .filter_map(|a| a.get("failure").and_then(|f| Failure::deserialize(f).ok()))
            .collect();
        self.invocation_id = self.answers.first().and_then(|a| {
            a.get("invocation_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        if self.outcome.is_none() {
            self.outcome = self.outcomes.first().cloned();
        }
        self
    }
}

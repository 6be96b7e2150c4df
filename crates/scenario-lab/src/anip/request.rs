//! Performs a scenario's request (invoke, race, grant, manifest, ask) and records what came back.

use super::runner::{RunError, Runner};
use scenario_lab_core::anip::pack::{Ask, GrantRequest, Invoke, Request, Scenario};
use scenario_lab_core::anip::wire::{
    AgentAnswer, AgentQuestion, Failure, GrantIssue, InvokeRequest, TokenRequest,
};
use scenario_lab_core::check_result::CheckResult;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

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

/// Performs the scenario's request.
pub async fn perform(
    runner: &mut Runner<'_>,
    scenario: &Scenario,
    steps: &mut Vec<String>,
) -> Result<Observed, RunError> {
    let sources: Vec<String> = runner
        .pack
        .outcome_sources
        .iter()
        .map(|s| s.value.clone())
        .collect();
    let mut observed = match &scenario.request {
        Some(Request::Invoke(invoke)) => invoke_all(runner, scenario, invoke, steps).await?,
        Some(Request::Grant(grant)) => issue_grant(runner, scenario, grant, steps).await?,
        Some(Request::Manifest) => super::manifest_check::observe(runner, scenario, steps).await?,
        Some(Request::Ask(ask)) => return ask_agent(runner, scenario, ask, steps).await,
        None => return Ok(Observed::default()),
    };
    observed.outcomes = observed
        .answers
        .iter()
        .map(|a| outcome_of(a, &sources))
        .collect();
    observed.failures = observed
        .answers
        .iter()
        .filter_map(|a| a.get("failure").and_then(|f| Failure::deserialize(f).ok()))
        .collect();
    observed.invocation_id = observed.answers.first().and_then(|a| {
        a.get("invocation_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    if observed.outcome.is_none() {
        observed.outcome = observed.outcomes.first().cloned();
    }
    Ok(observed)
}

async fn invoke_all(
    runner: &mut Runner<'_>,
    scenario: &Scenario,
    invoke: &Invoke,
    steps: &mut Vec<String>,
) -> Result<Observed, RunError> {
    let capability = &invoke.capability.value;
    let context = &scenario.token;
    let actor = context
        .actor
        .as_ref()
        .map_or("requester", |a| a.value.as_str());
    let scope = context.scope.clone().unwrap_or_else(|| {
        runner
            .manifest
            .capabilities
            .get(capability)
            .map(|c| c.minimum_scope.clone())
            .unwrap_or_default()
    });
    let token = runner
        .token(
            actor,
            &TokenRequest {
                scope,
                capability: Some(
                    context
                        .capability
                        .as_ref()
                        .map_or_else(|| capability.clone(), |c| c.value.clone()),
                ),
                ttl_hours: Some(context.ttl_hours.unwrap_or(1)),
                session_id: context.session.clone(),
            },
        )
        .await?;
    steps.push(format!("token for {actor}"));
    let body = InvokeRequest {
        parameters: substitute(&invoke.parameters.value, &runner.captures),
        approval_grant: invoke
            .approval_grant
            .as_ref()
            .map(|g| substitute_str(&g.value, &runner.captures)),
        client_reference_id: Some(scenario.id.value.clone()),
        requested_effects: invoke.requested_effects.clone(),
    };
    let calls = (0..invoke.parallel).map(|_| runner.client.invoke(&token.token, capability, &body));
    steps.push(if invoke.parallel > 1 {
        format!("invoke {capability} ×{} at once", invoke.parallel)
    } else {
        format!("invoke {capability}")
    });
    let answers = futures::future::join_all(calls).await;
    let mut observed = Observed {
        grant_used: body.approval_grant.clone(),
        jwt: Some(token.token),
        ..Observed::default()
    };
    for answer in answers {
        observed.answers.push(answer?.json);
    }
    if invoke.parallel > 1 {
        let successes = observed
            .answers
            .iter()
            .filter(|a| a.get("success").and_then(Value::as_bool) == Some(true))
            .count();
        observed.outcome = Some(format!("{successes} of {} succeeded", invoke.parallel));
    }
    Ok(observed)
}

async fn issue_grant(
    runner: &mut Runner<'_>,
    scenario: &Scenario,
    grant: &GrantRequest,
    steps: &mut Vec<String>,
) -> Result<Observed, RunError> {
    let context = &scenario.token;
    let actor = context
        .actor
        .as_ref()
        .map_or("approver", |a| a.value.as_str());
    let capability = context
        .capability
        .as_ref()
        .or(scenario.grant_for.as_ref())
        .map(|c| c.value.clone());
    let scope = context.scope.clone().unwrap_or_else(|| {
        vec![
            capability
                .as_ref()
                .map_or_else(|| "approver:*".to_owned(), |c| format!("approver:{c}")),
        ]
    });
    let token = runner
        .token(
            actor,
            &TokenRequest {
                scope,
                capability,
                ttl_hours: Some(context.ttl_hours.unwrap_or(1)),
                session_id: context.session.clone(),
            },
        )
        .await?;
    steps.push(format!("token for {actor}"));
    let approval_request_id = substitute_str(&grant.approval_request.value, &runner.captures);
    let grant_type = grant.grant_type.clone().unwrap_or_else(|| {
        runner
            .approvals
            .get(&approval_request_id)
            .and_then(|seen| seen.default_grant_type.clone())
            .unwrap_or_else(|| "one_time".to_owned())
    });
    let body = GrantIssue {
        approval_request_id,
        grant_type,
        expires_in_seconds: grant.expires_in_seconds,
        max_uses: grant.max_uses,
        session_id: grant.session.clone(),
    };
    steps.push(format!(
        "grant {} ({})",
        body.approval_request_id, body.grant_type
    ));
    let answer = runner.client.grant(&token.token, &body).await?;
    Ok(Observed {
        answers: vec![answer.json],
        ..Observed::default()
    })
}

async fn ask_agent(
    runner: &mut Runner<'_>,
    scenario: &Scenario,
    ask: &Ask,
    steps: &mut Vec<String>,
) -> Result<Observed, RunError> {
    let Some(agent) = runner.agent.clone() else {
        return Ok(Observed::default());
    };
    let question = AgentQuestion {
        actor: scenario
            .token
            .actor
            .as_ref()
            .map_or_else(|| "requester".to_owned(), |a| a.value.clone()),
        question: substitute_str(&ask.question.value, &runner.captures),
        history: conversation(runner, scenario, ask),
    };
    steps.push("ask the agent".to_owned());
    // The service's client (an absolute URL is used as it is): one connection pool, and the
    // agent's answer time counted as the run's HTTP time.
    let answer = runner.client.post_json(&agent, &question).await?;
    let decoded: AgentAnswer = super::client::decode(&answer, "the agent's answer")?;
    runner.asked.insert(
        scenario.id.value.clone(),
        (question.question.clone(), decoded.capability.clone()),
    );
    Ok(Observed {
        answers: vec![answer.json],
        outcome: Some(decoded.outcome.clone()),
        outcomes: vec![decoded.outcome],
        capability: decoded.capability,
        clarification_field: decoded.clarification_field,
        ..Observed::default()
    })
}

/// The prior turns: the questions of the `ask` scenarios this one follows (by `prior`, oldest
/// first), then the pack's own `history`.
fn conversation(runner: &Runner<'_>, scenario: &Scenario, ask: &Ask) -> Vec<String> {
    let mut turns: Vec<String> = scenario
        .prior
        .iter()
        .filter_map(|p| runner.asked.get(&p.value).map(|(q, _)| q.clone()))
        .collect();
    turns.extend(
        ask.history
            .iter()
            .map(|h| substitute_str(h, &runner.captures)),
    );
    turns
}

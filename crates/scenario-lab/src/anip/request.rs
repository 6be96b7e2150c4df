//! Performs a scenario's request (invoke, race, grant, ask) and records what came back.

use super::run_state::{Observed, RunError, RunState, substitute, substitute_str};
use scenario_lab_core::anip::pack::{Ask, GrantRequest, Invoke, Scenario};
use scenario_lab_core::anip::wire::{
    AgentAnswer, AgentQuestion, GrantIssue, InvokeRequest, TokenRequest,
};
use serde_json::Value;

/// An invoke (or a race of `parallel` invokes) with a fresh token.
pub async fn invoke_all(
    runner: &mut RunState<'_>,
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

/// An approval grant issued by the approver.
pub async fn issue_grant(
    runner: &mut RunState<'_>,
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

/// A question to the agent app (its answer's outcome is the agent's).
pub async fn ask_agent(
    runner: &mut RunState<'_>,
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
fn conversation(runner: &RunState<'_>, scenario: &Scenario, ask: &Ask) -> Vec<String> {
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

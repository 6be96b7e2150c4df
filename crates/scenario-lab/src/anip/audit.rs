//! Audit linkage: the stop's invocation → its approval request → the grant → the continuation,
//! read with the requester's token and the approver's (each sees only its root principal's).

use super::run_state::{Observed, RunError, RunState};
use scenario_lab_core::anip::pack::AuditExpect;
use scenario_lab_core::anip::wire::TokenRequest;
use scenario_lab_core::check_result::CheckResult;

/// The audit checks of one scenario (`expect.audit`).
pub async fn linkage(
    runner: &RunState<'_>,
    observed: &Observed,
    expect: &AuditExpect,
) -> Result<Vec<CheckResult>, RunError> {
    let mut checks = Vec::new();
    let (Some(jwt), Some(invocation)) = (&observed.jwt, &observed.invocation_id) else {
        return Ok(vec![CheckResult::fail("audit", "no invocation to look up")]);
    };
    let mine = runner
        .client
        .audit(jwt, &[("invocation_id", invocation)])
        .await?;
    let entry = mine
        .entries
        .iter()
        .find(|e| e.invocation_id.as_deref() == Some(invocation.as_str()));
    let Some(entry) = entry else {
        return Ok(vec![CheckResult::fail(
            "audit.entry",
            format!("the requester's audit has no entry for {invocation}"),
        )]);
    };
    checks.push(CheckResult::pass(
        "audit.entry",
        format!("the requester's audit has {invocation}"),
    ));
    if let Some(class) = &expect.event_class {
        let seen = entry.event_class.as_deref().unwrap_or("none");
        checks.push(CheckResult::of(
            "audit.event_class",
            seen == class,
            format!("event class `{seen}` (expected `{class}`)"),
        ));
    }
    if !expect.grant_linked {
        return Ok(checks);
    }
    let Some(grant) = &observed.grant_used else {
        checks.push(CheckResult::fail(
            "audit.grant",
            "the request presented no grant",
        ));
        return Ok(checks);
    };
    checks.push(CheckResult::of(
        "audit.grant",
        entry.approval_grant_id.as_deref() == Some(grant.as_str()),
        format!(
            "the invocation's entry names grant {}",
            entry.approval_grant_id.as_deref().unwrap_or("none")
        ),
    ));
    let approver = runner
        .token(
            "approver",
            &TokenRequest {
                scope: vec!["approver:*".to_owned()],
                ttl_hours: Some(1),
                ..TokenRequest::default()
            },
        )
        .await?;
    let theirs = runner.client.audit(&approver.token, &[]).await?;
    let issued = theirs.entries.iter().find(|e| {
        e.entry_type.as_deref() == Some("approval_grant_issued")
            && e.approval_grant_id.as_deref() == Some(grant.as_str())
    });
    let expected_request = runner.grants.get(grant);
    checks.push(CheckResult::of(
        "audit.grant_issued",
        issued.is_some_and(|e| {
            expected_request.is_none() || e.approval_request_id.as_ref() == expected_request
        }),
        match issued {
            Some(e) => format!(
                "the approver's audit records grant {grant} for request {}",
                e.approval_request_id.as_deref().unwrap_or("none")
            ),
            None => {
                format!("the approver's audit has no `approval_grant_issued` entry for {grant}")
            }
        },
    ));
    if let Some(request) = expected_request {
        checks.push(request_created(runner, jwt, request).await?);
    }
    Ok(checks)
}

/// The requester's `approval_request_created` entry follows the invocation that stopped.
async fn request_created(
    runner: &RunState<'_>,
    jwt: &str,
    request: &str,
) -> Result<CheckResult, RunError> {
    let Some(stop) = runner
        .approvals
        .get(request)
        .and_then(|seen| seen.invocation_id.clone())
    else {
        return Ok(CheckResult::skip(
            "audit.request_created",
            "the stop's invocation was not seen in this run",
        ));
    };
    let entries = runner
        .client
        .audit(jwt, &[("parent_invocation_id", &stop)])
        .await?
        .entries;
    let created = entries.iter().any(|e| {
        e.entry_type.as_deref() == Some("approval_request_created")
            && e.approval_request_id.as_deref() == Some(request)
            && e.parent_invocation_id.as_deref() == Some(stop.as_str())
    });
    Ok(CheckResult::of(
        "audit.request_created",
        created,
        if created {
            format!("the requester's audit links {stop} to request {request}")
        } else {
            format!(
                "the requester's audit has no `approval_request_created` for {request} after {stop}"
            )
        },
    ))
}

//! `POST /anip/invoke/{capability}`: the token's scope and purpose, a continuation's grant
//! (read-only checks, then the atomic reservation), the handler, and the audit entry.

use super::{AnipDemo, ApprovalRecord, Failed, Store, TokenRecord, new_id};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use scenario_lab_core::anip::manifest::json_digest as digest;
use serde_json::{Value, json};

/// The scopes of `decl`'s `minimum_scope` that `scope` lacks.
pub(super) fn missing_scope(decl: &Value, scope: &[String]) -> Vec<String> {
    decl["minimum_scope"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|s| !scope.iter().any(|t| t == s))
        .map(str::to_owned)
        .collect()
}

/// What one invocation is about.
struct Call<'a> {
    capability: &'a str,
    decl: &'a Value,
    token_id: &'a str,
    token: &'a TokenRecord,
    parameters: Value,
    invocation_id: String,
    client_reference_id: Value,
}

pub(super) async fn invoke(
    State(demo): State<AnipDemo>,
    Path(capability): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let (token_id, token) = match demo.token(&headers) {
        Ok(found) => found,
        Err(failed) => return failed.into_response(),
    };
    let invocation_id = new_id("inv-");
    let client_reference_id = body
        .get("client_reference_id")
        .cloned()
        .unwrap_or(Value::Null);
    let answered = |status: StatusCode, mut answer: Value| {
        answer["invocation_id"] = Value::String(invocation_id.clone());
        answer["client_reference_id"] = client_reference_id.clone();
        answer["task_id"] = Value::String(token.task_id.clone());
        answer["parent_invocation_id"] = Value::Null;
        answer["upstream_service"] = Value::Null;
        (status, Json(answer)).into_response()
    };
    // An undeclared capability is answered, not audited, as the runtime does.
    let Some(decl) = demo.declaration(&capability) else {
        let failed = Failed::new(
            StatusCode::NOT_FOUND,
            "unknown_capability",
            &format!("Capability '{capability}' not found"),
        )
        .resolved("check_manifest", "revalidate_then_retry");
        return answered(
            failed.status,
            json!({"success": false, "failure": failed.failure}),
        );
    };
    let call = Call {
        capability: &capability,
        decl,
        token_id: &token_id,
        token: &token,
        // The Python binding reads the whole body when `parameters` is absent.
        parameters: body
            .get("parameters")
            .cloned()
            .unwrap_or_else(|| body.clone()),
        invocation_id: invocation_id.clone(),
        client_reference_id: client_reference_id.clone(),
    };
    let grant = body.get("approval_grant").and_then(Value::as_str);
    let mut store = demo.store();
    let outcome = authorise(&call).and_then(|()| match grant {
        Some(grant) => reserve(&mut store, &call, grant).map(Some),
        None => Ok(None),
    });
    let (status, answer, audit) = match outcome {
        Ok(grant) => run(&mut store, &call, grant.as_deref()),
        Err(failed) => {
            let audit = json!({"approval_grant_id": grant});
            (
                failed.status,
                json!({"success": false, "failure": failed.failure}),
                audit,
            )
        }
    };
    super::audit::record_invocation(
        &mut store,
        &demo.audit_key(),
        &call_summary(&call),
        &answer,
        &audit,
    );
    answered(status, answer)
}

/// The fields of an invocation its audit entry names.
fn call_summary(call: &Call<'_>) -> Value {
    json!({
        "capability": call.capability,
        "token_id": call.token_id,
        "subject": call.token.subject,
        "root_principal": call.token.subject,
        "parameters": call.parameters,
        "invocation_id": call.invocation_id,
        "client_reference_id": call.client_reference_id,
        "task_id": call.token.task_id,
        "side_effect": call.decl["side_effect"]["type"],
    })
}

/// The token's delegation checks, in the runtime's order: scope, then purpose.
fn authorise(call: &Call<'_>) -> Result<(), Failed> {
    let missing = missing_scope(call.decl, &call.token.scope);
    let grantable_by = json!(call.token.subject);
    if !missing.is_empty() {
        let mut failed = Failed::new(
            StatusCode::FORBIDDEN,
            "scope_insufficient",
            &format!("delegation chain lacks scope(s): {}", missing.join(", ")),
        )
        .resolved("request_broader_scope", "redelegation_then_retry")
        .requiring(
            json!(format!("delegation.scope += {}", missing.join(", "))),
            grantable_by,
        );
        failed.failure["resolution"]["recovery_target"] = Value::Null;
        return Err(failed);
    }
    if let Some(bound) = &call.token.capability
        && bound != call.capability
    {
        let mut failed = Failed::new(
            StatusCode::FORBIDDEN,
            "purpose_mismatch",
            &format!(
                "delegation token purpose is {bound} but request is for {}",
                call.capability
            ),
        )
        .resolved("request_new_delegation", "redelegation_then_retry")
        .requiring(Value::Null, grantable_by);
        failed.failure["resolution"]["recovery_target"] = Value::Null;
        return Err(failed);
    }
    Ok(())
}

/// A `grant_*` failure: 400 and no `resolution`, as the 0.24.13 runtime answers.
fn grant_failure(kind: &str) -> Failed {
    Failed::new(
        StatusCode::BAD_REQUEST,
        kind,
        &format!("approval_grant validation failed: {kind}"),
    )
}

/// A continuation's grant: the read-only checks (SPEC §4.8 phase A), then the reservation
/// (phase B), under the store's lock so that racing continuations spend it once.
fn reserve(store: &mut Store, call: &Call<'_>, grant_id: &str) -> Result<String, Failed> {
    let now = Utc::now();
    let grant = store
        .grants
        .get_mut(grant_id)
        .ok_or_else(|| grant_failure("grant_not_found"))?;
    if grant.expires_at <= now {
        return Err(grant_failure("grant_expired"));
    }
    if grant.capability != call.capability {
        return Err(grant_failure("grant_capability_mismatch"));
    }
    if !grant.scope.iter().all(|s| call.token.scope.contains(s)) {
        return Err(grant_failure("grant_scope_mismatch"));
    }
    if grant.parameters_digest != digest(&call.parameters) {
        return Err(grant_failure("grant_param_drift"));
    }
    if grant.grant_type == "session_bound" && grant.session != call.token.session {
        return Err(grant_failure("grant_session_invalid"));
    }
    if grant.use_count >= grant.max_uses {
        return Err(grant_failure("grant_consumed"));
    }
    grant.use_count += 1;
    Ok(grant_id.to_owned())
}

/// The handler, with the grant reserved (if any): the answer's status and body, and what the
/// audit entry adds.
fn run(store: &mut Store, call: &Call<'_>, grant: Option<&str>) -> (StatusCode, Value, Value) {
    let tenant = call.parameters["tenant"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    match call.capability {
        "fixture.reset_tenant" if grant.is_none() => stop(store, call, &tenant),
        "fixture.reset_tenant" => {
            let deleted = store.rows.remove(&tenant).unwrap_or(0);
            store.resets += 1;
            let result = json!({"tenant": tenant, "deleted": deleted, "mutation_performed": true});
            (
                StatusCode::OK,
                json!({"success": true, "result": result}),
                json!({"approval_grant_id": grant}),
            )
        }
        _ => {
            let rows = store.rows.get(&tenant).copied().unwrap_or(0);
            let result = json!({"tenant": tenant, "rows": rows, "resets": store.resets});
            (
                StatusCode::OK,
                json!({"success": true, "result": result}),
                json!({"approval_grant_id": grant}),
            )
        }
    }
}

/// The gated handler without a grant: an approval request, before any side effect.
fn stop(store: &mut Store, call: &Call<'_>, tenant: &str) -> (StatusCode, Value, Value) {
    let request_id = new_id("apr_");
    let preview = json!({"tenant": tenant});
    let record = ApprovalRecord {
        capability: call.capability.to_owned(),
        scope: call.decl["minimum_scope"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        requester: call.token.subject.clone(),
        parameters_digest: digest(&call.parameters),
        preview_digest: digest(&preview),
        decided: false,
        made: 0,
    };
    let failure = json!({
        "type": "approval_required",
        "detail": format!("resetting {tenant} deletes its data"),
        "resolution": {"action": "request_approval", "recovery_class": "wait_then_retry"},
        "approval_required": {
            "approval_request_id": request_id,
            "preview_digest": record.preview_digest,
            "requested_parameters_digest": record.parameters_digest,
            "grant_policy": call.decl["grant_policy"],
        },
    });
    store.request_approval(request_id.clone(), record);
    (
        StatusCode::BAD_REQUEST,
        json!({"success": false, "failure": failure}),
        Value::Null,
    )
}

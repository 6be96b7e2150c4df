//! `POST /anip/approval_grants`: the approver's scope, the request's state, the grant policy,
//! and the signed grant.

use super::{AnipDemo, Failed, GrantRecord, new_id, timestamp};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use scenario_lab_core::anip::jws::sign_detached;
use scenario_lab_core::anip::manifest::canonical_json;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
pub(super) struct GrantBody {
    approval_request_id: String,
    grant_type: String,
    #[serde(default)]
    expires_in_seconds: Option<i64>,
    #[serde(default)]
    max_uses: Option<u64>,
    #[serde(default)]
    session_id: Option<String>,
}

fn refused(kind: &str, detail: &str) -> Failed {
    Failed::new(StatusCode::BAD_REQUEST, kind, detail)
}

/// Whether the policy allows the grant asked for; its life and uses when it does.
fn within_policy(policy: &Value, body: &GrantBody) -> Result<(i64, u64), Failed> {
    let not_allowed = |detail: &str| {
        refused("grant_type_not_allowed_by_policy", detail)
            .resolved("contact_service_owner", "terminal")
            .requiring(Value::Null, Value::Null)
            .retry(false)
    };
    let allowed = policy["allowed_grant_types"]
        .as_array()
        .is_some_and(|types| types.iter().any(|t| t == body.grant_type.as_str()));
    let policy_life = policy["expires_in_seconds"].as_i64().unwrap_or(900);
    let policy_uses = policy["max_uses"].as_u64().unwrap_or(1);
    let life = body.expires_in_seconds.unwrap_or(policy_life);
    let one_time = body.grant_type == "one_time";
    if !allowed
        || life > policy_life
        || body.max_uses.is_some_and(|m| m > policy_uses)
        || (one_time && body.session_id.is_some())
        || (!one_time && body.session_id.is_none())
    {
        return Err(not_allowed(&format!(
            "grant_type '{}' with these terms is not allowed by the capability's grant_policy",
            body.grant_type
        )));
    }
    let uses = if one_time {
        1
    } else {
        body.max_uses.unwrap_or(policy_uses)
    };
    Ok((life, uses))
}

/// Issues a grant for a pending approval request.
pub(super) async fn issue(
    State(demo): State<AnipDemo>,
    headers: HeaderMap,
    Json(body): Json<GrantBody>,
) -> Result<Json<Value>, Failed> {
    let (_, approver) = demo.token(&headers)?;
    let mut store = demo.store();
    let request = store
        .approvals
        .get(&body.approval_request_id)
        .cloned()
        .ok_or_else(|| {
            Failed::new(
                StatusCode::NOT_FOUND,
                "approval_request_not_found",
                &format!("unknown approval_request_id='{}'", body.approval_request_id),
            )
            .resolved("check_manifest", "revalidate_then_retry")
        })?;
    let may = |s: &String| *s == "approver:*" || *s == format!("approver:{}", request.capability);
    if !approver.scope.iter().any(may) {
        let mut failed = Failed::new(
            StatusCode::FORBIDDEN,
            "approver_not_authorized",
            &format!(
                "token lacks approver scope for capability '{}'",
                request.capability
            ),
        )
        .resolved("request_broader_scope", "redelegation_then_retry");
        failed.failure["resolution"]["requires"] =
            json!(format!("scope += approver:{}", request.capability));
        return Err(failed);
    }
    if request.decided {
        return Err(refused(
            "approval_request_already_decided",
            &format!(
                "approval_request_id='{}' status='approved'",
                body.approval_request_id
            ),
        )
        .resolved("contact_service_owner", "terminal")
        .requiring(Value::Null, Value::Null)
        .retry(false));
    }
    let policy = demo
        .declaration(&request.capability)
        .map_or(Value::Null, |d| d["grant_policy"].clone());
    let (life, uses) = within_policy(&policy, &body)?;
    let now = Utc::now();
    // `life` is at most the policy's; a negative one gives an expired grant, never a panic.
    let expires_at = chrono::Duration::try_seconds(life)
        .and_then(|life| now.checked_add_signed(life))
        .unwrap_or(now);
    let grant_id = new_id("grant_");
    let mut grant = json!({
        "grant_id": grant_id,
        "approval_request_id": body.approval_request_id,
        "grant_type": body.grant_type,
        "capability": request.capability,
        "scope": request.scope,
        "approved_parameters_digest": request.parameters_digest,
        "preview_digest": request.preview_digest,
        "requester": {"subject": request.requester, "root_principal": request.requester},
        "approver": {"subject": approver.subject, "root_principal": approver.subject},
        "issued_at": timestamp(now),
        "expires_at": timestamp(expires_at),
        "max_uses": uses,
        "session_id": body.session_id,
    });
    // Signed over every field but `signature` and `use_count`.
    let signature = sign_detached(&demo.key, &demo.kid, canonical_json(&grant).as_bytes());
    grant["use_count"] = json!(0);
    grant["signature"] = Value::String(signature);
    if let Some(pending) = store.approvals.get_mut(&body.approval_request_id) {
        pending.decided = true;
    }
    store.forget_expired(now);
    store.grants.insert(
        grant_id.clone(),
        GrantRecord {
            capability: request.capability.clone(),
            scope: request.scope.clone(),
            grant_type: body.grant_type.clone(),
            parameters_digest: request.parameters_digest.clone(),
            expires_at,
            max_uses: uses,
            use_count: 0,
            session: body.session_id.clone(),
        },
    );
    super::audit::record_grant_issued(
        &mut store,
        &demo.audit_key(),
        &approver.subject,
        &body.approval_request_id,
        &grant_id,
        &request.capability,
    );
    Ok(Json(grant))
}

//! The audit log: an entry per invocation, `approval_request_created` after a stop (the
//! requester's) and `approval_grant_issued` (the approver's), each read only by its root
//! principal, newest first, filtered as `POST /anip/audit?…` asks; hash-chained and signed with
//! the audit key as the runtime's entries are.

use super::{AnipDemo, AuditRecord, Failed, Store, timestamp};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use chrono::Utc;
use scenario_lab_core::anip::jws::sign_jwt;
use scenario_lab_core::anip::manifest::json_digest;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The runtime's event class of an outcome (`classification.py`).
fn event_class(side_effect: &str, failure: Option<&str>) -> &'static str {
    match failure {
        Some("unknown_capability" | "streaming_not_supported" | "internal_error") => {
            "malformed_or_spam"
        }
        Some(_) => "high_risk_denial",
        None if side_effect == "read" => "low_risk_success",
        None => "high_risk_success",
    }
}

/// Every field an entry of the 0.24.13 runtime has, null until set.
const FIELDS: [&str; 34] = [
    "timestamp",
    "capability",
    "token_id",
    "issuer",
    "subject",
    "root_principal",
    "parameters",
    "success",
    "result_summary",
    "failure_type",
    "cost_actual",
    "delegation_chain",
    "invocation_id",
    "client_reference_id",
    "task_id",
    "parent_invocation_id",
    "upstream_service",
    "stream_summary",
    "event_class",
    "retention_tier",
    "expires_at",
    "storage_redacted",
    "entry_type",
    "approval_request_id",
    "approval_grant_id",
    "grouping_key",
    "aggregation_window",
    "aggregation_count",
    "first_seen",
    "last_seen",
    "representative_detail",
    "sequence_number",
    "previous_hash",
    "signature",
];

/// Appends an entry of `principal` with `fields` set, chained to the one before and signed.
fn push(store: &mut Store, key: &AuditKey<'_>, principal: &str, fields: &Value) {
    let now = Utc::now();
    let mut entry: serde_json::Map<String, Value> = FIELDS
        .iter()
        .map(|f| ((*f).to_owned(), Value::Null))
        .collect();
    for (k, v) in fields.as_object().into_iter().flatten() {
        entry.insert(k.clone(), v.clone());
    }
    entry.insert("timestamp".into(), json!(timestamp(now)));
    entry.insert("root_principal".into(), json!(principal));
    entry.insert("retention_tier".into(), json!("long"));
    entry.insert(
        "expires_at".into(),
        json!(timestamp(now + chrono::Duration::days(365))),
    );
    entry.insert("storage_redacted".into(), json!(false));
    entry.insert("sequence_number".into(), json!(store.appended + 1));
    // Chained by the hash each entry was signed over (computed once, when it was appended).
    let previous = store
        .audit
        .back()
        .map_or_else(|| "sha256:0".to_owned(), |r| r.hash.clone());
    entry.insert("previous_hash".into(), json!(previous));
    let mut entry = Value::Object(entry);
    let hash = json_digest(&entry);
    let audit_hash = hash.trim_start_matches("sha256:");
    entry["signature"] = json!(sign_jwt(
        key.key,
        key.kid,
        &json!({"audit_hash": audit_hash})
    ));
    store.audit.push_back(AuditRecord {
        principal: principal.to_owned(),
        entry,
        hash,
    });
    store.appended += 1;
    while store.audit.len() > store.audit_held {
        store.audit.pop_front();
    }
}

/// The key audit entries are signed with.
pub(super) struct AuditKey<'a> {
    pub(super) key: &'a p256::ecdsa::SigningKey,
    pub(super) kid: &'a str,
}

/// An invocation's entry (`call` says what was invoked, `extra` the grant it used), and after a
/// stop the requester's `approval_request_created` linked to it.
pub(super) fn record_invocation(
    store: &mut Store,
    key: &AuditKey<'_>,
    call: &Value,
    answer: &Value,
    extra: &Value,
) {
    let failure = answer["failure"]["type"].as_str();
    let side_effect = call["side_effect"].as_str().unwrap_or_default();
    let request = answer["failure"]["approval_required"]["approval_request_id"].clone();
    let entry = json!({
        "capability": call["capability"],
        "token_id": call["token_id"],
        "success": answer["success"] == true,
        "result_summary": answer.get("result").cloned().unwrap_or(Value::Null),
        "failure_type": failure,
        "delegation_chain": [call["token_id"]],
        "invocation_id": call["invocation_id"],
        "client_reference_id": call["client_reference_id"],
        "task_id": call["task_id"],
        "event_class": event_class(side_effect, failure),
        "approval_request_id": request,
        "approval_grant_id": extra["approval_grant_id"],
    });
    let principal = call["root_principal"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    push(store, key, &principal, &entry);
    if !request.is_null() {
        let created = json!({
            "entry_type": "approval_request_created",
            "capability": call["capability"],
            "parent_invocation_id": call["invocation_id"],
            "approval_request_id": request,
            "task_id": call["task_id"],
            "event_class": "high_risk_denial",
        });
        push(store, key, &principal, &created);
    }
}

/// The approver's `approval_grant_issued`.
pub(super) fn record_grant_issued(
    store: &mut Store,
    key: &AuditKey<'_>,
    approver: &str,
    request_id: &str,
    grant_id: &str,
    capability: &str,
) {
    let entry = json!({
        "entry_type": "approval_grant_issued",
        "capability": capability,
        "approval_request_id": request_id,
        "approval_grant_id": grant_id,
        "event_class": "high_risk_success",
        "success": true,
    });
    push(store, key, approver, &entry);
}

/// `POST /anip/audit`: the token's root principal's entries, newest first, filtered by the query.
pub(super) async fn query(
    State(demo): State<AnipDemo>,
    headers: HeaderMap,
    Query(filters): Query<BTreeMap<String, String>>,
) -> Result<Json<Value>, Failed> {
    let (_, token) = demo.token(&headers)?;
    let store = demo.store();
    let limit = filters
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let entries: Vec<&Value> = store
        .audit
        .iter()
        .rev()
        .filter(|r| r.principal == token.subject)
        .map(|r| &r.entry)
        .filter(|e| {
            filters
                .iter()
                .filter(|(k, _)| *k != "limit" && *k != "since")
                .all(|(k, v)| e[k.as_str()].as_str() == Some(v.as_str()))
        })
        .take(limit)
        .collect();
    Ok(Json(json!({
        "entries": entries,
        "count": entries.len(),
        "root_principal": token.subject,
        "capability_filter": filters.get("capability"),
        "since_filter": filters.get("since"),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anip_demo::AnipDemo;

    #[test]
    fn the_log_keeps_its_newest_entries_chained_and_numbered_on() {
        let demo = AnipDemo::new();
        let key = demo.audit_key();
        let mut store = demo.store();
        store.audit_held = 3;
        for _ in 0..5 {
            push(
                &mut store,
                &key,
                "human:alice",
                &json!({"event_class": "x"}),
            );
        }
        let kept: Vec<&AuditRecord> = store.audit.iter().collect();
        assert_eq!(kept.len(), 3);
        let numbers: Vec<u64> = kept
            .iter()
            .filter_map(|r| r.entry["sequence_number"].as_u64())
            .collect();
        assert_eq!(numbers, [3, 4, 5]);
        for pair in kept.windows(2) {
            assert_eq!(pair[1].entry["previous_hash"], pair[0].hash.as_str());
        }
    }
}

//! The anip/0.24 HTTP bodies the runner sends and reads, as the 0.24.13 runtime speaks them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// `GET /.well-known/anip`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DiscoveryDocument {
    /// The discovery body.
    pub anip_discovery: Discovery,
}

/// The discovery body.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Discovery {
    /// `anip/0.24`.
    #[serde(default)]
    pub protocol: String,
    /// Capability name → summary.
    #[serde(default)]
    pub capabilities: BTreeMap<String, Value>,
    /// Endpoint name → path.
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
}

/// `POST /anip/tokens` (root issuance with a bootstrap credential).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TokenRequest {
    /// Scopes (all required by the capability).
    pub scope: Vec<String>,
    /// The capability the token is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// Hours to live (0 gives an expired token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_hours: Option<u64>,
    /// The session the token belongs to (signed into the JWT as `anip:session_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// A token issued.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TokenAnswer {
    /// `true` when issued.
    #[serde(default)]
    pub issued: bool,
    /// The token's id.
    #[serde(default)]
    pub token_id: String,
    /// The JWT (a secret: never printed or written).
    #[serde(default)]
    pub token: String,
}

/// `POST /anip/invoke/{capability}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InvokeRequest {
    /// The parameters.
    pub parameters: Value,
    /// The grant for a continuation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_grant: Option<String>,
    /// Our reference (the scenario id), echoed and searchable in audit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_reference_id: Option<String>,
    /// Effects asked for (a runtime extension generated handlers read).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub requested_effects: Vec<String>,
}

/// An invocation's answer (success or failure).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct InvokeAnswer {
    /// Whether it succeeded.
    #[serde(default)]
    pub success: bool,
    /// The result on success.
    #[serde(default)]
    pub result: Option<Value>,
    /// The failure otherwise.
    #[serde(default)]
    pub failure: Option<Failure>,
    /// The invocation's id.
    #[serde(default)]
    pub invocation_id: Option<String>,
}

/// A failure (`failure` of an answer, or the body of a refused request).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Failure {
    /// `approval_required`, `grant_consumed`, `scope_insufficient`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Free text (never asserted: it differs across runtimes).
    #[serde(default)]
    pub detail: Option<String>,
    /// What to do (the schema requires it; `grant_*` failures of 0.24.13 leave it out).
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// The approval request, for `approval_required`.
    #[serde(default)]
    pub approval_required: Option<ApprovalRequired>,
}

/// `failure.resolution`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Resolution {
    /// The action (canonical ones are listed in [`CANONICAL_ACTIONS`]).
    #[serde(default)]
    pub action: Option<String>,
    /// Its recovery class.
    #[serde(default)]
    pub recovery_class: Option<String>,
}

/// `failure.approval_required`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ApprovalRequired {
    /// `apr_…`.
    #[serde(default)]
    pub approval_request_id: String,
    /// The policy an approver issues under.
    #[serde(default)]
    pub grant_policy: Option<Value>,
}

/// `POST /anip/approval_grants`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GrantIssue {
    /// The request being approved.
    pub approval_request_id: String,
    /// `one_time` or `session_bound`.
    pub grant_type: String,
    /// A life shorter than the policy's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in_seconds: Option<u64>,
    /// Uses (session-bound grants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u64>,
    /// The session a session-bound grant is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
}

/// `POST /anip/audit`'s answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuditAnswer {
    /// The entries visible to the token's root principal.
    #[serde(default)]
    pub entries: Vec<AuditEntry>,
}

/// One audit entry (the fields linkage reads).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuditEntry {
    /// `approval_request_created`, `approval_grant_issued`, or none for invocations.
    #[serde(default)]
    pub entry_type: Option<String>,
    /// The invocation.
    #[serde(default)]
    pub invocation_id: Option<String>,
    /// The invocation this entry follows (an approval request's stop).
    #[serde(default)]
    pub parent_invocation_id: Option<String>,
    /// `high_risk_success`, …
    #[serde(default)]
    pub event_class: Option<String>,
    /// The approval request it belongs to.
    #[serde(default)]
    pub approval_request_id: Option<String>,
    /// The grant it used or issued.
    #[serde(default)]
    pub approval_grant_id: Option<String>,
    /// The capability.
    #[serde(default)]
    pub capability: Option<String>,
}

/// `resolution.action` values of SPEC §4.5.
pub const CANONICAL_ACTIONS: [&str; 18] = [
    "retry_now",
    "provide_credentials",
    "wait_and_retry",
    "request_approval",
    "obtain_binding",
    "refresh_binding",
    "obtain_quote_first",
    "revalidate_state",
    "check_manifest",
    "request_broader_scope",
    "request_budget_increase",
    "request_budget_bound_delegation",
    "request_matching_currency_delegation",
    "request_new_delegation",
    "request_capability_binding",
    "request_deeper_delegation",
    "escalate_to_root_principal",
    "contact_service_owner",
];

/// Protocol-hygiene findings of one answer (never a scenario failure): a failure without
/// `resolution`, or with an action outside SPEC §4.5.
pub fn hygiene(failure: &Failure) -> Vec<String> {
    match &failure.resolution {
        None => vec![format!(
            "`{}` failure has no `resolution` (SPEC §4.5 requires one)",
            failure.kind
        )],
        Some(resolution) => match resolution.action.as_deref() {
            Some(action) if !CANONICAL_ACTIONS.contains(&action) => vec![format!(
                "`{}` failure has the non-canonical action `{action}`",
                failure.kind
            )],
            _ => Vec::new(),
        },
    }
}

/// What the runner asks an agent app (`--agent URL`, `POST`): the documented agent contract.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AgentQuestion {
    /// The actor asking (a pack actor name).
    pub actor: String,
    /// The utterance.
    pub question: String,
    /// Prior turns, oldest first.
    pub history: Vec<String>,
}

/// The agent app's answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentAnswer {
    /// The capability it chose (none when it refused or asked back).
    #[serde(default)]
    pub capability: Option<String>,
    /// `success`, `clarification_required`, `denied`, …
    #[serde(default)]
    pub outcome: String,
    /// The field a clarification asks for.
    #[serde(default)]
    pub clarification_field: Option<String>,
}

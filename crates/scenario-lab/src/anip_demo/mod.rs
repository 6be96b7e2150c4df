//! The embedded ANIP demo service of `scenario-lab demo`: the anip/0.24 wire as the 0.24.13
//! Python runtime answers it (reference/anip.md), with one read capability and one
//! approval-gated irreversible one, held to the real runtime by a differential test.

mod audit;
mod grants;
mod invoke;
pub mod launch;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};
use p256::ecdsa::SigningKey;
use scenario_lab_core::anip::jws::{public_jwk, sign_detached, sign_jwt, verify_jwt};
use scenario_lab_core::anip::manifest::{canonical_json, json_digest};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

/// The bootstrap credentials the demo service accepts, and whose they are. They open nothing but
/// this loopback demo, so they are documented rather than secret.
pub const DEMO_CREDENTIALS: [(&str, &str, &str); 2] = [
    (
        "ANIP_BEARER",
        "dev-requester-key",
        "human:alice@example.com",
    ),
    (
        "ANIP_APPROVER_BEARER",
        "dev-approver-key",
        "human:bob@example.com",
    ),
];

/// The service's id (the manifest's `service_identity.id`, the JWTs' issuer and audience).
const SERVICE_ID: &str = "scenario-lab-fixture";

/// The declarations, as the Python runtime writes the same two capabilities.
const CAPABILITIES: &str = include_str!("capabilities.json");

/// A token the service issued (its claims are compared with this record, as the runtime does).
#[derive(Clone, Debug)]
struct TokenRecord {
    subject: String,
    scope: Vec<String>,
    capability: Option<String>,
    session: Option<String>,
    task_id: String,
    /// Its `exp`: past it the JWT itself is refused, so the record can go.
    expires: DateTime<Utc>,
}

/// A stop's approval request.
#[derive(Clone, Debug)]
struct ApprovalRecord {
    capability: String,
    scope: Vec<String>,
    requester: String,
    parameters_digest: String,
    preview_digest: String,
    decided: bool,
    /// The how-manieth request it was (the oldest go first past [`APPROVALS_HELD`]).
    made: u64,
}

/// An issued grant and how often it was used.
#[derive(Clone, Debug)]
struct GrantRecord {
    capability: String,
    scope: Vec<String>,
    grant_type: String,
    parameters_digest: String,
    expires_at: DateTime<Utc>,
    max_uses: u64,
    use_count: u64,
    session: Option<String>,
}

/// One audit entry and whose it is (entries are scoped to the root principal).
#[derive(Clone, Debug)]
struct AuditRecord {
    principal: String,
    entry: Value,
    /// `sha256:` of the entry before its signature: what it is signed over, and chained by.
    hash: String,
}

/// Everything the service holds in memory.
#[derive(Debug)]
struct Store {
    resets: i64,
    rows: BTreeMap<String, i64>,
    tokens: BTreeMap<String, TokenRecord>,
    approvals: BTreeMap<String, ApprovalRecord>,
    grants: BTreeMap<String, GrantRecord>,
    /// The newest [`AUDIT_HELD`] entries (the oldest go first).
    audit: VecDeque<AuditRecord>,
    /// Entries appended since the start: the next entry's sequence number is this plus one.
    appended: u64,
    /// How many entries `audit` keeps ([`AUDIT_HELD`]).
    audit_held: usize,
    /// Approval requests made since the start.
    approvals_made: u64,
}

/// How many audit entries the demo keeps: a demo left running stays bounded.
const AUDIT_HELD: usize = 10_000;

/// How many approval requests the demo keeps, decided or not.
const APPROVALS_HELD: usize = 10_000;

/// How long an expired grant is kept, so that using it still says `grant_expired`.
const EXPIRED_GRANT_KEPT: chrono::Duration = chrono::Duration::days(1);

impl Store {
    /// Drops what can no longer change an answer: tokens past their `exp` (their JWT is refused
    /// before the store is read) and grants a day past their expiry.
    fn forget_expired(&mut self, now: DateTime<Utc>) {
        self.tokens.retain(|_, t| t.expires > now);
        self.grants.retain(|_, g| {
            g.expires_at
                .checked_add_signed(EXPIRED_GRANT_KEPT)
                .is_none_or(|gone| gone > now)
        });
    }

    /// Keeps `record` under `id`, dropping the oldest request past [`APPROVALS_HELD`].
    fn request_approval(&mut self, id: String, mut record: ApprovalRecord) {
        self.approvals_made += 1;
        record.made = self.approvals_made;
        if self.approvals.len() >= APPROVALS_HELD {
            let oldest = self
                .approvals
                .iter()
                .min_by_key(|(_, r)| r.made)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest {
                self.approvals.remove(&oldest);
            }
        }
        self.approvals.insert(id, record);
    }
}

/// The running service: its keys and its store.
#[derive(Clone, Debug)]
pub struct AnipDemo {
    key: Arc<SigningKey>,
    audit_key: Arc<SigningKey>,
    kid: String,
    audit_kid: String,
    capabilities: Arc<Value>,
    store: Arc<Mutex<Store>>,
}

/// A fresh P-256 key from random bytes (a draw outside the curve order is drawn again).
fn random_key() -> SigningKey {
    loop {
        if let Ok(key) = SigningKey::from_slice(&rand::random::<[u8; 32]>()) {
            return key;
        }
    }
}

/// `prefix` and twelve random hex digits, as the runtime names ids.
fn new_id(prefix: &str) -> String {
    format!("{prefix}{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, false)
}

impl Default for AnipDemo {
    fn default() -> Self {
        Self::new()
    }
}

impl AnipDemo {
    /// A service with fresh keys and the fixture state (tenant-a: 10 rows, tenant-b: 5).
    pub fn new() -> AnipDemo {
        let key = random_key();
        let audit_key = random_key();
        let kid_of = |k: &SigningKey| {
            let point = k.verifying_key().to_encoded_point(true);
            hex::encode(&Sha256::digest(point.as_bytes())[..8])
        };
        AnipDemo {
            kid: kid_of(&key),
            audit_kid: kid_of(&audit_key),
            key: Arc::new(key),
            audit_key: Arc::new(audit_key),
            capabilities: Arc::new(serde_json::from_str(CAPABILITIES).unwrap_or(Value::Null)),
            store: Arc::new(Mutex::new(Store {
                resets: 0,
                rows: BTreeMap::from([("tenant-a".to_owned(), 10), ("tenant-b".to_owned(), 5)]),
                tokens: BTreeMap::new(),
                approvals: BTreeMap::new(),
                grants: BTreeMap::new(),
                audit: VecDeque::new(),
                appended: 0,
                audit_held: AUDIT_HELD,
                approvals_made: 0,
            })),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The key audit entries are signed with.
    fn audit_key(&self) -> audit::AuditKey<'_> {
        audit::AuditKey {
            key: &self.audit_key,
            kid: &self.audit_kid,
        }
    }

    /// The declaration of `capability`.
    fn declaration(&self, capability: &str) -> Option<&Value> {
        self.capabilities.get(capability)
    }

    /// The token of an `Authorization: Bearer` header, checked against its record.
    fn token(&self, headers: &HeaderMap) -> Result<(String, TokenRecord), Failed> {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                Failed::new(
                    StatusCode::UNAUTHORIZED,
                    "authentication_required",
                    "A valid delegation token (JWT) is required in the Authorization header",
                )
                .resolved("request_new_delegation", "redelegation_then_retry")
                .requiring(json!("Bearer token from POST /anip/tokens"), Value::Null)
                .retry(true)
            })?;
        let invalid = |detail: &str| {
            Failed::new(StatusCode::UNAUTHORIZED, "invalid_token", detail)
                .resolved("request_new_delegation", "redelegation_then_retry")
                .requiring(json!("Valid JWT from POST /anip/tokens"), Value::Null)
                .retry(false)
        };
        let claims = verify_jwt(self.key.verifying_key(), bearer)
            .ok_or_else(|| invalid("Invalid token: the signature does not verify"))?;
        if claims["exp"].as_i64().unwrap_or(0) <= Utc::now().timestamp() {
            return Err(invalid("Invalid token: Signature has expired"));
        }
        let id = claims["jti"].as_str().unwrap_or_default().to_owned();
        let record = self
            .store()
            .tokens
            .get(&id)
            .cloned()
            .filter(|r| claims["sub"] == r.subject.as_str())
            .ok_or_else(|| invalid("Invalid token: unknown to this service"))?;
        Ok((id, record))
    }
}

/// A refused request: its HTTP status and `failure` object.
#[derive(Debug)]
struct Failed {
    status: StatusCode,
    failure: Value,
}

impl Failed {
    /// `{type, detail}` (the runtime's `grant_*` failures have no more).
    fn new(status: StatusCode, kind: &str, detail: &str) -> Failed {
        Failed {
            status,
            failure: json!({"type": kind, "detail": detail}),
        }
    }

    /// With `resolution: {action, recovery_class}`.
    fn resolved(mut self, action: &str, recovery_class: &str) -> Failed {
        self.failure["resolution"] = json!({"action": action, "recovery_class": recovery_class});
        self
    }

    /// With `resolution.requires` and `grantable_by`, and `estimated_availability` null.
    fn requiring(mut self, requires: Value, grantable_by: Value) -> Failed {
        let resolution = &mut self.failure["resolution"];
        resolution["requires"] = requires;
        resolution["grantable_by"] = grantable_by;
        resolution["estimated_availability"] = Value::Null;
        self
    }

    /// With `retry`.
    fn retry(mut self, retry: bool) -> Failed {
        self.failure["retry"] = Value::Bool(retry);
        self
    }
}

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"success": false, "failure": self.failure})),
        )
            .into_response()
    }
}

/// The service's routes (`main` binds a listener).
pub fn app(demo: AnipDemo) -> Router {
    Router::new()
        .route("/.well-known/anip", get(discovery))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/anip/manifest", get(manifest))
        .route("/anip/tokens", post(tokens))
        .route("/anip/permissions", post(permissions))
        .route("/anip/invoke/{capability}", post(invoke::invoke))
        .route("/anip/approval_grants", post(grants::issue))
        .route("/anip/audit", post(audit::query))
        .with_state(demo)
}

async fn discovery(State(demo): State<AnipDemo>, headers: HeaderMap) -> Json<Value> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let capabilities: BTreeMap<&String, Value> = demo
        .capabilities
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, decl)| {
            (
                name,
                json!({
                    "description": decl["description"],
                    "side_effect": decl["side_effect"]["type"],
                    "minimum_scope": decl["minimum_scope"],
                    "financial": false,
                    "contract": decl["contract_version"],
                }),
            )
        })
        .collect();
    Json(json!({"anip_discovery": {
        "protocol": "anip/0.24",
        "compliance": "anip-compliant",
        "profile": {"core": "1.0", "cost": "1.0", "capability_graph": "1.0", "state_session": "1.0", "observability": "1.0"},
        "auth": {"delegation_token_required": true, "supported_formats": ["anip-v1"], "minimum_scope_for_discovery": "none"},
        "capabilities": capabilities,
        "trust_level": "signed",
        "endpoints": {
            "manifest": "/anip/manifest", "permissions": "/anip/permissions",
            "invoke": "/anip/invoke/{capability}", "tokens": "/anip/tokens", "audit": "/anip/audit",
            "approval_grants": "/anip/approval_grants", "jwks": "/.well-known/jwks.json",
        },
        "base_url": format!("http://{host}"),
    }}))
}

async fn jwks(State(demo): State<AnipDemo>) -> Json<Value> {
    Json(json!({"keys": [
        public_jwk(demo.key.verifying_key(), &demo.kid, "sig"),
        public_jwk(demo.audit_key.verifying_key(), &demo.audit_kid, "audit"),
    ]}))
}

/// The manifest as the Python binding serves it: sorted compact JSON, signed detached.
async fn manifest(State(demo): State<AnipDemo>) -> Response {
    let now = Utc::now();
    let names: BTreeMap<&String, &Value> = demo
        .capabilities
        .as_object()
        .into_iter()
        .flatten()
        .collect();
    let manifest = json!({
        "capabilities": names,
        "manifest_metadata": {
            "version": "0.10.0",
            "sha256": json_digest(&demo.capabilities),
            "issued_at": timestamp(now),
            "expires_at": timestamp(now + chrono::Duration::days(30)),
        },
        "profile": {"capability_graph": "1.0", "core": "1.0", "cost": "1.0", "observability": "1.0", "state_session": "1.0"},
        "protocol": "anip/0.24",
        "service_identity": {"id": SERVICE_ID, "issuer_mode": "first-party", "jwks_uri": "/.well-known/jwks.json"},
        "trust": {"anchoring": null, "level": "signed", "policies": null},
    });
    let body = canonical_json(&manifest);
    let signature = sign_detached(&demo.key, &demo.kid, body.as_bytes());
    (
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::HeaderName::from_static("x-anip-signature"),
                signature,
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
struct TokenBody {
    #[serde(default)]
    scope: Vec<String>,
    #[serde(default)]
    capability: Option<String>,
    #[serde(default)]
    ttl_hours: Option<i64>,
    #[serde(default)]
    session_id: Option<String>,
}

/// `POST /anip/tokens`: a root token for the principal of a bootstrap credential.
async fn tokens(
    State(demo): State<AnipDemo>,
    headers: HeaderMap,
    Json(body): Json<TokenBody>,
) -> Result<Json<Value>, Failed> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let principal = DEMO_CREDENTIALS
        .iter()
        .find(|(_, key, _)| Some(*key) == bearer)
        .map(|(_, _, who)| *who)
        .ok_or_else(|| {
            Failed::new(
                StatusCode::UNAUTHORIZED,
                "authentication_required",
                "A valid API key is required to issue delegation tokens",
            )
            .resolved("provide_credentials", "retry_now")
            .requiring(json!("API key in Authorization header"), Value::Null)
            .retry(true)
        })?;
    let now = Utc::now();
    let id = new_id("anip-");
    let task_id = format!("task-{id}");
    // A life out of range is the longest (or, negative, the shortest) a token can have, never a
    // panic; 0 gives an expired token, as the runtime's does.
    let ttl = body.ttl_hours.unwrap_or(2);
    let expires = chrono::Duration::try_hours(ttl)
        .and_then(|life| now.checked_add_signed(life))
        .unwrap_or(if ttl < 0 {
            now
        } else {
            DateTime::<Utc>::MAX_UTC
        });
    let claims = json!({
        "jti": id, "iss": SERVICE_ID, "sub": principal, "aud": SERVICE_ID,
        "iat": now.timestamp(), "exp": expires.timestamp(), "scope": body.scope,
        "root_principal": principal, "capability": body.capability, "parent_token_id": null,
        "purpose": {"capability": body.capability, "parameters": {}, "task_id": task_id},
        "constraints": {"max_delegation_depth": 3, "concurrent_branches": "allowed", "budget": null},
        "anip:session_id": body.session_id,
    });
    let token = sign_jwt(&demo.key, &demo.kid, &claims);
    let mut store = demo.store();
    store.forget_expired(now);
    store.tokens.insert(
        id.clone(),
        TokenRecord {
            subject: principal.to_owned(),
            scope: body.scope,
            capability: body.capability,
            session: body.session_id,
            task_id: task_id.clone(),
            expires,
        },
    );
    Ok(Json(json!({
        "issued": true, "token_id": id, "token": token, "expires": timestamp(expires), "task_id": task_id,
    })))
}

/// `POST /anip/permissions`: what the token may invoke, and why not the rest.
async fn permissions(
    State(demo): State<AnipDemo>,
    headers: HeaderMap,
) -> Result<Json<Value>, Failed> {
    let (_, token) = demo.token(&headers)?;
    let mut available = Vec::new();
    let mut restricted = Vec::new();
    for (name, decl) in demo.capabilities.as_object().into_iter().flatten() {
        let missing = invoke::missing_scope(decl, &token.scope);
        if missing.is_empty() {
            available.push(json!({"capability": name, "scope_match": decl["minimum_scope"][0], "constraints": {}}));
        } else {
            restricted.push(json!({
                "capability": name,
                "reason": format!("delegation chain lacks scope(s): {}", missing.join(", ")),
                "reason_type": "insufficient_scope",
                "grantable_by": token.subject,
                "unmet_token_requirements": [],
                "resolution_hint": "request_broader_scope",
            }));
        }
    }
    Ok(Json(
        json!({"available": available, "restricted": restricted, "denied": []}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn tokens_past_their_exp_are_forgotten_when_the_next_is_issued() {
        let demo = AnipDemo::new();
        for ttl in [0, 0, 2] {
            let request = Request::post("/anip/tokens")
                .header("content-type", "application/json")
                .header("authorization", "Bearer dev-requester-key")
                .body(Body::from(format!(
                    r#"{{"scope": ["fixtures.read"], "ttl_hours": {ttl}}}"#
                )))
                .expect("request");
            let response = app(demo.clone()).oneshot(request).await.expect("response");
            assert_eq!(response.status(), StatusCode::OK);
        }
        // The two expired ones went when the live one was issued.
        assert_eq!(demo.store().tokens.len(), 1);
    }

    #[test]
    fn the_oldest_approval_request_goes_first_past_the_bound() {
        let demo = AnipDemo::new();
        let mut store = demo.store();
        let record = ApprovalRecord {
            capability: "reset".into(),
            scope: Vec::new(),
            requester: "human:alice".into(),
            parameters_digest: String::new(),
            preview_digest: String::new(),
            decided: false,
            made: 0,
        };
        for n in 0..=APPROVALS_HELD {
            store.request_approval(format!("apr_{n:06}"), record.clone());
        }
        assert_eq!(store.approvals.len(), APPROVALS_HELD);
        assert!(!store.approvals.contains_key("apr_000000"));
        assert!(
            store
                .approvals
                .contains_key(&format!("apr_{APPROVALS_HELD:06}"))
        );
    }
}

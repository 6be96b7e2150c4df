//! The keys of `scenario-pack/v1` per place, with what each means: the parser's unknown-key check
//! and the language service's completion and hover read this one table.

/// Where a mapping sits in a pack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The document.
    Pack,
    /// `service:`.
    Service,
    /// One actor under `actors:`.
    Actor,
    /// `outcome:`.
    Outcome,
    /// One probe under `probes:`.
    Probe,
    /// A probe's `invoke:`.
    ProbeInvoke,
    /// A probe's `sql:`.
    ProbeSql,
    /// One scenario.
    Scenario,
    /// A scenario's `request:`.
    Request,
    /// `request.invoke`.
    Invoke,
    /// `request.grant`.
    Grant,
    /// `request.ask`.
    Ask,
    /// A scenario's `token:`.
    Token,
    /// A scenario's `expect:`.
    Expect,
    /// `expect.approval`.
    Approval,
    /// `expect.audit`.
    Audit,
}

const PACK: &[(&str, &str)] = &[
    ("format", "Always `scenario-pack/v1`."),
    (
        "service",
        "The service under test: `url` (`--service` overrides it), the expected `protocol`, capability id set and pinned normalized `digest`.",
    ),
    (
        "actors",
        "Actor name → `credential_env`, the environment variable holding its bootstrap credential (`requester` and `approver` exist by default).",
    ),
    (
        "outcome",
        "`sources`: JSONPaths tried before the default outcome (`success`, else `failure.type`).",
    ),
    (
        "probes",
        "Probe name → how to read a number before and after a scenario (`invoke` a read capability, `http` GET or read-only `sql`), for exact `mutation` deltas.",
    ),
    (
        "scenarios",
        "The scenarios, run in file order after their `prior`.",
    ),
];
const SERVICE: &[(&str, &str)] = &[
    (
        "url",
        "The service's base URL. Credentials go only to a service you named outside the pack (`--service`, `anip init`, `serve --anip-service`).",
    ),
    ("protocol", "The expected protocol, e.g. `anip/0.24`."),
    (
        "capabilities",
        "The expected capability id set: a capability added or removed fails the manifest scenario.",
    ),
    (
        "digest",
        "The pinned normalized capability digest (`sha256:…`): any declaration drift fails the manifest scenario; `anip check` compares it with the saved manifest.",
    ),
];
const ACTOR: &[(&str, &str)] = &[(
    "credential_env",
    "The environment variable holding this actor's bootstrap credential (never the credential itself).",
)];
const OUTCOME: &[(&str, &str)] = &[(
    "sources",
    "JSONPaths read before the default outcome, e.g. `$.result.execution_status` for services that report clarifications as successes.",
)];
const PROBE: &[(&str, &str)] = &[
    (
        "invoke",
        "Invoke a read capability: `capability`, `parameters`, `actor`.",
    ),
    (
        "http",
        "GET a URL (relative to the service, or absolute; no credential is sent).",
    ),
    (
        "sql",
        "A read-only SQL query: `query` and `database_url_env`.",
    ),
    (
        "path",
        "The JSONPath of the number in the answer (a list counts its items).",
    ),
];
const PROBE_INVOKE: &[(&str, &str)] = &[
    ("capability", "The read capability to invoke."),
    ("parameters", "Its parameters."),
    ("actor", "Whose token (default `requester`)."),
];
const PROBE_SQL: &[(&str, &str)] = &[
    (
        "query",
        "One read-only query; the first column of the first row is the value.",
    ),
    (
        "database_url_env",
        "The environment variable holding the database URL.",
    ),
];
const SCENARIO: &[(&str, &str)] = &[
    (
        "id",
        "The scenario's id: reports, `prior` and `--scenario` name it.",
    ),
    (
        "class",
        "Which governed decision it proves (one of the seed's nine classes, or an approval negative).",
    ),
    (
        "negative",
        "For `approval_negative`: the misuse (`reuse`, `parameter_drift`, `capability_mismatch`, `expiry`, `session_misuse`, `forged_grant`, `race`).",
    ),
    (
        "grant_for",
        "For negatives: the gated capability the grant was issued for (default: the invoked one).",
    ),
    (
        "request",
        "What the runner does: `invoke`, `grant`, `ask` or `manifest`.",
    ),
    (
        "token",
        "The token the request is made with: `actor`, `scope`, `capability`, `session`, `ttl_hours`.",
    ),
    (
        "prior",
        "Scenarios that run first; their captures are used here.",
    ),
    (
        "wait_seconds",
        "Seconds to wait before the request (expiry negatives).",
    ),
    (
        "expect",
        "What must hold afterwards: only stable assertions (`outcome`, mutation deltas, audit linkage, `result` by JSONPath).",
    ),
    (
        "capture",
        "Name → JSONPath: values read from the answer for later scenarios, used as `${name}`.",
    ),
    ("notes", "Free text."),
];
const REQUEST: &[(&str, &str)] = &[
    ("invoke", "`POST /anip/invoke/{capability}`."),
    (
        "grant",
        "`POST /anip/approval_grants`, by the approver unless `token.actor` says otherwise.",
    ),
    ("ask", "An utterance to the agent app (`--agent URL`)."),
    (
        "manifest",
        "Read the signed manifest and verify its JWS, protocol, id set and digest.",
    ),
];
const INVOKE: &[(&str, &str)] = &[
    ("capability", "The capability to invoke."),
    (
        "parameters",
        "Its parameters (`${name}` allowed in strings).",
    ),
    (
        "approval_grant",
        "A grant id for a continuation, usually `${grant_id}`.",
    ),
    (
        "parallel",
        "How many identical invocations to send at once (a race); 1 by default.",
    ),
    (
        "requested_effects",
        "Effects the caller asks for (the runtimes' extension).",
    ),
];
const GRANT: &[(&str, &str)] = &[
    (
        "approval_request",
        "The approval request id, usually `${request_id}` captured from the stop.",
    ),
    (
        "grant_type",
        "`one_time` or `session_bound` (default: the policy's default).",
    ),
    (
        "expires_in_seconds",
        "A shorter life than the policy's (expiry negatives).",
    ),
    ("max_uses", "Uses, for session-bound grants."),
    ("session", "The session a session-bound grant is bound to."),
];
const ASK: &[(&str, &str)] = &[
    ("question", "What the user says to the agent."),
    ("history", "Prior turns, oldest first."),
];
const TOKEN: &[(&str, &str)] = &[
    (
        "actor",
        "Whose bootstrap credential issues the token (default `requester`; `approver` for grants).",
    ),
    (
        "scope",
        "The token's scope (default: the capability's `minimum_scope`, or `approver:<capability>`).",
    ),
    (
        "capability",
        "The capability the token is bound to (default: the invoked one).",
    ),
    (
        "session",
        "The token's session id (session-bound grants check it).",
    ),
    ("ttl_hours", "The token's life in hours (default 1)."),
];
const EXPECT: &[(&str, &str)] = &[
    ("capability", "The capability the agent chose."),
    (
        "outcome",
        "`success`, a `failure.type` (e.g. `approval_required`, `grant_consumed`) or what an outcome source gives. Never `detail` or an HTTP status.",
    ),
    ("clarification_field", "The field a clarification asks for."),
    (
        "approval",
        "Whether an approval request comes back (`present`) and its `grant_policy`.",
    ),
    (
        "mutation",
        "Probe → exact change, e.g. `{resets: 0}` for a stop, `{resets: 1}` for a continuation.",
    ),
    (
        "audit",
        "`event_class` of the requester's entry, and `grant_linked`: the entry names the grant, and the approver's `approval_grant_issued` entry names both the grant and its request.",
    ),
    ("result", "JSONPath → value in the answer."),
    (
        "successes",
        "For races: how many of the parallel invocations succeed.",
    ),
    (
        "signature",
        "For manifest scenarios: whether the JWS must verify (default true).",
    ),
];
const APPROVAL: &[(&str, &str)] = &[
    ("present", "Whether `failure.approval_required` comes back."),
    ("grant_policy", "The grant policy it must carry."),
];
const AUDIT: &[(&str, &str)] = &[
    (
        "event_class",
        "The requester's entry's `event_class`, e.g. `high_risk_success`.",
    ),
    (
        "grant_linked",
        "The entry names the grant used, and the approver's entry names the grant and its approval request.",
    ),
];

/// The keys of `place`, each with its documentation (Markdown).
pub fn keys(place: Place) -> &'static [(&'static str, &'static str)] {
    match place {
        Place::Pack => PACK,
        Place::Service => SERVICE,
        Place::Actor => ACTOR,
        Place::Outcome => OUTCOME,
        Place::Probe => PROBE,
        Place::ProbeInvoke => PROBE_INVOKE,
        Place::ProbeSql => PROBE_SQL,
        Place::Scenario => SCENARIO,
        Place::Request => REQUEST,
        Place::Invoke => INVOKE,
        Place::Grant => GRANT,
        Place::Ask => ASK,
        Place::Token => TOKEN,
        Place::Expect => EXPECT,
        Place::Approval => APPROVAL,
        Place::Audit => AUDIT,
    }
}

/// The key names of `place`, for the parser's unknown-key check.
pub fn names(place: Place) -> Vec<&'static str> {
    keys(place).iter().map(|(name, _)| *name).collect()
}

/// The documentation of `key` at `place`.
pub fn doc(place: Place, key: &str) -> Option<&'static str> {
    keys(place)
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, doc)| *doc)
}

/// Outcomes the 0.24 runtimes answer, for `expect.outcome` (the pack's own sources may add more).
pub const OUTCOMES: [&str; 20] = [
    "success",
    "approval_required",
    "grant_consumed",
    "grant_expired",
    "grant_param_drift",
    "grant_capability_mismatch",
    "grant_session_invalid",
    "grant_not_found",
    "grant_type_not_allowed_by_policy",
    "approver_not_authorized",
    "approval_request_already_decided",
    "scope_insufficient",
    "invalid_token",
    "authentication_required",
    "unknown_capability",
    "purpose_mismatch",
    "clarification_required",
    "denied",
    "restricted",
    "service_unavailable",
];

/// Audit event classes the runtimes write.
pub const EVENT_CLASSES: [&str; 4] = [
    "high_risk_success",
    "high_risk_denial",
    "low_risk_success",
    "malformed_or_spam",
];

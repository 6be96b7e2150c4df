//! The `scenario-pack/v1` model: a service, its actors and probes, and governed-decision scenarios.

use crate::diagnostic::Span;
use serde_json::Value;
use std::collections::BTreeMap;

/// The format tag every pack starts with.
pub const FORMAT: &str = "scenario-pack/v1";

/// A value and the bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Its bytes in the pack.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// `value` read from `span`.
    pub const fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

macro_rules! names {
    ($(#[$meta:meta])* $name:ident { $(#[doc = $doc:literal] $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $(#[doc = $doc] $variant,)* }
        impl $name {
            /// What it means (its doc comment), for hovers and completion details.
            pub fn doc(self) -> &'static str {
                match self { $($name::$variant => $doc,)* }.trim()
            }
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            /// The name written in packs.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
            /// The value written as `text`.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}

names! {
    /// What a scenario proves: the seed's nine classes plus the approval negatives.
    ScenarioClass {
        /// The request reaches the right capability.
        CapabilitySelection = "capability_selection",
        /// A request without required context is stopped for clarification.
        MissingContext = "missing_context",
        /// A reference ("my team", "that account") is resolved by the service.
        DynamicReference = "dynamic_reference_resolution",
        /// A gated action stops with an approval request before any side effect.
        ApprovalStop = "approval_stop",
        /// An approver's grant lets the stopped action run exactly once.
        ApprovalContinuation = "approval_continuation",
        /// An action outside the actor's authority is denied.
        Denial = "denial",
        /// An action is narrowed or restricted rather than run as asked.
        Restriction = "restriction",
        /// A follow-up after a clarification keeps the capability.
        FollowUp = "follow_up_after_clarification",
        /// The manifest is the one expected (identity, digest, signature).
        ManifestParity = "manifest_parity",
        /// A grant that must be refused (reuse, expiry, drift, mismatch, session, forgery, race).
        ApprovalNegative = "approval_negative",
    }
}

impl ScenarioClass {
    /// The seed's nine classes (a pack should cover each).
    pub const SEED: [ScenarioClass; 9] = [
        ScenarioClass::CapabilitySelection,
        ScenarioClass::MissingContext,
        ScenarioClass::DynamicReference,
        ScenarioClass::ApprovalStop,
        ScenarioClass::ApprovalContinuation,
        ScenarioClass::Denial,
        ScenarioClass::Restriction,
        ScenarioClass::FollowUp,
        ScenarioClass::ManifestParity,
    ];
}

names! {
    /// Which misuse of a grant an `approval_negative` scenario proves is refused.
    Negative {
        /// The one-time grant spent a second time (`grant_consumed`).
        Reuse = "reuse",
        /// The grant used after it expired (`grant_expired`).
        Expiry = "expiry",
        /// Other parameters than the approved ones (`grant_param_drift`).
        ParameterDrift = "parameter_drift",
        /// The grant presented to another capability (`grant_capability_mismatch`).
        CapabilityMismatch = "capability_mismatch",
        /// A session-bound grant used from another session (`grant_session_invalid`).
        SessionMisuse = "session_misuse",
        /// A grant id the service never issued (`grant_not_found`).
        ForgedGrant = "forged_grant",
        /// Parallel continuations with one single-use grant: exactly one runs.
        Race = "race",
    }
}

/// A whole pack.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pack {
    /// `format:` (must be [`FORMAT`]).
    pub format: Option<Spanned<String>>,
    /// The service under test.
    pub service: Service,
    /// Actor name → where its bootstrap credential is (always has `requester` and `approver`).
    pub actors: BTreeMap<String, Actor>,
    /// JSONPath sources tried before the default outcome (`success`, else `failure.type`).
    pub outcome_sources: Vec<Spanned<String>>,
    /// Probe name → how to read the state a scenario may change.
    pub probes: BTreeMap<String, Probe>,
    /// The scenarios, in file order.
    pub scenarios: Vec<Scenario>,
    /// The `scenarios:` key (where pack-wide findings point).
    pub scenarios_key: Span,
}

/// `service:`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Service {
    /// Base URL (`--service` overrides it).
    pub url: Option<Spanned<String>>,
    /// Expected protocol, e.g. `anip/0.24`.
    pub protocol: Option<Spanned<String>>,
    /// Expected capability id set.
    pub capabilities: Vec<Spanned<String>>,
    /// Pinned normalized capability digest (`sha256:…`).
    pub digest: Option<Spanned<String>>,
}

/// An actor: a name and the environment variable that holds its bootstrap credential.
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    /// The variable (never the credential itself).
    pub credential_env: String,
    /// Where it is defined (empty for the defaults).
    pub span: Span,
}

/// A probe: how to read a number (or any value) before and after a step.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// Where the value comes from.
    pub source: ProbeSource,
    /// JSONPath into the source's answer (`$` for `sql`, which reads the first column of the
    /// first row).
    pub path: Spanned<String>,
    /// The probe's key.
    pub span: Span,
}

/// The source of a probe.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeSource {
    /// Invoke a read capability.
    Invoke {
        /// The capability.
        capability: Spanned<String>,
        /// Its parameters.
        parameters: Value,
        /// Whose token (default `requester`).
        actor: Option<Spanned<String>>,
    },
    /// `GET` a URL (relative to the service, or absolute).
    Http {
        /// The URL.
        url: String,
    },
    /// A read-only SQL query through Scenario Lab's database module.
    Sql {
        /// The query.
        query: String,
        /// The environment variable holding the database URL.
        database_url_env: String,
    },
}

/// One scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Its id.
    pub id: Spanned<String>,
    /// The whole scenario's bytes.
    pub span: Span,
    /// Its class.
    pub class: Option<Spanned<ScenarioClass>>,
    /// For `approval_negative`: which misuse.
    pub negative: Option<Spanned<Negative>>,
    /// For negatives: the gated capability the grant was issued for (default: the invoked one).
    pub grant_for: Option<Spanned<String>>,
    /// What the runner does.
    pub request: Option<Request>,
    /// The token it does it with.
    pub token: TokenContext,
    /// Scenarios that must run first (their captures are used here).
    pub prior: Vec<Spanned<String>>,
    /// Seconds to wait before the request (expiry negatives).
    pub wait_seconds: u64,
    /// What must hold afterwards.
    pub expect: Expect,
    /// Values read from the answer for later scenarios (`${name}`).
    pub capture: Vec<Capture>,
    /// Every `${name}` the request uses, with its bytes.
    pub uses: Vec<Spanned<String>>,
    /// Free text.
    pub notes: Option<String>,
}

/// What a scenario does.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// `POST /anip/invoke/{capability}`.
    Invoke(Invoke),
    /// `POST /anip/approval_grants` (by the approver, by default).
    Grant(GrantRequest),
    /// An utterance to the agent (`--agent URL`).
    Ask(Ask),
    /// Read and verify the signed manifest.
    Manifest,
}

/// A direct invocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Invoke {
    /// The capability.
    pub capability: Spanned<String>,
    /// Its parameters (`${name}` allowed in strings).
    pub parameters: Spanned<Value>,
    /// A grant id for a continuation.
    pub approval_grant: Option<Spanned<String>>,
    /// How many identical invocations to send at once (a race); 1 by default.
    pub parallel: u32,
    /// Effects the caller asks for (`requested_effects`, the runtimes' extension).
    pub requested_effects: Vec<String>,
}

/// A grant issuance.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantRequest {
    /// The approval request id (usually `${…}` captured from the stop).
    pub approval_request: Spanned<String>,
    /// `one_time` or `session_bound` (default: the policy's default).
    pub grant_type: Option<String>,
    /// A shorter life than the policy's (expiry negatives).
    pub expires_in_seconds: Option<u64>,
    /// Uses, for session-bound grants.
    pub max_uses: Option<u64>,
    /// The session a session-bound grant is bound to.
    pub session: Option<String>,
}

/// An agent-facing request.
#[derive(Clone, Debug, PartialEq)]
pub struct Ask {
    /// What the user says.
    pub question: Spanned<String>,
    /// Prior turns.
    pub history: Vec<String>,
}

/// The token a scenario's request is made with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenContext {
    /// Whose bootstrap credential issues it.
    pub actor: Option<Spanned<String>>,
    /// Its scope (default: the capability's minimum scope, or `approver:<capability>`).
    pub scope: Option<Vec<String>>,
    /// The capability it is bound to (default: the invoked one).
    pub capability: Option<Spanned<String>>,
    /// Its session id.
    pub session: Option<String>,
    /// Its life in hours (default 1).
    pub ttl_hours: Option<u64>,
}

/// `expect:`: only stable assertions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expect {
    /// The capability the agent chose.
    pub capability: Option<Spanned<String>>,
    /// The outcome (`success`, a `failure.type`, or what an outcome source gives).
    pub outcome: Option<Spanned<String>>,
    /// The field a clarification asks for.
    pub clarification_field: Option<Spanned<String>>,
    /// Whether an approval request comes back, and its grant policy.
    pub approval: Option<ApprovalExpect>,
    /// Probe → exact change.
    pub mutation: Vec<(Spanned<String>, i64)>,
    /// Audit entries and linkage.
    pub audit: Option<AuditExpect>,
    /// JSONPath → value.
    pub result: Vec<(Spanned<String>, Value)>,
    /// For races: how many of the parallel invocations succeed.
    pub successes: Option<u64>,
    /// For manifest scenarios: whether the signature must verify (default true).
    pub signature: Option<bool>,
    /// Assertions kept for the check to flag (key, whole entry, whether the pack is JSON).
    pub brittle: Vec<Brittle>,
}

/// `expect.approval`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApprovalExpect {
    /// Whether `failure.approval_required` is there.
    pub present: bool,
    /// The grant policy it must carry.
    pub grant_policy: Option<Value>,
}

/// `expect.audit`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditExpect {
    /// The requester's entry for this invocation has this `event_class`.
    pub event_class: Option<String>,
    /// The entry names the grant used, and the approver's `approval_grant_issued` entry names
    /// both that grant and its approval request.
    pub grant_linked: bool,
}

/// A brittle assertion found in `expect`.
#[derive(Clone, Debug, PartialEq)]
pub struct Brittle {
    /// The key (`detail`, `http_status`, …).
    pub key: Spanned<String>,
    /// From the key to the end of the value.
    pub entry: Span,
}

/// `capture: {name: $.json.path}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Capture {
    /// The name used as `${name}`.
    pub name: Spanned<String>,
    /// Where in the answer.
    pub path: Spanned<String>,
}

impl Scenario {
    /// The capability the request invokes, if it invokes one.
    pub fn invoked(&self) -> Option<&Spanned<String>> {
        match &self.request {
            Some(Request::Invoke(invoke)) => Some(&invoke.capability),
            _ => None,
        }
    }
}

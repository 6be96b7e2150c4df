//! The local proxy's HTTP API as types: every route's request and answer and the validation's
//! server-sent events. The proxy serialises them and the editor decodes them, so a renamed field
//! breaks the build, not the page. Field names are camelCase on the wire.

use crate::run_report::ValidateReport;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Every error answer of `/api`: a message for people and a stable code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// What went wrong and what to do.
    pub error: String,
    /// `UNAUTHORIZED`, `FORBIDDEN`, `BAD_REQUEST`, `NOT_FOUND`, `CONFLICT`, `UNAVAILABLE`, `INTERNAL`.
    pub code: String,
}

/// One workspace file as `GET /api/workspace` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The text.
    pub contents: String,
    /// Modification time in milliseconds since the Unix epoch.
    pub modified: Option<u64>,
}

/// A run whose teardown is owed, as the pending ledger lists it (never its refs token).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRun {
    /// The scenario brought up.
    pub scenario: String,
    /// Its run id (what `down --run` and `POST /api/down` take).
    pub test_run_id: String,
    /// Why it is pending: `kept`, `in progress`, or why its teardown failed.
    pub reason: String,
    /// The endpoint that holds its records.
    pub endpoint: String,
    /// Kept on purpose (`up --scenario`, the editor's Up); never reaped.
    #[serde(default)]
    pub kept: bool,
    /// When `up` answered, in milliseconds since the Unix epoch.
    #[serde(default)]
    pub started_at_ms: u64,
}

/// A validation the proxy ran (or the demo's startup one), for a page that opens later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationRecord {
    /// The outcome and the report.
    #[serde(flatten)]
    pub outcome: ValidateOutcome,
    /// The scenarios it covered (empty: all).
    pub scenarios: Vec<String>,
    /// `file_version::fingerprint` of the recipes it proved.
    pub recipes_fingerprint: Option<String>,
}

/// `GET /api/workspace`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceAnswer {
    /// The workspace folder.
    pub dir: String,
    /// The recipes file's name there: `scenario-recipes.json` or the planner's `recipe.json`.
    #[serde(default = "plugin_recipes_name")]
    pub recipes_name: String,
    /// The folder's layout (plugin, planner CLI output or copy, hand-made).
    #[serde(default)]
    pub layout: crate::dialect::Layout,
    /// The workspace files present, by file name.
    pub files: BTreeMap<String, FileEntry>,
    /// Runs whose teardown is owed.
    pub pending: Vec<PendingRun>,
    /// The last validation, if any.
    pub last_validation: Option<ValidationRecord>,
    /// The endpoint URL, when the proxy has one.
    pub endpoint: Option<String>,
    /// Whether the proxy can check the database.
    pub database: bool,
    /// Whether the proxy can verify refs tokens.
    pub signing_secret: bool,
}

fn plugin_recipes_name() -> String {
    crate::FileKind::Recipes.file_name().to_owned()
}

/// `PUT /api/files/{name}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteFileAnswer {
    /// The file name written.
    pub written: String,
    /// Bytes written.
    pub bytes: usize,
}

/// `POST /api/discover`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscoverResult {
    /// The answer has the shape discover must have.
    pub ok: bool,
    /// What was found.
    pub message: String,
    /// The endpoint's answer.
    pub discover: Option<Value>,
}

/// The body of `POST /api/validate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidateRequest {
    /// Only these scenarios (empty: all).
    pub scenarios: Vec<String>,
    /// Concurrent instances per scenario (`--repeat`).
    pub repeat: Option<u32>,
    /// Write the artifacts when everything passed (`--write`).
    pub write: bool,
    /// Run the conformance probes (default: yes).
    pub conformance: Option<bool>,
    /// Repair what is the scenario's and validate again (`--reconcile`).
    #[serde(default)]
    pub reconcile: bool,
}

/// The end of a validation: its exit code and report, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateOutcome {
    /// The CLI's exit code (0 passed, 1 failed, 2 usage, 3 unreachable).
    pub exit_code: u8,
    /// The report (none for usage errors).
    pub report: Option<ValidateReport>,
    /// A failure that prevented a report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ValidateOutcome {
    /// Exit code 0 and a passing report.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.exit_code == 0 && self.report.as_ref().is_some_and(|r| r.ok)
    }
}

/// How far a validation has come: `done` of `total` steps, and the step running now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidateStep {
    /// Steps finished.
    pub done: usize,
    /// Steps in all (discover and preflight, each scenario, the conformance probes).
    pub total: usize,
    /// The step running now, for people.
    pub label: String,
}

/// The answer of `POST /api/validate/cancel`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelAnswer {
    /// A running validation was asked to stop.
    pub cancelled: bool,
    /// What happens now, for people.
    pub message: String,
}

/// The server-sent events of `POST /api/validate`: progress lines and steps, then one report.
#[derive(Clone, Debug, PartialEq)]
pub enum ValidateEvent {
    /// `event: progress`, one line for people.
    Progress(String),
    /// `event: step`, the progress bar as JSON.
    Step(ValidateStep),
    /// `event: report`, the outcome as JSON.
    Report(ValidateOutcome),
}

impl ValidateEvent {
    /// The SSE event name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            ValidateEvent::Progress(_) => "progress",
            ValidateEvent::Step(_) => "step",
            ValidateEvent::Report(_) => "report",
        }
    }

    /// The SSE data field.
    #[must_use]
    pub fn data(&self) -> String {
        match self {
            ValidateEvent::Progress(line) => line.trim_end().to_owned(),
            ValidateEvent::Step(step) => serde_json::to_string(step).unwrap_or_default(),
            ValidateEvent::Report(outcome) => serde_json::to_string(outcome).unwrap_or_default(),
        }
    }

    /// Decodes an event as the editor receives it; unknown events are `None`.
    #[must_use]
    pub fn parse(name: &str, data: &str) -> Option<ValidateEvent> {
        match name {
            "progress" => Some(ValidateEvent::Progress(data.to_owned())),
            "step" => serde_json::from_str(data).ok().map(ValidateEvent::Step),
            "report" => serde_json::from_str(data).ok().map(ValidateEvent::Report),
            _ => None,
        }
    }
}

/// The body of `POST /api/up`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpRequest {
    /// The recipe to bring up.
    pub scenario: String,
}

/// `POST /api/up`: what came up (auth masked; the refs token stays in the proxy's ledger).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpResult {
    /// The scenario.
    pub scenario: String,
    /// The endpoint's HTTP status.
    pub status: u16,
    /// The answer explained.
    pub message: String,
    /// The run id (for `POST /api/down`).
    pub test_run_id: String,
    /// Milliseconds `up` took.
    pub up_ms: u64,
    /// The auth block, every value masked.
    pub auth: Option<Value>,
    /// Records per model.
    pub refs_counts: BTreeMap<String, usize>,
    /// The records as `up` returned them.
    pub refs: Option<Value>,
    /// Whether a refs token came back (it stays in the ledger).
    pub refs_token: bool,
}

/// The body of `POST /api/down`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownRequest {
    /// A run id from the ledger.
    pub test_run_id: String,
}

/// `POST /api/down`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DownResult {
    /// Torn down (HTTP 200 with `ok: true`) and removed from the ledger.
    pub ok: bool,
    /// The endpoint's HTTP status.
    pub status: u16,
    /// The answer explained.
    pub message: String,
    /// Milliseconds `down` took.
    pub down_ms: u64,
}

/// The body of `POST /api/upload`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadRequest {
    /// The setup id (default: `autonoma/.generation-id`).
    pub setup: Option<String>,
}

/// `POST /api/upload`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadResult {
    /// Uploaded.
    pub ok: bool,
    /// What the platform said.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_events_round_trip_as_the_editor_reads_them() {
        let event = ValidateEvent::Report(ValidateOutcome {
            exit_code: 1,
            report: Some(ValidateReport::default()),
            error: None,
        });
        assert_eq!(
            ValidateEvent::parse(event.name(), &event.data()),
            Some(event)
        );
        assert_eq!(
            ValidateEvent::parse("progress", "[standard] up"),
            Some(ValidateEvent::Progress("[standard] up".into()))
        );
        let step = ValidateEvent::Step(ValidateStep {
            done: 1,
            total: 4,
            label: "[standard] up, checks, down".into(),
        });
        assert_eq!(ValidateEvent::parse(step.name(), &step.data()), Some(step));
    }
}

/// `GET /api/packs`: the ANIP scenario packs in the workspace's `anip/` folder.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PacksAnswer {
    /// The folder, as the proxy names it.
    pub dir: String,
    /// Each `*.pack.yaml` / `*.pack.json`, by file name.
    pub packs: Vec<PackText>,
    /// `manifest.json` beside them, when there is one.
    pub manifest: Option<String>,
}

/// One pack file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackText {
    /// The file name (`starter.pack.yaml`).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// `POST /api/packs/run`: runs a saved pack (or one scenario and what it needs) with the
/// credentials of the proxy's environment; answers `anip::run_report::PackRunReport`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPackRequest {
    /// The pack's file name.
    pub name: String,
    /// Only this scenario (and its `prior`).
    pub scenario: Option<String>,
    /// Another service than the pack's `service.url`.
    pub service: Option<String>,
}

/// `POST /api/packs/new`: `anip init` through the proxy: the starter pack of a service the user
/// names, written as `name` beside the saved manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPackRequest {
    /// The service's base URL.
    pub service: String,
    /// The new pack's file name (`NAME.pack.yaml` or `NAME.pack.json`).
    pub name: String,
    /// `{capability: parameters}` samples as JSON text (empty: none; required inputs say TODO).
    #[serde(default)]
    pub samples: String,
}

/// The pack written, and what to know about it (the manifest's signature, inputs left TODO).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPackAnswer {
    /// The new pack.
    pub pack: PackText,
    /// The saved manifest beside it.
    pub manifest: Option<String>,
    /// Notes for the page.
    pub notes: Vec<String>,
}

/// `POST /api/packs/parity`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParityRequest {
    /// Two or more service base URLs.
    pub services: Vec<String>,
}

/// The normalized manifests compared.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParityAnswer {
    /// Each service: its URL, capability count and normalized digest.
    pub services: Vec<ParityService>,
    /// Each difference against the first service.
    pub differences: Vec<ParityDifference>,
}

/// One service of a parity comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParityService {
    /// Its base URL.
    pub url: String,
    /// How many capabilities its manifest declares.
    pub capabilities: usize,
    /// `sha256:` over its normalized capabilities.
    pub digest: String,
}

/// A field that differs between the first service and another.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParityDifference {
    /// The other service.
    pub service: String,
    /// The capability.
    pub capability: String,
    /// The field (`(capability)` when only one side has it).
    pub field: String,
    /// The first service's value (normalized; null when absent).
    pub first: Value,
    /// The other service's.
    pub other: Value,
}

/// The server-sent events of `POST /api/packs/run`, as the Packs tab decodes them.
#[derive(Clone, Debug)]
pub enum PackRunEvent {
    /// `event: service`: a service's run starts (`{service, scenarios}`).
    Service(PackRunStart),
    /// `event: scenario`: a scenario ended.
    Scenario(Box<crate::anip::run_report::ScenarioRun>),
    /// `event: report`: the run ended (the report, or why there is none).
    Report(Box<PackRunOutcome>),
}

/// A service's run starting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRunStart {
    /// Its base URL.
    pub service: String,
    /// How many scenarios will run.
    pub scenarios: usize,
}

/// How a pack run ended.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PackRunOutcome {
    /// The report, when the run gave verdicts.
    pub report: Option<crate::anip::run_report::PackRunReport>,
    /// Why it gave none (a service down, a credential refused).
    pub error: Option<String>,
}

impl PackRunEvent {
    /// The SSE event name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            PackRunEvent::Service(_) => "service",
            PackRunEvent::Scenario(_) => "scenario",
            PackRunEvent::Report(_) => "report",
        }
    }

    /// The SSE data field (JSON).
    #[must_use]
    pub fn data(&self) -> String {
        match self {
            PackRunEvent::Service(start) => serde_json::to_string(start),
            PackRunEvent::Scenario(run) => serde_json::to_string(run),
            PackRunEvent::Report(outcome) => serde_json::to_string(outcome),
        }
        .unwrap_or_default()
    }

    /// Decodes an event as the editor receives it; unknown events are `None`.
    #[must_use]
    pub fn parse(name: &str, data: &str) -> Option<PackRunEvent> {
        match name {
            "service" => serde_json::from_str(data).ok().map(PackRunEvent::Service),
            "scenario" => serde_json::from_str(data)
                .ok()
                .map(|r| PackRunEvent::Scenario(Box::new(r))),
            "report" => serde_json::from_str(data)
                .ok()
                .map(|o| PackRunEvent::Report(Box::new(o))),
            _ => None,
        }
    }
}

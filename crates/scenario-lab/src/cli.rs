//! Command-line arguments of `scenario-lab` and the exit codes every command shares.

use crate::workspace_find::{self, Found, Place};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

/// Exit codes shared by every command (Hurl's convention).
pub mod exit {
    /// Everything passed (warnings allowed).
    pub const OK: u8 = 0;
    /// A check failed.
    pub const CHECK_FAILED: u8 = 1;
    /// Bad arguments, a missing or unreadable workspace, an invalid setting.
    pub const USAGE: u8 = 2;
    /// The endpoint, the database or the platform could not be reached.
    pub const UNREACHABLE: u8 = 3;
}

/// The workspace folder a command works on.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceArgs {
    /// The workspace folder: a plugin `autonoma/`, a planner CLI copy `.autonoma/`, or the
    /// planner's `~/.autonoma/<slug>/` (default: the first of these found from here).
    #[arg(long = "dir", value_name = "DIR")]
    pub given: Option<PathBuf>,
    /// The folder used: `--dir`, or the one found ([`WorkspaceArgs::resolve`]).
    #[arg(skip)]
    pub dir: PathBuf,
    /// How it was found.
    #[arg(skip)]
    pub place: Option<Place>,
}

impl WorkspaceArgs {
    /// Decides the folder: `--dir` as given, else the first workspace found from `cwd`.
    pub fn resolve(&mut self, cwd: &Path, home: Option<&Path>) {
        let found = match &self.given {
            Some(dir) => Found {
                dir: dir.clone(),
                place: Place::Given,
            },
            None => workspace_find::find(cwd, home),
        };
        // Shown as the user would type it: `.autonoma`, not the absolute path.
        self.dir = found
            .dir
            .strip_prefix(cwd)
            .map_or_else(|_| found.dir.clone(), Path::to_path_buf);
        self.place = Some(found.place);
    }

    /// A workspace args value for `dir` (tests and embedded callers).
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        WorkspaceArgs {
            given: None,
            dir: dir.into(),
            place: Some(Place::Given),
        }
    }
}

impl Command {
    /// The workspace folder arguments of a command that reads a workspace.
    pub fn workspace_mut(&mut self) -> Option<&mut WorkspaceArgs> {
        match self {
            Command::Preflight(a) => Some(&mut a.workspace),
            Command::Discover(a) => Some(&mut a.workspace),
            Command::Validate(a) => Some(&mut a.workspace),
            Command::Up(a) => Some(&mut a.workspace),
            Command::Pending(a) => Some(&mut a.workspace),
            Command::Down(a) => Some(&mut a.workspace),
            Command::Conformance(a) => Some(&mut a.workspace),
            Command::Upload(a) => Some(&mut a.workspace),
            Command::Serve(a) => Some(&mut a.workspace),
            Command::Demo(a) => Some(&mut a.workspace),
            Command::Lsp(_) | Command::Anip(_) => None,
        }
    }
}

/// Prove Environment Factory scenarios: offline preflight, live lifecycle, editor.
#[derive(Debug, Parser)]
#[command(name = "scenario-lab", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the autonoma/ folder offline and report every problem with its position.
    Preflight(PreflightArgs),
    /// Call the endpoint's signed discover and save discover.json.
    Discover(DiscoverArgs),
    /// Prove every scenario against the live endpoint and database; write the artifacts with --write.
    Validate(ValidateArgs),
    /// Bring one scenario up and keep it up (browse the app as its user); prints how to tear it down.
    Up(UpArgs),
    /// List the runs of the pending ledger (kept runs and teardowns still owed), never their tokens.
    Pending(PendingArgs),
    /// Tear down a run of the pending ledger (--run ID), or all of them (--pending).
    Down(DownArgs),
    /// Probe the endpoint's protocol conformance (signatures, errors, refs tokens).
    Conformance(ConformanceArgs),
    /// Upload the validated recipes to the Autonoma platform.
    Upload(UploadArgs),
    /// Serve the editor and its API on 127.0.0.1 (the secrets stay in this process).
    Serve(ServeArgs),
    /// Speak the Language Server Protocol on standard input and output (for VS Code, Neovim, …).
    Lsp(LspArgs),
    /// Run the embedded demo endpoint (SQLite) with the editor pointed at it; validate once.
    Demo(DemoArgs),
    /// ANIP execution scenario packs: write a starter pack, check packs offline, run them live.
    Anip(AnipArgs),
}

#[derive(Debug, clap::Args)]
pub struct AnipArgs {
    #[command(subcommand)]
    pub command: AnipCommand,
}

#[derive(Debug, Subcommand)]
pub enum AnipCommand {
    /// Read a live service's discovery and signed manifest and write a starter pack.
    Init(AnipInitArgs),
    /// Check packs offline (schema, ids, prior, captures, capabilities, coverage); exit 0/1/2.
    Check(AnipCheckArgs),
    /// Run packs against live services; exit 0 passed, 1 a scenario failed, 2 usage, 3 unreachable.
    Run(AnipRunArgs),
    /// Compare the normalized manifests of two or more services field by field; exit 1 on drift.
    Parity(AnipParityArgs),
    /// Turn ANIP's own case files (service-conformance cases.json, contract-test packs) into a pack.
    Import(AnipImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct AnipImportArgs {
    /// The case file (JSON).
    pub file: PathBuf,
    /// Where to write the pack (default: `anip/<file stem>.pack.yaml`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AnipInitArgs {
    /// The service's base URL.
    #[arg(long)]
    pub service: String,
    /// `{capability: parameters}` (the format of ANIP's conformance suite `--sample-inputs`).
    #[arg(long)]
    pub samples: Option<PathBuf>,
    /// A state probe, `CAPABILITY:JSONPATH` (a read capability invoked with its samples).
    #[arg(long)]
    pub probe: Vec<String>,
    /// Where to write the pack (`manifest.json` is saved beside it).
    #[arg(long, default_value = "anip/starter.pack.yaml")]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct AnipCheckArgs {
    /// Pack files (`*.pack.yaml`, `*.pack.json`); `manifest.json` beside a pack is read too.
    #[arg(required = true)]
    pub packs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Colour the human output (default: when standard output is a terminal and NO_COLOR is unset).
    #[arg(long)]
    pub color: Option<bool>,
    /// Write the report to this file instead of standard output (HTML: one page for every pack).
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AnipRunArgs {
    /// Pack files.
    #[arg(required = true)]
    pub packs: Vec<PathBuf>,
    /// The service's base URL (instead of the pack's `service.url`); twice or more compares outcomes.
    #[arg(long)]
    pub service: Vec<String>,
    /// Run only these scenarios (and the ones they need by `prior`).
    #[arg(long)]
    pub scenario: Vec<String>,
    /// Run only scenarios of these classes (and the ones they need by `prior`).
    #[arg(long)]
    pub class: Vec<String>,
    /// The agent app for `ask` scenarios (`POST {actor, question, history}`).
    #[arg(long)]
    pub agent: Option<String>,
    /// Write the JSON report here.
    #[arg(long)]
    pub report_json: Option<PathBuf>,
    /// Write a JUnit report here.
    #[arg(long)]
    pub report_junit: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct AnipParityArgs {
    /// Two or more service base URLs or saved manifest files (`manifest.json` as `anip init`
    /// writes it, or a raw manifest).
    #[arg(required = true, num_args = 2..)]
    pub services: Vec<String>,
    /// A saved manifest's detached JWS (`manifest.jws` as `anip init` writes it), verified
    /// against the manifest file's bytes; repeatable, the n-th for the n-th saved file.
    #[arg(long, value_name = "FILE")]
    pub signature: Vec<PathBuf>,
    /// The key set the signatures are verified with (default: `jwks.json` beside each signature).
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text with source excerpts
    #[default]
    Human,
    /// one JSON document
    Json,
    /// JUnit XML for CI
    Junit,
    /// one self-contained HTML page (no network): summary, diagnostics, recipe graphs
    Html,
}

#[derive(Debug, clap::Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it (VS Code's `stdio` transport); standard I/O is the only one.
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Colour the human output (default: when standard output is a terminal and NO_COLOR is unset).
    #[arg(long)]
    pub color: Option<bool>,
    /// Apply every quick fix to the files first (atomic writes), then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Run again on every change of the workspace files, until Ctrl-C.
    #[arg(long, conflicts_with = "output")]
    pub watch: bool,
}

/// Where the endpoint is and how long to wait for it.
#[derive(Debug, Clone, clap::Args)]
pub struct EndpointArgs {
    /// The Environment Factory URL (default: $AUTONOMA_SDK_ENDPOINT).
    #[arg(long, env = "AUTONOMA_SDK_ENDPOINT")]
    pub endpoint: Option<String>,
    /// Seconds to wait for discover.
    #[arg(long, default_value_t = 90)]
    pub timeout_discover: u64,
    /// Seconds to wait for up.
    #[arg(long, default_value_t = 90)]
    pub timeout_up: u64,
    /// Seconds to wait for down.
    #[arg(long, default_value_t = 60)]
    pub timeout_down: u64,
    /// Extra attempts after connection errors and 502/503/504 (cold starts).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Refuse endpoint answers larger than this many megabytes (or holding more than 50,000
    /// JSON values per megabyte).
    #[arg(long, default_value_t = 32)]
    pub max_answer_mb: usize,
}

impl EndpointArgs {
    /// The defaults for `url` (the demo's own endpoint).
    pub fn for_url(url: &str) -> EndpointArgs {
        EndpointArgs {
            endpoint: Some(url.to_owned()),
            timeout_discover: 90,
            timeout_up: 90,
            timeout_down: 60,
            retries: 3,
            max_answer_mb: 32,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct DiscoverArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Read-only database checks (default: $DATABASE_URL). postgres://... or sqlite://...
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Only these scenarios (repeatable).
    #[arg(long = "scenario")]
    pub scenarios: Vec<String>,
    /// The iteration number used in run ids.
    #[arg(long, default_value_t = 1)]
    pub iteration: u32,
    /// Also bring up N concurrent instances of each scenario (catches unique columns).
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
    /// Scenarios validated at once (database checks need 1: counts are compared per table).
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    #[arg(long)]
    pub report_json: Option<PathBuf>,
    #[arg(long)]
    pub report_junit: Option<PathBuf>,
    /// Write a self-contained HTML report (summary, checks, timings, recipe graphs, diagnostics).
    #[arg(long)]
    pub report_html: Option<PathBuf>,
    /// Write the validated recipes, .scenario-validation.json and .endpoint-validated when every check passed.
    #[arg(long)]
    pub write: bool,
    /// Skip the protocol conformance probes.
    #[arg(long)]
    pub no_conformance: bool,
    /// An origin (`https://host:port`) that may receive the `${VAR}` values of `[probes]`
    /// (repeatable; the endpoint's origin and loopback always may).
    #[arg(long = "probe-origin", value_name = "ORIGIN")]
    pub probe_origins: Vec<String>,
    /// Repair what is the scenario's (one fix per iteration, at most 5), re-running the
    /// validation; never touches the handler. Every edit is shown and recorded.
    #[arg(long)]
    pub reconcile: bool,
    /// The edits made so far (set by `--reconcile` between iterations).
    #[arg(skip)]
    pub edits: Vec<scenario_lab_core::run_report::ScenarioEdit>,
}

#[derive(Debug, clap::Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// The recipe to bring up.
    #[arg(long)]
    pub scenario: String,
}

#[derive(Debug, clap::Args)]
pub struct PendingArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["pending", "run"]))]
pub struct DownArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// Tear down every run of the pending ledger (autonoma/.scenario-lab/pending.json), except
    /// those a running validation is still proving.
    #[arg(long)]
    pub pending: bool,
    /// Tear down this run (its id from `scenario-lab pending` or `up`).
    #[arg(long, value_name = "ID")]
    pub run: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ConformanceArgs {
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
}

#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    /// The setup id (default: the contents of autonoma/.generation-id).
    #[arg(long)]
    pub setup: Option<String>,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    #[arg(long, env = "AUTONOMA_API_URL")]
    pub api_url: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7878)]
    pub port: u16,
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// The built editor (Trunk's output).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// Open the editor in the default browser.
    #[arg(long)]
    pub open: bool,
    /// The ANIP packs the Packs tab shows (default: `anip/` beside the workspace folder).
    #[arg(long)]
    pub packs: Option<PathBuf>,
    /// An ANIP service the proxy may send your credentials to (repeatable; also the trust file).
    #[arg(long = "anip-service", value_name = "URL")]
    pub anip_services: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Port of the demo endpoint on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Port of the editor and its API on 127.0.0.1.
    #[arg(long, default_value_t = 7878)]
    pub editor_port: u16,
    /// The workspace (the reference example is written there when it has no recipes).
    #[command(flatten)]
    pub workspace: WorkspaceArgs,
    /// The built editor (Trunk's output).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// Skip the validation run at start.
    #[arg(long)]
    pub no_validate: bool,
    /// Open the editor in the default browser.
    #[arg(long)]
    pub open: bool,
    /// An ANIP service the proxy may send your credentials to (repeatable; also the trust file).
    #[arg(long = "anip-service", value_name = "URL")]
    pub anip_services: Vec<String>,
    /// The ANIP packs folder (default: `anip/` beside the workspace folder); the demo writes its
    /// service's starter pack there.
    #[arg(long)]
    pub packs: Option<PathBuf>,
}

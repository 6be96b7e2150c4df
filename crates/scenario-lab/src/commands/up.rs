//! `scenario-lab up --scenario NAME`: brings one scenario up and keeps it up, so that people can
//! browse the app as its user before writing tests; prints the run id, the masked auth, which
//! record each login belongs to, the records per model and the command that tears it down.

use super::CommandError;
use crate::cli::{UpArgs, exit};
use crate::endpoint::EndpointClient;
use crate::kept_run::{KeepError, bring_up, logins};
use crate::terminal::{eprint_safe, print_safe};
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::run_report::mask_auth;
use std::fmt::Write;

/// Brings the scenario up; exit 0 when it came up with a refs token.
pub async fn run(args: &UpArgs) -> Result<u8, CommandError> {
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let dir = match WorkspaceDir::open(&args.workspace) {
        Ok(dir) => dir,
        Err(message) => {
            eprint_safe(&message);
            return Ok(exit::USAGE);
        }
    };
    eprint_safe(&format!("{}\n", dir.describe()));
    let kept = match bring_up(&client, &dir, &args.scenario).await {
        Ok(kept) => kept,
        Err(KeepError::Recipe(message)) => {
            eprint_safe(&format!("error: {message}\n"));
            return Ok(exit::USAGE);
        }
        Err(KeepError::Endpoint(error)) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::UNREACHABLE);
        }
        Err(KeepError::Ledger(error)) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::CHECK_FAILED);
        }
    };
    let mut out = format!(
        "up {}: HTTP {} in {} ms\n  run id: {}\n",
        kept.scenario, kept.status, kept.up_ms, kept.test_run_id
    );
    if !kept.kept() {
        let _ = writeln!(
            out,
            "  {}\n  nothing is kept: no refsToken came back",
            kept.message
        );
        print_safe(&out);
        return Ok(exit::CHECK_FAILED);
    }
    if let Some(auth) = &kept.answer.auth {
        let masked = serde_json::to_string_pretty(&mask_auth(auth)).unwrap_or_default();
        let _ = writeln!(
            out,
            "  auth (masked):\n    {}",
            masked.replace('\n', "\n    ")
        );
    }
    for (path, model, id) in logins(&kept.answer) {
        let _ = writeln!(out, "  {path} belongs to {model} {id}");
    }
    let counts: Vec<String> = kept
        .answer
        .refs_counts()
        .iter()
        .map(|(model, n)| format!("{model} {n}"))
        .collect();
    let _ = writeln!(out, "  records: {}", counts.join(", "));
    let _ = writeln!(
        out,
        "kept up; tear it down with:\n  scenario-lab down --run {} --dir {} --endpoint {}",
        kept.test_run_id,
        args.workspace.dir.display(),
        client.url()
    );
    print_safe(&out);
    Ok(exit::OK)
}

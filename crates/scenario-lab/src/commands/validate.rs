//! `scenario-lab validate`: runs one validation (`validation::execute`) with progress on
//! standard error, then prints the summary table and writes the requested reports.

use super::CommandError;
use crate::cli::ValidateArgs;
use crate::endpoint::EndpointClient;
use crate::render;
use crate::terminal::{print_safe, progress_to_stderr};
use crate::validate_report as report;
use crate::validation::{Steering, execute};
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::run_report::ValidateReport;

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the report {path}: {source}")]
pub struct ReportError {
    path: String,
    #[source]
    source: std::io::Error,
}

/// The `validate` command; returns the exit code.
pub async fn run(args: &ValidateArgs) -> Result<u8, CommandError> {
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let signing_secret = std::env::var("AUTONOMA_SIGNING_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    let steering = std::sync::Arc::new(Steering::default());
    let interrupt = tokio::spawn(cancel_on_ctrl_c(steering.clone()));
    let (report, code) = if args.reconcile {
        crate::reconcile::run(
            args,
            &client,
            signing_secret.as_deref(),
            &progress_to_stderr,
            &steering,
        )
        .await?
    } else {
        execute(
            args,
            &client,
            signing_secret,
            &progress_to_stderr,
            &steering,
        )
        .await?
    };
    interrupt.abort();
    if let Some(report) = &report {
        finish(report, args)?;
    }
    Ok(code)
}

/// The first Ctrl-C cancels (the scenarios running now still tear down); the second quits at
/// once, leaving what is up in the pending ledger for the next run's reaper.
async fn cancel_on_ctrl_c(steering: std::sync::Arc<Steering>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    steering.cancel();
    progress_to_stderr(
        "interrupted: finishing the scenarios running now and tearing them down (Ctrl-C again quits; the next run reaps what is left)",
    );
    if tokio::signal::ctrl_c().await.is_ok() {
        std::process::exit(130);
    }
}

/// Prints the summary table and writes the requested reports.
fn finish(report: &ValidateReport, args: &ValidateArgs) -> Result<(), ReportError> {
    print_safe(&report::summary_table(report));
    let write = |path: &std::path::Path, text: String| {
        crate::atomic_file::write_atomic(path, text.as_bytes()).map_err(|source| ReportError {
            path: path.display().to_string(),
            source,
        })
    };
    if let Some(path) = &args.report_json {
        write(
            path,
            serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        )?;
    }
    if let Some(path) = &args.report_junit {
        write(path, report::junit(report))?;
    }
    if let Some(path) = &args.report_html {
        let html = WorkspaceDir::read(&args.workspace.dir)
            .map(|dir| render::validation_html(report, &dir))
            .unwrap_or_default();
        write(path, html)?;
    }
    Ok(())
}

//! `scenario-lab anip run PACK...`: each pack against each service, verdicts, reports, exit code.

use super::CommandError;
use super::check::{PackFile, render};
use crate::anip::report::{junit, progress_line, summary};
use crate::anip::session::{Progress, RunOptions, run_pack};
use crate::atomic_file::write_atomic;
use crate::cli::{AnipRunArgs, Format, exit};
use crate::terminal::eprint_safe;
use scenario_lab_core::anip::run_report::PackRunReport;

/// The `anip run` command.
pub async fn run(args: &AnipRunArgs) -> Result<u8, CommandError> {
    let mut code = exit::OK;
    let mut reports = Vec::new();
    for path in &args.packs {
        let Some(file) = PackFile::read_or_say(path) else {
            return Ok(exit::USAGE);
        };
        let checked = file.check();
        if checked.report.errors() > 0 {
            eprint_safe(&render(&file, &checked, Format::Human, false));
            eprint_safe("error: the pack has errors; `scenario-lab anip check` shows them\n");
            return Ok(exit::USAGE);
        }
        let options = RunOptions {
            services: args.service.clone(),
            scenarios: args.scenario.clone(),
            classes: args.class.clone(),
            agent: args.agent.clone(),
            trust: crate::anip::trust::Trust::named(&args.service),
            env_fallback: std::collections::BTreeMap::new(),
        };
        let mut progress = |event: &Progress<'_>| match event {
            Progress::Service { service, scenarios } => {
                println!(
                    "{} against {service}: {scenarios} scenarios",
                    path.display()
                );
            }
            Progress::Scenario(run) => print!("{}", progress_line(run)),
        };
        let outcome = run_pack(
            &options,
            &path.display().to_string(),
            &checked.pack,
            &mut progress,
        )
        .await;
        match outcome {
            Ok(report) => {
                print!("{}", summary(&report));
                if report.failed() {
                    code = exit::CHECK_FAILED;
                }
                reports.push(report);
                // Written after each pack, so a later pack that cannot run leaves the earlier ones.
                write_reports(args, &reports)?;
            }
            Err(failure) => {
                eprint_safe(&format!("error: {}\n", failure.message));
                return Ok(failure.code);
            }
        }
    }
    Ok(code)
}

/// The reports of the packs run so far: JSON (one pack's report, or a list of them for several
/// packs) and one JUnit document.
fn write_reports(args: &AnipRunArgs, reports: &[PackRunReport]) -> Result<(), CommandError> {
    let write = |path: &std::path::Path, text: String| {
        write_atomic(path, text.as_bytes()).map_err(|source| CommandError::Write {
            path: path.display().to_string(),
            source,
        })
    };
    if let Some(path) = &args.report_json {
        let json = match reports {
            [one] => serde_json::to_string_pretty(one),
            several => serde_json::to_string_pretty(several),
        };
        write(path, json.unwrap_or_default())?;
    }
    if let Some(path) = &args.report_junit {
        write(path, junit(reports))?;
    }
    Ok(())
}

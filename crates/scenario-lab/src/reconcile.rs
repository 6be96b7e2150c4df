//! `validate --reconcile`: the seed's loop. While a failure is the scenario's, apply one of its
//! repairs (a quick fix at the diagnosed place), show it as a diff, record it and validate again;
//! at most five iterations; a failure of the handler or the environment stops it at once.

use crate::atomic_file::write_atomic;
use crate::cli::{ValidateArgs, exit};
use crate::endpoint::EndpointClient;
use crate::lifecycle::Progress;
use crate::validation::{Steering, ValidateError, execute};
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::diagnosis::{Diagnosis, Side};
use scenario_lab_core::line_index::LineIndex;
use scenario_lab_core::run_report::{ScenarioEdit, ValidateReport};
use scenario_lab_core::{Diagnostic, Fix};

/// The seed's cap.
pub const MAX_ITERATIONS: u32 = 5;

/// Validates, repairs what is the scenario's and validates again, until it passes, the cap is
/// reached or the remaining failure is not the scenario's. The last report carries every edit.
pub async fn run(
    args: &ValidateArgs,
    client: &EndpointClient,
    signing_secret: Option<&str>,
    progress: Progress<'_>,
    steering: &Steering,
) -> Result<(Option<ValidateReport>, u8), ValidateError> {
    let mut args = args.clone();
    for iteration in 1..=MAX_ITERATIONS {
        args.iteration = iteration;
        let (report, code) = execute(
            &args,
            client,
            signing_secret.map(str::to_owned),
            progress,
            steering,
        )
        .await?;
        let Some(report) = report else {
            return Ok((None, code));
        };
        if report.ok || code != exit::CHECK_FAILED || steering.is_cancelled() {
            return Ok((Some(report), code));
        }
        let Some(failure) = first_failure(&report) else {
            progress(
                "reconcile: stopping: no failure is the scenario's to repair (fix the handler or the environment, then run again)",
            );
            return Ok((Some(report), code));
        };
        if iteration == MAX_ITERATIONS {
            progress(&format!(
                "reconcile: stopping after {MAX_ITERATIONS} iterations; the last failure is above"
            ));
            return Ok((Some(report), code));
        }
        let Some(edit) = repair(&args, failure) else {
            progress(&format!(
                "reconcile: stopping: {} ({}) has no mechanical repair; edit the scenario by hand",
                failure.0.id, failure.1.cause
            ));
            return Ok((Some(report), code));
        };
        progress(&format!(
            "reconcile: iteration {iteration}: {}:{} ({})\n  - {}\n  + {}",
            edit.file, edit.line, edit.why, edit.before, edit.after
        ));
        args.edits.push(edit);
    }
    unreachable!("the loop returns by its last iteration")
}

/// The first failed check that is the scenario's, with its diagnosis. A failure of the handler
/// or the environment anywhere stops the loop (nothing here may touch the handler).
fn first_failure(report: &ValidateReport) -> Option<(&CheckResult, &Diagnosis)> {
    let failed: Vec<(&CheckResult, &Diagnosis)> = report
        .all_checks()
        .filter(|c| !c.ok)
        .filter_map(|c| c.diagnosis.as_ref().map(|d| (c, d)))
        .collect();
    if failed.iter().any(|(_, d)| d.side != Side::Scenario) {
        return None;
    }
    failed.into_iter().next()
}

/// Applies one quick fix at the diagnosed place (the preflight's, on the files as they are now)
/// atomically, and says what changed.
fn repair(
    args: &ValidateArgs,
    (check, diagnosis): (&CheckResult, &Diagnosis),
) -> Option<ScenarioEdit> {
    let dir = WorkspaceDir::read(&args.workspace.dir).ok()?;
    let report = scenario_lab_core::preflight(&dir.workspace());
    let line_of = |d: &Diagnostic| {
        let text = dir.text(d.file)?;
        Some(LineIndex::new(text).line_col_chars(text, d.span.start).line)
    };
    let wanted = diagnosis.places.first();
    let chosen = report
        .diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.file == d.file))
        .find(|d| {
            wanted.is_some_and(|p| p.file == dir.display_path(d.file) && line_of(d) == Some(p.line))
        })?;
    let fix: &Fix = chosen.fix.as_ref()?;
    let before_text = dir.text(fix.file)?;
    let after_text = fix.apply(before_text);
    write_atomic(&dir.path(fix.file), after_text.as_bytes()).ok()?;
    let line = line_of(chosen)?;
    let line_text = |text: &str| {
        text.lines()
            .nth(line - 1)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    Some(ScenarioEdit {
        file: dir.display_path(fix.file),
        line,
        before: line_text(before_text),
        after: line_text(&after_text),
        why: format!("{} {}: {}", check.id, diagnosis.cause, fix.message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scenario_lab_core::diagnosis::Place;

    fn failed(id: &str, side: Side) -> CheckResult {
        let mut check = CheckResult::fail(id, "x");
        check.diagnosis = Some(Diagnosis {
            places: vec![Place {
                file: "f".into(),
                line: 1,
                column: None,
            }],
            ..Diagnosis::new(side, "unique-collision", "h")
        });
        check
    }

    #[test]
    fn a_failure_of_the_handler_anywhere_stops_the_loop() {
        let mut report = ValidateReport::default();
        report.checks.push(failed("up.status", Side::Scenario));
        assert!(first_failure(&report).is_some());
        report.checks.push(failed("db.gone", Side::Handler));
        assert!(first_failure(&report).is_none());
    }
}

//! `anip run` for people and CI: a line per scenario as it ends, a summary table, JUnit XML.

use crate::terminal::escape_controls;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use scenario_lab_core::anip::run_report::{PackRunReport, ScenarioRun, Verdict};
use std::fmt::Write;

/// The line printed when a scenario ends (Hurl style), with its failed checks under it.
pub fn progress_line(run: &ScenarioRun) -> String {
    let mark = match run.verdict {
        Verdict::Passed => "ok  ",
        Verdict::Failed => "FAIL",
        Verdict::Skipped => "skip",
    };
    let mut line = format!(
        "  {mark} {} ({}) {} ms{}\n",
        escape_controls(&run.id),
        run.class,
        run.ms,
        run.outcome
            .as_ref()
            .map(|o| format!(" → {}", escape_controls(o)))
            .unwrap_or_default()
    );
    for check in run.checks.iter().filter(|c| !c.ok || c.skipped) {
        let _ = writeln!(
            line,
            "         {} {}: {}",
            check.mark(),
            check.id,
            escape_controls(&check.message)
        );
    }
    line
}

/// The closing summary: a table per service, hygiene warnings, outcome drift, the verdict line.
pub fn summary(report: &PackRunReport) -> String {
    let mut out = String::new();
    for service in &report.services {
        let _ = writeln!(out, "\n{} against {}", report.pack, service.service);
        let width = service
            .scenarios
            .iter()
            .map(|s| s.id.chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        let _ = writeln!(
            out,
            "  {:<width$}  {:<30}  {:<7}  {:>6}  outcome",
            "scenario", "class", "verdict", "ms"
        );
        for run in &service.scenarios {
            let verdict = match run.verdict {
                Verdict::Passed => "passed",
                Verdict::Failed => "FAILED",
                Verdict::Skipped => "skipped",
            };
            let _ = writeln!(
                out,
                "  {:<width$}  {:<30}  {verdict:<7}  {:>6}  {}",
                escape_controls(&run.id),
                run.class,
                run.ms,
                escape_controls(run.outcome.as_deref().unwrap_or("-"))
            );
        }
        if !service.hygiene.is_empty() {
            let _ = writeln!(out, "  protocol hygiene (warnings, never a failure):");
            for warning in &service.hygiene {
                let _ = writeln!(
                    out,
                    "    warning: {}: {}",
                    escape_controls(&warning.scenario),
                    escape_controls(&warning.message)
                );
            }
        }
    }
    for drift in &report.outcome_drift {
        let outcomes: Vec<String> = drift
            .outcomes
            .iter()
            .map(|(s, o)| format!("{s}: {}", o.as_deref().unwrap_or("-")))
            .collect();
        let _ = writeln!(
            out,
            "  outcome differs for {}: {}",
            escape_controls(&drift.scenario),
            outcomes.join(", ")
        );
    }
    let (passed, failed, skipped) = report.counts();
    let verdict = if report.failed() { "failed" } else { "passed" };
    let _ = writeln!(
        out,
        "\nanip run {verdict}: {passed} passed, {failed} failed, {skipped} skipped"
    );
    out
}

/// JUnit XML: a suite per pack and service, a case per scenario.
pub fn junit(reports: &[PackRunReport]) -> String {
    let mut junit = Report::new("scenario-lab anip run");
    for (report, service) in reports
        .iter()
        .flat_map(|r| r.services.iter().map(move |s| (r, s)))
    {
        let mut suite = TestSuite::new(format!("{} @ {}", report.pack, service.service));
        for run in &service.scenarios {
            let status = match run.verdict {
                Verdict::Passed => TestCaseStatus::success(),
                Verdict::Skipped => TestCaseStatus::skipped(),
                Verdict::Failed => {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    let failed: Vec<String> = run
                        .checks
                        .iter()
                        .filter(|c| !c.ok)
                        .map(|c| format!("{}: {}", c.id, c.message))
                        .collect();
                    status.set_message(failed.first().cloned().unwrap_or_default());
                    status.set_description(failed.join("\n"));
                    status
                }
            };
            let mut case = TestCase::new(run.id.clone(), status);
            case.set_classname(run.class.clone());
            case.set_time(std::time::Duration::from_millis(run.ms));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().unwrap_or_default()
}

//! The validation report for people (a summary table, Hurl style) and for CI (JUnit).

use crate::lifecycle::plural;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::run_report::{RecordsProof, ValidateReport};
use std::fmt::Write;

/// The closing table: global checks, one row per scenario, failing checks spelled out.
pub fn summary_table(report: &ValidateReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<28} {:>8} {:>8}  result",
        "scenario", "up ms", "down ms"
    );
    for run in &report.scenarios {
        let up = run.up_ms.map_or("-".to_owned(), |v| v.to_string());
        let down = run.down_ms.map_or("-".to_owned(), |v| v.to_string());
        let _ = writeln!(
            out,
            "{:<28} {:>8} {:>8}  {}",
            run.name,
            up,
            down,
            if run.ok { "ok" } else { "FAILED" }
        );
        for check in run.checks.iter().filter(|c| !c.ok || c.warning) {
            if let Some(diagnosis) = &check.diagnosis {
                let _ = writeln!(
                    out,
                    "    {} {}: {}",
                    check.mark(),
                    check.id,
                    diagnosis.lead()
                );
                let _ = writeln!(out, "         {}", check.message);
                let _ = writeln!(out, "         help: {}", diagnosis.help);
            } else {
                let _ = writeln!(out, "    {} {}: {}", check.mark(), check.id, check.message);
            }
        }
    }
    for check in report.checks.iter().chain(report.conformance.iter()) {
        if !check.ok || check.skipped {
            let _ = writeln!(out, "  {:<4} {}: {}", check.mark(), check.id, check.message);
        }
    }
    for leak in &report.leaked {
        let what = if leak.rows > 0 {
            "left behind"
        } else {
            "deleted"
        };
        let _ = writeln!(
            out,
            "  leaked: {} {} {what} in {} by {} ({})",
            leak.rows.abs(),
            plural(
                usize::try_from(leak.rows.unsigned_abs()).unwrap_or(usize::MAX),
                "row"
            ),
            leak.table,
            leak.scenario,
            leak.test_run_id
        );
    }
    if let Some(to) = &report.redirected_to {
        let _ = writeln!(
            out,
            "  note: the endpoint redirected every request to {to}; they were re-sent there with the same body and signature (use that URL)"
        );
    }
    for reaped in &report.reaped {
        let _ = writeln!(out, "  {reaped}");
    }
    if report.pending > 0 {
        let _ = writeln!(
            out,
            "  {} teardown(s) pending in autonoma/.scenario-lab/pending.json: run `scenario-lab down --pending`",
            report.pending
        );
    }
    let total = report.scenarios.len();
    let passed = report.scenarios.iter().filter(|s| s.ok).count();
    let checks: Vec<&CheckResult> = report.all_checks().collect();
    let failed = checks.iter().filter(|c| !c.ok).count();
    let skipped = checks.iter().filter(|c| c.skipped).count();
    let unproven = if report.records == RecordsProof::NotProven {
        format!(", {skipped} skipped; {}", RecordsProof::NOT_PROVEN)
    } else if skipped > 0 {
        format!(", {skipped} skipped")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\nvalidate {}: {passed}/{total} scenarios passed, {} checks passed, {failed} failed{unproven}",
        if report.ok { "passed" } else { "failed" },
        checks.iter().filter(|c| c.ok && !c.skipped).count()
    );
    out
}

/// One test case per scenario and check.
pub fn junit(report: &ValidateReport) -> String {
    let mut suite = TestSuite::new("scenario-lab validate");
    let mut add = |class: &str, check: &CheckResult| {
        let status = if check.skipped {
            TestCaseStatus::skipped()
        } else if check.ok {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(match &check.diagnosis {
                Some(diagnosis) => format!("{}: {}", diagnosis.lead(), check.message),
                None => check.message.clone(),
            });
            status
        };
        let mut case = TestCase::new(check.id.clone(), status);
        case.set_classname(class.to_owned());
        suite.add_test_case(case);
    };
    for check in &report.checks {
        add("workspace", check);
    }
    for run in &report.scenarios {
        for check in &run.checks {
            add(&run.name, check);
        }
    }
    for check in &report.conformance {
        add("conformance", check);
    }
    let mut junit = Report::new("scenario-lab");
    junit.add_test_suite(suite);
    junit.to_string().unwrap_or_default()
}

//! JUnit XML for CI: one test case per workspace file, failing with that file's errors.

use super::Rendered;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use scenario_lab_core::diagnostic::Severity;

/// Renders the report as a JUnit document.
pub fn render(rendered: &Rendered<'_>) -> String {
    let mut suite = TestSuite::new(rendered.title);
    for source in &rendered.sources {
        let kind = source.kind;
        let mine: Vec<_> = rendered
            .report
            .diagnostics
            .iter()
            .filter(|d| d.file == kind)
            .collect();
        let errors: Vec<String> = mine
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let (start, _) = rendered.positions(d);
                format!(
                    "{}:{}:{}: error[{}]: {}",
                    source.path, start.line, start.column, d.code, d.message
                )
            })
            .collect();
        let status = if errors.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!("{} error(s)", errors.len()));
            status.set_description(errors.join("\n"));
            status
        };
        let mut case = TestCase::new(source.path.clone(), status);
        case.set_classname(rendered.title);
        let warnings: Vec<String> = mine
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| format!("warning[{}]: {}", d.code, d.message))
            .collect();
        if !warnings.is_empty() {
            case.set_system_out(warnings.join("\n"));
        }
        suite.add_test_case(case);
    }
    let mut report = Report::new("scenario-lab");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

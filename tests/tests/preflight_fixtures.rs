//! Fixture folders `valid/` and `invalid/`: every case's rendered report is a snapshot next to it.

use scenario_lab::cli::Format;
use scenario_lab::render::preflight_report;
use scenario_lab::workspace_dir::WorkspaceDir;
use scenario_lab_core::FileKind;
use std::path::{Path, PathBuf};

fn cases(kind: &str) -> Vec<PathBuf> {
    scenario_lab_tests::fixture_cases("preflight", kind)
}

/// Runs the preflight on one case as `scenario-lab preflight --dir autonoma` would show it, and
/// snapshots the human report next to the case.
fn check(case: &Path) -> scenario_lab_core::Report {
    let mut dir = WorkspaceDir::read(case).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
    dir.dir = PathBuf::from("autonoma");
    let outcome = preflight_report(&dir, Format::Human, false);
    let json = preflight_report(&dir, Format::Json, false);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!("preflight", outcome.output);
        insta::assert_snapshot!("preflight-json", json.output);
    });
    outcome.report
}

#[test]
fn valid_cases_have_no_errors() {
    let cases = cases("valid");
    assert!(cases.len() >= 4);
    scenario_lab_tests::assert_no_errors(&cases, check);
}

#[test]
fn invalid_cases_report_their_code() {
    let cases = cases("invalid");
    scenario_lab_tests::assert_named_codes(&cases, check);
    // Every code the core can emit (other than notes) has an invalid case.
    for code in scenario_lab_core::Code::ALL {
        let wanted = code.as_str().replace('/', "-");
        // Pack codes have their own fixtures (anip_fixtures.rs).
        // Codes that are only ever notes are shown by the valid cases (free-form markdown).
        let notes_only = ["recipe-deprecated-variables", "scenarios-dialect"];
        if notes_only.contains(&wanted.as_str()) || wanted.starts_with("pack-") {
            continue;
        }
        assert!(
            cases.iter().any(|c| c.ends_with(&wanted)),
            "no invalid case for {code}"
        );
    }
}

#[test]
fn quick_fixes_remove_their_problem() {
    for case in cases("invalid") {
        let dir = WorkspaceDir::read(&case).unwrap_or_else(|e| panic!("{e}"));
        let report = scenario_lab_core::preflight(&dir.workspace());
        for diagnostic in report.diagnostics.iter().filter(|d| d.fix.is_some()) {
            let fix = diagnostic
                .fix
                .as_ref()
                .map_or_else(|| unreachable!(), |f| (*f).clone());
            let Some(text) = dir.text(fix.file) else {
                continue;
            };
            let fixed = fix.apply(text);
            let mut files = dir.workspace();
            if fix.file == FileKind::Scenarios {
                files.scenarios = Some(&fixed);
            } else {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&fixed).is_ok(),
                    "{}: {} leaves invalid JSON:\n{fixed}",
                    case.display(),
                    diagnostic.code
                );
                files.recipes = Some(&fixed);
            }
            let after = scenario_lab_core::preflight(&files);
            let still = after
                .diagnostics
                .iter()
                .any(|d| d.code == diagnostic.code && d.message == diagnostic.message);
            assert!(
                !still,
                "{}: fix for {} did not remove it",
                case.display(),
                diagnostic.code
            );
        }
    }
}

//! ANIP pack fixtures (`fixtures/anip/valid|invalid/<case>/*.pack.yaml|json`, with an optional
//! `manifest.json`): each case's `anip check` report is a snapshot next to it.

use scenario_lab::cli::Format;
use scenario_lab::commands::anip::check::{PackFile, render};
use scenario_lab_core::anip::{Syntax, check_pack};
use std::path::{Path, PathBuf};

fn cases(kind: &str) -> Vec<PathBuf> {
    scenario_lab_tests::fixture_cases("anip", kind)
}

/// The case's pack, read as `anip check` reads it (paths shown relative to the case).
fn pack_of(case: &Path) -> PackFile {
    let pack = std::fs::read_dir(case)
        .unwrap_or_else(|e| panic!("{}: {e}", case.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().contains(".pack."))
        .unwrap_or_else(|| panic!("{}: no *.pack.* file", case.display()));
    let mut file = PackFile::read(&pack).unwrap_or_else(|e| panic!("{e}"));
    let name = pack.file_name().map(PathBuf::from).unwrap_or_default();
    file.path = Path::new("anip").join(name);
    if let Some((path, _)) = &mut file.manifest {
        *path = PathBuf::from("anip/manifest.json");
    }
    file
}

fn check(case: &Path) -> scenario_lab_core::Report {
    let file = pack_of(case);
    let checked = file.check();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(case);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::assert_snapshot!("anip-check", render(&file, &checked, Format::Human, false));
        insta::assert_snapshot!(
            "anip-check-json",
            render(&file, &checked, Format::Json, false)
        );
    });
    checked.report
}

#[test]
fn valid_packs_have_no_errors() {
    let cases = cases("valid");
    assert!(cases.len() >= 2);
    scenario_lab_tests::assert_no_errors(&cases, check);
}

#[test]
fn invalid_packs_report_their_code() {
    let cases = cases("invalid");
    scenario_lab_tests::assert_named_codes(&cases, check);
    for code in scenario_lab_core::Code::ALL
        .iter()
        .filter(|c| c.as_str().starts_with("pack/"))
    {
        let wanted = code.as_str().replace('/', "-");
        assert!(
            cases.iter().any(|c| c.ends_with(&wanted)),
            "no invalid case for {code}"
        );
    }
}

#[test]
fn brittle_assertion_fixes_remove_their_problem() {
    for case in cases("invalid") {
        let file = pack_of(&case);
        let syntax = Syntax::of_path(&file.path.to_string_lossy());
        let manifest = file.manifest.as_ref().map(|(_, m)| m.as_str());
        for diagnostic in file
            .check()
            .report
            .diagnostics
            .iter()
            .filter(|d| d.fix.is_some())
        {
            let fixed = diagnostic
                .fix
                .as_ref()
                .map(|f| f.apply(&file.text))
                .unwrap_or_default();
            let after = check_pack(&fixed, syntax, manifest).report;
            assert!(
                !after
                    .diagnostics
                    .iter()
                    .any(|d| d.code == diagnostic.code && d.message == diagnostic.message),
                "{}: the fix for `{}` did not remove it:\n{fixed}",
                case.display(),
                diagnostic.message
            );
            assert!(
                !after
                    .diagnostics
                    .iter()
                    .any(|d| d.code.as_str().ends_with("syntax")),
                "{}: the fix broke the file:\n{fixed}",
                case.display()
            );
        }
    }
}

#[test]
fn anip_check_writes_one_html_page_for_every_pack() {
    let root = scenario_lab_tests::repo_root().join("tests/fixtures/anip");
    let dir = scenario_lab_tests::TempDir::new("anip-html");
    let page = dir.0.join("check.html");
    let out = std::process::Command::new(scenario_lab_tests::binary())
        .args(["anip", "check", "--format", "html", "--output"])
        .arg(&page)
        .arg(root.join("valid/approval-chain/fixture.pack.yaml"))
        .arg(root.join("invalid/pack-unknown-prior/case.pack.yaml"))
        .output()
        .expect("scenario-lab runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        scenario_lab_tests::text(&out)
    );
    let html = std::fs::read_to_string(&page).expect("the page is written");
    assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>\n"));
    assert_eq!(html.matches("<h2>").count(), 2, "a section per pack");
    for needle in [
        "2 pack(s), 1 error(s)",
        "pack/unknown-prior",
        "<td><code>reset-continue</code></td><td>approval_continuation</td>",
        "invoke fixture.reset_tenant",
    ] {
        assert!(html.contains(needle), "{needle}: {html}");
    }
}

//! The HTML reports (`preflight --format html`, `validate --report-html`), opened in headless
//! Chromium with the network refused: they render their summary and recipe graphs alone, and
//! carry no secret.

use scenario_lab_tests::{
    SHARED_SECRET, SIGNING_SECRET, example_workspace, repo_root, scenario_lab, start_demo, text,
};
use std::process::Command;

#[test]
fn the_html_reports_render_offline_in_chromium() {
    let root = repo_root();
    assert!(
        root.join("tests/node/node_modules/playwright-core")
            .exists(),
        "playwright-core is missing: run `npm ci` in tests/node (scripts/test.sh does)"
    );
    let workspace = example_workspace("html-report");
    let preflight = workspace.0.join("preflight.html");
    let output = scenario_lab(
        &workspace.0,
        &[
            "preflight",
            "--format",
            "html",
            "--output",
            preflight.to_str().unwrap_or_default(),
        ],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    let demo = start_demo(&workspace, None, false);
    let validation = workspace.0.join("validation.html");
    let output = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &demo.endpoint,
            "--database-url",
            &demo.database,
            "--report-html",
            validation.to_str().unwrap_or_default(),
        ],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let html = std::fs::read_to_string(&validation).unwrap_or_default();
    for needle in [
        "validate passed",
        "up.status",
        "db.untouched",
        "conformance.unsigned",
        "<svg class=\"bars\"",
        "****(",
    ] {
        assert!(html.contains(needle), "the report shows {needle}");
    }
    for secret in [
        SHARED_SECRET,
        SIGNING_SECRET,
        "Test1234!",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IlJFRlMifQ",
    ] {
        assert!(!html.contains(secret), "no secret in the report: {secret}");
    }
    assert!(
        !html.contains("http://") || !html.contains("<script"),
        "no script"
    );

    let status = Command::new("node")
        .arg(root.join("tests/node/html-report.mjs"))
        .env(
            "REPORTS",
            format!("{};{}", preflight.display(), validation.display()),
        )
        .env("SHOTS", root.join("target/e2e-artifacts/html-report"))
        .status()
        .unwrap_or_else(|e| panic!("node: {e}"));
    assert!(status.success(), "the reports render offline in Chromium");
}

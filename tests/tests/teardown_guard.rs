//! The invariant "down runs whenever up returned a token": after a database error, after a panic
//! of our own, and (through the ledger) after the process is killed. Faults are injected with
//! FAILPOINTS into the real binary, against the real Python SDK app on PostgreSQL.

use scenario_lab_tests::{
    EndpointApp, Postgres, SHARED_SECRET, SIGNING_SECRET, TempDir, binary, example_workspace,
    sqlalchemy_url, text,
};
use serde_json::Value;
use std::process::{Command, Output};

/// The binary was built with the `failpoints` feature (the workspace's `cargo test` does that).
fn assert_failpoints() {
    let output = Command::new(binary())
        .env("FAILPOINTS", "probe=return")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text(&output).contains("failpoints: on"),
        "{} lacks the failpoints feature: run the workspace's `cargo test` (scripts/test.sh)",
        binary().display()
    );
}

/// `validate --scenario standard` with `failpoints` set; the output and the JSON report.
fn validate(
    workspace: &TempDir,
    app: &EndpointApp,
    pg: &Postgres,
    failpoints: &str,
) -> (Output, Value) {
    let report = workspace.0.join("report.json");
    let output = Command::new(binary())
        .args([
            "validate",
            "--endpoint",
            &app.url,
            "--database-url",
            &pg.url,
        ])
        .args([
            "--scenario",
            "standard",
            "--no-conformance",
            "--report-json",
        ])
        .arg(&report)
        .current_dir(&workspace.0)
        .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
        .env("AUTONOMA_SIGNING_SECRET", SIGNING_SECRET)
        .env("FAILPOINTS", failpoints)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let json = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (output, json)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["scenarios"][0]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

fn ledger_is_empty(workspace: &TempDir) -> bool {
    !workspace
        .0
        .join("autonoma/.scenario-lab/pending.json")
        .exists()
}

#[test]
fn a_database_error_after_up_still_tears_the_run_down() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    assert_failpoints();
    let workspace = example_workspace("db-error");
    let (output, report) = validate(&workspace, &app, &pg, "db-found=return");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let created = check(&report, "db.created");
    assert_eq!(created["ok"], false);
    assert!(
        created["message"]
            .as_str()
            .is_some_and(|m| m.contains("torn down anyway")),
        "{created}"
    );
    assert_eq!(check(&report, "down.status")["ok"], true, "{report:#}");
    assert_eq!(
        check(&report, "db.untouched")["ok"],
        true,
        "no row left: {report:#}"
    );
    assert!(ledger_is_empty(&workspace));
}

#[test]
fn a_panic_of_ours_after_up_still_tears_the_run_down() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    assert_failpoints();
    let workspace = example_workspace("panic");
    let (output, report) = validate(&workspace, &app, &pg, "check-up=panic(injected)");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        check(&report, "internal")["message"]
            .as_str()
            .is_some_and(|m| m.contains("injected") && m.contains("tore down anyway")),
        "{report:#}"
    );
    assert_eq!(check(&report, "down.status")["ok"], true, "{report:#}");
    assert_eq!(check(&report, "db.untouched")["ok"], true, "{report:#}");
    assert!(ledger_is_empty(&workspace));
}

#[test]
fn a_table_the_database_lacks_stops_before_anything_is_created() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("no-such-table");
    std::fs::write(
        workspace.0.join("autonoma/scenario-lab.toml"),
        "[tables]\nUser = \"no_such_table\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (output, report) = validate(&workspace, &app, &pg, "");
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("scenario-lab.toml: [tables] User = \"no_such_table\": the database has no table `no_such_table`"),
        "{}",
        text(&output)
    );
    assert!(
        report["scenarios"].as_array().is_some_and(Vec::is_empty),
        "nothing came up: {report:#}"
    );
    assert!(ledger_is_empty(&workspace));
}

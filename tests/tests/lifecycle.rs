//! `scenario-lab validate` against the real Autonoma Python SDK (FastAPI, SQLAlchemy) on a real
//! PostgreSQL or SQLite, each defect caught by the right check and exit code.

use scenario_lab_tests::{
    EndpointApp, Postgres, SHARED_SECRET, TempDir, example_workspace, free_port, http,
    scenario_lab, sqlalchemy_url, text,
};
use serde_json::Value;
use std::process::Output;

/// Runs validate in `workspace` and returns the process output and the JSON report.
fn validate(
    workspace: &TempDir,
    endpoint: &str,
    database_url: Option<&str>,
    extra: &[&str],
    secret: &str,
) -> (Output, Value) {
    let report = workspace.0.join("report.json");
    let mut args = vec![
        "validate",
        "--endpoint",
        endpoint,
        "--report-json",
        report.to_str().unwrap_or_default(),
    ];
    if let Some(url) = database_url {
        args.extend(["--database-url", url]);
    }
    args.extend(extra);
    let output = scenario_lab(&workspace.0, &args, secret);
    let json = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (output, json)
}

/// Starts PostgreSQL and the app with `defect`, validates `scenario` of the example workspace.
fn validate_with_defect(defect: &str, scenario: &str) -> (Output, Value) {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), defect);
    let workspace = example_workspace(defect);
    name_the_handler(&workspace);
    validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", scenario, "--no-conformance"],
        SHARED_SECRET,
    )
}

/// Copies the test app into `server/app.py` and names it in `.endpoint-implemented`, as the
/// plugin's step 4 does: diagnoses point into it.
fn name_the_handler(workspace: &TempDir) {
    std::fs::create_dir_all(workspace.0.join("server")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        scenario_lab_tests::repo_root().join("tests/endpoint_app/app.py"),
        workspace.0.join("server/app.py"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        workspace.0.join("autonoma/.endpoint-implemented"),
        "Endpoint implemented.\n- handler: server/app.py\n- factories registered: 5\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Asserts the diagnosis of the failed check `id`: its side, cause and first place (file, line).
fn assert_diagnosis(report: &Value, id: &str, side: &str, cause: &str, place: (&str, usize)) {
    let diagnosis = failed_check(report, id).map_or(Value::Null, |c| c["diagnosis"].clone());
    assert_eq!(diagnosis["side"], side, "{id}: {diagnosis:#}");
    assert_eq!(diagnosis["cause"], cause, "{id}: {diagnosis:#}");
    assert!(
        diagnosis["places"][0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with(place.0)),
        "{id}: {diagnosis:#}"
    );
    assert_eq!(
        diagnosis["places"][0]["line"], place.1,
        "{id}: {diagnosis:#}"
    );
}

/// The 1-based line of the test app's factory registration for `model`.
fn factory_line(model: &str) -> usize {
    let source =
        std::fs::read_to_string(scenario_lab_tests::repo_root().join("tests/endpoint_app/app.py"))
            .unwrap_or_default();
    source
        .lines()
        .position(|l| {
            l.trim_start()
                .starts_with(&format!("\"{model}\": define_factory("))
        })
        .map_or(0, |i| i + 1)
}

/// The first scenario check with `id` that failed, anywhere in the report.
/// The message of the failed check `id` (a panic showing the report when there is none).
fn failure_message<'a>(report: &'a Value, id: &str) -> &'a str {
    failed_check(report, id)
        .and_then(|check| check["message"].as_str())
        .unwrap_or_else(|| panic!("no failed {id} check in {report:#}"))
}

fn failed_check<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    let scenarios = report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["checks"].as_array().into_iter().flatten());
    let global = report["checks"].as_array().into_iter().flatten();
    scenarios
        .chain(global)
        .find(|c| c["id"] == id && c["ok"] == false)
}

#[test]
fn example_recipes_pass_and_artifacts_are_written() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("pass");
    let junit = workspace.0.join("report.xml");
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &[
            "--write",
            "--repeat",
            "2",
            "--report-junit",
            junit.to_str().unwrap_or_default(),
        ],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(report["ok"], true);
    assert_eq!(report["scenarios"].as_array().map(Vec::len), Some(3));
    let ids: Vec<&str> = report["scenarios"][0]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for id in [
        "up.status",
        "up.auth",
        "up.refs",
        "up.refs_token",
        "db.created",
        "down.status",
        "db.gone",
        "db.untouched",
        "repeat.concurrent",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(
        report["conformance"]
            .as_array()
            .is_some_and(|c| c.len() >= 6 && c.iter().all(|c| c["ok"] == true)),
        "{}",
        report["conformance"]
    );
    let dir = workspace.0.join("autonoma");
    let validation: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(".scenario-validation.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(validation["status"], "ok");
    assert_eq!(
        validation["validatedScenarios"].as_array().map(Vec::len),
        Some(3)
    );
    // The plugin's nine keys, the proof of the recipes this validation wrote, and how their
    // records were proven.
    assert_eq!(validation.as_object().map(serde_json::Map::len), Some(11));
    assert_eq!(validation["records"], "database");
    assert!(
        validation["recipesProof"]
            .as_str()
            .is_some_and(|p| p.len() == 64)
    );
    assert!(
        std::fs::read_to_string(dir.join(".endpoint-validated"))
            .is_ok_and(|t| t.starts_with("Validated 3 scenarios"))
    );
    let recipes: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("scenario-recipes.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(
        recipes["recipes"][2]["validation"]["method"],
        "endpoint-up-down"
    );
    assert!(
        recipes["recipes"][2]["validation"]["up_ms"]
            .as_u64()
            .is_some()
    );
    assert!(std::fs::read_to_string(&junit).is_ok_and(|x| x.contains("db.untouched")));
    let printed = text(&output);
    assert!(
        !printed.contains(SHARED_SECRET) && !printed.contains(scenario_lab_tests::SIGNING_SECRET),
        "secrets must never be printed"
    );
    assert!(
        !std::fs::read_to_string(workspace.0.join("report.json"))
            .unwrap_or_default()
            .contains("Test1234!"),
        "auth values are masked in reports"
    );
}

#[test]
fn a_factory_without_teardown_fails_db_gone() {
    let (output, report) = validate_with_defect("no_teardown", "standard");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failure_message(&report, "db.gone");
    assert!(message.contains("Task: 8 of 8"), "{message}");
    assert!(
        report["leaked"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["table"] == "task" && l["rows"] == 8))
    );
    let at = ("server/app.py", factory_line("Task"));
    assert_diagnosis(&report, "db.gone", "handler", "teardown-missing", at);
}

#[test]
fn rows_left_by_a_side_effect_fail_db_untouched() {
    let (output, report) = validate_with_defect("extra_rows", "empty");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failure_message(&report, "db.untouched");
    assert!(
        message.contains("onboarding_checklist: 1 row left behind"),
        "{message}"
    );
    assert!(
        message.contains("another writer to this database"),
        "the message names the other cause of the same symptom: {message}"
    );
    assert!(
        failed_check(&report, "db.gone").is_none(),
        "the refs rows themselves are gone"
    );
    let at = ("server/app.py", factory_line("Organization"));
    assert_diagnosis(
        &report,
        "db.untouched",
        "handler",
        "orphans-from-trigger",
        at,
    );
}

#[test]
fn a_teardown_deleting_unrelated_rows_fails_db_untouched() {
    let (output, report) = validate_with_defect("delete_unrelated", "standard");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failure_message(&report, "db.untouched");
    assert!(
        message.contains("project: 1 row deleted that up did not create"),
        "{message}"
    );
    let at = ("server/app.py", factory_line("Project"));
    assert_diagnosis(&report, "db.untouched", "handler", "collateral-delete", at);
}

#[test]
fn an_audited_model_without_a_factory_is_the_handlers() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "no_task_factory");
    let workspace = example_workspace("no-task-factory");
    name_the_handler(&workspace);
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let id = ["discover.coverage", "discover.factories"]
        .into_iter()
        .find(|id| failed_check(&report, id).is_some())
        .unwrap_or_else(|| panic!("no failed discover check: {report:#}"));
    let diagnosis = failed_check(&report, id).map_or(Value::Null, |c| c["diagnosis"].clone());
    assert_eq!(diagnosis["side"], "handler", "{diagnosis:#}");
    assert_eq!(diagnosis["cause"], "factory-missing", "{diagnosis:#}");
    assert_eq!(
        diagnosis["places"][0]["file"], "server/app.py",
        "{diagnosis:#}"
    );
    // Its registration, which the app drops at run time (`del config.factories["Task"]`).
    assert_eq!(
        diagnosis["places"][0]["line"],
        factory_line("Task"),
        "{diagnosis:#}"
    );
}

#[test]
fn up_without_refs_token_is_reported_with_its_leak() {
    let (output, report) = validate_with_defect("no_refs_token", "empty");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        failed_check(&report, "up.refs_token").is_some(),
        "{report:#}"
    );
    let leaked: Vec<&Value> = report["leaked"].as_array().into_iter().flatten().collect();
    assert!(
        leaked
            .iter()
            .any(|l| l["table"] == "organization" && l["rows"] == 1),
        "every row the endpoint left is named: {leaked:?}"
    );
    assert!(text(&output).contains("leaked:"), "{}", text(&output));
}

#[test]
fn a_unique_column_without_the_run_id_fails_under_repeat() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("repeat");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let fixed = std::fs::read_to_string(&path).unwrap_or_default().replace(
        "\"format\": \"owner+{testRunId}@acme.test\"",
        "\"format\": \"owner@acme.test\"",
    );
    std::fs::write(&path, fixed).unwrap_or_else(|e| panic!("{e}"));
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", "empty", "--repeat", "3", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failure_message(&report, "repeat.concurrent");
    assert!(message.contains("testRunId"), "{message}");
    assert!(
        failed_check(&report, "up.status").is_none(),
        "one instance alone works"
    );
}

#[test]
fn a_wrong_shared_secret_is_explained() {
    let app = EndpointApp::start("sqlite:///:memory:", "");
    let workspace = example_workspace("secret");
    let (output, report) = validate(&workspace, &app.url, None, &[], "not-the-secret");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failure_message(&report, "discover.shape");
    assert!(
        message.contains("HTTP 401 INVALID_SIGNATURE") && message.contains("shared secret differs"),
        "{message}"
    );
    let diagnosis =
        &failed_check(&report, "discover.shape").map_or(Value::Null, |c| c["diagnosis"].clone());
    assert_eq!(diagnosis["side"], "environment", "{report:#}");
    assert_eq!(diagnosis["cause"], "secret-mismatch", "{report:#}");
}

#[test]
fn an_endpoint_switched_off_by_the_app_is_the_environments_gate() {
    let app = EndpointApp::start("sqlite:///:memory:", "disabled");
    let workspace = example_workspace("disabled");
    let (output, report) = validate(&workspace, &app.url, None, &[], SHARED_SECRET);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let check = failed_check(&report, "discover.shape")
        .cloned()
        .unwrap_or(Value::Null);
    assert!(
        check["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("endpoint disabled or gated: 503 AUTONOMA_DISABLED")),
        "{check:#}"
    );
    // What the diagnosis read is the observed answer, kept beside the message.
    assert_eq!(check["answer"]["status"], 503, "{check:#}");
    assert_eq!(check["answer"]["gated"], true, "{check:#}");
    assert_eq!(check["diagnosis"]["side"], "environment", "{check:#}");
    assert_eq!(check["diagnosis"]["cause"], "gated", "{check:#}");
}

#[test]
fn a_field_the_schema_lacks_stops_validate_with_the_scenarios_place() {
    let app = EndpointApp::start("sqlite:///:memory:", "");
    let workspace = example_workspace("unknown-field");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let original = std::fs::read_to_string(&path).unwrap_or_default();
    let broken = original.replacen(
        "\"name\": \"Olivia Owner\",",
        "\"name\": \"Olivia Owner\", \"nickname\": \"Liv\",",
        1,
    );
    assert_ne!(broken, original);
    std::fs::write(&path, &broken).unwrap_or_else(|e| panic!("{e}"));
    let (output, report) = validate(
        &workspace,
        &app.url,
        None,
        &["--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let diagnosis =
        &failed_check(&report, "preflight").map_or(Value::Null, |c| c["diagnosis"].clone());
    assert_eq!(diagnosis["side"], "scenario", "{report:#}");
    assert_eq!(diagnosis["cause"], "unknown-field", "{report:#}");
    let line = broken[..broken.find("\"nickname\"").unwrap_or(0)]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(diagnosis["places"][0]["line"], line, "{diagnosis:#}");
}

#[test]
fn an_endpoint_that_is_down_exits_3() {
    let workspace = example_workspace("down");
    let url = format!("http://127.0.0.1:{}/api/autonoma/", free_port());
    let (output, _) = validate(&workspace, &url, None, &["--retries", "1"], SHARED_SECRET);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        text(&output).contains("endpoint unreachable"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_cold_start_is_retried() {
    let app = EndpointApp::start("sqlite:///:memory:", "cold_start");
    let workspace = example_workspace("cold");
    let (output, report) = validate(
        &workspace,
        &app.url,
        None,
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(report["ok"], true);
}

#[test]
fn sqlite_databases_are_checked_too() {
    let dir = TempDir::new("sqlite");
    let db = dir.0.join("app.db");
    let app = EndpointApp::start(&format!("sqlite:///{}", db.display()), "no_teardown");
    let workspace = example_workspace("sqlite-ws");
    let url = format!("sqlite://{}", db.display());
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&url),
        &["--scenario", "standard", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(failed_check(&report, "db.gone").is_some(), "{report:#}");
}

#[test]
fn a_failed_validation_removes_a_stale_sentinel() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "no_teardown");
    let workspace = example_workspace("stale");
    let sentinel = workspace.0.join("autonoma/.endpoint-validated");
    std::fs::write(&sentinel, "old").unwrap_or_else(|e| panic!("{e}"));
    let (output, _) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", "standard", "--no-conformance", "--write"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(!sentinel.exists(), "the stale sentinel is removed");
    let validation: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.0.join("autonoma/.scenario-validation.json"))
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(validation["status"], "failed");
    assert!(validation["blockingIssues"].as_array().is_some_and(|b| {
        b.iter()
            .any(|i| i.as_str().is_some_and(|s| s.starts_with("db.gone")))
    }));
}

#[test]
fn the_checker_connection_refuses_writes() {
    let pg = Postgres::start();
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let db = scenario_lab::database::ReadOnlyDb::connect(&pg.url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let refused = db
            .try_write("CREATE TABLE scenario_lab_probe (a int)")
            .await;
        assert!(
            refused.is_err_and(|e| e.to_string().contains("read-only")),
            "PostgreSQL write must be refused"
        );
        let dir = TempDir::new("ro-sqlite");
        let file = dir.0.join("x.db");
        std::fs::write(&file, b"").unwrap_or_else(|e| panic!("{e}"));
        let sqlite =
            scenario_lab::database::ReadOnlyDb::connect(&format!("sqlite://{}", file.display()))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            sqlite
                .try_write("CREATE TABLE probe (a int)")
                .await
                .is_err(),
            "SQLite write must be refused"
        );
    });
}

#[test]
fn a_failed_teardown_is_kept_and_retried_with_down_pending() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "down_fails_once");
    let workspace = example_workspace("pending");
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        failed_check(&report, "down.status").is_some_and(|c| c["message"]
            .as_str()
            .is_some_and(|m| m.contains("HTTP 500"))),
        "{report:#}"
    );
    assert_eq!(report["pending"], 1);
    let ledger = workspace.0.join("autonoma/.scenario-lab/pending.json");
    assert!(std::fs::read_to_string(&ledger).is_ok_and(|t| t.contains("refsToken")));
    assert!(
        text(&output).contains("scenario-lab down --pending"),
        "{}",
        text(&output)
    );
    let retried = scenario_lab(
        &workspace.0,
        &["down", "--pending", "--endpoint", &app.url],
        SHARED_SECRET,
    );
    assert_eq!(retried.status.code(), Some(0), "{}", text(&retried));
    assert!(
        !ledger.exists(),
        "the ledger is emptied once every teardown succeeded"
    );
    // The database is clean again: a full validation of the same scenario passes.
    let (again, _) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn discover_writes_discover_json_and_redirects_are_followed() {
    let app = EndpointApp::start("sqlite:///:memory:", "");
    let workspace = example_workspace("discover");
    std::fs::remove_file(workspace.0.join("autonoma/discover.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let without_slash = app.url.trim_end_matches('/');
    let output = scenario_lab(
        &workspace.0,
        &["discover", "--endpoint", without_slash],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let discover: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.0.join("autonoma/discover.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(
        discover["schema"]["models"].as_array().map(Vec::len),
        Some(5)
    );
    let (output, report) = validate(
        &workspace,
        without_slash,
        None,
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let up = report["scenarios"][0]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == "up.status")
        .cloned()
        .unwrap_or_default();
    assert!(
        up["message"]
            .as_str()
            .is_some_and(|m| m.contains("redirected to") && m.contains("use that URL")),
        "{up}"
    );
}

/// A one-request stand-in for the platform API on a free port; the thread returns the raw
/// request it received.
fn platform_stub() -> (u16, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut stream, _) = listener.accept().unwrap_or_else(|e| panic!("{e}"));
        let mut request = Vec::new();
        let mut buffer = vec![0u8; 65536];
        while let Ok(n) = stream.read(&mut buffer) {
            request.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&request);
            let length = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .and_then(|v| v.trim().parse::<usize>().ok())
                })
                .unwrap_or(0);
            if let Some(head) = text.find("\r\n\r\n")
                && (n == 0 || request.len() >= head + 4 + length)
            {
                break;
            }
        }
        let body = r#"{"ok":true,"scenarioCount":3,"scenarios":[]}"#;
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        String::from_utf8_lossy(&request).into_owned()
    });
    (port, server)
}

fn upload(workspace: &TempDir, setup: &str, port: u16) -> Output {
    std::process::Command::new(scenario_lab_tests::binary())
        .args([
            "upload",
            "--setup",
            setup,
            "--api-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .current_dir(&workspace.0)
        .env("AUTONOMA_API_KEY", "api-key-123")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn upload_refuses_unproven_recipes_and_posts_proven_ones() {
    let workspace = example_workspace("upload");
    let refused = scenario_lab(
        &workspace.0,
        &["upload", "--setup", "s1", "--api-url", "http://127.0.0.1:9"],
        SHARED_SECRET,
    );
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("validate --write"),
        "{}",
        text(&refused)
    );
    // A validation file anyone with the session could write (PUT /api/files) proves nothing.
    std::fs::write(
        workspace.0.join("autonoma/.scenario-validation.json"),
        r#"{"status":"ok","preflightPassed":true,"smokeTestPassed":true,"validatedScenarios":[],"failedScenarios":[],"blockingIssues":[],"recipePath":"autonoma/scenario-recipes.json","validationMode":"endpoint-lifecycle","endpointUrl":"http://x","recipesProof":"0000000000000000000000000000000000000000000000000000000000000000"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let forged = upload(&workspace, "setup-42", 9);
    assert_eq!(forged.status.code(), Some(1), "{}", text(&forged));
    assert!(text(&forged).contains("not the file a validation of this tool proved"));

    let demo = scenario_lab_tests::start_demo(&workspace, None, false);
    let validated = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &demo.endpoint,
            "--database-url",
            &demo.database,
            "--write",
            "--no-conformance",
        ],
        SHARED_SECRET,
    );
    assert_eq!(validated.status.code(), Some(0), "{}", text(&validated));
    let hostile = upload(&workspace, "../../elsewhere/x?q=", 9);
    assert_eq!(hostile.status.code(), Some(2), "{}", text(&hostile));
    assert!(
        text(&hostile).contains("is not a setup id"),
        "{}",
        text(&hostile)
    );

    let (port, server) = platform_stub();
    let output = upload(&workspace, "setup-42", port);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let request = server.join().unwrap_or_default();
    assert!(
        request.starts_with("POST /v1/setup/setups/setup-42/scenario-recipe-versions "),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer api-key-123"),
        "{request}"
    );
    assert!(
        request.contains("\"recipes\""),
        "the recipes file is the body"
    );

    // An edit after the validation breaks the proof.
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let edited = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replacen("Acme", "Acne", 1);
    std::fs::write(&path, edited).unwrap_or_else(|e| panic!("{e}"));
    let stale = upload(&workspace, "setup-42", 9);
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
}

#[test]
fn the_proxy_streams_a_full_validation_and_keeps_the_secrets() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("serve");
    let port = free_port();
    let serve = scenario_lab_tests::Serve::start(
        &workspace.0,
        &[
            "--port",
            &port.to_string(),
            "--dir",
            "autonoma",
            "--endpoint",
            &app.url,
            "--database-url",
            &pg.url,
        ],
        &[
            ("AUTONOMA_SHARED_SECRET", SHARED_SECRET),
            (
                "AUTONOMA_SIGNING_SECRET",
                scenario_lab_tests::SIGNING_SECRET,
            ),
        ],
    );
    let token = serve.token();
    assert!(
        serve
            .editor
            .starts_with(&format!("http://127.0.0.1:{port}/?token="))
            && token.len() == 32,
        "{}",
        serve.editor
    );
    let refused = http(
        port,
        "POST",
        "/api/validate",
        &[("content-type", "application/json")],
        "{}",
    );
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let foreign = http(
        port,
        "POST",
        "/api/validate",
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {token}")),
            ("origin", "http://evil.example"),
        ],
        "{}",
    );
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");
    let streamed = http(
        port,
        "POST",
        "/api/validate",
        &[
            ("content-type", "application/json"),
            ("authorization", &format!("Bearer {token}")),
        ],
        r#"{"scenarios":["standard","empty"]}"#,
    );
    cancel_a_running_validation(port, &token, &workspace);
    drop(serve);
    assert!(
        streamed.starts_with("HTTP/1.1 200") && streamed.contains("text/event-stream"),
        "{streamed}"
    );
    assert!(
        streamed.contains("event: progress") && streamed.contains("[standard] up"),
        "{streamed}"
    );
    assert!(
        streamed.contains("event: report")
            && streamed.contains("\"exitCode\":0")
            && streamed.contains("\"db.untouched\""),
        "{streamed}"
    );
    assert!(
        !streamed.contains(SHARED_SECRET) && !streamed.contains(scenario_lab_tests::SIGNING_SECRET),
        "no secret reaches the page"
    );
}

/// Starts a validation of two scenarios and asks the proxy to cancel it while it runs: the
/// report names what did not run and nothing is left up.
fn cancel_a_running_validation(port: u16, token: &str, workspace: &TempDir) {
    let bearer = format!("Bearer {token}");
    let streaming = {
        let bearer = bearer.clone();
        std::thread::spawn(move || {
            http(
                port,
                "POST",
                "/api/validate",
                &[
                    ("content-type", "application/json"),
                    ("authorization", &bearer),
                ],
                r#"{"scenarios":["standard","empty"]}"#,
            )
        })
    };
    let headers = [
        ("content-type", "application/json"),
        ("authorization", bearer.as_str()),
    ];
    // Polls until the run has started and takes the cancel; a slow machine only waits longer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let answer = http(port, "POST", "/api/validate/cancel", &headers, "");
        if answer.contains("\"cancelled\":true") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let streamed = streaming.join().unwrap_or_default();
    let idle = http(port, "POST", "/api/validate/cancel", &headers, "");
    assert!(idle.contains("no validation is running"), "{idle}");
    assert!(
        streamed.contains("event: step")
            && streamed.contains("\"validation.cancelled\"")
            && streamed.contains("cancelled before: ")
            && streamed.contains("[empty], the conformance probes"),
        "{streamed}"
    );
    let pending = std::fs::read_to_string(workspace.0.join("autonoma/.scenario-lab/pending.json"))
        .unwrap_or_default();
    assert!(
        !pending.contains("testRunId"),
        "a cancelled validation leaves nothing up: {pending}"
    );
}

#[test]
fn ctrl_c_during_validate_tears_down_and_says_what_did_not_run() {
    use std::io::BufRead;
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("interrupt");
    let report = workspace.0.join("report.json");
    let mut child = std::process::Command::new(scenario_lab_tests::binary())
        .args([
            "validate",
            "--endpoint",
            &app.url,
            "--database-url",
            &pg.url,
        ])
        .arg("--report-json")
        .arg(&report)
        .current_dir(&workspace.0)
        .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    let mut lines = std::io::BufReader::new(stderr).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap_or_default();
        let started = line.contains("[standard] up (");
        seen.push(line);
        if started {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            break;
        }
    }
    seen.extend(lines.map(Result::unwrap_or_default));
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    let seen = seen.join("\n");
    assert_eq!(status.code(), Some(1), "{seen}");
    assert!(
        seen.contains("interrupted: finishing the scenarios running now"),
        "{seen}"
    );
    assert!(
        seen.contains("[standard] down"),
        "the running scenario is torn down: {seen}"
    );
    let json = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(
        json.contains("validation.cancelled")
            && json.contains("[empty], [large], the conformance probes"),
        "{json}"
    );
    let pending = std::fs::read_to_string(workspace.0.join("autonoma/.scenario-lab/pending.json"))
        .unwrap_or_default();
    assert!(!pending.contains("testRunId"), "{pending}");
}

#[test]
fn mariadb_databases_are_checked_read_only() {
    let db = scenario_lab_tests::MariaDb::start();
    let app = EndpointApp::start(&db.sqlalchemy_url(), "extra_rows");
    let workspace = example_workspace("mariadb");
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&db.url),
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failure_message(&report, "db.untouched");
    assert!(
        message.contains("onboarding_checklist: 1 row left behind"),
        "{message}"
    );
    let created = report["scenarios"][0]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == "db.created")
        .cloned()
        .unwrap_or_default();
    assert_eq!(created["ok"], true, "{created}");
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let checker = scenario_lab::database::ReadOnlyDb::connect(&db.url).await.unwrap_or_else(|e| panic!("{e}"));
        let refused = checker.try_write("INSERT INTO project (id, name, status, organization_id) VALUES ('x', 'x', 'x', 'x')").await;
        assert!(refused.is_err_and(|e| e.to_string().to_lowercase().contains("read only")), "MariaDB write must be refused");
    });
}

#[test]
fn raw_writes_in_factory_bodies_fail_the_integrity_check() {
    let app = EndpointApp::start("sqlite:///:memory:", "");
    let workspace = example_workspace("integrity");
    // This test app writes rows with raw SQL inside its factories, as a careless handler would.
    std::fs::create_dir_all(workspace.0.join("server")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(
        scenario_lab_tests::repo_root().join("tests/endpoint_app/app.py"),
        workspace.0.join("server/app.py"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        workspace.0.join("autonoma/.endpoint-implemented"),
        "Endpoint implemented.\n- handler: server/app.py\n- factories registered: 5\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (output, report) = validate(
        &workspace,
        &app.url,
        None,
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failure_message(&report, "discover.integrity");
    assert!(
        message.contains("server/app.py:")
            && message.contains("(Organization)")
            && message.contains("INSERT INTO organization"),
        "{message}"
    );
    assert!(
        !message.contains("DELETE FROM"),
        "teardown bodies are not checked: {message}"
    );
}

#[test]
fn scenarios_run_concurrently_with_jobs() {
    let dir = TempDir::new("jobs");
    let app = EndpointApp::start(&format!("sqlite:///{}", dir.0.join("app.db").display()), "");
    let workspace = example_workspace("jobs-ws");
    let (output, report) = validate(
        &workspace,
        &app.url,
        None,
        &["--jobs", "3", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let names: Vec<&str> = report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["standard", "empty", "large"],
        "reported in file order"
    );
}

/// HTTP 200 is not a teardown: only `"ok": true` removes a run from the ledger, in `validate`
/// and in `down --pending` alike.
#[test]
fn a_down_answered_without_ok_true_stays_in_the_ledger() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "down_not_ok_twice");
    let workspace = example_workspace("not-ok");
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(failure_message(&report, "down.status").contains("without `ok: true`"));
    let ledger = workspace.0.join("autonoma/.scenario-lab/pending.json");
    let down = |expected: i32| {
        let output = scenario_lab(
            &workspace.0,
            &["down", "--pending", "--endpoint", &app.url],
            SHARED_SECRET,
        );
        assert_eq!(output.status.code(), Some(expected), "{}", text(&output));
    };
    down(1);
    assert!(ledger.exists(), "a 200 without ok: true keeps the entry");
    down(0);
    assert!(!ledger.exists());
    let (again, _) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--scenario", "empty", "--no-conformance"],
        SHARED_SECRET,
    );
    assert_eq!(
        again.status.code(),
        Some(0),
        "the rows are gone: {}",
        text(&again)
    );
}

#[test]
fn an_sdk_crash_is_reported_without_its_password_hash_or_sql_parameters() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("collision");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    // Two users of one recipe share an email: only the live run can see the collision.
    let text_before = std::fs::read_to_string(&path).unwrap_or_default();
    let collided = text_before.replacen(
        "\"email\": \"adam.admin+{{testRunId}}@acme.test\"",
        "\"email\": \"{{owner_email}}\"",
        1,
    );
    assert_ne!(collided, text_before, "the example has an admin email");
    std::fs::write(&path, collided).unwrap_or_else(|e| panic!("{e}"));
    let junit = workspace.0.join("report.xml");
    let junit_arg = junit.to_string_lossy().into_owned();
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &[
            "--scenario",
            "standard",
            "--no-conformance",
            "--report-junit",
            &junit_arg,
        ],
        SHARED_SECRET,
    );
    let all = text(&output);
    assert_eq!(output.status.code(), Some(1), "{all}");
    let message = failure_message(&report, "up.status");
    assert!(
        message.contains("already exists")
            || message.contains("UNIQUE")
            || message.contains("unique"),
        "{message}"
    );
    assert!(
        message.contains("[parameters: ****]"),
        "the SQL parameters are masked, not dropped: {message}"
    );
    let line = text_before
        .lines()
        .position(|l| l.contains("adam.admin+{{testRunId}}@acme.test"))
        .map_or(0, |i| i + 1);
    assert_diagnosis(
        &report,
        "up.status",
        "scenario",
        "unique-collision",
        ("autonoma/scenario-recipes.json", line),
    );
    assert!(
        all.contains(&format!(
            "the scenario: autonoma/scenario-recipes.json:{line}:"
        )),
        "the terminal leads with the side and the place: {all}"
    );
    let junit_text = std::fs::read_to_string(&junit).unwrap_or_default();
    for shown in [all.as_str(), &report.to_string(), &junit_text] {
        assert!(
            !shown.contains("hashed:"),
            "a password hash leaked: {shown}"
        );
        assert!(!shown.contains("Test1234!"), "a password leaked: {shown}");
    }
}

#[test]
fn reconcile_repairs_a_unique_collision_and_records_the_edit() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("reconcile");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    let collided = before.replacen(
        "\"email\": \"adam.admin+{{testRunId}}@acme.test\"",
        "\"email\": \"{{owner_email}}\"",
        1,
    );
    std::fs::write(&path, &collided).unwrap_or_else(|e| panic!("{e}"));
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--reconcile", "--write", "--no-conformance"],
        SHARED_SECRET,
    );
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(all.contains("reconcile: iteration 1"), "{all}");
    assert!(
        all.contains("+ \"email\": \"{{owner_email_2}}\""),
        "the edit is shown as a diff: {all}"
    );
    assert_eq!(
        report["edits"].as_array().map(Vec::len),
        Some(1),
        "{report:#}"
    );
    let dir = workspace.0.join("autonoma");
    let validation: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(".scenario-validation.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    assert_eq!(validation["status"], "ok");
    assert!(
        validation["edits"][0]["why"]
            .as_str()
            .is_some_and(|w| w.contains("unique-collision")),
        "{validation:#}"
    );
    let sentinel = std::fs::read_to_string(dir.join(".endpoint-validated")).unwrap_or_default();
    assert!(
        sentinel.contains("scenarios.md edits: ") && sentinel.contains("owner_email_2"),
        "{sentinel}"
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap_or_default()
            .contains("owner_email_2")
    );
}

#[test]
fn reconcile_stops_at_once_on_a_failure_of_the_handler() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "no_teardown");
    let workspace = example_workspace("reconcile-handler");
    let (output, report) = validate(
        &workspace,
        &app.url,
        Some(&pg.url),
        &["--reconcile", "--scenario", "standard", "--no-conformance"],
        SHARED_SECRET,
    );
    let all = text(&output);
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(
        all.contains("reconcile: stopping: no failure is the scenario's"),
        "{all}"
    );
    assert!(!all.contains("reconcile: iteration"), "{all}");
    assert!(report["edits"].is_null(), "{report:#}");
}

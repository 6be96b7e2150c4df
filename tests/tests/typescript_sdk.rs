//! The official TypeScript SDK (`@autonoma-ai/sdk` 0.2.5, zod 4, node:http) as a second real
//! endpoint: the clinic domain on PostgreSQL with real foreign keys and integer, bigint and uuid
//! ids. The lifecycle, its defects and what probing this SDK revealed.

use scenario_lab::endpoint::EndpointClient;
use scenario_lab_core::protocol::{Request, UpAnswer, UpRequest};
use scenario_lab_tests::{
    Postgres, SHARED_SECRET, TempDir, TsEndpointApp, clinic_workspace, scenario_lab, text,
};
use serde_json::{Value, json};
use std::process::Output;

/// `validate` in the clinic workspace with a JSON report.
fn validate(
    workspace: &TempDir,
    app: &TsEndpointApp,
    pg: &Postgres,
    extra: &[&str],
) -> (Output, Value) {
    let report = workspace.0.join("report.json");
    let mut args = vec![
        "validate",
        "--endpoint",
        &app.url,
        "--database-url",
        &pg.url,
        "--report-json",
    ];
    let report_path = report.to_string_lossy().into_owned();
    args.push(&report_path);
    args.extend(extra);
    let output = scenario_lab(&workspace.0, &args, SHARED_SECRET);
    let json = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (output, json)
}

fn checks(report: &Value) -> impl Iterator<Item = &Value> {
    let scenarios = report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["checks"].as_array().into_iter().flatten());
    report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(scenarios)
        .chain(report["conformance"].as_array().into_iter().flatten())
}

fn failed<'a>(report: &'a Value, id: &str) -> Option<&'a str> {
    checks(report)
        .find(|c| c["id"] == id && c["ok"] == false)
        .and_then(|c| c["message"].as_str())
}

/// Edits the clinic recipes file as JSON.
fn edit_recipes(workspace: &TempDir, edit: impl FnOnce(&mut Value)) {
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let mut recipes: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_default();
    edit(&mut recipes);
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&recipes).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

fn recipe<'a>(recipes: &'a mut Value, name: &str) -> &'a mut Value {
    recipes["recipes"]
        .as_array_mut()
        .and_then(|r| r.iter_mut().find(|r| r["name"] == name))
        .unwrap_or_else(|| panic!("no recipe {name}"))
}

#[test]
fn validate_repeat_and_conformance_pass_with_children_listed_before_parents() {
    let pg = Postgres::start();
    let app = TsEndpointApp::start(&pg.url, "", &[]);
    let workspace = clinic_workspace("ts-pass");
    let (output, report) = validate(&workspace, &app, &pg, &["--repeat", "2", "--write"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(report["scenarios"].as_array().map(Vec::len), Some(3));
    // The smallest recipe lists Patient before Clinic: the probe is still valid.
    assert!(
        checks(&report).any(|c| c["id"] == "conformance.unresolved_token" && c["ok"] == true),
        "{report:#}"
    );
    let (again, _) = validate(&workspace, &app, &pg, &["--repeat", "2"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
}

#[test]
fn each_defect_fails_the_right_check_against_the_typescript_sdk() {
    for (defect, id, needle) in [
        ("no_teardown", "db.gone", "Appointment"),
        ("extra_rows", "db.untouched", "audit_log: 1 row left behind"),
        (
            "delete_unrelated",
            "db.untouched",
            "doctor: 1 row deleted that up did not create",
        ),
        ("no_refs_token", "up.refs_token", "no `refsToken`"),
        ("down_fails_once", "down.status", "HTTP 500"),
    ] {
        let pg = Postgres::start();
        let app = TsEndpointApp::start(&pg.url, defect, &[]);
        let workspace = clinic_workspace(defect);
        let (output, report) = validate(
            &workspace,
            &app,
            &pg,
            &["--scenario", "standard", "--no-conformance"],
        );
        assert_eq!(output.status.code(), Some(1), "{defect}: {}", text(&output));
        let message =
            failed(&report, id).unwrap_or_else(|| panic!("{defect}: no failed {id} in {report:#}"));
        assert!(message.contains(needle), "{defect}: {message}");
    }
    // A cold start is retried.
    let pg = Postgres::start();
    let app = TsEndpointApp::start(&pg.url, "cold_start", &[]);
    let workspace = clinic_workspace("cold");
    let (output, _) = validate(
        &workspace,
        &app,
        &pg,
        &["--scenario", "empty", "--no-conformance"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

#[test]
fn scalars_zod_rejects_are_preflight_errors_and_nothing_comes_up() {
    let pg = Postgres::start();
    let app = TsEndpointApp::start(&pg.url, "", &[]);
    let workspace = clinic_workspace("zod");
    edit_recipes(&workspace, |recipes| {
        let standard = recipe(recipes, "standard");
        standard["create"]["Appointment"][0]["durationMinutes"] = json!("45");
        standard["create"]["Doctor"][0]["acceptsNewPatients"] = json!("no");
    });
    let (output, report) = validate(&workspace, &app, &pg, &["--no-conformance"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let message = failed(&report, "preflight").unwrap_or_else(|| panic!("{report:#}"));
    assert!(message.contains("recipe/type-mismatch"), "{message}");
    assert!(message.contains("TypeScript SDK's zod"), "{message}");
    let diagnosis = checks(&report)
        .find(|c| c["id"] == "preflight" && c["ok"] == false)
        .map_or(Value::Null, |c| c["diagnosis"].clone());
    assert_eq!(diagnosis["side"], "scenario", "{diagnosis:#}");
    assert_eq!(diagnosis["cause"], "type-rejected", "{diagnosis:#}");
    let written = std::fs::read_to_string(workspace.0.join("autonoma/scenario-recipes.json"))
        .unwrap_or_default();
    let lines: Vec<usize> = written
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.contains("\"durationMinutes\": \"45\"")
                || l.contains("\"acceptsNewPatients\": \"no\"")
        })
        .map(|(i, _)| i + 1)
        .collect();
    assert!(
        diagnosis["places"][0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("scenario-recipes.json"))
            && diagnosis["places"][0]["line"]
                .as_u64()
                .is_some_and(|l| lines.contains(&usize::try_from(l).unwrap_or_default())),
        "the place is a rejected value's line {lines:?}: {diagnosis:#}"
    );
    assert!(
        report["scenarios"].as_array().is_some_and(Vec::is_empty),
        "nothing came up"
    );
}

#[test]
fn production_blocked_and_the_trailing_slash_are_explained() {
    let pg = Postgres::start();
    let app = TsEndpointApp::start(&pg.url, "", &[("NODE_ENV", "production")]);
    let workspace = clinic_workspace("production");
    let output = scenario_lab(
        &workspace.0,
        &["discover", "--endpoint", &app.url],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let printed = text(&output);
    assert!(printed.contains("404 PRODUCTION_BLOCKED"), "{printed}");
    assert!(
        printed.contains("refuses to run in production"),
        "{printed}"
    );
    assert!(!printed.contains("nothing is mounted"), "{printed}");
    drop(app);
    let app = TsEndpointApp::start(&pg.url, "", &[]);
    let with_slash = format!("{}/", app.url);
    let output = scenario_lab(
        &workspace.0,
        &["discover", "--endpoint", &with_slash],
        SHARED_SECRET,
    );
    let printed = text(&output);
    assert!(
        printed.contains("nothing is mounted at this URL")
            && printed.contains(&format!("try {})", app.url)),
        "the hint points to the URL without the slash: {printed}"
    );
}

#[test]
fn an_empty_create_is_a_warning_with_the_typescript_sdks_behaviour() {
    let pg = Postgres::start();
    let app = TsEndpointApp::start(&pg.url, "", &[]);
    // What the SDK does: 200, empty refs (and the platform accepts the upload: a black-box recipe).
    let client = EndpointClient::new(&app.url, SHARED_SECRET);
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let response = runtime
        .block_on(client.call(&Request::Up(UpRequest {
            create: json!({}),
            test_run_id: None,
        })))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status, 200, "{}", response.text);
    let answer: UpAnswer = response.decode().unwrap_or_else(|e| panic!("{e}"));
    assert!(answer.refs.is_some_and(|r| r.is_empty()));
    let workspace = clinic_workspace("empty-create");
    edit_recipes(&workspace, |recipes| {
        recipe(recipes, "empty")["create"] = json!({});
    });
    let output = scenario_lab(&workspace.0, &["preflight"], SHARED_SECRET);
    // Only scenarios.md's counts for `empty` are errors now: the empty create itself is not.
    assert!(
        !text(&output).contains("error[recipes/schema]"),
        "{}",
        text(&output)
    );
    assert!(
        text(&output).contains("warning[recipe/creates-nothing]")
            && text(&output)
                .contains("this endpoint's TypeScript SDK answers `up` with 200 and empty refs"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_cause_that_fails_every_probe_is_said_once() {
    let pg = Postgres::start();
    let app = TsEndpointApp::start(&pg.url, "", &[("AUTONOMA_SIGNING_SECRET", SHARED_SECRET)]);
    let workspace = clinic_workspace("same-secrets");
    let output = scenario_lab(
        &workspace.0,
        &["conformance", "--endpoint", &app.url],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let printed = text(&output);
    assert_eq!(printed.matches("FAIL").count(), 1, "{printed}");
    assert!(
        printed.contains("SAME_SECRETS") && printed.contains("must differ"),
        "{printed}"
    );
}

#[test]
fn the_teardown_order_hazard_is_predicted_and_its_fix_works() {
    let pg = Postgres::start();
    let app = TsEndpointApp::start(&pg.url, "", &[]);
    let workspace = clinic_workspace("teardown-order");
    // Keys Clinic, Patient, Doctor; the second patient has no `_alias` and references Doctor.
    edit_recipes(&workspace, |recipes| {
        recipe(recipes, "empty")["create"] = json!({
            "Clinic": [{"_alias": "clinic", "name": "Order Clinic", "slug": "{{clinic_slug}}"}],
            "Patient": [
                {"_alias": "pat-bo", "clinicId": {"_ref": "clinic"}, "name": "Bo", "email": "{{bo_email}}"},
                {"clinicId": {"_ref": "clinic"}, "name": "Solo's patient", "email": "solo-{{testRunId}}@harbor.test", "doctorId": {"_ref": "solo"}}
            ],
            "Doctor": [{"_alias": "solo", "clinicId": {"_ref": "clinic"}, "name": "Dr Solo", "acceptsNewPatients": true}]
        });
        recipe(recipes, "empty")["variables"]["testRunId"] =
            json!({"strategy": "derived", "source": "testRunId", "format": "{testRunId}"});
    });
    let scenarios = workspace.0.join("autonoma/scenarios.md");
    let counted = std::fs::read_to_string(&scenarios)
        .unwrap_or_default()
        .replace(
            "    entity_types: 2\n    total_entities: 2",
            "    entity_types: 3\n    total_entities: 4",
        );
    std::fs::write(&scenarios, counted).unwrap_or_else(|e| panic!("{e}"));
    let preflight = scenario_lab(&workspace.0, &["preflight"], SHARED_SECRET);
    let printed = text(&preflight);
    assert_eq!(preflight.status.code(), Some(0), "{printed}");
    assert!(
        printed.contains("warning[recipe/teardown-order]"),
        "{printed}"
    );
    // The prediction holds: the real foreign key stops `down`.
    let (output, report) = validate(
        &workspace,
        &app,
        &pg,
        &["--scenario", "empty", "--no-conformance"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let down = failed(&report, "down.status").unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        down.contains("500") && down.contains("foreign key"),
        "{down}"
    );
    // The quick fix gives the record an `_alias`; then `down` succeeds.
    let fixed = scenario_lab(&workspace.0, &["preflight", "--fix"], SHARED_SECRET);
    assert!(
        !text(&fixed).contains("recipe/teardown-order"),
        "{}",
        text(&fixed)
    );
    let (output, _) = validate(
        &workspace,
        &app,
        &pg,
        &["--scenario", "empty", "--no-conformance"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
}

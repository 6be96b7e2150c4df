//! The workspaces real teams have, run from the repository root with no flags: a planner CLI copy
//! in `.autonoma/` for an app without a database, its records proven through HTTP read probes
//! against the official TypeScript SDK (the in-memory notes board), each way records can be wrong
//! failing its own check, and without probes the records checks skipped, never passed.

use scenario_lab_tests::{SHARED_SECRET, TempDir, TsEndpointApp, repo_root, scenario_lab, text};
use serde_json::Value;
use std::path::Path;

/// A repository root holding only `.autonoma/` (the memory-board fixture), probing `port`.
fn repository(label: &str, port: Option<u16>) -> TempDir {
    let root = TempDir::new(label);
    let target = root.0.join(".autonoma");
    std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{e}"));
    let fixture = repo_root().join("tests/fixtures/memory-board/.autonoma");
    for entry in std::fs::read_dir(&fixture).into_iter().flatten().flatten() {
        let name = entry.file_name();
        if name == "scenario-lab.toml" {
            if let Some(port) = port {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                std::fs::write(target.join(&name), text.replace("3000", &port.to_string()))
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            continue;
        }
        std::fs::copy(entry.path(), target.join(&name)).unwrap_or_else(|e| panic!("{e}"));
    }
    root
}

/// `validate` from `root` with no `--dir`, and its JSON report.
fn validate(root: &Path, app: &TsEndpointApp) -> (std::process::Output, Value) {
    let report = root.join("report.json");
    let report_arg = report.to_string_lossy().into_owned();
    let output = scenario_lab(
        root,
        &[
            "validate",
            "--endpoint",
            &app.url,
            "--repeat",
            "2",
            "--report-json",
            &report_arg,
        ],
        SHARED_SECRET,
    );
    let json = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (output, json)
}

/// The ids of the checks of every scenario that failed, and of those skipped.
fn check_ids(report: &Value, pick: impl Fn(&Value) -> bool) -> Vec<String> {
    report["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["checks"].as_array().into_iter().flatten())
        .chain(report["checks"].as_array().into_iter().flatten())
        .filter(|c| pick(c))
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn preflight_reads_a_planner_copy_from_the_repository_root() {
    let root = repository("planner-preflight", Some(3000));
    let output = scenario_lab(&root.0, &["preflight", "--format", "json"], SHARED_SECRET);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("reading .autonoma/ as a planner CLI copy: scenarios.md (planner CLI format), entity-audit.md (planner CLI format), recipe.json (recipe envelope, planner CLI format); no discover.json"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    assert_eq!(report["summary"]["errors"], 0, "{all}");
    assert_eq!(report["dialects"]["layout"], "planner-copy", "{all}");
    assert!(
        report["skipped"]
            .to_string()
            .contains("discover.json not provided"),
        "{all}"
    );
}

#[test]
fn a_database_less_app_is_proven_through_its_probes() {
    let clean = TsEndpointApp::memory("");
    let root = repository("probes-clean", Some(clean.port()));
    let (output, report) = validate(&root.0, &clean);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(report["records"], "probes");
    let passed = check_ids(&report, |c| c["ok"] == true && c["skipped"] != true);
    for id in ["db.created", "db.gone", "db.untouched", "repeat.concurrent"] {
        assert!(
            passed.iter().any(|p| p == id),
            "{id} not passed: {}",
            text(&output)
        );
    }
    drop(clean);
    for (defect, check, cause, model) in [
        ("noop_teardown", "db.gone", "teardown-missing", "Board"),
        ("remove_other", "db.untouched", "collateral-delete", "Note"),
        ("phantom_id", "db.created", "record-not-stored", "Board"),
        (
            "extra_record",
            "db.untouched",
            "orphans-from-trigger",
            "Board",
        ),
    ] {
        let app = TsEndpointApp::memory(defect);
        let root = repository(&format!("probes-{defect}"), Some(app.port()));
        // The handler, named as the plugin's step 4 names it: diagnoses point into it.
        let handler = repo_root().join("tests/ts_endpoint_app/memory.mjs");
        std::fs::create_dir_all(root.0.join("board")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::copy(&handler, root.0.join("board/autonoma.mjs"))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            root.0.join(".autonoma/.endpoint-implemented"),
            "handler: board/autonoma.mjs\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let (output, report) = validate(&root.0, &app);
        assert_eq!(output.status.code(), Some(1), "{defect}: {}", text(&output));
        let diagnosed = report["scenarios"][0]["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["id"] == check && c["ok"] == false)
            .unwrap_or_else(|| panic!("{defect}: expected {check} to fail: {}", text(&output)));
        let diagnosis = &diagnosed["diagnosis"];
        assert_eq!(diagnosis["side"], "handler", "{defect}: {diagnosis:#}");
        assert_eq!(diagnosis["cause"], cause, "{defect}: {diagnosis:#}");
        let source = std::fs::read_to_string(&handler).unwrap_or_default();
        let line = source
            .lines()
            .position(|l| {
                l.trim_start()
                    .starts_with(&format!("{model}: defineFactory("))
            })
            .map_or(0, |i| i + 1);
        assert_eq!(
            diagnosis["places"][0]["file"], "board/autonoma.mjs",
            "{defect}: {diagnosis:#}"
        );
        assert_eq!(
            diagnosis["places"][0]["line"], line,
            "{defect}: {diagnosis:#}"
        );
    }
}

#[test]
fn without_a_database_or_probes_records_are_skipped_never_passed() {
    let app = TsEndpointApp::memory("noop_teardown");
    let root = repository("probes-none", None);
    let (output, report) = validate(&root.0, &app);
    let all = text(&output);
    assert_eq!(report["records"], "not-proven", "{all}");
    let skipped = check_ids(&report, |c| c["skipped"] == true);
    for id in ["db.created", "db.gone", "db.untouched"] {
        assert!(skipped.iter().any(|s| s == id), "{id} not skipped: {all}");
    }
    assert!(
        all.contains("records not proven: no --database-url and no [probes]"),
        "{all}"
    );
}

#[test]
fn a_probe_header_never_carries_environment_values_to_a_foreign_origin() {
    let app = TsEndpointApp::memory("");
    let root = repository("probes-origin", Some(app.port()));
    std::fs::write(
        root.0.join(".autonoma/scenario-lab.toml"),
        "[probes]\nurl = \"http://probes.example.test/seeded/{model}\"\nids = \"$.items[*].id\"\nheader = \"authorization: Bearer ${PROBE_TOKEN}\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = std::process::Command::new(scenario_lab_tests::binary())
        .args(["validate", "--endpoint", &app.url])
        .current_dir(&root.0)
        .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
        .env("PROBE_TOKEN", "probe-secret-value")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let all = text(&output);
    assert_eq!(output.status.code(), Some(2), "{all}");
    assert!(
        all.contains("--probe-origin http://probes.example.test"),
        "{all}"
    );
    assert!(!all.contains("probe-secret-value"), "{all}");
}

#[test]
fn a_signing_secret_derived_from_the_shared_one_is_a_warning() {
    let derived = format!("{SHARED_SECRET}-internal-signing-v1");
    let app = TsEndpointApp::memory_with("", &[("AUTONOMA_SIGNING_SECRET", &derived)]);
    let root = repository("probes-derived", Some(app.port()));
    let (output, report) = validate(&root.0, &app);
    let all = text(&output);
    let warned: Vec<String> = check_ids(&report, |c| c["warning"] == true);
    assert!(warned.iter().any(|w| w == "up.signing_secret"), "{all}");
    assert!(all.contains("warn up.signing_secret"), "{all}");
    assert!(all.contains("-internal-signing-v1"), "{all}");
}

#[test]
fn the_planners_own_folder_is_found_by_the_slug_and_its_secrets_are_never_read() {
    let root = TempDir::new("planner-home");
    let home = root.0.join("home");
    let repo = root.0.join("Board App");
    let project = home.join(".autonoma/board-app");
    std::fs::create_dir_all(&project).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(&repo).unwrap_or_else(|e| panic!("{e}"));
    let fixture = repo_root().join("tests/fixtures/memory-board/.autonoma");
    for name in [
        "recipe.json",
        "scenarios.md",
        "entity-audit.md",
        "integration-prompt.md",
    ] {
        std::fs::copy(fixture.join(name), project.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let secret = "shared-secret-from-the-planner-state";
    std::fs::write(
        project.join(".recipe-builder-state.json"),
        format!(r#"{{"phase":"done","sharedSecret":"{secret}"}}"#),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        home.join(".autonoma/.env"),
        format!("AUTONOMA_API_TOKEN={secret}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(home.join(".autonoma/preferences.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
    let run = |cwd: &Path, args: &[&str]| {
        std::process::Command::new(scenario_lab_tests::binary())
            .args(args)
            .current_dir(cwd)
            .env("HOME", &home)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let output = run(&repo, &["preflight", "--format", "json"]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(
        String::from_utf8_lossy(&output.stderr).starts_with(&format!(
            "reading {}/ as a planner CLI output folder",
            project.display()
        )),
        "{all}"
    );
    assert!(!all.contains(secret), "{all}");
    // The machine folder itself is no project.
    let home_dir = home.join(".autonoma");
    let output = run(&repo, &["preflight", "--dir", &home_dir.to_string_lossy()]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(2), "{all}");
    assert!(
        all.contains("the planner CLI's machine folder") && all.contains("board-app"),
        "{all}"
    );
    assert!(!all.contains(secret), "{all}");
}

#[test]
fn conformance_alone_probes_tokens_with_a_planners_bare_recipe() {
    let app = TsEndpointApp::memory("");
    let root = repository("conformance", Some(app.port()));
    // The planner's other form: the file is one recipe, `{"create": {...}}`, with no envelope.
    let path = root.0.join(".autonoma/recipe.json");
    let envelope: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let bare = serde_json::json!({ "create": envelope["recipes"][0]["create"].clone() });
    assert!(bare["create"].is_object(), "{envelope:#}");
    std::fs::write(&path, bare.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let output = scenario_lab(
        &root.0,
        &["conformance", "--endpoint", &app.url],
        SHARED_SECRET,
    );
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    // The bare `recipe.json` is the envelope of one recipe, as `validate` reads it: the token
    // probes run on it instead of being skipped for want of a recipe.
    assert!(!out.contains("no recipe to probe with"), "{out}");
    for probe in ["conformance.unresolved_token", "conformance.tampered_token"] {
        assert!(out.contains(&format!("ok   {probe}:")), "{probe}: {out}");
    }
}

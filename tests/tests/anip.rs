//! `scenario-lab anip init`, `run` and `parity` against a real ANIP 0.24.13 service (anip-service +
//! anip-fastapi under uvicorn): a clean service passes its starter pack, each defect fails the
//! scenario that proves it, a drifting manifest is named field by field.

use scenario_lab_tests::relay::{Dialect, Relay};
use scenario_lab_tests::{
    ANIP_APPROVER_KEY, ANIP_REQUESTER_KEY, AgentApp, AnipService, TempDir, anip, anip_init, binary,
    free_port, text,
};
use serde_json::Value;
use std::process::{Command, Output};

const PACK: &str = "anip/starter.pack.yaml";

/// A denial scenario the tests add to the starter pack: a raw backend pass-through must not be
/// exposed as a capability.
const RAW_DENIAL: &str = "- id: raw-sql-refused
  class: denial
  request:
    invoke:
      capability: backend.raw_sql
      parameters:
        statement: DELETE FROM fixtures
  expect:
    outcome: unknown_capability
    mutation:
      fixture_count: 0
";

/// `anip init` against `service` in a new folder, plus the raw-pass-through denial.
fn starter(label: &str, service: &AnipService) -> TempDir {
    let dir = TempDir::new(label);
    anip_init(&dir.0, service);
    let pack = dir.0.join(PACK);
    let mut yaml = std::fs::read_to_string(&pack).expect("the starter pack is written");
    assert!(
        dir.0.join("anip/manifest.json").is_file(),
        "manifest.json saved beside the pack"
    );
    yaml.push_str(RAW_DENIAL);
    std::fs::write(&pack, yaml).expect("pack extended");
    dir
}

fn run(dir: &TempDir, services: &[&str]) -> (Output, Value) {
    let mut args = vec![
        "run",
        PACK,
        "--report-json",
        "report.json",
        "--report-junit",
        "report.xml",
    ];
    for service in services {
        args.extend(["--service", service]);
    }
    let out = anip(&dir.0, &args, ANIP_REQUESTER_KEY);
    let report = std::fs::read_to_string(dir.0.join("report.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    (out, report)
}

fn failed_ids(report: &Value) -> Vec<String> {
    report["services"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["scenarios"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["verdict"] == "failed")
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn init_then_run_passes_every_scenario_against_a_clean_service() {
    let service = AnipService::start("", false);
    let dir = starter("anip-clean", &service);
    let check = anip(&dir.0, &["check", PACK], ANIP_REQUESTER_KEY);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));
    let (out, report) = run(&dir, &[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("anip run passed"), "{all}");
    let scenarios = report["services"][0]["scenarios"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(scenarios.len() >= 20, "{scenarios:?}");
    for id in [
        "fixture_reset_tenant-race",
        "fixture_reset_tenant-expired",
        "fixture_reset_tenant-session-misuse",
        "manifest-identity",
    ] {
        assert!(
            scenarios
                .iter()
                .any(|s| s["id"] == id && s["verdict"] == "passed"),
            "{id}: {all}"
        );
    }
    assert!(
        all.contains("protocol hygiene"),
        "grant failures without resolution are warned: {all}"
    );
    // Credentials and tokens never appear in output or reports.
    let reports = format!(
        "{}{}",
        std::fs::read_to_string(dir.0.join("report.json")).unwrap_or_default(),
        std::fs::read_to_string(dir.0.join("report.xml")).unwrap_or_default()
    );
    for secret in [ANIP_REQUESTER_KEY, ANIP_APPROVER_KEY, "eyJ"] {
        assert!(
            !all.contains(secret) && !reports.contains(secret),
            "{secret} leaked"
        );
    }
    assert!(reports.contains("<testsuite"), "JUnit report written");
}

#[test]
fn the_starter_pack_passes_on_the_typescript_runtimes_answers() {
    // One real Python service; a relay answers as the TypeScript runtime does (reference/anip.md
    // §9): `resolution` on grant failures, no `task_id`, 409 for a second decision, JWTs
    // without `typ`, `…Z` timestamps, other quoting in `detail`.
    let service = AnipService::start("", false);
    let dir = starter("anip-typescript", &service);
    let relay = Relay::start(&service.url, Dialect::TypeScript);
    let (out, report) = run(&dir, &[&relay.url]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(failed_ids(&report).is_empty(), "{all}");
    assert!(
        relay
            .requests()
            .iter()
            .any(|r| r.starts_with("POST /anip/tokens")),
        "the run went through the relay"
    );
    assert!(
        !all.contains("`grant_consumed` failure has no `resolution`"),
        "grant failures with a resolution are no hygiene warning: {all}"
    );
}

#[test]
fn credentials_go_only_to_a_service_the_user_named() {
    let service = AnipService::start("", false);
    // `init --service` names the real service; the relay stands for a stranger's listener.
    let dir = starter("anip-trust", &service);
    let stranger = Relay::start(&service.url, Dialect::AsIs);
    let pack = dir.0.join(PACK);
    let yaml = std::fs::read_to_string(&pack).expect("pack");
    let shared = yaml.replace(&service.url, &stranger.url);
    assert_ne!(shared, yaml, "the pack names its service");
    std::fs::write(dir.0.join("anip/shared.pack.yaml"), shared).expect("pack written");

    let out = anip(
        &dir.0,
        &["run", "anip/shared.pack.yaml"],
        ANIP_REQUESTER_KEY,
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("refusing to send"), "{all}");
    assert!(
        all.contains(&format!("--service {}", stranger.url)),
        "{all}"
    );
    assert!(!all.contains(ANIP_REQUESTER_KEY), "{all}");
    assert!(
        stranger.requests().is_empty(),
        "refused before any request: {:?}",
        stranger.requests()
    );

    // A scenario that needs no credential still runs there, and carries none.
    let out = anip(
        &dir.0,
        &[
            "run",
            "anip/shared.pack.yaml",
            "--scenario",
            "manifest-identity",
        ],
        ANIP_REQUESTER_KEY,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let seen = stranger.requests();
    assert!(!seen.is_empty(), "the manifest was read there");
    assert!(
        seen.iter()
            .all(|r| !r.to_ascii_lowercase().contains("authorization")),
        "{seen:?}"
    );

    // Named on the command line, it is trusted.
    let out = anip(
        &dir.0,
        &["run", "anip/shared.pack.yaml", "--service", &stranger.url],
        ANIP_REQUESTER_KEY,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn each_defect_fails_the_scenario_that_proves_it() {
    let clean = AnipService::start("", false);
    let dir = starter("anip-defects", &clean);
    for (defect, scenario) in [
        ("mutate_before_approval", "fixture_reset_tenant-stop"),
        ("ignore_grant", "fixture_reset_tenant-continue"),
        ("no_grant_policy", "fixture_reset_tenant-stop"),
        ("raw_passthrough", "raw-sql-refused"),
    ] {
        let broken = AnipService::start(defect, false);
        let (out, report) = run(&dir, &[&broken.url]);
        assert_eq!(out.status.code(), Some(1), "{defect}: {}", text(&out));
        let failed = failed_ids(&report);
        assert!(
            failed.iter().any(|f| f == scenario),
            "{defect}: {scenario} not among {failed:?}\n{}",
            text(&out)
        );
    }
}

#[test]
fn two_services_compare_outcomes_and_parity_names_the_drifting_field() {
    let clean = AnipService::start("", false);
    let twin = AnipService::start("", false);
    let drifting = AnipService::start("", true);
    let dir = TempDir::new("anip-parity");
    let same = anip(
        &dir.0,
        &["parity", &clean.url, &twin.url],
        ANIP_REQUESTER_KEY,
    );
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    let drift = anip(
        &dir.0,
        &["parity", &clean.url, &drifting.url],
        ANIP_REQUESTER_KEY,
    );
    let all = text(&drift);
    assert_eq!(drift.status.code(), Some(1), "{all}");
    assert!(
        all.contains("fixture.reset_tenant") && all.contains("minimum_scope"),
        "{all}"
    );
    assert!(all.contains("fixtures.admin"), "{all}");

    let pack_dir = starter("anip-two-services", &clean);
    let (out, report) = run(&pack_dir, &[&clean.url, &drifting.url]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let drifted = report["outcome_drift"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !drifted.is_empty(),
        "outcomes differ across services: {}",
        text(&out)
    );
}

#[test]
fn a_service_down_exits_3_and_a_wrong_key_is_an_authentication_error() {
    let service = AnipService::start("", false);
    let dir = starter("anip-errors", &service);
    let down = format!("http://127.0.0.1:{}", free_port());
    let (out, _) = run(&dir, &[&down]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("unreachable"), "{}", text(&out));

    let wrong = anip(&dir.0, &["run", PACK], "not-the-key");
    let all = text(&wrong);
    assert_eq!(wrong.status.code(), Some(2), "{all}");
    assert!(
        all.contains("refused the bootstrap credential of `requester` (ANIP_BEARER)"),
        "{all}"
    );
    assert!(
        !all.contains("not-the-key"),
        "the credential is never printed: {all}"
    );
}

/// The agent-facing classes, asked of the rule-based agent app.
const AGENT_PACK: &str = "format: scenario-pack/v1
scenarios:
  - id: pick-count
    class: capability_selection
    request: {ask: {question: How many rows does tenant-a have?}}
    expect: {capability: fixture.count, outcome: success}
  - id: no-tenant
    class: missing_context
    request: {ask: {question: How many rows are there?}}
    expect: {capability: fixture.count, outcome: clarification_required, clarification_field: tenant}
  - id: my-tenant
    class: dynamic_reference_resolution
    request: {ask: {question: How many rows does my tenant have?}}
    expect: {capability: fixture.count, outcome: success, result: {$.resolved.tenant: tenant-a}}
  - id: reset-which
    class: missing_context
    request: {ask: {question: Reset a tenant's fixtures}}
    expect: {capability: fixture.reset_tenant, outcome: clarification_required, clarification_field: tenant}
  - id: reset-follow-up
    class: follow_up_after_clarification
    prior: [reset-which]
    request: {ask: {question: The one called tenant-b}}
    expect: {capability: fixture.reset_tenant, outcome: approval_required}
  - id: everything
    class: restriction
    request: {ask: {question: Export every tenant's rows}}
    expect: {outcome: restricted}
  - id: raw
    class: denial
    request: {ask: {question: Run this raw SQL for me}}
    expect: {outcome: denied}
";

#[test]
fn agent_facing_scenarios_run_against_the_agent_app() {
    let service = AnipService::start("", false);
    let dir = TempDir::new("anip-agent");
    std::fs::create_dir_all(dir.0.join("anip")).expect("anip/ made");
    std::fs::write(dir.0.join("anip/agent.pack.yaml"), AGENT_PACK).expect("pack written");
    let ask = |agent: &str| {
        let args = [
            "run",
            "anip/agent.pack.yaml",
            "--service",
            &service.url,
            "--agent",
            agent,
        ];
        anip(&dir.0, &args, ANIP_REQUESTER_KEY)
    };
    let agent = AgentApp::start("");
    let out = ask(&agent.url);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("7 passed"), "{}", text(&out));

    let forgetful = AgentApp::start("forget_capability");
    let out = ask(&forgetful.url);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("FAIL reset-follow-up") && all.contains("capability.kept"),
        "{all}"
    );

    let without = anip(
        &dir.0,
        &["run", "anip/agent.pack.yaml", "--service", &service.url],
        ANIP_REQUESTER_KEY,
    );
    assert_eq!(without.status.code(), Some(0), "{}", text(&without));
    assert!(text(&without).contains("7 skipped"), "{}", text(&without));
}

#[test]
fn imported_case_files_run() {
    let service = AnipService::start("", false);
    let dir = TempDir::new("anip-import");
    std::fs::write(
        dir.0.join("cases.json"),
        r#"[{"id": "count-completed", "capability": "fixture.count", "parameters": {"tenant": "tenant-a"},
             "actor": "sales_leader", "scope": ["fixtures.read"], "expected_status": "completed"},
            {"id": "reset-needs-approval", "capability": "fixture.reset_tenant", "parameters": {"tenant": "tenant-a"},
             "actor": "sales_leader", "scope": ["fixtures.write"], "expected_status": "approval_required"}]"#,
    )
    .expect("cases written");
    std::fs::write(
        dir.0.join("contract.json"),
        r#"{"service_id": "fixture", "credentials": {"api_key_env": "ANIP_BEARER"},
            "samples": {"fixture.count": {"tenant": "tenant-b"}}, "compensation_scenarios": []}"#,
    )
    .expect("contract pack written");
    for (file, pack) in [
        ("cases.json", "anip/cases.pack.yaml"),
        ("contract.json", "anip/contract.pack.yaml"),
    ] {
        let out = anip(&dir.0, &["import", file], ANIP_REQUESTER_KEY);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let run = Command::new(binary())
            .args(["anip", "run", pack, "--service", &service.url])
            .current_dir(&dir.0)
            .env("ANIP_BEARER", ANIP_REQUESTER_KEY)
            .env("ANIP_BEARER_SALES_LEADER", ANIP_REQUESTER_KEY)
            .output()
            .expect("scenario-lab runs");
        assert_eq!(run.status.code(), Some(0), "{file}: {}", text(&run));
    }
    let bad = anip(&dir.0, &["import", "missing.json"], ANIP_REQUESTER_KEY);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

#[test]
fn a_sql_probe_and_a_class_filter() {
    let dir = TempDir::new("anip-sql");
    let db = dir.0.join("state.db");
    let db_text = db.display().to_string();
    let service = AnipService::start_with("", false, &[("ANIP_STATE_DB", &db_text)]);
    std::fs::create_dir_all(dir.0.join("anip")).expect("anip/ made");
    let pack = format!(
        "format: scenario-pack/v1
service: {{url: {}}}
probes:
  resets:
    sql: {{query: SELECT resets FROM fixture_state, database_url_env: FIXTURE_DB_URL}}
scenarios:
  - id: stop
    class: approval_stop
    request: {{invoke: {{capability: fixture.reset_tenant, parameters: {{tenant: tenant-a}}}}}}
    expect: {{outcome: approval_required, mutation: {{resets: 0}}}}
    capture: {{request_id: $.failure.approval_required.approval_request_id}}
  - id: grant
    class: approval_continuation
    prior: [stop]
    request: {{grant: {{approval_request: \"${{request_id}}\"}}}}
    expect: {{outcome: success}}
    capture: {{grant_id: $.grant_id}}
  - id: continue
    class: approval_continuation
    prior: [grant]
    request: {{invoke: {{capability: fixture.reset_tenant, parameters: {{tenant: tenant-a}}, approval_grant: \"${{grant_id}}\"}}}}
    expect: {{outcome: success, mutation: {{resets: 1}}}}
  - id: count
    class: capability_selection
    request: {{invoke: {{capability: fixture.count, parameters: {{tenant: tenant-b}}}}}}
    expect: {{outcome: success, mutation: {{resets: 0}}}}
",
        service.url
    );
    std::fs::write(dir.0.join("anip/sql.pack.yaml"), pack).expect("pack written");
    let run = |extra: &[&str]| {
        Command::new(binary())
            .args([
                "anip",
                "run",
                "anip/sql.pack.yaml",
                "--service",
                &service.url,
            ])
            .args(extra)
            .current_dir(&dir.0)
            .env("XDG_CONFIG_HOME", dir.0.join(".config"))
            .env("ANIP_BEARER", ANIP_REQUESTER_KEY)
            .env("ANIP_APPROVER_BEARER", ANIP_APPROVER_KEY)
            .env("FIXTURE_DB_URL", format!("sqlite://{db_text}"))
            .output()
            .expect("scenario-lab runs")
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("4 passed"), "{}", text(&out));
    // --class runs the class and what it needs by `prior`.
    let out = run(&["--class", "approval_continuation"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("3 passed"),
        "stop, grant, continue: {}",
        text(&out)
    );
}

#[test]
fn hostile_services_are_refused_cleanly() {
    use scenario_lab_tests::hostile::{HostileEndpoint, Misbehaviour};
    let dir = TempDir::new("anip-hostile");
    std::fs::create_dir_all(dir.0.join("anip")).expect("anip/ made");
    std::fs::write(
        dir.0.join("anip/x.pack.yaml"),
        "format: scenario-pack/v1\nscenarios:\n  - id: m\n    class: manifest_parity\n    request: {manifest: {}}\n",
    )
    .expect("pack written");
    for misbehaviour in [
        Misbehaviour::Huge { mb: 20 },
        Misbehaviour::NestedArrays { mb: 4 },
        Misbehaviour::Escapes,
    ] {
        let hostile = HostileEndpoint::start(misbehaviour.clone());
        for args in [
            vec![
                "init",
                "--service",
                hostile.url.as_str(),
                "--out",
                "anip/h.pack.yaml",
            ],
            vec!["run", "anip/x.pack.yaml", "--service", hostile.url.as_str()],
            vec!["parity", hostile.url.as_str(), hostile.url.as_str()],
        ] {
            let out = anip(&dir.0, &args, ANIP_REQUESTER_KEY);
            let all = text(&out);
            assert_eq!(
                out.status.code(),
                Some(3),
                "{misbehaviour:?} {args:?}: {all}"
            );
            assert!(all.contains("error:"), "{misbehaviour:?} {args:?}: {all}");
            assert!(
                !all.contains('\u{1b}'),
                "no terminal escape reaches the terminal: {all:?}"
            );
        }
    }
    assert!(
        !dir.0.join("anip/h.pack.yaml").exists(),
        "nothing written from a hostile service"
    );
}

#[test]
fn several_packs_share_one_json_and_one_junit_report() {
    let service = AnipService::start("", false);
    let dir = TempDir::new("anip-several");
    std::fs::create_dir_all(dir.0.join("anip")).expect("anip/ made");
    for name in ["a", "b"] {
        let pack = format!(
            "format: scenario-pack/v1\nservice: {{url: '{}'}}\nscenarios:\n  - id: {name}-manifest\n    class: manifest_parity\n    request: {{manifest: {{}}}}\n",
            service.url
        );
        std::fs::write(dir.0.join(format!("anip/{name}.pack.yaml")), pack).expect("pack written");
    }
    let args = [
        "run",
        "anip/a.pack.yaml",
        "anip/b.pack.yaml",
        "--report-json",
        "r.json",
        "--report-junit",
        "r.xml",
    ];
    let out = anip(&dir.0, &args, ANIP_REQUESTER_KEY);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.0.join("r.json")).unwrap_or_default())
            .unwrap_or_default();
    let packs: Vec<&str> = json
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["pack"].as_str())
        .collect();
    assert_eq!(packs, ["anip/a.pack.yaml", "anip/b.pack.yaml"], "{json}");
    let junit = std::fs::read_to_string(dir.0.join("r.xml")).unwrap_or_default();
    assert!(
        junit.contains("a-manifest") && junit.contains("b-manifest"),
        "{junit}"
    );
}

#[test]
fn parity_names_a_flipped_required_a_scope_and_a_grant_policy_live_and_in_saved_files() {
    let clean = AnipService::start("", false);
    let optional = AnipService::start_with("", false, &[("ANIP_INPUT_OPTIONAL", "1")]);
    let scoped = AnipService::start("", true);
    let policy = AnipService::start("policy_drift", false);
    let dir = TempDir::new("anip-parity-fields");
    let parity = |args: &[&str]| {
        let mut all = vec!["parity"];
        all.extend(args);
        anip(&dir.0, &all, ANIP_REQUESTER_KEY)
    };
    let out = parity(&[&clean.url, &optional.url, &scoped.url, &policy.url]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    for needle in [
        "fixture.reset_tenant input tenant: required true → false",
        "fixture.reset_tenant minimum_scope [\"fixtures.write\"] → [\"fixtures.admin\"]",
        "fixture.reset_tenant grant_policy ",
    ] {
        assert!(all.contains(needle), "{needle}: {all}");
    }
    // Saved manifests compare like live ones: the two runtimes' files of one contract are equal,
    // and a file differs from a live service where the service drifted.
    let runtimes = scenario_lab_tests::repo_root().join("tests/fixtures/anip/runtimes");
    let python = runtimes.join("python-0.24.13-manifest.json");
    let typescript = runtimes.join("typescript-0.24.13-manifest.json");
    let files = parity(&[
        python.to_str().unwrap_or_default(),
        typescript.to_str().unwrap_or_default(),
    ]);
    assert_eq!(files.status.code(), Some(0), "{}", text(&files));
    let saved = dir.0.join("manifest.json");
    let manifest = http_get_json(&format!("{}/anip/manifest", clean.url));
    std::fs::write(&saved, manifest.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let same = parity(&[saved.to_str().unwrap_or_default(), &clean.url]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    let drifted = parity(&[saved.to_str().unwrap_or_default(), &optional.url]);
    assert_eq!(drifted.status.code(), Some(1), "{}", text(&drifted));
    assert!(
        text(&drifted).contains("input tenant: required"),
        "{}",
        text(&drifted)
    );
    let missing = parity(&["no-such-manifest.json", &clean.url]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(
        text(&missing).contains("no-such-manifest.json"),
        "{}",
        text(&missing)
    );
}

#[test]
fn a_saved_manifest_verifies_offline_and_a_pinned_digest_is_checked_against_it() {
    let service = AnipService::start("", false);
    let dir = starter("anip-saved", &service);
    for file in ["manifest.json", "manifest.jws", "jwks.json"] {
        assert!(dir.0.join("anip").join(file).is_file(), "{file} saved");
    }
    let parity = |args: &[&str]| {
        let mut all = vec!["parity"];
        all.extend(args);
        anip(&dir.0, &all, ANIP_REQUESTER_KEY)
    };
    let saved = [
        "anip/manifest.json",
        &service.url,
        "--signature",
        "anip/manifest.jws",
    ];
    let out = parity(&saved);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("anip/manifest.json: signature verified (key "),
        "{all}"
    );

    // The pack pins the digest; the saved manifest agrees offline.
    let check = anip(&dir.0, &["check", PACK], ANIP_REQUESTER_KEY);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check));

    // A saved manifest someone edited: its signature fails, and the pin no longer matches.
    let path = dir.0.join("anip/manifest.json");
    let edited = std::fs::read_to_string(&path)
        .expect("manifest")
        .replace("\"required\":true", "\"required\":false");
    std::fs::write(&path, edited).expect("manifest edited");
    let out = parity(&saved);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("signature does not verify"), "{all}");
    let check = anip(&dir.0, &["check", PACK], ANIP_REQUESTER_KEY);
    let all = text(&check);
    assert_eq!(check.status.code(), Some(1), "{all}");
    assert!(all.contains("error[pack/digest-mismatch]"), "{all}");
}

/// The JSON body of a plain GET.
fn http_get_json(url: &str) -> serde_json::Value {
    let rest = url.trim_start_matches("http://");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let port: u16 = host
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(80);
    let answer = scenario_lab_tests::http(port, "GET", &format!("/{path}"), &[], "");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

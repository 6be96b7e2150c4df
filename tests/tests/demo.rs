//! The embedded demo endpoint: conformance and a full `validate --write` on SQLite, and the same
//! answers as the real Python SDK for the same requests.

use scenario_lab::endpoint::EndpointClient;
use scenario_lab_core::api::DownRequest;
use scenario_lab_core::api::{DownResult, UpResult, WorkspaceAnswer};
use scenario_lab_core::protocol::{
    Action, ActionProbe, DownRequest as DownBody, Request, UpRequest,
};
use scenario_lab_tests::{
    EndpointApp, SHARED_SECRET, example_workspace, http, scenario_lab, start_demo, text,
};
use serde_json::{Value, json};

#[test]
fn the_demo_passes_conformance_and_a_written_validation_on_sqlite() {
    let workspace = example_workspace("demo");
    std::fs::remove_dir_all(workspace.0.join("autonoma")).unwrap_or_else(|e| panic!("{e}"));
    let demo = start_demo(&workspace, None, false);
    assert!(
        workspace.0.join("autonoma/scenario-recipes.json").exists(),
        "the demo writes the example workspace into an empty folder"
    );
    let conformance = scenario_lab(
        &workspace.0,
        &[
            "conformance",
            "--endpoint",
            &demo.endpoint,
            "--database-url",
            &demo.database,
        ],
        SHARED_SECRET,
    );
    assert_eq!(conformance.status.code(), Some(0), "{}", text(&conformance));
    let validate = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &demo.endpoint,
            "--database-url",
            &demo.database,
            "--repeat",
            "2",
            "--write",
        ],
        SHARED_SECRET,
    );
    assert_eq!(validate.status.code(), Some(0), "{}", text(&validate));
    assert!(workspace.0.join("autonoma/.endpoint-validated").exists());
}

fn call(
    client: &EndpointClient,
    runtime: &tokio::runtime::Runtime,
    request: &Request,
) -> (u16, Value) {
    let response = runtime
        .block_on(client.call(request))
        .unwrap_or_else(|e| panic!("{e}"));
    (
        response.status,
        serde_json::from_str(&response.text).unwrap_or(Value::Null),
    )
}

fn up(create: Value) -> Request {
    Request::Up(UpRequest {
        create,
        test_run_id: Some("t".into()),
    })
}

fn down(refs: Value, token: String) -> Request {
    Request::Down(DownBody {
        refs,
        refs_token: Some(token),
        test_run_id: None,
    })
}

/// What must be equal between two endpoints: status, error code, and the response's shape.
fn shape(status: u16, body: &Value) -> Value {
    let refs: Value = body["refs"].as_object().map_or(Value::Null, |m| {
        m.iter()
            .map(|(k, v)| (k.clone(), json!(v.as_array().map_or(0, Vec::len))))
            .collect()
    });
    let mut keys: Vec<&String> = body
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    keys.sort();
    json!({"status": status, "code": body["code"], "refs": refs, "keys": keys, "ok": body["ok"]})
}

#[test]
fn the_demo_answers_like_the_python_sdk() {
    let python = EndpointApp::start("sqlite:///:memory:", "");
    let workspace = example_workspace("differential");
    let demo = start_demo(&workspace, None, false);
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let recipes: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace.0.join("autonoma/scenario-recipes.json"))
            .unwrap_or_default(),
    )
    .unwrap_or_default();
    let mut transcripts = Vec::new();
    for url in [&python.url, &demo.endpoint] {
        let client = EndpointClient::new(url, SHARED_SECRET);
        let mut transcript = Vec::new();
        let (status, discover) = call(&client, &runtime, &Request::Discover);
        let models: Vec<&str> = discover["schema"]["models"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["name"].as_str())
            .collect();
        transcript.push(
            json!({"discover": status, "models": models, "keys": shape(status, &discover)["keys"]}),
        );
        for recipe in recipes["recipes"].as_array().into_iter().flatten() {
            let create = scenario_lab_core::tokens::resolve_recipe(
                recipe,
                &format!("diff-{:06x}", rand_id()),
            )
            .unwrap_or_default();
            let (status, up) = call(&client, &runtime, &up(create));
            transcript.push(shape(status, &up));
            let token = up["refsToken"].as_str().unwrap_or_default().to_owned();
            let mut tampered = token.clone();
            tampered.pop();
            tampered.push('x');
            let (status, body) = call(&client, &runtime, &down(Value::Null, tampered));
            transcript.push(shape(status, &body));
            let (status, body) = call(&client, &runtime, &down(up["refs"].clone(), token));
            transcript.push(shape(status, &body));
        }
        let bad = EndpointClient::new(url, "wrong-secret");
        let (status, body) = call(&bad, &runtime, &Request::Discover);
        transcript.push(shape(status, &body));
        for create in [
            json!({"User": [{"name": "u", "organizationId": {"_ref": "nope"}}]}),
            json!({"Project": [{"_alias": "a", "name": "x", "status": "A", "organizationId": {"_ref": "b"}}], "Organization": [{"_alias": "b", "name": "o", "slug": {"_ref": "a"}}]}),
            json!({"Organization": [{"name": "{{nope}}", "slug": "s"}]}),
        ] {
            let (status, body) = call(&client, &runtime, &up(create));
            transcript.push(shape(status, &body));
        }
        let probe = serde_json::to_vec(&ActionProbe {
            action: "explode".into(),
        })
        .unwrap_or_default();
        let response = runtime
            .block_on(client.send_raw(Action::Discover, probe.clone(), Some(client.sign(&probe))))
            .unwrap_or_else(|e| panic!("{e}"));
        let body = serde_json::from_str(&response.text).unwrap_or(Value::Null);
        transcript.push(shape(response.status, &body));
        transcripts.push(transcript);
    }
    for (python, demo) in transcripts[0].iter().zip(&transcripts[1]) {
        assert_eq!(
            python["keys"], demo["keys"],
            "response keys differ: python {python} / demo {demo}"
        );
        assert_eq!(
            python["status"], demo["status"],
            "python {python} / demo {demo}"
        );
        assert_eq!(
            python["code"], demo["code"],
            "python {python} / demo {demo}"
        );
        assert_eq!(
            python["refs"], demo["refs"],
            "python {python} / demo {demo}"
        );
    }
    assert_eq!(transcripts[0].len(), transcripts[1].len());
}

fn rand_id() -> u32 {
    std::process::id() ^ 0x5a5a
}

#[test]
fn the_editor_api_brings_a_scenario_up_and_down() {
    let workspace = example_workspace("editor-api");
    let demo = start_demo(&workspace, None, false);
    let (address, token) = demo
        .editor
        .trim_start_matches("http://")
        .split_once("/?token=")
        .unwrap_or_default();
    let port: u16 = address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_default();
    let auth = format!("Bearer {token}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", auth.as_str()),
    ];
    let up = scenario_lab_tests::http(port, "POST", "/api/up", &headers, r#"{"scenario":"empty"}"#);
    assert!(up.starts_with("HTTP/1.1 200"), "{up}");
    let body: UpResult = serde_json::from_str(up.split("\r\n\r\n").nth(1).unwrap_or_default())
        .unwrap_or_else(|e| panic!("an UpResult: {e}: {up}"));
    assert_eq!(body.status, 200, "{body:?}");
    assert_eq!(body.refs_counts.get("User"), Some(&1));
    assert!(
        body.auth
            .as_ref()
            .and_then(|a| a["credentials"]["password"].as_str())
            .is_some_and(|p| p.starts_with("****")),
        "auth values are masked: {body:?}"
    );
    assert!(
        !up.contains("\"refsToken\":\"ey"),
        "the token stays in the proxy"
    );
    let ledger = workspace.0.join("autonoma/.scenario-lab/pending.json");
    assert!(
        ledger.exists(),
        "the run is in the pending ledger until it is torn down"
    );
    let down_body = serde_json::to_string(&DownRequest {
        test_run_id: body.test_run_id.clone(),
    })
    .unwrap_or_default();
    let down = scenario_lab_tests::http(port, "POST", "/api/down", &headers, &down_body);
    let down_result: DownResult =
        serde_json::from_str(down.split("\r\n\r\n").nth(1).unwrap_or_default())
            .unwrap_or_else(|e| panic!("a DownResult: {e}: {down}"));
    assert!(down_result.ok, "{down}");
    assert!(!ledger.exists(), "the ledger is emptied by the teardown");
}

/// 20 editors' Up at once: every token reaches the ledger, and every run can be torn down.
#[test]
fn concurrent_ups_lose_no_ledger_entry() {
    let workspace = example_workspace("concurrent-ups");
    let demo = start_demo(&workspace, None, false);
    let port = demo.editor_port();
    let auth = format!("Bearer {}", demo.session_token());
    let ups: Vec<UpResult> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let auth = auth.clone();
                scope.spawn(move || {
                    let headers = [
                        ("content-type", "application/json"),
                        ("authorization", auth.as_str()),
                    ];
                    let raw = http(port, "POST", "/api/up", &headers, r#"{"scenario":"empty"}"#);
                    serde_json::from_str::<UpResult>(
                        raw.split("\r\n\r\n").nth(1).unwrap_or_default(),
                    )
                    .unwrap_or_else(|e| panic!("{e}: {raw}"))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| panic!("up thread")))
            .collect()
    });
    assert!(
        ups.iter().all(|u| u.status == 200 && u.refs_token),
        "{ups:?}"
    );
    let raw = http(
        port,
        "GET",
        "/api/workspace",
        &[("authorization", &auth)],
        "",
    );
    let answer: WorkspaceAnswer =
        serde_json::from_str(raw.split("\r\n\r\n").nth(1).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {raw}"));
    assert_eq!(answer.pending.len(), 20, "every token is in the ledger");
    assert!(
        answer.pending.iter().all(|p| p.kept),
        "runs from the editor are kept"
    );
    let down = scenario_lab(
        &workspace.0,
        &["down", "--pending", "--endpoint", &demo.endpoint],
        SHARED_SECRET,
    );
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert_eq!(
        text(&down).matches("torn down").count(),
        20,
        "{}",
        text(&down)
    );
    assert!(
        !workspace
            .0
            .join("autonoma/.scenario-lab/pending.json")
            .exists()
    );
}

#[test]
fn the_demo_proves_the_example_at_startup_and_the_editor_opens_on_the_result() {
    let workspace = example_workspace("demo-startup");
    std::fs::remove_dir_all(workspace.0.join("autonoma")).unwrap_or_else(|e| panic!("{e}"));
    let demo = start_demo(&workspace, None, true);
    let bearer = format!("Bearer {}", demo.session_token());
    let raw = http(
        demo.editor_port(),
        "GET",
        "/api/workspace",
        &[("authorization", &bearer)],
        "",
    );
    let body: Value = raw
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or_else(|| panic!("{raw}"));
    let last = &body["lastValidation"];
    assert_eq!(last["exitCode"], 0, "{last}");
    assert_eq!(last["report"]["ok"], true);
    assert_eq!(
        last["report"]["scenarios"].as_array().map(Vec::len),
        Some(3)
    );
    let recipes = std::fs::read_to_string(workspace.0.join("autonoma/scenario-recipes.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        last["recipesFingerprint"],
        scenario_lab_core::file_version::fingerprint(&recipes).as_str()
    );
    assert!(
        !raw.contains("refsToken\":\""),
        "no refs token reaches the page"
    );
    assert_eq!(
        body["pending"],
        json!([]),
        "the startup validation tore everything down"
    );
}

/// More ids than SQLite binds as parameters (32,766): the existence checks still take one query
/// per model per phase, and the run is proven and torn down.
#[test]
fn an_up_of_more_ids_than_sqlite_binds_is_checked_in_one_query_per_model() {
    let workspace = example_workspace("many-ids");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let mut recipes: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
    let large = recipes["recipes"]
        .as_array_mut()
        .and_then(|r| r.iter_mut().find(|r| r["name"] == "large"))
        .unwrap_or_else(|| panic!("a large recipe"));
    let tasks = large["create"]["Task"]
        .as_array_mut()
        .unwrap_or_else(|| panic!("tasks"));
    let template = tasks[0].clone();
    while tasks.len() < 33_000 {
        let mut task = template.clone();
        task["title"] = json!(format!("Bulk task {}", tasks.len()));
        tasks.push(task);
    }
    std::fs::write(&path, serde_json::to_string(&recipes).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let scenarios = workspace.0.join("autonoma/scenarios.md");
    let counted = std::fs::read_to_string(&scenarios)
        .unwrap_or_default()
        .replace("total_entities: 303", "total_entities: 33063");
    std::fs::write(&scenarios, counted).unwrap_or_else(|e| panic!("{e}"));
    let demo = start_demo(&workspace, None, false);
    let report_path = workspace.0.join("report.json");
    let output = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &demo.endpoint,
            "--database-url",
            &demo.database,
            "--scenario",
            "large",
            "--no-conformance",
            "--report-json",
            report_path.to_str().unwrap_or_default(),
        ],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap_or_default())
            .unwrap_or_default();
    let run = &report["scenarios"][0];
    assert_eq!(run["refsCounts"]["Task"], 33_000, "{run}");
    assert_eq!(run["queries"]["created"], 5, "one query per model: {run}");
    assert_eq!(run["queries"]["gone"], 5, "one query per model: {run}");
}

/// The demo endpoint's `up` is one transaction: a record that fails leaves none of the records
/// created before it.
#[test]
fn a_failing_up_of_the_demo_endpoint_leaves_nothing() {
    use scenario_lab::database::ReadOnlyDb;
    let workspace = example_workspace("atomic-up");
    let demo = start_demo(&workspace, None, false);
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let db = runtime
        .block_on(ReadOnlyDb::connect(&demo.database))
        .unwrap_or_else(|e| panic!("{e}"));
    let tables: Vec<String> = runtime
        .block_on(db.catalog())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_keys()
        .collect();
    let before = runtime.block_on(db.counts(&tables)).unwrap_or_default();
    let client = EndpointClient::new(&demo.endpoint, SHARED_SECRET);
    // Organization and User come up; the Member lacks its required `role`.
    let (status, body) = call(
        &client,
        &runtime,
        &up(json!({
            "Organization": [{"_alias": "o", "name": "Atomic", "slug": "atomic"}],
            "User": [{"_alias": "u", "name": "U", "email": "u@atomic.test", "password": "p", "organizationId": {"_ref": "o"}}],
            "Member": [{"organizationId": {"_ref": "o"}, "userId": {"_ref": "u"}}]
        })),
    );
    assert_eq!(status, 500, "{body}");
    let after = runtime.block_on(db.counts(&tables)).unwrap_or_default();
    assert_eq!(before, after, "no row of the failed up stays");
}

/// On SQLite a mistyped id column used to be read as a string literal ("0 of 3 ids"); now it
/// stops before anything comes up, naming the column.
#[test]
fn a_mistyped_id_column_is_named_before_anything_comes_up() {
    let workspace = example_workspace("id-column");
    std::fs::write(
        workspace.0.join("autonoma/scenario-lab.toml"),
        "[id_columns]\nUser = \"uid\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let demo = start_demo(&workspace, None, false);
    let output = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &demo.endpoint,
            "--database-url",
            &demo.database,
            "--no-conformance",
        ],
        SHARED_SECRET,
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output)
            .contains("[id_columns] User = \"uid\": table `user` (model User) has no column `uid`"),
        "{}",
        text(&output)
    );
    assert!(!text(&output).contains("[standard] up"), "nothing came up");
}

/// What every endpoint must answer alike whatever its domain, across the demo and both official
/// SDKs: status and error code of each protocol probe, and the keys of discover's answer.
#[test]
fn the_demo_answers_protocol_probes_like_both_sdks() {
    use scenario_lab_tests::{Postgres, TsEndpointApp};
    let python = EndpointApp::start("sqlite:///:memory:", "");
    let pg = Postgres::start();
    let typescript = TsEndpointApp::start(&pg.url, "", &[]);
    let workspace = example_workspace("differential-probes");
    let demo = start_demo(&workspace, None, false);
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let probes: Vec<(&str, Vec<u8>, bool)> = vec![
        ("unsigned", Request::Discover.to_bytes(), false),
        ("invalid JSON", b"{not json".to_vec(), true),
        ("no action", b"{}".to_vec(), true),
        ("unknown action", br#"{"action":"explode"}"#.to_vec(), true),
        ("up without create", br#"{"action":"up"}"#.to_vec(), true),
        ("unknown model", up(json!({"Nope": [{"x": 1}]})).to_bytes(), true),
        ("unknown alias", up(json!({"Nope": [{"x": {"_ref": "ghost"}}]})).to_bytes(), true),
        (
            "cycle",
            up(json!({"A": [{"_alias": "a", "b": {"_ref": "b"}}], "B": [{"_alias": "b", "a": {"_ref": "a"}}]}))
                .to_bytes(),
            true,
        ),
        ("down without token", br#"{"action":"down"}"#.to_vec(), true),
        ("down with a malformed token", down(Value::Null, "not.a-token".into()).to_bytes(), true),
    ];
    let answers = |url: &str| -> Vec<(String, u16, Value)> {
        let client = EndpointClient::new(url, SHARED_SECRET);
        let discover = runtime
            .block_on(client.call(&Request::Discover))
            .unwrap_or_else(|e| panic!("{e}"));
        let body: Value = serde_json::from_str(&discover.text).unwrap_or_default();
        let mut keys: Vec<&String> = body
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        keys.sort();
        let mut out = vec![("discover".to_owned(), discover.status, json!(keys))];
        for (name, bytes, signed) in &probes {
            let signature = signed.then(|| client.sign(bytes));
            let response = runtime
                .block_on(client.send_raw(Action::Up, bytes.clone(), signature))
                .unwrap_or_else(|e| panic!("{e}"));
            out.push((
                (*name).to_owned(),
                response.status,
                json!(response.error_code()),
            ));
        }
        out
    };
    let demo_answers = answers(&demo.endpoint);
    for (sdk, url) in [("python", &python.url), ("typescript", &typescript.url)] {
        for (ours, theirs) in demo_answers.iter().zip(answers(url)) {
            assert_eq!(ours, &theirs, "the demo and the {sdk} SDK differ");
        }
    }
}

#[test]
fn reconcile_corrects_an_alias_and_a_frontmatter_count_on_the_demo() {
    let workspace = example_workspace("demo-reconcile");
    let dir = workspace.0.join("autonoma");
    let recipes = std::fs::read_to_string(dir.join("scenario-recipes.json")).unwrap_or_default();
    std::fs::write(
        dir.join("scenario-recipes.json"),
        recipes.replacen("\"_ref\": \"olivia\"", "\"_ref\": \"olivai\"", 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scenarios = std::fs::read_to_string(dir.join("scenarios.md")).unwrap_or_default();
    std::fs::write(
        dir.join("scenarios.md"),
        scenarios.replacen("total_entities: 3\n", "total_entities: 4\n", 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let demo = start_demo(&workspace, None, false);
    let report = workspace.0.join("report.json");
    let output = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &demo.endpoint,
            "--database-url",
            &demo.database,
            "--reconcile",
            "--write",
            "--no-conformance",
            "--report-json",
            report.to_str().unwrap_or_default(),
        ],
        SHARED_SECRET,
    );
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(all.contains("+ \"_ref\": \"olivia\""), "{all}");
    assert!(all.contains("+ total_entities: 3"), "{all}");
    let validation: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(".scenario-validation.json")).unwrap_or_default(),
    )
    .unwrap_or_default();
    let files: Vec<&str> = validation["edits"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["file"].as_str())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("scenarios.md"))
            && files.iter().any(|f| f.ends_with("scenario-recipes.json")),
        "{validation:#}"
    );
    let sentinel = std::fs::read_to_string(dir.join(".endpoint-validated")).unwrap_or_default();
    assert!(sentinel.contains("total_entities"), "{sentinel}");
}

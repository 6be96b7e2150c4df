//! The proxy's API without a socket (`oneshot`): the session token and same-origin rules, files
//! confined to the workspace, and the offline routes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use scenario_lab::server::{AppState, app};
use scenario_lab_core::file_version::fingerprint;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

const TOKEN: &str = "0123456789abcdef0123456789abcdef";
const HOST: &str = "127.0.0.1:7999";

/// A copy of the example workspace in a temp folder.
fn workspace() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "scenario-lab-server-{}-{:x}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/autonoma");
    for entry in std::fs::read_dir(examples).expect("examples").flatten() {
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
    }
    dir
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()) ^ d.as_secs())
}

fn state(dir: &Path) -> AppState {
    let mut state = AppState::new(dir.canonicalize().expect("canonical"), TOKEN.into(), 7999);
    state.signing_secret = Some("signing-secret-never-shown".into());
    state
}

fn request(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("host", HOST)
}

async fn send(dir: &std::path::Path, request: Request<Body>) -> (StatusCode, String) {
    send_to(state(dir), request).await
}

/// One request to the proxy built on `state`: its status and body.
async fn send_to(state: AppState, request: Request<Body>) -> (StatusCode, String) {
    let response = app(state).oneshot(request).await.expect("response");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// The `report` event of a pack run's stream.
fn run_outcome(stream: &str) -> scenario_lab_core::api::PackRunOutcome {
    let report = stream
        .split("event: report\ndata: ")
        .nth(1)
        .unwrap_or_default();
    serde_json::from_str(report.trim()).expect("a PackRunOutcome")
}

/// One JSON request with the session token.
async fn authorised(state: AppState, method: &str, uri: &str, body: &str) -> (StatusCode, String) {
    let request = request(method, uri)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request");
    send_to(state, request).await
}

#[tokio::test]
async fn the_api_requires_the_session_token() {
    let dir = workspace();
    let (status, body) = send(
        &dir,
        request("GET", "/api/workspace")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = send(
        &dir,
        request("GET", "/api/workspace")
            .header("authorization", "Bearer wrong")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = send(
        &dir,
        request("GET", "/api/workspace")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert!(
        json["files"]["scenario-recipes.json"]["contents"]
            .as_str()
            .is_some_and(|c| c.contains("\"recipes\""))
    );
    assert!(
        !body.contains("signing-secret-never-shown"),
        "secrets never leave the proxy"
    );
}

#[tokio::test]
async fn other_origins_and_hosts_are_refused() {
    let dir = workspace();
    let with_token =
        |r: axum::http::request::Builder| r.header("authorization", format!("Bearer {TOKEN}"));
    let (status, _) = send(
        &dir,
        with_token(request("GET", "/api/workspace"))
            .header("origin", "http://evil.example")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another page's Origin");
    let (status, _) = send(
        &dir,
        with_token(
            Request::builder()
                .uri("/api/workspace")
                .header("host", "evil.example:7999"),
        )
        .body(Body::empty())
        .expect("request"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "DNS rebinding: a foreign Host"
    );
    let (status, _) = send(
        &dir,
        with_token(request("GET", "/api/workspace"))
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(
        &dir,
        with_token(request("GET", "/api/workspace"))
            .header("origin", "http://127.0.0.1:7999")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the proxy's own origin");
}

#[tokio::test]
async fn files_stay_inside_the_workspace() {
    let dir = workspace();
    let put = |name: &str| {
        request("PUT", &format!("/api/files/{name}"))
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::from("{}"))
            .expect("request")
    };
    for name in ["..%2Fescape.json", "%2Fetc%2Fpasswd", "notes.txt", "..%5Cx"] {
        let (status, body) = send(&dir, put(name)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
    }
    assert!(!dir.join("../escape.json").exists());
    let outside = std::env::temp_dir().join(format!("scenario-lab-outside-{}", rand_suffix()));
    std::fs::write(&outside, "keep").expect("outside file");
    std::fs::remove_file(dir.join("discover.json")).expect("remove");
    std::os::unix::fs::symlink(&outside, dir.join("discover.json")).expect("symlink");
    let (status, _) = send(&dir, put("discover.json")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a symlink out of the workspace"
    );
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap_or_default(),
        "keep"
    );
    let (status, body) = send(&dir, put("scenarios.md")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        std::fs::read_to_string(dir.join("scenarios.md")).unwrap_or_default(),
        "{}"
    );
    let _ = std::fs::remove_file(outside);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_file_changed_on_disk_since_the_editor_loaded_it_is_not_overwritten() {
    let dir = workspace();
    let loaded = std::fs::read_to_string(dir.join("scenarios.md")).expect("scenarios.md");
    let put = |base: &str, body: &str| {
        request("PUT", "/api/files/scenarios.md")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("x-base-fingerprint", base)
            .body(Body::from(body.to_owned()))
            .expect("request")
    };
    std::fs::write(dir.join("scenarios.md"), "changed by someone else").expect("write");
    let (status, body) = send(&dir, put(&fingerprint(&loaded), "my edit")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("changed on disk"), "{body}");
    assert_eq!(
        std::fs::read_to_string(dir.join("scenarios.md")).unwrap_or_default(),
        "changed by someone else"
    );
    let (status, body) = send(
        &dir,
        put(&fingerprint("changed by someone else"), "my edit"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        std::fs::read_to_string(dir.join("scenarios.md")).unwrap_or_default(),
        "my edit"
    );
    // An empty fingerprint means "a new file": refused when one exists.
    let (status, _) = send(&dir, put("", "again")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn preflight_runs_on_the_files_on_disk() {
    let dir = workspace();
    let (status, body) = send(
        &dir,
        request("POST", "/api/preflight")
            .header("x-session-token", TOKEN)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["summary"]["errors"], 0);
    let (status, body) = send(
        &dir,
        request("POST", "/api/discover")
            .header("x-session-token", TOKEN)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "no endpoint configured: {body}"
    );
    let (status, body) = send(
        &dir,
        request("GET", "/").body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body.contains("scripts/start.sh"),
        "says how to build the editor: {body}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Every answer decodes into the type the editor decodes it into.
#[tokio::test]
async fn answers_decode_as_the_editor_decodes_them() {
    use scenario_lab_core::api::{ApiErrorBody, WorkspaceAnswer, WriteFileAnswer};
    let dir = workspace();
    let (status, body) = send(
        &dir,
        request("GET", "/api/workspace")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let answer: WorkspaceAnswer = serde_json::from_str(&body).expect("a WorkspaceAnswer");
    assert!(answer.files.contains_key("scenario-recipes.json"));
    assert!(answer.signing_secret && !answer.database && answer.endpoint.is_none());
    let (status, body) = send(
        &dir,
        request("PUT", "/api/files/scenarios.md")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::from("# s"))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let written: WriteFileAnswer = serde_json::from_str(&body).expect("a WriteFileAnswer");
    assert_eq!(written.bytes, 3);
    let (status, body) = send(
        &dir,
        request("POST", "/api/up")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/json")
            .body(Body::from(r#"{"scenario":"standard"}"#))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let error: ApiErrorBody = serde_json::from_str(&body).expect("an ApiErrorBody");
    assert_eq!(error.code, "UNAVAILABLE");
    let _ = std::fs::remove_dir_all(dir);
}

/// A link planted in the workspace is neither served nor preflighted through the proxy.
#[tokio::test]
async fn links_inside_the_workspace_are_not_read() {
    let dir = workspace();
    let outside = std::env::temp_dir().join(format!("scenario-lab-secret-{}", rand_suffix()));
    std::fs::write(&outside, "---\nsecret: outside the workspace\n---\n").expect("outside");
    std::fs::remove_file(dir.join("scenarios.md")).expect("remove");
    std::os::unix::fs::symlink(&outside, dir.join("scenarios.md")).expect("symlink");
    for (method, path) in [("GET", "/api/workspace"), ("POST", "/api/preflight")] {
        let (status, body) = send(
            &dir,
            request(method, path)
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(!body.contains("outside the workspace\\n"), "{path}: {body}");
        assert!(!body.contains("secret: outside"), "{path}: {body}");
    }
    let _ = std::fs::remove_file(outside);
    let _ = std::fs::remove_dir_all(dir);
}

/// 20 writers at once: every write succeeds and a reader only ever sees a whole file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_of_one_file_all_succeed_and_never_show_a_partial_file() {
    let dir = workspace();
    let texts: Vec<String> = (0..20)
        .map(|i| format!("# version {i}\n").repeat(20_000))
        .collect();
    let app = app(state(&dir));
    let writes = texts.iter().map(|text| {
        let app = app.clone();
        let request = request("PUT", "/api/files/scenarios.md")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::from(text.clone()))
            .expect("request");
        tokio::spawn(async move { app.oneshot(request).await.map(|r| r.status()) })
    });
    let reader_dir = dir.clone();
    let expected = texts.clone();
    let reader = tokio::task::spawn_blocking(move || {
        (0..300).all(|_| {
            std::fs::read_to_string(reader_dir.join("scenarios.md"))
                .map_or(true, |t| expected.contains(&t) || t.contains("Scenarios"))
        })
    });
    for write in writes {
        assert_eq!(
            write.await.expect("task").expect("response"),
            StatusCode::OK
        );
    }
    assert!(
        reader.await.expect("reader"),
        "a reader saw a partial or empty file"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn packs_are_listed_saved_by_plain_names_and_run_one_at_a_time() {
    use scenario_lab_core::api::{PackText, PacksAnswer};
    let dir = workspace();
    let packs = dir.join("packs");
    std::fs::create_dir_all(&packs).expect("packs folder");
    std::fs::write(
        packs.join("x.pack.yaml"),
        "format: scenario-pack/v1\nservice: {url: 'http://127.0.0.1:9'}\nscenarios:\n  - id: m\n    class: manifest_parity\n    request: {manifest: {}}\n",
    )
    .expect("pack written");
    let mut state = state(&dir);
    state.packs_dir = packs.canonicalize().expect("canonical");
    let call = authorised;
    let (status, body) = call(state.clone(), "GET", "/api/packs", "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed: PacksAnswer = serde_json::from_str(&body).expect("a PacksAnswer");
    assert_eq!(
        listed
            .packs
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["x.pack.yaml"]
    );

    let (status, body) = call(state.clone(), "PUT", "/api/packs/y.pack.json", "{}").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved: PackText = serde_json::from_str(&body).expect("a PackText");
    assert_eq!(saved.name, "y.pack.json");
    for bad in ["..%2Fx.pack.yaml", ".hidden.pack.yaml", "notes.txt"] {
        let (status, body) = call(state.clone(), "PUT", &format!("/api/packs/{bad}"), "x").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }

    // One pack run at a time; a pack with errors is refused before anything runs.
    let (status, body) = call(
        state.clone(),
        "POST",
        "/api/packs/run",
        r#"{"name":"y.pack.json"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    state
        .pack_running
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let (status, body) = call(
        state.clone(),
        "POST",
        "/api/packs/run",
        r#"{"name":"x.pack.yaml"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    state
        .pack_running
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let (status, body) = call(state, "POST", "/api/packs/run", r#"{"name":"x.pack.yaml"}"#).await;
    // It runs: a stream whose report says why there are no verdicts (nothing listens on port 9).
    assert_eq!(status, StatusCode::OK, "{body}");
    let outcome = run_outcome(&body);
    assert!(outcome.report.is_none());
    assert!(
        outcome.error.unwrap_or_default().contains("unreachable"),
        "{body}"
    );
}

#[tokio::test]
async fn a_pack_run_sends_credentials_only_to_a_service_named_by_the_user() {
    let dir = workspace();
    let packs = dir.join("packs");
    std::fs::create_dir_all(&packs).expect("packs folder");
    // HOME stands for a credential: it is set in every test process.
    std::fs::write(
        packs.join("z.pack.yaml"),
        "format: scenario-pack/v1\nservice: {url: 'http://127.0.0.1:9'}\nactors: {requester: {credential_env: HOME}}\nscenarios:\n  - id: i\n    class: capability_selection\n    request: {invoke: {capability: a.b, parameters: {}}}\n    expect: {outcome: success}\n",
    )
    .expect("pack written");
    let mut state = state(&dir);
    state.packs_dir = packs.canonicalize().expect("canonical");
    let run =
        |state: AppState, body: &'static str| authorised(state, "POST", "/api/packs/run", body);
    let error = |body: &str| run_outcome(body).error.unwrap_or_default();
    // The pack's service, and a service the page names, are not the user naming them.
    for body in [
        r#"{"name":"z.pack.yaml"}"#,
        r#"{"name":"z.pack.yaml","service":"http://127.0.0.1:10"}"#,
    ] {
        let (status, answer) = run(state.clone(), body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let error = error(&answer);
        assert!(error.contains("refusing to send HOME"), "{error}");
        assert!(error.contains("--anip-service"), "{error}");
    }
    // `serve --anip-service` names it: the run goes on (and finds nothing listening).
    state.anip_services = vec!["http://127.0.0.1:9".to_owned()];
    let (_, answer) = run(state, r#"{"name":"z.pack.yaml"}"#).await;
    assert!(error(&answer).contains("unreachable"), "{answer}");
}

#[tokio::test]
async fn a_planner_folder_is_served_by_its_real_names_and_its_secrets_never() {
    let dir = workspace();
    std::fs::rename(dir.join("scenario-recipes.json"), dir.join("recipe.json")).expect("rename");
    std::fs::write(dir.join("integration-prompt.md"), "<!-- v11 -->\n").expect("write");
    std::fs::write(
        dir.join(".recipe-builder-state.json"),
        r#"{"sharedSecret":"planner-state-secret"}"#,
    )
    .expect("write");
    let authorized = |method: &str, uri: &str| {
        request(method, uri).header("authorization", format!("Bearer {TOKEN}"))
    };
    let (status, body) = send(
        &dir,
        authorized("GET", "/api/workspace")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: scenario_lab_core::api::WorkspaceAnswer =
        serde_json::from_str(&body).expect("the editor's type");
    assert_eq!(answer.recipes_name, "recipe.json");
    assert_eq!(
        answer.layout,
        scenario_lab_core::dialect::Layout::PlannerLive
    );
    assert!(
        answer.files.contains_key("recipe.json"),
        "{:?}",
        answer.files.keys()
    );
    assert!(!body.contains("planner-state-secret"));
    let (status, body) = send(
        &dir,
        authorized("PUT", "/api/files/recipe.json")
            .body(Body::from(answer.files["recipe.json"].contents.clone()))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for name in [".recipe-builder-state.json", ".env"] {
        let (status, body) = send(
            &dir,
            authorized("PUT", &format!("/api/files/{name}"))
                .body(Body::from("{}"))
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
    }
}

//! The proxy's API without a socket (`oneshot`): the session token and same-origin rules, files
//! confined to the workspace, and the offline routes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use scenario_lab::server::{AppState, app};
use scenario_lab_core::file_version::fingerprint;
use std::path::PathBuf;
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
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn state(dir: PathBuf) -> AppState {
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
    let response = app(state(dir.to_path_buf()))
        .oneshot(request)
        .await
        .expect("response");
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    (status, String::from_utf8_lossy(&body).into_owned())
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

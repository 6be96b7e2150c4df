//! The local proxy behind the editor: `fn app(state) -> Router`, a session token plus same-origin
//! checks on every `/api` route, workspace files confined to `--dir`, the signed lifecycle with
//! progress streamed as server-sent events. Secrets stay here.

use crate::cli::exit;
use crate::cli::{EndpointArgs, Format, ValidateArgs, WorkspaceArgs};
use crate::commands::validate;
use crate::endpoint::EndpointClient;
use crate::live_discover;
use crate::render::preflight_report;
use crate::workspace_dir::WorkspaceDir;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use scenario_lab_core::FileKind;
use scenario_lab_core::file_version::fingerprint;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything the routes share. The secrets live only here.
#[derive(Clone, Debug)]
pub struct AppState {
    pub dir: PathBuf,
    pub session_token: String,
    /// `host:port` values a request's `Host` may carry (loopback only).
    pub allowed_hosts: Vec<String>,
    pub endpoint: Option<EndpointClient>,
    pub endpoint_args: EndpointArgs,
    pub signing_secret: Option<String>,
    pub database_url: Option<String>,
    /// The platform API for uploads (`AUTONOMA_API_URL`; the key stays in the environment).
    pub api_url: Option<String>,
    /// The built editor (Trunk's `dist/`), when present.
    pub dist: Option<PathBuf>,
    /// The last validation this proxy ran (or the demo's startup one), for a page that opens later.
    pub last_validation: LastValidation,
}

/// The last validation's answer (`{exitCode, report, scenarios, recipesFingerprint}`), shared by
/// the routes.
pub type LastValidation = Arc<std::sync::Mutex<Option<Value>>>;

/// What `GET /api/workspace` reports about a validation: its answer plus what it covered and the
/// fingerprint of the recipes it proved.
pub fn validation_record(
    exit_code: u8,
    report: Option<&validate::ValidateReport>,
    scenarios: &[String],
    recipes: Option<&str>,
) -> Value {
    json!({
        "exitCode": exit_code,
        "report": report,
        "scenarios": scenarios,
        "recipesFingerprint": recipes.map(fingerprint),
    })
}

impl AppState {
    /// The origins allowed to call the API: the proxy's own.
    fn allowed_origins(&self) -> impl Iterator<Item = String> + '_ {
        self.allowed_hosts.iter().map(|h| format!("http://{h}"))
    }
}

/// The one error type of the API; details of upstream failures are logged, not echoed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(
        "missing or wrong session token: open the editor with the URL `scenario-lab serve` printed"
    )]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "FORBIDDEN"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "BAD_REQUEST"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NOT_FOUND"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "CONFLICT"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "UNAVAILABLE"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL"),
        };
        (
            status,
            Json(json!({"error": self.to_string(), "code": code})),
        )
            .into_response()
    }
}

impl From<std::io::Error> for ApiError {
    fn from(error: std::io::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

/// The proxy's routes; `serve` only binds a listener.
pub fn app(state: AppState) -> Router {
    let state = Arc::new(state);
    let api = Router::new()
        .route("/api/workspace", get(workspace))
        .route("/api/files/{name}", put(write_file))
        .route("/api/preflight", post(preflight))
        .route("/api/discover", post(discover))
        .route("/api/validate", post(validate))
        .route("/api/upload", post(upload))
        .route("/api/up", post(up))
        .route("/api/down", post(down))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_session,
        ));
    let editor = match &state.dist {
        Some(dist) if dist.join("index.html").exists() => {
            Router::new().fallback_service(tower_http::services::ServeDir::new(dist).fallback(
                tower_http::services::ServeFile::new(dist.join("index.html")),
            ))
        }
        _ => Router::new().fallback(get(editor_missing)),
    };
    api.merge(editor).with_state(state)
}

async fn editor_missing() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        Html(
            "<!doctype html><title>Scenario Lab</title><p>The editor is not built. Run <code>bash scripts/start.sh</code> (README's first command), which builds it with Trunk, or <code>trunk build --release</code>, then restart <code>scenario-lab serve</code>.</p>",
        ),
    )
}

/// Every `/api` request needs the session token and must come from the proxy's own origin:
/// no CSRF, no DNS rebinding, no signing oracle for other pages.
async fn require_session(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !state.allowed_hosts.iter().any(|allowed| allowed == host) {
        return Err(ApiError::Forbidden(format!(
            "Host `{host}` is not this proxy (DNS rebinding is refused)"
        )));
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok())
        && !state.allowed_origins().any(|allowed| allowed == origin)
    {
        return Err(ApiError::Forbidden(format!(
            "Origin `{origin}` may not call this proxy"
        )));
    }
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "cross-site")
    {
        return Err(ApiError::Forbidden(
            "cross-site requests are refused".into(),
        ));
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token = bearer.or_else(|| headers.get("x-session-token").and_then(|v| v.to_str().ok()));
    if !token.is_some_and(|t| constant_time_eq(t.as_bytes(), state.session_token.as_bytes())) {
        return Err(ApiError::Unauthorized);
    }
    Ok(next.run(request).await)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The file names the editor may read and write: the workspace files and the settings.
fn editable(name: &str) -> bool {
    FileKind::ALL.iter().any(|k| k.file_name() == name) || name == "scenario-lab.toml"
}

/// `dir/name` when `name` is a plain editable file name and the path stays inside `dir`
/// (no traversal, no symlink out of it).
fn confined(dir: &Path, name: &str) -> Result<PathBuf, ApiError> {
    if name.contains(['/', '\\']) || name.contains("..") || !editable(name) {
        return Err(ApiError::Forbidden(format!(
            "`{name}` is not a workspace file"
        )));
    }
    let path = dir.join(name);
    if let Ok(meta) = std::fs::symlink_metadata(&path)
        && meta.file_type().is_symlink()
    {
        return Err(ApiError::Forbidden(format!(
            "`{name}` is a symbolic link; the proxy only writes regular files inside the workspace"
        )));
    }
    let root = dir.canonicalize()?;
    let parent = path
        .parent()
        .map(Path::canonicalize)
        .transpose()?
        .unwrap_or_default();
    if parent != root {
        return Err(ApiError::Forbidden(format!(
            "`{name}` is outside the workspace"
        )));
    }
    Ok(path)
}

/// `GET /api/workspace`: the folder, its files with their contents, and what the proxy can reach.
async fn workspace(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let mut files = BTreeMap::new();
    for name in FileKind::ALL
        .iter()
        .map(|k| k.file_name())
        .chain(["scenario-lab.toml"])
    {
        let path = state.dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            continue;
        }
        if let Ok(contents) = std::fs::read_to_string(&path) {
            let modified = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as u64);
            files.insert(
                name.to_owned(),
                json!({"contents": contents, "modified": modified}),
            );
        }
    }
    // Runs whose teardown is still owed (never their refs tokens).
    let pending: Vec<Value> = crate::artifacts::read_ledger(&state.dir)
        .iter()
        .map(|p| {
            json!({"scenario": p.scenario, "testRunId": p.test_run_id, "reason": p.reason, "endpoint": p.endpoint})
        })
        .collect();
    let last_validation = state
        .last_validation
        .lock()
        .map(|v| v.clone())
        .unwrap_or_default();
    Ok(Json(json!({
        "dir": state.dir.display().to_string(),
        "files": files,
        "pending": pending,
        "lastValidation": last_validation,
        "endpoint": state.endpoint.as_ref().map(|c| c.url().to_owned()),
        "database": state.database_url.is_some(),
        "signingSecret": state.signing_secret.is_some(),
    })))
}

/// `PUT /api/files/{name}`: writes one workspace file atomically.
async fn write_file(
    State(state): State<Arc<AppState>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Json<Value>, ApiError> {
    let path = confined(&state.dir, &name)?;
    // The editor says which disk version it edited; a file changed since is not overwritten.
    if let Some(base) = headers
        .get("x-base-fingerprint")
        .and_then(|v| v.to_str().ok())
    {
        let on_disk = std::fs::read_to_string(&path).ok();
        let current = on_disk.as_deref().map(fingerprint);
        let expected = (!base.is_empty()).then(|| base.to_owned());
        if current != expected {
            return Err(ApiError::Conflict(format!(
                "`{name}` changed on disk since the editor loaded it; reload to compare"
            )));
        }
    }
    crate::artifacts::write_atomic(&path, body.as_bytes())?;
    Ok(Json(json!({"written": name, "bytes": body.len()})))
}

/// `POST /api/preflight`: the offline preflight of the files on disk (the JSON report format).
async fn preflight(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let dir = WorkspaceDir::read(&state.dir).map_err(|e| ApiError::NotFound(e.to_string()))?;
    let outcome = preflight_report(&dir, Format::Json, false);
    Ok(([(header::CONTENT_TYPE, "application/json")], outcome.output).into_response())
}

fn endpoint(state: &AppState) -> Result<&EndpointClient, ApiError> {
    state.endpoint.as_ref().ok_or_else(|| {
        ApiError::Unavailable(
            "no endpoint: start `scenario-lab serve` with --endpoint and AUTONOMA_SHARED_SECRET"
                .into(),
        )
    })
}

/// `POST /api/discover`: the signed discover, as the endpoint answered.
async fn discover(State(state): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let client = endpoint(&state)?;
    let (_, body, check) = live_discover::discover(client)
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    Ok(Json(
        json!({"ok": check.ok, "message": check.message, "discover": body}),
    ))
}

/// The body of `POST /api/validate`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ValidateRequest {
    pub scenarios: Vec<String>,
    pub repeat: Option<u32>,
    pub write: bool,
    pub conformance: Option<bool>,
}

/// `POST /api/validate`: the full validation; progress lines as `progress` events, then one
/// `report` event with the JSON report (and the exit code).
async fn validate(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(request): Json<ValidateRequest>,
) -> Result<Response, ApiError> {
    let client = endpoint(&state)?.clone();
    let _ = headers;
    let args = ValidateArgs {
        endpoint: state.endpoint_args.clone(),
        database_url: state.database_url.clone(),
        workspace: WorkspaceArgs {
            dir: state.dir.clone(),
        },
        scenarios: request.scenarios,
        iteration: 1,
        repeat: request.repeat.unwrap_or(1),
        jobs: 1,
        report_json: None,
        report_junit: None,
        write: request.write,
        no_conformance: !request.conformance.unwrap_or(true),
    };
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let signing_secret = state.signing_secret.clone();
    let last_validation = state.last_validation.clone();
    let recipes = std::fs::read_to_string(state.dir.join("scenario-recipes.json")).ok();
    tokio::spawn(async move {
        let progress_sender = sender.clone();
        let progress = move |line: &str| {
            let _ = progress_sender.send(Event::default().event("progress").data(line.trim_end()));
        };
        let event = match validate::execute(&args, &client, signing_secret, &progress).await {
            Ok((report, code)) => {
                // After `write`, the recipes on disk are the validated ones just written.
                let proved = if args.write && code == 0 {
                    std::fs::read_to_string(args.workspace.dir.join("scenario-recipes.json")).ok()
                } else {
                    recipes
                };
                let record =
                    validation_record(code, report.as_ref(), &args.scenarios, proved.as_deref());
                if let Ok(mut last) = last_validation.lock() {
                    *last = Some(record);
                }
                Event::default()
                    .event("report")
                    .data(json!({"exitCode": code, "report": report}).to_string())
            }
            Err(error) => Event::default()
                .event("report")
                .data(json!({"exitCode": 2, "error": error.to_string()}).to_string()),
        };
        let _ = sender.send(event);
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|event| (Ok::<_, Infallible>(event), receiver))
    });
    Ok(Sse::new(stream).into_response())
}

/// The body of `POST /api/up`.
#[derive(Debug, Deserialize)]
pub struct UpRequest {
    pub scenario: String,
}

/// `POST /api/up`: one signed `up` of a recipe from disk. The refs token stays in the proxy's
/// pending ledger until `POST /api/down` (or `scenario-lab down --pending`) tears it down.
async fn up(
    State(state): State<Arc<AppState>>,
    Json(request): Json<UpRequest>,
) -> Result<Json<Value>, ApiError> {
    let client = endpoint(&state)?;
    let text = std::fs::read_to_string(state.dir.join("scenario-recipes.json"))?;
    let recipes: Value = serde_json::from_str(&text)
        .map_err(|e| ApiError::BadRequest(format!("scenario-recipes.json: {e}")))?;
    let recipe = recipes["recipes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["name"] == request.scenario.as_str())
        .ok_or_else(|| ApiError::NotFound(format!("no recipe named `{}`", request.scenario)))?;
    let test_run_id = crate::lifecycle::new_test_run_id(&request.scenario, 1);
    let create = scenario_lab_core::tokens::resolve_recipe(recipe, &test_run_id)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let response = client
        .call(
            crate::endpoint::Action::Up,
            &json!({"action": "up", "create": create, "testRunId": test_run_id}),
        )
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let body = response.json.clone().unwrap_or(Value::Null);
    let refs = body.get("refs").cloned().unwrap_or(Value::Null);
    if let Some(token) = body.get("refsToken").and_then(Value::as_str) {
        let mut ledger = crate::artifacts::read_ledger(&state.dir);
        ledger.push(crate::lifecycle::PendingTeardown {
            scenario: request.scenario.clone(),
            test_run_id: test_run_id.clone(),
            refs_token: token.to_owned(),
            refs: refs.clone(),
            endpoint: client.url().to_owned(),
            reason: "brought up from the editor".into(),
        });
        crate::artifacts::write_ledger(&state.dir, &ledger)?;
    }
    let counts: BTreeMap<String, usize> = refs
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_array().map_or(0, Vec::len)))
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(json!({
        "status": response.status,
        "message": crate::lifecycle::explain(&response),
        "testRunId": test_run_id,
        "upMs": response.elapsed_ms,
        "auth": body.get("auth").map(crate::lifecycle::mask_auth),
        "refsCounts": counts,
        "refs": refs,
        "refsToken": body.get("refsToken").is_some(),
    })))
}

/// The body of `POST /api/down`.
#[derive(Debug, Deserialize)]
pub struct DownRequest {
    #[serde(rename = "testRunId")]
    pub test_run_id: String,
}

/// `POST /api/down`: tears down a run brought up with `POST /api/up` (its token is in the ledger).
async fn down(
    State(state): State<Arc<AppState>>,
    Json(request): Json<DownRequest>,
) -> Result<Json<Value>, ApiError> {
    let client = endpoint(&state)?;
    let mut ledger = crate::artifacts::read_ledger(&state.dir);
    let index = ledger
        .iter()
        .position(|p| p.test_run_id == request.test_run_id)
        .ok_or_else(|| ApiError::NotFound(format!("no pending run `{}`", request.test_run_id)))?;
    let entry = ledger[index].clone();
    let response = client
        .call(crate::endpoint::Action::Down, &entry.down_body())
        .await
        .map_err(|e| ApiError::Unavailable(e.to_string()))?;
    let ok = response.status == 200 && response.ok_flag();
    if ok {
        ledger.remove(index);
        crate::artifacts::write_ledger(&state.dir, &ledger)?;
    }
    Ok(Json(
        json!({"ok": ok, "status": response.status, "message": crate::lifecycle::explain(&response), "downMs": response.elapsed_ms}),
    ))
}

/// The body of `POST /api/upload`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UploadRequest {
    pub setup: Option<String>,
}

/// `POST /api/upload`: the CLI's upload, refused unless the last validation passed.
async fn upload(
    State(state): State<Arc<AppState>>,
    Json(request): Json<UploadRequest>,
) -> Result<Json<Value>, ApiError> {
    match crate::upload::upload_recipes(&state.dir, request.setup, state.api_url.clone()).await {
        Ok(message) => Ok(Json(json!({"ok": true, "message": message}))),
        Err((code, message)) if code == exit::UNREACHABLE => Err(ApiError::Unavailable(message)),
        Err((_, message)) => Err(ApiError::BadRequest(message)),
    }
}

/// A random session token (32 hex characters).
pub fn new_session_token() -> String {
    format!(
        "{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

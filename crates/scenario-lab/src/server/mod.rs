//! The local proxy behind the editor: `fn app(state) -> Router`, a session token plus same-origin
//! checks on every `/api` route, one error type, and the built editor. Secrets stay here; the
//! routes live in `files` (workspace, files, preflight), `lifecycle` (discover, validate, up,
//! down) and `upload`. Every request and answer is a `scenario_lab_core::api` type.

mod files;
mod lifecycle;
mod packs;
mod upload;

pub use lifecycle::remember;

use crate::cli::EndpointArgs;
use crate::endpoint::{EndpointClient, EndpointError};
use crate::ledger::LedgerError;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use scenario_lab_core::api::{ApiErrorBody, ValidationRecord};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Everything the routes share. The secrets live only here.
#[derive(Clone, Debug)]
pub struct AppState {
    pub dir: PathBuf,
    /// The workspace's ANIP packs: `anip/` beside the `autonoma/` folder (`serve --packs`).
    pub packs_dir: PathBuf,
    /// A pack run is in progress (one at a time, as validations).
    pub pack_running: Arc<std::sync::atomic::AtomicBool>,
    /// The ANIP services the user named (`--anip-service`); the trust file is read per run.
    pub anip_services: Vec<String>,
    /// Credentials for pack runs where the environment sets none (the demo's own ANIP service).
    pub anip_env: BTreeMap<String, String>,
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
    /// The validation running now (one at a time), for `POST /api/validate/cancel`.
    pub running_validation: Arc<Mutex<Option<Arc<crate::validation::Steering>>>>,
}

/// The last validation, shared by the routes.
pub type LastValidation = Arc<Mutex<Option<ValidationRecord>>>;

impl AppState {
    /// A proxy for `dir` on `port` (127.0.0.1 and localhost) with nothing to reach yet.
    pub fn new(dir: PathBuf, session_token: String, port: u16) -> AppState {
        let packs_dir = dir
            .parent()
            .map_or_else(|| PathBuf::from("anip"), |p| p.join("anip"));
        AppState {
            packs_dir,
            pack_running: Arc::default(),
            anip_services: Vec::new(),
            anip_env: BTreeMap::new(),
            dir,
            session_token,
            allowed_hosts: vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")],
            endpoint: None,
            endpoint_args: EndpointArgs::for_url(""),
            signing_secret: None,
            database_url: None,
            api_url: None,
            dist: None,
            last_validation: LastValidation::default(),
            running_validation: Arc::default(),
        }
    }

    /// The origins allowed to call the API: the proxy's own.
    fn allowed_origins(&self) -> impl Iterator<Item = String> + '_ {
        self.allowed_hosts.iter().map(|h| format!("http://{h}"))
    }

    fn endpoint(&self) -> Result<&EndpointClient, ApiError> {
        self.endpoint.as_ref().ok_or_else(|| {
            ApiError::Unavailable(
                "no endpoint: start `scenario-lab serve` with --endpoint and AUTONOMA_SHARED_SECRET"
                    .into(),
            )
        })
    }
}

/// The one error type of the API. Internal failures are logged with their details and answered
/// with a generic message; nothing internal is echoed to the page.
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
    #[error("internal error in the proxy (details are in its log)")]
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
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL")
            }
        };
        let body = ApiErrorBody {
            error: self.to_string(),
            code: code.to_owned(),
        };
        (status, Json(body)).into_response()
    }
}

impl From<std::io::Error> for ApiError {
    fn from(error: std::io::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<LedgerError> for ApiError {
    fn from(error: LedgerError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<EndpointError> for ApiError {
    /// The kind of failure for the page; the details (addresses, causes) for the log.
    fn from(error: EndpointError) -> Self {
        tracing::warn!(%error, "endpoint call failed");
        ApiError::Unavailable(match error {
            EndpointError::Unreachable { .. } => {
                "the endpoint is unreachable: is the app running?".to_owned()
            }
            other => other.to_string(),
        })
    }
}

/// The proxy's routes; `serve` only binds a listener.
pub fn app(state: AppState) -> Router {
    let state = Arc::new(state);
    let api = Router::new()
        .route("/api/workspace", get(files::workspace))
        .route(
            "/api/files/{name}",
            put(files::write_file).layer(DefaultBodyLimit::max(files::MAX_FILE_BYTES)),
        )
        .route("/api/preflight", post(files::preflight))
        .route("/api/discover", post(lifecycle::discover))
        .route("/api/validate", post(lifecycle::validate))
        .route("/api/validate/cancel", post(lifecycle::cancel))
        .route("/api/up", post(lifecycle::up))
        .route("/api/down", post(lifecycle::down))
        .route("/api/upload", post(upload::upload))
        .route("/api/packs", get(packs::list))
        .route(
            "/api/packs/{name}",
            put(packs::save).layer(DefaultBodyLimit::max(packs::MAX_PACK_BYTES)),
        )
        .route("/api/packs/run", post(packs::run))
        .route("/api/packs/new", post(packs::create))
        .route("/api/packs/parity", post(packs::parity))
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

/// A random session token (32 hex characters).
pub fn new_session_token() -> String {
    format!(
        "{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

/// Prints the editor's URL (with the session token) and serves until the process ends.
pub async fn serve_editor(
    listener: tokio::net::TcpListener,
    state: AppState,
    open: bool,
) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let url = format!("http://127.0.0.1:{port}/?token={}", state.session_token);
    println!("editor: {url}");
    if open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    axum::serve(listener, app(state)).await
}

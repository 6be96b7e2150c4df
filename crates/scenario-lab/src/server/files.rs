//! The workspace routes: `GET /api/workspace`, `PUT /api/files/{name}` (atomic, confined, with
//! the disk-version check) and `POST /api/preflight`. Links inside the workspace are refused.

use super::{ApiError, AppState};
use crate::atomic_file::write_atomic;
use crate::cli::Format;
use crate::ledger::Ledger;
use crate::render::preflight_report;
use crate::settings::Settings;
use crate::workspace_dir::{Links, WorkspaceDir};
use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use scenario_lab_core::FileKind;
use scenario_lab_core::api::{FileEntry, WorkspaceAnswer, WriteFileAnswer};
use scenario_lab_core::file_version::fingerprint;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest file the editor may write (a minified recipes file of tens of megabytes).
pub(super) const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// The file names the editor may read and write: the workspace files (either recipes name) and
/// the settings. Never the planner's secret files.
fn editable(name: &str) -> bool {
    FileKind::from_file_name(name).is_some() || name == Settings::FILE
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
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
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

fn read_workspace(dir: &Path) -> Result<WorkspaceDir, ApiError> {
    WorkspaceDir::read_with(dir, Links::Refuse).map_err(|e| ApiError::NotFound(e.to_string()))
}

/// `GET /api/workspace`: the folder, its files with their contents, and what the proxy can reach.
pub(super) async fn workspace(
    State(state): State<Arc<AppState>>,
) -> Result<Json<WorkspaceAnswer>, ApiError> {
    let dir = read_workspace(&state.dir)?;
    let mut files = BTreeMap::new();
    for (kind, contents) in &dir.files {
        let name = dir.name(*kind);
        files.insert(
            name.to_owned(),
            FileEntry {
                contents: contents.clone(),
                modified: dir.modified_ms(name),
            },
        );
    }
    if let Ok(Some(contents)) = dir.other(Settings::FILE) {
        files.insert(
            Settings::FILE.to_owned(),
            FileEntry {
                contents,
                modified: dir.modified_ms(Settings::FILE),
            },
        );
    }
    let pending = Ledger::for_workspace(&state.dir)
        .entries()?
        .iter()
        .map(crate::ledger::LedgerEntry::public)
        .collect();
    let last_validation = state
        .last_validation
        .lock()
        .map(|v| v.clone())
        .unwrap_or_default();
    Ok(Json(WorkspaceAnswer {
        dir: state.dir.display().to_string(),
        recipes_name: dir.recipes_name.to_owned(),
        layout: dir.layout,
        files,
        pending,
        last_validation,
        endpoint: state.endpoint.as_ref().map(|c| c.url().to_owned()),
        database: state.database_url.is_some(),
        signing_secret: state.signing_secret.is_some(),
    }))
}

/// `PUT /api/files/{name}`: writes one workspace file atomically.
pub(super) async fn write_file(
    State(state): State<Arc<AppState>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Json<WriteFileAnswer>, ApiError> {
    let path = confined(&state.dir, &name)?;
    // The editor says which disk version it edited; a file changed since is not overwritten.
    if let Some(base) = headers
        .get("x-base-fingerprint")
        .and_then(|v| v.to_str().ok())
    {
        let on_disk =
            WorkspaceDir::current(&state.dir, &name, Links::Refuse).map_err(ApiError::Forbidden)?;
        let current = on_disk.as_deref().map(fingerprint);
        let expected = (!base.is_empty()).then(|| base.to_owned());
        if current != expected {
            return Err(ApiError::Conflict(format!(
                "`{name}` changed on disk since the editor loaded it; reload to compare"
            )));
        }
    }
    write_atomic(&path, body.as_bytes())?;
    Ok(Json(WriteFileAnswer {
        written: name,
        bytes: body.len(),
    }))
}

/// `POST /api/preflight`: the offline preflight of the files on disk (the JSON report format).
pub(super) async fn preflight(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let dir = read_workspace(&state.dir)?;
    let outcome = preflight_report(&dir, Format::Json, false);
    Ok(([(header::CONTENT_TYPE, "application/json")], outcome.output).into_response())
}

//! `POST /api/upload`: the CLI's upload of proven recipes; the API key stays in the proxy.

use super::{ApiError, AppState};
use crate::cli::exit;
use crate::upload::upload_recipes;
use crate::workspace_dir::{Links, WorkspaceDir};
use axum::Json;
use axum::extract::State;
use scenario_lab_core::api::{UploadRequest, UploadResult};
use std::sync::Arc;

/// Uploads the workspace's recipes, refused unless a validation of this tool proved them.
pub(super) async fn upload(
    State(state): State<Arc<AppState>>,
    Json(request): Json<UploadRequest>,
) -> Result<Json<UploadResult>, ApiError> {
    let dir = WorkspaceDir::read_with(&state.dir, Links::Refuse)
        .map_err(|e| ApiError::NotFound(e.to_string()))?;
    match upload_recipes(&dir, request.setup, state.api_url.clone()).await {
        Ok(message) => Ok(Json(UploadResult { ok: true, message })),
        Err(error) if error.code == exit::UNREACHABLE => Err(ApiError::Unavailable(error.message)),
        Err(error) => Err(ApiError::BadRequest(error.message)),
    }
}

//! `/api/packs`: the workspace's ANIP packs listed, saved, created for a service (New pack), run
//! (a stream of scenario verdicts) and compared; credentials stay in the proxy's environment.

use super::{ApiError, AppState};
use crate::anip::parity::compare;
use crate::anip::session::{Progress, RunOptions, run_pack};
use crate::atomic_file::write_atomic;
use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use scenario_lab_core::anip::parse::is_pack_file;
use scenario_lab_core::anip::{Syntax, check_pack};
use scenario_lab_core::api::{
    NewPackAnswer, NewPackRequest, PackRunEvent, PackRunOutcome, PackRunStart, PackText,
    PacksAnswer, ParityAnswer, ParityRequest, RunPackRequest,
};
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Packs larger than this are refused.
pub(super) const MAX_PACK_BYTES: usize = 4 * 1024 * 1024;

/// Whether `name` is a pack file name (no folders, a pack extension).
fn pack_path(state: &AppState, name: &str) -> Result<PathBuf, ApiError> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !name.starts_with('.');
    if plain && is_pack_file(name) {
        Ok(state.packs_dir.join(name))
    } else {
        Err(ApiError::BadRequest(format!(
            "`{name}` is not a pack file name (`NAME.pack.yaml` or `NAME.pack.json`, no folders)"
        )))
    }
}

/// `GET /api/packs`.
pub(super) async fn list(
    State(state): State<Arc<AppState>>,
) -> Result<Json<PacksAnswer>, ApiError> {
    let mut packs = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&state.packs_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && pack_path(&state, &name).is_ok() {
                let text = std::fs::read_to_string(entry.path())?;
                packs.push(PackText { name, text });
            }
        }
    }
    packs.sort_by(|a, b| a.name.cmp(&b.name));
    let manifest = std::fs::read_to_string(state.packs_dir.join("manifest.json")).ok();
    Ok(Json(PacksAnswer {
        dir: state.packs_dir.display().to_string(),
        packs,
        manifest,
    }))
}

/// `PUT /api/packs/{name}`: writes one pack atomically.
pub(super) async fn save(
    State(state): State<Arc<AppState>>,
    UrlPath(name): UrlPath<String>,
    body: String,
) -> Result<Json<PackText>, ApiError> {
    let path = pack_path(&state, &name)?;
    std::fs::create_dir_all(&state.packs_dir)?;
    write_atomic(&path, body.as_bytes())?;
    Ok(Json(PackText { name, text: body }))
}

/// `POST /api/packs/run`: refused before it starts (400 a pack with errors, 404, 409 another run);
/// then a stream: `service` and `scenario` events as the run goes, and one `report` event.
pub(super) async fn run(
    State(state): State<Arc<AppState>>,
    Json(request): Json<RunPackRequest>,
) -> Result<Response, ApiError> {
    let path = pack_path(&state, &request.name)?;
    let text = std::fs::read_to_string(&path).map_err(|_| {
        ApiError::NotFound(format!(
            "no pack `{}` in {}",
            request.name,
            state.packs_dir.display()
        ))
    })?;
    let manifest = std::fs::read_to_string(state.packs_dir.join("manifest.json")).ok();
    let checked = check_pack(&text, Syntax::of_path(&request.name), manifest.as_deref());
    if checked.report.errors() > 0 {
        return Err(ApiError::BadRequest(format!(
            "`{}` has {} error(s); fix them first (they are listed under the pack)",
            request.name,
            checked.report.errors()
        )));
    }
    let running = RunningGuard::claim(&state)?;
    let options = RunOptions {
        services: request.service.into_iter().collect(),
        scenarios: request.scenario.into_iter().collect(),
        // The page's service URL is not the user naming it: `--anip-service` and the trust file are.
        trust: crate::anip::trust::Trust::named(&state.anip_services),
        env_fallback: state.anip_env.clone(),
        ..RunOptions::default()
    };
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<PackRunEvent>();
    // The run goes on to its end even when the page goes away (nothing is left half done).
    tokio::spawn(async move {
        let _running = running;
        let progress_sender = sender.clone();
        let mut progress = move |event: &Progress<'_>| {
            let event = match event {
                Progress::Service { service, scenarios } => PackRunEvent::Service(PackRunStart {
                    service: (*service).to_owned(),
                    scenarios: *scenarios,
                }),
                Progress::Scenario(run) => PackRunEvent::Scenario(Box::new((*run).clone())),
            };
            let _ = progress_sender.send(event);
        };
        let outcome = match run_pack(&options, &request.name, &checked.pack, &mut progress).await {
            Ok(report) => PackRunOutcome {
                report: Some(report),
                error: None,
            },
            Err(stopped) => PackRunOutcome {
                report: None,
                error: Some(stopped.message),
            },
        };
        let _ = sender.send(PackRunEvent::Report(Box::new(outcome)));
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        let sse = Event::default().event(event.name()).data(event.data());
        Some((Ok::<_, Infallible>(sse), receiver))
    });
    Ok(Sse::new(stream).into_response())
}

/// `POST /api/packs/new`: the starter pack of the service the user typed (an existing pack is
/// never overwritten); the service is remembered as one the user named, as `anip init` does.
pub(super) async fn create(
    State(state): State<Arc<AppState>>,
    Json(request): Json<NewPackRequest>,
) -> Result<Json<NewPackAnswer>, ApiError> {
    use crate::anip::starter_files::{StarterError, StarterRequest, write_starter};
    let path = pack_path(&state, &request.name)?;
    if path.exists() {
        return Err(ApiError::Conflict(format!(
            "`{}` exists; give the new pack another name",
            request.name
        )));
    }
    if crate::anip::trust::origin_of(&request.service).is_none() {
        return Err(ApiError::BadRequest(format!(
            "`{}` is not a service URL (http://host:port)",
            request.service
        )));
    }
    let samples = match request.samples.trim() {
        "" => std::collections::BTreeMap::new(),
        text => serde_json::from_str(text).map_err(|e| {
            ApiError::BadRequest(format!(
                "the samples are not `{{capability: parameters}}` JSON: {e}"
            ))
        })?,
    };
    let header = format!(
        "A starter pack written by the editor's New pack for {}.\nCredentials are read from the environment variables named under `actors`.",
        request.service
    );
    let starter = StarterRequest {
        service: &request.service,
        samples: &samples,
        probes: &[],
        out: &path,
        header: &header,
    };
    let written = write_starter(&starter).await.map_err(|error| match error {
        StarterError::Service(e) => ApiError::Unavailable(e.to_string()),
        StarterError::UnknownProbe { .. } => ApiError::BadRequest(error.to_string()),
        StarterError::Write { .. } => ApiError::Internal(error.to_string()),
    })?;
    let mut notes = vec![match &written.signature {
        Ok(kid) => format!("the manifest's signature verifies (key {kid})"),
        Err(why) => format!("the manifest's signature: {why}"),
    }];
    if !written.todo.is_empty() {
        notes.push(format!(
            "no samples for {}: their required inputs say TODO",
            written.todo.join(", ")
        ));
    }
    if let Err(error) = crate::anip::trust::Trust::remember(&request.service) {
        notes.push(format!(
            "could not remember the service as trusted: {error}"
        ));
    }
    Ok(Json(NewPackAnswer {
        pack: PackText {
            name: request.name,
            text: std::fs::read_to_string(&path)?,
        },
        manifest: std::fs::read_to_string(&written.manifest).ok(),
        notes,
    }))
}

/// Holds the proxy's one pack run; released when dropped (also when the request is dropped).
struct RunningGuard(Arc<AtomicBool>);

impl RunningGuard {
    fn claim(state: &AppState) -> Result<RunningGuard, ApiError> {
        if state.pack_running.swap(true, Ordering::SeqCst) {
            return Err(ApiError::Conflict(
                "a pack is running; wait for its report".to_owned(),
            ));
        }
        Ok(RunningGuard(state.pack_running.clone()))
    }
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// `POST /api/packs/parity`.
pub(super) async fn parity(
    Json(request): Json<ParityRequest>,
) -> Result<Json<ParityAnswer>, ApiError> {
    if request.services.len() < 2 {
        return Err(ApiError::BadRequest(
            "parity compares two or more services".to_owned(),
        ));
    }
    compare(&request.services)
        .await
        .map(Json)
        .map_err(|e| ApiError::Unavailable(e.to_string()))
}

//! The lifecycle routes: `POST /api/discover`, `/api/validate` (progress as server-sent
//! events, then the report), `/api/validate/cancel`, `/api/up` (the refs token stays in the
//! ledger) and `/api/down`.

use super::{ApiError, AppState};
use crate::cli::{ValidateArgs, WorkspaceArgs};
use crate::kept_run::{self, KeepError};
use crate::ledger::Ledger;
use crate::lifecycle::explain;
use crate::live_discover;
use crate::validation::{self, Steering};
use crate::workspace_dir::{Links, WorkspaceDir};
use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use scenario_lab_core::FileKind;
use scenario_lab_core::api::{
    CancelAnswer, DiscoverResult, DownRequest, DownResult, UpRequest, UpResult, ValidateEvent,
    ValidateOutcome, ValidateRequest, ValidationRecord,
};
use scenario_lab_core::file_version::fingerprint;
use scenario_lab_core::run_report::mask_auth;
use serde_json::Value;
use std::convert::Infallible;
use std::sync::Arc;

/// `POST /api/discover`: the signed discover, as the endpoint answered.
pub(super) async fn discover(
    State(state): State<Arc<AppState>>,
) -> Result<Json<DiscoverResult>, ApiError> {
    let client = state.endpoint()?;
    let live = live_discover::discover(client).await?;
    let discover = live
        .text
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok());
    Ok(Json(DiscoverResult {
        ok: live.check.ok,
        message: live.check.message,
        discover,
    }))
}

/// The recipes text on disk now (what a validation proves).
fn recipes_on_disk(state: &AppState) -> Option<String> {
    let dir = WorkspaceDir::read_with(&state.dir, Links::Refuse).ok()?;
    dir.text(FileKind::Recipes).map(str::to_owned)
}

/// What `POST /api/validate` runs: the CLI's validation with the proxy's settings.
fn validate_args(state: &AppState, request: ValidateRequest) -> ValidateArgs {
    ValidateArgs {
        endpoint: state.endpoint_args.clone(),
        database_url: state.database_url.clone(),
        workspace: WorkspaceArgs::at(state.dir.clone()),
        scenarios: request.scenarios,
        iteration: 1,
        repeat: request.repeat.unwrap_or(1),
        jobs: 1,
        report_json: None,
        report_junit: None,
        report_html: None,
        write: request.write,
        no_conformance: !request.conformance.unwrap_or(true),
        probe_origins: Vec::new(),
        reconcile: request.reconcile,
        edits: Vec::new(),
    }
}

/// `POST /api/validate`: the full validation; progress lines as `progress` events, then one
/// `report` event with the outcome.
pub(super) async fn validate(
    State(state): State<Arc<AppState>>,
    Json(request): Json<ValidateRequest>,
) -> Result<Response, ApiError> {
    let client = state.endpoint()?.clone();
    let args = validate_args(&state, request);
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel::<ValidateEvent>();
    let step_sender = sender.clone();
    let steering = Arc::new(Steering::with_steps(move |step| {
        let _ = step_sender.send(ValidateEvent::Step(step));
    }));
    {
        let mut running = state.running_validation.lock().map_err(|_| poisoned())?;
        if running.is_some() {
            return Err(ApiError::Conflict(
                "a validation is already running: wait for it or cancel it".into(),
            ));
        }
        *running = Some(steering.clone());
    }
    let signing_secret = state.signing_secret.clone();
    let recipes = recipes_on_disk(&state);
    let app = state.clone();
    // The validation runs to its end even when the page goes away, so what came up goes down.
    tokio::spawn(async move {
        let progress_sender = sender.clone();
        let progress = move |line: &str| {
            let _ = progress_sender.send(ValidateEvent::Progress(line.to_owned()));
        };
        let executed = if args.reconcile {
            crate::reconcile::run(
                &args,
                &client,
                signing_secret.as_deref(),
                &progress,
                &steering,
            )
            .await
        } else {
            validation::execute(&args, &client, signing_secret, &progress, &steering).await
        };
        if let Ok(mut running) = app.running_validation.lock() {
            *running = None;
        }
        let outcome = match executed {
            Ok((report, code)) => {
                // After `write`, the recipes on disk are the validated ones just written.
                let proved = if args.write && code == 0 {
                    recipes_on_disk(&app)
                } else {
                    recipes
                };
                let outcome = ValidateOutcome {
                    exit_code: code,
                    report,
                    error: None,
                };
                remember(&app, &outcome, &args.scenarios, proved.as_deref());
                outcome
            }
            Err(error) => {
                tracing::error!(%error, "validation failed");
                ValidateOutcome {
                    exit_code: crate::cli::exit::USAGE,
                    report: None,
                    error: Some(
                        "the validation could not finish (details are in the proxy's log)".into(),
                    ),
                }
            }
        };
        let _ = sender.send(ValidateEvent::Report(outcome));
    });
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        let event = receiver.recv().await?;
        let sse = Event::default().event(event.name()).data(event.data());
        Some((Ok::<_, Infallible>(sse), receiver))
    });
    Ok(Sse::new(stream).into_response())
}

/// `POST /api/validate/cancel`: asks the running validation to stop; scenarios already up are
/// still checked and torn down before its report arrives.
pub(super) async fn cancel(
    State(state): State<Arc<AppState>>,
) -> Result<Json<CancelAnswer>, ApiError> {
    let running = state.running_validation.lock().map_err(|_| poisoned())?;
    let answer = match running.as_ref() {
        Some(steering) if steering.cancel() => CancelAnswer {
            cancelled: true,
            message: "cancelling: no new scenario starts; the ones running now are torn down"
                .into(),
        },
        Some(_) => CancelAnswer {
            cancelled: true,
            message: "already cancelling".into(),
        },
        None => CancelAnswer {
            cancelled: false,
            message: "no validation is running".into(),
        },
    };
    Ok(Json(answer))
}

fn poisoned() -> ApiError {
    ApiError::Internal("the validation lock is poisoned".into())
}

/// Keeps a validation for pages that open later.
pub fn remember(
    state: &AppState,
    outcome: &ValidateOutcome,
    scenarios: &[String],
    recipes: Option<&str>,
) {
    if let Ok(mut last) = state.last_validation.lock() {
        *last = Some(ValidationRecord {
            outcome: outcome.clone(),
            scenarios: scenarios.to_vec(),
            recipes_fingerprint: recipes.map(fingerprint),
        });
    }
}

/// `POST /api/up`: one signed `up` of a recipe from disk, kept up. The refs token stays in the
/// ledger until `POST /api/down` (or `scenario-lab down`) tears the run down.
pub(super) async fn up(
    State(state): State<Arc<AppState>>,
    Json(request): Json<UpRequest>,
) -> Result<Json<UpResult>, ApiError> {
    let client = state.endpoint()?;
    let dir = WorkspaceDir::read_with(&state.dir, Links::Refuse)
        .map_err(|e| ApiError::NotFound(e.to_string()))?;
    let kept = kept_run::bring_up(client, &dir, &request.scenario)
        .await
        .map_err(|error| match error {
            KeepError::Recipe(message) => ApiError::BadRequest(message),
            KeepError::Endpoint(error) => error.into(),
            KeepError::Ledger(error) => error.into(),
        })?;
    let refs_token = kept.kept();
    Ok(Json(UpResult {
        scenario: kept.scenario,
        status: kept.status,
        message: kept.message,
        test_run_id: kept.test_run_id,
        up_ms: kept.up_ms,
        auth: kept.answer.auth.as_ref().map(mask_auth),
        refs_counts: kept.answer.refs_counts(),
        refs: kept.answer.refs.map(Value::Object),
        refs_token,
    }))
}

/// `POST /api/down`: tears down a run of the ledger and removes it when the endpoint confirms.
pub(super) async fn down(
    State(state): State<Arc<AppState>>,
    Json(request): Json<DownRequest>,
) -> Result<Json<DownResult>, ApiError> {
    let client = state.endpoint()?;
    let ledger = Ledger::for_workspace(&state.dir);
    let entry = ledger
        .entries()?
        .into_iter()
        .find(|p| p.test_run_id == request.test_run_id)
        .ok_or_else(|| ApiError::NotFound(format!("no pending run `{}`", request.test_run_id)))?;
    let response = client.call(&entry.down_request()).await?;
    let ok = response.confirms_teardown();
    if ok {
        ledger.remove(&entry.test_run_id)?;
    }
    Ok(Json(DownResult {
        ok,
        status: response.status,
        message: explain(&response, client.url()),
        down_ms: response.elapsed_ms,
    }))
}

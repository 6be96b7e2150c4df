//! A reference Environment Factory speaking protocol v1 as the real SDKs do (signature check,
//! flat create with `_alias`/`_ref`, creation order, error codes, signed refs token), with
//! factories for the reference example domain writing to SQLite. `scenario-lab demo` runs it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use scenario_lab_core::graph::{Graph, RecordLinks};
use scenario_lab_core::protocol::{
    DiscoverAnswer, DownAnswer, DownRequest, ErrorBody, Metadata, SdkInfo, UpAnswer, UpRequest,
    codes,
};
use scenario_lab_core::{sdk_tokens, signing};
use serde_json::{Map, Value, json};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use crate::example::DISCOVER;
const SCOPE_FIELD: &str = "organizationId";

/// The endpoint's secrets and database.
#[derive(Clone, Debug)]
pub struct DemoEndpoint {
    pub shared_secret: String,
    pub signing_secret: String,
    pub db: SqlitePool,
}

/// One factory: its table and how record fields map to columns.
struct Factory {
    table: &'static str,
    /// (record field, column)
    columns: &'static [(&'static str, &'static str)],
}

fn factory(model: &str) -> Option<Factory> {
    let f = |table, columns| Some(Factory { table, columns });
    match model {
        "Organization" => f("organization", &[("name", "name"), ("slug", "slug")]),
        "User" => f(
            "user",
            &[
                ("name", "name"),
                ("email", "email"),
                ("password", "password_hash"),
                ("organizationId", "organization_id"),
            ],
        ),
        "Member" => f(
            "member",
            &[
                ("role", "role"),
                ("organizationId", "organization_id"),
                ("userId", "user_id"),
            ],
        ),
        "Project" => f(
            "project",
            &[
                ("name", "name"),
                ("status", "status"),
                ("organizationId", "organization_id"),
            ],
        ),
        "Task" => f(
            "task",
            &[
                ("title", "title"),
                ("priority", "priority"),
                ("projectId", "project_id"),
                ("assigneeId", "assignee_id"),
            ],
        ),
        _ => None,
    }
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS organization (id TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS onboarding_checklist (id TEXT PRIMARY KEY, organization_id TEXT NOT NULL, step TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS \"user\" (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, organization_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS member (id TEXT PRIMARY KEY, role TEXT NOT NULL, organization_id TEXT NOT NULL, user_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS project (id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, organization_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS task (id TEXT PRIMARY KEY, title TEXT NOT NULL, priority TEXT NOT NULL DEFAULT 'MEDIUM', project_id TEXT NOT NULL, assignee_id TEXT NOT NULL)",
];

impl DemoEndpoint {
    /// Opens (creating) the SQLite database at `path` and its tables.
    pub async fn open(
        path: &std::path::Path,
        shared_secret: String,
        signing_secret: String,
    ) -> Result<DemoEndpoint, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true);
        let db = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        for statement in SCHEMA {
            sqlx::query(statement).execute(&db).await?;
        }
        Ok(DemoEndpoint {
            shared_secret,
            signing_secret,
            db,
        })
    }
}

/// An SDK error: `{error, code}` with its status.
struct Failure(StatusCode, &'static str, String);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.2,
            code: Some(self.1.to_owned()),
        };
        (self.0, Json(body)).into_response()
    }
}

fn invalid_body(message: impl std::fmt::Display) -> Failure {
    Failure(
        StatusCode::BAD_REQUEST,
        "INVALID_BODY",
        format!("Invalid body: {message}"),
    )
}

fn metadata() -> Metadata {
    Metadata {
        version: Some(json!("1.0")),
        sdk: Some(SdkInfo {
            language: Some("rust".into()),
            orm: Some("sqlx".into()),
            server: Some("axum".into()),
        }),
    }
}

fn internal(message: impl std::fmt::Display) -> Failure {
    Failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        codes::INTERNAL_ERROR,
        message.to_string(),
    )
}

/// The endpoint's routes: `POST /api/autonoma/` (and without the slash).
pub fn app(endpoint: DemoEndpoint) -> Router {
    Router::new()
        .route("/api/autonoma/", post(handle))
        .route("/api/autonoma", post(handle))
        // Large recipes are legitimate (the SDKs read bodies of any size).
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(Arc::new(endpoint))
}

async fn handle(
    State(endpoint): State<Arc<DemoEndpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match dispatch(&endpoint, &headers, &body).await {
        Ok(answer) => answer,
        Err(failure) => failure.into_response(),
    }
}

async fn dispatch(
    endpoint: &DemoEndpoint,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Failure> {
    if endpoint.shared_secret == endpoint.signing_secret {
        return Err(Failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SAME_SECRETS",
            "sharedSecret and signingSecret must be different. The shared secret is known by Autonoma; the signing secret must be private.".into(),
        ));
    }
    let signature = headers
        .get("x-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !signing::verify_body(&endpoint.shared_secret, body, signature) {
        return Err(Failure(
            StatusCode::UNAUTHORIZED,
            "INVALID_SIGNATURE",
            "Invalid signature".into(),
        ));
    }
    let request: Value = serde_json::from_slice(body).map_err(|_| invalid_body("invalid JSON"))?;
    let Some(object) = request.as_object() else {
        return Err(internal("request body must be a JSON object"));
    };
    let action = object
        .get("action")
        .filter(|a| !matches!(a, Value::Null | Value::Bool(false)) && a.as_str() != Some(""));
    let Some(action) = action else {
        return Err(invalid_body(
            "missing action. expected one of 'discover', 'up' or 'down'",
        ));
    };
    let decode = |what| move |error: serde_json::Error| invalid_body(format!("{what}: {error}"));
    match action.as_str() {
        Some("discover") => {
            let example: DiscoverAnswer = serde_json::from_str(DISCOVER).unwrap_or_default();
            let answer = DiscoverAnswer {
                metadata: metadata(),
                schema: example.schema,
            };
            Ok(Json(answer).into_response())
        }
        Some("up") => {
            let request: UpRequest =
                serde_json::from_value(request.clone()).map_err(decode("up"))?;
            Ok(Json(up(endpoint, request).await?).into_response())
        }
        Some("down") => {
            let request: DownRequest =
                serde_json::from_value(request.clone()).map_err(decode("down"))?;
            Ok(Json(down(endpoint, request).await?).into_response())
        }
        _ => {
            let shown = action
                .as_str()
                .map_or_else(|| action.to_string(), str::to_owned);
            Err(Failure(
                StatusCode::BAD_REQUEST,
                "UNKNOWN_ACTION",
                format!("Unknown action: {shown}"),
            ))
        }
    }
}

/// One record of the create map with its place in the payload.
struct Planned {
    model: String,
    fields: Map<String, Value>,
    alias: Option<String>,
    refs: Vec<String>,
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => match map.get("_ref").and_then(Value::as_str) {
            Some(alias) => out.push(alias.to_owned()),
            None => map.values().for_each(|v| collect_refs(v, out)),
        },
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

fn replace_refs(value: &mut Value, ids: &BTreeMap<String, Value>) {
    match value {
        Value::Object(map) => {
            if let Some(alias) = map.get("_ref").and_then(Value::as_str)
                && let Some(id) = ids.get(alias)
            {
                *value = id.clone();
                return;
            }
            map.values_mut().for_each(|v| replace_refs(v, ids));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_refs(v, ids)),
        _ => {}
    }
}

fn plan(create: &Map<String, Value>) -> Result<Vec<Planned>, Failure> {
    let mut planned = Vec::new();
    for (model, entities) in create {
        let Some(entities) = entities.as_array() else {
            return Err(invalid_body(format!(
                "`create.{model}` must be a list of entity objects, got {}",
                type_name(entities)
            )));
        };
        for entity in entities {
            let Some(map) = entity.as_object() else {
                return Err(invalid_body(format!(
                    "`create.{model}` entries must be objects, got {}",
                    type_name(entity)
                )));
            };
            let alias = match map.get("_alias") {
                None => None,
                Some(Value::String(a)) => Some(a.clone()),
                Some(_) => return Err(invalid_body("\"_alias\" must be a string")),
            };
            if let Some(a) = &alias
                && planned
                    .iter()
                    .any(|p: &Planned| p.alias.as_deref() == Some(a))
            {
                return Err(invalid_body(format!("duplicate _alias \"{a}\"")));
            }
            let mut fields = map.clone();
            fields.remove("_alias");
            fields.remove("_ref");
            let mut refs = Vec::new();
            fields.values().for_each(|v| collect_refs(v, &mut refs));
            planned.push(Planned {
                model: model.clone(),
                fields,
                alias,
                refs,
            });
        }
    }
    for (model, _) in create {
        let mut unknown: Vec<&str> = planned
            .iter()
            .filter(|p| &p.model == model)
            .flat_map(|p| p.refs.iter().map(String::as_str))
            .filter(|r| !planned.iter().any(|q| q.alias.as_deref() == Some(*r)))
            .collect();
        unknown.sort_unstable();
        unknown.dedup();
        if !unknown.is_empty() {
            return Err(invalid_body(format!(
                "`create.{model}` references unknown alias(es): {}",
                unknown.join(", ")
            )));
        }
    }
    Ok(planned)
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

async fn up(endpoint: &DemoEndpoint, request: UpRequest) -> Result<UpAnswer, Failure> {
    let create = match &request.create {
        Value::Object(map) if !map.is_empty() => map,
        Value::Object(_) | Value::Null => {
            return Err(invalid_body("missing \"create\" in request body"));
        }
        _ => {
            return Err(invalid_body(
                "`create` must be an object keyed by model name",
            ));
        }
    };
    let test_run_id = request
        .test_run_id
        .clone()
        .unwrap_or_else(|| format!("run-{:08x}", rand::random::<u32>()));
    let mut planned = plan(create)?;
    let order = creation_order(&planned)?;
    // One transaction: a failure, or a client that goes away, leaves nothing behind.
    let mut tx = endpoint.db.begin().await.map_err(internal)?;
    let mut ids: BTreeMap<String, Value> = BTreeMap::new();
    let mut refs: Map<String, Value> = Map::new();
    let mut per_model: BTreeMap<String, usize> = BTreeMap::new();
    for i in order {
        let record = &mut planned[i];
        let Some(factory) = factory(&record.model) else {
            return Err(invalid_body(format!(
                "no factory registered for model \"{}\". Register one with `define_factory(...)` and add it to HandlerConfig.factories.",
                record.model
            )));
        };
        let index = per_model.entry(record.model.clone()).or_default();
        let mut fields = Value::Object(std::mem::take(&mut record.fields));
        replace_refs(&mut fields, &ids);
        sdk_tokens::resolve_record(&mut fields, &test_run_id, *index).map_err(|e| {
            Failure(
                StatusCode::BAD_REQUEST,
                codes::UNRESOLVED_TOKEN,
                e.to_string(),
            )
        })?;
        *index += 1;
        let id = format!(
            "{}_{:012x}",
            &factory.table[..3],
            rand::random::<u64>() & 0xffff_ffff_ffff
        );
        let created = insert(&mut tx, &record.model, &factory, &id, &fields).await?;
        if let Some(alias) = &record.alias {
            ids.insert(alias.clone(), json!(id));
        }
        if let Some(list) = refs
            .entry(record.model.clone())
            .or_insert_with(|| json!([]))
            .as_array_mut()
        {
            list.push(created);
        }
    }
    let token = refs_token(endpoint, &planned, &refs, &test_run_id);
    let auth = auth_for(&refs, &test_run_id);
    tx.commit().await.map_err(internal)?;
    Ok(UpAnswer {
        metadata: metadata(),
        auth: Some(auth),
        refs: Some(refs),
        refs_token: Some(token),
    })
}

/// Kahn order of the planned records (payload order breaks ties), or the SDK's cycle error.
fn creation_order(planned: &[Planned]) -> Result<Vec<usize>, Failure> {
    let links: Vec<RecordLinks<'_>> = planned
        .iter()
        .map(|p| RecordLinks {
            model: &p.model,
            alias: p.alias.as_deref(),
            refs: p.refs.iter().map(String::as_str).collect(),
            parent: None,
        })
        .collect();
    let graph = Graph::build(&links);
    if graph.has_cycle() {
        let models: Vec<&str> = graph
            .unordered()
            .iter()
            .map(|&i| planned[i].model.as_str())
            .collect();
        return Err(invalid_body(format!(
            "cycle detected in _alias/_ref graph: {}",
            models.join(", ")
        )));
    }
    Ok(graph.order)
}

/// The signed refs token of protocol v1 (`reference/protocol.md` §8.2).
fn refs_token(
    endpoint: &DemoEndpoint,
    planned: &[Planned],
    refs: &Map<String, Value>,
    test_run_id: &str,
) -> String {
    let scope_value = refs
        .values()
        .flat_map(|r| r.as_array().into_iter().flatten())
        .find_map(|r| r.get(SCOPE_FIELD).cloned())
        .unwrap_or_else(|| json!(test_run_id));
    let alias_dependencies: Map<String, Value> = planned
        .iter()
        .filter_map(|p| p.alias.clone().map(|a| (a, json!(p.refs))))
        .collect();
    let alias_owner_model: Map<String, Value> = planned
        .iter()
        .filter_map(|p| p.alias.clone().map(|a| (a, json!(p.model))))
        .collect();
    signing::sign_refs(
        &endpoint.signing_secret,
        &json!({"refs": refs, "testRunId": scope_value, "environment": "", "aliasDependencies": alias_dependencies, "aliasOwnerModel": alias_owner_model}),
    )
}

/// A session cookie and credentials for the first user, else a scope header.
fn auth_for(refs: &Map<String, Value>, test_run_id: &str) -> Value {
    if let Some(user) = refs.get("User").and_then(|u| u.get(0)) {
        json!({
            "cookies": [{"name": "session", "value": format!("demo-session-{}", user["id"].as_str().unwrap_or_default()), "httpOnly": true, "sameSite": "lax", "path": "/"}],
            "credentials": {"email": user["email"], "password": user["password"]},
        })
    } else {
        let scope = refs
            .values()
            .flat_map(|r| r.as_array().into_iter().flatten())
            .find_map(|r| r.get(SCOPE_FIELD).cloned())
            .unwrap_or_else(|| json!(test_run_id));
        json!({"headers": {"X-Scope": scope}})
    }
}

/// The factory's create: validates required fields like the SDK's input models, inserts the row
/// (and, for an Organization, its onboarding checklist), returns the record.
async fn insert(
    tx: &mut sqlx::SqliteConnection,
    model: &str,
    factory: &Factory,
    id: &str,
    fields: &Value,
) -> Result<Value, Failure> {
    let mut record = Map::new();
    record.insert("id".into(), json!(id));
    let mut values = Vec::new();
    for (field, _) in factory.columns {
        let value = match fields.get(field) {
            Some(Value::Null) | None if *field == "priority" => json!("MEDIUM"),
            Some(value) if !value.is_null() => value.clone(),
            _ => {
                return Err(internal(format!(
                    "1 validation error for {model}In\n{field}\n  Field required"
                )));
            }
        };
        values.push(
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned),
        );
        record.insert((*field).into(), value);
    }
    let columns: Vec<String> = std::iter::once("id".to_owned())
        .chain(factory.columns.iter().map(|(_, c)| (*c).to_owned()))
        .collect();
    let sql = format!(
        "INSERT INTO \"{}\" ({}) VALUES ({})",
        factory.table,
        columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", "),
        vec!["?"; columns.len()].join(", ")
    );
    let mut query = sqlx::query(&sql).bind(id);
    for value in &values {
        query = query.bind(value);
    }
    query.execute(&mut *tx).await.map_err(internal)?;
    if model == "Organization" {
        sqlx::query(
            "INSERT INTO onboarding_checklist (id, organization_id, step) VALUES (?, ?, 'welcome')",
        )
        .bind(format!(
            "chk_{:012x}",
            rand::random::<u64>() & 0xffff_ffff_ffff
        ))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    }
    Ok(Value::Object(record))
}

async fn down(endpoint: &DemoEndpoint, request: DownRequest) -> Result<DownAnswer, Failure> {
    let token = request
        .refs_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid_body("missing refsToken"))?;
    let payload = signing::verify_refs(&endpoint.signing_secret, &token).map_err(|e| {
        Failure(
            StatusCode::FORBIDDEN,
            codes::INVALID_REFS_TOKEN,
            format!("Invalid refs token: {e}"),
        )
    })?;
    let refs = payload
        .get("refs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut tx = endpoint.db.begin().await.map_err(internal)?;
    // Reverse creation order: dependents first, records last-first.
    for (model, records) in refs.iter().rev() {
        let Some(factory) = factory(model) else {
            continue;
        };
        for record in records.as_array().into_iter().flatten().rev() {
            let Some(id) = record.get("id").and_then(Value::as_str) else {
                continue;
            };
            if model == "Organization" {
                sqlx::query("DELETE FROM onboarding_checklist WHERE organization_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(internal)?;
            }
            sqlx::query(&format!("DELETE FROM \"{}\" WHERE id = ?", factory.table))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(internal)?;
        }
    }
    tx.commit().await.map_err(internal)?;
    Ok(DownAnswer {
        metadata: metadata(),
        ok: Some(true),
    })
}

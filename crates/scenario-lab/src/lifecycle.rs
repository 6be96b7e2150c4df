//! The live proof of one scenario: resolve, snapshot, signed `up`, checks, signed `down` (always
//! when a token came back), checks again. Every outcome is a named check.

use crate::database::{DbError, ReadOnlyDb, TableCounts};
use crate::endpoint::{Action, EndpointClient, EndpointError, EndpointResponse};
use scenario_lab_core::signing;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One named check and its outcome.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CheckResult {
    pub id: String,
    pub ok: bool,
    pub message: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

impl CheckResult {
    pub fn pass(id: &str, message: impl Into<String>) -> Self {
        CheckResult {
            id: id.to_owned(),
            ok: true,
            message: message.into(),
            skipped: false,
        }
    }
    pub fn fail(id: &str, message: impl Into<String>) -> Self {
        CheckResult {
            id: id.to_owned(),
            ok: false,
            message: message.into(),
            skipped: false,
        }
    }
    pub fn skip(id: &str, message: impl Into<String>) -> Self {
        CheckResult {
            id: id.to_owned(),
            ok: true,
            message: message.into(),
            skipped: true,
        }
    }
    pub fn of(id: &str, ok: bool, message: impl Into<String>) -> Self {
        CheckResult {
            id: id.to_owned(),
            ok,
            message: message.into(),
            skipped: false,
        }
    }
}

/// Rows a run left behind or removed, per table.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Leak {
    pub scenario: String,
    #[serde(rename = "testRunId")]
    pub test_run_id: String,
    pub table: String,
    /// Positive: rows left behind (orphans). Negative: rows deleted that up never created.
    pub rows: i64,
}

/// The result of one scenario.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioRun {
    pub name: String,
    pub ok: bool,
    #[serde(rename = "testRunId")]
    pub test_run_id: String,
    pub up_ms: Option<u64>,
    pub down_ms: Option<u64>,
    pub checks: Vec<CheckResult>,
    /// Records per model as `up` returned them.
    #[serde(rename = "refsCounts")]
    pub refs_counts: BTreeMap<String, usize>,
    /// The auth block with every value masked.
    pub auth: Option<Value>,
    /// Wall time of the whole scenario (snapshot, up, checks, down, checks).
    pub wall_ms: u64,
    /// Database queries issued per phase.
    pub queries: BTreeMap<&'static str, usize>,
    #[serde(skip)]
    pub leaks: Vec<Leak>,
    /// A token that could not be torn down (goes to the pending ledger).
    #[serde(skip)]
    pub pending: Option<PendingTeardown>,
}

/// An `up` whose `down` did not succeed: enough to retry it later.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct PendingTeardown {
    pub scenario: String,
    #[serde(rename = "testRunId")]
    pub test_run_id: String,
    #[serde(rename = "refsToken")]
    pub refs_token: String,
    pub refs: Value,
    pub endpoint: String,
    pub reason: String,
}

impl PendingTeardown {
    /// The signed `down` request that tears this run down.
    pub fn down_body(&self) -> Value {
        json!({"action": "down", "refs": self.refs, "refsToken": self.refs_token, "testRunId": self.test_run_id})
    }
}

/// Database access for the checks: the pool, the model->table map and the catalog.
#[derive(Clone, Debug)]
pub struct DbContext {
    pub db: ReadOnlyDb,
    pub tables: BTreeMap<String, String>,
    pub id_columns: BTreeMap<String, String>,
    pub catalog: Vec<String>,
}

impl DbContext {
    fn id_column(&self, model: &str) -> &str {
        self.id_columns.get(model).map_or("id", String::as_str)
    }

    pub async fn snapshot(&self) -> Result<TableCounts, DbError> {
        self.db.counts(&self.catalog).await
    }

    /// For each model of `refs`: (model, table, ids found).
    async fn found(
        &self,
        refs: &Value,
    ) -> Result<Vec<(String, Option<String>, Vec<String>, Vec<String>)>, DbError> {
        let mut out = Vec::new();
        for (model, records) in refs.as_object().into_iter().flatten() {
            let ids: Vec<String> = records
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| id_text(r.get("id")?))
                .collect();
            match self.tables.get(model) {
                Some(table) => {
                    let found = self
                        .db
                        .existing_ids(table, self.id_column(model), &ids)
                        .await?;
                    out.push((model.clone(), Some(table.clone()), ids, found));
                }
                None => out.push((model.clone(), None, ids, Vec::new())),
            }
        }
        Ok(out)
    }
}

fn id_text(id: &Value) -> Option<String> {
    match id {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Everything a scenario run needs.
#[derive(Clone, Debug)]
pub struct RunContext {
    pub client: EndpointClient,
    pub db: Option<DbContext>,
    pub signing_secret: Option<String>,
}

/// A fresh run id: `<scenario>-<iteration>-<6 random hex>`.
pub fn new_test_run_id(scenario: &str, iteration: u32) -> String {
    format!(
        "{scenario}-{iteration}-{:06x}",
        rand::random::<u32>() & 0xff_ffff
    )
}

/// Replaces every string value in an auth block with a mask that keeps its length class.
pub fn mask_auth(auth: &Value) -> Value {
    match auth {
        Value::String(s) => Value::String(format!("****({} chars)", s.chars().count())),
        Value::Array(items) => Value::Array(items.iter().map(mask_auth).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    // Cookie attributes are not secret; names neither.
                    let keep = matches!(
                        k.as_str(),
                        "name" | "path" | "domain" | "sameSite" | "httpOnly" | "secure" | "expires"
                    );
                    (k.clone(), if keep { v.clone() } else { mask_auth(v) })
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn auth_check(body: &Value) -> CheckResult {
    let Some(auth) = body.get("auth").filter(|a| a.is_object()) else {
        return CheckResult::fail(
            "up.auth",
            "no `auth` object in the up response: tests cannot log in",
        );
    };
    let non_empty = |key: &str| match auth.get(key) {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::String(s)) => !s.is_empty(),
        _ => false,
    };
    let present: Vec<&str> = ["cookies", "headers", "credentials"]
        .into_iter()
        .filter(|k| non_empty(k))
        .collect();
    if !present.is_empty() {
        return CheckResult::pass("up.auth", format!("auth carries {}", present.join(", ")));
    }
    let legacy: Vec<&str> = ["token", "user"]
        .into_iter()
        .filter(|k| non_empty(k))
        .collect();
    if !legacy.is_empty() {
        return CheckResult::pass(
            "up.auth",
            format!(
                "auth carries {} (accepted; the platform expects cookies, headers or credentials)",
                legacy.join(", ")
            ),
        );
    }
    CheckResult::fail(
        "up.auth",
        "auth is empty: it needs non-empty cookies, headers or credentials",
    )
}

fn refs_check(create: &Value, refs: Option<&Value>) -> CheckResult {
    let Some(refs) = refs.and_then(Value::as_object) else {
        return CheckResult::fail("up.refs", "no `refs` object in the up response");
    };
    let mut problems = Vec::new();
    for (model, records) in create.as_object().into_iter().flatten() {
        let expected = records.as_array().map_or(0, Vec::len);
        if expected == 0 {
            continue;
        }
        let got = refs
            .get(model)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if got != expected {
            problems.push(format!("{model}: {got} of {expected}"));
        }
    }
    if problems.is_empty() {
        CheckResult::pass(
            "up.refs",
            format!("refs hold every created model ({} models)", refs.len()),
        )
    } else {
        CheckResult::fail(
            "up.refs",
            format!("refs do not match the create map: {}", problems.join(", ")),
        )
    }
}

fn diff_counts(before: &TableCounts, after: &TableCounts) -> Vec<(String, i64)> {
    after
        .iter()
        .filter_map(|(table, count)| {
            let was = before.get(table).copied().unwrap_or(0);
            (*count != was).then(|| (table.clone(), count - was))
        })
        .collect()
}

/// Describes table differences: "task: 8 rows left behind; project: 1 row deleted".
fn describe_diff(diff: &[(String, i64)]) -> String {
    diff.iter()
        .map(|(table, delta)| {
            if *delta > 0 {
                format!("{table}: {delta} row(s) left behind")
            } else {
                format!("{table}: {} row(s) deleted that up did not create", -delta)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Runs one scenario. `progress` gets a line per phase.
pub async fn run_scenario(
    ctx: &RunContext,
    name: &str,
    create: &Value,
    test_run_id: &str,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<ScenarioRun, EndpointError> {
    let mut run = ScenarioRun {
        name: name.to_owned(),
        ok: false,
        test_run_id: test_run_id.to_owned(),
        up_ms: None,
        down_ms: None,
        checks: Vec::new(),
        refs_counts: BTreeMap::new(),
        auth: None,
        wall_ms: 0,
        queries: BTreeMap::new(),
        leaks: Vec::new(),
        pending: None,
    };
    let started = std::time::Instant::now();
    let models_with_tables = |refs: &Value| {
        refs.as_object().map_or(0, |m| {
            m.keys()
                .filter(|k| ctx.db.as_ref().is_some_and(|db| db.tables.contains_key(*k)))
                .count()
        })
    };
    if ctx.db.is_some() {
        run.queries.insert("snapshot", 1);
    }
    let before = match &ctx.db {
        Some(db) => Some(db.snapshot().await.map_err(db_unreachable)?),
        None => None,
    };
    progress(&format!("[{name}] up ({test_run_id})"));
    let up = ctx
        .client
        .call(
            Action::Up,
            &json!({"action": "up", "create": create, "testRunId": test_run_id}),
        )
        .await?;
    run.up_ms = Some(up.elapsed_ms);
    let body = up.json.clone().unwrap_or(Value::Null);
    if up.status == 200 {
        run.checks.push(CheckResult::pass(
            "up.status",
            format!("HTTP 200 in {} ms{}", up.elapsed_ms, redirect_note(&up)),
        ));
    } else {
        run.checks
            .push(CheckResult::fail("up.status", explain(&up)));
    }
    let token = body
        .get("refsToken")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let refs = body.get("refs").cloned();
    if up.status == 200 {
        run.checks.push(auth_check(&body));
        run.auth = body.get("auth").map(mask_auth);
        run.checks.push(refs_check(create, refs.as_ref()));
        run.refs_counts = refs
            .as_ref()
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_array().map_or(0, Vec::len)))
                    .collect()
            })
            .unwrap_or_default();
        run.checks.push(match (&token, &ctx.signing_secret) {
            (None, _) => CheckResult::fail(
                "up.refs_token",
                "no `refsToken` in the up response: nothing can tear this scenario down",
            ),
            (Some(token), Some(secret)) => match signing::verify_refs(secret, token) {
                Ok(payload) if payload.get("refs") == refs.as_ref() => CheckResult::pass(
                    "up.refs_token",
                    "refsToken verified with the signing secret; its refs equal the response's",
                ),
                Ok(_) => CheckResult::fail(
                    "up.refs_token",
                    "refsToken verifies but its refs differ from the response's refs",
                ),
                Err(error) => CheckResult::fail(
                    "up.refs_token",
                    format!("refsToken does not verify with AUTONOMA_SIGNING_SECRET: {error}"),
                ),
            },
            (Some(_), None) => CheckResult::pass(
                "up.refs_token",
                "refsToken present (set AUTONOMA_SIGNING_SECRET to verify it)",
            ),
        });
        if let (Some(db), Some(refs)) = (&ctx.db, refs.as_ref()) {
            let found = db.found(refs).await.map_err(db_unreachable)?;
            run.queries.insert("created", models_with_tables(refs));
            let mut problems = Vec::new();
            for (model, table, ids, present) in &found {
                match table {
                    None => problems.push(format!(
                        "{model}: no table found (set [tables] in autonoma/scenario-lab.toml)"
                    )),
                    Some(table) if present.len() != ids.len() => problems.push(format!(
                        "{model}: {} of {} ids in {table}",
                        present.len(),
                        ids.len()
                    )),
                    Some(_) => {}
                }
            }
            let total: usize = found.iter().map(|f| f.2.len()).sum();
            run.checks.push(if problems.is_empty() {
                CheckResult::pass(
                    "db.created",
                    format!("all {total} records exist in the database"),
                )
            } else {
                CheckResult::fail("db.created", problems.join("; "))
            });
        } else if ctx.db.is_none() {
            run.checks
                .push(CheckResult::skip("db.created", "no --database-url"));
        }
    }
    // Teardown runs whenever a token came back, whatever failed above.
    if let Some(token) = &token {
        progress(&format!("[{name}] down"));
        let down_body = json!({"action": "down", "refs": refs.clone().unwrap_or(Value::Null), "refsToken": token, "testRunId": test_run_id});
        let failure = match ctx.client.call(Action::Down, &down_body).await {
            Ok(down) => {
                run.down_ms = Some(down.elapsed_ms);
                match (down.status, down.ok_flag()) {
                    (200, true) => {
                        run.checks.push(CheckResult::pass(
                            "down.status",
                            format!("HTTP 200, ok: true in {} ms", down.elapsed_ms),
                        ));
                        None
                    }
                    (200, false) => Some("HTTP 200 without `ok: true`".to_owned()),
                    _ => Some(explain(&down)),
                }
            }
            Err(error) => Some(error.to_string()),
        };
        // A teardown that did not succeed is kept for `down --pending`.
        if let Some(reason) = failure {
            run.checks
                .push(CheckResult::fail("down.status", reason.clone()));
            run.pending = Some(pending(name, test_run_id, token, &refs, ctx, &reason));
        }
    } else {
        run.checks.push(CheckResult::skip(
            "down.status",
            "no refsToken, so no down was possible",
        ));
    }
    if let (Some(db), Some(before)) = (&ctx.db, &before) {
        if let Some(refs) = refs.as_ref() {
            let found = db.found(refs).await.map_err(db_unreachable)?;
            run.queries.insert("gone", models_with_tables(refs));
            let left: Vec<String> = found
                .iter()
                .filter(|f| !f.3.is_empty())
                .map(|f| format!("{}: {} of {} still present", f.0, f.3.len(), f.2.len()))
                .collect();
            run.checks.push(if left.is_empty() {
                CheckResult::pass("db.gone", "every record up created is gone")
            } else {
                CheckResult::fail(
                    "db.gone",
                    format!("rows survived down: {}", left.join("; ")),
                )
            });
        }
        let after = db.snapshot().await.map_err(db_unreachable)?;
        run.queries.insert("untouched", 1);
        let diff = diff_counts(before, &after);
        run.leaks = diff
            .iter()
            .map(|(table, rows)| Leak {
                scenario: name.to_owned(),
                test_run_id: test_run_id.to_owned(),
                table: table.clone(),
                rows: *rows,
            })
            .collect();
        run.checks.push(if diff.is_empty() {
            CheckResult::pass(
                "db.untouched",
                format!("all {} tables are back to their counts", after.len()),
            )
        } else {
            CheckResult::fail("db.untouched", describe_diff(&diff))
        });
    } else if ctx.db.is_none() {
        run.checks
            .push(CheckResult::skip("db.gone", "no --database-url"));
        run.checks
            .push(CheckResult::skip("db.untouched", "no --database-url"));
    }
    run.ok = run.checks.iter().all(|c| c.ok);
    run.wall_ms = started.elapsed().as_millis() as u64;
    Ok(run)
}

fn pending(
    name: &str,
    test_run_id: &str,
    token: &str,
    refs: &Option<Value>,
    ctx: &RunContext,
    reason: &str,
) -> PendingTeardown {
    PendingTeardown {
        scenario: name.to_owned(),
        test_run_id: test_run_id.to_owned(),
        refs_token: token.to_owned(),
        refs: refs.clone().unwrap_or(Value::Null),
        endpoint: ctx.client.url().to_owned(),
        reason: reason.to_owned(),
    }
}

fn db_unreachable(error: DbError) -> EndpointError {
    EndpointError::Unreachable {
        url: "database".into(),
        detail: error.to_string(),
    }
}

fn redirect_note(response: &EndpointResponse) -> String {
    match &response.redirected_to {
        Some(to) => format!(" (redirected to {to}: use that URL)"),
        None => String::new(),
    }
}

/// An endpoint answer explained for people, with the usual cause of each SDK code.
pub fn explain(response: &EndpointResponse) -> String {
    let hint = match (response.status, response.error_code()) {
        (401, _) => {
            " — the shared secret differs from the endpoint's AUTONOMA_SHARED_SECRET (or the body was altered in transit)"
        }
        (_, Some("SAME_SECRETS")) => {
            " — the endpoint's shared and signing secrets are equal; they must differ"
        }
        (_, Some("UNRESOLVED_TOKEN")) => " — a {{token}} reached the endpoint unresolved",
        (_, Some("INVALID_REFS_TOKEN")) => {
            " — the refs token was altered or signed with another signing secret"
        }
        (404, _) => " — nothing is mounted at this URL",
        (502..=504, _) => " — the endpoint is starting or overloaded (retried)",
        _ => "",
    };
    format!("{}{hint}{}", response.describe(), redirect_note(response))
}

/// `--repeat N`: N concurrent ups with distinct run ids, then teardown newest first; the
/// database must be back to `before`.
pub async fn run_repeat(
    ctx: &RunContext,
    name: &str,
    creates: Vec<(String, Value)>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(CheckResult, Vec<PendingTeardown>, Vec<Leak>), EndpointError> {
    let before = match &ctx.db {
        Some(db) => Some(db.snapshot().await.map_err(db_unreachable)?),
        None => None,
    };
    progress(&format!("[{name}] {} concurrent ups", creates.len()));
    let bodies: Vec<Value> = creates
        .iter()
        .map(|(id, create)| json!({"action": "up", "create": create, "testRunId": id}))
        .collect();
    let ups =
        futures::future::join_all(bodies.iter().map(|body| ctx.client.call(Action::Up, body)))
            .await;
    let mut failures = Vec::new();
    let mut tokens: Vec<(String, String, Value)> = Vec::new();
    for ((id, _), up) in creates.iter().zip(ups) {
        match up {
            Ok(up) if up.status == 200 => match up
                .json
                .as_ref()
                .and_then(|b| b.get("refsToken"))
                .and_then(Value::as_str)
            {
                Some(token) => tokens.push((
                    id.clone(),
                    token.to_owned(),
                    up.json
                        .as_ref()
                        .and_then(|b| b.get("refs"))
                        .cloned()
                        .unwrap_or(Value::Null),
                )),
                None => failures.push(format!("{id}: no refsToken")),
            },
            Ok(up) => failures.push(format!("{id}: {}", explain(&up))),
            Err(error) => failures.push(format!("{id}: {error}")),
        }
    }
    let mut pending_list = Vec::new();
    for (id, token, refs) in tokens.iter().rev() {
        let body = json!({"action": "down", "refs": refs, "refsToken": token, "testRunId": id});
        match ctx.client.call(Action::Down, &body).await {
            Ok(down) if down.status == 200 => {}
            Ok(down) => pending_list.push(pending(
                name,
                id,
                token,
                &Some(refs.clone()),
                ctx,
                &explain(&down),
            )),
            Err(error) => pending_list.push(pending(
                name,
                id,
                token,
                &Some(refs.clone()),
                ctx,
                &error.to_string(),
            )),
        }
    }
    let mut leaks = Vec::new();
    if let (Some(db), Some(before)) = (&ctx.db, &before) {
        let after = db.snapshot().await.map_err(db_unreachable)?;
        let diff = diff_counts(before, &after);
        if !diff.is_empty() {
            failures.push(format!("after teardown: {}", describe_diff(&diff)));
        }
        leaks = diff
            .into_iter()
            .map(|(table, rows)| Leak {
                scenario: name.to_owned(),
                test_run_id: format!("{name}-repeat"),
                table,
                rows,
            })
            .collect();
    }
    let check = if failures.is_empty() {
        CheckResult::pass(
            "repeat.concurrent",
            format!(
                "{} concurrent instances came up and were torn down",
                creates.len()
            ),
        )
    } else {
        CheckResult::fail(
            "repeat.concurrent",
            format!(
                "{} — a unique column probably lacks {{{{testRunId}}}} / {{{{testRunShortId}}}}",
                failures.join("; ")
            ),
        )
    };
    Ok((check, pending_list, leaks))
}

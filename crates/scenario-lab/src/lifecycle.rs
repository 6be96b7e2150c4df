//! The live proof of one scenario as named steps: snapshot, signed `up` (its refs token goes to
//! the ledger the moment it arrives), checks, signed `down` whenever a token came back (whatever
//! failed or panicked in between), checks again. Every outcome is a named check.

use crate::database::TableCounts;
use crate::endpoint::{EndpointClient, EndpointError, EndpointResponse};
use crate::ledger::{Ledger, LedgerEntry};
use crate::record_store::{RecordStore, StoreError};
use futures::FutureExt;
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::protocol::{DownRequest, Request, UpAnswer, UpRequest, codes};
use scenario_lab_core::run_report::{Leak, RecordsProof, ScenarioRun, mask_auth};
use scenario_lab_core::signing;
use serde_json::{Map, Value};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// Everything a scenario run needs.
#[derive(Clone, Debug)]
pub struct RunContext {
    pub client: EndpointClient,
    /// Where records are proven: SQL or HTTP probes; `None`: they are not.
    pub records: Option<RecordStore>,
    pub signing_secret: Option<String>,
    /// Where every refs token is kept until its `down` succeeds.
    pub ledger: Ledger,
}

/// Progress lines for people (the CLI prints them; the proxy streams them to the editor).
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// A fresh run id: `<scenario>-<iteration>-<6 random hex>`.
pub fn new_test_run_id(scenario: &str, iteration: u32) -> String {
    format!(
        "{scenario}-{iteration}-{:06x}",
        rand::random::<u32>() & 0xff_ffff
    )
}

/// What `up` gave back.
struct CameUp {
    status: u16,
    answer: Option<UpAnswer>,
    token: Option<String>,
}

impl CameUp {
    fn refs(&self) -> Option<&Map<String, Value>> {
        self.answer.as_ref()?.refs.as_ref()
    }
    fn refs_value(&self) -> Value {
        self.refs().cloned().map_or(Value::Null, Value::Object)
    }
}

/// Runs one scenario: the run and the tables whose counts did not come back.
pub async fn run_scenario(
    ctx: &RunContext,
    name: &str,
    create: &Value,
    test_run_id: &str,
    progress: Progress<'_>,
) -> Result<(ScenarioRun, Vec<Leak>), EndpointError> {
    let started = Instant::now();
    let mut run = ScenarioRun {
        name: name.to_owned(),
        test_run_id: test_run_id.to_owned(),
        ..ScenarioRun::default()
    };
    let before = match &ctx.records {
        Some(db) => {
            run.queries.insert("snapshot".into(), 1);
            Some(db.snapshot().await.map_err(db_unreachable)?)
        }
        None => None,
    };
    progress(&format!("[{name}] up ({test_run_id})"));
    let up = bring_up(ctx, &mut run, create).await?;
    // Nothing between up and down may skip the teardown, not even a panic of ours.
    let checked = AssertUnwindSafe(check_up(ctx, &mut run, create, &up))
        .catch_unwind()
        .await;
    if let Err(panic) = checked {
        run.checks.push(CheckResult::fail(
            "internal",
            format!(
                "scenario-lab failed while checking the up answer ({}); tore down anyway",
                panic_message(panic.as_ref())
            ),
        ));
    }
    if let Some(token) = &up.token {
        progress(&format!("[{name}] down"));
        tear_down(ctx, &mut run, token, up.refs_value()).await;
    } else {
        run.checks.push(CheckResult::skip(
            "down.status",
            "no refsToken, so no down was possible",
        ));
    }
    let leaks = check_after_down(ctx, &mut run, before.as_ref(), up.refs()).await;
    run.ok = run.checks.iter().all(|c| c.ok);
    run.wall_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok((run, leaks))
}

/// The signed `up`; a refs token goes to the ledger at once.
async fn bring_up(
    ctx: &RunContext,
    run: &mut ScenarioRun,
    create: &Value,
) -> Result<CameUp, EndpointError> {
    let request = Request::Up(UpRequest {
        create: create.clone(),
        test_run_id: Some(run.test_run_id.clone()),
    });
    let response = ctx.client.call(&request).await?;
    run.up_ms = Some(response.elapsed_ms);
    let answer = response.decode::<UpAnswer>();
    run.checks.push(match (&answer, response.status) {
        (Ok(_), 200) => CheckResult::pass(
            "up.status",
            format!(
                "HTTP 200 in {} ms{}",
                response.elapsed_ms,
                redirect_note(&response)
            ),
        ),
        (Err(error), 200) => CheckResult::fail(
            "up.status",
            format!("HTTP 200, but the body is not an up answer: {error}"),
        ),
        _ => failed_answer("up.status", &response, ctx.client.url()),
    });
    let answer = answer.ok();
    let token = answer.as_ref().and_then(|a| a.refs_token.clone());
    let up = CameUp {
        status: response.status,
        answer,
        token,
    };
    if let Some(token) = &up.token {
        let entry = LedgerEntry::new(
            &run.name,
            &run.test_run_id,
            token,
            up.refs_value(),
            ctx.client.url(),
        );
        if let Err(error) = ctx.ledger.add(entry) {
            run.checks.push(CheckResult::fail(
                "ledger",
                format!("the refs token could not be recorded: {error}"),
            ));
        }
    }
    fail::fail_point!("after-up");
    Ok(up)
}

/// The checks of a successful `up`: auth, refs, refs token, records in the database.
async fn check_up(ctx: &RunContext, run: &mut ScenarioRun, create: &Value, up: &CameUp) {
    fail::fail_point!("check-up");
    let Some(answer) = up.answer.as_ref().filter(|_| up.status == 200) else {
        return;
    };
    run.checks.push(auth_check(answer.auth.as_ref()));
    run.auth = answer.auth.as_ref().map(mask_auth);
    run.checks.push(refs_check(create, answer.refs.as_ref()));
    run.refs_counts = answer.refs_counts();
    run.checks
        .push(refs_token_check(answer, ctx.signing_secret.as_deref()));
    if let Some(how) = answer
        .refs_token
        .as_deref()
        .and_then(|t| ctx.client.derived_signing(t))
    {
        run.checks.push(CheckResult::warn(
            "up.signing_secret",
            format!("the refsToken is signed with {how}: anyone holding the shared secret (Autonoma included) can forge refs tokens; set AUTONOMA_SIGNING_SECRET to an independent random value"),
        ));
    }
    match (&ctx.records, answer.refs.as_ref()) {
        (Some(db), Some(refs)) => {
            run.queries.insert("created".into(), db.mapped_models(refs));
            run.checks.push(match db.found(refs).await {
                Ok(found) => created_check(&found),
                Err(error) => CheckResult::fail("db.created", database_failure(&error)),
            });
        }
        (None, _) => run
            .checks
            .push(CheckResult::skip("db.created", RecordsProof::NOT_PROVEN)),
        (Some(_), None) => {}
    }
}

fn created_check(found: &[crate::database::ModelIds]) -> CheckResult {
    let mut problems = Vec::new();
    for model in found {
        match &model.table {
            None => problems.push(format!(
                "{}: no table found (set [tables] in autonoma/scenario-lab.toml)",
                model.model
            )),
            Some(table) if model.present.len() != model.ids.len() => problems.push(format!(
                "{}: {} of {} ids in {table}",
                model.model,
                model.present.len(),
                model.ids.len()
            )),
            Some(_) => {}
        }
    }
    let total: usize = found.iter().map(|f| f.ids.len()).sum();
    if problems.is_empty() {
        CheckResult::pass(
            "db.created",
            format!(
                "all {total} {} {}",
                plural(total, "record"),
                if found
                    .iter()
                    .any(|f| f.table.as_deref().is_some_and(|t| t.starts_with("probe:")))
                {
                    "are listed by the probes"
                } else {
                    "exist in the database"
                }
            ),
        )
    } else {
        CheckResult::fail("db.created", problems.join("; "))
    }
}

/// The signed `down`; the ledger entry goes when it succeeded and says why when it did not.
async fn tear_down(ctx: &RunContext, run: &mut ScenarioRun, token: &str, refs: Value) {
    let request = Request::Down(DownRequest {
        refs,
        refs_token: Some(token.to_owned()),
        test_run_id: Some(run.test_run_id.clone()),
    });
    let failure = match ctx.client.call(&request).await {
        Ok(down) if down.confirms_teardown() => {
            run.down_ms = Some(down.elapsed_ms);
            run.checks.push(CheckResult::pass(
                "down.status",
                format!("HTTP 200, ok: true in {} ms", down.elapsed_ms),
            ));
            None
        }
        Ok(down) => {
            run.down_ms = Some(down.elapsed_ms);
            Some(if down.status == 200 {
                CheckResult::fail("down.status", "HTTP 200 without `ok: true`")
            } else {
                failed_answer("down.status", &down, ctx.client.url())
            })
        }
        Err(error) => Some(CheckResult::fail("down.status", error.to_string())),
    };
    let recorded = match failure {
        None => ctx.ledger.remove(&run.test_run_id).map(|_| ()),
        Some(check) => {
            let recorded = ctx.ledger.set_reason(&run.test_run_id, &check.message);
            run.checks.push(check);
            recorded
        }
    };
    if let Err(error) = recorded {
        run.checks.push(CheckResult::fail(
            "ledger",
            format!("the pending ledger could not be updated: {error}"),
        ));
    }
}

/// `db.gone` and `db.untouched`; returns the tables whose counts did not come back.
async fn check_after_down(
    ctx: &RunContext,
    run: &mut ScenarioRun,
    before: Option<&TableCounts>,
    refs: Option<&Map<String, Value>>,
) -> Vec<Leak> {
    let (Some(db), Some(before)) = (&ctx.records, before) else {
        if ctx.records.is_none() {
            run.checks
                .push(CheckResult::skip("db.gone", RecordsProof::NOT_PROVEN));
            run.checks
                .push(CheckResult::skip("db.untouched", RecordsProof::NOT_PROVEN));
        }
        return Vec::new();
    };
    if let Some(refs) = refs {
        run.queries.insert("gone".into(), db.mapped_models(refs));
        run.checks.push(match db.found(refs).await {
            Ok(found) => gone_check(&found),
            Err(error) => CheckResult::fail("db.gone", database_failure(&error)),
        });
    }
    run.queries.insert("untouched".into(), 1);
    let after = match db.snapshot().await {
        Ok(after) => after,
        Err(error) => {
            run.checks
                .push(CheckResult::fail("db.untouched", database_failure(&error)));
            return Vec::new();
        }
    };
    let diff = diff_counts(before, &after);
    run.checks.push(if diff.is_empty() {
        CheckResult::pass(
            "db.untouched",
            format!("all {} tables are back to their counts", after.len()),
        )
    } else {
        CheckResult::fail(
            "db.untouched",
            format!(
                "{} (another writer to this database, such as a second validation, gives the same symptom)",
                describe_diff(&diff)
            ),
        )
    });
    leaks(&run.name, &run.test_run_id, diff)
}

fn gone_check(found: &[crate::database::ModelIds]) -> CheckResult {
    let left: Vec<String> = found
        .iter()
        .filter(|f| !f.present.is_empty())
        .map(|f| {
            format!(
                "{}: {} of {} still present",
                f.model,
                f.present.len(),
                f.ids.len()
            )
        })
        .collect();
    if left.is_empty() {
        CheckResult::pass("db.gone", "every record up created is gone")
    } else {
        CheckResult::fail(
            "db.gone",
            format!("rows survived down: {}", left.join("; ")),
        )
    }
}

fn leaks(scenario: &str, test_run_id: &str, diff: Vec<(String, i64)>) -> Vec<Leak> {
    diff.into_iter()
        .map(|(table, rows)| Leak {
            scenario: scenario.to_owned(),
            test_run_id: test_run_id.to_owned(),
            table,
            rows,
        })
        .collect()
}

fn auth_check(auth: Option<&Value>) -> CheckResult {
    let Some(auth) = auth.filter(|a| a.is_object()) else {
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
    // Public apps (a portfolio, a read-only site) log nobody in: real endpoints return `{}`.
    CheckResult::pass(
        "up.auth",
        "auth is empty: no credentials (fine for a public app; tests that log in need cookies, headers or credentials)",
    )
}

fn refs_check(create: &Value, refs: Option<&Map<String, Value>>) -> CheckResult {
    let Some(refs) = refs else {
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
            format!(
                "refs hold every created model ({} {})",
                refs.len(),
                plural(refs.len(), "model")
            ),
        )
    } else {
        CheckResult::fail(
            "up.refs",
            format!("refs do not match the create map: {}", problems.join(", ")),
        )
    }
}

fn refs_token_check(answer: &UpAnswer, signing_secret: Option<&str>) -> CheckResult {
    match (&answer.refs_token, signing_secret) {
        (None, _) => CheckResult::fail(
            "up.refs_token",
            "no `refsToken` in the up response: nothing can tear this scenario down",
        ),
        (Some(token), Some(secret)) => match signing::verify_refs(secret, token) {
            Ok(payload)
                if payload.get("refs").and_then(Value::as_object) == answer.refs.as_ref() =>
            {
                CheckResult::pass(
                    "up.refs_token",
                    "refsToken verified with the signing secret; its refs equal the response's",
                )
            }
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

/// `word` or its plural for `n`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// Describes table differences: "task: 8 rows left behind; project: 1 row deleted ...".
fn describe_diff(diff: &[(String, i64)]) -> String {
    diff.iter()
        .map(|(table, delta)| {
            let rows = delta.unsigned_abs();
            let word = if rows == 1 { "row" } else { "rows" };
            if *delta > 0 {
                format!("{table}: {rows} {word} left behind")
            } else {
                format!("{table}: {rows} {word} deleted that up did not create")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn database_failure(error: &StoreError) -> String {
    format!("the records check failed ({error}); the run was torn down anyway")
}

#[allow(clippy::needless_pass_by_value)] // a `map_err` function: takes the error by value
fn db_unreachable(error: StoreError) -> EndpointError {
    EndpointError::Unreachable {
        url: match error {
            StoreError::Db(_) => "database".into(),
            StoreError::Probe(_) => "the [probes]".into(),
        },
        detail: error.to_string(),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic".to_owned())
}

fn redirect_note(response: &EndpointResponse) -> String {
    match &response.redirected_to {
        Some(to) => format!(" (redirected to {to}: use that URL)"),
        None => String::new(),
    }
}

/// A check failed on an endpoint's answer: explained for people, the answer kept for diagnosis.
pub fn failed_answer(id: &str, response: &EndpointResponse, url: &str) -> CheckResult {
    CheckResult::fail(id, explain(response, url)).with_answer(response.answered())
}

/// An endpoint answer explained for people, with the usual cause of each SDK code.
pub fn explain(response: &EndpointResponse, url: &str) -> String {
    if response.reading().gated {
        return format!(
            "endpoint disabled or gated: {} — the app answers before the SDK's signature check (a switch such as AUTONOMA_ENABLED, a missing secret, or a retired route); enable the endpoint for tests{}",
            response.gate_label(),
            redirect_note(response)
        );
    }
    let code = response.error_code();
    let hint = match (response.status, code.as_deref()) {
        (401, _) => {
            " — the shared secret differs from the endpoint's AUTONOMA_SHARED_SECRET (or the body was altered in transit)".to_owned()
        }
        (_, Some(codes::SAME_SECRETS)) => {
            " — the endpoint's shared and signing secrets are equal; they must differ".to_owned()
        }
        (_, Some(codes::UNRESOLVED_TOKEN)) => " — a {{token}} reached the endpoint unresolved".to_owned(),
        (_, Some(codes::INVALID_REFS_TOKEN)) => {
            " — the refs token was altered or signed with another signing secret".to_owned()
        }
        (_, Some(codes::PRODUCTION_BLOCKED)) => {
            " — the endpoint is mounted but refuses to run in production (the TypeScript SDK with NODE_ENV=production); start the app with NODE_ENV=development or test".to_owned()
        }
        (404, _) => format!(" — nothing is mounted at this URL{}", slash_hint(url)),
        (502..=504, _) => " — the endpoint is starting or overloaded (retried)".to_owned(),
        _ => String::new(),
    };
    format!("{}{hint}{}", response.describe(), redirect_note(response))
}

/// The trailing-slash hint, both ways: FastAPI mounts want it, the node adapter does not.
fn slash_hint(url: &str) -> String {
    let path_end = url.split(['?', '#']).next().unwrap_or(url);
    if path_end.ends_with('/') {
        format!(
            " (a node:http or Express mount has no trailing slash: try {})",
            path_end.trim_end_matches('/')
        )
    } else {
        format!(" (FastAPI mounts need the trailing slash: try {path_end}/)")
    }
}

/// One concurrent instance of `--repeat`: its run id and create map.
#[derive(Clone, Debug)]
pub struct Instance {
    pub test_run_id: String,
    pub create: Value,
}

/// `--repeat N`: N concurrent ups with distinct run ids, then teardown newest first; the
/// database must be back to its counts from before.
pub async fn run_repeat(
    ctx: &RunContext,
    name: &str,
    instances: Vec<Instance>,
    progress: Progress<'_>,
) -> Result<(CheckResult, Vec<Leak>), EndpointError> {
    let before = match &ctx.records {
        Some(db) => Some(db.snapshot().await.map_err(db_unreachable)?),
        None => None,
    };
    progress(&format!("[{name}] {} concurrent ups", instances.len()));
    let ups = futures::future::join_all(
        instances
            .iter()
            .map(|instance| repeat_up(ctx, name, instance)),
    )
    .await;
    let mut failures = Vec::new();
    let mut came_up = Vec::new();
    for (instance, up) in instances.iter().zip(ups) {
        match up {
            Ok((token, refs)) => came_up.push((instance, token, refs)),
            Err(reason) => failures.push(format!("{}: {reason}", instance.test_run_id)),
        }
    }
    for (instance, token, refs) in came_up.into_iter().rev() {
        if let Err(reason) = repeat_down(ctx, instance, token, refs).await {
            failures.push(format!("{}: {reason}", instance.test_run_id));
        }
    }
    let mut leaked = Vec::new();
    if let (Some(db), Some(before)) = (&ctx.records, &before) {
        let after = db.snapshot().await.map_err(db_unreachable)?;
        let diff = diff_counts(before, &after);
        if !diff.is_empty() {
            failures.push(format!("after teardown: {}", describe_diff(&diff)));
        }
        leaked = leaks(name, &format!("{name}-repeat"), diff);
    }
    let check = if failures.is_empty() {
        CheckResult::pass(
            "repeat.concurrent",
            format!(
                "{} concurrent instances came up and were torn down",
                instances.len()
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
    Ok((check, leaked))
}

/// One instance's `up`: its token (recorded in the ledger) and refs, or why it failed.
async fn repeat_up(
    ctx: &RunContext,
    name: &str,
    instance: &Instance,
) -> Result<(String, Value), String> {
    let request = Request::Up(UpRequest {
        create: instance.create.clone(),
        test_run_id: Some(instance.test_run_id.clone()),
    });
    let response = ctx.client.call(&request).await.map_err(|e| e.to_string())?;
    let answer = response.decode::<UpAnswer>().ok();
    let token = answer.as_ref().and_then(|a| a.refs_token.clone());
    let refs = answer
        .and_then(|a| a.refs)
        .map_or(Value::Null, Value::Object);
    if let Some(token) = &token {
        let entry = LedgerEntry::new(
            name,
            &instance.test_run_id,
            token,
            refs.clone(),
            ctx.client.url(),
        );
        ctx.ledger.add(entry).map_err(|e| e.to_string())?;
    }
    match (response.status, token) {
        (200, Some(token)) => Ok((token, refs)),
        (200, None) => Err("no refsToken".to_owned()),
        _ => Err(explain(&response, ctx.client.url())),
    }
}

/// One instance's `down`; the ledger follows the outcome.
async fn repeat_down(
    ctx: &RunContext,
    instance: &Instance,
    token: String,
    refs: Value,
) -> Result<(), String> {
    let request = Request::Down(DownRequest {
        refs,
        refs_token: Some(token),
        test_run_id: Some(instance.test_run_id.clone()),
    });
    let outcome = match ctx.client.call(&request).await {
        Ok(down) if down.confirms_teardown() => Ok(()),
        Ok(down) => Err(explain(&down, ctx.client.url())),
        Err(error) => Err(error.to_string()),
    };
    let recorded = match &outcome {
        Ok(()) => ctx.ledger.remove(&instance.test_run_id).map(|_| ()),
        Err(reason) => ctx.ledger.set_reason(&instance.test_run_id, reason),
    };
    recorded.map_err(|e| e.to_string())?;
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slash_hint_points_both_ways() {
        assert!(slash_hint("http://h/api/autonoma/").contains("try http://h/api/autonoma)"));
        assert!(slash_hint("http://h/api/autonoma").contains("try http://h/api/autonoma/)"));
    }

    #[test]
    fn counts_read_as_english() {
        assert_eq!(
            describe_diff(&[("task".into(), 1), ("user".into(), -2)]),
            "task: 1 row left behind; user: 2 rows deleted that up did not create"
        );
    }
}

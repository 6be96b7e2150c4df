//! Protocol conformance probes: bad signatures, unknown actions, invalid JSON, tampered and
//! replayed refs tokens, unresolved tokens. None of them leaves data behind.

use crate::endpoint::{Action, EndpointClient, EndpointError, EndpointResponse};
use crate::lifecycle::{CheckResult, DbContext};
use scenario_lab_core::signing::sign_body;
use serde_json::{Value, json};

fn expect(id: &str, response: &EndpointResponse, status: u16, code: Option<&str>) -> CheckResult {
    let ok = response.status == status && code.is_none_or(|c| response.error_code() == Some(c));
    let wanted = match code {
        Some(code) => format!("{status} {code}"),
        None => status.to_string(),
    };
    CheckResult::of(
        id,
        ok,
        if ok {
            format!("answered {wanted}")
        } else {
            format!("expected {wanted}, got {}", response.describe())
        },
    )
}

/// The smallest create map of the recipes (fewest records) and its scope record alone, whose
/// first string field is replaced by an unknown token.
pub fn probe_payloads(creates: &[Value]) -> Option<(Value, Value)> {
    let size = |c: &Value| {
        c.as_object().map_or(usize::MAX, |m| {
            m.values().map(|v| v.as_array().map_or(0, Vec::len)).sum()
        })
    };
    let smallest = creates.iter().min_by_key(|c| size(c))?.clone();
    let (model, records) = smallest
        .as_object()?
        .iter()
        .find(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))?;
    let model = model.clone();
    let mut record = records.as_array()?.first()?.clone();
    let field = record
        .as_object()?
        .iter()
        .find(|(k, v)| !k.starts_with('_') && v.is_string())
        .map(|(k, _)| k.clone())?;
    record[field.as_str()] = Value::String("{{scenarioLabUnknownToken}}".into());
    Some((smallest.clone(), json!({ model: [record] })))
}

/// Runs every probe. `creates` are resolved create maps (used for the token probes).
pub async fn run(
    client: &EndpointClient,
    db: Option<&DbContext>,
    creates: &[Value],
) -> Result<Vec<CheckResult>, EndpointError> {
    let mut checks = Vec::new();
    let discover = serde_json::to_vec(&json!({"action": "discover"})).unwrap_or_default();
    let unsigned = client
        .send_raw(Action::Discover, discover.clone(), None)
        .await?;
    checks.push(expect(
        "conformance.unsigned",
        &unsigned,
        401,
        Some("INVALID_SIGNATURE"),
    ));
    let wrong = client
        .send_raw(
            Action::Discover,
            discover.clone(),
            Some(sign_body("not-the-shared-secret", &discover)),
        )
        .await?;
    checks.push(expect(
        "conformance.wrong_signature",
        &wrong,
        401,
        Some("INVALID_SIGNATURE"),
    ));
    let unknown = client
        .call(Action::Discover, &json!({"action": "explode"}))
        .await?;
    checks.push(expect(
        "conformance.unknown_action",
        &unknown,
        400,
        Some("UNKNOWN_ACTION"),
    ));
    let invalid = b"{not json".to_vec();
    let invalid_response = client
        .send_raw(
            Action::Discover,
            invalid.clone(),
            Some(client.sign(&invalid)),
        )
        .await?;
    checks.push(expect(
        "conformance.invalid_json",
        &invalid_response,
        400,
        None,
    ));

    let Some((create, unresolved)) = probe_payloads(creates) else {
        checks.push(CheckResult::skip(
            "conformance.refs_token",
            "no recipe to probe with",
        ));
        return Ok(checks);
    };
    let unresolved_response = client
        .call(
            Action::Up,
            &json!({"action": "up", "create": unresolved, "testRunId": "scenario-lab-conformance"}),
        )
        .await?;
    checks.push(expect(
        "conformance.unresolved_token",
        &unresolved_response,
        400,
        Some("UNRESOLVED_TOKEN"),
    ));

    let before = match db {
        Some(db) => Some(snapshot(db).await?),
        None => None,
    };
    let up = client.call(Action::Up, &json!({"action": "up", "create": create, "testRunId": "scenario-lab-conformance-token"})).await?;
    let Some(token) = up
        .json
        .as_ref()
        .and_then(|b| b.get("refsToken"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        checks.push(CheckResult::fail(
            "conformance.tampered_token",
            format!("the probe's up gave no refsToken ({})", up.describe()),
        ));
        return Ok(checks);
    };
    let refs = up
        .json
        .as_ref()
        .and_then(|b| b.get("refs"))
        .cloned()
        .unwrap_or(Value::Null);
    let tampered = tamper(&token);
    let tampered_response = client
        .call(
            Action::Down,
            &json!({"action": "down", "refs": refs, "refsToken": tampered}),
        )
        .await?;
    checks.push(expect(
        "conformance.tampered_token",
        &tampered_response,
        403,
        Some("INVALID_REFS_TOKEN"),
    ));
    let first = client
        .call(
            Action::Down,
            &json!({"action": "down", "refs": refs, "refsToken": token}),
        )
        .await?;
    let after_first = match db {
        Some(db) => Some(snapshot(db).await?),
        None => None,
    };
    let second = client
        .call(
            Action::Down,
            &json!({"action": "down", "refs": refs, "refsToken": token}),
        )
        .await?;
    match (db, before, after_first) {
        (Some(db), Some(before), Some(after_first)) => {
            let after_second = snapshot(db).await?;
            let ok = first.status == 200 && after_second == after_first && after_first == before;
            checks.push(CheckResult::of(
                "conformance.replayed_down",
                ok,
                if ok {
                    format!(
                        "a second down with a used token answered {} and deleted nothing",
                        second.status
                    )
                } else {
                    "a replayed down changed table counts, or the probe's teardown was incomplete"
                        .to_owned()
                },
            ));
        }
        _ => checks.push(CheckResult::skip(
            "conformance.replayed_down",
            "no --database-url to compare table counts",
        )),
    }
    Ok(checks)
}

async fn snapshot(db: &DbContext) -> Result<crate::database::TableCounts, EndpointError> {
    db.snapshot().await.map_err(|e| EndpointError::Unreachable {
        url: "database".into(),
        detail: e.to_string(),
    })
}

/// The token with its payload segment altered (the signature no longer matches).
fn tamper(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    if let Some(payload) = parts.get_mut(1) {
        let flipped = if payload.ends_with('A') { 'B' } else { 'A' };
        payload.pop();
        payload.push(flipped);
    }
    parts.join(".")
}

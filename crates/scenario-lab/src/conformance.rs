//! Protocol conformance probes: bad signatures, unknown actions, invalid JSON, tampered and
//! replayed refs tokens, unresolved tokens. Each probe body is valid except for the one thing it
//! probes, and none of them leaves data behind.

use crate::database::{DbContext, TableCounts};
use crate::endpoint::{EndpointClient, EndpointError, EndpointResponse};
use crate::lifecycle::explain;
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::protocol::{
    Action, ActionProbe, DownRequest, Request, UpAnswer, UpRequest, codes,
};
use scenario_lab_core::signing::sign_body;
use serde_json::{Map, Value};

fn expect(id: &str, response: &EndpointResponse, status: u16, code: Option<&str>) -> CheckResult {
    if response.reading().gated {
        // A gate answers before the signature check: a signed request gets the same answer.
        return CheckResult::skip(
            id,
            format!("endpoint disabled or gated: {}", response.gate_label()),
        );
    }
    let ok = response.status == status
        && code.is_none_or(|c| response.error_code().as_deref() == Some(c));
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

/// The probes' inputs: the smallest create map of the recipes (fewest records), and one record
/// that depends on nothing (no `_ref` anywhere in it), alone, with its first string field
/// replaced by an unknown token.
pub fn probe_payloads(creates: &[Value]) -> Option<(Value, Value)> {
    let size = |c: &Value| {
        c.as_object().map_or(usize::MAX, |m| {
            m.values().map(|v| v.as_array().map_or(0, Vec::len)).sum()
        })
    };
    let smallest = creates.iter().min_by_key(|c| size(c))?.clone();
    let unresolved = creates
        .iter()
        .find_map(unresolved_token_body)
        .map(Value::Object)?;
    Some((smallest, unresolved))
}

/// `{Model: [record]}` for the first record without `_ref`s that has a string field.
fn unresolved_token_body(create: &Value) -> Option<Map<String, Value>> {
    create.as_object()?.iter().find_map(|(model, records)| {
        records.as_array()?.iter().find_map(|record| {
            let mut record = record.as_object()?.clone();
            if has_ref(&Value::Object(record.clone())) {
                return None;
            }
            record.remove("_alias");
            let field = record
                .iter()
                .find(|(k, v)| !k.starts_with('_') && v.is_string())
                .map(|(k, _)| k.clone())?;
            record.insert(field, Value::String("{{scenarioLabUnknownToken}}".into()));
            Some(Map::from_iter([(
                model.clone(),
                Value::Array(vec![Value::Object(record)]),
            )]))
        })
    })
}

fn has_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("_ref") || map.values().any(has_ref),
        Value::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

/// Runs every probe. `creates` are resolved create maps (used for the token probes).
pub async fn run(
    client: &EndpointClient,
    db: Option<&DbContext>,
    creates: &[Value],
) -> Result<Vec<CheckResult>, EndpointError> {
    // A cause that fails every probe (secrets, a wrong URL) is said once.
    let signed = client.call(&Request::Discover).await?;
    if signed.status != 200 {
        return Ok(vec![CheckResult::fail(
            "conformance.endpoint",
            format!(
                "a correctly signed discover fails, so no probe can tell anything: {}",
                explain(&signed, client.url())
            ),
        )]);
    }
    let mut checks = signature_probes(client).await?;
    let Some((create, unresolved)) = probe_payloads(creates) else {
        checks.push(CheckResult::skip(
            "conformance.refs_token",
            "no recipe to probe with",
        ));
        return Ok(checks);
    };
    let unresolved_response = client
        .call(&Request::Up(UpRequest {
            create: unresolved,
            test_run_id: Some("scenario-lab-conformance".into()),
        }))
        .await?;
    checks.push(expect(
        "conformance.unresolved_token",
        &unresolved_response,
        400,
        Some(codes::UNRESOLVED_TOKEN),
    ));
    checks.extend(token_probes(client, db, create).await?);
    Ok(checks)
}

/// Unsigned, wrongly signed, unknown action, invalid JSON.
async fn signature_probes(client: &EndpointClient) -> Result<Vec<CheckResult>, EndpointError> {
    let discover = Request::Discover.to_bytes();
    let unsigned = client
        .send_raw(Action::Discover, discover.clone(), None)
        .await?;
    let wrong = client
        .send_raw(
            Action::Discover,
            discover.clone(),
            Some(sign_body("not-the-shared-secret", &discover)),
        )
        .await?;
    let probe = serde_json::to_vec(&ActionProbe {
        action: "explode".into(),
    })
    .unwrap_or_default();
    let unknown = client
        .send_raw(Action::Discover, probe.clone(), Some(client.sign(&probe)))
        .await?;
    let invalid = b"{not json".to_vec();
    let invalid_response = client
        .send_raw(
            Action::Discover,
            invalid.clone(),
            Some(client.sign(&invalid)),
        )
        .await?;
    Ok(vec![
        expect(
            "conformance.unsigned",
            &unsigned,
            401,
            Some(codes::INVALID_SIGNATURE),
        ),
        expect(
            "conformance.wrong_signature",
            &wrong,
            401,
            Some(codes::INVALID_SIGNATURE),
        ),
        expect(
            "conformance.unknown_action",
            &unknown,
            400,
            Some(codes::UNKNOWN_ACTION),
        ),
        expect("conformance.invalid_json", &invalid_response, 400, None),
    ])
}

/// A real `up`, then a tampered token (refused), the real `down`, and a replayed `down` that
/// must delete nothing.
async fn token_probes(
    client: &EndpointClient,
    db: Option<&DbContext>,
    create: Value,
) -> Result<Vec<CheckResult>, EndpointError> {
    let before = snapshot(db).await?;
    let up = client
        .call(&Request::Up(UpRequest {
            create,
            test_run_id: Some("scenario-lab-conformance-token".into()),
        }))
        .await?;
    let answer = up.decode::<UpAnswer>().ok();
    let Some(token) = answer.as_ref().and_then(|a| a.refs_token.clone()) else {
        return Ok(vec![CheckResult::fail(
            "conformance.tampered_token",
            format!("the probe's up gave no refsToken ({})", up.describe()),
        )]);
    };
    let refs = answer
        .and_then(|a| a.refs)
        .map_or(Value::Null, Value::Object);
    let down = |token: String| {
        Request::Down(DownRequest {
            refs: refs.clone(),
            refs_token: Some(token),
            test_run_id: None,
        })
    };
    let tampered = client.call(&down(tamper(&token))).await?;
    let mut checks = vec![expect(
        "conformance.tampered_token",
        &tampered,
        403,
        Some(codes::INVALID_REFS_TOKEN),
    )];
    let first = client.call(&down(token.clone())).await?;
    let after_first = snapshot(db).await?;
    let second = client.call(&down(token)).await?;
    let after_second = snapshot(db).await?;
    checks.push(match (before, after_first, after_second) {
        (Some(before), Some(after_first), Some(after_second)) => {
            let ok =
                first.confirms_teardown() && after_second == after_first && after_first == before;
            CheckResult::of(
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
            )
        }
        _ => CheckResult::skip(
            "conformance.replayed_down",
            "no --database-url to compare table counts",
        ),
    });
    Ok(checks)
}

async fn snapshot(db: Option<&DbContext>) -> Result<Option<TableCounts>, EndpointError> {
    match db {
        Some(db) => db
            .snapshot()
            .await
            .map(Some)
            .map_err(|e| EndpointError::Unreachable {
                url: "database".into(),
                detail: e.to_string(),
            }),
        None => Ok(None),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_unresolved_token_probe_holds_one_record_that_depends_on_nothing() {
        // A child listed before its parent (legal: creation order comes from `_ref`s).
        let create = json!({
            "Project": [{"name": "P", "organizationId": {"_ref": "org"}}],
            "Organization": [{"_alias": "org", "name": "Acme"}]
        });
        let (_, probe) = probe_payloads(&[create]).unwrap();
        assert_eq!(
            probe,
            json!({"Organization": [{"name": "{{scenarioLabUnknownToken}}"}]})
        );
    }
}

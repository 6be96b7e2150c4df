//! Manifest parity: every service's (or saved manifest's) normalized capabilities against the
//! first one's.

use super::client::{AnipClient, ClientError};
use scenario_lab_core::anip::manifest::{capability_digest, differences};
use scenario_lab_core::api::{ParityAnswer, ParityDifference, ParityService};
use serde_json::Value;

/// Fetches each service's manifest and compares them field by field (URLs only: the proxy's
/// route, which reads no file the page names).
pub async fn compare(services: &[String]) -> Result<ParityAnswer, ClientError> {
    let mut loaded = Vec::new();
    for service in services {
        loaded.push((service.clone(), fetch_capabilities(service).await?));
    }
    Ok(compare_loaded(&loaded))
}

/// The `capabilities` of the service at `service`'s `/anip/manifest`.
pub async fn fetch_capabilities(service: &str) -> Result<Value, ClientError> {
    let answer = AnipClient::new(service).get("/anip/manifest").await?;
    match answer.json.get("capabilities") {
        Some(found @ Value::Object(_)) if answer.status == 200 => Ok(found.clone()),
        _ => Err(ClientError::Decode {
            url: format!("{service}/anip/manifest"),
            status: answer.status,
            reason: "no `capabilities` object: not an ANIP manifest".to_owned(),
        }),
    }
}

/// The `capabilities` of a saved manifest's text (`manifest.json` as `anip init` writes it, or a
/// raw manifest answer); the reason when it holds none.
pub fn saved_capabilities(text: &str) -> Result<Value, String> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let found = json
        .get("capabilities")
        .or_else(|| json.get("manifest").and_then(|m| m.get("capabilities")));
    match found {
        Some(found @ Value::Object(_)) => Ok(found.clone()),
        _ => Err("no `capabilities` object: not an ANIP manifest".to_owned()),
    }
}

/// Compares labelled capability sets, each against the first.
pub fn compare_loaded(loaded: &[(String, Value)]) -> ParityAnswer {
    let mut answer = ParityAnswer::default();
    for (url, caps) in loaded {
        answer.services.push(ParityService {
            url: url.clone(),
            capabilities: caps.as_object().map_or(0, serde_json::Map::len),
            digest: capability_digest(caps),
        });
    }
    if let Some((_, first)) = loaded.first() {
        for (url, other) in loaded.iter().skip(1) {
            for (capability, field, ours, theirs) in differences(first, other) {
                answer.differences.push(ParityDifference {
                    service: url.clone(),
                    capability,
                    field,
                    first: ours,
                    other: theirs,
                });
            }
        }
    }
    answer
}

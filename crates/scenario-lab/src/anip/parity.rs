//! Manifest parity: every service's normalized capabilities against the first service's.

use super::client::{AnipClient, ClientError};
use scenario_lab_core::anip::manifest::{capability_digest, differences};
use scenario_lab_core::api::{ParityAnswer, ParityDifference, ParityService};
use serde_json::Value;

/// Fetches each manifest and compares them field by field.
pub async fn compare(services: &[String]) -> Result<ParityAnswer, ClientError> {
    let mut capabilities = Vec::new();
    for service in services {
        let answer = AnipClient::new(service).get("/anip/manifest").await?;
        match answer.json.get("capabilities") {
            Some(found @ Value::Object(_)) if answer.status == 200 => {
                capabilities.push(found.clone());
            }
            _ => {
                return Err(ClientError::Decode {
                    url: format!("{service}/anip/manifest"),
                    status: answer.status,
                    reason: "no `capabilities` object: not an ANIP manifest".to_owned(),
                });
            }
        }
    }
    let mut answer = ParityAnswer::default();
    for (url, caps) in services.iter().zip(&capabilities) {
        answer.services.push(ParityService {
            url: url.clone(),
            capabilities: caps.as_object().map_or(0, serde_json::Map::len),
            digest: capability_digest(caps),
        });
    }
    if let Some(first) = capabilities.first() {
        for (url, other) in services.iter().zip(&capabilities).skip(1) {
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
    Ok(answer)
}

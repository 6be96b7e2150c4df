//! A manifest scenario: the signed manifest fetched, its JWS verified, its identity compared.

use super::run_state::{Observed, RunError, RunState};
use scenario_lab_core::anip::jws::verify_detached;
use scenario_lab_core::anip::manifest::capability_digest;
use scenario_lab_core::anip::pack::Scenario;
use scenario_lab_core::check_result::CheckResult;
use serde_json::Value;
use std::collections::BTreeSet;

/// Fetches the manifest and the JWKS and checks what the pack pins.
pub async fn observe(
    runner: &mut RunState<'_>,
    scenario: &Scenario,
    steps: &mut Vec<String>,
) -> Result<Observed, RunError> {
    steps.push("manifest and JWKS".to_owned());
    let manifest = runner.client.get("/anip/manifest").await?;
    let key_set = runner.client.get("/.well-known/jwks.json").await?;
    let mut checks = Vec::new();
    if scenario.expect.signature != Some(false) {
        checks.push(match manifest.signature.as_deref() {
            Some(jws) => match verify_detached(jws, &manifest.bytes, &key_set.json) {
                Ok(kid) => CheckResult::pass(
                    "manifest.signature",
                    format!("X-ANIP-Signature verifies with key {kid}"),
                ),
                Err(error) => CheckResult::fail("manifest.signature", error.to_string()),
            },
            None => CheckResult::fail(
                "manifest.signature",
                "the manifest has no X-ANIP-Signature header",
            ),
        });
    }
    let service = &runner.pack.service;
    if let Some(protocol) = &service.protocol {
        let seen = manifest
            .json
            .get("protocol")
            .and_then(Value::as_str)
            .unwrap_or("none");
        checks.push(CheckResult::of(
            "manifest.protocol",
            seen == protocol.value,
            format!("protocol `{seen}` (expected `{}`)", protocol.value),
        ));
    }
    let capabilities = manifest
        .json
        .get("capabilities")
        .cloned()
        .unwrap_or(Value::Null);
    if !service.capabilities.is_empty() {
        let seen: BTreeSet<&str> = capabilities
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let wanted: BTreeSet<&str> = service
            .capabilities
            .iter()
            .map(|c| c.value.as_str())
            .collect();
        let extra: Vec<&&str> = seen.difference(&wanted).collect();
        let missing: Vec<&&str> = wanted.difference(&seen).collect();
        checks.push(CheckResult::of(
            "manifest.capabilities",
            extra.is_empty() && missing.is_empty(),
            format!(
                "{} capabilities; not expected: {extra:?}; missing: {missing:?}",
                seen.len()
            ),
        ));
    }
    if let Some(digest) = &service.digest {
        let seen = capability_digest(&capabilities);
        checks.push(CheckResult::of(
            "manifest.digest",
            seen == digest.value,
            format!("normalized digest {seen} (pinned {})", digest.value),
        ));
    }
    let ok = checks.iter().all(|c| c.ok);
    Ok(Observed {
        answers: vec![manifest.json],
        outcome: Some(if ok { "success" } else { "manifest_mismatch" }.to_owned()),
        checks,
        ..Observed::default()
    })
}

//! The signed `discover` call and its shape check with the core rules (validate, `discover`, the proxy).

use crate::endpoint::{Action, EndpointClient, EndpointError};
use crate::lifecycle::{self, CheckResult};
use scenario_lab_core::discover::Discover;
use serde_json::Value;

/// Signed discover, parsed and shape-checked with the core rules.
pub async fn discover(
    client: &EndpointClient,
) -> Result<(Option<Discover>, Option<Value>, CheckResult), EndpointError> {
    let response = client
        .call(Action::Discover, &serde_json::json!({"action": "discover"}))
        .await?;
    if response.status != 200 {
        return Ok((
            None,
            None,
            CheckResult::fail("discover.shape", lifecycle::explain(&response)),
        ));
    }
    let Some(body) = response.json.clone() else {
        return Ok((
            None,
            None,
            CheckResult::fail("discover.shape", response.describe()),
        ));
    };
    let text = serde_json::to_string(&body).unwrap_or_default();
    let parsed = scenario_lab_core::discover::parse(&text);
    let errors: Vec<String> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == scenario_lab_core::Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    let check = if errors.is_empty() {
        let models = parsed.value.as_ref().map_or(0, |d| d.models.len());
        CheckResult::pass(
            "discover.shape",
            format!(
                "{models} models, protocol {}",
                body.get("version").map_or("?".into(), |v| v.to_string())
            ),
        )
    } else {
        CheckResult::fail("discover.shape", errors.join("; "))
    };
    Ok((parsed.value, Some(body), check))
}

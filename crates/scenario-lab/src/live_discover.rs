//! The signed `discover` call and its shape check with the core rules (validate, `discover`, the proxy).

use crate::endpoint::{EndpointClient, EndpointError};
use crate::lifecycle::failed_answer;
use scenario_lab_core::Severity;
use scenario_lab_core::audit::AuditDoc;
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::discover::Discover;
use scenario_lab_core::protocol::{DiscoverAnswer, Request};

/// What the live endpoint's discover gave.
#[derive(Debug)]
pub struct LiveDiscover {
    /// The parsed schema, when the answer had one.
    pub discover: Option<Discover>,
    /// The answer's text, exactly as it came (saved as `discover.json`, read by preflight).
    pub text: Option<String>,
    /// `discover.shape`.
    pub check: CheckResult,
    /// Where the endpoint redirected the request, when it did.
    pub redirected_to: Option<String>,
}

/// Signed discover, parsed and shape-checked with the core rules.
pub async fn discover(client: &EndpointClient) -> Result<LiveDiscover, EndpointError> {
    let response = client.call(&Request::Discover).await?;
    let failed_check = |check: CheckResult| LiveDiscover {
        discover: None,
        text: None,
        check,
        redirected_to: response.redirected_to.clone(),
    };
    let failed = |message: String| failed_check(CheckResult::fail("discover.shape", message));
    if response.status != 200 {
        return Ok(failed_check(failed_answer(
            "discover.shape",
            &response,
            client.url(),
        )));
    }
    if let Some(foreign) = scenario_lab_core::protocol::foreign_discover(&response.text) {
        return Ok(failed(format!("HTTP 200 with {foreign}")));
    }
    let answer = match response.decode::<DiscoverAnswer>() {
        Ok(answer) => answer,
        Err(error) if response.is_json => {
            return Ok(failed(format!(
                "HTTP 200, but the body is not a discover answer: {error}"
            )));
        }
        Err(_) => return Ok(failed(response.describe())),
    };
    let parsed = scenario_lab_core::discover::parse(&response.text);
    let errors: Vec<&str> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.as_str())
        .collect();
    let check = if errors.is_empty() {
        let models = parsed.value.as_ref().map_or(0, |d| d.models.len());
        CheckResult::pass(
            "discover.shape",
            format!(
                "{models} models, protocol {}",
                answer.metadata.version_text()
            ),
        )
    } else {
        CheckResult::fail("discover.shape", errors.join("; "))
    };
    Ok(LiveDiscover {
        discover: parsed.value,
        text: Some(response.text.clone()),
        check,
        redirected_to: response.redirected_to.clone(),
    })
}

/// `discover.coverage` and `discover.factories`: every independently created model of the
/// entity audit has a factory in discover.
pub fn coverage_checks(discover: &Discover, audit: Option<&AuditDoc>) -> Vec<CheckResult> {
    let Some(audit) = audit else {
        return vec![
            CheckResult::skip("discover.coverage", "entity-audit.md not found"),
            CheckResult::skip("discover.factories", "entity-audit.md not found"),
        ];
    };
    let independent = audit.independent_models();
    let missing: Vec<&str> = independent
        .iter()
        .copied()
        .filter(|m| discover.model(m).is_none())
        .collect();
    let dependents = audit.pure_dependents();
    let coverage = if missing.is_empty() {
        CheckResult::pass(
            "discover.coverage",
            format!(
                "{} audited models listed; {} pure dependent(s) absent as expected{}",
                independent.len(),
                dependents.len(),
                if dependents.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", dependents.join(", "))
                }
            ),
        )
    } else {
        CheckResult::fail(
            "discover.coverage",
            format!(
                "audited models missing from discover: {}",
                missing.join(", ")
            ),
        )
    };
    let factories = if missing.is_empty() {
        CheckResult::pass(
            "discover.factories",
            format!(
                "every independently created model has a factory ({})",
                independent.len()
            ),
        )
    } else {
        CheckResult::fail(
            "discover.factories",
            format!("no factory registered for {}", missing.join(", ")),
        )
    };
    vec![coverage, factories]
}

//! A scenario's expectations checked against what was observed (outcome, approval, result, race).

use super::run_state::Observed;
use crate::json_path::first as json_path;
use scenario_lab_core::anip::pack::Scenario;
use scenario_lab_core::check_result::CheckResult;
use serde_json::Value;

/// Checks every expectation that needs only the answers.
pub fn outcome_checks(scenario: &Scenario, observed: &Observed, checks: &mut Vec<CheckResult>) {
    let expect = &scenario.expect;
    checks.extend(observed.checks.iter().cloned());
    if let Some(successes) = expect.successes {
        let seen = observed.outcomes.iter().filter(|o| *o == "success").count() as u64;
        checks.push(CheckResult::of(
            "successes",
            seen == successes,
            format!(
                "{seen} of {} succeeded (expected {successes}); outcomes: {}",
                observed.outcomes.len(),
                observed.outcomes.join(", ")
            ),
        ));
    } else if let Some(outcome) = &expect.outcome {
        let seen = observed.outcome.as_deref().unwrap_or("none");
        checks.push(CheckResult::of(
            "outcome",
            seen == outcome.value,
            format!("outcome `{seen}` (expected `{}`)", outcome.value),
        ));
    }
    if let Some(capability) = &expect.capability {
        let seen = observed.capability.as_deref().unwrap_or("none");
        checks.push(CheckResult::of(
            "capability",
            seen == capability.value,
            format!("capability `{seen}` (expected `{}`)", capability.value),
        ));
    }
    if let Some(field) = &expect.clarification_field {
        let seen = observed.clarification_field.as_deref().unwrap_or("none");
        checks.push(CheckResult::of(
            "clarification_field",
            seen == field.value,
            format!(
                "clarification asks for `{seen}` (expected `{}`)",
                field.value
            ),
        ));
    }
    let first = observed.answers.first().cloned().unwrap_or(Value::Null);
    if let Some(approval) = &expect.approval {
        let request = first.pointer("/failure/approval_required");
        checks.push(CheckResult::of(
            "approval.present",
            request.is_some() == approval.present,
            if request.is_some() {
                "an approval request came back"
            } else {
                "no approval request came back"
            },
        ));
        if let (Some(policy), Some(request)) = (&approval.grant_policy, request) {
            let seen = request.get("grant_policy").cloned().unwrap_or(Value::Null);
            checks.push(CheckResult::of(
                "approval.grant_policy",
                &seen == policy,
                format!("grant policy {seen} (expected {policy})"),
            ));
        }
    }
    for (path, wanted) in &expect.result {
        let check = match json_path(&first, &path.value) {
            Ok(seen) => {
                let seen = seen.unwrap_or(Value::Null);
                CheckResult::of(
                    &format!("result {}", path.value),
                    &seen == wanted,
                    format!("{} is {seen} (expected {wanted})", path.value),
                )
            }
            Err(error) => CheckResult::fail(&format!("result {}", path.value), error),
        };
        checks.push(check);
    }
}

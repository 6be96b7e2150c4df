//! `.scenario-validation.json`: the nine keys and their types.

use crate::diagnostic::{Code, Diagnostic, FileKind, Span};
use crate::json::Node;

fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::VALIDATION_SCHEMA, FileKind::Validation, span, message)
        .with_help("`scenario-lab validate --write` writes this file; do not edit it by hand")
}

/// `.scenario-validation.json`: the nine keys the plugin requires.
pub fn check(root: &Node, diagnostics: &mut Vec<Diagnostic>) {
    if root.as_object().is_none() {
        diagnostics.push(error(
            root.span,
            "the validation file must be a JSON object",
        ));
        return;
    }
    let head = Span::at(root.span.start);
    let keys = [
        "status",
        "preflightPassed",
        "smokeTestPassed",
        "validatedScenarios",
        "failedScenarios",
        "blockingIssues",
        "recipePath",
        "validationMode",
        "endpointUrl",
    ];
    let missing: Vec<&str> = keys.into_iter().filter(|k| root.get(k).is_none()).collect();
    if !missing.is_empty() {
        diagnostics.push(error(
            head,
            format!("Missing required fields: [{}]", missing.join(", ")),
        ));
    }
    if let Some(v) = root.get("status")
        && !matches!(v.as_str(), Some("ok" | "failed"))
    {
        diagnostics.push(error(v.span, "status must be \"ok\" or \"failed\""));
    }
    for key in ["preflightPassed", "smokeTestPassed"] {
        if let Some(v) = root.get(key)
            && v.as_bool().is_none()
        {
            diagnostics.push(error(v.span, format!("{key} must be a boolean")));
        }
    }
    for key in ["validatedScenarios", "failedScenarios", "blockingIssues"] {
        if let Some(v) = root.get(key)
            && !v
                .as_array()
                .is_some_and(|items| items.iter().all(|i| i.as_str().is_some()))
        {
            diagnostics.push(error(v.span, format!("{key} must be a list of strings")));
        }
    }
    if let Some(v) = root.get("recipePath")
        && v.as_str().is_none_or(|s| s.trim().is_empty())
    {
        diagnostics.push(error(v.span, "recipePath must be a non-empty string"));
    }
    if let Some(v) = root.get("validationMode")
        && !matches!(v.as_str(), Some("sdk-check" | "endpoint-lifecycle"))
    {
        diagnostics.push(error(
            v.span,
            "validationMode must be \"sdk-check\" or \"endpoint-lifecycle\"",
        ));
    }
    if let Some(v) = root.get("endpointUrl") {
        let ok = v.as_str().is_some_and(|url| {
            let rest = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"));
            rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        });
        if !ok {
            diagnostics.push(error(
                v.span,
                "endpointUrl must be an absolute http/https URL",
            ));
        }
    }
    if root.get("status").and_then(Node::as_str) == Some("ok")
        && root.get("preflightPassed").and_then(Node::as_bool) != Some(true)
    {
        let span = root.get("preflightPassed").map_or(head, |v| v.span);
        diagnostics.push(error(
            span,
            "status is \"ok\" but preflightPassed is not true: the upload gate refuses this",
        ));
    }
}

//! `scenario-lab anip parity URL URL...`: normalized manifests compared field by field.

use super::CommandError;
use crate::anip::parity::compare;
use crate::cli::{AnipParityArgs, exit};
use crate::terminal::{eprint_safe, escape_controls};
use serde_json::Value;

/// The `anip parity` command.
pub async fn run(args: &AnipParityArgs) -> Result<u8, CommandError> {
    let answer = match compare(&args.services).await {
        Ok(answer) => answer,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::UNREACHABLE);
        }
    };
    for service in &answer.services {
        println!(
            "{}: {} capabilities, normalized digest {}",
            escape_controls(&service.url),
            service.capabilities,
            service.digest
        );
    }
    if answer.differences.is_empty() {
        println!("\nanip parity passed: the normalized manifests are equal");
        return Ok(exit::OK);
    }
    let first = &args.services[0];
    println!(
        "\n  {:<32}  {:<14}  {:<30}  {:<30}  service",
        "capability", "field", first, "other"
    );
    for d in &answer.differences {
        println!(
            "  {:<32}  {:<14}  {:<30}  {:<30}  {}",
            escape_controls(&d.capability),
            d.field,
            shown(&d.first),
            shown(&d.other),
            escape_controls(&d.service)
        );
    }
    println!(
        "\nanip parity failed: {} difference(s)",
        answer.differences.len()
    );
    Ok(exit::CHECK_FAILED)
}

fn shown(value: &Value) -> String {
    escape_controls(&match value {
        Value::Null => "(absent)".to_owned(),
        other => other.to_string(),
    })
}

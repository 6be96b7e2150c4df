//! `scenario-lab anip parity URL URL...`: normalized manifests compared field by field.

use super::CommandError;
use crate::anip::client::AnipClient;
use crate::cli::{AnipParityArgs, exit};
use crate::terminal::{eprint_safe, escape_controls};
use scenario_lab_core::anip::manifest::{capability_digest, differences};
use serde_json::Value;

/// The `anip parity` command.
pub async fn run(args: &AnipParityArgs) -> Result<u8, CommandError> {
    let mut manifests = Vec::new();
    for service in &args.services {
        match AnipClient::new(service).get("/anip/manifest").await {
            Ok(answer) => manifests.push(
                answer
                    .json
                    .get("capabilities")
                    .cloned()
                    .unwrap_or(Value::Null),
            ),
            Err(error) => {
                eprint_safe(&format!("error: {error}\n"));
                return Ok(exit::UNREACHABLE);
            }
        }
    }
    let (first, rest) = (&manifests[0], &manifests[1..]);
    println!(
        "{}: {} capabilities, normalized digest {}",
        args.services[0],
        count(first),
        capability_digest(first)
    );
    let mut drift = 0;
    for (service, other) in args.services[1..].iter().zip(rest) {
        println!(
            "{service}: {} capabilities, normalized digest {}",
            count(other),
            capability_digest(other)
        );
        let found = differences(first, other);
        if found.is_empty() {
            continue;
        }
        println!(
            "\n  {:<32}  {:<14}  {:<30}  {}",
            "capability", "field", &args.services[0], service
        );
        for (capability, field, left, right) in &found {
            println!(
                "  {:<32}  {field:<14}  {:<30}  {}",
                escape_controls(capability),
                shown(left),
                shown(right)
            );
        }
        drift += found.len();
    }
    if drift == 0 {
        println!("\nanip parity passed: the normalized manifests are equal");
        Ok(exit::OK)
    } else {
        println!("\nanip parity failed: {drift} difference(s)");
        Ok(exit::CHECK_FAILED)
    }
}

fn count(capabilities: &Value) -> usize {
    capabilities.as_object().map_or(0, serde_json::Map::len)
}

fn shown(value: &Value) -> String {
    escape_controls(&match value {
        Value::Null => "(absent)".to_owned(),
        other => other.to_string(),
    })
}

//! `scenario-lab anip parity A B [C ...]`: normalized manifests (of services or saved files)
//! compared field by field.

use super::CommandError;
use crate::anip::parity::{compare_loaded, fetch_capabilities, saved_capabilities};
use crate::cli::{AnipParityArgs, exit};
use crate::terminal::{eprint_safe, escape_controls};
use serde_json::Value;

/// The `anip parity` command.
pub async fn run(args: &AnipParityArgs) -> Result<u8, CommandError> {
    let mut loaded = Vec::new();
    for source in &args.services {
        if source.starts_with("http://") || source.starts_with("https://") {
            match fetch_capabilities(source).await {
                Ok(caps) => loaded.push((source.clone(), caps)),
                Err(error) => {
                    eprint_safe(&format!("error: {error}\n"));
                    return Ok(exit::UNREACHABLE);
                }
            }
            continue;
        }
        let read = std::fs::read_to_string(source)
            .map_err(|e| e.to_string())
            .and_then(|text| saved_capabilities(&text));
        match read {
            Ok(caps) => loaded.push((source.clone(), caps)),
            Err(reason) => {
                eprint_safe(&format!("error: {source}: {reason}\n"));
                return Ok(exit::USAGE);
            }
        }
    }
    let answer = compare_loaded(&loaded);
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
    println!("\ncompared with {}:", escape_controls(&args.services[0]));
    for d in &answer.differences {
        println!(
            "  {} {} {} → {}   ({})",
            escape_controls(&d.capability),
            escape_controls(&d.field),
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

//! `scenario-lab anip parity A B [C ...]`: normalized manifests (of services or saved files)
//! compared field by field; `--signature` verifies saved manifests' detached JWS offline.

use super::CommandError;
use crate::anip::parity::{compare_loaded, fetch_capabilities, saved_capabilities};
use crate::cli::{AnipParityArgs, exit};
use crate::terminal::{eprint_safe, escape_controls};
use scenario_lab_core::anip::jws::verify_detached;
use serde_json::Value;
use std::path::Path;

/// The `anip parity` command.
pub async fn run(args: &AnipParityArgs) -> Result<u8, CommandError> {
    let mut loaded = Vec::new();
    let mut saved = Vec::new();
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
        let read = std::fs::read(source)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                saved_capabilities(&String::from_utf8_lossy(&bytes)).map(|caps| (caps, bytes))
            });
        match read {
            Ok((caps, bytes)) => {
                loaded.push((source.clone(), caps));
                saved.push((source.as_str(), bytes));
            }
            Err(reason) => {
                eprint_safe(&format!("error: {source}: {reason}\n"));
                return Ok(exit::USAGE);
            }
        }
    }
    if args.signature.len() > saved.len() {
        eprint_safe(&format!(
            "error: {} --signature for {} saved manifest file(s); the n-th signature is the n-th file's\n",
            args.signature.len(),
            saved.len()
        ));
        return Ok(exit::USAGE);
    }
    let mut signatures_ok = true;
    for ((file, bytes), signature) in saved.iter().zip(&args.signature) {
        match verify_saved(bytes, signature, args.jwks.as_deref()) {
            Ok(kid) => println!(
                "{}: signature verified (key {})",
                escape_controls(file),
                escape_controls(&kid)
            ),
            Err(reason) => {
                signatures_ok = false;
                println!(
                    "{}: signature does not verify: {}",
                    escape_controls(file),
                    escape_controls(&reason)
                );
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
    if answer.differences.is_empty() && signatures_ok {
        println!("\nanip parity passed: the normalized manifests are equal");
        return Ok(exit::OK);
    }
    if answer.differences.is_empty() {
        println!("\nanip parity failed: the manifests are equal, but a signature does not verify");
        return Ok(exit::CHECK_FAILED);
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

/// Verifies a saved manifest's bytes against its detached JWS with the saved key set (`jwks`, or
/// `jwks.json` beside the signature); the key id, or why not.
fn verify_saved(
    manifest: &[u8],
    signature: &std::path::Path,
    jwks: Option<&std::path::Path>,
) -> Result<String, String> {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let detached = read(signature)?;
    let jwks_path = jwks.map_or_else(|| signature.with_file_name("jwks.json"), Path::to_path_buf);
    let key_set: Value = serde_json::from_str(&read(&jwks_path)?)
        .map_err(|e| format!("{} is not JSON: {e}", jwks_path.display()))?;
    verify_detached(detached.trim(), manifest, &key_set).map_err(|error| {
        format!("{error} (`anip init` saves the manifest as served: a reformatted file no longer verifies)")
    })
}

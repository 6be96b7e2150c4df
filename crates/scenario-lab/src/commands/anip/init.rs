//! `scenario-lab anip init --service URL`: discovery and the signed manifest in, a starter pack out.

use super::CommandError;
use crate::anip::starter_files::{StarterError, StarterRequest, write_starter};
use crate::cli::{AnipInitArgs, exit};
use crate::terminal::{eprint_safe, escape_controls};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The `anip init` command.
pub async fn run(args: &AnipInitArgs) -> Result<u8, CommandError> {
    let samples = match read_samples(args.samples.as_deref()) {
        Ok(samples) => samples,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::USAGE);
        }
    };
    let probes = match parse_probes(&args.probe) {
        Ok(probes) => probes,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::USAGE);
        }
    };
    let header = format!(
        "A starter pack written by `scenario-lab anip init --service {}`.\nCredentials are read from the environment variables named under `actors`.",
        args.service
    );
    let request = StarterRequest {
        service: &args.service,
        samples: &samples,
        probes: &probes,
        out: &args.out,
        header: &header,
    };
    let written = match write_starter(&request).await {
        Ok(written) => written,
        Err(StarterError::Service(error)) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::UNREACHABLE);
        }
        Err(error @ StarterError::UnknownProbe { .. }) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::USAGE);
        }
        Err(StarterError::Write { path, source }) => {
            return Err(CommandError::Write { path, source });
        }
    };
    match &written.signature {
        Ok(kid) => println!("manifest signature verified (key {})", escape_controls(kid)),
        Err(error) => eprint_safe(&format!("warning: the manifest's signature: {error}\n")),
    }
    // The user named this service: its origin may receive their credentials in later runs.
    if let Err(error) = crate::anip::trust::Trust::remember(&args.service) {
        eprint_safe(&format!(
            "warning: could not add {} to the trust file: {error}\n",
            args.service
        ));
    }
    println!(
        "wrote {} ({} scenarios) and {}",
        args.out.display(),
        written.scenarios,
        written.manifest.display()
    );
    if !written.todo.is_empty() {
        eprint_safe(&format!(
            "warning: no sample parameters for {}: their required inputs say TODO (pass --samples FILE)\n",
            written.todo.join(", ")
        ));
    }
    if probes.is_empty() {
        eprint_safe(
            "warning: no --probe: mutation deltas are not checked (add e.g. --probe CAPABILITY:$.result.count)\n",
        );
    }
    Ok(exit::OK)
}

fn parse_probes(given: &[String]) -> Result<Vec<(String, String)>, String> {
    given
        .iter()
        .map(|probe| {
            probe
                .split_once(':')
                .filter(|(_, path)| path.starts_with('$'))
                .map(|(capability, path)| (capability.to_owned(), path.to_owned()))
                .ok_or_else(|| {
                    format!("--probe `{probe}` is not CAPABILITY:JSONPATH (e.g. fixture.count:$.result.rows)")
                })
        })
        .collect()
}

fn read_samples(path: Option<&Path>) -> Result<BTreeMap<String, Value>, String> {
    let Some(path) = path else {
        return Ok(BTreeMap::new());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not `{{capability: parameters}}` JSON: {e}",
            path.display()
        )
    })
}

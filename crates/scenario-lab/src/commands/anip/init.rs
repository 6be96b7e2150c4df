//! `scenario-lab anip init --service URL`: discovery and the signed manifest in, a starter pack out.

use super::CommandError;
use crate::anip::client::AnipClient;
use crate::cli::{AnipInitArgs, exit};
use crate::terminal::{eprint_safe, escape_controls};
use scenario_lab_core::anip::jws::verify_detached;
use scenario_lab_core::anip::starter::{StarterInput, starter_pack};
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
    let client = AnipClient::new(&args.service);
    let fetched = async {
        client.discovery().await?;
        let manifest = client.get("/anip/manifest").await?;
        let keys = client.get("/.well-known/jwks.json").await?;
        Ok::<_, crate::anip::client::ClientError>((manifest, keys))
    }
    .await;
    let (manifest, keys) = match fetched {
        Ok(found) => found,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::UNREACHABLE);
        }
    };
    match manifest
        .signature
        .as_deref()
        .map(|jws| verify_detached(jws, &manifest.bytes, &keys.json))
    {
        Some(Ok(kid)) => println!(
            "manifest signature verified (key {})",
            escape_controls(&kid)
        ),
        Some(Err(error)) => eprint_safe(&format!("warning: the manifest's signature: {error}\n")),
        None => eprint_safe("warning: the manifest has no X-ANIP-Signature header\n"),
    }
    let known: Vec<&str> = manifest
        .json
        .get("capabilities")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some((capability, _)) = probes.iter().find(|(c, _)| !known.contains(&c.as_str())) {
        eprint_safe(&format!(
            "error: --probe names `{capability}`, which the service does not declare (it declares {})\n",
            known.join(", ")
        ));
        return Ok(exit::USAGE);
    }
    let input = StarterInput {
        service: &args.service,
        manifest: &manifest.json,
        samples: &samples,
        probes: &probes,
    };
    let (pack, todo) = starter_pack(&input);
    let header = format!(
        "A starter pack written by `scenario-lab anip init --service {}`.\nCredentials are read from the environment variables named under `actors`.",
        args.service
    );
    super::write_pack(&args.out, &pack, &header)?;
    let manifest_path = save_manifest(args, &manifest, &keys)?;
    let count = pack
        .get("scenarios")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    println!(
        "wrote {} ({count} scenarios) and {}",
        args.out.display(),
        manifest_path.display()
    );
    if !todo.is_empty() {
        eprint_safe(&format!(
            "warning: no sample parameters for {}: their required inputs say TODO (pass --samples FILE)\n",
            todo.join(", ")
        ));
    }
    if probes.is_empty() {
        eprint_safe(
            "warning: no --probe: mutation deltas are not checked (add e.g. --probe CAPABILITY:$.result.count)\n",
        );
    }
    Ok(exit::OK)
}

/// Saves the manifest exactly as served (the bytes its signature covers), its detached JWS and
/// the key set beside the pack, so that `anip parity --signature` verifies the copy later,
/// offline; and remembers the service as one the user named.
fn save_manifest(
    args: &AnipInitArgs,
    manifest: &crate::anip::client::Answer,
    keys: &crate::anip::client::Answer,
) -> Result<std::path::PathBuf, CommandError> {
    let manifest_path = args.out.with_file_name("manifest.json");
    super::write_file(&manifest_path, &String::from_utf8_lossy(&manifest.bytes))?;
    if let Some(jws) = &manifest.signature {
        super::write_file(&args.out.with_file_name("manifest.jws"), jws)?;
        super::write_file(
            &args.out.with_file_name("jwks.json"),
            &String::from_utf8_lossy(&keys.bytes),
        )?;
    }
    // The user named this service: its origin may receive their credentials in later runs.
    if let Err(error) = crate::anip::trust::Trust::remember(&args.service) {
        eprint_safe(&format!(
            "warning: could not add {} to the trust file: {error}\n",
            args.service
        ));
    }
    Ok(manifest_path)
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

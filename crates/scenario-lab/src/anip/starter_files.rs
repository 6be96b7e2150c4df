//! A service's starter pack on disk: discovery, the signed manifest and its key set fetched, the
//! pack written with the manifest exactly as served beside it (`manifest.json`, `manifest.jws`,
//! `jwks.json`). `anip init`, the demo and the proxy's "New pack" share it.

use super::client::{AnipClient, ClientError};
use scenario_lab_core::anip::jws::verify_detached;
use scenario_lab_core::anip::starter::{StarterInput, starter_pack};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why no starter pack was written.
#[derive(Debug, thiserror::Error)]
pub enum StarterError {
    #[error(transparent)]
    Service(#[from] ClientError),
    #[error(
        "--probe names `{capability}`, which the service does not declare (it declares {known})"
    )]
    UnknownProbe { capability: String, known: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// What to write a starter pack for.
#[derive(Debug)]
pub struct StarterRequest<'a> {
    /// The service's base URL.
    pub service: &'a str,
    /// `{capability: parameters}` samples.
    pub samples: &'a BTreeMap<String, Value>,
    /// `(capability, JSONPath)` state probes.
    pub probes: &'a [(String, String)],
    /// The pack's path (the manifest files go beside it).
    pub out: &'a Path,
    /// The comment the pack starts with.
    pub header: &'a str,
}

/// What was written.
#[derive(Debug)]
pub struct StarterWritten {
    /// The saved manifest.
    pub manifest: PathBuf,
    /// How many scenarios the pack has.
    pub scenarios: usize,
    /// Capabilities whose required inputs had no sample (written as `TODO`).
    pub todo: Vec<String>,
    /// The manifest signature's key id, or why it does not verify.
    pub signature: Result<String, String>,
}

/// Writes `text` atomically, making the folder first.
pub fn write_file(path: &Path, text: &str) -> Result<(), StarterError> {
    let failed = |source| StarterError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(failed)?;
    }
    crate::atomic_file::write_atomic(path, text.as_bytes()).map_err(failed)
}

/// Writes a pack value as YAML (or JSON for `*.json`); `header` lines come first as YAML comments.
pub fn write_pack(path: &Path, pack: &Value, header: &str) -> Result<(), StarterError> {
    let text = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::to_string_pretty(pack).unwrap_or_default()
    } else {
        let comments: String = header.lines().flat_map(|line| ["# ", line, "\n"]).collect();
        format!(
            "{comments}{}",
            serde_norway::to_string(pack).unwrap_or_default()
        )
    };
    write_file(path, &text)
}

/// Fetches the service's discovery, manifest and key set, and writes the starter pack and the
/// manifest files.
pub async fn write_starter(request: &StarterRequest<'_>) -> Result<StarterWritten, StarterError> {
    let client = AnipClient::new(request.service);
    client.discovery().await?;
    let manifest = client.get("/anip/manifest").await?;
    let keys = client.get("/.well-known/jwks.json").await?;
    let signature = match manifest.signature.as_deref() {
        Some(jws) => verify_detached(jws, &manifest.bytes, &keys.json).map_err(|e| e.to_string()),
        None => Err("the manifest has no X-ANIP-Signature header".to_owned()),
    };
    let known: Vec<&str> = manifest
        .json
        .get("capabilities")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some((capability, _)) = request
        .probes
        .iter()
        .find(|(c, _)| !known.contains(&c.as_str()))
    {
        return Err(StarterError::UnknownProbe {
            capability: capability.clone(),
            known: known.join(", "),
        });
    }
    let input = StarterInput {
        service: request.service,
        manifest: &manifest.json,
        samples: request.samples,
        probes: request.probes,
    };
    let (pack, todo) = starter_pack(&input);
    write_pack(request.out, &pack, request.header)?;
    let manifest_path = request.out.with_file_name("manifest.json");
    write_file(&manifest_path, &String::from_utf8_lossy(&manifest.bytes))?;
    if let Some(jws) = &manifest.signature {
        write_file(&request.out.with_file_name("manifest.jws"), jws)?;
        write_file(
            &request.out.with_file_name("jwks.json"),
            &String::from_utf8_lossy(&keys.bytes),
        )?;
    }
    Ok(StarterWritten {
        manifest: manifest_path,
        scenarios: pack
            .get("scenarios")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        todo,
        signature,
    })
}

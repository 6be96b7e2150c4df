//! The demo service started beside `scenario-lab demo`: on the port it had last time (so the
//! demo's pack keeps its `service.url`), with its starter pack written into the packs folder.

use super::{AnipDemo, DEMO_CREDENTIALS, app};
use crate::anip::starter_files::{StarterRequest, write_starter};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// The running demo service.
#[derive(Debug)]
pub struct Launched {
    /// Its base URL.
    pub url: String,
    /// What happened to the pack, for the terminal.
    pub note: String,
}

/// Binds the demo service (the port of `state_dir/anip-demo-port` when free), serves it, and
/// writes `packs/starter.pack.yaml` (or moves its `service.url` to the new port).
pub async fn launch(state_dir: &Path, packs: &Path) -> std::io::Result<Launched> {
    let port_file = state_dir.join("anip-demo-port");
    let last = std::fs::read_to_string(&port_file)
        .ok()
        .and_then(|p| p.trim().parse::<u16>().ok());
    let listener = match last {
        Some(port) => match tokio::net::TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => listener,
            Err(_) => tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?,
        },
        None => tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?,
    };
    let port = listener.local_addr()?.port();
    crate::atomic_file::write_atomic(&port_file, port.to_string().as_bytes())?;
    let url = format!("http://127.0.0.1:{port}");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app(AnipDemo::new())).await;
    });
    let pack = packs.join("starter.pack.yaml");
    let note = if pack.exists() {
        follow(&pack, last, port)?
    } else {
        write(&url, &pack).await
    };
    Ok(Launched { url, note })
}

/// The demo pack's `service.url` moved to the port the service has now.
fn follow(pack: &Path, last: Option<u16>, port: u16) -> std::io::Result<String> {
    let Some(last) = last.filter(|l| *l != port) else {
        return Ok(format!("{} kept", pack.display()));
    };
    let text = std::fs::read_to_string(pack)?;
    let old = format!("url: http://127.0.0.1:{last}");
    if !text.contains(&old) {
        return Ok(format!(
            "{} kept (it names another service)",
            pack.display()
        ));
    }
    let moved = text.replace(&old, &format!("url: http://127.0.0.1:{port}"));
    crate::atomic_file::write_atomic(pack, moved.as_bytes())?;
    Ok(format!(
        "{}: service.url moved to port {port}",
        pack.display()
    ))
}

/// The starter pack for the demo service (samples and a probe of its read capability).
async fn write(url: &str, pack: &Path) -> String {
    let samples: BTreeMap<String, Value> = BTreeMap::from([
        ("fixture.count".to_owned(), json!({"tenant": "tenant-a"})),
        (
            "fixture.reset_tenant".to_owned(),
            json!({"tenant": "tenant-b"}),
        ),
    ]);
    let probes = [("fixture.count".to_owned(), "$.result.resets".to_owned())];
    let header = format!(
        "A starter pack for the demo's ANIP service, written by `scenario-lab demo`.\nRun it from the Packs tab, or: {} scenario-lab anip run {} --service {url}",
        DEMO_CREDENTIALS
            .iter()
            .map(|(env, key, _)| format!("{env}={key}"))
            .collect::<Vec<_>>()
            .join(" "),
        pack.display()
    );
    let request = StarterRequest {
        service: url,
        samples: &samples,
        probes: &probes,
        out: pack,
        header: &header,
    };
    match write_starter(&request).await {
        Ok(written) => format!("wrote {} ({} scenarios)", pack.display(), written.scenarios),
        Err(error) => format!("no starter pack: {error}"),
    }
}

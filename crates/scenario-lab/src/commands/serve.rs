//! `scenario-lab serve`: the proxy and the editor on 127.0.0.1, the secrets kept in this process.

use super::CommandError;
use crate::cli::{ServeArgs, exit};
use crate::endpoint::EndpointClient;
use crate::server::{self, AppState};
use crate::terminal::eprint_safe;

/// Binds 127.0.0.1, prints the editor URL with its session token, serves.
pub async fn run(args: &ServeArgs) -> Result<u8, CommandError> {
    if !args.workspace.dir.is_dir() {
        eprint_safe(&format!(
            "error: `{}` is not a folder\n  help: pass the workspace folder (autonoma/, .autonoma/ or ~/.autonoma/<slug>/) with --dir\n",
            args.workspace.dir.display()
        ));
        return Ok(exit::USAGE);
    }
    if let Ok(dir) = crate::workspace_dir::WorkspaceDir::read(&args.workspace.dir) {
        eprint_safe(&format!("{}\n", dir.describe()));
    }
    let endpoint = match &args.endpoint.endpoint {
        Some(_) => match EndpointClient::from_args(&args.endpoint) {
            Ok(client) => Some(client),
            Err(message) => {
                eprint_safe(&format!("error: {message}\n"));
                return Ok(exit::USAGE);
            }
        },
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let port = listener.local_addr()?.port();
    let dist = args
        .dist
        .join("index.html")
        .exists()
        .then(|| args.dist.clone());
    if dist.is_none() {
        eprint_safe(&format!(
            "note: the editor is not built ({} has no index.html): run `bash scripts/start.sh`\n",
            args.dist.display()
        ));
    }
    let mut state = AppState::new(
        args.workspace.dir.canonicalize()?,
        server::new_session_token(),
        port,
    );
    if let Some(client) = &endpoint {
        let ledger = crate::ledger::Ledger::for_workspace(&state.dir);
        for line in crate::reaper::reap(&ledger, client, crate::reaper::Scope::SameEndpoint).await {
            eprint_safe(&format!("{line}\n"));
        }
    }
    state.endpoint = endpoint;
    if let Some(packs) = &args.packs {
        state.packs_dir.clone_from(packs);
    }
    state.anip_services.clone_from(&args.anip_services);
    state.endpoint_args = args.endpoint.clone();
    state.signing_secret = std::env::var("AUTONOMA_SIGNING_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    state.database_url.clone_from(&args.database_url);
    state.api_url = std::env::var("AUTONOMA_API_URL")
        .ok()
        .filter(|u| !u.is_empty());
    state.dist = dist;
    server::serve_editor(listener, state, args.open).await?;
    Ok(exit::OK)
}

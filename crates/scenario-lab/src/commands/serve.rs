//! `scenario-lab serve`: the proxy and the editor on 127.0.0.1, the secrets kept in this process.

use crate::cli::{ServeArgs, exit};
use crate::endpoint::EndpointClient;
use crate::server::{self, AppState, LastValidation};

/// `scenario-lab serve`: binds 127.0.0.1, prints the editor URL with its session token.
pub async fn run(args: &ServeArgs) -> anyhow::Result<u8> {
    if !args.workspace.dir.is_dir() {
        eprintln!(
            "error: `{}` is not a folder\n  help: pass the autonoma/ folder with --dir",
            args.workspace.dir.display()
        );
        return Ok(exit::USAGE);
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let port = listener.local_addr()?.port();
    let endpoint = match &args.endpoint.endpoint {
        Some(_) => match EndpointClient::from_args(&args.endpoint) {
            Ok(client) => Some(client),
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(exit::USAGE);
            }
        },
        None => None,
    };
    let dist = args
        .dist
        .join("index.html")
        .exists()
        .then(|| args.dist.clone());
    if dist.is_none() {
        eprintln!(
            "note: the editor is not built ({} has no index.html): run `bash scripts/start.sh`",
            args.dist.display()
        );
    }
    let state = AppState {
        dir: args.workspace.dir.canonicalize()?,
        session_token: server::new_session_token(),
        allowed_hosts: vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        endpoint,
        endpoint_args: args.endpoint.clone(),
        signing_secret: std::env::var("AUTONOMA_SIGNING_SECRET")
            .ok()
            .filter(|s| !s.is_empty()),
        database_url: args.database_url.clone(),
        api_url: std::env::var("AUTONOMA_API_URL")
            .ok()
            .filter(|u| !u.is_empty()),
        dist,
        last_validation: LastValidation::default(),
    };
    let url = format!("http://127.0.0.1:{port}/?token={}", state.session_token);
    println!("editor: {url}");
    if args.open {
        let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
    }
    axum::serve(listener, server::app(state)).await?;
    Ok(exit::OK)
}

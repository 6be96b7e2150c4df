//! `scenario-lab demo`: the embedded demo endpoint on SQLite, the example workspace, the proxy
//! and editor pointed at it, and one validation to show the whole product work.

use crate::cli::exit;
use crate::cli::{DemoArgs, EndpointArgs, ValidateArgs};
use crate::commands::validate;
use crate::demo_endpoint::{self, DemoEndpoint};
use crate::endpoint::EndpointClient;
use crate::example::EXAMPLE;
use crate::server::{self, AppState};
use crate::validate_report;

fn secret(variable: &str) -> String {
    std::env::var(variable)
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            format!(
                "{:016x}{:016x}",
                rand::random::<u64>(),
                rand::random::<u64>()
            )
        })
}

pub async fn run(args: &DemoArgs) -> anyhow::Result<u8> {
    std::fs::create_dir_all(&args.workspace.dir)?;
    if !args.workspace.dir.join("scenario-recipes.json").exists() {
        for (name, contents) in EXAMPLE {
            crate::artifacts::write_atomic(&args.workspace.dir.join(name), contents.as_bytes())?;
        }
        eprintln!(
            "wrote the reference example workspace to {}",
            args.workspace.dir.display()
        );
    }
    let shared = secret("AUTONOMA_SHARED_SECRET");
    let signing = secret("AUTONOMA_SIGNING_SECRET");
    let db_path = args.workspace.dir.join(".scenario-lab").join("demo.sqlite");
    std::fs::create_dir_all(db_path.parent().unwrap_or(&args.workspace.dir))?;
    let endpoint = DemoEndpoint::open(&db_path, shared.clone(), signing.clone()).await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let url = format!(
        "http://127.0.0.1:{}/api/autonoma/",
        listener.local_addr()?.port()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, demo_endpoint::app(endpoint)).await;
    });
    let database_url = format!("sqlite://{}", db_path.canonicalize()?.display());
    println!("endpoint: {url}");
    println!("database: {database_url}");

    let endpoint_args = EndpointArgs {
        endpoint: Some(url.clone()),
        timeout_discover: 90,
        timeout_up: 90,
        timeout_down: 60,
        retries: 3,
    };
    let client = EndpointClient::new(&url, &shared);
    let last_validation = server::LastValidation::default();
    if !args.no_validate {
        let validate = ValidateArgs {
            endpoint: endpoint_args.clone(),
            database_url: Some(database_url.clone()),
            workspace: args.workspace.clone(),
            scenarios: Vec::new(),
            iteration: 1,
            repeat: 2,
            jobs: 1,
            report_json: None,
            report_junit: None,
            write: false,
            no_conformance: false,
        };
        let recipes =
            std::fs::read_to_string(args.workspace.dir.join("scenario-recipes.json")).ok();
        let (report, code) =
            validate::execute(&validate, &client, Some(signing.clone()), &|line| {
                eprintln!("{line}")
            })
            .await?;
        if let Some(report) = &report {
            eprint!("{}", validate_report::summary_table(report));
        }
        // The editor opens on this result.
        if let Ok(mut last) = last_validation.lock() {
            *last = Some(server::validation_record(
                code,
                report.as_ref(),
                &[],
                recipes.as_deref(),
            ));
        }
    }
    let editor = tokio::net::TcpListener::bind(("127.0.0.1", args.editor_port)).await?;
    let port = editor.local_addr()?.port();
    let dist = args
        .dist
        .join("index.html")
        .exists()
        .then(|| args.dist.clone());
    let state = AppState {
        dir: args.workspace.dir.canonicalize()?,
        session_token: server::new_session_token(),
        allowed_hosts: vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        endpoint: Some(client),
        endpoint_args,
        signing_secret: Some(signing),
        database_url: Some(database_url),
        api_url: None,
        dist,
        last_validation,
    };
    let editor_url = format!("http://127.0.0.1:{port}/?token={}", state.session_token);
    println!("editor: {editor_url}");
    if args.open {
        let _ = std::process::Command::new("xdg-open")
            .arg(&editor_url)
            .spawn();
    }
    axum::serve(editor, server::app(state)).await?;
    Ok(exit::OK)
}

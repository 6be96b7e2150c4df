//! `scenario-lab demo`: the embedded demo endpoint on SQLite, the example workspace, the proxy
//! and editor pointed at it, and one validation to show the whole product work.

use super::CommandError;
use crate::atomic_file::{write_atomic, write_private};
use crate::cli::{DemoArgs, EndpointArgs, ValidateArgs, exit};
use crate::demo_endpoint::{self, DemoEndpoint};
use crate::endpoint::EndpointClient;
use crate::example::EXAMPLE;
use crate::ledger::Ledger;
use crate::reaper;
use crate::server::{self, AppState};
use crate::terminal::{eprint_safe, progress_to_stderr};
use crate::validate_report;
use crate::validation;
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::FileKind;
use scenario_lab_core::api::ValidateOutcome;
use std::path::Path;

/// The demo endpoint's secrets: from the environment, else the ones this workspace's demo used
/// before (kept owner-only in `.scenario-lab/demo-secrets`, so the refs tokens of an earlier run
/// still verify and the reaper can tear its leftovers down), else fresh random ones.
fn secrets(dir: &Path) -> std::io::Result<(String, String)> {
    let from_env = |name| std::env::var(name).ok().filter(|s: &String| !s.is_empty());
    if let (Some(shared), Some(signing)) = (
        from_env("AUTONOMA_SHARED_SECRET"),
        from_env("AUTONOMA_SIGNING_SECRET"),
    ) {
        return Ok((shared, signing));
    }
    let path = dir.join(".scenario-lab").join("demo-secrets");
    if let Ok(text) = std::fs::read_to_string(&path)
        && let Some((shared, signing)) = text.trim().split_once('\n')
    {
        return Ok((shared.to_owned(), signing.to_owned()));
    }
    let random = || {
        format!(
            "{:016x}{:016x}",
            rand::random::<u64>(),
            rand::random::<u64>()
        )
    };
    let (shared, signing) = (random(), random());
    write_private(&path, format!("{shared}\n{signing}\n").as_bytes())?;
    Ok((shared, signing))
}

/// Runs the demo until the process ends.
pub async fn run(args: &DemoArgs) -> Result<u8, CommandError> {
    let dir = &args.workspace.dir;
    std::fs::create_dir_all(dir)?;
    if !dir.join(FileKind::Recipes.file_name()).exists() {
        for (name, contents) in EXAMPLE {
            write_atomic(&dir.join(name), contents.as_bytes())?;
        }
        eprint_safe(&format!(
            "wrote the reference example workspace to {}\n",
            dir.display()
        ));
    }
    let (shared, signing) = secrets(dir)?;
    let db_path = dir.join(".scenario-lab").join("demo.sqlite");
    std::fs::create_dir_all(db_path.parent().unwrap_or(dir))?;
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
    let packs = args.packs.clone().unwrap_or_else(|| {
        dir.parent()
            .map_or_else(|| std::path::PathBuf::from("anip"), |p| p.join("anip"))
    });
    let anip = crate::anip_demo::launch::launch(&dir.join(".scenario-lab"), &packs).await?;
    println!("anip: {}", anip.url);
    eprint_safe(&format!("{}\n", anip.note));

    let endpoint_args = EndpointArgs::for_url(&url);
    let client = EndpointClient::new(&url, &shared).configured(&endpoint_args);
    for line in reaper::reap(
        &Ledger::for_workspace(dir),
        &client,
        reaper::Scope::AnyEndpoint,
    )
    .await
    {
        eprint_safe(&format!("{line}\n"));
    }
    let editor = tokio::net::TcpListener::bind(("127.0.0.1", args.editor_port)).await?;
    let mut state = AppState::new(
        dir.canonicalize()?,
        server::new_session_token(),
        editor.local_addr()?.port(),
    );
    if !args.no_validate {
        startup_validation(
            args,
            &client,
            &signing,
            &database_url,
            &endpoint_args,
            &state,
        )
        .await?;
    }
    state.endpoint = Some(client);
    state.packs_dir = packs;
    // The demo's own service is one the user started, with its documented demo credentials.
    state.anip_services.clone_from(&args.anip_services);
    state.anip_services.push(anip.url.clone());
    state.anip_env = crate::anip_demo::DEMO_CREDENTIALS
        .iter()
        .map(|(env, key, _)| ((*env).to_owned(), (*key).to_owned()))
        .collect();
    state.endpoint_args = endpoint_args;
    state.signing_secret = Some(signing);
    state.database_url = Some(database_url);
    state.dist = args
        .dist
        .join("index.html")
        .exists()
        .then(|| args.dist.clone());
    server::serve_editor(editor, state, args.open).await?;
    Ok(exit::OK)
}

/// The validation the demo runs at startup; the editor opens on its result.
async fn startup_validation(
    args: &DemoArgs,
    client: &EndpointClient,
    signing: &str,
    database_url: &str,
    endpoint_args: &EndpointArgs,
    state: &AppState,
) -> Result<(), CommandError> {
    let dir = &args.workspace.dir;
    let validate = ValidateArgs {
        endpoint: endpoint_args.clone(),
        database_url: Some(database_url.to_owned()),
        workspace: args.workspace.clone(),
        scenarios: Vec::new(),
        iteration: 1,
        repeat: 2,
        jobs: 1,
        report_json: None,
        report_junit: None,
        report_html: None,
        write: false,
        no_conformance: false,
        probe_origins: Vec::new(),
        reconcile: false,
        edits: Vec::new(),
    };
    let recipes = WorkspaceDir::read(dir)
        .ok()
        .and_then(|d| d.text(FileKind::Recipes).map(str::to_owned));
    let (report, code) = validation::execute(
        &validate,
        client,
        Some(signing.to_owned()),
        &progress_to_stderr,
        &validation::Steering::default(),
    )
    .await?;
    if let Some(report) = &report {
        eprint_safe(&validate_report::summary_table(report));
    }
    // The editor opens on this result.
    let outcome = ValidateOutcome {
        exit_code: code,
        report,
        error: None,
    };
    server::remember(state, &outcome, &[], recipes.as_deref());
    Ok(())
}

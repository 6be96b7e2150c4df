//! Entry point of `scenario-lab`: parses arguments and dispatches to a command.

use clap::Parser;
use scenario_lab::cli::{Cli, Command, exit};
use scenario_lab::commands;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Reads FAILPOINTS when built with the `failpoints` feature (the end-to-end tests).
    let _failpoints = fail::FailScenario::setup();
    // Logs (the proxy's internal failures) go to standard error, escaped; SCENARIO_LAB_LOG sets
    // the level (default `warn`).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SCENARIO_LAB_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_ansi(false)
        .with_writer(|| scenario_lab::terminal::EscapedStderr)
        .init();
    fail::fail_point!("probe", |_| {
        println!("failpoints: on");
        ExitCode::SUCCESS
    });
    let mut cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    if let Some(workspace) = cli.command.workspace_mut() {
        let cwd = std::env::current_dir().unwrap_or_default();
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        workspace.resolve(&cwd, home.as_deref());
    }
    let result: Result<u8, commands::CommandError> = match &cli.command {
        Command::Preflight(args) if args.watch => commands::preflight_watch::run(args),
        Command::Preflight(args) => commands::preflight::run(args),
        Command::Pending(args) => commands::pending::run(args),
        Command::Lsp(args) => commands::lsp::run(args),
        live => match tokio::runtime::Runtime::new() {
            Ok(runtime) => runtime.block_on(async {
                match live {
                    Command::Discover(args) => commands::discover::run(args).await,
                    Command::Validate(args) => commands::validate::run(args).await,
                    Command::Up(args) => commands::up::run(args).await,
                    Command::Down(args) => commands::down::run(args).await,
                    Command::Conformance(args) => commands::conformance::run(args).await,
                    Command::Upload(args) => commands::upload::run(args).await,
                    Command::Serve(args) => commands::serve::run(args).await,
                    Command::Demo(args) => commands::demo::run(args).await,
                    Command::Anip(args) => commands::anip::run(args).await,
                    Command::Preflight(_) | Command::Pending(_) | Command::Lsp(_) => {
                        unreachable!("handled above")
                    }
                }
            }),
            Err(error) => Err(error.into()),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            scenario_lab::terminal::eprint_safe(&format!("error: {error:#}\n"));
            ExitCode::from(exit::USAGE)
        }
    }
}

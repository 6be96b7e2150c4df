//! Entry point of `scenario-lab`: parses arguments and dispatches to a command.

use clap::Parser;
use scenario_lab::cli::{Cli, Command};
use scenario_lab::{live_commands, preflight_command, validate_command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                preflight_command::exit::USAGE
            } else {
                preflight_command::exit::OK
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result: anyhow::Result<u8> = match &cli.command {
        Command::Preflight(args) => preflight_command::run(args),
        live => match tokio::runtime::Runtime::new() {
            Ok(runtime) => runtime.block_on(async {
                match live {
                    Command::Discover(args) => live_commands::discover(args).await,
                    Command::Validate(args) => validate_command::run(args).await,
                    Command::Down(args) => live_commands::down(args).await,
                    Command::Conformance(args) => live_commands::conformance(args).await,
                    Command::Upload(args) => live_commands::upload(args).await,
                    Command::Serve(args) => scenario_lab::server::serve(args).await,
                    Command::Demo(args) => scenario_lab::demo_command::run(args).await,
                    Command::Preflight(_) => unreachable!("handled above"),
                }
            }),
            Err(error) => Err(error.into()),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(preflight_command::exit::USAGE)
        }
    }
}

//! Entry point of `scenario-lab`: parses arguments and dispatches to a command.

use clap::Parser;
use scenario_lab::cli::{Cli, Command};
use scenario_lab::preflight_command;
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
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(preflight_command::exit::USAGE)
        }
    }
}

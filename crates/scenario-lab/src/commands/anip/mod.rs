//! `scenario-lab anip …`: one module per subcommand over ANIP scenario packs.

pub mod check;
pub mod init;
pub mod parity;
pub mod run;

use super::CommandError;
use crate::cli::{AnipArgs, AnipCommand};

/// Dispatches `anip init|check|run|parity`; returns the exit code.
pub async fn run(args: &AnipArgs) -> Result<u8, CommandError> {
    match &args.command {
        AnipCommand::Init(args) => init::run(args).await,
        AnipCommand::Check(args) => check::run(args),
        AnipCommand::Run(args) => run::run(args).await,
        AnipCommand::Parity(args) => parity::run(args).await,
    }
}

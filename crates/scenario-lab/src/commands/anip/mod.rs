//! `scenario-lab anip …`: one module per subcommand over ANIP scenario packs (`write_pack` is
//! shared by the two that write one).

pub mod check;
pub mod import;
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
        AnipCommand::Import(args) => import::run(args),
    }
}

/// Writes a pack (see `anip::starter_files::write_pack`), the failure as a command error.
pub fn write_pack(
    path: &std::path::Path,
    pack: &serde_json::Value,
    header: &str,
) -> Result<(), CommandError> {
    crate::anip::starter_files::write_pack(path, pack, header).map_err(into_command_error)
}

/// Writes `text` atomically, making the folder first.
pub fn write_file(path: &std::path::Path, text: &str) -> Result<(), CommandError> {
    crate::anip::starter_files::write_file(path, text).map_err(into_command_error)
}

fn into_command_error(error: crate::anip::starter_files::StarterError) -> CommandError {
    match error {
        crate::anip::starter_files::StarterError::Write { path, source } => {
            CommandError::Write { path, source }
        }
        other => CommandError::Io(std::io::Error::other(other.to_string())),
    }
}

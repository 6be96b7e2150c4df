//! `scenario-lab lsp`: the language server on standard input and output.

use super::CommandError;
use crate::cli::{LspArgs, exit};
use lsp_server::Connection;

/// Serves one editor session; logs go to standard error (`SCENARIO_LAB_LOG=info`).
pub fn run(_args: &LspArgs) -> Result<u8, CommandError> {
    let (connection, io) = Connection::stdio();
    let session = crate::lsp::run(&connection);
    drop(connection);
    io.join()?;
    session?;
    Ok(exit::OK)
}

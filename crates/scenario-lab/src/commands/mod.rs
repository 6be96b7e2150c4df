//! One module per subcommand; each has `run(args)` returning the process exit code, or a
//! `CommandError` for a failure that leaves no verdict (`main` prints it, exit code 2).

pub mod anip;
pub mod conformance;
pub mod demo;
pub mod discover;
pub mod down;
pub mod lsp;
pub mod pending;
pub mod preflight;
pub mod preflight_watch;
pub mod serve;
pub mod up;
pub mod upload;
pub mod validate;

/// A failure of a command that is not a verdict: a file that cannot be written, a port taken.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Validate(#[from] crate::validation::ValidateError),
    #[error(transparent)]
    Report(#[from] validate::ReportError),
    #[error("cannot watch the workspace: {0}")]
    Watch(#[from] notify::Error),
    #[error(transparent)]
    Lsp(#[from] crate::lsp::LspError),
    #[error("the demo database: {0}")]
    Database(#[from] sqlx::Error),
}

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

/// Writes a pack value as YAML (or JSON for `*.json`), making the folder; `header` lines are
/// written first as YAML comments.
pub fn write_pack(
    path: &std::path::Path,
    pack: &serde_json::Value,
    header: &str,
) -> Result<(), CommandError> {
    let text = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::to_string_pretty(pack).unwrap_or_default()
    } else {
        let mut comments = String::new();
        for line in header.lines() {
            comments.push_str("# ");
            comments.push_str(line);
            comments.push('\n');
        }
        format!(
            "{comments}{}",
            serde_norway::to_string(pack).unwrap_or_default()
        )
    };
    write_file(path, &text)
}

/// Writes `text` atomically, making the folder first.
pub fn write_file(path: &std::path::Path, text: &str) -> Result<(), CommandError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| CommandError::Write {
            path: parent.display().to_string(),
            source,
        })?;
    }
    crate::atomic_file::write_atomic(path, text.as_bytes()).map_err(|source| CommandError::Write {
        path: path.display().to_string(),
        source,
    })
}

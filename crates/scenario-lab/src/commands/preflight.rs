//! `scenario-lab preflight`: read the folder, run the core preflight, render, pick the exit code.

use super::CommandError;
use crate::atomic_file::write_atomic;
use crate::cli::{PreflightArgs, exit};
use crate::render::preflight_report;
use crate::terminal::eprint_safe;
use crate::workspace_dir::WorkspaceDir;
use std::io::IsTerminal;

/// `--fix`: applies every quick fix to the files read and writes back the ones that changed.
fn apply_fixes(dir: &WorkspaceDir) -> Result<(), CommandError> {
    let mut texts = dir.files.clone();
    let applied = scenario_lab_core::fix_all::apply_fixes(&mut texts, |_| true);
    let mut written = Vec::new();
    for (kind, text) in &texts {
        if dir.text(*kind) != Some(text.as_str()) {
            write_atomic(&dir.path(*kind), text.as_bytes()).map_err(|source| {
                CommandError::Write {
                    path: dir.display_path(*kind),
                    source,
                }
            })?;
            written.push(dir.display_path(*kind));
        }
    }
    if applied > 0 {
        eprint_safe(&format!(
            "fixed {applied} problem(s) in {}\n",
            written.join(", ")
        ));
    } else {
        eprint_safe("no quick fix to apply\n");
    }
    Ok(())
}

/// The `preflight` command (`--watch` is `preflight_watch`); returns the process exit code.
pub fn run(args: &PreflightArgs) -> Result<u8, CommandError> {
    fix_first(args)?;
    once(args)
}

/// `--fix`: every quick fix applied before the first report.
pub fn fix_first(args: &PreflightArgs) -> Result<(), CommandError> {
    if args.fix
        && let Ok(dir) = WorkspaceDir::read(&args.workspace.dir)
    {
        apply_fixes(&dir)?;
    }
    Ok(())
}

/// One preflight of the folder as it is now, printed or written; returns the exit code.
pub fn once(args: &PreflightArgs) -> Result<u8, CommandError> {
    let dir = match WorkspaceDir::open(&args.workspace) {
        Ok(dir) => dir,
        Err(message) => {
            eprint_safe(&message);
            return Ok(exit::USAGE);
        }
    };
    let color = args.color.unwrap_or_else(|| {
        args.output.is_none()
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none()
    });
    let outcome = preflight_report(&dir, args.format, color);
    eprint_safe(&format!("{}\n", dir.reading_line(&outcome.report.dialects)));
    match &args.output {
        Some(path) => {
            write_atomic(path, outcome.output.as_bytes()).map_err(|source| {
                CommandError::Write {
                    path: path.display().to_string(),
                    source,
                }
            })?;
            eprint_safe(&format!(
                "{}\nreport written to {}\n",
                outcome.summary,
                path.display()
            ));
        }
        None => print!("{}", outcome.output),
    }
    Ok(if outcome.report.errors() > 0 {
        exit::CHECK_FAILED
    } else {
        exit::OK
    })
}

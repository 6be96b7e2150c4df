//! `scenario-lab preflight`: read the folder, run the core preflight, render, pick the exit code.

use super::CommandError;
use crate::atomic_file::write_atomic;
use crate::cli::{PreflightArgs, exit};
use crate::render::preflight_report;
use crate::terminal::eprint_safe;
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::FileKind;
use std::io::IsTerminal;

/// `--fix`: applies every quick fix to the files read and writes back the ones that changed.
fn apply_fixes(dir: &WorkspaceDir) -> Result<(), CommandError> {
    let mut texts = dir.files.clone();
    let applied = scenario_lab_core::fix_all::apply_fixes(&mut texts, |_| true);
    let mut written = Vec::new();
    for (kind, text) in &texts {
        if dir.text(*kind) != Some(text.as_str()) {
            write_atomic(&dir.dir.join(kind.file_name()), text.as_bytes()).map_err(|source| {
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

/// The `preflight` command; returns the process exit code.
pub fn run(args: &PreflightArgs) -> Result<u8, CommandError> {
    if args.fix
        && let Ok(dir) = WorkspaceDir::read(&args.workspace.dir)
    {
        apply_fixes(&dir)?;
    }
    if args.watch {
        return super::preflight_watch::run(args);
    }
    once(args)
}

/// One preflight of the folder as it is now, printed or written; returns the exit code.
pub fn once(args: &PreflightArgs) -> Result<u8, CommandError> {
    let dir = match WorkspaceDir::read(&args.workspace.dir) {
        Ok(dir) => dir,
        Err(error) => {
            eprint_safe(&format!(
                "error: {error}\n  help: pass the folder holding scenario-recipes.json with `--dir`\n"
            ));
            return Ok(exit::USAGE);
        }
    };
    if dir.text(FileKind::Recipes).is_none() {
        eprint_safe(&format!(
            "error: {} not found\n  help: preflight needs at least the recipes file; the other files are optional\n",
            dir.display_path(FileKind::Recipes)
        ));
        return Ok(exit::USAGE);
    }
    let color = args.color.unwrap_or_else(|| {
        args.output.is_none()
            && std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none()
    });
    let outcome = preflight_report(&dir, args.format, color);
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

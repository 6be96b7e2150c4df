//! `scenario-lab preflight --watch`: the preflight again on every change of the workspace files
//! (debounced; editors that save by deleting and renaming are seen through the folder), the
//! screen cleared, a status line with the time; Ctrl-C exits 0.

use super::CommandError;
use super::preflight::once;
use crate::cli::{PreflightArgs, exit};
use crate::settings::Settings;
use crate::terminal::print_safe;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use scenario_lab_core::FileKind;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

/// How long the files must be quiet before a run (an editor's save is several events).
const QUIET: Duration = Duration::from_millis(150);

/// Watches until Ctrl-C.
pub fn run(args: &PreflightArgs) -> Result<u8, CommandError> {
    super::preflight::fix_first(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(watch(args))
}

async fn watch(args: &PreflightArgs) -> Result<u8, CommandError> {
    let dir = &args.workspace.dir;
    let (sender, mut changes) = tokio::sync::mpsc::unbounded_channel();
    let mut debouncer = new_debouncer(QUIET, None, move |result: DebounceEventResult| {
        // Reading the files (our own runs) raises access events: only writes count.
        let relevant = result.is_ok_and(|events| {
            events
                .iter()
                .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                .flat_map(|e| e.paths.iter())
                .any(|p| is_workspace_file(p))
        });
        if relevant {
            let _ = sender.send(());
        }
    })?;
    debouncer.watch(dir, RecursiveMode::NonRecursive)?;
    pass(args);
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                print_safe("\nstopped watching\n");
                return Ok(exit::OK);
            }
            Some(()) = changes.recv() => {
                while changes.try_recv().is_ok() {}
                pass(args);
            }
        }
    }
}

/// One run: the screen cleared (on a terminal), the report, the status line.
fn pass(args: &PreflightArgs) {
    let mut out = std::io::stdout();
    if out.is_terminal() {
        let _ = out.write_all(b"\x1b[2J\x1b[H");
    } else {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
    let verdict = match once(args) {
        Ok(exit::OK) => "passed",
        Ok(exit::CHECK_FAILED) => "failed",
        Ok(_) => "could not run",
        Err(error) => {
            print_safe(&format!("error: {error}\n"));
            "could not run"
        }
    };
    print_safe(&format!(
        "[{}] preflight {verdict}; watching {} (Ctrl-C to stop)\n",
        chrono::Local::now().format("%H:%M:%S"),
        args.workspace.dir.display()
    ));
}

/// A change worth a run: a workspace file or the settings (not our own temporary files).
fn is_workspace_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    FileKind::ALL.iter().any(|k| k.file_name() == name) || name == Settings::FILE
}

//! Reads the `autonoma/` folder from disk into the texts the core checks.

use scenario_lab_core::fix_all::Texts;
use scenario_lab_core::{Code, Diagnostic, FileKind, Span, Workspace};
use std::path::{Path, PathBuf};

/// The workspace files read from one folder, with the path each came from.
#[derive(Debug, Default)]
pub struct WorkspaceDir {
    pub dir: PathBuf,
    pub files: Texts,
    /// Problems reading files (not UTF-8, unreadable).
    pub diagnostics: Vec<Diagnostic>,
}

/// Why the folder could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("`{0}` is not a folder")]
    NotADirectory(PathBuf),
    #[error("`{0}` does not exist")]
    Missing(PathBuf),
}

impl WorkspaceDir {
    /// Reads every known file that exists in `dir`.
    pub fn read(dir: &Path) -> Result<WorkspaceDir, WorkspaceError> {
        if !dir.exists() {
            return Err(WorkspaceError::Missing(dir.to_path_buf()));
        }
        if !dir.is_dir() {
            return Err(WorkspaceError::NotADirectory(dir.to_path_buf()));
        }
        let mut out = WorkspaceDir {
            dir: dir.to_path_buf(),
            ..WorkspaceDir::default()
        };
        for kind in FileKind::ALL {
            let path = dir.join(kind.file_name());
            if !path.is_file() {
                continue;
            }
            match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        out.files.insert(kind, text);
                    }
                    Err(error) => {
                        let valid = error.utf8_error().valid_up_to();
                        let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                        out.diagnostics.push(
                            Diagnostic::error(
                                Code::FILE_UNREADABLE,
                                kind,
                                Span::new(valid, valid + '\u{fffd}'.len_utf8()),
                                format!("{kind} is not valid UTF-8 (byte {valid})"),
                            )
                            .with_help(
                                "save the file as UTF-8; the invalid bytes are shown as U+FFFD",
                            ),
                        );
                        out.files.insert(kind, text);
                    }
                },
                Err(error) => out.diagnostics.push(Diagnostic::error(
                    Code::FILE_UNREADABLE,
                    kind,
                    Span::at(0),
                    format!("cannot read {}: {error}", path.display()),
                )),
            }
        }
        Ok(out)
    }

    pub fn text(&self, kind: FileKind) -> Option<&str> {
        self.files.get(&kind).map(String::as_str)
    }

    /// The texts as the core's `Workspace`.
    pub fn workspace(&self) -> Workspace<'_> {
        Workspace::from_texts(&self.files)
    }

    /// The path to show for a file: the folder as given, joined with the file name.
    pub fn display_path(&self, kind: FileKind) -> String {
        self.dir.join(kind.file_name()).display().to_string()
    }
}

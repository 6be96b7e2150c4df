//! Reads the `autonoma/` folder from disk: the workspace files the core checks, and the few
//! other files commands need (settings, sentinels, the generation id). The only place that reads
//! workspace files.

use crate::settings::Settings;
use scenario_lab_core::Texts;
use scenario_lab_core::{Code, Diagnostic, FileKind, Span, Workspace};
use std::path::{Path, PathBuf};

/// Whether symbolic links inside the workspace are followed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Links {
    /// The CLI: the user's own links are theirs to make.
    #[default]
    Follow,
    /// The proxy: a link is refused (it could point anywhere on the machine).
    Refuse,
}

/// The workspace files read from one folder, with the path each came from.
#[derive(Debug, Default)]
pub struct WorkspaceDir {
    pub dir: PathBuf,
    pub files: Texts,
    /// Problems reading files (not UTF-8, unreadable, a refused link).
    pub diagnostics: Vec<Diagnostic>,
    links: Links,
}

/// Why the folder could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("`{0}` is not a folder")]
    NotADirectory(PathBuf),
    #[error("`{0}` does not exist")]
    Missing(PathBuf),
}

/// Files besides the workspace files that commands read.
pub const OTHER_FILES: [&str; 3] = [Settings::FILE, ".endpoint-implemented", ".generation-id"];

impl WorkspaceDir {
    /// Reads every known file that exists in `dir`, following links.
    pub fn read(dir: &Path) -> Result<WorkspaceDir, WorkspaceError> {
        Self::read_with(dir, Links::Follow)
    }

    /// Reads every known file that exists in `dir`.
    pub fn read_with(dir: &Path, links: Links) -> Result<WorkspaceDir, WorkspaceError> {
        if !dir.exists() {
            return Err(WorkspaceError::Missing(dir.to_path_buf()));
        }
        if !dir.is_dir() {
            return Err(WorkspaceError::NotADirectory(dir.to_path_buf()));
        }
        let mut out = WorkspaceDir {
            dir: dir.to_path_buf(),
            links,
            ..WorkspaceDir::default()
        };
        for kind in FileKind::ALL {
            match read_bytes(&out.dir, kind.file_name(), links) {
                Ok(Some(bytes)) => out.add(kind, bytes),
                Ok(None) => {}
                Err(message) => out.diagnostics.push(Diagnostic::error(
                    Code::FILE_UNREADABLE,
                    kind,
                    Span::at(0),
                    message,
                )),
            }
        }
        Ok(out)
    }

    fn add(&mut self, kind: FileKind, bytes: Vec<u8>) {
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.files.insert(kind, text);
            }
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::FILE_UNREADABLE,
                        kind,
                        Span::new(valid, valid + '\u{fffd}'.len_utf8()),
                        format!("{kind} is not valid UTF-8 (byte {valid})"),
                    )
                    .with_help("save the file as UTF-8; the invalid bytes are shown as U+FFFD"),
                );
                self.files.insert(kind, text);
            }
        }
    }

    pub fn text(&self, kind: FileKind) -> Option<&str> {
        self.files.get(&kind).map(String::as_str)
    }

    /// One of [`OTHER_FILES`] as text (`None` when absent; `Err` when unreadable).
    pub fn other(&self, name: &str) -> Result<Option<String>, String> {
        debug_assert!(
            OTHER_FILES.contains(&name),
            "{name} is not a workspace file"
        );
        match read_bytes(&self.dir, name, self.links)? {
            Some(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| format!("{} is not valid UTF-8", self.dir.join(name).display())),
            None => Ok(None),
        }
    }

    /// `scenario-lab.toml` (defaults when absent); `Err` names the place of a problem.
    pub fn settings(&self) -> Result<Settings, String> {
        match self.other(Settings::FILE)? {
            Some(text) => Settings::parse(&text).map_err(|e| format!("{}/{e}", self.dir.display())),
            None => Ok(Settings::default()),
        }
    }

    /// The text of one file of `dir` (a workspace file or one of [`OTHER_FILES`]) as it is on
    /// disk now; `None` when absent.
    pub fn current(dir: &Path, name: &str, links: Links) -> Result<Option<String>, String> {
        match read_bytes(dir, name, links)? {
            Some(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| format!("{name} is not valid UTF-8")),
            None => Ok(None),
        }
    }

    /// When `name` was last modified, in milliseconds since the Unix epoch.
    pub fn modified_ms(&self, name: &str) -> Option<u64> {
        let modified = std::fs::symlink_metadata(self.dir.join(name))
            .and_then(|m| m.modified())
            .ok()?;
        let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
        u64::try_from(since.as_millis()).ok()
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

/// The bytes of `name` in the folder; `None` when it does not exist; `Err` says why it
/// cannot be read.
fn read_bytes(dir: &Path, name: &str, links: Links) -> Result<Option<Vec<u8>>, String> {
    let path = dir.join(name);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return Ok(None);
    };
    if meta.is_symlink() && links == Links::Refuse {
        return Err(format!(
            "{} is a symbolic link; the proxy reads only regular files inside the workspace",
            path.display()
        ));
    }
    if !path.is_file() {
        return Ok(None);
    }
    std::fs::read(&path)
        .map(Some)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))
}

//! Reads the `autonoma/` folder from disk: the workspace files the core checks, and the few
//! other files commands need (settings, sentinels, the generation id). The only place that reads
//! workspace files.

use crate::cli::WorkspaceArgs;
use crate::settings::Settings;
use crate::workspace_find::{self, Place};
use scenario_lab_core::Texts;
use scenario_lab_core::diagnostic::PLANNER_RECIPES;
use scenario_lab_core::dialect::{self, Dialects, Layout};
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
    /// The folder's layout, from the names in it.
    pub layout: Layout,
    /// The recipes file's name: `scenario-recipes.json` or the planner's `recipe.json`.
    pub recipes_name: &'static str,
    /// Files read from elsewhere than the folder (the recipe's `source` paths).
    pub paths: std::collections::BTreeMap<FileKind, PathBuf>,
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
    /// The folder a command was given or found, read; `Err` is the whole message for the
    /// terminal (what is wrong and where to look) when it is missing, the planner's machine
    /// folder, or has no recipes file.
    pub fn open(args: &WorkspaceArgs) -> Result<WorkspaceDir, String> {
        if let Some(refusal) = workspace_find::refuse_machine_folder(&args.dir) {
            return Err(format!("error: {refusal}\n"));
        }
        let help = match args.place {
            Some(Place::Default) => {
                "  help: no autonoma/, .autonoma/ or ~/.autonoma/<slug>/ (the planner CLI's folder for this directory) was found from here; pass the folder with `--dir`\n"
            }
            _ => {
                "  help: pass the folder holding scenario-recipes.json or recipe.json with `--dir`\n"
            }
        };
        let dir = Self::read(&args.dir).map_err(|error| format!("error: {error}\n{help}"))?;
        if dir.text(FileKind::Recipes).is_none() {
            return Err(format!(
                "error: no recipes file in {}: neither scenario-recipes.json nor recipe.json\n  help: preflight needs at least the recipes file; the other files are optional\n",
                args.dir.display()
            ));
        }
        Ok(dir)
    }

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
        let recipes_name = recipes_name(dir);
        let mut out = WorkspaceDir {
            dir: dir.to_path_buf(),
            links,
            layout: Self::layout_of(dir),
            recipes_name,
            ..WorkspaceDir::default()
        };
        for kind in FileKind::ALL {
            match read_bytes(&out.dir, out.name(kind), links) {
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
        if links == Links::Follow {
            out.read_sources();
        }
        Ok(out)
    }

    /// The layout of the folder `dir` from the names in it (plugin, planner CLI, hand-made).
    pub fn layout_of(dir: &Path) -> Layout {
        let names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        dialect::layout_of(names.iter().map(String::as_str))
    }

    /// `discover.json` and `scenarios.md` absent from the folder but named by the recipe's
    /// `source` (`autonoma/discover.json` in a hand-made repository): resolved against the
    /// folder, then each of its ancestors (`planner.md` §1.6). The CLI only: the proxy reads
    /// nothing outside the workspace.
    fn read_sources(&mut self) {
        let Some(source) = self
            .text(FileKind::Recipes)
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .and_then(|v| v.get("source").cloned())
        else {
            return;
        };
        for (kind, key) in [
            (FileKind::Discover, "discoverPath"),
            (FileKind::Scenarios, "scenariosPath"),
        ] {
            let Some(relative) = source.get(key).and_then(serde_json::Value::as_str) else {
                continue;
            };
            if self.files.contains_key(&kind)
                || relative.is_empty()
                || Path::new(relative).is_absolute()
            {
                continue;
            }
            let found = self
                .dir
                .ancestors()
                .map(|at| at.join(relative))
                .find(|p| p.is_file() && p.file_name().is_some_and(|n| n == kind.file_name()));
            if let Some(path) = found
                && let Ok(bytes) = std::fs::read(&path)
            {
                self.add(kind, bytes);
                self.paths.insert(kind, path);
            }
        }
    }

    fn add(&mut self, kind: FileKind, bytes: Vec<u8>) {
        match String::from_utf8(bytes) {
            Ok(text) => {
                self.files.insert(kind, text);
            }
            Err(error) => {
                let valid = error.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                let name = self.name(kind);
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::FILE_UNREADABLE,
                        kind,
                        Span::new(valid, valid + '\u{fffd}'.len_utf8()),
                        format!("{name} is not valid UTF-8 (byte {valid})"),
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
        Workspace::from_texts(&self.files).in_layout(self.layout)
    }

    /// The name of `kind`'s file in this folder (`recipe.json` where the planner's name is used).
    pub fn name(&self, kind: FileKind) -> &'static str {
        match kind {
            FileKind::Recipes => self.recipes_name,
            other => other.file_name(),
        }
    }

    /// The path to show for a file: the folder as given, joined with the file name.
    pub fn display_path(&self, kind: FileKind) -> String {
        self.path(kind).display().to_string()
    }

    /// Where `kind`'s file is: in the folder, or where the recipe's `source` named it.
    pub fn path(&self, kind: FileKind) -> PathBuf {
        self.paths
            .get(&kind)
            .cloned()
            .unwrap_or_else(|| self.dir.join(self.name(kind)))
    }

    /// The reading line of a command that runs no preflight (the files are parsed, not checked).
    pub fn describe(&self) -> String {
        let parsed =
            scenario_lab_core::preflight::parse_workspace(&self.workspace(), &mut Vec::new());
        self.reading_line(&parsed.dialects)
    }

    /// The first line a command prints: what was read, and as what ("reading .autonoma/ as a
    /// planner CLI copy: recipe.json (recipe envelope, planner CLI format), ...; no discover.json").
    pub fn reading_line(&self, dialects: &Dialects) -> String {
        let mut read = Vec::new();
        let mut missing = Vec::new();
        for kind in FileKind::ALL {
            if kind == FileKind::Validation && !self.files.contains_key(&kind) {
                continue;
            }
            match dialects.files.iter().find(|f| f.file == kind) {
                Some(found) => read.push(format!("{} ({})", self.name(kind), found.label())),
                None if self.files.contains_key(&kind) => read.push(self.name(kind).to_owned()),
                None => missing.push(self.name(kind)),
            }
        }
        let mut line = format!(
            "reading {}/ as {}: {}",
            self.dir.display().to_string().trim_end_matches('/'),
            self.layout.label(),
            if read.is_empty() {
                "nothing".to_owned()
            } else {
                read.join(", ")
            }
        );
        if !missing.is_empty() {
            line.push_str("; no ");
            line.push_str(&missing.join(", no "));
        }
        line
    }
}

/// The recipes file of `dir`: `scenario-recipes.json`, else the planner's `recipe.json` when only
/// that one exists.
pub fn recipes_name(dir: &Path) -> &'static str {
    let plugin = FileKind::Recipes.file_name();
    if !dir.join(plugin).exists() && dir.join(PLANNER_RECIPES).exists() {
        PLANNER_RECIPES
    } else {
        plugin
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_paths_are_resolved_against_the_folder_and_its_ancestors() {
        let root = tempfile::tempdir().expect("tempdir");
        let folder = root.path().join("app/autonoma");
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::create_dir_all(root.path().join("app/schemas")).expect("mkdir");
        std::fs::write(
            folder.join("recipe.json"),
            r#"{"source":{"discoverPath":"schemas/discover.json","scenariosPath":"autonoma/scenarios.md"},"recipes":[]}"#,
        )
        .expect("write");
        std::fs::write(root.path().join("app/schemas/discover.json"), "{}").expect("write");
        let dir = WorkspaceDir::read(&folder).expect("read");
        assert_eq!(dir.recipes_name, "recipe.json");
        assert!(dir.text(FileKind::Discover).is_some());
        assert!(
            dir.display_path(FileKind::Discover)
                .ends_with("app/schemas/discover.json")
        );
        assert!(
            dir.text(FileKind::Scenarios).is_none(),
            "no such file anywhere up"
        );
        let proxy = WorkspaceDir::read_with(&folder, Links::Refuse).expect("read");
        assert!(
            proxy.text(FileKind::Discover).is_none(),
            "the proxy reads the folder only"
        );
    }
}

//! The open documents and the workspace folder each belongs to: what the editor has open wins
//! over what is on disk.

use super::position::{Encoding, Lines};
use crate::workspace_dir::WorkspaceDir;
use lsp_types::{TextDocumentContentChangeEvent, Url};
use scenario_lab_core::{FileKind, Texts};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A workspace file: its folder and which file it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct FileId {
    pub(super) folder: PathBuf,
    pub(super) kind: FileKind,
}

impl FileId {
    /// The workspace file `uri` names; `None` for any other file.
    pub(super) fn of(uri: &Url) -> Option<FileId> {
        let path = uri.to_file_path().ok()?;
        let kind = FileKind::from_file_name(path.file_name()?.to_str()?)?;
        Some(FileId {
            folder: path.parent()?.to_path_buf(),
            kind,
        })
    }

    /// The file's URI; the recipes file under the name it has on disk (`recipe.json` in planner
    /// and hand-made folders).
    pub(super) fn uri(&self) -> Option<Url> {
        let name = match self.kind {
            FileKind::Recipes => crate::workspace_dir::recipes_name(&self.folder),
            kind => kind.file_name(),
        };
        Url::from_file_path(self.folder.join(name)).ok()
    }
}

/// The documents the editor has open, by file.
#[derive(Debug, Default)]
pub(super) struct Documents {
    open: BTreeMap<FileId, (Url, String)>,
}

impl Documents {
    /// Opens `file` as the editor names it (`uri`, echoed back in every answer).
    pub(super) fn open(&mut self, file: FileId, uri: Url, text: String) {
        self.open.insert(file, (uri, text));
    }

    pub(super) fn close(&mut self, file: &FileId) {
        self.open.remove(file);
    }

    /// Applies the editor's changes in order (whole-text or ranged).
    pub(super) fn change(
        &mut self,
        file: &FileId,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) {
        let Some((_, text)) = self.open.get_mut(file) else {
            return;
        };
        for change in changes {
            match change.range {
                None => *text = change.text,
                Some(range) => {
                    let span = Lines::new(text, encoding).span(range);
                    text.replace_range(span.start..span.end, &change.text);
                }
            }
        }
    }

    /// The folders holding an open document.
    pub(super) fn folders(&self) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = self.open.keys().map(|f| f.folder.clone()).collect();
        folders.dedup();
        folders
    }

    /// The workspace texts of `folder`: the open documents, the rest from disk.
    pub(super) fn texts(&self, folder: &Path) -> Texts {
        let mut texts = WorkspaceDir::read(folder)
            .map(|dir| dir.files)
            .unwrap_or_default();
        for (file, (_, text)) in &self.open {
            if file.folder == folder {
                texts.insert(file.kind, text.clone());
            }
        }
        texts
    }

    /// The URIs the editor uses for the open files of `folder`.
    pub(super) fn uris(&self, folder: &Path) -> BTreeMap<FileKind, Url> {
        self.open
            .iter()
            .filter(|(file, _)| file.folder == folder)
            .map(|(file, (uri, _))| (file.kind, uri.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn ranged_changes_apply_in_order() {
        let file = FileId {
            folder: PathBuf::from("/w/autonoma"),
            kind: FileKind::Recipes,
        };
        let mut docs = Documents::default();
        let uri = file.uri().expect("a file URI");
        docs.open(
            file.clone(),
            uri.clone(),
            "{\"a\": \"\u{1F680}x\"}".to_owned(),
        );
        let change = |l, c, l2, c2, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l, c), Position::new(l2, c2))),
            range_length: None,
            text: text.to_owned(),
        };
        // Replace the `x` after the rocket (UTF-16 column 9), then insert a line break.
        docs.change(
            &file,
            vec![change(0, 9, 0, 10, "y"), change(0, 1, 0, 1, "\n ")],
            Encoding::Utf16,
        );
        assert_eq!(docs.open[&file].1, "{\n \"a\": \"\u{1F680}y\"}");
        assert_eq!(FileId::of(&uri), Some(file));
    }
}

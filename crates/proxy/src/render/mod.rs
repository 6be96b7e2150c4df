//! Preflight reports rendered for people (rustc-style text), machines (JSON) and CI (JUnit XML).

pub mod human;
pub mod json;
pub mod junit;

use scenario_lab_core::line_index::{LineCol, LineIndex};
use scenario_lab_core::{Diagnostic, FileKind, Report};

/// A report plus the texts and paths needed to show positions.
#[derive(Debug)]
pub struct Rendered<'a> {
    pub report: &'a Report,
    pub sources: Vec<SourceFile<'a>>,
}

/// One workspace file's text and how to name it.
#[derive(Debug)]
pub struct SourceFile<'a> {
    pub kind: FileKind,
    pub path: String,
    pub text: &'a str,
    pub lines: LineIndex,
}

impl<'a> Rendered<'a> {
    pub fn new(
        report: &'a Report,
        files: impl IntoIterator<Item = (FileKind, String, &'a str)>,
    ) -> Self {
        let sources = files
            .into_iter()
            .map(|(kind, path, text)| SourceFile {
                kind,
                path,
                text,
                lines: LineIndex::new(text),
            })
            .collect();
        Rendered { report, sources }
    }

    pub fn source(&self, kind: FileKind) -> Option<&SourceFile<'a>> {
        self.sources.iter().find(|s| s.kind == kind)
    }

    pub fn path(&self, kind: FileKind) -> String {
        self.source(kind)
            .map_or_else(|| kind.file_name().to_owned(), |s| s.path.clone())
    }

    /// Start and end positions (1-based, columns in characters).
    pub fn positions(&self, diagnostic: &Diagnostic) -> (LineCol, LineCol) {
        match self.source(diagnostic.file) {
            Some(source) => (
                source
                    .lines
                    .line_col_chars(source.text, diagnostic.span.start),
                source
                    .lines
                    .line_col_chars(source.text, diagnostic.span.end),
            ),
            None => (
                LineCol { line: 1, column: 1 },
                LineCol { line: 1, column: 1 },
            ),
        }
    }
}

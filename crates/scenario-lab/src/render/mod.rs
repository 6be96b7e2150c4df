//! Preflight reports rendered for people (rustc-style text), machines (JSON) and CI (JUnit XML).

pub mod html;
pub mod human;
pub mod json;
pub mod junit;

use crate::cli::Format;
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::line_index::{LineCol, LineIndex};
use scenario_lab_core::{Diagnostic, FileKind, Report, preflight};

/// A report plus the texts and paths needed to show positions.
#[derive(Debug)]
pub struct Rendered<'a> {
    pub report: &'a Report,
    pub sources: Vec<SourceFile<'a>>,
    /// What checked the files: `preflight` or `anip check` (summary lines, JUnit suites).
    pub title: &'static str,
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
        Rendered {
            report,
            sources,
            title: "preflight",
        }
    }

    /// The same, named after another check (`anip check`).
    #[must_use]
    pub fn titled(mut self, title: &'static str) -> Self {
        self.title = title;
        self
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

/// The outcome of a preflight: the report and the text rendered for the chosen format.
#[derive(Debug)]
pub struct PreflightOutcome {
    pub report: Report,
    pub output: String,
    pub summary: String,
}

/// The preflight of a folder already read, with the problems of reading it.
fn workspace_report(dir: &WorkspaceDir) -> Report {
    let mut report = preflight(&dir.workspace());
    report
        .diagnostics
        .splice(0..0, dir.diagnostics.iter().cloned());
    scenario_lab_core::diagnostic::sort_diagnostics(&mut report.diagnostics);
    report
}

/// The folder's files as the renderers name them.
fn sources(dir: &WorkspaceDir) -> Vec<(FileKind, String, &str)> {
    dir.files
        .iter()
        .map(|(kind, text)| (*kind, dir.display_path(*kind), text.as_str()))
        .collect()
}

/// The HTML report of a validation of `dir` (with the workspace's diagnostics and graphs).
pub fn validation_html(
    report: &scenario_lab_core::run_report::ValidateReport,
    dir: &WorkspaceDir,
) -> String {
    let preflight = workspace_report(dir);
    let rendered = Rendered::new(&preflight, sources(dir));
    html::validation_page(report, &rendered, dir)
}

/// Runs the preflight on a folder already read.
pub fn preflight_report(dir: &WorkspaceDir, format: Format, color: bool) -> PreflightOutcome {
    let report = workspace_report(dir);
    let rendered = Rendered::new(&report, sources(dir));
    let output = match format {
        Format::Human => human::render(&rendered, color),
        Format::Json => json::render(&rendered),
        Format::Junit => junit::render(&rendered),
        Format::Html => html::preflight_page(&rendered, dir),
    };
    let summary = human::summary(&rendered);
    PreflightOutcome {
        report,
        output,
        summary,
    }
}

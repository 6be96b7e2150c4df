//! What the editor shows about the files, computed by the core: diagnostics with lines, the scenarios table, recipe trees and graphs.

use scenario_lab_core::dialect::{Dialects, Layout};
use scenario_lab_core::line_index::LineIndex;
use scenario_lab_core::recipe_picture::{self, RecipePicture};
use scenario_lab_core::recipes::{self, Recipe};
use scenario_lab_core::{
    Code, Diagnostic, FileKind, Fix, Severity, Workspace, discover, json, scenarios,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// The text of every workspace file the editor holds (absent files are missing keys).
pub use scenario_lab_core::Texts;

/// One diagnostic as the editor lists it: the core's data plus 1-based line and column.
#[derive(Clone, Debug, PartialEq)]
pub struct DiagnosticRow {
    pub diagnostic: Diagnostic,
    pub line: usize,
    pub column: usize,
    /// 1-based line of each of the diagnostic's labels, in order.
    pub label_lines: Vec<usize>,
}

impl DiagnosticRow {
    pub fn code(&self) -> &'static str {
        self.diagnostic.code.as_str()
    }
    pub fn severity(&self) -> Severity {
        self.diagnostic.severity
    }
    pub fn fix(&self) -> Option<&Fix> {
        self.diagnostic.fix.as_ref()
    }
}

/// The result of one preflight run in the browser.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    pub rows: Vec<DiagnosticRow>,
    pub skipped: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
    /// Each file's dialect (plugin, planner CLI, free-form, ...), as the file list shows it.
    pub dialects: Dialects,
}

/// Runs the core's preflight on the texts and places every diagnostic on its line.
pub fn analyze(texts: &Texts, layout: Layout) -> Analysis {
    let report = scenario_lab_core::preflight(&Workspace::from_texts(texts).in_layout(layout));
    let skipped = report
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.checks, s.reason))
        .collect();
    Analysis::new(texts, report.diagnostics, skipped).with_dialects(report.dialects)
}

impl Analysis {
    /// With the report's dialects.
    #[must_use]
    pub fn with_dialects(mut self, dialects: Dialects) -> Analysis {
        self.dialects = dialects;
        self
    }

    /// For the file list: "planner CLI format", when `file` was read.
    pub fn dialect_label(&self, file: FileKind) -> Option<String> {
        self.dialects
            .files
            .iter()
            .find(|f| f.file == file)
            .map(scenario_lab_core::dialect::FileDialect::label)
    }

    /// The preflight's diagnostics (from this thread or the worker) placed on their lines.
    pub fn new(texts: &Texts, diagnostics: Vec<Diagnostic>, skipped: Vec<String>) -> Analysis {
        let mut indexes: BTreeMap<FileKind, LineIndex> = BTreeMap::new();
        let mut place = |file: FileKind, offset: usize| {
            let text = texts.get(&file).map_or("", String::as_str);
            indexes
                .entry(file)
                .or_insert_with(|| LineIndex::new(text))
                .line_col_chars(text, offset.min(text.len()))
        };
        let rows = diagnostics
            .into_iter()
            .map(|diagnostic| {
                let position = place(diagnostic.file, diagnostic.span.start);
                let label_lines = diagnostic
                    .labels
                    .iter()
                    .map(|label| place(label.file, label.span.start).line)
                    .collect();
                DiagnosticRow {
                    line: position.line,
                    column: position.column,
                    label_lines,
                    diagnostic,
                }
            })
            .collect::<Vec<_>>();
        let count = |severity| rows.iter().filter(|r| r.severity() == severity).count();
        Analysis {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            skipped,
            rows,
            dialects: Dialects::default(),
        }
    }
}

/// A diagnostic as the code view draws it: UTF-16 offsets, its fix, whether it is a knock-on.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeDiagnostic {
    pub from: usize,
    pub to: usize,
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    pub knock_on: bool,
    pub fixes: Vec<CodeFix>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeFix {
    pub message: String,
    pub file: &'static str,
    pub edits: Vec<CodeEdit>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeEdit {
    pub from: usize,
    pub to: usize,
    pub new_text: String,
}

/// The analysis per file for the code view (CodeMirror's severities: error, warning, info).
pub fn code_diagnostics(
    texts: &Texts,
    analysis: &Analysis,
) -> BTreeMap<FileKind, Vec<CodeDiagnostic>> {
    let indexes: BTreeMap<FileKind, (&str, LineIndex)> = texts
        .iter()
        .map(|(kind, text)| (*kind, (text.as_str(), LineIndex::new(text))))
        .collect();
    let utf16 = |file: FileKind, offset: usize| {
        indexes
            .get(&file)
            .map_or(offset, |(text, index)| index.utf16_of(text, offset))
    };
    let mut out: BTreeMap<FileKind, Vec<CodeDiagnostic>> = BTreeMap::new();
    for (i, row) in analysis.rows.iter().enumerate() {
        let d = &row.diagnostic;
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        if let Some(cause) = analysis.cause_of(i) {
            message.push_str("\n(follows from: ");
            message.push_str(&cause.diagnostic.message);
            message.push(')');
        }
        out.entry(d.file).or_default().push(CodeDiagnostic {
            from: utf16(d.file, d.span.start),
            to: utf16(d.file, d.span.end),
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            message,
            knock_on: analysis.cause_of(i).is_some(),
            fixes: d
                .fix
                .iter()
                .map(|fix| CodeFix::of(fix, |offset| utf16(fix.file, offset)))
                .collect(),
        });
    }
    out
}

impl CodeFix {
    /// A core fix for the code view, its offsets turned into UTF-16 by `utf16`.
    pub fn of(fix: &scenario_lab_core::Fix, utf16: impl Fn(usize) -> usize) -> CodeFix {
        CodeFix {
            message: fix.message.clone(),
            file: fix.file.file_name(),
            edits: fix
                .edits
                .iter()
                .map(|e| CodeEdit {
                    from: utf16(e.span.start),
                    to: utf16(e.span.end),
                    new_text: e.new_text.clone(),
                })
                .collect(),
        }
    }
}

impl Analysis {
    /// The diagnostic that row `i` follows from: a `recipe/not-rooted` record whose label points
    /// at a `_ref` to an unknown alias is not rooted because of that `_ref`.
    pub fn cause_of(&self, i: usize) -> Option<&DiagnosticRow> {
        let d = &self.rows.get(i)?.diagnostic;
        if d.code != Code::RECIPE_NOT_ROOTED {
            return None;
        }
        self.rows.iter().find(|cause| {
            let c = &cause.diagnostic;
            c.code == Code::RECIPE_UNKNOWN_ALIAS
                && d.labels
                    .iter()
                    .any(|l| l.file == c.file && l.span == c.span)
        })
    }
}

/// The number of lines of a text as an editor counts them (an empty text has one line).
pub fn line_count(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// The UTF-16 offset of a byte offset, for the textarea's selection API.
pub fn utf16_offset(text: &str, byte_offset: usize) -> u32 {
    let end = scenario_lab_core::line_index::floor_char_boundary(text, byte_offset.min(text.len()));
    text[..end].encode_utf16().count() as u32
}

/// The byte offset of a UTF-16 offset (the textarea's caret), the inverse of `utf16_offset`.
pub fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0u32;
    for (offset, ch) in text.char_indices() {
        if units >= utf16 {
            return offset;
        }
        units += ch.len_utf16() as u32;
    }
    text.len()
}

/// One scenario of the frontmatter, as a row of the overview table.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioRow {
    pub name: String,
    pub description: String,
    pub entity_types: Option<i64>,
    pub total_entities: Option<i64>,
    pub variables: Vec<String>,
    pub has_recipe: bool,
}

/// The scenarios table: frontmatter entries, their variable fields and whether a recipe exists.
pub fn scenario_rows(texts: &Texts) -> (Vec<ScenarioRow>, Vec<String>) {
    let Some(text) = texts.get(&FileKind::Scenarios) else {
        return (Vec::new(), Vec::new());
    };
    let doc = scenarios::parse(text).value;
    let recipe_names = recipe_names(texts);
    let rows = doc
        .scenarios
        .iter()
        .map(|entry| ScenarioRow {
            name: entry.name.clone(),
            description: entry.description.clone().unwrap_or_default(),
            entity_types: entry.entity_types.map(|(n, _)| n),
            total_entities: entry.total_entities.map(|(n, _)| n),
            variables: doc
                .variable_fields
                .iter()
                .filter(|v| v.scenarios.iter().any(|(s, _)| *s == entry.name))
                .map(|v| v.token.clone())
                .collect(),
            has_recipe: recipe_names.contains(&entry.name),
        })
        .collect();
    let entity_types = doc.entity_types.into_iter().map(|(e, _)| e).collect();
    (rows, entity_types)
}

/// Calls `read` with the recipes of the recipes file, when it is there and parses.
fn with_recipes<T: Default>(texts: &Texts, read: impl FnOnce(&[Recipe<'_>]) -> T) -> T {
    let Some(text) = texts.get(&FileKind::Recipes) else {
        return T::default();
    };
    let parsed = json::parse(FileKind::Recipes, text);
    match parsed.value.as_ref() {
        Some(root) => read(&recipes::recipes(root)),
        None => T::default(),
    }
}

/// The recipe names in the recipes file, in order.
pub fn recipe_names(texts: &Texts) -> Vec<String> {
    with_recipes(texts, |all| {
        all.iter()
            .filter_map(|r| r.name.map(str::to_owned))
            .collect()
    })
}

/// The byte offset of a recipe's name in the recipes file.
pub fn recipe_offset(texts: &Texts, name: &str) -> Option<usize> {
    with_recipes(texts, |all| {
        all.iter()
            .find(|r| r.name == Some(name))
            .map(|r| r.name_span.start)
    })
}

/// Each recipe as the endpoint sees it (records in creation order, dependencies), drawn by the
/// core for the Graph tab and the HTML report alike.
pub fn recipe_trees(texts: &Texts) -> Vec<RecipePicture> {
    let discover = texts
        .get(&FileKind::Discover)
        .and_then(|t| discover::parse(t).value);
    texts
        .get(&FileKind::Recipes)
        .map(|text| recipe_picture::recipe_pictures(text, discover.as_ref()))
        .unwrap_or_default()
}

/// A line diff between the file on disk and the editor's text.
pub fn line_diff(disk: &str, current: &str) -> Vec<(char, String)> {
    similar::TextDiff::from_lines(disk, current)
        .iter_all_changes()
        .map(|change| {
            let sign = match change.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            (sign, change.value().trim_end_matches('\n').to_owned())
        })
        .collect()
}

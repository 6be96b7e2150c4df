//! The JavaScript contract: plain data objects, with 1-based UTF-16 positions for JS editors.

use scenario_lab_core::dialect::{self, Dialect, Dialects, Layout};
use scenario_lab_core::line_index::LineIndex;
use scenario_lab_core::scenarios::ScenariosDoc;
use scenario_lab_core::{Diagnostic, FileKind, Report, Severity, Span, Workspace};
use serde::{Deserialize, Serialize};

/// `preflight()`'s input: file contents by name; only `recipes` is required.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilesDto {
    pub recipes: String,
    pub scenarios: Option<String>,
    pub discover: Option<String>,
    pub entity_audit: Option<String>,
    pub validation: Option<String>,
    /// The names in the folder the files came from (`recipe.json`, `.pipeline-state.json`, ...):
    /// they decide the layout, and so which tooling's rules apply.
    pub folder: Option<Vec<String>>,
    /// The layout itself, when the caller decided it (the editor's proxy reads the folder).
    #[serde(default)]
    pub layout: Option<Layout>,
}

impl FilesDto {
    pub fn workspace(&self) -> Workspace<'_> {
        Workspace {
            recipes: Some(&self.recipes),
            scenarios: self.scenarios.as_deref(),
            discover: self.discover.as_deref(),
            entity_audit: self.entity_audit.as_deref(),
            validation: self.validation.as_deref(),
            layout: self.layout.unwrap_or_else(|| {
                self.folder.as_ref().map_or_else(Layout::default, |names| {
                    dialect::layout_of(names.iter().map(String::as_str))
                })
            }),
        }
    }
}

/// A range with byte offsets, UTF-16 offsets and 1-based UTF-16 line/column.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RangeDto {
    pub start: usize,
    pub end: usize,
    /// UTF-16 offset of the start (CodeMirror's and Monaco's document offsets).
    pub from: usize,
    /// UTF-16 offset of the end.
    pub to: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelDto {
    pub file: &'static str,
    #[serde(flatten)]
    pub range: RangeDto,
    pub message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TextEditDto {
    #[serde(flatten)]
    pub range: RangeDto,
    pub new_text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FixDto {
    pub message: String,
    pub file: &'static str,
    pub edits: Vec<TextEditDto>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticDto {
    pub code: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub file: &'static str,
    #[serde(flatten)]
    pub range: RangeDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub labels: Vec<LabelDto>,
    pub fixes: Vec<FixDto>,
}

#[derive(Debug, Serialize)]
pub struct SummaryDto {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

#[derive(Debug, Serialize)]
pub struct SkippedDto {
    pub checks: &'static str,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ReportDto {
    pub diagnostics: Vec<DiagnosticDto>,
    pub skipped: Vec<SkippedDto>,
    pub summary: SummaryDto,
    pub dialects: DialectsDto,
}

/// Line indexes of the files present, to turn byte spans into UTF-16 positions.
#[derive(Debug)]
pub struct Positions<'a> {
    files: Vec<(FileKind, &'a str, LineIndex)>,
}

impl<'a> Positions<'a> {
    /// Indexes the files of `workspace`.
    pub fn new(workspace: &Workspace<'a>) -> Self {
        let files = FileKind::ALL
            .into_iter()
            .filter_map(|kind| {
                workspace
                    .text(kind)
                    .map(|text| (kind, text, LineIndex::new(text)))
            })
            .collect();
        Positions { files }
    }

    /// Indexes the given texts (an ANIP pack and its manifest).
    pub fn of(texts: &[(FileKind, &'a str)]) -> Self {
        let files = texts
            .iter()
            .map(|(kind, text)| (*kind, *text, LineIndex::new(text)))
            .collect();
        Positions { files }
    }

    /// The byte offset of a UTF-16 offset into `file`.
    pub fn byte_offset(&self, file: FileKind, utf16: usize) -> usize {
        self.files
            .iter()
            .find(|(kind, _, _)| *kind == file)
            .map_or(utf16, |(_, _, index)| index.offset_of_utf16(utf16))
    }

    /// A span of `file` as the package's range.
    pub fn range(&self, file: FileKind, span: Span) -> RangeDto {
        match self.files.iter().find(|(kind, _, _)| *kind == file) {
            Some((_, text, index)) => {
                let start = index.line_col_utf16(text, span.start);
                let end = index.line_col_utf16(text, span.end);
                RangeDto {
                    start: span.start,
                    end: span.end,
                    from: index.utf16_of(text, span.start),
                    to: index.utf16_of(text, span.end),
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                }
            }
            None => RangeDto {
                start: span.start,
                end: span.end,
                from: span.start,
                to: span.end,
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
            },
        }
    }
}

impl ReportDto {
    pub fn from_report(report: &Report, workspace: &Workspace<'_>) -> ReportDto {
        Self::with_positions(report, &Positions::new(workspace))
    }

    pub fn with_positions(report: &Report, positions: &Positions<'_>) -> ReportDto {
        let diagnostics = report
            .diagnostics
            .iter()
            .map(|d| DiagnosticDto::new(d, positions))
            .collect();
        ReportDto {
            diagnostics,
            dialects: DialectsDto::new(&report.dialects),
            skipped: report
                .skipped
                .iter()
                .map(|s| SkippedDto {
                    checks: s.checks,
                    reason: s.reason.clone(),
                })
                .collect(),
            summary: SummaryDto {
                errors: report.errors(),
                warnings: report.warnings(),
                infos: report.count(Severity::Info),
            },
        }
    }
}

impl DiagnosticDto {
    fn new(d: &Diagnostic, positions: &Positions<'_>) -> DiagnosticDto {
        DiagnosticDto {
            code: d.code.as_str(),
            severity: d.severity.as_str(),
            message: d.message.clone(),
            file: d.file.file_name(),
            range: positions.range(d.file, d.span),
            help: d.help.clone(),
            labels: d
                .labels
                .iter()
                .map(|l| LabelDto {
                    file: l.file.file_name(),
                    range: positions.range(l.file, l.span),
                    message: l.message.clone(),
                })
                .collect(),
            fixes: d
                .fix
                .iter()
                .map(|fix| FixDto {
                    message: fix.message.clone(),
                    file: fix.file.file_name(),
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| TextEditDto {
                            range: positions.range(fix.file, e.span),
                            new_text: e.new_text.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// `parseScenarios()`'s result: the frontmatter summary and the diagnostics.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenariosDto {
    pub format: &'static str,
    pub scenario_count: Option<i64>,
    pub scenarios: Vec<ScenarioDto>,
    pub entity_types: Vec<String>,
    pub variable_fields: Vec<VariableFieldDto>,
    pub sections: Vec<String>,
    pub diagnostics: Vec<DiagnosticDto>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioDto {
    pub name: String,
    pub description: Option<String>,
    pub entity_types: Option<i64>,
    pub total_entities: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariableFieldDto {
    pub token: String,
    pub entity: Option<String>,
    pub scenarios: Vec<String>,
}

impl ScenariosDto {
    pub fn new(markdown: &str, doc: &ScenariosDoc, diagnostics: &[Diagnostic]) -> ScenariosDto {
        let workspace = Workspace {
            scenarios: Some(markdown),
            ..Workspace::default()
        };
        let positions = Positions::new(&workspace);
        ScenariosDto {
            format: dialect_id(doc.dialect),
            scenario_count: doc.scenario_count.map(|(n, _)| n),
            scenarios: doc
                .scenarios
                .iter()
                .map(|s| ScenarioDto {
                    name: s.name.clone(),
                    description: s.description.clone(),
                    entity_types: s.entity_types.map(|(n, _)| n),
                    total_entities: s.total_entities.map(|(n, _)| n),
                })
                .collect(),
            entity_types: doc
                .entity_types
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
            variable_fields: doc
                .variable_fields
                .iter()
                .map(|v| VariableFieldDto {
                    token: v.token.clone(),
                    entity: v.entity.clone(),
                    scenarios: v.scenarios.iter().map(|(s, _)| s.clone()).collect(),
                })
                .collect(),
            sections: doc.headings.iter().map(|h| h.text.clone()).collect(),
            diagnostics: diagnostics
                .iter()
                .map(|d| DiagnosticDto::new(d, &positions))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_utf16_columns_and_byte_offsets() {
        let recipes = "{\"recipes\": [{\"name\": \"\u{1F680}\u{e9}\", \"x\": 1}]}".to_owned();
        let files = FilesDto {
            recipes,
            ..FilesDto::default()
        };
        let report = scenario_lab_core::preflight(&files.workspace());
        let dto = ReportDto::from_report(&report, &files.workspace());
        let create = dto
            .diagnostics
            .iter()
            .find(|d| d.message.contains("recipes.0.create"))
            .expect("create is missing");
        assert_eq!(create.file, "scenario-recipes.json");
        assert_eq!(create.range.line, 1);
        assert_eq!(
            create.range.column, 14,
            "the recipe object starts at UTF-16 column 14"
        );
        let json = serde_json::to_value(&dto).expect("serialises");
        assert!(json["diagnostics"][0]["endColumn"].is_number());
        assert!(json["summary"]["errors"].as_u64().is_some_and(|n| n > 0));
    }
}

/// A dialect's stable id, as the TypeScript types spell it.
fn dialect_id(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Plugin => "plugin",
        Dialect::Planner => "planner",
        Dialect::HandMade => "hand-made",
        Dialect::FreeForm => "free-form",
        Dialect::Unrecognised => "unrecognised",
    }
}

/// The folder's layout and each file's dialect.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DialectsDto {
    pub layout: Layout,
    pub files: Vec<FileDialectDto>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileDialectDto {
    pub file: &'static str,
    pub dialect: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<dialect::Form>,
    /// For people: "bare create map, planner CLI format".
    pub label: String,
}

impl DialectsDto {
    fn new(dialects: &Dialects) -> DialectsDto {
        DialectsDto {
            layout: dialects.layout,
            files: dialects
                .files
                .iter()
                .map(|f| FileDialectDto {
                    file: f.file.file_name(),
                    dialect: dialect_id(f.dialect),
                    form: f.form,
                    label: f.label(),
                })
                .collect(),
        }
    }
}

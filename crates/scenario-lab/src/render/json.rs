//! The JSON report: `{"diagnostics":[{code, severity, message, file, line, column, endLine, endColumn, help, fix}], "skipped", "summary":{errors, warnings}, "dialects":{layout, files}}`.

use super::Rendered;
use serde::Serialize;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonFix<'a> {
    message: &'a str,
    file: String,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonEdit<'a> {
    start: usize,
    end: usize,
    new_text: &'a str,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    checks: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
}

/// One file's dialect, by the path the diagnostics use.
#[derive(Serialize)]
struct JsonDialect {
    file: String,
    dialect: scenario_lab_core::dialect::Dialect,
    #[serde(skip_serializing_if = "Option::is_none")]
    form: Option<scenario_lab_core::dialect::Form>,
    label: String,
}

#[derive(Serialize)]
struct JsonDialects {
    layout: scenario_lab_core::dialect::Layout,
    files: Vec<JsonDialect>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    skipped: Vec<JsonSkipped<'a>>,
    summary: JsonSummary,
    /// Absent for reports of no workspace files (`anip check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    dialects: Option<JsonDialects>,
}

/// Renders the report as pretty JSON.
pub fn render(rendered: &Rendered<'_>) -> String {
    let diagnostics = rendered
        .report
        .diagnostics
        .iter()
        .map(|d| {
            let (start, end) = rendered.positions(d);
            JsonDiagnostic {
                code: d.code.as_str(),
                severity: d.severity.as_str(),
                message: &d.message,
                file: rendered.path(d.file),
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                help: d.help.as_deref(),
                fix: d.fix.as_ref().map(|fix| JsonFix {
                    message: &fix.message,
                    file: rendered.path(fix.file),
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            start: e.span.start,
                            end: e.span.end,
                            new_text: &e.new_text,
                        })
                        .collect(),
                }),
            }
        })
        .collect();
    let report = JsonReport {
        diagnostics,
        skipped: rendered
            .report
            .skipped
            .iter()
            .map(|s| JsonSkipped {
                checks: s.checks,
                reason: &s.reason,
            })
            .collect(),
        summary: JsonSummary {
            errors: rendered.report.errors(),
            warnings: rendered.report.warnings(),
        },
        dialects: (!rendered.report.dialects.files.is_empty()).then(|| JsonDialects {
            layout: rendered.report.dialects.layout,
            files: rendered
                .report
                .dialects
                .files
                .iter()
                .map(|f| JsonDialect {
                    file: rendered.path(f.file),
                    dialect: f.dialect,
                    form: f.form,
                    label: f.label(),
                })
                .collect(),
        }),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
        + "\n"
}

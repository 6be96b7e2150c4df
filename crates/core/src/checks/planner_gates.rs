//! The planner CLI's own `scenarios.md` gates (`planner.md` §2.4), as warnings on planner files.

use super::Context;
use crate::diagnostic::{Code, Diagnostic, FileKind, Span};
use crate::dialect::Dialect;

/// The only tokens the planner substitutes.
const BUILT_INS: [&str; 2] = ["testRunId", "testRunShortId"];

fn gate(span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::SCENARIOS_PLANNER_GATE,
        FileKind::Scenarios,
        span,
        message,
    )
    .with_help(help.to_owned())
}

/// ## What it does
/// Reproduces the planner's `finish` gates on a planner-format `scenarios.md`: every audited
/// entity is named (since 0.1.14), values are concrete (only the built-in tokens, no `{x}`
/// placeholders, no `variable_fields`; 0.1.22), and no built-in token sits in a displayed column
/// (after 0.1.29, unreleased).
///
/// ## Why it matters
/// The planner's scenario agent refuses to finish on them; the file was written past its gates.
pub fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(doc) = context.scenarios else { return };
    if doc.dialect != Dialect::Planner {
        return;
    }
    let text = context.scenarios_text;
    if let Some(audit) = context.audit {
        let missing: Vec<&str> = audit
            .models
            .iter()
            .map(|m| m.name.as_str())
            .filter(|name| !text.contains(name))
            .collect();
        if !missing.is_empty() {
            diagnostics.push(gate(
                doc.frontmatter_span,
                format!("{} audited entities never appear in scenarios.md: {}", missing.len(), missing.join(", ")),
                "planner CLI gate (0.1.14 and later): describe every entity of entity-audit.md, or remove it from the audit",
            ));
        }
    }
    concreteness(text, diagnostics);
    display_tokens(text, diagnostics);
}

/// Gate 3: unknown `{{tokens}}`, the first bare `{placeholder}`, a `variable_fields:` line.
fn concreteness(text: &str, diagnostics: &mut Vec<Diagnostic>) {
    const HELP: &str = "planner CLI gate (0.1.22 and later): scenario values must be concrete; the only tokens Autonoma substitutes are {{testRunId}} and {{testRunShortId}}";
    let bytes = text.as_bytes();
    let mut bare_reported = false;
    let mut i = 0;
    while i < bytes.len() {
        if text[i..].starts_with("{{") {
            let name_end = text[i + 2..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |n| i + 2 + n);
            if name_end > i + 2 && text[name_end..].starts_with("}}") {
                let name = &text[i + 2..name_end];
                if !BUILT_INS.contains(&name) {
                    diagnostics.push(gate(
                        Span::new(i, name_end + 2),
                        format!(
                            "unknown token \"{{{{{name}}}}}\": scenario values must be concrete"
                        ),
                        HELP,
                    ));
                }
                i = name_end + 2;
                continue;
            }
            i += 2;
            continue;
        }
        if bytes[i] == b'{' && !bare_reported && (i == 0 || bytes[i - 1] != b'{') {
            let rest = &text[i + 1..];
            let len = rest
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(rest.len());
            if len > 0
                && rest.as_bytes()[0].is_ascii_lowercase()
                && rest[len..].starts_with('}')
                && !rest[len + 1..].starts_with('}')
            {
                bare_reported = true;
                let placeholder = &text[i..=i + len + 1];
                diagnostics.push(gate(
                    Span::new(i, i + len + 2),
                    format!("bare {{variable}} placeholder \"{placeholder}\""),
                    HELP,
                ));
            }
        }
        i += 1;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("variable_fields:") {
            let start = offset + (line.len() - line.trim_start().len());
            diagnostics.push(gate(
                Span::new(start, start + "variable_fields".len()),
                "a variable_fields block: the planner has no custom tokens".to_owned(),
                HELP,
            ));
        }
        offset += line.len();
    }
}

/// Identifier column headers, where a run-unique token is expected.
fn is_identifier_header(header: &str) -> bool {
    let h = header.trim().to_ascii_lowercase();
    let words: Vec<&str> = h
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .any(|w| ["id", "ids", "ref", "refs", "uuid", "pk", "pks", "fk", "fks"].contains(w))
        || ["email", "login", "reference", "external"]
            .iter()
            .any(|k| h.contains(k))
}

/// The cells of a table row (`| a | b |`) with their byte offsets in the row.
fn cells(row: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for part in row.split('|') {
        out.push((start, part));
        start += part.len() + 1;
    }
    if row.trim_start().starts_with('|') {
        out.remove(0);
    }
    if row.trim_end().ends_with('|') {
        out.pop();
    }
    out
}

/// Gate 4: a built-in token in a table cell whose column is not an identifier column.
fn display_tokens(text: &str, diagnostics: &mut Vec<Diagnostic>) {
    let mut offset = 0;
    let mut header: Option<Vec<String>> = None;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let row = line.trim_end_matches(['\n', '\r']);
        let is_row = row.trim_start().starts_with('|');
        match (&header, is_row) {
            (None, true) => {
                let separator = lines.peek().is_some_and(|next| {
                    let n = next.trim();
                    n.contains('-') && n.chars().all(|c| matches!(c, '|' | ':' | '-' | ' ' | '\t'))
                });
                if separator {
                    header = Some(
                        cells(row)
                            .iter()
                            .map(|(_, c)| c.trim().to_owned())
                            .collect(),
                    );
                    offset += line.len();
                    offset += lines.next().map_or(0, str::len);
                    continue;
                }
            }
            (Some(columns), true) => {
                for (column, (at, cell)) in cells(row).into_iter().enumerate() {
                    let name = columns.get(column).map_or("", String::as_str);
                    if BUILT_INS
                        .iter()
                        .any(|t| cell.contains(&format!("{{{{{t}}}}}")))
                        && !is_identifier_header(name)
                    {
                        let lead = cell.len() - cell.trim_start().len();
                        let start = offset + at + lead;
                        diagnostics.push(gate(
                            Span::new(start, start + cell.trim().len()),
                            format!("column \"{name}\" carries a run-unique token in the displayed value \"{}\"", cell.trim()),
                            "planner CLI gate (after 0.1.29, unreleased): keep displayed values token-free; put the token in an id, email, login or reference column",
                        ));
                    }
                }
            }
            (Some(_), false) => header = None,
            (None, false) => {}
        }
        offset += line.len();
    }
}

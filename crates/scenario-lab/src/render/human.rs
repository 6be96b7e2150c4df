//! rustc-style text: `error[code]: message`, `--> file:line:col`, the source line with carets, `help:`.

use super::Rendered;
use crate::terminal::escape_controls;
use annotate_snippets::{Level, Renderer, Snippet};
use scenario_lab_core::diagnostic::Severity;
use scenario_lab_core::line_index::{ceil_char_boundary, floor_char_boundary};
use scenario_lab_core::{Diagnostic, Span};
use std::fmt::Write;

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    }
}

/// Each diagnostic (notes aside) rendered rustc-style without colour, with its severity.
pub fn each(rendered: &Rendered<'_>) -> Vec<(Severity, String)> {
    let style = Renderer::plain();
    rendered
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .map(|d| (d.severity, render_one(rendered, d, &style)))
        .collect()
}

/// Renders every diagnostic and a closing summary line.
pub fn render(rendered: &Rendered<'_>, color: bool) -> String {
    let style = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diagnostic in rendered
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
    {
        let _ = writeln!(out, "{}\n", render_one(rendered, diagnostic, &style));
    }
    for skipped in &rendered.report.skipped {
        let _ = writeln!(
            out,
            "note: skipped {}: {}",
            skipped.checks,
            escape_controls(&skipped.reason)
        );
    }
    let _ = writeln!(out, "{}", summary(rendered));
    out
}

/// `preflight: 2 errors, 1 warning` (Hurl and cargo style).
pub fn summary(rendered: &Rendered<'_>) -> String {
    let errors = rendered.report.errors();
    let warnings = rendered.report.warnings();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let notes = rendered.report.count(Severity::Info);
    let verdict = if errors == 0 { "passed" } else { "failed" };
    let notes = if notes > 0 {
        format!(", {} (shown with --format json)", plural(notes, "note"))
    } else {
        String::new()
    };
    format!(
        "{} {verdict}: {}, {}{notes} ({} files checked)",
        rendered.title,
        plural(errors, "error"),
        plural(warnings, "warning"),
        rendered.sources.len()
    )
}

/// Excerpts longer than this many bytes are cut to a window around the span.
const WINDOW: usize = 240;

/// What one snippet shows: its text, its first line number, the span inside it, and the
/// 1-based column of the span in the full line (set when the excerpt was cut).
struct Excerpt {
    text: String,
    line: usize,
    range: std::ops::Range<usize>,
    cut_column: Option<usize>,
}

/// The lines of `source` around `span` (at most 9), cut to a window when they are long (a
/// minified file is one line), with control characters replaced by `?` of the same length.
fn excerpt(source: &super::SourceFile<'_>, span: Span) -> Excerpt {
    let text = source.text;
    let start_line = source.lines.line_of(span.start);
    let end_line = source
        .lines
        .line_of(span.end.max(span.start))
        .min(start_line + 8);
    let (from, _) = source.lines.line_span(text, start_line);
    let (_, to) = source.lines.line_span(text, end_line);
    let from = floor_char_boundary(text, from);
    let to = floor_char_boundary(text, to.max(from));
    let start = floor_char_boundary(text, span.start.clamp(from, to));
    let end = ceil_char_boundary(text, span.end.clamp(start, to)).min(to.max(start));
    if to - from <= WINDOW {
        return Excerpt {
            text: printable(&text[from..to]),
            line: start_line + 1,
            range: start - from..end - from,
            cut_column: None,
        };
    }
    let window_from = floor_char_boundary(text, start.saturating_sub(WINDOW / 3).max(from));
    let window_to = ceil_char_boundary(text, (end + WINDOW / 3).min(start + WINDOW).min(to));
    let end = end.min(window_to);
    let (prefix, suffix) = (
        if window_from > from { "…" } else { "" },
        if window_to < to { "…" } else { "" },
    );
    Excerpt {
        text: format!(
            "{prefix}{}{suffix}",
            printable(&text[window_from..window_to])
        ),
        line: start_line + 1,
        range: start - window_from + prefix.len()..end - window_from + prefix.len(),
        cut_column: Some(source.lines.line_col_chars(text, start).column),
    }
}

/// `text` with each control character (but line feed, tab and the CR of a CRLF) replaced by as
/// many `?` as it has bytes, so spans still point at the same bytes and the terminal obeys
/// nothing.
fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let crlf = c == '\r' && chars.peek() == Some(&'\n');
        let hostile = (c.is_control() && c != '\n' && c != '\t' && !crlf)
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if hostile {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

fn render_one(rendered: &Rendered<'_>, diagnostic: &Diagnostic, style: &Renderer) -> String {
    let path = rendered.path(diagnostic.file);
    let title = escape_controls(&diagnostic.message);
    let mut message = level(diagnostic.severity)
        .title(&title)
        .id(diagnostic.code.as_str());
    let main = rendered
        .source(diagnostic.file)
        .map(|source| excerpt(source, diagnostic.span));
    if let Some(excerpt) = &main {
        message = message.snippet(
            Snippet::source(&excerpt.text)
                .line_start(excerpt.line)
                .origin(&path)
                .fold(false)
                .annotation(level(diagnostic.severity).span(excerpt.range.clone())),
        );
    }
    let label_paths: Vec<String> = diagnostic
        .labels
        .iter()
        .map(|l| rendered.path(l.file))
        .collect();
    let label_texts: Vec<String> = diagnostic
        .labels
        .iter()
        .map(|l| escape_controls(&l.message))
        .collect();
    let label_excerpts: Vec<Option<Excerpt>> = diagnostic
        .labels
        .iter()
        .map(|l| rendered.source(l.file).map(|s| excerpt(s, l.span)))
        .collect();
    for ((excerpt, path), label) in label_excerpts.iter().zip(&label_paths).zip(&label_texts) {
        if let Some(excerpt) = excerpt {
            message = message.snippet(
                Snippet::source(&excerpt.text)
                    .line_start(excerpt.line)
                    .origin(path)
                    .fold(false)
                    .annotation(Level::Note.span(excerpt.range.clone()).label(label)),
            );
        }
    }
    let help = diagnostic.help.as_deref().map(escape_controls);
    if let Some(help) = &help {
        message = message.footer(Level::Help.title(help));
    }
    let fix_note = diagnostic
        .fix
        .as_ref()
        .map(|fix| format!("fix available: {}", escape_controls(&fix.message)));
    if let Some(note) = &fix_note {
        message = message.footer(Level::Note.title(note));
    }
    let excerpts = main.iter().chain(label_excerpts.iter().flatten());
    restore_columns(style.render(message).to_string(), excerpts)
}

/// Puts the true column back into the `-->`/`:::` line of every snippet that was cut (the
/// renderer counts from the start of the cut text).
fn restore_columns<'e>(rendered: String, excerpts: impl Iterator<Item = &'e Excerpt>) -> String {
    let cuts: Vec<Option<usize>> = excerpts.map(|e| e.cut_column).collect();
    if cuts.iter().all(Option::is_none) {
        return rendered;
    }
    let mut snippet = 0;
    let mut out = String::with_capacity(rendered.len());
    for line in rendered.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let is_origin = trimmed.starts_with("--> ") || trimmed.starts_with("::: ");
        let column = if is_origin {
            snippet += 1;
            cuts.get(snippet - 1).copied().flatten()
        } else {
            None
        };
        match (column, line.trim_end_matches('\n').rsplit_once(':')) {
            (Some(column), Some((head, _))) => {
                let _ = write!(out, "{head}:{column}");
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            _ => out.push_str(line),
        }
    }
    out
}

//! rustc-style text: `error[code]: message`, `--> file:line:col`, the source line with carets, `help:`.

use super::Rendered;
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

/// Renders every diagnostic and a closing summary line.
pub fn render(rendered: &Rendered<'_>, color: bool) -> String {
    let renderer = if color {
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
        let _ = writeln!(out, "{}\n", render_one(rendered, diagnostic, &renderer));
    }
    for skipped in &rendered.report.skipped {
        let _ = writeln!(out, "note: skipped {}: {}", skipped.checks, skipped.reason);
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
        "preflight {verdict}: {}, {}{notes} ({} files checked)",
        plural(errors, "error"),
        plural(warnings, "warning"),
        rendered.sources.len()
    )
}

/// The lines of `text` around `span`: (source excerpt, first line number, span shifted into it).
fn excerpt<'t>(
    source: &super::SourceFile<'t>,
    span: Span,
) -> (&'t str, usize, std::ops::Range<usize>) {
    let text = source.text;
    let start_line = source.lines.line_of(span.start);
    let end_line = source.lines.line_of(span.end.max(span.start));
    let end_line = end_line.min(start_line + 8);
    let (from, _) = source.lines.line_span(text, start_line);
    let (_, to) = source.lines.line_span(text, end_line);
    let from = floor_char_boundary(text, from);
    let to = floor_char_boundary(text, to.max(from));
    let start = floor_char_boundary(text, span.start.clamp(from, to));
    let end = ceil_char_boundary(text, span.end.clamp(start, to)).min(to.max(start));
    let (start, end) = (start - from, end - from);
    (&text[from..to], start_line + 1, start..end)
}

fn render_one(rendered: &Rendered<'_>, diagnostic: &Diagnostic, renderer: &Renderer) -> String {
    let path = rendered.path(diagnostic.file);
    let mut message = level(diagnostic.severity)
        .title(&diagnostic.message)
        .id(diagnostic.code.as_str());
    let main = rendered
        .source(diagnostic.file)
        .map(|source| excerpt(source, diagnostic.span));
    if let Some((text, line, range)) = &main {
        message = message.snippet(
            Snippet::source(text)
                .line_start(*line)
                .origin(&path)
                .fold(false)
                .annotation(level(diagnostic.severity).span(range.clone())),
        );
    }
    let label_paths: Vec<String> = diagnostic
        .labels
        .iter()
        .map(|l| rendered.path(l.file))
        .collect();
    let label_excerpts: Vec<_> = diagnostic
        .labels
        .iter()
        .map(|l| rendered.source(l.file).map(|s| excerpt(s, l.span)))
        .collect();
    for ((label, excerpt), path) in diagnostic
        .labels
        .iter()
        .zip(&label_excerpts)
        .zip(&label_paths)
    {
        if let Some((text, line, range)) = excerpt {
            message = message.snippet(
                Snippet::source(text)
                    .line_start(*line)
                    .origin(path)
                    .fold(false)
                    .annotation(Level::Note.span(range.clone()).label(&label.message)),
            );
        }
    }
    if let Some(help) = &diagnostic.help {
        message = message.footer(Level::Help.title(help));
    }
    let fix_note = diagnostic
        .fix
        .as_ref()
        .map(|fix| format!("fix available: {}", fix.message));
    if let Some(note) = &fix_note {
        message = message.footer(Level::Note.title(note));
    }
    renderer.render(message).to_string()
}

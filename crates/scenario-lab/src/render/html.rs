//! Self-contained HTML reports (no script, no network): a preflight's diagnostics and a
//! validation's summary, checks, timings and recipe graphs, readable without the tool. Secrets
//! never appear: auth values arrive masked and refs tokens are never in a report.

use super::{Rendered, human};
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::discover;
use scenario_lab_core::recipe_picture::{self, escape};
use scenario_lab_core::run_report::ValidateReport;
use scenario_lab_core::{FileKind, Severity};
use std::fmt::Write;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;padding:0 1rem}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}\
.pass{color:#1a7f37}.fail{color:#cf222e}.skip{color:#6e7781}.warning{color:#9a6700}\
.verdict{font-size:1.1rem;font-weight:600;padding:.6rem .9rem;border-radius:6px;background:#f6f8fa}\
table{border-collapse:collapse}td,th{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}\
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font:12px/1.4 ui-monospace,monospace}\
code{font:12px ui-monospace,monospace}.graph-wrap{overflow:auto;border:1px solid #eee;margin:.5rem 0}\
svg.graph{background:#fcfcff}svg.graph .node rect{fill:#eef2ff;stroke:#1d4ed8}\
svg.graph .node.cycle rect{fill:#ffebee;stroke:#cf222e}svg.graph .node.unresolved rect{fill:#fff7e6;stroke:#cf222e;stroke-dasharray:4 3}\
svg.graph text{font:12px ui-monospace,monospace;fill:#1f2328}svg.graph text.order{font-weight:700;fill:#1d4ed8}\
svg.graph .edge{fill:none;stroke:#94a3b8;stroke-width:1.5}svg.graph marker path{fill:#94a3b8}\
svg.bars text{font:12px system-ui,sans-serif}";

/// A whole page.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n{body}\n<p class=\"skip\">written by scenario-lab {}</p></body></html>\n",
        escape(title),
        escape(title),
        env!("CARGO_PKG_VERSION")
    )
}

/// `preflight --format html`.
pub fn preflight_page(rendered: &Rendered<'_>, dir: &WorkspaceDir) -> String {
    let mut body = format!(
        "<p class=\"verdict {}\">{}</p>\n",
        if rendered.report.errors() == 0 {
            "pass"
        } else {
            "fail"
        },
        escape(&human::summary(rendered))
    );
    body.push_str(&diagnostics_section(rendered));
    body.push_str(&recipes_section(dir));
    page("Scenario Lab preflight", &body)
}

/// One pack of an `anip check` page: its report and its scenarios as rows (id, class, what it
/// does, `prior`).
#[derive(Debug)]
pub struct PackSection<'a> {
    pub rendered: Rendered<'a>,
    pub scenarios: Vec<[String; 4]>,
}

/// `anip check --format html`: every pack's verdict, diagnostics with their excerpts, and its
/// scenarios, on one page.
pub fn anip_check_page(packs: &[PackSection<'_>]) -> String {
    let errors: usize = packs.iter().map(|p| p.rendered.report.errors()).sum();
    let mut body = format!(
        "<p class=\"verdict {}\">{} pack(s), {errors} error(s)</p>\n",
        if errors == 0 { "pass" } else { "fail" },
        packs.len()
    );
    for pack in packs {
        let name = pack
            .rendered
            .sources
            .first()
            .map_or("pack", |s| s.path.as_str());
        let _ = writeln!(
            body,
            "<h2>{}</h2>\n<p class=\"verdict {}\">{}</p>",
            escape(name),
            if pack.rendered.report.errors() == 0 {
                "pass"
            } else {
                "fail"
            },
            escape(&human::summary(&pack.rendered))
        );
        body.push_str(
            &diagnostics_section(&pack.rendered)
                .replacen("<h2>", "<h3>", 1)
                .replacen("</h2>", "</h3>", 1),
        );
        let _ = writeln!(
            body,
            "<h3>Scenarios ({})</h3>\n<table><tr><th>id</th><th>class</th><th>request</th><th>prior</th></tr>",
            pack.scenarios.len()
        );
        for row in &pack.scenarios {
            let _ = writeln!(
                body,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                escape(&row[0]),
                escape(&row[1]),
                escape(&row[2]),
                escape(&row[3])
            );
        }
        body.push_str("</table>\n");
    }
    page("Scenario Lab anip check", &body)
}

/// Every diagnostic with its source excerpt.
pub fn diagnostics_section(rendered: &Rendered<'_>) -> String {
    let each = human::each(rendered);
    let mut out = format!("<h2>Diagnostics ({})</h2>\n", each.len());
    if each.is_empty() {
        out.push_str("<p class=\"pass\">no errors or warnings</p>\n");
    }
    for (severity, text) in each {
        let class = if severity == Severity::Error {
            "fail"
        } else {
            "warning"
        };
        let _ = writeln!(
            out,
            "<pre class=\"diagnostic {class}\">{}</pre>",
            escape(&text)
        );
    }
    for skipped in &rendered.report.skipped {
        let _ = writeln!(
            out,
            "<p class=\"skip\">skipped {}: {}</p>",
            escape(skipped.checks),
            escape(&skipped.reason)
        );
    }
    out
}

/// Each recipe's reference graph, as the editor draws it.
pub fn recipes_section(dir: &WorkspaceDir) -> String {
    let Some(text) = dir.text(FileKind::Recipes) else {
        return String::new();
    };
    let discover = dir
        .text(FileKind::Discover)
        .and_then(|t| discover::parse(t).value);
    let mut out = String::from("<h2>Recipes</h2>\n");
    for picture in recipe_picture::recipe_pictures(text, discover.as_ref()) {
        let _ = writeln!(
            out,
            "<h3>{} <span class=\"skip\">({} records{})</span></h3><p>{}</p><div class=\"graph-wrap\">{}</div>",
            escape(&picture.name),
            picture.records.len(),
            if picture.has_cycle {
                ", cycle: the endpoint refuses it"
            } else {
                ""
            },
            escape(&picture.description),
            recipe_picture::svg(&picture)
        );
    }
    out
}

/// `validate --report-html`.
pub fn validation_page(
    report: &ValidateReport,
    rendered: &Rendered<'_>,
    dir: &WorkspaceDir,
) -> String {
    let passed = report.scenarios.iter().filter(|s| s.ok).count();
    let mut body = format!(
        "<p class=\"verdict {}\">validate {}: {passed}/{} scenarios passed against <code>{}</code></p>\n",
        if report.ok { "pass" } else { "fail" },
        if report.ok { "passed" } else { "failed" },
        report.scenarios.len(),
        escape(&report.endpoint)
    );
    if let Some(to) = &report.redirected_to {
        let _ = writeln!(
            body,
            "<p class=\"warning\">the endpoint redirected every request to <code>{}</code></p>",
            escape(to)
        );
    }
    body.push_str(&timings_chart(report));
    body.push_str(&checks_table("Workspace", &report.checks));
    for run in &report.scenarios {
        let title = format!("Scenario {} ({})", run.name, run.test_run_id);
        body.push_str(&checks_table(&title, &run.checks));
        if let Some(auth) = &run.auth {
            let _ = writeln!(
                body,
                "<p>auth (masked):</p><pre>{}</pre>",
                escape(&serde_json::to_string_pretty(auth).unwrap_or_default())
            );
        }
    }
    body.push_str(&checks_table("Conformance", &report.conformance));
    body.push_str(&leaks(report));
    body.push_str(&recipes_section(dir));
    body.push_str(&diagnostics_section(rendered));
    page("Scenario Lab validation", &body)
}

fn checks_table(title: &str, checks: &[CheckResult]) -> String {
    if checks.is_empty() {
        return String::new();
    }
    let mut out = format!("<h2>{}</h2>\n<table>\n", escape(title));
    for check in checks {
        let class = match check.mark() {
            "ok" => "pass",
            "skip" => "skip",
            _ => "fail",
        };
        let lead = check.diagnosis.as_ref().map_or_else(String::new, |d| {
            format!(
                "<strong class=\"diagnosis\">{}</strong><br>",
                escape(&d.lead())
            )
        });
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td><code>{}</code></td><td>{lead}{}</td></tr>",
            check.mark(),
            escape(&check.id),
            escape(&check.message)
        );
    }
    out.push_str("</table>\n");
    out
}

/// Up and down times per scenario as horizontal bars.
fn timings_chart(report: &ValidateReport) -> String {
    let runs = &report.scenarios;
    if runs.is_empty() {
        return String::new();
    }
    let longest = runs
        .iter()
        .flat_map(|r| [r.up_ms.unwrap_or(0), r.down_ms.unwrap_or(0)])
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = |ms: u64| 1 + ms * 500 / longest;
    let row_height = 44;
    let mut out = format!(
        "<h2>Timings</h2>\n<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"{}\" role=\"img\" aria-label=\"up and down times\">",
        runs.len() * row_height + 10
    );
    for (i, run) in runs.iter().enumerate() {
        let y = i * row_height + 5;
        let (up, down) = (run.up_ms.unwrap_or(0), run.down_ms.unwrap_or(0));
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect class=\"up\" x=\"150\" y=\"{y}\" width=\"{}\" height=\"16\" fill=\"#1d4ed8\"></rect><text x=\"{}\" y=\"{}\">up {up} ms</text><rect class=\"down\" x=\"150\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"#94a3b8\"></rect><text x=\"{}\" y=\"{}\">down {down} ms</text>",
            y + 22,
            escape(&run.name),
            scale(up),
            158 + scale(up),
            y + 13,
            y + 19,
            scale(down),
            158 + scale(down),
            y + 32
        );
    }
    out.push_str("</svg>\n");
    out
}

fn leaks(report: &ValidateReport) -> String {
    let mut out = String::from("<h2>Data left behind</h2>\n");
    if report.leaked.is_empty() {
        out.push_str("<p class=\"pass\">no orphans or foreign deletions</p>\n");
    }
    for leak in &report.leaked {
        let _ = writeln!(
            out,
            "<p class=\"fail\">{}: {} row(s) {} in <code>{}</code> ({})</p>",
            escape(&leak.scenario),
            leak.rows.abs(),
            if leak.rows > 0 {
                "left behind"
            } else {
                "deleted"
            },
            escape(&leak.table),
            escape(&leak.test_run_id)
        );
    }
    if report.pending > 0 {
        let _ = writeln!(
            out,
            "<p class=\"fail\">{} teardown(s) pending: run <code>scenario-lab down --pending</code></p>",
            report.pending
        );
    }
    for line in &report.reaped {
        let _ = writeln!(out, "<p class=\"skip\">{}</p>", escape(line));
    }
    out
}

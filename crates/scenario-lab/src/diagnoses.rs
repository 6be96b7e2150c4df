//! Attaches a diagnosis (whose fault, which cause, where) to every failed check of a validation:
//! the scenario's places from the recipes' spans, the handler's from the file
//! `.endpoint-implemented` names.

use crate::handler_source::{HandlerSource, NAME_IT, same_name};
use crate::workspace_dir::WorkspaceDir;
use scenario_lab_core::check_result::CheckResult;
use scenario_lab_core::diagnosis::{self, Diagnosis, Place, Side};
use scenario_lab_core::line_index::LineIndex;
use scenario_lab_core::recipes;
use scenario_lab_core::run_report::ValidateReport;
use scenario_lab_core::{Code, FileKind, Report, Span};
use std::borrow::Cow;

/// What the places are looked up in, read once per validation.
struct Sources<'a> {
    dir: &'a WorkspaceDir,
    preflight: Cow<'a, Report>,
    handler: Option<HandlerSource>,
    models: Vec<String>,
}

/// What a validation already read, so the diagnoses read nothing twice.
#[derive(Debug)]
pub struct Read<'a> {
    /// The workspace.
    pub dir: &'a WorkspaceDir,
    /// The recipes as the runs read them (the envelope).
    pub recipes: &'a serde_json::Value,
    /// The preflight the validation ran (against the live discover), once it has.
    pub preflight: Option<Report>,
}

/// Diagnoses every failed check of `report` (scenario checks with their recipe's places).
pub fn attach(report: &mut ValidateReport, read: &Read<'_>) {
    let dir = read.dir;
    let mut models: Vec<String> = report
        .scenarios
        .iter()
        .flat_map(|s| s.refs_counts.keys().cloned())
        .collect();
    for recipe in scenario_lab_core::dialect::envelope_recipes(read.recipes) {
        let create = recipe.get("create").and_then(serde_json::Value::as_object);
        models.extend(create.into_iter().flat_map(|c| c.keys().cloned()));
    }
    models.sort();
    models.dedup();
    let sources = Sources {
        dir,
        // A validation stopped before its preflight (discover unreachable) still places.
        preflight: read.preflight.as_ref().map_or_else(
            || Cow::Owned(scenario_lab_core::preflight(&dir.workspace())),
            Cow::Borrowed,
        ),
        handler: HandlerSource::read(dir).ok(),
        models,
    };
    for check in report
        .checks
        .iter_mut()
        .chain(report.conformance.iter_mut())
    {
        diagnose(check, None, &sources);
    }
    for run in &mut report.scenarios {
        for check in &mut run.checks {
            diagnose(check, Some(&run.name), &sources);
        }
        consequences_of_a_failed_up(&mut run.checks);
    }
}

/// After a failed `up`, the rows it created before failing stay (the SDKs do not roll back):
/// `db.untouched` then has the up's cause, not a handler's teardown.
fn consequences_of_a_failed_up(checks: &mut [CheckResult]) {
    let Some(up) = checks
        .iter()
        .find(|c| c.id == "up.status" && !c.ok)
        .and_then(|c| c.diagnosis.clone())
    else {
        return;
    };
    for check in checks
        .iter_mut()
        .filter(|c| !c.ok && c.id.starts_with("db."))
    {
        check.diagnosis = Some(Diagnosis {
            cause: "left-by-failed-up".to_owned(),
            help: format!(
                "the SDK keeps what a failed up created before it failed (no rollback): these rows follow from the up's failure ({}); delete them once, then fix that",
                up.cause
            ),
            ..up.clone()
        });
    }
}

fn diagnose(check: &mut CheckResult, scenario: Option<&str>, sources: &Sources<'_>) {
    if check.ok || check.skipped {
        return;
    }
    if check.id == "preflight" {
        check.diagnosis = preflight_diagnosis(sources);
        return;
    }
    let symptom = check.symptom();
    let Some(mut found) = diagnosis::diagnose(&symptom) else {
        return;
    };
    match found.side {
        Side::Scenario => found.places = scenario_places(&found, scenario, sources),
        Side::Handler => handler_places(&mut found, &check.message, sources),
        Side::Environment => {}
    }
    check.diagnosis = Some(found);
}

/// A preflight that failed: the scenario's, at the places of its first errors.
fn preflight_diagnosis(sources: &Sources<'_>) -> Option<Diagnosis> {
    let errors: Vec<&scenario_lab_core::Diagnostic> = sources
        .preflight
        .diagnostics
        .iter()
        .filter(|d| d.severity == scenario_lab_core::Severity::Error)
        .take(5)
        .collect();
    let first = errors.first()?;
    let mut found = Diagnosis::new(
        Side::Scenario,
        diagnosis::preflight_cause(first.code.as_str()),
        first.help.clone().unwrap_or_else(|| {
            "run `scenario-lab preflight` and repair the recipe where it points".to_owned()
        }),
    );
    found.places = errors
        .iter()
        .filter_map(|d| place(sources, d.file, d.span))
        .collect();
    found.fix = first.fix.as_ref().map(|f| f.message.clone());
    Some(found)
}

fn place(sources: &Sources<'_>, file: FileKind, span: Span) -> Option<Place> {
    let text = sources.dir.text(file)?;
    let at = LineIndex::new(text).line_col_chars(text, span.start);
    Some(Place {
        file: sources.dir.display_path(file),
        line: at.line,
        column: Some(at.column),
    })
}

/// A unique collision: the records preflight sees sharing a value (`recipe/duplicate-value`) in
/// this scenario's recipe, else the recipe itself.
fn scenario_places(found: &Diagnosis, scenario: Option<&str>, sources: &Sources<'_>) -> Vec<Place> {
    let Some(text) = sources.dir.text(FileKind::Recipes) else {
        return Vec::new();
    };
    let Some(root) = scenario_lab_core::json::parse(FileKind::Recipes, text).value else {
        return Vec::new();
    };
    let all = recipes::recipes(&root);
    let recipe = all
        .iter()
        .find(|r| r.name == scenario || (r.bare && all.len() == 1));
    let Some(recipe) = recipe else {
        return Vec::new();
    };
    let mut places: Vec<Place> = Vec::new();
    if found.cause == "unique-collision" {
        for d in sources.preflight.diagnostics.iter().filter(|d| {
            d.code == Code::RECIPE_DUPLICATE_VALUE
                && d.span.start >= recipe.node.span.start
                && d.span.end <= recipe.node.span.end
        }) {
            places.extend(place(sources, FileKind::Recipes, d.span));
            places.extend(
                d.labels
                    .iter()
                    .filter_map(|l| place(sources, l.file, l.span)),
            );
        }
    }
    if places.is_empty() {
        places.extend(place(sources, FileKind::Recipes, recipe.name_span));
    }
    places
}

/// The tables a database check counts in its message (`onboarding_checklist: 1 row left behind`).
fn counted_tables(message: &str) -> impl Iterator<Item = &str> {
    message.match_indices(": ").filter_map(|(at, _)| {
        let before = &message[..at];
        let start = before
            .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .map_or(0, |i| i + 1);
        let counted = message[at + 2..].starts_with(|c: char| c.is_ascii_digit());
        (counted && start < at).then(|| &message[start..at])
    })
}

/// The handler file and the line where the model the message names has its factory.
fn handler_places(found: &mut Diagnosis, message: &str, sources: &Sources<'_>) {
    let Some(handler) = &sources.handler else {
        found.help = format!("{}; {NAME_IT}", found.help);
        return;
    };
    let words: Vec<&str> = message
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    let named = || {
        sources
            .models
            .iter()
            .find(|m| words.iter().any(|w| w == m))
            .or_else(|| {
                sources
                    .models
                    .iter()
                    .find(|m| words.iter().any(|w| same_name(m, w)))
            })
            .cloned()
    };
    // Rows a side effect left belong to the factory that wrote them, not to their own model.
    let model = if found.cause == "orphans-from-trigger" {
        counted_tables(message)
            .find_map(|t| handler.creating(t))
            .or_else(named)
    } else {
        named()
    };
    // A missing factory belongs in the map, unless it is written there and dropped at run time.
    let line = if found.cause == "factory-missing" {
        model
            .and_then(|m| handler.registration_line(&m))
            .or_else(|| handler.factories_line())
    } else {
        model.and_then(|m| handler.factory_line(&m))
    };
    let line = line.unwrap_or(1);
    found.places.push(Place {
        file: handler.path.clone(),
        line,
        column: None,
    });
}

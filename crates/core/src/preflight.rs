//! The offline preflight: parse every workspace file, run every check, return one report.

use crate::audit::{self, AuditDoc};
use crate::checks;
use crate::diagnostic::{Diagnostic, FileKind, Severity, sort_diagnostics};
use crate::dialect::{self, Dialect, Dialects, FileDialect, Form, Layout};
use crate::discover::{self, Discover};
use crate::json;
use crate::scenarios::{self, ScenariosDoc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The contents of the workspace files; `None` for a file that is absent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Workspace<'a> {
    /// `scenarios.md`.
    pub scenarios: Option<&'a str>,
    /// `entity-audit.md`.
    pub entity_audit: Option<&'a str>,
    /// `discover.json`.
    pub discover: Option<&'a str>,
    /// `scenario-recipes.json`.
    pub recipes: Option<&'a str>,
    /// `.scenario-validation.json`.
    pub validation: Option<&'a str>,
    /// The folder's layout (the caller lists the folder; [`dialect::layout_of`] decides).
    pub layout: Layout,
}

impl<'a> Workspace<'a> {
    /// The text of `file`, when present.
    pub fn text(&self, file: FileKind) -> Option<&'a str> {
        match file {
            FileKind::Scenarios => self.scenarios,
            FileKind::EntityAudit => self.entity_audit,
            FileKind::Discover => self.discover,
            FileKind::Recipes => self.recipes,
            FileKind::Validation => self.validation,
            FileKind::Pack | FileKind::AnipManifest => None,
        }
    }
}

/// Owned workspace texts, one per file present.
pub type Texts = BTreeMap<FileKind, String>;

impl<'a> Workspace<'a> {
    /// The core's view of owned texts.
    pub fn from_texts(texts: &'a Texts) -> Workspace<'a> {
        let text = |kind| texts.get(&kind).map(String::as_str);
        Workspace {
            scenarios: text(FileKind::Scenarios),
            entity_audit: text(FileKind::EntityAudit),
            discover: text(FileKind::Discover),
            recipes: text(FileKind::Recipes),
            validation: text(FileKind::Validation),
            layout: Layout::default(),
        }
    }

    /// The same texts in a folder of `layout`.
    #[must_use]
    pub fn in_layout(self, layout: Layout) -> Workspace<'a> {
        Workspace { layout, ..self }
    }
}

/// A group of checks that did not run, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Which checks.
    pub checks: &'static str,
    /// Why they did not run.
    pub reason: String,
}

/// Everything the preflight found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Every diagnostic, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Checks that did not run.
    pub skipped: Vec<Skipped>,
    /// The folder's layout and each file's dialect.
    pub dialects: Dialects,
}

impl Report {
    /// Diagnostics of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
    /// Errors.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }
    /// Warnings.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }
}

/// The parsed workspace, shared by the checks.
#[derive(Debug, Default)]
pub struct ParsedWorkspace<'a> {
    /// The recipes file.
    pub recipes: Option<json::Node<'a>>,
    /// The discover schema.
    pub discover: Option<Discover>,
    /// `scenarios.md`.
    pub scenarios: Option<ScenariosDoc>,
    /// `entity-audit.md`.
    pub audit: Option<AuditDoc>,
    /// `.scenario-validation.json`.
    pub validation: Option<json::Node<'a>>,
    /// The layout and every file's dialect, decided by [`dialect`].
    pub dialects: Dialects,
}

/// Parses every file present, collecting parse diagnostics.
pub fn parse_workspace<'a>(
    workspace: &Workspace<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ParsedWorkspace<'a> {
    let mut parsed = ParsedWorkspace::default();
    parsed.dialects.layout = workspace.layout;
    let mut note = |file, dialect, form| {
        parsed.dialects.files.push(FileDialect {
            file,
            dialect,
            form,
        });
    };
    if let Some(text) = workspace.scenarios {
        let result = scenarios::parse(text);
        diagnostics.extend(result.diagnostics);
        note(FileKind::Scenarios, result.value.dialect, None);
        parsed.scenarios = Some(result.value);
    }
    if let Some(text) = workspace.entity_audit {
        let result = audit::parse(text);
        diagnostics.extend(result.diagnostics);
        note(FileKind::EntityAudit, result.value.dialect, None);
        parsed.audit = Some(result.value);
    }
    if let Some(text) = workspace.discover {
        let result = discover::parse(text);
        diagnostics.extend(result.diagnostics);
        let (dialect, form) = match &result.value {
            Some(d) if d.bare_schema => (Dialect::HandMade, Form::BareSchema),
            _ => (Dialect::Plugin, Form::DiscoverAnswer),
        };
        note(FileKind::Discover, dialect, Some(form));
        parsed.discover = result.value;
    }
    if let Some(text) = workspace.recipes {
        let result = json::parse(FileKind::Recipes, text);
        diagnostics.extend(result.diagnostics);
        let form = result
            .value
            .as_ref()
            .map_or(Form::Envelope, dialect::recipes_form);
        note(
            FileKind::Recipes,
            dialect::recipes_dialect(workspace.layout, form),
            Some(form),
        );
        parsed.recipes = result.value;
    }
    if let Some(text) = workspace.validation {
        let result = json::parse(FileKind::Validation, text);
        diagnostics.extend(result.diagnostics);
        parsed.validation = result.value;
    }
    parsed
}

/// The groups of checks that cannot run on the files present.
fn skipped(workspace: &Workspace<'_>, parsed: &ParsedWorkspace<'_>) -> Vec<Skipped> {
    let mut out = Vec::new();
    for (file, checks) in [
        (
            FileKind::Discover,
            "model, field, type, nesting and scope checks",
        ),
        (FileKind::Scenarios, "scenario coverage and count checks"),
        (FileKind::EntityAudit, "audit coverage and factory checks"),
    ] {
        let reason = match (workspace.text(file), file) {
            // The planner never writes discover.json: absent there means "not provided".
            (None, FileKind::Discover) if workspace.layout.is_planner() => {
                "discover.json not provided (the planner CLI never writes it; `scenario-lab discover` saves one)".to_owned()
            }
            (None, _) => format!("{file} not found"),
            (Some(_), FileKind::Discover) if parsed.discover.is_none() => {
                "discover.json has no readable models".to_owned()
            }
            (Some(_), _) => continue,
        };
        out.push(Skipped { checks, reason });
    }
    if workspace.recipes.is_none() {
        out.push(Skipped {
            checks: "recipe checks",
            reason: "no recipes file (scenario-recipes.json or recipe.json)".to_owned(),
        });
    } else if parsed.recipes.is_none() {
        out.push(Skipped {
            checks: "recipe checks",
            reason: "the recipes file does not parse".to_owned(),
        });
    }
    out
}

/// Runs the whole offline preflight on a workspace.
pub fn preflight(workspace: &Workspace<'_>) -> Report {
    let mut report = Report::default();
    let parsed = parse_workspace(workspace, &mut report.diagnostics);
    report.skipped = skipped(workspace, &parsed);
    report.dialects = parsed.dialects.clone();
    let context = checks::Context {
        recipes_text: workspace.recipes.unwrap_or_default(),
        recipes: parsed.recipes.as_ref(),
        discover: parsed.discover.as_ref(),
        scenarios: parsed.scenarios.as_ref(),
        audit: parsed.audit.as_ref(),
        scenarios_text: workspace.scenarios.unwrap_or_default(),
        dialects: &parsed.dialects,
    };
    checks::run(&context, &mut report.diagnostics);
    if let Some(validation) = parsed.validation.as_ref() {
        checks::validation_file::check(validation, &mut report.diagnostics);
    }
    sort_diagnostics(&mut report.diagnostics);
    report
}

//! The offline preflight: parse every workspace file, run every check, return one report.

use crate::audit::{self, AuditDoc};
use crate::checks;
use crate::diagnostic::{Diagnostic, FileKind, Severity, sort_diagnostics};
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
        }
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
}

/// Parses every file present, collecting parse diagnostics.
pub fn parse_workspace<'a>(
    workspace: &Workspace<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) -> ParsedWorkspace<'a> {
    let mut parsed = ParsedWorkspace::default();
    if let Some(text) = workspace.recipes {
        let result = json::parse(FileKind::Recipes, text);
        diagnostics.extend(result.diagnostics);
        parsed.recipes = result.value;
    }
    if let Some(text) = workspace.discover {
        let result = discover::parse(text);
        diagnostics.extend(result.diagnostics);
        parsed.discover = result.value;
    }
    if let Some(text) = workspace.scenarios {
        let result = scenarios::parse(text);
        diagnostics.extend(result.diagnostics);
        parsed.scenarios = Some(result.value);
    }
    if let Some(text) = workspace.entity_audit {
        let result = audit::parse(text);
        diagnostics.extend(result.diagnostics);
        parsed.audit = Some(result.value);
    }
    if let Some(text) = workspace.validation {
        let result = json::parse(FileKind::Validation, text);
        diagnostics.extend(result.diagnostics);
        parsed.validation = result.value;
    }
    parsed
}

/// Runs the whole offline preflight on a workspace.
pub fn preflight(workspace: &Workspace<'_>) -> Report {
    let mut report = Report::default();
    let parsed = parse_workspace(workspace, &mut report.diagnostics);
    for (file, checks) in [
        (
            FileKind::Discover,
            "model, field, type, nesting and scope checks",
        ),
        (FileKind::Scenarios, "scenario coverage and count checks"),
        (FileKind::EntityAudit, "audit coverage and factory checks"),
    ] {
        if workspace.text(file).is_none() {
            report.skipped.push(Skipped {
                checks,
                reason: format!("{file} not found"),
            });
        }
    }
    if workspace.recipes.is_none() {
        report.skipped.push(Skipped {
            checks: "recipe checks",
            reason: "scenario-recipes.json not found".to_owned(),
        });
    } else if parsed.recipes.is_none() {
        report.skipped.push(Skipped {
            checks: "recipe checks",
            reason: "scenario-recipes.json does not parse".to_owned(),
        });
    }
    let context = checks::Context {
        recipes_text: workspace.recipes.unwrap_or_default(),
        recipes: parsed.recipes.as_ref(),
        discover: parsed.discover.as_ref(),
        scenarios: parsed.scenarios.as_ref(),
        audit: parsed.audit.as_ref(),
    };
    checks::run(&context, &mut report.diagnostics);
    if let Some(validation) = parsed.validation.as_ref() {
        checks::validation_file::check(validation, &mut report.diagnostics);
    }
    sort_diagnostics(&mut report.diagnostics);
    report
}

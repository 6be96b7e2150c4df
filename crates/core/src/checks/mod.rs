//! Every preflight check, grouped by what it reads; `run` calls them in a fixed order.

pub mod audit_coverage;
pub mod nearest;
pub mod nested_child;
pub mod placeholders;
pub mod planner_gates;
pub mod recipe_duplicates;
pub mod recipe_fields;
pub mod recipe_graph;
pub mod recipe_tokens;
pub mod recipes_schema;
pub mod scenario_coverage;
pub mod stale_dates;
pub mod teardown_order;
pub mod validation_file;

use crate::audit::AuditDoc;
use crate::diagnostic::{Diagnostic, FileKind};
use crate::dialect::{Dialect, Dialects};
use crate::discover::Discover;
use crate::json::Node;
use crate::recipes::{self, CreateGraph, Recipe};
use crate::scenarios::ScenariosDoc;

/// What the checks read: the parsed files (any may be missing) and the recipe source text.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The recipes file's text (fixes edit it).
    pub recipes_text: &'a str,
    /// The parsed recipes file.
    pub recipes: Option<&'a Node<'a>>,
    /// The discover schema, when present.
    pub discover: Option<&'a Discover>,
    /// `scenarios.md`, when present.
    pub scenarios: Option<&'a ScenariosDoc>,
    /// `entity-audit.md`, when present.
    pub audit: Option<&'a AuditDoc>,
    /// `scenarios.md`'s text (the planner's gates read it whole).
    pub scenarios_text: &'a str,
    /// The folder's layout and each file's dialect: which rules apply.
    pub dialects: &'a Dialects,
}

impl Context<'_> {
    /// Whether the plugin's own rules apply to `file` (not to planner or hand-made files).
    pub fn plugin_rules(&self, file: FileKind) -> bool {
        self.dialects.of(file).is_none_or(|d| d == Dialect::Plugin)
    }
}

/// One recipe with its create graph, as the per-recipe checks see it.
#[derive(Debug)]
pub struct RecipeUnderCheck<'a> {
    /// The recipe.
    pub recipe: Recipe<'a>,
    /// Its `create` map.
    pub create: Option<&'a Node<'a>>,
    /// Its records, aliases and references.
    pub graph: CreateGraph<'a>,
}

/// Runs all checks that apply to the files present.
pub fn run(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    planner_gates::check(context, diagnostics);
    let Some(root) = context.recipes else {
        audit_coverage::check(context, &[], diagnostics);
        return;
    };
    recipes_schema::check(context, root, diagnostics);
    let recipes: Vec<RecipeUnderCheck<'_>> = recipes::recipes(root)
        .into_iter()
        .map(|recipe| {
            let create = recipe.create.filter(|n| n.as_object().is_some());
            let graph = create
                .map(|c| CreateGraph::build(c, context.discover))
                .unwrap_or_default();
            RecipeUnderCheck {
                recipe,
                create,
                graph,
            }
        })
        .collect();
    for recipe in &recipes {
        recipe_graph::check(context, recipe, diagnostics);
        recipe_fields::check(context, recipe, diagnostics);
        recipe_duplicates::check(context.recipes_text, recipe, diagnostics);
        recipe_tokens::check(context, recipe, diagnostics);
        stale_dates::check(context.discover, recipe, diagnostics);
        teardown_order::check(context.recipes_text, recipe, diagnostics);
    }
    scenario_coverage::check(context, &recipes, diagnostics);
    audit_coverage::check(context, &recipes, diagnostics);
}

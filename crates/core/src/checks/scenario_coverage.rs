//! `scenarios.md` against the recipes: every scenario has a recipe, no extra recipes, counts agree.

use super::{Context, RecipeUnderCheck};
use crate::Span;
use crate::diagnostic::{Code, Diagnostic, FileKind, Fix, TextEdit};
use crate::json_edit;
use crate::scenarios::ScenariosDoc;

/// `scenarios.md` against the recipes: every scenario has a recipe and the counts match.
pub fn check(
    context: &Context<'_>,
    recipes: &[RecipeUnderCheck<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(doc) = context.scenarios else { return };
    if let Some((count, span)) = doc.scenario_count
        && doc.has_frontmatter
        && i64::try_from(doc.scenarios.len()).is_ok_and(|n| count != n)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::SCENARIOS_COUNT_MISMATCH,
                FileKind::Scenarios,
                span,
                format!(
                    "scenario_count is {count} but {} scenarios are listed",
                    doc.scenarios.len()
                ),
            )
            .with_help(format!("set scenario_count to {}", doc.scenarios.len())),
        );
    }
    let Some(root) = context.recipes else { return };
    if recipes.iter().any(|r| r.recipe.bare) {
        // A bare recipe has no name: the planner's `sdk up` uses it for any scenario.
        return;
    }
    for scenario in &doc.scenarios {
        if recipes
            .iter()
            .any(|r| r.recipe.name == Some(scenario.name.as_str()))
        {
            continue;
        }
        let mut diagnostic = Diagnostic::error(Code::SCENARIOS_MISSING_RECIPE, FileKind::Scenarios, scenario.name_span, format!("scenario `{}` has no recipe", scenario.name))
            .with_help("add a recipe with the same name to scenario-recipes.json (every scenario is provisioned from its recipe)");
        if let Some(fix) = skeleton_fix(
            context,
            root,
            doc,
            &scenario.name,
            scenario.description.as_deref(),
        ) {
            diagnostic = diagnostic.with_fix(fix);
        }
        diagnostics.push(diagnostic);
    }
    if !doc.has_frontmatter || doc.scenarios.is_empty() {
        return;
    }
    for under in recipes {
        let Some(name) = under.recipe.name else {
            continue;
        };
        let Some(scenario) = doc.scenario(name) else {
            diagnostics.push(
                Diagnostic::warning(Code::SCENARIOS_EXTRA_RECIPE, FileKind::Recipes, under.recipe.name_span, format!("recipe `{name}` is not a scenario in scenarios.md"))
                    .with_help("add it to the frontmatter's `scenarios`, or remove the recipe: tests are written from scenarios.md"),
            );
            continue;
        };
        if under.create.is_none() {
            continue;
        }
        let records = i64::try_from(under.graph.records.len()).unwrap_or(i64::MAX);
        let mut models: Vec<&str> = under.graph.records.iter().map(|r| r.model).collect();
        models.sort_unstable();
        models.dedup();
        if let Some((total, span)) = scenario.total_entities
            && total != records
        {
            diagnostics.push(
                Diagnostic::error(Code::SCENARIOS_COUNT_MISMATCH, FileKind::Scenarios, span, format!("scenario `{name}` says {total} entities, but its recipe creates {records}"))
                    .with_label(FileKind::Recipes, under.recipe.name_span, format!("recipe `{name}`"))
                    .with_help("tests are written from scenarios.md: make the recipe create exactly what the scenario describes, or correct the count")
                    .with_fix(count_fix(span, records, "total_entities")),
            );
        }
        if let Some((types, span)) = scenario.entity_types
            && i64::try_from(models.len()).is_ok_and(|n| types != n)
        {
            diagnostics.push(
                Diagnostic::error(Code::SCENARIOS_COUNT_MISMATCH, FileKind::Scenarios, span, format!("scenario `{name}` says {types} entity types, but its recipe creates {} ({})", models.len(), models.join(", ")))
                    .with_label(FileKind::Recipes, under.recipe.name_span, format!("recipe `{name}`"))
                    .with_fix(count_fix(span, i64::try_from(models.len()).unwrap_or(i64::MAX), "entity_types")),
            );
        }
    }
}

/// Brings a frontmatter count in line with what the recipe creates.
fn count_fix(span: Span, count: i64, key: &str) -> Fix {
    Fix {
        message: format!("set `{key}` to {count}, what the recipe creates"),
        file: FileKind::Scenarios,
        edits: vec![TextEdit {
            span,
            new_text: count.to_string(),
        }],
    }
}

/// A recipe skeleton for a scenario, appended to `recipes`.
fn skeleton_fix(
    context: &Context<'_>,
    root: &crate::json::Node,
    _doc: &ScenariosDoc,
    name: &str,
    description: Option<&str>,
) -> Option<Fix> {
    let recipes = root.get("recipes").filter(|r| r.as_array().is_some())?;
    let scope = context
        .discover
        .and_then(|d| d.scope_model())
        .map(|m| m.name.clone());
    let create = match scope {
        Some(model) => serde_json::json!({ model: [{ "_alias": "scope" }] }),
        None => serde_json::json!({}),
    };
    let skeleton = serde_json::json!({
        "name": name,
        "description": description.unwrap_or_default(),
        "create": create,
        "validation": { "status": "validated", "method": "endpoint-up-down", "phase": "ok" }
    });
    let text = serde_json::to_string_pretty(&skeleton).ok()?;
    Some(Fix {
        message: format!("add a recipe skeleton for `{name}`"),
        file: FileKind::Recipes,
        edits: vec![json_edit::append_item(context.recipes_text, recipes, &text)],
    })
}

//! Hover: a field's discover type, required/default and relation; an alias's record and its
//! users; a token's definition with an example value; the documentation of a diagnostic's code.

use super::index::{RecipeIndex, index_recipes, recipe_of};
use super::locate::{Entry, Seg, entries};
use super::{Hover, text};
use crate::diagnostic::{Diagnostic, FileKind, Span};
use crate::discover::{self, Discover};
use crate::{Workspace, preflight, tokens};
use serde_json::Value;

/// The run id example values are resolved for.
pub const SAMPLE_RUN_ID: &str = "sample-run-1a2b3c";

const DIAGNOSTICS_DOC: &str = include_str!("../../../../docs/diagnostics.md");

/// The documentation of a diagnostic code (its row of `docs/diagnostics.md`).
pub fn code_documentation(code: &str) -> Option<String> {
    let needle = format!("| `{code}` |");
    let row = DIAGNOSTICS_DOC.lines().find(|l| l.starts_with(&needle))?;
    let cells: Vec<&str> = row.split(" | ").collect();
    let severity = cells.get(1)?.trim();
    let text = cells.get(2..)?.join(" | ");
    Some(format!(
        "`{code}` ({severity}): {}",
        text.trim_end_matches('|').trim()
    ))
}

/// The hover card at `offset` of `file`.
pub fn hover(ws: &Workspace<'_>, file: FileKind, offset: usize) -> Option<Hover> {
    let source = text(ws, file)?;
    let mut parts: Vec<(String, Span)> = Vec::new();
    if file == FileKind::Recipes {
        let discover = ws.discover.and_then(|t| discover::parse(t).value);
        parts.extend(recipe_hover(source, offset, discover.as_ref()));
    }
    for diagnostic in diagnostics_at(ws, file, offset) {
        let doc = code_documentation(diagnostic.code.as_str()).unwrap_or_default();
        parts.push((
            format!("**{}**: {}\n\n{doc}", diagnostic.code, diagnostic.message),
            diagnostic.span,
        ));
    }
    let range = parts.first()?.1;
    let contents = parts
        .into_iter()
        .map(|(text, _)| text)
        .collect::<Vec<_>>()
        .join("\n\n---\n\n");
    Some(Hover { contents, range })
}

fn diagnostics_at(ws: &Workspace<'_>, file: FileKind, offset: usize) -> Vec<Diagnostic> {
    preflight(ws)
        .diagnostics
        .into_iter()
        .filter(|d| {
            d.file == file && d.span.start <= offset && offset <= d.span.end.max(d.span.start + 1)
        })
        .collect()
}

fn recipe_hover(
    source: &str,
    offset: usize,
    discover: Option<&Discover>,
) -> Option<(String, Span)> {
    let entry = entries(source)
        .into_iter()
        .find(|e| e.span.start <= offset && offset < e.span.end)?;
    let (recipe, rest) = recipe_of(&entry.path)?;
    let recipes = index_recipes(source);
    let index = recipes.get(recipe)?;
    if let Some(found) = token_hover(source, &entry, offset, index) {
        return Some(found);
    }
    let keys: Vec<&str> = rest
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.as_str(),
            Seg::Index(_) => "#",
        })
        .collect();
    let text = match (entry.is_key, keys.as_slice()) {
        (true, ["create", model]) => model_hover(model, index, discover),
        (true, ["create", model, "#", field]) => field_hover(model, field, discover)?,
        (false, [.., "_alias"]) => alias_hover(&entry.text, index),
        (false, [.., "_ref"]) => match index.alias(&entry.text) {
            Some(decl) => format!(
                "`_ref` to `{}`: {} record #{}",
                decl.name,
                decl.model,
                decl.record + 1
            ),
            None => format!("`{}` is not declared in this recipe", entry.text),
        },
        _ => return None,
    };
    Some((text, entry.span))
}

fn model_hover(model: &str, index: &RecipeIndex, discover: Option<&Discover>) -> String {
    let records = index.aliases.iter().filter(|a| a.model == model).count();
    match discover.and_then(|d| d.model(model)) {
        Some(m) => format!(
            "**{model}**: {} fields in discover; {records} aliased record(s) here",
            m.fields.len()
        ),
        None => format!("**{model}** is not in discover"),
    }
}

fn field_hover(model: &str, field: &str, discover: Option<&Discover>) -> Option<String> {
    if field == "_alias" {
        return Some("`_alias` names this record; `{\"_ref\": \"...\"}` points at it".to_owned());
    }
    let f = discover?.model(model)?.field(field)?;
    let need = match (f.is_required, f.has_default) {
        (_, true) => "has a default",
        (true, false) => "required",
        (false, false) => "optional",
    };
    let relation = field
        .strip_suffix("Id")
        .filter(|stem| !stem.is_empty())
        .map(|stem| {
            format!(
                "\n\nholds the id of a `{}` record: write `{{\"_ref\": \"...\"}}`",
                upper_first(stem)
            )
        })
        .unwrap_or_default();
    Some(format!("**{model}.{field}**: `{}`, {need}{relation}", f.ty))
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn alias_hover(alias: &str, index: &RecipeIndex) -> String {
    let Some(decl) = index.alias(alias) else {
        return format!("`{alias}`");
    };
    let users: Vec<String> = index
        .refs
        .iter()
        .filter(|r| r.name == alias)
        .map(|r| r.model.clone().unwrap_or_default())
        .collect();
    format!(
        "`{alias}`: {} record #{}; referenced by {} `_ref`(s){}",
        decl.model,
        decl.record + 1,
        users.len(),
        if users.is_empty() {
            String::new()
        } else {
            format!(" from {}", users.join(", "))
        }
    )
}

/// A `{{token}}` under the cursor: its definition and an example value.
fn token_hover(
    source: &str,
    entry: &Entry,
    offset: usize,
    index: &RecipeIndex,
) -> Option<(String, Span)> {
    let token = index
        .tokens
        .iter()
        .find(|t| t.span.start <= offset && offset < t.span.end)?;
    let text = match token.name.as_str() {
        "testRunId" => format!("`{{{{testRunId}}}}`: the run's id, e.g. `{SAMPLE_RUN_ID}`"),
        "testRunShortId" => format!(
            "`{{{{testRunShortId}}}}`: a short hash of the run's id, e.g. `{}`",
            tokens::test_run_short_id(SAMPLE_RUN_ID)
        ),
        name => variable_hover(source, entry, name)?,
    };
    Some((text, token.span))
}

fn variable_hover(source: &str, entry: &Entry, name: &str) -> Option<String> {
    let (recipe, _) = recipe_of(&entry.path)?;
    let value: Value = serde_json::from_str(source).ok()?;
    let definition = value
        .get("recipes")?
        .get(recipe)?
        .get("variables")?
        .get(name)?;
    let example = tokens::resolve_variable(name, definition, SAMPLE_RUN_ID).map_or_else(
        |e| format!("does not resolve: {e}"),
        |v| format!("e.g. `{}`", tokens::js_string(&v)),
    );
    Some(format!(
        "`{{{{{name}}}}}`: `{}` ({example})",
        serde_json::to_string(definition).unwrap_or_default()
    ))
}

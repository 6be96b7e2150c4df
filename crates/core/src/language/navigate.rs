//! Go to definition, references and rename: `_ref` ↔ `_alias`, `{{var}}` ↔ its variable, a
//! recipe ↔ its scenario in `scenarios.md`.

use super::index::{RecipeIndex, Use, index_recipes};
use super::{FileEdit, Location, RenameError, WorkspaceEdit, text};
use crate::diagnostic::{FileKind, Span, TextEdit};
use crate::{Workspace, scenarios, tokens};

/// What the cursor names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Symbol {
    Alias { recipe: usize, name: String },
    Variable { recipe: usize, name: String },
    Scenario(String),
}

fn symbol_at(ws: &Workspace<'_>, file: FileKind, offset: usize) -> Option<Symbol> {
    match file {
        FileKind::Recipes => recipe_symbol(text(ws, file)?, offset),
        FileKind::Scenarios => scenarios::parse(text(ws, file)?)
            .value
            .scenarios
            .into_iter()
            .find(|s| s.name_span.start <= offset && offset <= s.name_span.end)
            .map(|s| Symbol::Scenario(s.name)),
        _ => None,
    }
}

fn recipe_symbol(source: &str, offset: usize) -> Option<Symbol> {
    let recipes = index_recipes(source);
    let inside = |span: Span| span.start <= offset && offset < span.end;
    for (i, recipe) in recipes.iter().enumerate() {
        let alias = recipe
            .aliases
            .iter()
            .map(|a| (&a.name, a.span))
            .chain(recipe.refs.iter().map(|r| (&r.name, r.span)))
            .find(|(_, span)| inside(*span));
        if let Some((name, _)) = alias {
            return Some(Symbol::Alias {
                recipe: i,
                name: name.clone(),
            });
        }
        let variable = recipe
            .variables
            .iter()
            .chain(&recipe.tokens)
            .find(|v| inside(v.span));
        if let Some(variable) = variable {
            return Some(Symbol::Variable {
                recipe: i,
                name: variable.name.clone(),
            });
        }
        if let Some((name, span)) = &recipe.name
            && inside(*span)
        {
            return Some(Symbol::Scenario(name.clone()));
        }
    }
    None
}

fn recipe_named<'a>(recipes: &'a [RecipeIndex], name: &str) -> Option<&'a RecipeIndex> {
    recipes
        .iter()
        .find(|r| r.name.as_ref().is_some_and(|(n, _)| n == name))
}

fn in_recipes(span: Span) -> Location {
    Location {
        file: FileKind::Recipes,
        span,
    }
}

/// Where the symbol at `offset` is declared.
pub fn definition(ws: &Workspace<'_>, file: FileKind, offset: usize) -> Vec<Location> {
    let recipes = ws.recipes.map(index_recipes).unwrap_or_default();
    match symbol_at(ws, file, offset) {
        Some(Symbol::Alias { recipe, name }) => recipes
            .get(recipe)
            .and_then(|r| r.alias(&name))
            .map(|a| vec![in_recipes(a.span)])
            .unwrap_or_default(),
        Some(Symbol::Variable { recipe, name }) => recipes
            .get(recipe)
            .into_iter()
            .flat_map(|r| &r.variables)
            .filter(|v| v.name == name)
            .map(|v| in_recipes(v.span))
            .collect(),
        Some(Symbol::Scenario(name)) if file == FileKind::Recipes => scenario_locations(ws, &name),
        Some(Symbol::Scenario(name)) => recipe_named(&recipes, &name)
            .and_then(|r| r.name.as_ref())
            .map(|(_, span)| vec![in_recipes(*span)])
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

fn scenario_locations(ws: &Workspace<'_>, name: &str) -> Vec<Location> {
    ws.scenarios
        .map(|t| scenarios::parse(t).value.scenarios)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.name == name)
        .map(|s| Location {
            file: FileKind::Scenarios,
            span: s.name_span,
        })
        .collect()
}

/// Every place the symbol at `offset` is declared or used.
pub fn references(ws: &Workspace<'_>, file: FileKind, offset: usize) -> Vec<Location> {
    let recipes = ws.recipes.map(index_recipes).unwrap_or_default();
    match symbol_at(ws, file, offset) {
        Some(Symbol::Alias { recipe, name }) => alias_uses(recipes.get(recipe), &name)
            .map(in_recipes)
            .collect(),
        Some(Symbol::Variable { recipe, name }) => variable_uses(recipes.get(recipe), &name)
            .map(in_recipes)
            .collect(),
        Some(Symbol::Scenario(name)) => {
            let mut found: Vec<Location> = recipe_named(&recipes, &name)
                .and_then(|r| r.name.as_ref())
                .map(|(_, span)| vec![in_recipes(*span)])
                .unwrap_or_default();
            found.extend(scenario_locations(ws, &name));
            found
        }
        None => Vec::new(),
    }
}

fn alias_uses<'a>(
    recipe: Option<&'a RecipeIndex>,
    name: &'a str,
) -> impl Iterator<Item = Span> + 'a {
    let decls = recipe
        .into_iter()
        .flat_map(|r| &r.aliases)
        .filter(move |a| a.name == name)
        .map(|a| a.span);
    let refs = recipe
        .into_iter()
        .flat_map(|r| &r.refs)
        .filter(move |u| u.name == name)
        .map(|u| u.span);
    decls.chain(refs)
}

fn variable_uses<'a>(
    recipe: Option<&'a RecipeIndex>,
    name: &'a str,
) -> impl Iterator<Item = Span> + 'a {
    recipe
        .into_iter()
        .flat_map(|r| r.variables.iter().chain(&r.tokens))
        .filter(move |u: &&Use| u.name == name)
        .map(|u| u.span)
}

/// Renames the alias or variable at `offset` everywhere it is written.
pub fn rename(
    ws: &Workspace<'_>,
    file: FileKind,
    offset: usize,
    new_name: &str,
) -> Result<WorkspaceEdit, RenameError> {
    let recipes = ws.recipes.map(index_recipes).unwrap_or_default();
    match symbol_at(ws, file, offset) {
        Some(Symbol::Alias { recipe, name }) => {
            let index = recipes.get(recipe).ok_or(RenameError::NotRenamable)?;
            if new_name.is_empty()
                || new_name.contains(['"', '\\'])
                || new_name.chars().any(char::is_control)
            {
                return Err(RenameError::Invalid(new_name.to_owned()));
            }
            if index.alias(new_name).is_some() {
                return Err(RenameError::Collision(new_name.to_owned()));
            }
            // The quoted strings: replace what is between the quotes.
            let edits = alias_uses(Some(index), &name)
                .map(|span| FileEdit {
                    file: FileKind::Recipes,
                    edit: TextEdit {
                        span: Span::new(span.start + 1, span.end - 1),
                        new_text: new_name.to_owned(),
                    },
                })
                .collect();
            Ok(WorkspaceEdit { edits })
        }
        Some(Symbol::Variable { recipe, name }) => {
            rename_variable(ws, recipes.get(recipe), &name, new_name)
        }
        _ => Err(RenameError::NotRenamable),
    }
}

fn rename_variable(
    ws: &Workspace<'_>,
    index: Option<&RecipeIndex>,
    name: &str,
    new_name: &str,
) -> Result<WorkspaceEdit, RenameError> {
    let index = index.ok_or(RenameError::NotRenamable)?;
    if new_name.is_empty()
        || !new_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(RenameError::Invalid(new_name.to_owned()));
    }
    if tokens::BUILT_INS.contains(&new_name) || index.variables.iter().any(|v| v.name == new_name) {
        return Err(RenameError::Collision(new_name.to_owned()));
    }
    let mut edits: Vec<FileEdit> = index
        .variables
        .iter()
        .filter(|v| v.name == name)
        .map(|v| FileEdit {
            file: FileKind::Recipes,
            edit: TextEdit {
                span: Span::new(v.span.start + 1, v.span.end - 1),
                new_text: new_name.to_owned(),
            },
        })
        .collect();
    edits.extend(
        index
            .tokens
            .iter()
            .filter(|t| t.name == name)
            .map(|t| FileEdit {
                file: FileKind::Recipes,
                edit: TextEdit {
                    span: t.span,
                    new_text: format!("{{{{{new_name}}}}}"),
                },
            }),
    );
    // The scenarios.md frontmatter names the same `{{token}}` for the test writers.
    if let Some(text) = ws.scenarios {
        edits.extend(
            tokens::scan(text)
                .into_iter()
                .filter(|t| t.name == name)
                .map(|t| FileEdit {
                    file: FileKind::Scenarios,
                    edit: TextEdit {
                        span: Span::new(t.start, t.end),
                        new_text: format!("{{{{{new_name}}}}}"),
                    },
                }),
        );
    }
    Ok(WorkspaceEdit { edits })
}

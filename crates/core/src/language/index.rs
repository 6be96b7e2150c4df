//! What the language service knows about a recipes file, read forgivingly from its keys and
//! string values: per recipe its name, aliases, `_ref`s, variables and `{{token}}` uses.

use super::locate::{Entry, Seg, Token, entries, recipe_entries};
use crate::diagnostic::Span;
use crate::tokens;

/// An `_alias` declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasDecl {
    /// The alias.
    pub name: String,
    /// The model of its record.
    pub model: String,
    /// The record's position within its model.
    pub record: usize,
    /// The alias string, quotes included.
    pub span: Span,
}

/// A name used at a place: a `_ref`, a `{{token}}`, a variable key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Use {
    /// The name.
    pub name: String,
    /// Where it is written (a `_ref`'s string with quotes; a token's `{{...}}`; a key with quotes).
    pub span: Span,
    /// For a `_ref`: the model of the record that holds it.
    pub model: Option<String>,
}

/// One recipe of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecipeIndex {
    /// Its `name` (and the string's span).
    pub name: Option<(String, Span)>,
    /// Its `_alias` declarations.
    pub aliases: Vec<AliasDecl>,
    /// Its `_ref`s.
    pub refs: Vec<Use>,
    /// Its `variables` keys.
    pub variables: Vec<Use>,
    /// Its `{{token}}` uses.
    pub tokens: Vec<Use>,
    /// The models of its `create` map, with the key spans.
    pub models: Vec<(String, Span)>,
}

impl RecipeIndex {
    /// The declaration of `alias`.
    pub fn alias(&self, alias: &str) -> Option<&AliasDecl> {
        self.aliases.iter().find(|a| a.name == alias)
    }
}

/// The recipe a path belongs to, and the rest of the path.
pub fn recipe_of(path: &[Seg]) -> Option<(usize, &[Seg])> {
    match path {
        [Seg::Key(recipes), Seg::Index(i), rest @ ..] if recipes == "recipes" => Some((*i, rest)),
        _ => None,
    }
}

fn key_is(seg: Option<&Seg>, wanted: &str) -> bool {
    matches!(seg, Some(Seg::Key(k)) if k == wanted)
}

/// The declarations of the recipe at `index` of the file (its name, models, variables and
/// aliases, without the `_ref` and `{{token}}` uses); an empty index when there is none.
pub fn recipe_declarations(text: &str, index: usize) -> RecipeIndex {
    let mut recipe = RecipeIndex::default();
    // What `add` reads for those: the recipe's own members, the keys of `create` and
    // `variables`, and `_alias` values.
    let wanted = |t: Token<'_>| t.depth <= 4 || (!t.is_key && t.member == Some("\"_alias\""));
    for entry in recipe_entries(text, index, wanted) {
        if let Some((_, rest)) = recipe_of(&entry.path) {
            add(&mut recipe, rest, &entry, text);
        }
    }
    recipe
}

/// Every recipe of the file, by position.
pub fn index_recipes(text: &str) -> Vec<RecipeIndex> {
    let mut recipes: Vec<RecipeIndex> = Vec::new();
    for entry in entries(text) {
        let Some((i, rest)) = recipe_of(&entry.path) else {
            continue;
        };
        if recipes.len() <= i {
            recipes.resize_with(i + 1, RecipeIndex::default);
        }
        add(&mut recipes[i], rest, &entry, text);
    }
    recipes
}

fn add(recipe: &mut RecipeIndex, rest: &[Seg], entry: &Entry, text: &str) {
    match rest {
        [Seg::Key(k)] if k == "name" && !entry.is_key => {
            recipe.name = Some((entry.text.clone(), entry.span));
        }
        [Seg::Key(k), Seg::Key(model)] if k == "create" && entry.is_key => {
            recipe.models.push((model.clone(), entry.span));
        }
        [Seg::Key(k), Seg::Key(name)] if k == "variables" && entry.is_key => {
            recipe.variables.push(Use {
                name: name.clone(),
                span: entry.span,
                model: None,
            });
        }
        [
            Seg::Key(k),
            Seg::Key(model),
            Seg::Index(record),
            Seg::Key(field),
        ] if k == "create" && field == "_alias" && !entry.is_key => {
            recipe.aliases.push(AliasDecl {
                name: entry.text.clone(),
                model: model.clone(),
                record: *record,
                span: entry.span,
            });
        }
        [Seg::Key(k), rest @ ..] if k == "create" && !entry.is_key => {
            if key_is(rest.last(), "_ref") {
                recipe.refs.push(Use {
                    name: entry.text.clone(),
                    span: entry.span,
                    model: match rest.first() {
                        Some(Seg::Key(model)) => Some(model.clone()),
                        _ => None,
                    },
                });
            }
            add_tokens(recipe, entry, text);
        }
        _ => {}
    }
}

/// The `{{name}}` tokens of a string value, spans in the file.
fn add_tokens(recipe: &mut RecipeIndex, entry: &Entry, text: &str) {
    let inner_start = entry.span.start + 1;
    let raw = text
        .get(inner_start..entry.span.end.saturating_sub(1).max(inner_start))
        .unwrap_or_default();
    for token in tokens::scan(raw) {
        recipe.tokens.push(Use {
            name: token.name.to_owned(),
            span: Span::new(inner_start + token.start, inner_start + token.end),
            model: None,
        });
    }
}

/// The recipe whose entries contain `offset` (by the path at that offset).
pub fn recipe_at(path: &[Seg]) -> Option<usize> {
    recipe_of(path).map(|(i, _)| i)
}

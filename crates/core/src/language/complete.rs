//! Completion: models under `create`, fields of the record's model (type, required, default),
//! `_ref` aliases of the recipe, `{{tokens}}`, variable strategies and faker generators, enum
//! values, scenario names.

use super::index::{RecipeIndex, recipe_declarations, recipe_of};
use super::locate::{Cursor, Seg, cursor_at};
use super::{Completion, CompletionKind, text};
use crate::diagnostic::{FileKind, Span};
use crate::discover::{self, Discover, DiscoverField, enum_members};
use crate::{Workspace, faker, scenarios, tokens};

/// The completions at `offset` of `file`.
pub fn complete(ws: &Workspace<'_>, file: FileKind, offset: usize) -> Vec<Completion> {
    if file != FileKind::Recipes {
        return Vec::new();
    }
    let Some(source) = text(ws, FileKind::Recipes) else {
        return Vec::new();
    };
    let offset = crate::line_index::floor_char_boundary(source, offset);
    let cursor = cursor_at(source, offset);
    let discover = ws.discover.and_then(|t| discover::parse(t).value);
    let Some((recipe, rest)) = recipe_of(&cursor.path) else {
        return Vec::new();
    };
    let index = recipe_declarations(source, recipe);
    let context = Context {
        offset,
        cursor: &cursor,
        discover: discover.as_ref(),
        recipe: &index,
    };
    let keys: Vec<&str> = rest
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.as_str(),
            Seg::Index(_) => "#",
        })
        .collect();
    match (cursor.in_key, keys.as_slice()) {
        (true, ["create"]) => context.models(),
        (true, ["create", model, "#"]) => context.fields(model),
        (true, ["variables", _]) => context.words(
            &["strategy", "value", "source", "format", "generator"],
            CompletionKind::Keyword,
        ),
        (false, ["variables", _, "strategy"]) => {
            context.words(&["literal", "derived", "faker"], CompletionKind::Strategy)
        }
        (false, ["variables", _, "generator"]) => {
            context.words(&faker::GENERATORS, CompletionKind::Generator)
        }
        (false, ["variables", _, "source"]) => {
            context.words(&["testRunId"], CompletionKind::Keyword)
        }
        (false, ["name"]) => context.scenario_names(ws),
        (false, [.., "_ref"]) => context.aliases(),
        (false, ["create", model, "#", field]) => context.value(model, field),
        (false, ["create", ..]) => context.tokens(),
        _ => Vec::new(),
    }
}

/// Everything a completion needs.
struct Context<'a> {
    offset: usize,
    cursor: &'a Cursor,
    discover: Option<&'a Discover>,
    recipe: &'a RecipeIndex,
}

impl Context<'_> {
    /// An item that replaces the string under the cursor (or is inserted, quoted, at it).
    fn quoted(
        &self,
        label: &str,
        kind: CompletionKind,
        detail: Option<String>,
        documentation: Option<String>,
    ) -> Completion {
        let insert = serde_json::to_string(label).unwrap_or_default();
        Completion {
            label: label.to_owned(),
            kind,
            detail,
            documentation,
            insert_text: Some(insert),
            range: Some(self.cursor.token.unwrap_or(Span::at(self.offset))),
        }
    }

    fn words(&self, words: &[&str], kind: CompletionKind) -> Vec<Completion> {
        words
            .iter()
            .map(|w| self.quoted(w, kind, None, None))
            .collect()
    }

    fn models(&self) -> Vec<Completion> {
        let Some(discover) = self.discover else {
            return Vec::new();
        };
        discover
            .models
            .iter()
            .filter(|m| !m.name.is_empty())
            .map(|m| {
                let required: Vec<&str> = m
                    .fields
                    .iter()
                    .filter(|f| f.is_required && !f.has_default && !f.is_id)
                    .map(|f| f.name.as_str())
                    .collect();
                self.quoted(
                    &m.name,
                    CompletionKind::Model,
                    Some(format!("{} fields", m.fields.len())),
                    Some(format!(
                        "required: {}",
                        if required.is_empty() {
                            "none".to_owned()
                        } else {
                            required.join(", ")
                        }
                    )),
                )
            })
            .collect()
    }

    fn fields(&self, model: &str) -> Vec<Completion> {
        let mut out = vec![self.quoted(
            "_alias",
            CompletionKind::Keyword,
            Some("names this record for `_ref`s".to_owned()),
            None,
        )];
        if let Some(model) = self.discover.and_then(|d| d.model(model)) {
            out.extend(
                model.fields.iter().filter(|f| !f.is_id).map(|f| {
                    self.quoted(&f.name, CompletionKind::Field, Some(field_detail(f)), None)
                }),
            );
        }
        out
    }

    fn aliases(&self) -> Vec<Completion> {
        self.recipe
            .aliases
            .iter()
            .map(|a| {
                self.quoted(
                    &a.name,
                    CompletionKind::Alias,
                    Some(format!("{} #{}", a.model, a.record + 1)),
                    None,
                )
            })
            .collect()
    }

    fn value(&self, model: &str, field: &str) -> Vec<Completion> {
        let ty = self
            .discover
            .and_then(|d| d.model(model))
            .and_then(|m| m.field(field))
            .map(|f| f.ty.clone());
        match ty.as_deref().and_then(enum_members) {
            Some(members) if !self.cursor.prefix.contains("{{") => members
                .iter()
                .map(|m| self.quoted(m, CompletionKind::EnumValue, ty.clone(), None))
                .collect(),
            _ => self.tokens(),
        }
    }

    /// `{{token}}`s, when the string typed so far opens one.
    fn tokens(&self) -> Vec<Completion> {
        let Some(open) = self.cursor.prefix.rfind("{{") else {
            return Vec::new();
        };
        if self.cursor.prefix[open..].contains("}}") {
            return Vec::new();
        }
        let start = self.cursor.token.map_or(self.offset, |t| t.start) + open;
        let range = Span::new(start, self.offset);
        let declared = self
            .recipe
            .variables
            .iter()
            .map(|v| (v.name.as_str(), "variable of this recipe"));
        let built_in = tokens::BUILT_INS
            .iter()
            .map(|b| (*b, "built in: the platform resolves it"));
        built_in
            .chain(declared)
            .map(|(name, detail)| Completion {
                label: format!("{{{{{name}}}}}"),
                kind: CompletionKind::Token,
                detail: Some(detail.to_owned()),
                documentation: None,
                insert_text: Some(format!("{{{{{name}}}}}")),
                range: Some(range),
            })
            .collect()
    }

    fn scenario_names(&self, ws: &Workspace<'_>) -> Vec<Completion> {
        let Some(text) = ws.scenarios else {
            return Vec::new();
        };
        scenarios::parse(text)
            .value
            .scenarios
            .iter()
            .map(|s| {
                self.quoted(
                    &s.name,
                    CompletionKind::Scenario,
                    s.description.clone(),
                    None,
                )
            })
            .collect()
    }
}

/// `string, required` / `integer, has a default`.
fn field_detail(field: &DiscoverField) -> String {
    let need = if field.has_default {
        "has a default"
    } else if field.is_required {
        "required"
    } else {
        "optional"
    };
    format!("{}, {need}", field.ty)
}

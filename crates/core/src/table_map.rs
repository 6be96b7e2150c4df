//! Which database table holds each discover model: discover's `tableName`, then case-insensitive
//! matches of the model name, its snake_case and plural forms in the catalog, with overrides.

use crate::discover::{Discover, DiscoverModel};
use std::collections::BTreeMap;

/// `OrgMember` -> `org_member`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            previous_lower = false;
        } else {
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
            out.push(c);
        }
    }
    out
}

/// English plural forms worth trying for a table name.
fn plurals(word: &str) -> Vec<String> {
    let mut forms = vec![format!("{word}s")];
    if word.ends_with(['s', 'x', 'z']) || word.ends_with("ch") || word.ends_with("sh") {
        forms.push(format!("{word}es"));
    }
    if let Some(stem) = word.strip_suffix('y') {
        forms.push(format!("{stem}ies"));
    }
    forms
}

/// The candidate table names for a model, best first.
pub fn candidates(model: &str, table_name: Option<&str>) -> Vec<String> {
    let snake = snake_case(model);
    let mut names: Vec<String> = table_name.into_iter().map(str::to_owned).collect();
    names.push(model.to_owned());
    names.push(snake.clone());
    names.extend(plurals(model));
    names.extend(plurals(&snake));
    names
}

/// The database's tables and their columns.
pub type Catalog = BTreeMap<String, Vec<String>>;

/// How each model maps to a catalog table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableMap {
    /// Model -> table.
    pub tables: BTreeMap<String, String>,
    /// The models of `tables` found by their columns (no table name matched).
    pub by_columns: BTreeMap<String, String>,
    /// Models with no table found.
    pub unmapped: Vec<String>,
    /// Models that two or more tables fit equally well by their columns (best first).
    pub ambiguous: BTreeMap<String, Vec<String>>,
}

/// A column or field name compared without case and underscores (`organization_id` =
/// `organizationId`).
fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Maps every discover model to a table of `catalog`: overrides win, then the candidate names
/// above (compared case-insensitively), then the table whose columns hold most of the model's
/// fields (at least half of them), when exactly one table does.
pub fn map_tables(
    discover: &Discover,
    catalog: &Catalog,
    overrides: &BTreeMap<String, String>,
) -> TableMap {
    let mut map = TableMap::default();
    let mut by_name_missing = Vec::new();
    for model in &discover.models {
        if let Some(table) = overrides.get(&model.name) {
            map.tables.insert(model.name.clone(), table.clone());
            continue;
        }
        let found = candidates(&model.name, model.table_name.as_deref())
            .into_iter()
            .find_map(|candidate| catalog.keys().find(|t| t.eq_ignore_ascii_case(&candidate)));
        match found {
            Some(table) => {
                map.tables.insert(model.name.clone(), table.clone());
            }
            None => by_name_missing.push(model),
        }
    }
    for model in by_name_missing {
        let claimed: Vec<&String> = map.tables.values().collect();
        let free = catalog.iter().filter(|(t, _)| !claimed.contains(t));
        match best_by_columns(model, free) {
            ColumnMatch::One(table) => {
                map.tables.insert(model.name.clone(), table.clone());
                map.by_columns.insert(model.name.clone(), table);
            }
            ColumnMatch::Tied(tables) => {
                map.ambiguous.insert(model.name.clone(), tables);
                map.unmapped.push(model.name.clone());
            }
            ColumnMatch::None => map.unmapped.push(model.name.clone()),
        }
    }
    map
}

enum ColumnMatch {
    One(String),
    Tied(Vec<String>),
    None,
}

/// The table whose columns hold most of the model's fields (its synthetic `id` aside).
fn best_by_columns<'a>(
    model: &DiscoverModel,
    tables: impl Iterator<Item = (&'a String, &'a Vec<String>)>,
) -> ColumnMatch {
    let fields: Vec<String> = model
        .fields
        .iter()
        .filter(|f| !f.is_id)
        .map(|f| normalized(&f.name))
        .collect();
    let needed = fields.len().div_ceil(2).max(1);
    let mut scored: Vec<(usize, &String)> = tables
        .map(|(table, columns)| {
            let columns: Vec<String> = columns.iter().map(|c| normalized(c)).collect();
            let score = fields.iter().filter(|f| columns.contains(f)).count();
            (score, table)
        })
        .filter(|(score, _)| *score >= needed)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    match scored.as_slice() {
        [] => ColumnMatch::None,
        [(best, table), rest @ ..] => {
            let tied: Vec<String> = rest
                .iter()
                .take_while(|(score, _)| score == best)
                .map(|(_, t)| (*t).clone())
                .collect();
            if tied.is_empty() {
                ColumnMatch::One((*table).clone())
            } else {
                ColumnMatch::Tied(std::iter::once((*table).clone()).chain(tied).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{DiscoverField, DiscoverModel};

    #[test]
    fn maps_names_snake_case_and_plurals() {
        assert_eq!(snake_case("OrgMember"), "org_member");
        assert_eq!(snake_case("HTTPLog"), "httplog");
        let discover = Discover {
            models: ["Organization", "OrgMember", "Category", "Box", "User"]
                .into_iter()
                .map(|name| DiscoverModel {
                    name: name.into(),
                    ..DiscoverModel::default()
                })
                .collect(),
            ..Discover::default()
        };
        let catalog: Catalog = [
            "organizations",
            "org_member",
            "categories",
            "boxes",
            "accounts",
        ]
        .into_iter()
        .map(|t| (t.to_owned(), Vec::new()))
        .collect();
        let overrides = BTreeMap::from([("User".to_owned(), "accounts".to_owned())]);
        let map = map_tables(&discover, &catalog, &overrides);
        assert_eq!(map.tables["Organization"], "organizations");
        assert_eq!(map.tables["OrgMember"], "org_member");
        assert_eq!(map.tables["Category"], "categories");
        assert_eq!(map.tables["Box"], "boxes");
        assert_eq!(map.tables["User"], "accounts");
        assert!(map.unmapped.is_empty());
    }

    fn model(name: &str, table: &str, fields: &[&str]) -> DiscoverModel {
        DiscoverModel {
            name: name.into(),
            table_name: Some(table.into()),
            fields: std::iter::once(DiscoverField {
                name: "id".into(),
                is_id: true,
                ..DiscoverField::default()
            })
            .chain(fields.iter().map(|f| DiscoverField {
                name: (*f).into(),
                ..DiscoverField::default()
            }))
            .collect(),
        }
    }

    #[test]
    fn a_table_no_name_matches_is_found_by_its_columns() {
        let discover = Discover {
            models: vec![model("Card", "card", &["title", "columnId", "position"])],
            ..Discover::default()
        };
        let columns = |cols: &[&str]| cols.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let catalog = Catalog::from([
            (
                "kanban_card".into(),
                columns(&["id", "title", "column_id", "position"]),
            ),
            (
                "kanban_column".into(),
                columns(&["id", "title", "board_id"]),
            ),
        ]);
        let map = map_tables(&discover, &catalog, &BTreeMap::new());
        assert_eq!(map.tables["Card"], "kanban_card");
        assert_eq!(map.by_columns["Card"], "kanban_card");

        let tied = Catalog::from([
            (
                "a_card".into(),
                columns(&["title", "column_id", "position"]),
            ),
            (
                "b_card".into(),
                columns(&["title", "column_id", "position"]),
            ),
        ]);
        let map = map_tables(&discover, &tied, &BTreeMap::new());
        assert_eq!(map.unmapped, ["Card"]);
        assert_eq!(map.ambiguous["Card"], ["a_card", "b_card"]);
    }
}

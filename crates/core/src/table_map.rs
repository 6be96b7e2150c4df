//! Which database table holds each discover model: discover's `tableName`, then case-insensitive
//! matches of the model name, its snake_case and plural forms in the catalog, with overrides.

use crate::discover::Discover;
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

/// How each model maps to a catalog table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableMap {
    pub tables: BTreeMap<String, String>,
    /// Models with no table found.
    pub unmapped: Vec<String>,
}

/// Maps every discover model to a table of `catalog` (overrides win, then the candidates above,
/// compared case-insensitively).
pub fn map_tables(
    discover: &Discover,
    catalog: &[String],
    overrides: &BTreeMap<String, String>,
) -> TableMap {
    let mut map = TableMap::default();
    for model in &discover.models {
        if let Some(table) = overrides.get(&model.name) {
            map.tables.insert(model.name.clone(), table.clone());
            continue;
        }
        let found = candidates(&model.name, model.table_name.as_deref())
            .into_iter()
            .find_map(|candidate| catalog.iter().find(|t| t.eq_ignore_ascii_case(&candidate)));
        match found {
            Some(table) => {
                map.tables.insert(model.name.clone(), table.clone());
            }
            None => map.unmapped.push(model.name.clone()),
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::DiscoverModel;

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
        let catalog: Vec<String> = [
            "organizations",
            "org_member",
            "categories",
            "boxes",
            "accounts",
        ]
        .map(String::from)
        .to_vec();
        let overrides = BTreeMap::from([("User".to_owned(), "accounts".to_owned())]);
        let map = map_tables(&discover, &catalog, &overrides);
        assert_eq!(map.tables["Organization"], "organizations");
        assert_eq!(map.tables["OrgMember"], "org_member");
        assert_eq!(map.tables["Category"], "categories");
        assert_eq!(map.tables["Box"], "boxes");
        assert_eq!(map.tables["User"], "accounts");
        assert!(map.unmapped.is_empty());
    }
}

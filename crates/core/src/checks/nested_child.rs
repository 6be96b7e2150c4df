//! The quick fix of `recipe/dropped-nested-child`: nested children (a legacy tree under a
//! factory-driven endpoint) moved to top-level records with a `_ref` to their parent.

use super::RecipeUnderCheck;
use crate::diagnostic::{FileKind, Fix};
use crate::discover::{Discover, DiscoverField, DiscoverModel};
use crate::json::Member;
use crate::json_edit;
use crate::recipes::RecordInfo;

fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The model a nesting key stands for (`projects` -> `Project`) and, when exactly one field of it
/// can point at the parent, that foreign-key field.
pub fn child_model<'d>(
    discover: &'d Discover,
    parent_model: &str,
    key: &str,
) -> Option<(&'d DiscoverModel, Option<&'d DiscoverField>)> {
    let key = normalized(key);
    let mut candidates = vec![key.clone()];
    if let Some(stem) = key.strip_suffix("ies") {
        candidates.push(format!("{stem}y"));
    }
    if let Some(stem) = key.strip_suffix("es") {
        candidates.push(stem.to_owned());
    }
    if let Some(stem) = key.strip_suffix('s') {
        candidates.push(stem.to_owned());
    }
    let model = candidates
        .iter()
        .find_map(|c| discover.models.iter().find(|m| normalized(&m.name) == *c))?;
    let parent_key = format!("{}id", normalized(parent_model));
    let is_scope_parent = discover
        .scope_model()
        .is_some_and(|s| s.name == parent_model);
    let scope_field = discover.scope_field.as_deref().unwrap_or_default();
    let fks: Vec<&DiscoverField> = model
        .fields
        .iter()
        .filter(|f| {
            !f.is_id
                && (normalized(&f.name) == parent_key || (is_scope_parent && f.name == scope_field))
        })
        .collect();
    Some((model, if fks.len() == 1 { Some(fks[0]) } else { None }))
}

/// The text edits that move `member`'s children of `record` to a top-level key, each with a
/// `_ref` to the record. `None` when the foreign-key field is ambiguous.
pub fn fix(
    source: &str,
    under: &RecipeUnderCheck<'_>,
    record: &RecordInfo<'_>,
    member: &Member,
    discover: &Discover,
    child: &DiscoverModel,
) -> Option<Fix> {
    let create = under.create?;
    let (_, fk) = child_model(discover, record.model, &member.key)?;
    let fk = fk?;
    if child.name == record.model || record.parent.is_some() {
        return None;
    }
    let members = record.node.as_object()?;
    let index = members.iter().position(|m| std::ptr::eq(m, member))?;
    let mut edits = vec![json_edit::remove_member(source, record.node, index)?];
    let alias = if let Some((alias, _)) = record.alias {
        alias.to_owned()
    } else {
        let base = lower_first(record.model);
        let mut alias = base.clone();
        let mut n = 1;
        while under.graph.aliases.contains_key(alias.as_str()) {
            n += 1;
            alias = format!("{base}{n}");
        }
        edits.push(json_edit::prepend_member(
            source,
            record.node,
            "_alias",
            &serde_json::to_string(&alias).ok()?,
        ));
        alias
    };
    let unit = json_edit::indent_unit(source);
    let children: Vec<String> = member
        .value
        .as_array()?
        .iter()
        .map(|node| {
            let mut map = serde_json::Map::new();
            map.insert(fk.name.clone(), serde_json::json!({ "_ref": alias }));
            if let serde_json::Value::Object(rest) = node.to_value() {
                for (k, v) in rest {
                    map.entry(k).or_insert(v);
                }
            }
            pretty(&serde_json::Value::Object(map), unit)
        })
        .collect();
    if let Some(existing) = create
        .member(&child.name)
        .filter(|m| m.value.as_array().is_some())
    {
        edits.push(json_edit::append_item(
            source,
            &existing.value,
            &children.join(",\n"),
        ));
    } else {
        let items = children
            .iter()
            .map(|c| format!("{unit}{}", c.replace('\n', &format!("\n{unit}"))))
            .collect::<Vec<_>>()
            .join(",\n");
        edits.push(json_edit::insert_member(
            source,
            create,
            &child.name,
            &format!("[\n{items}\n]"),
        ));
    }
    Some(Fix {
        message: format!(
            "move `{}` to a top-level `{}` key with `\"{}\": {{\"_ref\": \"{alias}\"}}`",
            member.key, child.name, fk.name
        ),
        file: FileKind::Recipes,
        edits,
    })
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn pretty(value: &serde_json::Value, unit: &str) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    if serde::Serialize::serialize(value, &mut serializer).is_err() {
        return value.to_string();
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_string())
}

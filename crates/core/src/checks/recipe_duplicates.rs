//! Collisions the live run would meet: two records of one model with the same value in a unique
//! field (an email, slug, username, handle, login or external id).

use super::RecipeUnderCheck;
use crate::diagnostic::{Code, Diagnostic, FileKind, Fix, TextEdit};
use crate::json::{Node, NodeKind};
use crate::json_edit;
use std::collections::BTreeMap;

/// Field names that are unique in practice when discover says nothing (compared lowercased,
/// without `_` and `-`).
const UNIQUE_NAMES: [&str; 9] = [
    "email",
    "slug",
    "username",
    "handle",
    "login",
    "externalid",
    "externalref",
    "externalreference",
    "subdomain",
];

fn is_unique_name(field: &str) -> bool {
    let normal = field.to_ascii_lowercase().replace(['_', '-'], "");
    UNIQUE_NAMES.contains(&normal.as_str())
}

/// ## What it does
/// Flags the second record of a model whose unique field holds the same string as an earlier
/// record of that model (the same literal, or the same `{{token}}`, resolves to the same value in
/// one run).
///
/// ## Why it matters
/// The endpoint's insert hits the unique constraint: `up` answers 500 and nothing is created;
/// preflight is the last place this can be seen without a live run.
///
/// ## Fix
/// Give this record its own value: a derived variable of its own for a token (declared next to
/// the one it copies, its format made distinct), or a distinct literal.
pub fn check(source: &str, under: &RecipeUnderCheck<'_>, diagnostics: &mut Vec<Diagnostic>) {
    // (model, field, value) -> the first record's value node.
    let mut seen: BTreeMap<(&str, &str, &str), &Node<'_>> = BTreeMap::new();
    for record in &under.graph.records {
        for member in record.node.as_object().unwrap_or_default() {
            let NodeKind::String(value) = &member.value.kind else {
                continue;
            };
            if !is_unique_name(&member.key) || value.trim().is_empty() {
                continue;
            }
            let key = (record.model, member.key.as_ref(), value.as_ref());
            match seen.get(&key) {
                None => {
                    seen.insert(key, &member.value);
                }
                Some(first) => diagnostics.push(duplicate(
                    source,
                    under,
                    record.model,
                    &member.key,
                    first,
                    &member.value,
                )),
            }
        }
    }
}

fn duplicate(
    source: &str,
    under: &RecipeUnderCheck<'_>,
    model: &str,
    field: &str,
    first: &Node<'_>,
    again: &Node<'_>,
) -> Diagnostic {
    let value = again.as_str().unwrap_or_default();
    let mut diagnostic = Diagnostic::warning(
        Code::RECIPE_DUPLICATE_VALUE,
        FileKind::Recipes,
        again.span,
        format!("a second `{model}` with {field} \"{value}\": the endpoint's unique column refuses it"),
    )
    .with_label(FileKind::Recipes, first.span, "the first record with this value")
    .with_help("give this record its own derived variable (or its own literal): one run resolves equal values to one value");
    if let Some(fix) = distinct_value_fix(source, under, again) {
        diagnostic = diagnostic.with_fix(fix);
    }
    diagnostic
}

/// `owner+x@y` -> `owner-2+x@y`; `x@y` -> `x-2@y`; anything else gets `-2`.
fn distinct(text: &str, n: usize) -> String {
    let local_end = text.find(['+', '@']).unwrap_or(text.len());
    format!("{}-{n}{}", &text[..local_end], &text[local_end..])
}

/// For `{{name}}` declared as a derived variable: a new variable `name_2` whose format is made
/// distinct, and the value pointing at it; for a literal: a distinct literal.
fn distinct_value_fix(source: &str, under: &RecipeUnderCheck<'_>, again: &Node<'_>) -> Option<Fix> {
    let value = again.as_str()?;
    let token = value
        .strip_prefix("{{")
        .and_then(|v| v.strip_suffix("}}"))
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    let Some(name) = token else {
        let replacement = serde_json::to_string(&distinct(value, 2)).ok()?;
        return Some(Fix {
            message: "give this record a distinct value".to_owned(),
            file: FileKind::Recipes,
            edits: vec![TextEdit {
                span: again.span,
                new_text: replacement,
            }],
        });
    };
    let variables = &under.recipe.variables?.value;
    let definition = variables.get(name)?;
    let format = definition.get("format")?.as_str()?;
    let fresh = (2..1000)
        .map(|n| (n, format!("{name}_{n}")))
        .find(|(_, candidate)| variables.get(candidate).is_none())?;
    let declaration = serde_json::json!({
        "strategy": "derived",
        "source": "testRunId",
        "format": distinct(format, fresh.0),
    });
    Some(Fix {
        message: format!("give this record its own derived variable `{}`", fresh.1),
        file: FileKind::Recipes,
        edits: vec![
            TextEdit {
                span: again.span,
                new_text: format!("\"{{{{{}}}}}\"", fresh.1),
            },
            json_edit::insert_member(
                source,
                variables,
                &fresh.1,
                &serde_json::to_string_pretty(&declaration).unwrap_or_default(),
            ),
        ],
    })
}

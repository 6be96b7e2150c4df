//! Every quick fix of a workspace, applied in rounds whose edits never collide (the editor's
//! "Fix all", `preflight --fix`), and the flattening of nested recipes built on it.

use crate::diagnostic::{Code, Diagnostic, FileKind, Fix, TextEdit};
use crate::preflight::{Texts, Workspace, preflight};
use std::collections::BTreeMap;

/// Applies the fixes of the diagnostics `wanted` accepts, in rounds: each round runs a fresh
/// preflight and takes the fixes whose edits neither overlap nor touch an edit already taken (the
/// others wait for the next round). Returns how many fixes were applied; stops when a round
/// changes nothing.
pub fn apply_fixes(texts: &mut Texts, wanted: impl Fn(&Diagnostic) -> bool) -> usize {
    const ROUNDS: usize = 1000;
    let mut applied = 0;
    for _ in 0..ROUNDS {
        let fixes: Vec<Fix> = preflight(&Workspace::from_texts(texts))
            .diagnostics
            .into_iter()
            .filter(|d| wanted(d))
            .filter_map(|d| d.fix)
            .collect();
        let mut taken: BTreeMap<FileKind, (Vec<TextEdit>, usize)> = BTreeMap::new();
        for fix in fixes {
            let (edits, count) = taken.entry(fix.file).or_default();
            let clear = fix.edits.iter().all(|new| {
                edits
                    .iter()
                    .all(|old| new.span.end < old.span.start || old.span.end < new.span.start)
            });
            if clear {
                edits.extend(fix.edits);
                *count += 1;
            }
        }
        let mut changed = false;
        for (file, (edits, count)) in taken {
            let Some(before) = texts.get(&file) else {
                continue;
            };
            let after = Fix {
                message: String::new(),
                file,
                edits,
            }
            .apply(before);
            if &after != before {
                texts.insert(file, after);
                applied += count;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    applied
}

/// Applies every "flatten nested child" fix to a recipes file until none is left (in the
/// non-colliding rounds of `fix_all`).
/// Returns the new text and how many nested arrays were moved.
pub fn flatten_recipes(recipes_text: &str, discover_text: &str) -> (String, usize) {
    let mut texts = Texts::from([
        (crate::FileKind::Recipes, recipes_text.to_owned()),
        (crate::FileKind::Discover, discover_text.to_owned()),
    ]);
    let moved = apply_fixes(&mut texts, |d| d.code == Code::RECIPE_DROPPED_NESTED_CHILD);
    let text = texts.remove(&crate::FileKind::Recipes).unwrap_or_default();
    (text, moved)
}

/// Flattens any of: a whole recipes file, one recipe object, or a bare create map (detected from
/// the document's keys). Returns the same kind of document, flattened. Invalid JSON is returned
/// unchanged with zero moves.
pub fn flatten_document(text: &str, discover_text: &str) -> (String, usize) {
    let Some(root) = crate::json::parse(FileKind::Recipes, text).value else {
        return (text.to_owned(), 0);
    };
    if root.get("recipes").is_some() {
        return flatten_recipes(text, discover_text);
    }
    let (prefix, suffix) = if root.get("create").is_some() {
        ("{\"recipes\":[", "]}")
    } else {
        ("{\"recipes\":[{\"name\":\"recipe\",\"create\":", "}]}")
    };
    let wrapped = format!("{prefix}{text}{suffix}");
    let (flat, moved) = flatten_recipes(&wrapped, discover_text);
    let inner = crate::json::parse(FileKind::Recipes, &flat)
        .value
        .and_then(|file| {
            let recipe = file.get("recipes")?.as_array()?.first()?.clone();
            let node = if root.get("create").is_some() {
                recipe
            } else {
                recipe.get("create")?.clone()
            };
            Some(flat[node.span.start..node.span.end].to_owned())
        });
    match inner {
        Some(inner) => (inner, moved),
        None => (text.to_owned(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[test]
    fn every_dangling_ref_is_repaired_in_one_pass() {
        let recipes = r#"{"recipes": [{"name": "a", "description": "d", "create": {
            "Organization": [{"_alias": "org", "name": "x"}],
            "Project": [{"name": "p", "organizationId": {"_ref": "orgg"}},
                        {"name": "q", "organizationId": {"_ref": "orgg"}}]}}]}"#;
        let mut texts = Texts::from([(FileKind::Recipes, recipes.to_owned())]);
        let applied = apply_fixes(&mut texts, |d| d.code == Code::RECIPE_UNKNOWN_ALIAS);
        assert_eq!(applied, 2);
        assert_eq!(
            texts[&FileKind::Recipes]
                .matches(r#""_ref": "org""#)
                .count(),
            2
        );
        assert!(
            preflight(&Workspace::from_texts(&texts))
                .diagnostics
                .iter()
                .all(|d| d.code != Code::RECIPE_UNKNOWN_ALIAS)
        );
    }
}

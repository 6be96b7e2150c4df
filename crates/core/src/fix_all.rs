//! Every quick fix of a workspace, applied in rounds whose edits never collide (the editor's "Fix all", `preflight --fix`).

use crate::diagnostic::{Diagnostic, FileKind, Fix, TextEdit};
use crate::preflight::{Workspace, preflight};
use std::collections::BTreeMap;

/// Owned workspace texts, one per file present.
pub type Texts = BTreeMap<FileKind, String>;

impl<'a> Workspace<'a> {
    /// The core's view of owned texts.
    pub fn from_texts(texts: &'a Texts) -> Workspace<'a> {
        let text = |kind| texts.get(&kind).map(String::as_str);
        Workspace {
            scenarios: text(FileKind::Scenarios),
            entity_audit: text(FileKind::EntityAudit),
            discover: text(FileKind::Discover),
            recipes: text(FileKind::Recipes),
            validation: text(FileKind::Validation),
        }
    }
}

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

//! `recipe/teardown-order`: a `_ref` that the SDKs' teardown order will break. Both official
//! SDKs order `down` by the dependencies of records that carry an `_alias` only
//! (`reference/protocol.md` §9); a record without one adds no edge, so the model it references
//! may be deleted first and a real foreign key makes `down` fail with rows left.

use super::RecipeUnderCheck;
use crate::diagnostic::{Code, Diagnostic, FileKind, Fix};
use crate::json_edit;
use std::collections::BTreeSet;

/// ## What it does
/// Computes the teardown order as the SDKs do (models in order of first creation; a Kahn sort
/// over the model dependencies of aliased records, ties in that order; reversed) and flags each
/// `_ref` of a record without `_alias` whose target model is deleted before the record's own.
///
/// ## Why it matters
/// `down` answers `500` at the foreign key, the rows stay, and only a read of the SDK's source
/// explains why.
///
/// ## Fix
/// Give the referencing record an `_alias`: its dependency then orders the teardown.
pub fn check(source: &str, under: &RecipeUnderCheck<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let graph = &under.graph;
    if graph.records.iter().any(|r| r.parent.is_some()) || graph.graph.has_cycle() {
        return; // legacy nested trees and cycles are other checks' business
    }
    let teardown = teardown_order(under);
    let position = |model: &str| teardown.iter().position(|m| m == model);
    let mut taken: BTreeSet<String> = graph.aliases.keys().map(|a| (*a).to_owned()).collect();
    for record in graph.records.iter().filter(|r| r.alias.is_none()) {
        let mut fix_offered = false;
        for (alias, span) in &record.refs {
            let Some(&target) = graph.aliases.get(alias) else {
                continue;
            };
            let target_model = graph.records[target].model;
            if target_model == record.model || position(target_model) >= position(record.model) {
                continue;
            }
            let mut diagnostic = Diagnostic::warning(
                Code::RECIPE_TEARDOWN_ORDER,
                FileKind::Recipes,
                *span,
                format!(
                    "`down` deletes {target_model} before this {}: this record has no `_alias`, so the SDKs do not order the teardown by this `_ref`",
                    record.model
                ),
            )
            .with_help("give this record an `_alias`; a foreign key from it would otherwise make `down` fail and leave the rows");
            if !fix_offered {
                let name = fresh_alias(record.model, record.index_in_model, &taken);
                let edit =
                    json_edit::insert_member(source, record.node, "_alias", &format!("\"{name}\""));
                taken.insert(name.clone());
                diagnostic = diagnostic.with_fix(Fix {
                    message: format!("give this record the alias `{name}`"),
                    file: FileKind::Recipes,
                    edits: vec![edit],
                });
                fix_offered = true;
            }
            diagnostics.push(diagnostic);
        }
    }
}

/// `<model>-<n>` in lower case, not yet taken.
fn fresh_alias(model: &str, index: usize, taken: &BTreeSet<String>) -> String {
    let base = model.to_ascii_lowercase();
    // At most `taken.len()` names are taken, so one of the next `taken.len() + 1` is free.
    (index + 1..=index + 1 + taken.len())
        .map(|n| format!("{base}-{n}"))
        .find(|name| !taken.contains(name))
        .unwrap_or(base)
}

/// The models in the order `down` deletes them.
pub fn teardown_order(under: &RecipeUnderCheck<'_>) -> Vec<String> {
    let graph = &under.graph;
    // refs keys: models in order of first creation.
    let mut models: Vec<&str> = Vec::new();
    for &i in &graph.graph.order {
        if !models.contains(&graph.records[i].model) {
            models.push(graph.records[i].model);
        }
    }
    // Model dependencies of aliased records only.
    let mut deps: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); models.len()];
    let index = |model: &str| models.iter().position(|m| *m == model);
    for record in graph.records.iter().filter(|r| r.alias.is_some()) {
        let Some(owner) = index(record.model) else {
            continue;
        };
        for (alias, _) in &record.refs {
            if let Some(dep) = graph
                .aliases
                .get(alias)
                .and_then(|&t| index(graph.records[t].model))
                && dep != owner
            {
                deps[owner].insert(dep);
            }
        }
    }
    let mut in_degree: Vec<usize> = deps.iter().map(BTreeSet::len).collect();
    let mut ready: Vec<usize> = (0..models.len()).filter(|&m| in_degree[m] == 0).collect();
    let mut up = Vec::with_capacity(models.len());
    while !ready.is_empty() {
        ready.sort_unstable();
        let m = ready.remove(0);
        up.push(m);
        for (next, d) in deps.iter().enumerate() {
            if d.contains(&m) {
                in_degree[next] -= 1;
                if in_degree[next] == 0 {
                    ready.push(next);
                }
            }
        }
    }
    if up.len() != models.len() {
        up = (0..models.len()).collect();
    }
    up.iter().rev().map(|&m| models[m].to_owned()).collect()
}

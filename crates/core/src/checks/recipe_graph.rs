//! Alias and reference checks: `_alias` shape and uniqueness, dangling `_ref`s, cycles, rooting at the scope entity.

use super::nearest::Suggester;
use super::{Context, RecipeUnderCheck};
use crate::diagnostic::{Code, Diagnostic, FileKind, Fix, Severity, TextEdit};
use crate::discover::{Discover, ScopeMode};
use crate::json::Node;
use crate::recipes::{RecordInfo, collect_refs};

/// Alias and reference checks of one recipe: alias shape and uniqueness, unknown `_ref`s, cycles, rooting.
pub fn check(
    context: &Context<'_>,
    under: &RecipeUnderCheck<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(create) = under.create else { return };
    alias_shapes(under, diagnostics);
    unknown_refs(create, under, diagnostics);
    cycle(under, diagnostics);
    rooted(context, under, diagnostics);
}

/// `_alias` must be a string and unique across the payload.
fn alias_shapes(under: &RecipeUnderCheck<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let graph = &under.graph;
    let recipe = under.recipe.label();
    for (i, record) in graph.records.iter().enumerate() {
        if let Some(member) = record.node.member("_alias")
            && member.value.as_str().is_none()
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::RECIPES_SCHEMA,
                    FileKind::Recipes,
                    member.value.span,
                    "\"_alias\" must be a string",
                )
                .with_help(
                    "the endpoint answers 400 INVALID_BODY; use a short string such as \"org\"",
                ),
            );
        }
        if let Some((alias, span)) = record.alias
            && record.parent.is_none()
            && let Some(&first) = graph.aliases.get(alias)
            && first != i
        {
            let first_span = graph.records[first].alias.map_or(span, |(_, s)| s);
            diagnostics.push(
                Diagnostic::error(
                    Code::RECIPE_DUPLICATE_ALIAS,
                    FileKind::Recipes,
                    span,
                    format!("duplicate _alias \"{alias}\" in recipe {recipe}"),
                )
                .with_label(FileKind::Recipes, first_span, "first declared here")
                .with_help("aliases are unique across the whole create map; rename one of them"),
            );
        }
    }
}

/// Every `_ref` must name a top-level alias.
fn unknown_refs<'a>(
    create: &'a Node<'a>,
    under: &RecipeUnderCheck<'a>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let graph = &under.graph;
    let known: Vec<&str> = {
        let mut names: Vec<&str> = graph.aliases.keys().copied().collect();
        names.sort_unstable();
        names
    };
    let mut suggester = Suggester::new(known.iter().copied());
    let mut nested: Option<Vec<&str>> = None;
    for record in &graph.records {
        for (alias, span) in &record.refs {
            if graph.aliases.contains_key(alias) {
                continue;
            }
            let in_nested_data = nested
                .get_or_insert_with(|| nested_aliases(create))
                .contains(alias);
            let help = if in_nested_data {
                format!(
                    "`{alias}` is declared inside nested data: the platform's upload gate rejects a `_ref` to it (and the SDKs do not register it); declare it on a top-level record"
                )
            } else {
                suggester.did_you_mean(alias, "alias")
            };
            let mut diagnostic = Diagnostic::error(
                Code::RECIPE_UNKNOWN_ALIAS,
                FileKind::Recipes,
                *span,
                format!("`_ref` to unknown alias \"{alias}\""),
            )
            .with_help(help);
            if !in_nested_data && let Some(best) = suggester.nearest(alias) {
                diagnostic = diagnostic.with_fix(Fix {
                    message: format!("replace with `{best}`"),
                    file: FileKind::Recipes,
                    edits: vec![TextEdit {
                        span: *span,
                        new_text: serde_json::Value::from(best).to_string(),
                    }],
                });
            }
            diagnostics.push(diagnostic);
        }
    }
}

/// A cycle makes the endpoint refuse the whole payload.
fn cycle(under: &RecipeUnderCheck<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let graph = &under.graph;
    if let Some(cycle) = graph.graph.find_cycle() {
        let path: Vec<String> = cycle
            .iter()
            .map(|&i| {
                let r = &graph.records[i];
                r.alias.map_or_else(
                    || format!("{}[{}]", r.model, r.index_in_model),
                    |(a, _)| format!("{} \"{a}\"", r.model),
                )
            })
            .collect();
        let first = &graph.records[cycle[0]];
        let next_alias = graph.records[cycle[1]].alias.map(|(a, _)| a);
        let span = first
            .refs
            .iter()
            .find(|(a, _)| Some(*a) == next_alias)
            .map_or(first.head_span(), |(_, s)| *s);
        diagnostics.push(
            Diagnostic::error(Code::RECIPE_CYCLE, FileKind::Recipes, span, format!("cycle in the _alias/_ref graph: {}", path.join(" -> ")))
                .with_help("the endpoint answers 400 INVALID_BODY; break the cycle by removing one `_ref` (set that field after creation in the factory instead)"),
        );
    }
}

fn nested_aliases<'a>(create: &'a Node<'a>) -> Vec<&'a str> {
    fn walk<'a>(node: &'a Node<'a>, depth: usize, out: &mut Vec<&'a str>) {
        if let Some(members) = node.as_object() {
            for m in members {
                if m.key == "_alias"
                    && depth > 2
                    && let Some(a) = m.value.as_str()
                {
                    out.push(a);
                }
                walk(&m.value, depth + 1, out);
            }
        } else if let Some(items) = node.as_array() {
            for item in items {
                walk(item, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(create, 0, &mut out);
    out
}

/// ## What it does
/// Checks that every record reaches a record of the scope model through `_ref`s (flat maps), or
/// that the scope model is the only top-level key (legacy nested trees). Apps without tenants
/// (run-scoped, label-only) have no scope model: no rooting rule applies (see `run_scoped`).
///
/// ## Why it matters
/// A record that does not hang from the scenario's scope entity is created outside the
/// scenario's tenant: tests cannot see it and teardown may not find it.
fn rooted(context: &Context<'_>, under: &RecipeUnderCheck<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(discover) = context.discover else {
        return;
    };
    if discover.scope_mode() != ScopeMode::TenantScoped {
        run_scoped(discover, under, diagnostics);
        return;
    }
    let Some(scope) = discover.scope_model() else {
        return;
    };
    let graph = &under.graph;
    if graph.records.is_empty() {
        return;
    }
    if discover.is_legacy() {
        legacy_top_level_keys(under, &scope.name, diagnostics);
        return;
    }
    let scope_field = discover.scope_field.as_deref().unwrap_or_default();
    let targets: Vec<bool> = graph
        .records
        .iter()
        .map(|r| r.model == scope.name && r.parent.is_none())
        .collect();
    if !targets.iter().any(|t| *t) {
        diagnostics.push(no_scope_record(discover, under, &scope.name, scope_field));
        return;
    }
    let reach = graph.graph.reaches(&targets);
    let scope_alias = graph
        .records
        .iter()
        .find(|r| r.model == scope.name)
        .and_then(|r| r.alias)
        .map_or("org", |(a, _)| a);
    for (i, record) in graph.records.iter().enumerate() {
        if !reach[i] && record.parent.is_none() {
            let has_scope_field = discover
                .model(record.model)
                .is_some_and(|m| m.field(scope_field).is_some());
            diagnostics.push(unrooted(
                under,
                record,
                &scope.name,
                has_scope_field.then_some((scope_field, scope_alias)),
            ));
        }
    }
    literal_scope_fields(under, scope_field, &scope.name, scope_alias, diagnostics);
}

/// The recipe creates no record of the scope model at all.
fn no_scope_record(
    discover: &Discover,
    under: &RecipeUnderCheck<'_>,
    scope: &str,
    scope_field: &str,
) -> Diagnostic {
    // Point at it through the scope field only where the records' models have one.
    let with_scope_field = under.graph.records.iter().any(|r| {
        discover
            .model(r.model)
            .is_some_and(|m| m.field(scope_field).is_some())
    });
    let link = if with_scope_field {
        format!("point every record at it with `\"{scope_field}\": {{\"_ref\": \"...\"}}`")
    } else {
        "link the records to it through `_ref`s".to_owned()
    };
    Diagnostic::error(
        Code::RECIPE_NOT_ROOTED,
        FileKind::Recipes,
        under.recipe.create_span,
        format!(
            "recipe {} creates no `{scope}` record, the scope entity",
            under.recipe.label()
        ),
    )
    .with_help(format!(
        "add `\"{scope}\": [{{\"_alias\": \"...\", ...}}]` and {link}"
    ))
}

/// One record that no `_ref` chain links to the scope record; `scope_link` is the scope field
/// and alias when the record's model has the field.
fn unrooted(
    under: &RecipeUnderCheck<'_>,
    record: &RecordInfo<'_>,
    scope: &str,
    scope_link: Option<(&str, &str)>,
) -> Diagnostic {
    let help = match scope_link {
        Some((field, alias)) => {
            format!("add `\"{field}\": {{\"_ref\": \"{alias}\"}}` to this record")
        }
        None => format!("add a `_ref` from this record to a record that belongs to the `{scope}`"),
    };
    let mut diagnostic = Diagnostic::error(
        Code::RECIPE_NOT_ROOTED,
        FileKind::Recipes,
        record.head_span(),
        format!(
            "`{}` record is not rooted at the scope entity `{scope}`",
            record.model
        ),
    )
    .with_help(help);
    // A `_ref` to an unknown alias is often the cause: name it (the editor groups the two).
    for (alias, span) in &record.refs {
        if !under.graph.aliases.contains_key(alias) {
            diagnostic = diagnostic.with_label(
                FileKind::Recipes,
                *span,
                format!("`{alias}` is no alias of this recipe, so this link goes nowhere"),
            );
        }
    }
    diagnostic
}

/// ## What it does
/// For an app without tenants (`planner.md` §6.5): notes once that no rooting rule applies;
/// warns where a run marker field does not carry `{{testRunId}}`, where a label-only scope field
/// makes the scope silently the run id, and where a literal `id` has no token (two concurrent
/// runs collide on it).
fn run_scoped(
    discover: &Discover,
    under: &RecipeUnderCheck<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mode = discover.scope_mode();
    let field = discover.scope_field.as_deref().unwrap_or_default();
    if under.recipe.index == 0 {
        let mut note = Diagnostic::info(
            Code::RECIPE_RUN_SCOPED,
            FileKind::Recipes,
            under.recipe.name_span,
            format!("{}: scopeField `{field}`, so no rooting rule applies", mode.label()),
        )
        .with_help("each run is its own scope: put a built-in token ({{testRunId}} or {{testRunShortId}}) in every unique field, and prove isolation with `validate --repeat 2`");
        if mode == ScopeMode::LabelOnly {
            note.severity = Severity::Warning;
            note.message = format!(
                "no model has the scope field `{field}`: the scope value silently falls back to the run id, and no rooting rule applies"
            );
        }
        diagnostics.push(note);
    }
    let normal = |name: &str| name.replace('_', "").to_ascii_lowercase();
    for record in &under.graph.records {
        for member in record.node.as_object().unwrap_or_default() {
            let text = member.value.as_str();
            let tokenless = text.is_some_and(|t| !t.contains("{{"));
            if mode == ScopeMode::RunMarker
                && normal(&member.key) == normal(field)
                && !text.is_some_and(|t| t.contains("{{testRunId}}"))
            {
                diagnostics.push(
                    Diagnostic::warning(Code::RECIPE_RUN_SCOPED, FileKind::Recipes, member.value.span, format!("`{}` marks the run, but does not hold {{{{testRunId}}}}", member.key))
                        .with_help("write `\"{{testRunId}}\"`: the SDK never injects the scope field, and the first string under it becomes the run's scope value"),
                );
            } else if member.key == "id" && tokenless {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::RECIPE_RUN_SCOPED,
                        FileKind::Recipes,
                        member.value.span,
                        "a literal id in a run-scoped app: two concurrent runs collide on it",
                    )
                    .with_help("append a built-in token, e.g. `-{{testRunShortId}}`"),
                );
            }
        }
    }
}

/// A scope field written as a literal is not linked to this scenario's scope record.
fn literal_scope_fields(
    under: &RecipeUnderCheck<'_>,
    scope_field: &str,
    scope: &str,
    scope_alias: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for record in &under.graph.records {
        if let Some(member) = record.node.member(scope_field)
            && member.value.as_ref_target().is_none()
            && !member.value.is_null()
        {
            let mut refs = Vec::new();
            collect_refs(&member.value, &mut refs);
            if refs.is_empty() {
                diagnostics.push(
                    Diagnostic::warning(Code::RECIPE_NOT_ROOTED, FileKind::Recipes, member.value.span, format!("`{scope_field}` is a literal, not a `_ref` to this scenario's `{scope}`"))
                        .with_help(format!("write `{{\"_ref\": \"{scope_alias}\"}}`; the endpoint never injects the scope field")),
                );
            }
        }
    }
}

/// A legacy (nested-tree) endpoint wants one tree rooted at the scope entity.
fn legacy_top_level_keys(
    under: &RecipeUnderCheck<'_>,
    scope: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for member in under.create.and_then(Node::as_object).unwrap_or_default() {
        if member.key != scope {
            diagnostics.push(
                Diagnostic::warning(
                    Code::RECIPE_NOT_ROOTED,
                    FileKind::Recipes,
                    member.key_span,
                    format!(
                        "`{}` is a top-level key, but this endpoint expects a tree rooted at `{}`",
                        member.key, scope
                    ),
                )
                .with_help(format!(
                    "nest these records under the `{scope}` record through its relation field"
                )),
            );
        }
    }
}

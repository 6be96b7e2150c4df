//! `{{token}}` and `variables` checks: undeclared and unused tokens, SDK-only forms, and each variable definition.

use super::nearest::{did_you_mean, nearest};
use super::placeholders::placeholder_reason;
use super::{Context, RecipeUnderCheck};
use crate::diagnostic::{Code, Diagnostic, FileKind, Fix, Span};
use crate::faker::GENERATORS;
use crate::json::{Member, Node, NodeKind};
use crate::json_edit;
use crate::recipes::span_in_literal;
use crate::tokens::{self, BUILT_INS};

/// One `{{name}}` in a string value, with the exact bytes of the token.
struct Use<'a> {
    name: &'a str,
    span: Span,
}

/// Token checks of one recipe: undeclared and SDK-only tokens, the `variables` block.
pub fn check(
    context: &Context<'_>,
    under: &RecipeUnderCheck<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(create) = under.create else { return };
    let source = context.recipes_text;
    let mut uses: Vec<Use<'_>> = Vec::new();
    let mut sdk_only: Vec<(String, Span)> = Vec::new();
    visit(create, source, &mut uses, &mut sdk_only, diagnostics);
    let variables_member = under.recipe.variables;
    let variables = variables_member.and_then(|m| m.value.as_object());
    let declared: Vec<&str> = variables
        .map(|v| v.iter().map(|m| m.key.as_ref()).collect())
        .unwrap_or_default();

    undeclared_tokens(
        source,
        under,
        &uses,
        &declared,
        variables.is_some(),
        diagnostics,
    );
    for (inner, span) in sdk_only {
        diagnostics.push(
            Diagnostic::warning(Code::RECIPE_SDK_TOKEN, FileKind::Recipes, span, format!("`{{{{{inner}}}}}` bypasses the platform's resolver"))
                .with_help("only the SDK resolves this form, and only `testRunId`, `index` and `cycle(...)`; write `{{name}}` without spaces or a concrete value"),
        );
    }

    if let Some(variables_member) = variables_member {
        declared_variables(source, variables_member, &uses, diagnostics);
    }
}

/// Undeclared tokens, once per name at the first use.
fn undeclared_tokens(
    source: &str,
    under: &RecipeUnderCheck<'_>,
    uses: &[Use<'_>],
    declared: &[&str],
    has_variables: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let recipe = under.recipe.label();
    let mut reported: Vec<&str> = Vec::new();
    for used in uses {
        if declared.contains(&used.name) || reported.contains(&used.name) {
            continue;
        }
        reported.push(used.name);
        if BUILT_INS.contains(&used.name) {
            if has_variables {
                let mut diagnostic = Diagnostic::warning(
                    Code::RECIPE_UNDECLARED_TOKEN,
                    FileKind::Recipes,
                    used.span,
                    format!(
                        "built-in `{{{{{}}}}}` is not declared in `variables`",
                        used.name
                    ),
                );
                diagnostic = if used.name == "testRunId" {
                    diagnostic
                        .with_help("the platform resolves it, but the plugin's preflight requires every token declared")
                        .with_fix(declare_fix(source, under, "testRunId", r#"{"strategy": "derived", "source": "testRunId", "format": "{testRunId}"}"#))
                } else {
                    diagnostic.with_help("the platform resolves it; the plugin's preflight cannot express it (declaring it changes its value)")
                };
                diagnostics.push(diagnostic);
            }
            continue;
        }
        let help = if used.name == "index" {
            "`{{index}}` is resolved only by the SDK, and the platform rejects it at upload; use a concrete value per record".to_owned()
        } else {
            format!(
                "the platform substitutes only {{{{testRunId}}}} and {{{{testRunShortId}}}}; declare `{}` in `variables` or write a concrete value{}",
                used.name,
                nearest(used.name, declared.iter().copied().chain(BUILT_INS))
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default()
            )
        };
        let fix = if let Some(near) = nearest(used.name, declared.iter().copied().chain(BUILT_INS))
        {
            Fix {
                message: format!("replace with `{{{{{near}}}}}`"),
                file: FileKind::Recipes,
                edits: vec![crate::TextEdit {
                    span: used.span,
                    new_text: format!("{{{{{near}}}}}"),
                }],
            }
        } else {
            let definition = format!(
                r#"{{"strategy": "derived", "source": "testRunId", "format": "{}-{{testRunId}}"}}"#,
                used.name.replace('"', "")
            );
            declare_fix(source, under, used.name, &definition)
        };
        diagnostics.push(
            Diagnostic::error(
                Code::RECIPE_UNDECLARED_TOKEN,
                FileKind::Recipes,
                used.span,
                format!(
                    "token `{{{{{}}}}}` is not declared in recipe {recipe}",
                    used.name
                ),
            )
            .with_help(help)
            .with_fix(fix),
        );
    }
}

/// The `variables` block: deprecated, every variable used, every definition well formed.
fn declared_variables(
    source: &str,
    variables_member: &Member<'_>,
    uses: &[Use<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(variables) = variables_member.value.as_object() else {
        return;
    };
    diagnostics.push(
        Diagnostic::new(
            Code::RECIPE_DEPRECATED_VARIABLES,
            crate::Severity::Info,
            FileKind::Recipes,
            variables_member.key_span,
            "`variables` is deprecated on the platform (still resolved)",
        )
        .with_help("prefer inline {{testRunId}}/{{testRunShortId}} and concrete values"),
    );
    for (index, member) in variables.iter().enumerate() {
        let name = member.key.as_ref();
        if !uses.iter().any(|u| u.name == name) {
            let mut diagnostic = Diagnostic::error(Code::RECIPE_UNUSED_VARIABLE, FileKind::Recipes, member.key_span, format!("variable `{name}` is declared but never used"))
                .with_help("the platform refuses the recipe (\"Unused variable definition\"); remove it or use it as `{{name}}`");
            if let Some(edit) = json_edit::remove_member(source, &variables_member.value, index) {
                diagnostic = diagnostic.with_fix(Fix {
                    message: format!("remove the unused variable `{name}`"),
                    file: FileKind::Recipes,
                    edits: vec![edit],
                });
            }
            diagnostics.push(diagnostic);
        }
        check_definition(name, member, diagnostics);
    }
}

fn visit<'a>(
    node: &'a Node<'a>,
    source: &str,
    uses: &mut Vec<Use<'a>>,
    sdk_only: &mut Vec<(String, Span)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match &node.kind {
        NodeKind::String(s) => {
            for token in tokens::scan(s) {
                uses.push(Use {
                    name: token.name,
                    span: span_in_literal(source, node.span, s, token.start, token.end),
                });
            }
            for (start, end, inner) in tokens::scan_sdk_only(s) {
                sdk_only.push((
                    inner.to_owned(),
                    span_in_literal(source, node.span, s, start, end),
                ));
            }
        }
        NodeKind::Array(items) => items
            .iter()
            .for_each(|i| visit(i, source, uses, sdk_only, diagnostics)),
        NodeKind::Object(members) => {
            for member in members {
                if !tokens::scan(&member.key).is_empty() {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::RECIPE_SDK_TOKEN,
                            FileKind::Recipes,
                            member.key_span,
                            "a token in a key is never substituted",
                        )
                        .with_help("tokens are resolved in string values only"),
                    );
                }
                visit(&member.value, source, uses, sdk_only, diagnostics);
            }
        }
        _ => {}
    }
}

/// Adds `"name": definition` to the recipe's `variables` (creating it after `create` if absent).
fn declare_fix(source: &str, under: &RecipeUnderCheck<'_>, name: &str, definition: &str) -> Fix {
    let edit = if let Some(variables) = under
        .recipe
        .variables
        .filter(|m| m.value.as_object().is_some())
    {
        json_edit::insert_member(source, &variables.value, name, definition)
    } else {
        let name_json = serde_json::to_string(name).unwrap_or_default();
        json_edit::insert_member(
            source,
            under.recipe.node,
            "variables",
            &format!("{{{name_json}: {definition}}}"),
        )
    };
    Fix {
        message: format!("declare `{name}` in `variables`"),
        file: FileKind::Recipes,
        edits: vec![edit],
    }
}

fn check_definition(name: &str, member: &crate::json::Member, diagnostics: &mut Vec<Diagnostic>) {
    let definition = &member.value;
    match definition.get("strategy").and_then(Node::as_str) {
        Some("literal") => {
            let Some(value) = definition.get("value") else {
                return;
            };
            let text = match &value.kind {
                NodeKind::String(s) => s.as_ref(),
                _ => return,
            };
            let reason = if text.trim().is_empty() {
                Some("empty")
            } else if !tokens::scan(text).is_empty() {
                Some("a `{{token}}`, which is not resolved again")
            } else if placeholder_reason(text).is_some()
                || ["todo", "tbd", "placeholder"]
                    .iter()
                    .any(|w| text.to_ascii_lowercase().contains(w))
            {
                Some("a placeholder")
            } else {
                None
            };
            if let Some(reason) = reason {
                diagnostics.push(
                    Diagnostic::error(Code::RECIPE_PLACEHOLDER_VALUE, FileKind::Recipes, value.span, format!("literal value of `{name}` is {reason}"))
                        .with_help("variables must hold concrete values; write the exact value the tests will assert"),
                );
            }
        }
        Some("derived") => {
            let Some(format_node) = definition.get("format") else {
                return;
            };
            let Some(format) = format_node.as_str() else {
                return;
            };
            if let Some(other) = tokens::scan_placeholders(format)
                .into_iter()
                .find(|p| p.name != "testRunId")
            {
                diagnostics.push(
                    Diagnostic::error(Code::RECIPE_BAD_DERIVED_FORMAT, FileKind::Recipes, format_node.span, format!("Invalid derived format for {name}: only {{testRunId}} is supported, found {{{}}}", other.name))
                        .with_help("the only placeholder a derived format may use is `{testRunId}`"),
                );
            } else if format.trim().is_empty() {
                diagnostics.push(
                    Diagnostic::warning(
                        Code::RECIPE_BAD_DERIVED_FORMAT,
                        FileKind::Recipes,
                        format_node.span,
                        format!("derived format of `{name}` is empty"),
                    )
                    .with_help("write e.g. \"owner+{testRunId}@acme.test\""),
                );
            } else if !format.contains("{testRunId}") {
                diagnostics.push(
                    Diagnostic::warning(Code::RECIPE_BAD_DERIVED_FORMAT, FileKind::Recipes, format_node.span, format!("derived format of `{name}` does not use {{testRunId}}: the value is the same in every run"))
                        .with_help("include `{testRunId}` so that parallel runs do not collide, or make it a literal"),
                );
            }
        }
        Some("faker") => {
            let Some(generator) = definition.get("generator") else {
                return;
            };
            let Some(text) = generator.as_str() else {
                return;
            };
            if !GENERATORS.contains(&text) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::RECIPE_UNKNOWN_FAKER,
                        FileKind::Recipes,
                        generator.span,
                        format!("Unsupported faker generator: {text}"),
                    )
                    .with_help(did_you_mean(text, GENERATORS, "generator")),
                );
            }
        }
        _ => {}
    }
}

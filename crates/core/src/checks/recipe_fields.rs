//! Records against discover: unknown models and fields, missing required fields, dropped nested children, value types, placeholders.

use super::nearest::did_you_mean;
use super::placeholders::placeholder_reason;
use super::{Context, RecipeUnderCheck, nested_child};
use crate::diagnostic::{Code, Diagnostic, FileKind, Fix, Span};
use crate::discover::{Discover, DiscoverField, ScalarRules, enum_members};
use crate::json::{Node, NodeKind};
use crate::json_edit;
use crate::recipes::{RecordInfo, nesting_child};

/// Model and field checks of one recipe against discover: unknown models and fields, missing required fields, types, nesting, placeholders.
pub fn check(
    context: &Context<'_>,
    under: &RecipeUnderCheck<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(create) = under.create else { return };
    for member in create.as_object().unwrap_or_default() {
        check_placeholders(&member.value, diagnostics);
    }
    let Some(discover) = context.discover else {
        return;
    };
    let model_names: Vec<&str> = discover.models.iter().map(|m| m.name.as_str()).collect();
    for member in create.as_object().unwrap_or_default() {
        if discover.model(&member.key).is_some() {
            continue;
        }
        let pure_dependent = context
            .audit
            .and_then(|a| a.model(&member.key))
            .filter(|m| m.independently_created == Some(false));
        if let Some(dependent) = pure_dependent {
            let owners = dependent.owners.join(", ");
            diagnostics.push(
                Diagnostic::error(
                    Code::AUDIT_FACTORY_MISSING,
                    FileKind::Recipes,
                    member.key_span,
                    format!(
                        "`{}` has no factory: the audit says it is created by {owners}",
                        member.key
                    ),
                )
                .with_help(format!(
                    "remove `{}` from the recipe; creating its owner ({owners}) mints it",
                    member.key
                )),
            );
        } else {
            diagnostics.push(
                Diagnostic::error(Code::RECIPE_UNKNOWN_MODEL, FileKind::Recipes, member.key_span, format!("model `{}` is not in discover", member.key))
                    .with_help(format!(
                        "{} The endpoint answers 400 INVALID_BODY (no factory registered for model \"{}\")",
                        did_you_mean(&member.key, model_names.iter().copied(), "model"),
                        member.key
                    )),
            );
        }
    }
    for record in &under.graph.records {
        check_record(context, discover, under, record, diagnostics);
    }
}

fn check_record(
    context: &Context<'_>,
    discover: &Discover,
    under: &RecipeUnderCheck<'_>,
    record: &RecordInfo<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(model) = discover.model(record.model) else {
        return;
    };
    let field_names: Vec<&str> = model.fields.iter().map(|f| f.name.as_str()).collect();
    let members = record.node.as_object().unwrap_or_default();
    for (index, member) in members.iter().enumerate() {
        let key = member.key.as_ref();
        if key == "_alias" || key == "_ref" {
            continue;
        }
        if nesting_child(Some(discover), record.model, key).is_some() {
            continue;
        }
        if let Some(field) = model.field(key) {
            check_type(
                record.model,
                field,
                &member.value,
                discover.scalar_rules(),
                diagnostics,
            );
            continue;
        }
        if is_array_of_objects(&member.value) && !discover.is_legacy() {
            let mut diagnostic = Diagnostic::error(
                Code::RECIPE_DROPPED_NESTED_CHILD,
                FileKind::Recipes,
                member.key_span,
                format!(
                    "nested `{key}` under `{}` is never created: factory-driven endpoints ignore nested arrays",
                    record.model
                ),
            );
            let target = nested_child::child_model(discover, record.model, key);
            diagnostic = match target.as_ref().and_then(|(child, _)| nested_child::fix(context.recipes_text, under, record, member, discover, child)) {
                Some(fix) => diagnostic
                    .with_help(format!("flatten into a top-level `{}` key with a `_ref` to this record", target.map(|t| t.0.name.clone()).unwrap_or_default()))
                    .with_fix(fix),
                None => diagnostic.with_help(match target {
                    Some((child, _)) => format!("move these records to a top-level `{}` key and link each with a `_ref` to this record", child.name),
                    None => "move these records to a top-level key named after their model and link each with a `_ref` to this record".to_owned(),
                }),
            };
            diagnostics.push(diagnostic);
            continue;
        }
        let severity_is_warning = key.starts_with('_');
        let message = format!("field `{key}` is not in discover for `{}`", record.model);
        let diagnostic = if severity_is_warning {
            Diagnostic::warning(
                Code::RECIPE_UNKNOWN_FIELD,
                FileKind::Recipes,
                member.key_span,
                message,
            )
        } else {
            Diagnostic::error(
                Code::RECIPE_UNKNOWN_FIELD,
                FileKind::Recipes,
                member.key_span,
                message,
            )
        };
        let mut diagnostic = diagnostic.with_help(format!(
            "{} The factory's input schema drops or rejects unknown fields",
            did_you_mean(key, field_names.iter().copied(), "field")
        ));
        if !severity_is_warning
            && let Some(edit) = json_edit::remove_member(context.recipes_text, record.node, index)
        {
            diagnostic = diagnostic.with_fix(Fix {
                message: format!("remove `{key}`, which the model does not have"),
                file: FileKind::Recipes,
                edits: vec![edit],
            });
        }
        diagnostics.push(diagnostic);
    }
    missing_fields(discover, model, record, diagnostics);
}

fn is_array_of_objects(node: &Node) -> bool {
    node.as_array()
        .is_some_and(|items| !items.is_empty() && items.iter().all(|i| i.as_object().is_some()))
}

/// Required fields without a default must be supplied (the SDK never injects them).
fn missing_fields(
    discover: &Discover,
    model: &crate::discover::DiscoverModel,
    record: &RecordInfo<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let legacy_injected: Vec<&str> = if discover.is_legacy() {
        let mut injected: Vec<&str> = discover.scope_field.as_deref().into_iter().collect();
        injected.extend(
            discover
                .relations
                .iter()
                .filter(|r| r.child_model == record.model)
                .map(|r| r.child_field.as_str()),
        );
        injected
    } else {
        Vec::new()
    };
    for field in &model.fields {
        if field.is_required
            && !field.has_default
            && !field.is_id
            && record.node.member(&field.name).is_none()
            && !legacy_injected.contains(&field.name.as_str())
        {
            diagnostics.push(
                Diagnostic::error(
                    Code::RECIPE_MISSING_FIELD,
                    FileKind::Recipes,
                    record.head_span(),
                    format!(
                        "`{}` record lacks required field `{}`",
                        record.model, field.name
                    ),
                )
                .with_help(format!(
                    "add `\"{}\": ...` ({}); the factory's input validation fails without it",
                    field.name, field.ty
                )),
            );
        }
    }
}

/// ## What it does
/// Compares a value with its discover type: lists vs `T[]`, enum membership, and scalars the
/// factory's input validation rejects (e.g. a number for a string field).
fn check_type(
    model: &str,
    field: &DiscoverField,
    value: &Node,
    rules: ScalarRules,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let ty = field.ty.as_str();
    let (base, is_list) = match ty.strip_suffix("[]") {
        Some(base) => (base, true),
        None => (ty, false),
    };
    let mismatch = |message: String| {
        Diagnostic::error(
            Code::RECIPE_TYPE_MISMATCH,
            FileKind::Recipes,
            value.span,
            message,
        )
        .with_help(format!("`{model}.{}` is `{ty}` in discover", field.name))
    };
    if value.as_ref_target().is_some() {
        return;
    }
    if let NodeKind::String(s) = &value.kind
        && is_whole_token(s)
    {
        return;
    }
    if value.is_null() {
        if field.is_required {
            diagnostics.push(mismatch(format!(
                "`{}` is required but set to null",
                field.name
            )));
        }
        return;
    }
    if is_list {
        if value.as_array().is_none() {
            diagnostics.push(mismatch(format!(
                "`{}` must be a list because its type is `{ty}`",
                field.name
            )));
        }
        return;
    }
    let lower = base.to_ascii_lowercase();
    if lower == "json" {
        return;
    }
    if value.as_array().is_some() {
        diagnostics.push(mismatch(format!(
            "`{}` must not be a list: its type is `{ty}`",
            field.name
        )));
        return;
    }
    if let Some(members) = enum_members(base) {
        if let Some(s) = value.as_str()
            && !members.contains(&s)
        {
            diagnostics.push(mismatch(format!(
                "\"{s}\" is not one of {}",
                members.join(", ")
            )));
        }
        return;
    }
    let ok = scalar_fits(&lower, value, rules);
    if !ok {
        diagnostics.push(mismatch(format!(
            "`{}` is {} {}, but its type is `{ty}`: {} reject it",
            field.name,
            article(value.type_name()),
            value.type_name(),
            rules.sdk()
        )));
    }
}

/// Whether a scalar passes the input validation of the SDK for a field of discover type `ty`.
fn scalar_fits(ty: &str, value: &Node, rules: ScalarRules) -> bool {
    let lax = rules == ScalarRules::Pydantic;
    match ty {
        "string" | "text" | "uuid" | "timestamp" | "datetime" | "date" | "time" => {
            matches!(value.kind, NodeKind::String(_))
        }
        "integer" | "int" | "bigint" => match &value.kind {
            NodeKind::Number(_) => value.as_f64().is_some_and(|f| f.fract() == 0.0),
            NodeKind::String(s) => lax && s.trim().parse::<i64>().is_ok(),
            NodeKind::Bool(_) => lax,
            _ => false,
        },
        "number" | "float" | "decimal" | "double" => match &value.kind {
            NodeKind::Number(_) => true,
            NodeKind::Bool(_) => lax,
            NodeKind::String(s) => lax && s.trim().parse::<f64>().is_ok(),
            _ => false,
        },
        "boolean" | "bool" => match &value.kind {
            NodeKind::Bool(_) => true,
            NodeKind::Number(_) => {
                lax && matches!(value.as_f64(), Some(v) if v.abs() < f64::EPSILON || (v - 1.0).abs() < f64::EPSILON)
            }
            NodeKind::String(s) => {
                lax && ["true", "false", "yes", "no", "on", "off", "1", "0"]
                    .contains(&s.to_ascii_lowercase().as_str())
            }
            _ => false,
        },
        _ => true,
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn is_whole_token(s: &str) -> bool {
    s.starts_with("{{") && s.ends_with("}}") && {
        let tokens = crate::tokens::scan(s);
        tokens.len() == 1 && tokens[0].start == 0 && tokens[0].end == s.len()
    }
}

/// ## What it does
/// Flags string values in `create` that are placeholders (`TODO`, `<email>`, `{name}`, `changeme`).
///
/// ## Why it matters
/// The endpoint creates the record with the placeholder text and tests assert against garbage.
fn check_placeholders(node: &Node, diagnostics: &mut Vec<Diagnostic>) {
    crate::recipes::for_each_string(node, &mut |s, span: Span| {
        if let Some(reason) = placeholder_reason(s) {
            diagnostics.push(
                Diagnostic::error(Code::RECIPE_PLACEHOLDER_VALUE, FileKind::Recipes, span, format!("\"{s}\" is {reason}"))
                    .with_help("write the concrete value the tests will assert, or `{{testRunId}}` inside ids and emails"),
            );
        }
    });
}

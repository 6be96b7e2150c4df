//! The upload schema (`ScenarioRecipesFileSchema`) and the plugin's stricter file rules.

use super::Context;
use crate::diagnostic::{Code, Diagnostic, FileKind, Span};
use crate::dialect::{self, Form};
use crate::discover::{Discover, ScalarRules};
use crate::json::{Member, Node, NodeKind};

const VALIDATION_MODES: [&str; 2] = ["sdk-check", "endpoint-lifecycle"];
const METHODS: [&str; 3] = ["checkScenario", "checkAllScenarios", "endpoint-up-down"];
const STRATEGIES: [&str; 3] = ["literal", "derived", "faker"];
/// The scenarios every plugin-generated file must hold.
pub const REQUIRED_RECIPES: [&str; 3] = ["standard", "empty", "large"];

/// ## What it does
/// Applies every rule of the platform's upload schema, with the schema's own message.
///
/// ## Why it matters
/// The upload answers 400 and the recipes never reach the platform.
fn schema_error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::RECIPES_SCHEMA, FileKind::Recipes, span, message)
}

/// Rules only the plugin's validator enforces: warnings.
fn plugin_warning(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::RECIPES_SCHEMA, FileKind::Recipes, span, message)
        .with_help("the platform accepts this, but the plugin's recipe validator rejects it")
}

fn expected(node: &Node, what: &str) -> String {
    format!(
        "Invalid input: expected {what}, received {}",
        node.type_name()
    )
}

fn is_int(node: &Node) -> bool {
    node.as_f64().is_some_and(|f| f.fract() == 0.0)
}

/// The upload schema of the whole file: top-level keys, version, source, validation mode, recipes.
/// A bare recipe (`{create}` or a create map) is checked as the one recipe it is.
pub fn check(context: &Context<'_>, root: &Node, diagnostics: &mut Vec<Diagnostic>) {
    let form = dialect::recipes_form(root);
    let rules = Rules {
        plugin: context.plugin_rules(FileKind::Recipes),
        hand_made: context.dialects.of(FileKind::Recipes) == Some(dialect::Dialect::HandMade),
        scalar: context.discover.map(Discover::scalar_rules),
    };
    if form != Form::Envelope {
        diagnostics.push(
            Diagnostic::warning(Code::RECIPES_PLANNER_FILE, FileKind::Recipes, Span::at(root.span.start), format!("{}: the planner's `sdk up` reads it as one recipe, but the platform's upload needs the envelope", form.label()))
                .with_help("wrap it as `{\"version\": 1, \"source\": {...}, \"validationMode\": \"endpoint-lifecycle\", \"recipes\": [{\"name\": \"standard\", \"description\": \"...\", \"create\": ...}]}` before uploading"),
        );
        match form {
            Form::CreateWrapper => {
                check_create(
                    0,
                    root.get("create"),
                    Span::at(root.span.start),
                    rules,
                    diagnostics,
                );
                check_variables(0, root.get("variables"), diagnostics);
            }
            _ => check_create(0, Some(root), Span::at(root.span.start), rules, diagnostics),
        }
        return;
    }
    let Some(members) = root.as_object() else {
        diagnostics.push(schema_error(root.span, expected(root, "object")).with_help(
            "the file must be one JSON object with version, source, validationMode and recipes",
        ));
        return;
    };
    for member in members {
        if !["version", "source", "validationMode", "recipes"].contains(&member.key.as_ref()) {
            diagnostics.push(
                Diagnostic::warning(Code::RECIPES_SCHEMA, FileKind::Recipes, member.key_span, format!("unknown top-level key `{}` is stripped on upload", member.key))
                    .with_help("the file's top-level keys are exactly version, source, validationMode and recipes"),
            );
        }
    }
    let top = Span::at(root.span.start);
    match root.get("version") {
        Some(v) if v.as_f64() == Some(1.0) => {}
        Some(v) => diagnostics.push(
            schema_error(v.span, "Invalid input: expected 1")
                .with_help("write `\"version\": 1` (the number, not a string)"),
        ),
        None => diagnostics.push(schema_error(
            top,
            "missing `version`: Invalid input: expected 1",
        )),
    }
    check_source(root, top, diagnostics);
    match root.get("validationMode") {
        Some(v) if v.as_str().is_some_and(|m| VALIDATION_MODES.contains(&m)) => {}
        Some(v) => diagnostics.push(schema_error(v.span, "Invalid option: expected one of \"sdk-check\"|\"endpoint-lifecycle\"")),
        None => diagnostics.push(schema_error(top, "missing `validationMode`: Invalid option: expected one of \"sdk-check\"|\"endpoint-lifecycle\"")),
    }
    let Some(recipes_member) = root.member("recipes") else {
        diagnostics.push(schema_error(
            top,
            "missing `recipes`: Invalid input: expected array, received undefined",
        ));
        return;
    };
    let Some(recipes) = recipes_member.value.as_array() else {
        diagnostics.push(
            schema_error(
                recipes_member.value.span,
                expected(&recipes_member.value, "array"),
            )
            .with_help("`recipes` is a list of recipe objects, not a map"),
        );
        return;
    };
    if recipes.is_empty() {
        diagnostics.push(schema_error(
            recipes_member.value.span,
            "Too small: expected array to have >=1 items",
        ));
    }
    check_names(recipes_member, recipes, rules, diagnostics);
}

/// Which rules apply: the plugin's own (only on plugin files) and the answering SDK's scalars.
#[derive(Clone, Copy, Debug)]
struct Rules {
    plugin: bool,
    /// A hand-made file: no planner CLI rewrites its validation block.
    hand_made: bool,
    scalar: Option<ScalarRules>,
}

fn check_recipe(i: usize, recipe: &Node, rules: Rules, diagnostics: &mut Vec<Diagnostic>) {
    if recipe.as_object().is_none() {
        diagnostics.push(schema_error(
            recipe.span,
            format!("recipes.{i}: {}", expected(recipe, "object")),
        ));
        return;
    }
    let head = Span::at(recipe.span.start);
    for key in ["name", "description"] {
        match recipe.get(key) {
            Some(v) if v.as_str().is_some_and(|s| !s.trim().is_empty()) => {}
            Some(v) if v.as_str().is_some() => diagnostics.push(plugin_warning(
                v.span,
                format!("recipes[{i}].{key} must be a non-empty string"),
            )),
            Some(v) => diagnostics.push(schema_error(
                v.span,
                format!("recipes.{i}.{key}: {}", expected(v, "string")),
            )),
            None => diagnostics.push(schema_error(
                head,
                format!("recipes.{i}.{key}: Invalid input: expected string, received undefined"),
            )),
        }
    }
    check_create(i, recipe.get("create"), head, rules, diagnostics);
    match recipe.get("validation") {
        Some(validation) if validation.as_object().is_some() && rules.plugin => check_validation(i, validation, diagnostics),
        Some(v) if rules.plugin => diagnostics.push(schema_error(v.span, format!("recipes.{i}.validation: {}", expected(v, "object")))),
        None if rules.plugin => diagnostics.push(
            schema_error(head, format!("recipes.{i}.validation: Invalid input: expected object, received undefined"))
                .with_help("add `\"validation\": {\"status\": \"validated\", \"method\": \"endpoint-up-down\", \"phase\": \"ok\"}` after the recipe is proven (`scenario-lab validate --write`)"),
        ),
        Some(validation) if validation.as_object().is_some() && validation.get("phase").is_some() => check_validation(i, validation, diagnostics),
        Some(v) => diagnostics.push(validation_note(v.span, i, rules)),
        None => diagnostics.push(validation_note(head, i, rules)),
    }
    check_variables(i, recipe.get("variables"), diagnostics);
}

/// A planner or hand-made file's validation block: the planner CLI rewrites it before upload; a
/// hand-made file gets it from a passing validation.
fn validation_note(span: Span, i: usize, rules: Rules) -> Diagnostic {
    let note = |message: String, help: &str| {
        Diagnostic::info(Code::RECIPES_PLANNER_FILE, FileKind::Recipes, span, message)
            .with_help(help)
    };
    if rules.hand_made {
        return note(
            format!(
                "recipes.{i}.validation is written once the recipe is proven (status \"validated\", phase \"ok\")"
            ),
            "`scenario-lab validate --write` writes it after a passing validation; `scenario-lab upload` sends only recipes a validation proved",
        );
    }
    note(
        format!(
            "recipes.{i}.validation is filled in before upload (status \"validated\", phase \"ok\")"
        ),
        "the planner CLI's upload rewrites this block itself; `scenario-lab validate --write` writes it after a passing validation",
    )
}

/// `variables`: a map of name to variable definition.
fn check_variables(i: usize, variables: Option<&Node>, diagnostics: &mut Vec<Diagnostic>) {
    let Some(variables) = variables else { return };
    match variables.as_object() {
        Some(members) => {
            for member in members {
                check_variable_shape(i, member, diagnostics);
            }
        }
        None => diagnostics.push(schema_error(
            variables.span,
            format!("recipes.{i}.variables: {}", expected(variables, "record")),
        )),
    }
}

/// `create`: a map of model to an array of records; an empty one creates nothing.
fn check_create(
    i: usize,
    create: Option<&Node>,
    head: Span,
    rules: Rules,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(create) = create else {
        diagnostics.push(schema_error(
            head,
            format!("recipes.{i}.create: Invalid input: expected record, received undefined"),
        ));
        return;
    };
    let Some(members) = create.as_object() else {
        diagnostics.push(schema_error(
            create.span,
            format!("recipes.{i}.create: {}", expected(create, "record")),
        ));
        return;
    };
    if members.is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                Code::RECIPE_CREATES_NOTHING,
                FileKind::Recipes,
                create.span,
                "`create` is empty: this recipe creates nothing",
            )
            .with_help(empty_create_help(rules.scalar)),
        );
    }
    for member in members {
        let Some(items) = member.value.as_array() else {
            diagnostics.push(schema_error(
                member.value.span,
                format!(
                    "create.{}: {} (each model maps to an array of records)",
                    member.key,
                    expected(&member.value, "array")
                ),
            ));
            continue;
        };
        for (j, item) in items.iter().enumerate() {
            if item.as_object().is_none() {
                diagnostics.push(schema_error(
                    item.span,
                    format!("create.{}.{j}: {}", member.key, expected(item, "record")),
                ));
            }
        }
    }
}

fn check_validation(i: usize, validation: &Node, diagnostics: &mut Vec<Diagnostic>) {
    let head = Span::at(validation.span.start);
    for (key, wanted) in [("status", "validated"), ("phase", "ok")] {
        match validation.get(key) {
            Some(v) if v.as_str() == Some(wanted) => {}
            Some(v) => diagnostics.push(schema_error(
                v.span,
                format!("recipes.{i}.validation.{key}: Invalid input: expected \"{wanted}\""),
            )),
            None => diagnostics.push(schema_error(
                head,
                format!("recipes.{i}.validation.{key}: Invalid input: expected \"{wanted}\""),
            )),
        }
    }
    match validation.get("method") {
        Some(v) if v.as_str().is_some_and(|m| METHODS.contains(&m)) => {}
        Some(v) => diagnostics.push(schema_error(v.span, "Invalid option: expected one of \"checkScenario\"|\"checkAllScenarios\"|\"endpoint-up-down\"")),
        None => diagnostics.push(schema_error(head, format!("recipes.{i}.validation.method: Invalid option: expected one of \"checkScenario\"|\"checkAllScenarios\"|\"endpoint-up-down\""))),
    }
    for key in ["up_ms", "down_ms"] {
        if let Some(v) = validation.get(key) {
            match v.as_f64() {
                Some(n) if n < 0.0 => diagnostics.push(schema_error(
                    v.span,
                    format!("recipes.{i}.validation.{key}: Too small: expected number to be >=0"),
                )),
                Some(_) if !is_int(v) => diagnostics.push(schema_error(
                    v.span,
                    format!(
                        "recipes.{i}.validation.{key}: Invalid input: expected int, received number"
                    ),
                )),
                Some(_) => {}
                None => diagnostics.push(schema_error(
                    v.span,
                    format!("recipes.{i}.validation.{key}: {}", expected(v, "number")),
                )),
            }
        }
    }
}

fn check_variable_shape(i: usize, member: &crate::json::Member, diagnostics: &mut Vec<Diagnostic>) {
    let name = &member.key;
    let definition = &member.value;
    if definition.as_object().is_none() {
        diagnostics.push(schema_error(
            definition.span,
            format!(
                "recipes.{i}.variables.{name}: {}",
                expected(definition, "object")
            ),
        ));
        return;
    }
    let strategy = definition.get("strategy");
    match strategy.and_then(Node::as_str) {
        Some(s) if STRATEGIES.contains(&s) => {}
        _ => {
            let span = strategy.map_or(member.key_span, |s| s.span);
            diagnostics.push(schema_error(
                span,
                "Invalid discriminator value. Expected 'literal' | 'derived' | 'faker'",
            ));
            return;
        }
    }
    match strategy.and_then(Node::as_str) {
        Some("literal") => match definition.get("value") {
            None => diagnostics.push(schema_error(member.key_span, format!("recipes.{i}.variables.{name}.value: Invalid input (a literal needs a `value`)"))),
            Some(v) if matches!(v.kind, NodeKind::Array(_) | NodeKind::Object(_)) => {
                diagnostics.push(schema_error(v.span, format!("recipes.{i}.variables.{name}.value: Invalid input: expected string, number, boolean or null")));
            }
            Some(_) => {}
        },
        Some("derived") => {
            if definition.get("source").and_then(Node::as_str) != Some("testRunId") {
                let span = definition.get("source").map_or(member.key_span, |s| s.span);
                diagnostics.push(schema_error(span, format!("recipes.{i}.variables.{name}.source: Invalid input: expected \"testRunId\"")));
            }
            match definition.get("format") {
                Some(f) if f.as_str().is_some() => {}
                Some(f) => diagnostics.push(schema_error(f.span, format!("recipes.{i}.variables.{name}.format: {}", expected(f, "string")))),
                None => diagnostics.push(schema_error(member.key_span, format!("recipes.{i}.variables.{name}.format: Invalid input: expected string, received undefined"))),
            }
        }
        Some(_) => match definition.get("generator") {
            Some(g) if g.as_str().is_some() => {}
            Some(g) => diagnostics.push(schema_error(g.span, format!("recipes.{i}.variables.{name}.generator: {}", expected(g, "string")))),
            None => diagnostics.push(schema_error(member.key_span, format!("recipes.{i}.variables.{name}.generator: Invalid input: expected string, received undefined"))),
        },
        None => {}
    }
}

/// `source`: an object with non-empty `discoverPath` and `scenariosPath`.
fn check_source(root: &Node, top: Span, diagnostics: &mut Vec<Diagnostic>) {
    match root.get("source") {
        Some(source) if source.as_object().is_some() => {
            for key in ["discoverPath", "scenariosPath"] {
                match source.get(key) {
                    Some(v) if v.as_str().is_some_and(|s| !s.trim().is_empty()) => {}
                    Some(v) if v.as_str().is_some() => diagnostics.push(plugin_warning(
                        v.span,
                        format!("source.{key} must be a non-empty string"),
                    )),
                    Some(v) => diagnostics.push(schema_error(v.span, expected(v, "string"))),
                    None => diagnostics.push(
                        schema_error(
                            source.span,
                            format!(
                                "source.{key}: Invalid input: expected string, received undefined"
                            ),
                        )
                        .with_help(format!(
                            "add `\"{key}\": \"autonoma/{}\"`",
                            if key == "discoverPath" {
                                "discover.json"
                            } else {
                                "scenarios.md"
                            }
                        )),
                    ),
                }
            }
        }
        Some(v) => diagnostics.push(schema_error(v.span, expected(v, "object"))),
        None => diagnostics.push(schema_error(
            top,
            "missing `source`: Invalid input: expected object, received undefined",
        )),
    }
}

/// Each recipe; names unique; the plugin's three recipes present.
fn check_names(
    recipes_member: &Member<'_>,
    recipes: &[Node<'_>],
    rules: Rules,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut names: Vec<(&str, Span)> = Vec::new();
    for (i, recipe) in recipes.iter().enumerate() {
        check_recipe(i, recipe, rules, diagnostics);
        if let Some(name_node) = recipe.get("name")
            && let Some(name) = name_node.as_str()
        {
            if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
                diagnostics.push(
                    Diagnostic::error(
                        Code::RECIPES_DUPLICATE_NAME,
                        FileKind::Recipes,
                        name_node.span,
                        format!("recipe name `{name}` is used twice"),
                    )
                    .with_label(FileKind::Recipes, *first, "first used here")
                    .with_help(
                        "recipe names are the scenario identity on the platform and must be unique",
                    ),
                );
            } else {
                names.push((name, name_node.span));
            }
        }
    }
    let missing: Vec<&str> = REQUIRED_RECIPES
        .into_iter()
        .filter(|r| !names.iter().any(|(n, _)| n == r))
        .collect();
    if !missing.is_empty() && rules.plugin {
        diagnostics.push(
            Diagnostic::warning(
                Code::RECIPES_MISSING_REQUIRED_RECIPE,
                FileKind::Recipes,
                recipes_member.key_span,
                format!("missing required recipes: {}", missing.join(", ")),
            )
            .with_help("the plugin pipeline requires `standard`, `empty` and `large`; the platform accepts any names"),
        );
    }
}

/// What an empty `create` does: the platform accepts the upload (a black-box recipe whose tests
/// make their own data); the SDKs differ on `up`.
fn empty_create_help(rules: Option<ScalarRules>) -> &'static str {
    match rules {
        Some(ScalarRules::Zod) => {
            "the platform accepts it (a black-box recipe: the tests make their own data); this endpoint's TypeScript SDK answers `up` with 200 and empty refs, while the Python SDK answers 400 INVALID_BODY"
        }
        Some(ScalarRules::Pydantic) | None => {
            "the platform accepts it (a black-box recipe: the tests make their own data); the Python SDK answers `up` with 400 INVALID_BODY, the TypeScript SDK with 200 and empty refs"
        }
    }
}

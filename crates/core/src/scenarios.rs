//! `scenarios.md`: YAML frontmatter (scenarios, entity types, variable fields) and body sections.

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use crate::dialect::{self, Dialect};
use crate::markdown::{self, Heading};
use crate::yaml::{self, YamlKind, YamlNode};

/// One entry of the frontmatter's `scenarios` list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScenarioEntry {
    /// The scenario name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole entry.
    pub span: Span,
    /// Its description.
    pub description: Option<String>,
    /// `entity_types` as a count (plugin) with its span.
    pub entity_types: Option<(i64, Span)>,
    /// `total_entities` and where it is written.
    pub total_entities: Option<(i64, Span)>,
}

/// One entry of `variable_fields`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VariableField {
    /// The token, e.g. `{{owner_email}}`.
    pub token: String,
    /// Where it is written.
    pub token_span: Span,
    /// The field it fills (`User.email`).
    pub entity: Option<String>,
    /// The scenarios it appears in.
    pub scenarios: Vec<(String, Span)>,
}

/// What the checks read from `scenarios.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenariosDoc {
    /// Plugin v2.1, the planner CLI's format, free-form or unrecognised (`dialect` decides).
    pub dialect: Dialect,
    /// Whether the file starts with frontmatter.
    pub has_frontmatter: bool,
    /// The frontmatter's bytes.
    pub frontmatter_span: Span,
    /// `scenario_count` and where it is written.
    pub scenario_count: Option<(i64, Span)>,
    /// The scenarios of the frontmatter.
    pub scenarios: Vec<ScenarioEntry>,
    /// `entity_types` names.
    pub entity_types: Vec<(String, Span)>,
    /// `variable_fields`.
    pub variable_fields: Vec<VariableField>,
    /// The body's headings.
    pub headings: Vec<Heading>,
}

impl Default for ScenariosDoc {
    fn default() -> Self {
        ScenariosDoc {
            dialect: Dialect::FreeForm,
            has_frontmatter: false,
            frontmatter_span: Span::default(),
            scenario_count: None,
            scenarios: Vec::new(),
            entity_types: Vec::new(),
            variable_fields: Vec::new(),
            headings: Vec::new(),
        }
    }
}

impl ScenariosDoc {
    /// The scenario named `name`.
    pub fn scenario(&self, name: &str) -> Option<&ScenarioEntry> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}

fn frontmatter_error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(
        Code::SCENARIOS_FRONTMATTER,
        FileKind::Scenarios,
        span,
        message,
    )
}

fn frontmatter_warning(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(
        Code::SCENARIOS_FRONTMATTER,
        FileKind::Scenarios,
        span,
        message,
    )
    .with_help("the plugin's scenarios validator rejects this; the platform does not read it")
}

/// Parses `scenarios.md`. Always returns a document.
pub fn parse(text: &str) -> Parsed<ScenariosDoc> {
    let markdown = markdown::parse(text);
    let mut doc = ScenariosDoc {
        headings: markdown.headings,
        ..ScenariosDoc::default()
    };
    let mut diagnostics = Vec::new();
    let Some((yaml_text, offset)) = markdown.frontmatter else {
        diagnostics.push(
            Diagnostic::info(
                Code::SCENARIOS_DIALECT,
                FileKind::Scenarios,
                Span::new(0, text.find('\n').unwrap_or(text.len()).min(text.len())),
                "free-form scenarios.md (no frontmatter): its scenarios and counts cannot be checked",
            )
            .with_help("the plugin's format starts with `---`, YAML frontmatter (scenario_count, scenarios, entity_types) and `---`; the planner CLI writes one too"),
        );
        return Parsed {
            value: doc,
            diagnostics,
        };
    };
    doc.has_frontmatter = true;
    doc.frontmatter_span = Span::new(offset, offset + yaml_text.len());
    let parsed = yaml::parse(FileKind::Scenarios, &yaml_text, offset);
    diagnostics.extend(parsed.diagnostics);
    let Some(root) = parsed.value else {
        diagnostics.push(frontmatter_error(
            doc.frontmatter_span,
            "the frontmatter is empty",
        ));
        return Parsed {
            value: doc,
            diagnostics,
        };
    };
    if root.as_mapping().is_none() {
        diagnostics.push(frontmatter_error(
            root.span,
            format!(
                "the frontmatter must be a mapping, found a {}",
                root.type_name()
            ),
        ));
        return Parsed {
            value: doc,
            diagnostics,
        };
    }
    let broken = !diagnostics.is_empty();
    let before = diagnostics.len();
    read_frontmatter(&root, &mut doc, &mut diagnostics);
    if broken {
        // After a syntax error the tree is partial: keep what was read, not "missing" noise.
        diagnostics.truncate(before);
    }
    Parsed {
        value: doc,
        diagnostics,
    }
}

fn read_frontmatter(root: &YamlNode, doc: &mut ScenariosDoc, diagnostics: &mut Vec<Diagnostic>) {
    doc.dialect = dialect::scenarios_dialect(Some(root));
    if doc.dialect == Dialect::Unrecognised {
        diagnostics.push(
            Diagnostic::info(
                Code::SCENARIOS_DIALECT,
                FileKind::Scenarios,
                doc.frontmatter_span,
                "unrecognised scenarios format (neither the plugin's v2.1 nor the planner CLI's): its scenarios and counts are not checked",
            )
            .with_help("the plugin writes scenario_count, scenarios (name, description, entity_types, total_entities) and variable_fields; the planner writes scenario_count: 1 and entity_types with counts"),
        );
        return;
    }
    let plugin = doc.dialect == Dialect::Plugin;
    read_scenario_count(root, doc, plugin, diagnostics);
    read_scenario_list(root, doc, plugin, diagnostics);
    read_entity_types(root, doc, diagnostics);
    read_variable_fields(root, doc, plugin, diagnostics);
    if plugin {
        check_planning_sections(root, diagnostics);
        check_required_scenarios(root, doc, diagnostics);
    }
    check_variable_field_scenarios(doc, diagnostics);
}

/// `scenario_count`: a positive integer (at least 3 for the plugin).
fn read_scenario_count(
    root: &YamlNode,
    doc: &mut ScenariosDoc,
    plugin: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let whole = root.span;
    match root.entry("scenario_count") {
        Some((_, value)) => match value.as_i64() {
            Some(n) if n >= 1 => {
                doc.scenario_count = Some((n, value.span));
                if plugin && n < 3 {
                    diagnostics.push(frontmatter_warning(
                        value.span,
                        format!("scenario_count is {n}; the plugin requires at least 3"),
                    ));
                }
            }
            _ => diagnostics.push(frontmatter_error(
                value.span,
                "scenario_count must be a positive integer",
            )),
        },
        None => diagnostics.push(frontmatter_error(
            Span::at(whole.start),
            "missing required frontmatter field: scenario_count",
        )),
    }
}

/// `scenarios`: the list of scenarios.
fn read_scenario_list(
    root: &YamlNode,
    doc: &mut ScenariosDoc,
    plugin: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let whole = root.span;
    match root.entry("scenarios") {
        Some((_, value)) => match value.as_sequence() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(entry) = read_scenario(i, item, plugin, diagnostics) {
                        doc.scenarios.push(entry);
                    }
                }
            }
            None => diagnostics.push(frontmatter_error(value.span, "`scenarios` must be a list")),
        },
        None => diagnostics.push(frontmatter_error(
            Span::at(whole.start),
            "missing required frontmatter field: scenarios",
        )),
    }
}

/// `entity_types`: a non-empty list of `{name}`.
fn read_entity_types(root: &YamlNode, doc: &mut ScenariosDoc, diagnostics: &mut Vec<Diagnostic>) {
    let whole = root.span;
    match root.entry("entity_types") {
        Some((_, value)) => {
            match value.as_sequence() {
                Some(items) if !items.is_empty() => {
                    for (i, item) in items.iter().enumerate() {
                        match item.get("name").and_then(YamlNode::scalar_text) {
                        Some(name) => doc.entity_types.push((name, item.get("name").map_or(item.span, |n| n.span))),
                        None => diagnostics.push(frontmatter_error(item.span, format!("entity_types[{i}] must be a mapping with at least a \"name\" field"))),
                    }
                    }
                }
                _ => diagnostics.push(frontmatter_error(
                    value.span,
                    "`entity_types` must be a non-empty list",
                )),
            }
        }
        None => diagnostics.push(frontmatter_error(
            Span::at(whole.start),
            "missing required frontmatter field: entity_types",
        )),
    }
}

/// `variable_fields`: a list (required by the plugin, `[]` when none).
fn read_variable_fields(
    root: &YamlNode,
    doc: &mut ScenariosDoc,
    plugin: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let whole = root.span;
    match root.entry("variable_fields") {
        Some((_, value)) => match &value.kind {
            YamlKind::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    doc.variable_fields
                        .push(read_variable_field(i, item, plugin, diagnostics));
                }
            }
            YamlKind::Null => {}
            _ => diagnostics.push(frontmatter_error(
                value.span,
                "`variable_fields` must be a list (use [] if none)",
            )),
        },
        None if plugin => diagnostics.push(frontmatter_warning(
            Span::at(whole.start),
            "missing frontmatter field: variable_fields (use [] if none)",
        )),
        None => {}
    }
}

/// The plugin's three planning sections.
fn check_planning_sections(root: &YamlNode, diagnostics: &mut Vec<Diagnostic>) {
    let whole = root.span;
    let sections: Vec<String> = root
        .get("planning_sections")
        .and_then(YamlNode::as_sequence)
        .map(|items| items.iter().filter_map(YamlNode::scalar_text).collect())
        .unwrap_or_default();
    let missing: Vec<&str> = [
        "schema_summary",
        "relationship_map",
        "variable_data_strategy",
    ]
    .into_iter()
    .filter(|s| !sections.iter().any(|have| have == s))
    .collect();
    if !missing.is_empty() {
        let span = root
            .entry("planning_sections")
            .map_or(Span::at(whole.start), |(k, _)| k.span);
        diagnostics.push(frontmatter_warning(
            span,
            format!("planning_sections lacks {}", missing.join(", ")),
        ));
    }
}

/// The plugin pipeline needs the scenarios `standard`, `empty` and `large` (the recipes side
/// warns the same).
fn check_required_scenarios(
    root: &YamlNode,
    doc: &ScenariosDoc,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if doc.scenarios.is_empty() {
        return;
    }
    let missing: Vec<&str> = ["standard", "empty", "large"]
        .into_iter()
        .filter(|r| !doc.scenarios.iter().any(|s| s.name == *r))
        .collect();
    if missing.is_empty() {
        return;
    }
    let span = root
        .entry("scenarios")
        .map_or(Span::at(root.span.start), |(k, _)| k.span);
    diagnostics.push(
        frontmatter_warning(
            span,
            format!("missing required scenarios: {}", missing.join(", ")),
        )
        .with_help("the plugin pipeline requires `standard`, `empty` and `large`; the platform accepts any names"),
    );
}

/// Every scenario a variable field names exists.
fn check_variable_field_scenarios(doc: &ScenariosDoc, diagnostics: &mut Vec<Diagnostic>) {
    let names: Vec<&str> = doc.scenarios.iter().map(|s| s.name.as_str()).collect();
    for field in &doc.variable_fields {
        for (scenario, span) in &field.scenarios {
            if !names.contains(&scenario.as_str()) {
                diagnostics.push(frontmatter_error(
                    *span,
                    format!(
                        "variable field {} references unknown scenario `{scenario}`",
                        field.token
                    ),
                ));
            }
        }
    }
}

fn read_scenario(
    i: usize,
    item: &YamlNode,
    plugin: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ScenarioEntry> {
    if item.as_mapping().is_none() {
        diagnostics.push(frontmatter_error(
            item.span,
            format!("scenarios[{i}] must be a mapping"),
        ));
        return None;
    }
    let Some(name_node) = item.get("name") else {
        diagnostics.push(frontmatter_error(
            item.span,
            format!("scenarios[{i}] missing required field: name"),
        ));
        return None;
    };
    let Some(name) = name_node.scalar_text().filter(|n| !n.trim().is_empty()) else {
        diagnostics.push(frontmatter_error(
            name_node.span,
            format!("scenarios[{i}].name must be a non-empty string"),
        ));
        return None;
    };
    let mut entry = ScenarioEntry {
        name,
        name_span: name_node.span,
        span: item.span,
        ..ScenarioEntry::default()
    };
    entry.description = item.get("description").and_then(YamlNode::scalar_text);
    if entry.description.is_none() {
        diagnostics.push(frontmatter_error(
            name_node.span,
            format!("scenarios[{i}] missing required field: description"),
        ));
    }
    for key in ["entity_types", "total_entities"] {
        match item.get(key) {
            Some(node) => match (node.as_i64(), key) {
                (Some(n), "entity_types") => entry.entity_types = Some((n, node.span)),
                (Some(n), _) => entry.total_entities = Some((n, node.span)),
                (None, "total_entities") => diagnostics.push(frontmatter_error(
                    node.span,
                    format!("scenarios[{i}].total_entities must be an integer"),
                )),
                (None, _) => {}
            },
            None if plugin => diagnostics.push(frontmatter_warning(
                name_node.span,
                format!("scenarios[{i}] missing field: {key}"),
            )),
            None => {}
        }
    }
    Some(entry)
}

fn read_variable_field(
    i: usize,
    item: &YamlNode,
    plugin: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> VariableField {
    let mut field = VariableField {
        token_span: item.span,
        ..VariableField::default()
    };
    match item.get("token") {
        Some(node) => {
            field.token = node.scalar_text().unwrap_or_default();
            field.token_span = node.span;
            let t = &field.token;
            if t.len() < 5 || !t.starts_with("{{") || !t.ends_with("}}") {
                diagnostics.push(frontmatter_error(node.span, format!("variable_fields[{i}].token must use double curly braces, e.g. {{{{title}}}}")));
            }
        }
        None => diagnostics.push(frontmatter_error(
            item.span,
            format!("variable_fields[{i}] missing required field: token"),
        )),
    }
    field.entity = item.get("entity").and_then(YamlNode::scalar_text);
    if let Some(scenarios) = item.get("scenarios").and_then(YamlNode::as_sequence) {
        field.scenarios = scenarios
            .iter()
            .filter_map(|s| s.scalar_text().map(|t| (t, s.span)))
            .collect();
    }
    if plugin {
        for key in ["entity", "scenarios", "reason", "test_reference"] {
            if item.get(key).is_none() {
                diagnostics.push(frontmatter_warning(
                    field.token_span,
                    format!("variable_fields[{i}] missing field: {key}"),
                ));
            }
        }
    }
    field
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_example() {
        let text = include_str!("../../../examples/autonoma/scenarios.md");
        let parsed = parse(text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let doc = parsed.value;
        assert_eq!(doc.scenario_count.map(|c| c.0), Some(3));
        let names: Vec<_> = doc.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["standard", "empty", "large"]);
        let large = doc
            .scenario("large")
            .and_then(|s| s.total_entities)
            .expect("total");
        assert_eq!(large.0, 303);
        assert_eq!(&text[large.1.start..large.1.end], "303");
        assert_eq!(doc.variable_fields.len(), 3);
        assert!(doc.headings.iter().any(|h| h.text == "Scenario: standard"));
    }

    #[test]
    fn free_form_markdown_gets_one_note_and_the_body_is_still_read() {
        let parsed = parse("# Scenarios\n\n## Scenario: `a`\n");
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].code, Code::SCENARIOS_DIALECT);
        assert_eq!(parsed.value.dialect, Dialect::FreeForm);
        assert_eq!(parsed.value.headings.len(), 2);
    }
}

//! The `discover` response (`discover.json`): models, fields, relations and the scope field.

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use crate::dialect::{self, Form};
use crate::json::{self, Node};

/// A discover response as the checks use it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Discover {
    /// The protocol version the answer gave.
    pub version: Option<String>,
    /// `sdk.language` (`python`, `typescript`, ...), lowercase, when the answer names it.
    pub sdk_language: Option<String>,
    /// The models (one per factory).
    pub models: Vec<DiscoverModel>,
    /// Foreign-key edges (SQL era only).
    pub edges: Vec<Edge>,
    /// Parent/child relations (SQL era only).
    pub relations: Vec<Relation>,
    /// The scope column (e.g. `organizationId`).
    pub scope_field: Option<String>,
    /// The file held the `schema` object alone (no answer around it).
    pub bare_schema: bool,
}

/// How an app isolates one test run's records from another's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeMode {
    /// Records hang from a tenant (the scope model) that other models point at.
    TenantScoped,
    /// `scopeField: "testRunId"` and no model carries it: the run itself is the scope.
    RunScoped,
    /// `scopeField: "testRunId"` and some models store the run id in such a field.
    RunMarker,
    /// A scope field no model carries (it only labels the schema): the scope value silently
    /// falls back to the run id.
    LabelOnly,
}

impl ScopeMode {
    /// For people.
    pub const fn label(self) -> &'static str {
        match self {
            ScopeMode::TenantScoped => "tenant-scoped",
            ScopeMode::RunScoped => "run-scoped (no tenant)",
            ScopeMode::RunMarker => "run-scoped with a run marker field",
            ScopeMode::LabelOnly => "label-only scope field",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
/// One model of discover.
pub struct DiscoverModel {
    /// The model (factory) name.
    pub name: String,
    /// Its cosmetic table name.
    pub table_name: Option<String>,
    /// Its fields, the synthetic `id` first.
    pub fields: Vec<DiscoverField>,
}

#[derive(Clone, Debug, Default, PartialEq)]
/// One field of a model.
pub struct DiscoverField {
    /// The field name.
    pub name: String,
    /// The type string (`string`, `integer`, `timestamp`, ...).
    pub ty: String,
    /// Required by the input schema.
    pub is_required: bool,
    /// The id field.
    pub is_id: bool,
    /// Has a default.
    pub has_default: bool,
}

/// A foreign-key edge of a SQL-era discover: `from.localField -> to.foreignField`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edge {
    /// The model holding the key.
    pub from: String,
    /// The model it points at.
    pub to: String,
    /// The key column.
    pub local_field: String,
    /// The column it points at.
    pub foreign_field: String,
    /// Whether the key may be null.
    pub nullable: bool,
}

/// A nesting relation of a SQL-era discover.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Relation {
    /// The parent model.
    pub parent_model: String,
    /// The child model.
    pub child_model: String,
    /// The parent's nesting key.
    pub parent_field: String,
    /// The child's key column.
    pub child_field: String,
}

/// How an SDK's input validation treats scalars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarRules {
    /// Pydantic (Python SDK), lax mode: numeric strings for numbers, `"yes"`/`"no"` for booleans.
    Pydantic,
    /// zod (TypeScript SDK): no coercion; a number field needs a JSON number.
    Zod,
}

impl ScalarRules {
    /// The SDK, for messages.
    pub fn sdk(self) -> &'static str {
        match self {
            ScalarRules::Pydantic => {
                "the Python SDK's Pydantic input models (lax: numeric strings and yes/no pass)"
            }
            ScalarRules::Zod => "the TypeScript SDK's zod schemas (no coercion)",
        }
    }
}

impl Discover {
    /// The scalar rules of the SDK that answered (Pydantic's when it does not say).
    pub fn scalar_rules(&self) -> ScalarRules {
        match self.sdk_language.as_deref() {
            Some("typescript" | "javascript" | "ts" | "js" | "node") => ScalarRules::Zod,
            _ => ScalarRules::Pydantic,
        }
    }

    /// The model named `name`.
    pub fn model(&self, name: &str) -> Option<&DiscoverModel> {
        self.models.iter().find(|m| m.name == name)
    }

    /// True for SQL-era endpoints, where nested trees are legal.
    pub fn is_legacy(&self) -> bool {
        !self.relations.is_empty()
    }

    /// How the app isolates runs (`planner.md` §6.5): names compared lowercased without `_`.
    pub fn scope_mode(&self) -> ScopeMode {
        let normal = |name: &str| name.replace('_', "").to_ascii_lowercase();
        let Some(field) = self.scope_field.as_deref().map(normal) else {
            return ScopeMode::TenantScoped;
        };
        let carried = self
            .models
            .iter()
            .any(|m| m.fields.iter().any(|f| normal(&f.name) == field));
        match (field == "testrunid", carried) {
            (true, false) => ScopeMode::RunScoped,
            (true, true) => ScopeMode::RunMarker,
            (false, false) if !self.models.is_empty() => ScopeMode::LabelOnly,
            _ => ScopeMode::TenantScoped,
        }
    }

    /// The scope model: named after the scope field (`organizationId` -> `Organization`), else
    /// the only model without the scope field that others reference through it. None unless
    /// the app is tenant-scoped.
    pub fn scope_model(&self) -> Option<&DiscoverModel> {
        if self.scope_mode() != ScopeMode::TenantScoped {
            return None;
        }
        let field = self.scope_field.as_deref().filter(|f| !f.is_empty())?;
        let stem = field
            .strip_suffix("Id")
            .or_else(|| field.strip_suffix("_id"))
            .unwrap_or(field);
        let lacking: Vec<&DiscoverModel> = self
            .models
            .iter()
            .filter(|m| m.field(field).is_none())
            .collect();
        lacking
            .iter()
            .find(|m| {
                m.name.eq_ignore_ascii_case(stem)
                    || m.name
                        .replace('_', "")
                        .eq_ignore_ascii_case(&stem.replace('_', ""))
            })
            .or_else(|| {
                if lacking.len() == 1 {
                    lacking.first()
                } else {
                    None
                }
            })
            .copied()
    }
}

impl DiscoverModel {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&DiscoverField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Parses `discover.json`, reporting shape problems as `discover/shape`: errors for what the
/// platform rejects, warnings for what only the plugin's stricter validator rejects.
pub fn parse(text: &str) -> Parsed<Option<Discover>> {
    let parsed = json::parse(FileKind::Discover, text);
    let mut diagnostics = parsed.diagnostics;
    let value = parsed
        .value
        .and_then(|root| from_node(&root, &mut diagnostics));
    Parsed { value, diagnostics }
}

fn shape_error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::DISCOVER_SHAPE, FileKind::Discover, span, message).with_help(
        "save the body of a signed `discover` response as-is (`scenario-lab discover` does this)",
    )
}

fn shape_warning(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::DISCOVER_SHAPE, FileKind::Discover, span, message)
        .with_help("the platform accepts this, but the plugin's discover validator rejects it")
}

fn string_at(node: &Node, key: &str) -> Option<String> {
    node.get(key).and_then(Node::as_str).map(str::to_owned)
}

/// Builds a `Discover` from a parsed JSON document: the wrapped answer, or its `schema` saved
/// alone (a warning). `None` when no models can be read, so that checks treat the file as absent
/// instead of calling every model unknown.
pub fn from_node(root: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Discover> {
    let mut discover = Discover {
        sdk_language: root
            .get("sdk")
            .and_then(|s| s.get("language"))
            .and_then(json::Node::as_str)
            .map(str::to_ascii_lowercase),
        version: root.get("version").and_then(|v| match &v.kind {
            json::NodeKind::String(s) => Some(s.to_string()),
            json::NodeKind::Number(n) => Some((*n).to_owned()),
            _ => None,
        }),
        ..Discover::default()
    };
    let schema = if dialect::discover_form(root) == Form::BareSchema {
        diagnostics.push(
            Diagnostic::warning(
                Code::DISCOVER_BARE_SCHEMA,
                FileKind::Discover,
                Span::at(root.span.start),
                "bare schema: the discover answer's `schema` object saved alone",
            )
            .with_help("read as the answer's schema; the plugin's discover validator rejects this form (save the whole signed answer with `scenario-lab discover` to satisfy it)"),
        );
        discover.bare_schema = true;
        root
    } else {
        let Some(schema) = root.get("schema").filter(|s| s.as_object().is_some()) else {
            diagnostics.push(shape_error(
                root.span,
                "discover response has no `schema` object",
            ));
            return None;
        };
        schema
    };
    let Some((models_node, models)) = schema
        .get("models")
        .and_then(|m| m.as_array().map(|items| (m, items)))
    else {
        let (at, message) = match schema.get("models") {
            Some(node) => (node.span, "`schema.models` must be an array"),
            None => (schema.span, "`schema.models` is missing"),
        };
        diagnostics.push(shape_error(at, message));
        return None;
    };
    if models.is_empty() {
        diagnostics.push(shape_warning(models_node.span, "`schema.models` is empty"));
    }
    for model in models {
        if let Some(parsed) = model_from_node(model, diagnostics) {
            discover.models.push(parsed);
        }
    }
    read_links(schema, &mut discover, diagnostics);
    match schema.get("scopeField") {
        Some(node) => match node.as_str() {
            Some("") => diagnostics.push(shape_warning(node.span, "`schema.scopeField` is empty")),
            Some(field) => discover.scope_field = Some(field.to_owned()),
            None => diagnostics.push(shape_error(
                node.span,
                "`schema.scopeField` must be a string",
            )),
        },
        None => diagnostics.push(shape_error(schema.span, "`schema.scopeField` is missing")),
    }
    Some(discover)
}

/// `schema.edges` and `schema.relations` (empty for factory-driven endpoints).
fn read_links(schema: &Node, discover: &mut Discover, diagnostics: &mut Vec<Diagnostic>) {
    for (key, is_edges) in [("edges", true), ("relations", false)] {
        match schema.get(key) {
            Some(node) => match node.as_array() {
                Some(items) => {
                    for item in items {
                        let required: &[&str] = if is_edges {
                            &["from", "to", "localField", "foreignField"]
                        } else {
                            &["parentModel", "childModel", "parentField", "childField"]
                        };
                        let missing: Vec<&str> = required
                            .iter()
                            .copied()
                            .filter(|k| item.get(k).and_then(Node::as_str).is_none())
                            .collect();
                        if !missing.is_empty() {
                            // The platform's schema and the plugin both refuse it.
                            diagnostics.push(shape_error(
                                item.span,
                                format!(
                                    "every entry of `schema.{key}` needs the strings {}; this one lacks {}",
                                    required.join(", "),
                                    missing.join(", ")
                                ),
                            ));
                            continue;
                        }
                        if is_edges {
                            discover.edges.push(Edge {
                                from: string_at(item, "from").unwrap_or_default(),
                                to: string_at(item, "to").unwrap_or_default(),
                                local_field: string_at(item, "localField").unwrap_or_default(),
                                foreign_field: string_at(item, "foreignField").unwrap_or_default(),
                                nullable: item
                                    .get("nullable")
                                    .and_then(Node::as_bool)
                                    .unwrap_or(false),
                            });
                        } else {
                            discover.relations.push(Relation {
                                parent_model: string_at(item, "parentModel").unwrap_or_default(),
                                child_model: string_at(item, "childModel").unwrap_or_default(),
                                parent_field: string_at(item, "parentField").unwrap_or_default(),
                                child_field: string_at(item, "childField").unwrap_or_default(),
                            });
                        }
                    }
                }
                None => diagnostics.push(shape_error(
                    node.span,
                    format!("`schema.{key}` must be an array"),
                )),
            },
            None => diagnostics.push(shape_error(
                schema.span,
                format!("`schema.{key}` is missing"),
            )),
        }
    }
}

fn model_from_node(node: &Node, diagnostics: &mut Vec<Diagnostic>) -> Option<DiscoverModel> {
    let Some(name) = node.get("name").and_then(Node::as_str) else {
        diagnostics.push(shape_error(node.span, "every model needs a string `name`"));
        return None;
    };
    if name.trim().is_empty() {
        let span = node.get("name").map_or(node.span, |n| n.span);
        diagnostics.push(
            shape_warning(span, "a model with an empty name")
                .with_help("no recipe can name this model; the factory registry key is empty"),
        );
    }
    let mut model = DiscoverModel {
        name: name.to_owned(),
        table_name: string_at(node, "tableName"),
        fields: Vec::new(),
    };
    let Some(fields) = node.get("fields").and_then(Node::as_array) else {
        diagnostics.push(shape_error(
            node.span,
            format!("model `{name}` needs a `fields` array"),
        ));
        return Some(model);
    };
    for field in fields {
        let (Some(field_name), Some(ty)) = (
            field.get("name").and_then(Node::as_str),
            field.get("type").and_then(Node::as_str),
        ) else {
            diagnostics.push(shape_error(
                field.span,
                format!("every field of `{name}` needs a string `name` and `type`"),
            ));
            continue;
        };
        let missing: Vec<&str> = ["isRequired", "isId", "hasDefault"]
            .into_iter()
            .filter(|key| field.get(key).and_then(Node::as_bool).is_none())
            .collect();
        if !missing.is_empty() {
            diagnostics.push(shape_warning(
                field.span,
                format!(
                    "field `{name}.{field_name}` has no boolean {}",
                    missing.join(", ")
                ),
            ));
        }
        if !is_supported_type(ty) {
            let span = field.get("type").map_or(field.span, |t| t.span);
            diagnostics.push(shape_warning(
                span,
                format!("field `{name}.{field_name}` has unsupported discover type `{ty}`"),
            ));
        }
        model.fields.push(DiscoverField {
            name: field_name.to_owned(),
            ty: ty.to_owned(),
            is_required: field
                .get("isRequired")
                .and_then(Node::as_bool)
                .unwrap_or(false),
            is_id: field.get("isId").and_then(Node::as_bool).unwrap_or(false),
            has_default: field
                .get("hasDefault")
                .and_then(Node::as_bool)
                .unwrap_or(false),
        });
    }
    Some(model)
}

/// The plugin's type rule: `^(?:[A-Za-z][A-Za-z0-9_]*|enum\([^()]+\))(?:\[\])?$`.
pub fn is_supported_type(ty: &str) -> bool {
    let base = ty.strip_suffix("[]").unwrap_or(ty);
    if let Some(inner) = base
        .strip_prefix("enum(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        return !inner.is_empty() && !inner.contains(['(', ')']);
    }
    let mut chars = base.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The members of an `enum(A,B)` type, if it is one.
pub fn enum_members(ty: &str) -> Option<Vec<&str>> {
    let inner = ty.strip_prefix("enum(")?.strip_suffix(')')?;
    Some(inner.split(',').map(str::trim).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_example() {
        let parsed = parse(include_str!("../../../examples/autonoma/discover.json"));
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let discover = parsed.value.expect("discover");
        assert_eq!(discover.models.len(), 5);
        assert_eq!(
            discover.scope_model().map(|m| m.name.as_str()),
            Some("Organization")
        );
        assert!(!discover.is_legacy());
    }

    #[test]
    fn type_rule_matches_the_plugin() {
        for ok in ["string", "DateTime", "enum(A,B)", "Tag[]", "enum(a)[]"] {
            assert!(is_supported_type(ok), "{ok}");
        }
        for bad in ["", "1x", "enum()", "map<string>", "a-b"] {
            assert!(!is_supported_type(bad), "{bad}");
        }
    }
}

//! `entity-audit.md`: which models are created independently (get a factory) and which are minted by an owner.

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use crate::dialect::{self, Dialect};
use crate::markdown;
use crate::yaml::{self, YamlNode};

/// One audited model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditModel {
    /// The model name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// `independently_created` (v2) or `has_creation_code` (v1).
    pub independently_created: Option<bool>,
    /// The owners (`created_by[].owner`) that create it when it is not independent.
    pub owners: Vec<String>,
    /// The file holding its creation code.
    pub creation_file: Option<String>,
    /// The function that creates it.
    pub creation_function: Option<String>,
}

/// What the checks read from `entity-audit.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditDoc {
    /// The plugin's, the planner CLI's canonical rewrite, or hand-made (`dialect` decides).
    pub dialect: Dialect,
    /// Every model of the audit, in order.
    pub models: Vec<AuditModel>,
    /// `model_count` and where it is written.
    pub model_count: Option<(i64, Span)>,
    /// `factory_count` and where it is written.
    pub factory_count: Option<(i64, Span)>,
}

impl Default for AuditDoc {
    fn default() -> Self {
        AuditDoc {
            dialect: Dialect::HandMade,
            models: Vec::new(),
            model_count: None,
            factory_count: None,
        }
    }
}

impl AuditDoc {
    /// The model named `name`.
    pub fn model(&self, name: &str) -> Option<&AuditModel> {
        self.models.iter().find(|m| m.name == name)
    }

    /// Models with their own creation function (each gets a factory).
    pub fn independent_models(&self) -> Vec<&str> {
        self.models_where(Some(true))
    }

    /// Models only ever minted by an owner (no factory).
    pub fn pure_dependents(&self) -> Vec<&str> {
        self.models_where(Some(false))
    }

    fn models_where(&self, independently_created: Option<bool>) -> Vec<&str> {
        self.models
            .iter()
            .filter(|m| m.independently_created == independently_created)
            .map(|m| m.name.as_str())
            .collect()
    }
}

fn error(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(
        Code::AUDIT_FRONTMATTER,
        FileKind::EntityAudit,
        span,
        message,
    )
}

/// Parses `entity-audit.md`. Always returns a document.
pub fn parse(text: &str) -> Parsed<AuditDoc> {
    let frontmatter = markdown::parse(text).frontmatter;
    let mut doc = AuditDoc {
        dialect: dialect::audit_dialect(frontmatter.is_some(), text),
        ..AuditDoc::default()
    };
    let mut diagnostics = Vec::new();
    let Some((yaml_text, offset)) = frontmatter else {
        // A hand-made audit (a table, prose): its presence is all that can be checked.
        diagnostics.push(
            Diagnostic::info(Code::AUDIT_FRONTMATTER, FileKind::EntityAudit, Span::at(0), "hand-made entity-audit.md (no frontmatter): its models cannot be checked against discover and the recipes")
                .with_help("the plugin and the planner CLI start the file with `---`, the audit's YAML (model_count, factory_count, models), and `---`"),
        );
        return Parsed {
            value: doc,
            diagnostics,
        };
    };
    let parsed = yaml::parse(FileKind::EntityAudit, &yaml_text, offset);
    diagnostics.extend(parsed.diagnostics);
    let Some(root) = parsed.value.filter(|r| r.as_mapping().is_some()) else {
        diagnostics.push(error(
            Span::new(offset, offset + yaml_text.len()),
            "the frontmatter must be a mapping",
        ));
        return Parsed {
            value: doc,
            diagnostics,
        };
    };
    doc.model_count = root
        .get("model_count")
        .and_then(|n| n.as_i64().map(|v| (v, n.span)));
    doc.factory_count = root
        .get("factory_count")
        .and_then(|n| n.as_i64().map(|v| (v, n.span)));
    let Some(models) = root.get("models").and_then(YamlNode::as_sequence) else {
        diagnostics.push(error(root.span, "`models` must be a non-empty list"));
        return Parsed {
            value: doc,
            diagnostics,
        };
    };
    for (i, item) in models.iter().enumerate() {
        if let Some(model) = audit_model(i, item, doc.dialect, &mut diagnostics) {
            doc.models.push(model);
        }
    }
    check_counts(&doc, &mut diagnostics);
    Parsed {
        value: doc,
        diagnostics,
    }
}

/// One entry of `models`, or `None` (with a diagnostic) when it has no name.
fn audit_model(
    i: usize,
    item: &YamlNode,
    dialect: Dialect,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<AuditModel> {
    let Some(name_node) = item
        .get("name")
        .filter(|n| n.as_str().is_some_and(|s| !s.trim().is_empty()))
    else {
        diagnostics.push(error(
            item.span,
            format!("models[{i}] needs a non-blank `name`"),
        ));
        return None;
    };
    let name = name_node.as_str().unwrap_or_default().to_owned();
    let independently_created = item
        .get("independently_created")
        .and_then(YamlNode::as_bool)
        .or_else(|| item.get("has_creation_code").and_then(YamlNode::as_bool));
    if independently_created.is_none() {
        diagnostics.push(error(name_node.span, format!("models[{i}] ({name}) missing classification (independently_created or has_creation_code)")));
    }
    let owners: Vec<String> = item
        .get("created_by")
        .and_then(YamlNode::as_sequence)
        .map(|list| {
            list.iter()
                .filter_map(|o| o.get("owner").and_then(YamlNode::scalar_text))
                .collect()
        })
        .unwrap_or_default();
    let unaudited = independently_created == Some(false) && owners.is_empty();
    if unaudited && dialect == Dialect::Planner {
        // The planner writes `(false, [])` for every model its agent skipped.
        diagnostics.push(
            Diagnostic::warning(Code::AUDIT_FRONTMATTER, FileKind::EntityAudit, name_node.span, format!("models[{i}] ({name}) is unaudited: no creation path found"))
                .with_help("the planner CLI records a skipped model this way; it gets no factory, so no recipe may create it"),
        );
    } else if unaudited && item.get("created_by").is_some() {
        diagnostics.push(error(
            name_node.span,
            format!("models[{i}] ({name}) is marked independently_created=false but has no created_by entries"),
        ));
    }
    Some(AuditModel {
        name,
        name_span: name_node.span,
        independently_created,
        owners,
        creation_file: item.get("creation_file").and_then(YamlNode::scalar_text),
        creation_function: item
            .get("creation_function")
            .and_then(YamlNode::scalar_text),
    })
}

/// `model_count` and `factory_count` against the models listed.
fn check_counts(doc: &AuditDoc, diagnostics: &mut Vec<Diagnostic>) {
    if let Some((count, span)) = doc.model_count
        && i64::try_from(doc.models.len()).is_ok_and(|n| count != n)
    {
        diagnostics.push(error(
            span,
            format!(
                "model_count ({count}) does not match models array length ({})",
                doc.models.len()
            ),
        ));
    }
    let independent = i64::try_from(doc.independent_models().len()).unwrap_or(i64::MAX);
    if let Some((count, span)) = doc.factory_count
        && count != independent
    {
        diagnostics.push(
            Diagnostic::warning(
                Code::AUDIT_FRONTMATTER,
                FileKind::EntityAudit,
                span,
                format!(
                    "factory_count is {count} but {independent} models are independently created"
                ),
            )
            .with_help(format!(
                "set factory_count to {independent}; the plugin's validator rewrites it otherwise"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_reference_example() {
        let parsed = parse(include_str!("../../../examples/autonoma/entity-audit.md"));
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let doc = parsed.value;
        assert_eq!(doc.models.len(), 6);
        assert_eq!(
            doc.model("OnboardingChecklist")
                .and_then(|m| m.independently_created),
            Some(false)
        );
        assert_eq!(
            doc.model("OnboardingChecklist").map(|m| m.owners.clone()),
            Some(vec!["Organization".to_owned()])
        );
    }
}

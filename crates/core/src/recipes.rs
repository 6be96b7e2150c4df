//! The `scenario-recipes.json` model: recipes, their `create` maps (flat or legacy nested) and variables.

use crate::diagnostic::Span;
use crate::dialect::{self, Form};
use crate::discover::Discover;
use crate::graph::Graph;
use crate::json::{Member, Node, NodeKind};
use rustc_hash::FxHashMap;

/// One entry of `recipes`, borrowed from the parsed file.
#[derive(Clone, Copy, Debug)]
pub struct Recipe<'a> {
    /// Its position in `recipes`.
    pub index: usize,
    /// The recipe object.
    pub node: &'a Node<'a>,
    /// Its `name`, if it is a string.
    pub name: Option<&'a str>,
    /// Where the name is (or the recipe, without one).
    pub name_span: Span,
    /// Its `create` map (the whole file, for a bare create map).
    pub create: Option<&'a Node<'a>>,
    /// Where diagnostics about the whole `create` point: its key, or the file's start.
    pub create_span: Span,
    /// Its `variables` member.
    pub variables: Option<&'a Member<'a>>,
    /// The file is this one recipe (`{create}` or a create map), not an envelope.
    pub bare: bool,
}

/// The recipes of a parsed file, in order (entries that are not objects are skipped). A bare
/// `{create, variables?}` or a bare create map is one recipe, as the planner's `sdk up` reads it.
pub fn recipes<'a>(root: &'a Node<'a>) -> Vec<Recipe<'a>> {
    let head = Span::at(root.span.start);
    match dialect::recipes_form(root) {
        Form::CreateWrapper => {
            let create = root.member("create");
            return vec![Recipe {
                index: 0,
                node: root,
                name: None,
                name_span: head,
                create: create.map(|m| &m.value),
                create_span: create.map_or(head, |m| m.key_span),
                variables: root.member("variables"),
                bare: true,
            }];
        }
        Form::BareCreateMap => {
            return vec![Recipe {
                index: 0,
                node: root,
                name: None,
                name_span: head,
                create: Some(root),
                create_span: head,
                variables: None,
                bare: true,
            }];
        }
        _ => {}
    }
    let Some(items) = root.get("recipes").and_then(Node::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter(|(_, node)| node.as_object().is_some())
        .map(|(index, node)| {
            let name_member = node.member("name");
            let create = node.member("create");
            let name_span = name_member.map_or(Span::at(node.span.start), |m| m.value.span);
            Recipe {
                index,
                node,
                name: name_member.and_then(|m| m.value.as_str()),
                name_span,
                create: create.map(|m| &m.value),
                create_span: create.map_or(name_span, |m| m.key_span),
                variables: node.member("variables"),
                bare: false,
            }
        })
        .collect()
}

impl Recipe<'_> {
    /// A name for messages: the recipe's name, `recipes[i]`, or "the file's recipe" for a bare one.
    pub fn label(&self) -> String {
        match self.name {
            Some(name) => format!("`{name}`"),
            None if self.bare => "the file's recipe".to_owned(),
            None => format!("recipes[{}]", self.index),
        }
    }
}

/// One record of a `create` map.
#[derive(Clone, Debug)]
pub struct RecordInfo<'a> {
    /// The model (top-level key, or the model a nesting key stands for).
    pub model: &'a str,
    /// The span of the model key this record sits under (top-level key, or nesting key).
    pub model_span: Span,
    /// The record object.
    pub node: &'a Node<'a>,
    /// Its `_alias` and where it is written.
    pub alias: Option<(&'a str, Span)>,
    /// Every `{"_ref": alias}` in the record's values (not descending into nested records).
    pub refs: Vec<(&'a str, Span)>,
    /// The record this one is nested under (legacy nested trees).
    pub parent: Option<usize>,
    /// The field of the parent holding this record (legacy nested trees).
    pub via_field: Option<&'a str>,
    /// 0-based position within its model, in payload order.
    pub index_in_model: usize,
}

impl RecordInfo<'_> {
    /// The span diagnostics use for the record as a whole: its first key, else its braces.
    pub fn head_span(&self) -> Span {
        self.node
            .as_object()
            .and_then(|members| members.first())
            .map_or(self.node.span, |m| m.key_span)
    }
}

/// The records of a `create` map and their dependency graph.
#[derive(Clone, Debug, Default)]
pub struct CreateGraph<'a> {
    /// Every record, in payload order (nested children after their parent).
    pub records: Vec<RecordInfo<'a>>,
    /// Top-level aliases: alias -> first declaring record.
    pub aliases: FxHashMap<&'a str, usize>,
    /// Their dependency graph.
    pub graph: Graph,
}

/// How nested keys are read: as opaque data (factory-driven SDKs) or as relations (legacy).
pub fn nesting_child<'d>(
    discover: Option<&'d Discover>,
    model: &str,
    key: &str,
) -> Option<&'d str> {
    let discover = discover.filter(|d| d.is_legacy())?;
    discover
        .relations
        .iter()
        .find(|r| r.parent_model == model && r.parent_field == key)
        .map(|r| r.child_model.as_str())
}

impl<'a> CreateGraph<'a> {
    /// Builds the graph of a `create` object. Entries that are not arrays of objects are skipped
    /// (the schema checks report them).
    pub fn build(create: &'a Node<'a>, discover: Option<&'a Discover>) -> CreateGraph<'a> {
        let mut out = CreateGraph::default();
        let mut per_model: FxHashMap<&'a str, usize> = FxHashMap::default();
        for member in create.as_object().unwrap_or_default() {
            let Some(items) = member.value.as_array() else {
                continue;
            };
            for item in items.iter().filter(|n| n.as_object().is_some()) {
                out.push_record(
                    &member.key,
                    member.key_span,
                    item,
                    None,
                    None,
                    discover,
                    &mut per_model,
                );
            }
        }
        for (i, record) in out.records.iter().enumerate() {
            if record.parent.is_none()
                && let Some((alias, _)) = record.alias
            {
                out.aliases.entry(alias).or_insert(i);
            }
        }
        let deps: Vec<Vec<usize>> = out
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let targets = r
                    .refs
                    .iter()
                    .filter_map(|(alias, _)| out.aliases.get(alias).copied());
                crate::graph::dependencies(i, r.parent.into_iter().chain(targets))
            })
            .collect();
        out.graph = Graph::from_deps(deps);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn push_record(
        &mut self,
        model: &'a str,
        model_span: Span,
        node: &'a Node<'a>,
        parent: Option<usize>,
        via_field: Option<&'a str>,
        discover: Option<&'a Discover>,
        per_model: &mut FxHashMap<&'a str, usize>,
    ) {
        let index = self.records.len();
        let counter = per_model.entry(model).or_insert(0);
        let index_in_model = *counter;
        *counter += 1;
        let alias = node
            .member("_alias")
            .and_then(|m| m.value.as_str().map(|a| (a, m.value.span)));
        let mut refs = Vec::new();
        let mut nested: Vec<(&'a str, Span, &'a Node<'a>, &'a str)> = Vec::new();
        for member in node.as_object().unwrap_or_default() {
            if member.key == "_alias" || member.key == "_ref" {
                continue;
            }
            if let Some(child_model) = nesting_child(discover, model, &member.key)
                && let Some(children) = member.value.as_array()
            {
                for child in children.iter().filter(|c| c.as_object().is_some()) {
                    nested.push((child_model, member.key_span, child, &member.key));
                }
                continue;
            }
            collect_refs(&member.value, &mut refs);
        }
        self.records.push(RecordInfo {
            model,
            model_span,
            node,
            alias,
            refs,
            parent,
            via_field,
            index_in_model,
        });
        for (child_model, span, child, field) in nested {
            self.push_record(
                child_model,
                span,
                child,
                Some(index),
                Some(field),
                discover,
                per_model,
            );
        }
    }

    /// The records of one model, in payload order.
    pub fn of_model<'s>(&'s self, model: &'s str) -> impl Iterator<Item = &'s RecordInfo<'a>> + 's {
        self.records.iter().filter(move |r| r.model == model)
    }
}

/// Every `{"_ref": "<alias>"}` at any depth, not descending into a `_ref` object.
pub fn collect_refs<'a>(node: &'a Node<'a>, refs: &mut Vec<(&'a str, Span)>) {
    match &node.kind {
        NodeKind::Object(members) => {
            if let Some(target) = node.as_ref_target() {
                refs.push(target);
                return;
            }
            for member in members {
                collect_refs(&member.value, refs);
            }
        }
        NodeKind::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

/// Calls `visit` for every string value (never keys) under `node`.
pub fn for_each_string<'a>(node: &'a Node<'a>, visit: &mut impl FnMut(&'a str, Span)) {
    match &node.kind {
        NodeKind::String(s) => visit(s, node.span),
        NodeKind::Array(items) => items.iter().for_each(|item| for_each_string(item, visit)),
        NodeKind::Object(members) => members
            .iter()
            .for_each(|m| for_each_string(&m.value, visit)),
        _ => {}
    }
}

/// The span of `text[start..end]` inside the JSON string literal at `literal`, when the literal
/// has no escapes before that point; otherwise the whole literal.
pub fn span_in_literal(source: &str, literal: Span, value: &str, start: usize, end: usize) -> Span {
    let raw = source
        .get(literal.start + 1..literal.end.saturating_sub(1))
        .unwrap_or_default();
    if raw == value {
        Span::new(literal.start + 1 + start, literal.start + 1 + end)
    } else {
        literal
    }
}

//! A file's shape: document symbols (recipe → model → record; discover's models and fields;
//! the scenarios and headings of `scenarios.md`), folding ranges, selection ranges, and the
//! formatting of JSON files (pretty, key order kept).

use super::{DocumentSymbol, SymbolKind, text};
use crate::diagnostic::{FileKind, Span, TextEdit};
use crate::json::{self, Node, NodeKind};
use crate::line_index::LineIndex;
use crate::recipes::{self, CreateGraph};
use crate::{Workspace, json_edit, scenarios};

/// The outline of `file`.
pub fn document_symbols(ws: &Workspace<'_>, file: FileKind) -> Vec<DocumentSymbol> {
    let Some(source) = text(ws, file) else {
        return Vec::new();
    };
    match file {
        FileKind::Recipes => recipe_symbols(source),
        FileKind::Discover => discover_symbols(source),
        FileKind::Scenarios => scenario_symbols(source),
        _ => Vec::new(),
    }
}

fn symbol(name: String, kind: SymbolKind, span: Span, selection: Span) -> DocumentSymbol {
    DocumentSymbol {
        name,
        kind,
        detail: None,
        span,
        selection,
        children: Vec::new(),
    }
}

fn recipe_symbols(source: &str) -> Vec<DocumentSymbol> {
    let parsed = json::parse(FileKind::Recipes, source);
    let Some(root) = parsed.value.as_ref() else {
        return Vec::new();
    };
    recipes::recipes(root)
        .iter()
        .map(|recipe| {
            let mut out = symbol(
                recipe
                    .name
                    .map_or_else(|| format!("recipes[{}]", recipe.index), str::to_owned),
                SymbolKind::Recipe,
                recipe.node.span,
                recipe.name_span,
            );
            if let Some(create) = recipe.create {
                let graph = CreateGraph::build(create, None);
                out.children = create
                    .as_object()
                    .unwrap_or_default()
                    .iter()
                    .map(|model| model_symbol(model, &graph))
                    .collect();
            }
            out
        })
        .collect()
}

fn model_symbol(model: &json::Member<'_>, graph: &CreateGraph<'_>) -> DocumentSymbol {
    let mut out = symbol(
        model.key.to_string(),
        SymbolKind::Model,
        model.span(),
        model.key_span,
    );
    out.children = graph
        .records
        .iter()
        .filter(|r| r.parent.is_none() && r.model == model.key.as_ref())
        .map(|r| {
            let name = r.alias.map_or_else(
                || format!("{}[{}]", r.model, r.index_in_model),
                |(a, _)| format!("{} \"{a}\"", r.model),
            );
            symbol(
                name,
                SymbolKind::Record,
                r.node.span,
                r.alias.map_or(r.head_span(), |(_, s)| s),
            )
        })
        .collect();
    out.detail = Some(format!("{} records", out.children.len()));
    out
}

fn discover_symbols(source: &str) -> Vec<DocumentSymbol> {
    let parsed = json::parse(FileKind::Discover, source);
    let Some(root) = parsed.value.as_ref() else {
        return Vec::new();
    };
    let Some(models) = root
        .get("schema")
        .and_then(|s| s.get("models"))
        .and_then(Node::as_array)
    else {
        return Vec::new();
    };
    models
        .iter()
        .filter_map(|model| {
            let name = model.member("name")?;
            let mut out = symbol(
                name.value.as_str()?.to_owned(),
                SymbolKind::Model,
                model.span,
                name.value.span,
            );
            out.children = model
                .get("fields")
                .and_then(Node::as_array)
                .unwrap_or_default()
                .iter()
                .filter_map(|field| {
                    let name = field.member("name")?;
                    let mut f = symbol(
                        name.value.as_str()?.to_owned(),
                        SymbolKind::Field,
                        field.span,
                        name.value.span,
                    );
                    f.detail = field.get("type").and_then(Node::as_str).map(str::to_owned);
                    Some(f)
                })
                .collect();
            Some(out)
        })
        .collect()
}

fn scenario_symbols(source: &str) -> Vec<DocumentSymbol> {
    let doc = scenarios::parse(source).value;
    let mut out: Vec<DocumentSymbol> = doc
        .scenarios
        .iter()
        .map(|s| {
            let mut entry = symbol(s.name.clone(), SymbolKind::Recipe, s.span, s.name_span);
            entry.detail.clone_from(&s.description);
            entry
        })
        .collect();
    out.extend(
        doc.headings
            .iter()
            .map(|h| symbol(h.text.clone(), SymbolKind::Section, h.section, h.span)),
    );
    out
}

/// Ranges a reader can fold: JSON objects and arrays over several lines, Markdown sections.
pub fn folding_ranges(ws: &Workspace<'_>, file: FileKind) -> Vec<Span> {
    let Some(source) = text(ws, file) else {
        return Vec::new();
    };
    if file == FileKind::Scenarios {
        return scenarios::parse(source)
            .value
            .headings
            .iter()
            .map(|h| h.section)
            .collect();
    }
    let parsed = json::parse(file, source);
    let Some(root) = parsed.value.as_ref() else {
        return Vec::new();
    };
    let lines = LineIndex::new(source);
    let mut out = Vec::new();
    collect_folds(root, &lines, &mut out);
    out
}

fn collect_folds(node: &Node<'_>, lines: &LineIndex, out: &mut Vec<Span>) {
    let children: Vec<&Node<'_>> = match &node.kind {
        NodeKind::Array(items) => items.iter().collect(),
        NodeKind::Object(members) => members.iter().map(|m| &m.value).collect(),
        _ => return,
    };
    if lines.line_of(node.span.start) < lines.line_of(node.span.end.saturating_sub(1)) {
        out.push(node.span);
    }
    for child in children {
        collect_folds(child, lines, out);
    }
}

/// The spans around `offset`, innermost first (a value, its member, its container, ...).
pub fn selection_ranges(ws: &Workspace<'_>, file: FileKind, offset: usize) -> Vec<Span> {
    let Some(source) = text(ws, file) else {
        return Vec::new();
    };
    let parsed = json::parse(file, source);
    let Some(root) = parsed.value.as_ref() else {
        return Vec::new();
    };
    let mut chain = Vec::new();
    let mut node = root;
    loop {
        chain.push(node.span);
        let inside = |span: Span| span.start <= offset && offset < span.end;
        let next = match &node.kind {
            NodeKind::Array(items) => items.iter().find(|i| inside(i.span)),
            NodeKind::Object(members) => match members.iter().find(|m| inside(m.span())) {
                Some(member) if inside(member.key_span) => {
                    chain.push(member.span());
                    chain.push(member.key_span);
                    break;
                }
                Some(member) => {
                    chain.push(member.span());
                    Some(&member.value)
                }
                None => None,
            },
            _ => None,
        };
        match next {
            Some(child) => node = child,
            None => break,
        }
    }
    chain.dedup();
    chain.reverse();
    chain
}

/// Pretty JSON with the file's indentation, key order kept; nothing for a file that does not
/// parse or is already formatted.
pub fn format(ws: &Workspace<'_>, file: FileKind) -> Vec<TextEdit> {
    let Some(source) = text(ws, file) else {
        return Vec::new();
    };
    if !matches!(
        file,
        FileKind::Recipes | FileKind::Discover | FileKind::Validation
    ) {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(source) else {
        return Vec::new();
    };
    let unit = json_edit::indent_unit(source);
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    if serde::Serialize::serialize(&value, &mut serializer).is_err() {
        return Vec::new();
    }
    let mut pretty = String::from_utf8(out).unwrap_or_default();
    pretty.push('\n');
    if pretty == source {
        return Vec::new();
    }
    vec![TextEdit {
        span: Span::new(0, source.len()),
        new_text: pretty,
    }]
}

//! YAML with byte spans on every node, built from `saphyr-parser` events.

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use saphyr_parser::{Event, Parser, ScalarStyle};

/// A YAML node and the bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlNode {
    /// The exact bytes.
    pub span: Span,
    /// The value.
    pub kind: YamlKind,
}

#[derive(Clone, Debug, PartialEq)]
/// A YAML value (core schema for plain scalars).
pub enum YamlKind {
    /// `null` or `~`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence.
    Sequence(Vec<YamlNode>),
    /// Entries in source order.
    Mapping(Vec<(YamlNode, YamlNode)>),
}

impl YamlNode {
    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            YamlKind::String(s) => Some(s),
            _ => None,
        }
    }
    /// The integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self.kind {
            YamlKind::Int(i) => Some(i),
            _ => None,
        }
    }
    /// The boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            YamlKind::Bool(b) => Some(b),
            _ => None,
        }
    }
    /// The items, if it is a sequence.
    pub fn as_sequence(&self) -> Option<&[YamlNode]> {
        match &self.kind {
            YamlKind::Sequence(items) => Some(items),
            _ => None,
        }
    }
    /// The pairs, if it is a mapping.
    pub fn as_mapping(&self) -> Option<&[(YamlNode, YamlNode)]> {
        match &self.kind {
            YamlKind::Mapping(entries) => Some(entries),
            _ => None,
        }
    }
    /// The entry whose key is the string `key`: (key node, value node).
    pub fn entry(&self, key: &str) -> Option<(&YamlNode, &YamlNode)> {
        self.as_mapping()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }
    /// The value of `key`, if it is a mapping.
    pub fn get(&self, key: &str) -> Option<&YamlNode> {
        self.entry(key).map(|(_, v)| v)
    }
    /// A scalar rendered as text (strings, numbers and booleans).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            YamlKind::String(s) => Some(s.clone()),
            YamlKind::Int(i) => Some(i.to_string()),
            YamlKind::Float(f) => Some(ryu_js::Buffer::new().format(*f).to_owned()),
            YamlKind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    /// The type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            YamlKind::Null => "null",
            YamlKind::Bool(_) => "boolean",
            YamlKind::Int(_) => "integer",
            YamlKind::Float(_) => "number",
            YamlKind::String(_) => "string",
            YamlKind::Sequence(_) => "list",
            YamlKind::Mapping(_) => "mapping",
        }
    }
}

/// Parses the first YAML document of `text`. `offset` is where `text` starts in its file,
/// so spans point into the whole file. A syntax error gives `yaml/syntax` and whatever was
/// built before it.
pub fn parse(file: FileKind, text: &str, offset: usize) -> Parsed<Option<YamlNode>> {
    let chars = CharOffsets::new(text);
    let mut builder = TreeBuilder::default();
    let mut diagnostics = Vec::new();
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => {
                let start = chars.byte(span.start.index());
                // Some events (implicit nulls, collection starts) carry no end marker.
                let end = chars.byte(span.end.index()).max(start);
                let span = Span::new(start + offset, end + offset);
                if builder.stack.len() > crate::json::MAX_DEPTH {
                    diagnostics.push(Diagnostic::error(
                        Code::YAML_SYNTAX,
                        file,
                        span,
                        format!("nesting deeper than {} levels", crate::json::MAX_DEPTH),
                    ));
                    break;
                }
                if builder.push(event, span) {
                    if let Some(at) = builder.over_budget {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::YAML_SYNTAX,
                                file,
                                at,
                                format!("aliases expand to more than {ALIAS_BUDGET} nodes"),
                            )
                            .with_help(
                                "use fewer nested aliases; the document is read up to this one",
                            ),
                        );
                    }
                    break;
                }
            }
            Err(error) => {
                let at = chars.byte(error.marker().index()) + offset;
                let end = (at + 1).min(offset + text.len()).max(at);
                diagnostics.push(
                    Diagnostic::error(
                        Code::YAML_SYNTAX,
                        file,
                        Span::new(at, end),
                        format!("invalid YAML: {}", error.info()),
                    )
                    .with_help("fix the YAML syntax; checks of this block run on what was read before the error"),
                );
                break;
            }
        }
    }
    Parsed {
        value: builder.finish(),
        diagnostics,
    }
}

/// Maps saphyr's character indices to byte offsets.
struct CharOffsets {
    /// Byte offset of every char, plus the text length at the end; empty when ASCII.
    offsets: Vec<usize>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let offsets = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect()
        };
        Self {
            offsets,
            len: text.len(),
        }
    }
    fn byte(&self, char_index: usize) -> usize {
        if self.offsets.is_empty() {
            char_index.min(self.len)
        } else {
            self.offsets.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

enum Frame {
    Sequence {
        start: usize,
        anchor: usize,
        items: Vec<YamlNode>,
    },
    Mapping {
        start: usize,
        anchor: usize,
        entries: Vec<(YamlNode, YamlNode)>,
        pending_key: Option<YamlNode>,
    },
}

/// How many nodes aliases may add to a document, beyond what its text holds: a few nested
/// aliases can otherwise ask for billions ("billion laughs").
const ALIAS_BUDGET: usize = 100_000;

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Frame>,
    root: Option<YamlNode>,
    /// Anchor id → the anchored node and its node count.
    anchors: Vec<(usize, YamlNode, usize)>,
    /// Nodes aliases added so far.
    expanded: usize,
    /// An alias over budget: where, and the build stops.
    over_budget: Option<Span>,
}

impl TreeBuilder {
    /// Feeds one event; returns true once the first document is complete.
    fn push(&mut self, event: Event<'_>, span: Span) -> bool {
        match event {
            Event::Scalar(text, style, anchor, _tag) => {
                let node = YamlNode {
                    span,
                    kind: resolve_scalar(&text, style),
                };
                self.anchor(anchor, &node);
                self.add(node);
            }
            Event::Alias(id) => return self.alias(id, span),
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Sequence {
                start: span.start,
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Mapping {
                    start: span.start,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let (anchor, node) = close(frame, span);
                    self.anchor(anchor, &node);
                    self.add(node);
                }
            }
            Event::DocumentEnd => return self.root.is_some(),
            Event::StreamEnd => return true,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
        }
        false
    }

    /// Remembers an anchored node (`&name`) for later aliases.
    fn anchor(&mut self, anchor: usize, node: &YamlNode) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone(), node_count(node)));
        }
    }

    /// An alias (`*name`): a copy of the anchored node, whose inner spans stay on the anchor's
    /// bytes; an unknown anchor reads as null. Returns true when the budget is spent.
    fn alias(&mut self, id: usize, span: Span) -> bool {
        let found = self.anchors.iter().rev().find(|(anchor, ..)| *anchor == id);
        let (kind, count) = found.map_or((YamlKind::Null, 1), |(_, node, count)| {
            (node.kind.clone(), *count)
        });
        self.expanded += count;
        if self.expanded > ALIAS_BUDGET {
            self.over_budget = Some(span);
            return true;
        }
        self.add(YamlNode { span, kind });
        false
    }

    fn add(&mut self, node: YamlNode) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }

    /// The document, closing any collection left open by a syntax error.
    fn finish(mut self) -> Option<YamlNode> {
        while !self.stack.is_empty() {
            let end = self.root.as_ref().map_or(0, |n| n.span.end);
            self.push(Event::MappingEnd, Span::at(end));
        }
        self.root
    }
}

/// The node a closed collection makes, with its anchor id (0: none). A mapping's merge keys
/// (`<<: *base`, `<<: [*a, *b]`) bring in the merged mappings' entries its own keys lack.
fn close(frame: Frame, span: Span) -> (usize, YamlNode) {
    match frame {
        Frame::Sequence {
            start,
            anchor,
            items,
        } => {
            let end = items.last().map_or(span.end, |n| n.span.end).max(start);
            let node = YamlNode {
                span: Span::new(start, end),
                kind: YamlKind::Sequence(items),
            };
            (anchor, node)
        }
        Frame::Mapping {
            start,
            anchor,
            entries,
            ..
        } => {
            let end = entries
                .last()
                .map_or(span.end, |(_, v)| v.span.end)
                .max(start);
            let node = YamlNode {
                span: Span::new(start, end),
                kind: YamlKind::Mapping(merge_keys(entries)),
            };
            (anchor, node)
        }
    }
}

/// Entries with each `<<` merge key replaced by the merged mappings' entries that the mapping
/// does not set itself (its own keys win, then earlier merged mappings).
fn merge_keys(entries: Vec<(YamlNode, YamlNode)>) -> Vec<(YamlNode, YamlNode)> {
    let is_merge = |key: &YamlNode| key.as_str() == Some("<<");
    if !entries
        .iter()
        .any(|(k, v)| is_merge(k) && merge_sources(v).is_some())
    {
        return entries;
    }
    let mut own: Vec<(YamlNode, YamlNode)> = Vec::new();
    let mut merged: Vec<(YamlNode, YamlNode)> = Vec::new();
    for (key, value) in entries {
        match merge_sources(&value).filter(|_| is_merge(&key)) {
            Some(sources) => {
                for (k, v) in sources.into_iter().flatten() {
                    if !merged.iter().any(|(m, _)| m.kind == k.kind) {
                        merged.push((k.clone(), v.clone()));
                    }
                }
            }
            None => own.push((key, value)),
        }
    }
    merged.retain(|(k, _)| !own.iter().any(|(o, _)| o.kind == k.kind));
    own.extend(merged);
    own
}

/// The mappings a merge key's value names: one mapping, or a list of mappings.
fn merge_sources(value: &YamlNode) -> Option<Vec<&[(YamlNode, YamlNode)]>> {
    match &value.kind {
        YamlKind::Mapping(entries) => Some(vec![entries]),
        YamlKind::Sequence(items) => items.iter().map(YamlNode::as_mapping).collect(),
        _ => None,
    }
}

/// How many nodes a tree holds (keys included).
fn node_count(node: &YamlNode) -> usize {
    1 + match &node.kind {
        YamlKind::Sequence(items) => items.iter().map(node_count).sum(),
        YamlKind::Mapping(entries) => entries
            .iter()
            .map(|(k, v)| node_count(k) + node_count(v))
            .sum(),
        _ => 0,
    }
}

/// The YAML 1.2 core schema for plain scalars; quoted and block scalars are strings.
fn resolve_scalar(text: &str, style: ScalarStyle) -> YamlKind {
    if style != ScalarStyle::Plain {
        return YamlKind::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return YamlKind::Null,
        "true" | "True" | "TRUE" => return YamlKind::Bool(true),
        "false" | "False" | "FALSE" => return YamlKind::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return YamlKind::Int(i);
    }
    let looks_numeric = text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.');
    if looks_numeric && let Ok(f) = text.parse::<f64>() {
        return YamlKind::Float(f);
    }
    YamlKind::String(text.to_owned())
}

impl YamlNode {
    /// The same tree read from JSON (a JSON document is a YAML document): keys keep their spans,
    /// numbers become integers when they are whole and fit, floats otherwise.
    pub fn from_json(node: &crate::json::Node<'_>) -> YamlNode {
        use crate::json::NodeKind;
        let kind = match &node.kind {
            NodeKind::Null => YamlKind::Null,
            NodeKind::Bool(b) => YamlKind::Bool(*b),
            NodeKind::Number(text) => text.parse::<i64>().map_or_else(
                |_| YamlKind::Float(text.parse().unwrap_or(f64::NAN)),
                YamlKind::Int,
            ),
            NodeKind::String(s) => YamlKind::String(s.to_string()),
            NodeKind::Array(items) => {
                YamlKind::Sequence(items.iter().map(Self::from_json).collect())
            }
            NodeKind::Object(members) => YamlKind::Mapping(
                members
                    .iter()
                    .map(|m| {
                        let key = YamlNode {
                            span: m.key_span,
                            kind: YamlKind::String(m.key.to_string()),
                        };
                        (key, Self::from_json(&m.value))
                    })
                    .collect(),
            ),
        };
        YamlNode {
            span: node.span,
            kind,
        }
    }

    /// The value as JSON (mapping keys as their scalar text; later duplicates win).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            YamlKind::Null => Value::Null,
            YamlKind::Bool(b) => Value::Bool(*b),
            YamlKind::Int(i) => Value::from(*i),
            YamlKind::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            YamlKind::String(s) => Value::String(s.clone()),
            YamlKind::Sequence(items) => Value::Array(items.iter().map(Self::to_json).collect()),
            YamlKind::Mapping(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_byte_offsets_into_the_file() {
        let text = "name: \u{e9}t\u{e9}\ncount: 3\nlist:\n  - a\n  - b\n";
        let parsed = parse(FileKind::Scenarios, text, 4);
        let root = parsed.value.expect("root");
        let (_, count) = root.entry("count").expect("count");
        assert_eq!(count.as_i64(), Some(3));
        assert_eq!(&text[count.span.start - 4..count.span.end - 4], "3");
        let list = root
            .get("list")
            .and_then(YamlNode::as_sequence)
            .expect("list");
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn syntax_errors_keep_what_was_read() {
        let parsed = parse(FileKind::Scenarios, "a: 1\nb: [unclosed\n", 0);
        assert_eq!(parsed.diagnostics[0].code, Code::YAML_SYNTAX);
        assert!(parsed.value.is_some());
    }

    #[test]
    fn aliases_copy_anchored_mappings_and_lists() {
        let text =
            "base: &b {actor: requester, session: s-1}\nlist: &l [1, 2]\nuse: *b\nagain: *l\n";
        let root = parse(FileKind::Scenarios, text, 0).value.expect("root");
        assert_eq!(
            root.get("use").map(YamlNode::to_json),
            root.get("base").map(YamlNode::to_json)
        );
        assert_eq!(
            root.get("again").map(YamlNode::to_json),
            Some(serde_json::json!([1, 2]))
        );
        // The copy's own span is the alias; its inner spans stay on the anchor's bytes.
        let used = root.get("use").expect("use");
        assert_eq!(&text[used.span.start..used.span.end], "*b");
        let actor = used.get("actor").expect("actor");
        assert_eq!(&text[actor.span.start..actor.span.end], "requester");
    }

    #[test]
    fn merge_keys_bring_entries_the_mapping_lacks() {
        let text = "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc:\n  <<: [*a, *b]\n  x: 9\n";
        let root = parse(FileKind::Scenarios, text, 0).value.expect("root");
        assert_eq!(
            root.get("c").map(YamlNode::to_json),
            Some(serde_json::json!({"x": 9, "y": 2, "z": 4}))
        );
    }

    #[test]
    fn alias_bombs_stop_with_an_error() {
        let mut lines = vec!["a: &a [x, x, x, x, x, x, x, x, x, x]".to_owned()];
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("a{}", i - 1)
            };
            let items = vec![format!("*{prev}"); 10].join(", ");
            lines.push(format!("b{i}: &a{i} [{items}]"));
        }
        let text = lines.join("\n");
        let parsed = parse(FileKind::Scenarios, &text, 0);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.diagnostics[0].message.contains("aliases expand"));
    }
}

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
        items: Vec<YamlNode>,
    },
    Mapping {
        start: usize,
        entries: Vec<(YamlNode, YamlNode)>,
        pending_key: Option<YamlNode>,
    },
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Frame>,
    root: Option<YamlNode>,
    anchors: Vec<(usize, YamlNode)>,
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
                if anchor > 0 {
                    self.anchors.push((anchor, node.clone()));
                }
                self.add(node);
            }
            Event::Alias(id) => {
                let node = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(anchor, _)| *anchor == id)
                    .map(|(_, node)| YamlNode {
                        span,
                        kind: node.kind.clone(),
                    })
                    .unwrap_or(YamlNode {
                        span,
                        kind: YamlKind::Null,
                    });
                self.add(node);
            }
            Event::SequenceStart(_, _) => self.stack.push(Frame::Sequence {
                start: span.start,
                items: Vec::new(),
            }),
            Event::MappingStart(_, _) => {
                self.stack.push(Frame::Mapping {
                    start: span.start,
                    entries: Vec::new(),
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    let node = match frame {
                        Frame::Sequence { start, items } => {
                            let end = items.last().map_or(span.end, |n| n.span.end).max(start);
                            YamlNode {
                                span: Span::new(start, end),
                                kind: YamlKind::Sequence(items),
                            }
                        }
                        Frame::Mapping { start, entries, .. } => {
                            let end = entries
                                .last()
                                .map_or(span.end, |(_, v)| v.span.end)
                                .max(start);
                            YamlNode {
                                span: Span::new(start, end),
                                kind: YamlKind::Mapping(entries),
                            }
                        }
                    };
                    self.add(node);
                }
            }
            Event::DocumentEnd => return self.root.is_some(),
            Event::StreamEnd => return true,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) => {}
        }
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
}

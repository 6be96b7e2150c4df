//! JSON with a byte span on every key and value, parsed by `jsonc-parser` in strict mode.

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use jsonc_parser::{CollectOptions, ParseOptions, ast};

/// A JSON value and the exact bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    /// A number, kept as written so that no precision is lost.
    Number(String),
    String(String),
    Array(Vec<Node>),
    /// Members in source order, duplicates included.
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Member {
    /// From the start of the key to the end of the value.
    pub fn span(&self) -> Span {
        Span::new(self.key_span.start, self.value.span.end)
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Array(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            NodeKind::Object(members) => Some(members),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            NodeKind::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match &self.kind {
            NodeKind::Number(raw) => raw.parse().ok(),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The last member named `key` (what `JSON.parse` keeps).
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }
    /// The value of the last member named `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    /// `{"_ref": "<alias>"}`: the alias and the span of its string.
    pub fn as_ref_target(&self) -> Option<(&str, Span)> {
        let members = self.as_object()?;
        let member = members.iter().rev().find(|m| m.key == "_ref")?;
        member
            .value
            .as_str()
            .map(|alias| (alias, member.value.span))
    }

    /// The JSON type name used in messages ("string", "number", ...).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "boolean",
            NodeKind::Number(_) => "number",
            NodeKind::String(_) => "string",
            NodeKind::Array(_) => "array",
            NodeKind::Object(_) => "object",
        }
    }

    /// Converts to a `serde_json::Value`, keeping member order (last duplicate wins).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(raw) => serde_json::from_str::<serde_json::Number>(raw)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            NodeKind::String(s) => Value::String(s.clone()),
            NodeKind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            NodeKind::Object(members) => {
                let mut map = serde_json::Map::with_capacity(members.len());
                for member in members {
                    map.insert(member.key.clone(), member.value.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// Parses strict JSON. On a syntax error the value is `None` and a `json/syntax`
/// diagnostic points at the offending bytes.
pub fn parse(file: FileKind, text: &str) -> Parsed<Option<Node>> {
    if let Some(offset) = too_deep(text) {
        return Parsed {
            value: None,
            diagnostics: vec![
                Diagnostic::error(Code::JSON_SYNTAX, file, Span::new(offset, offset + 1), format!("nesting deeper than {MAX_DEPTH} levels"))
                    .with_help("no recipe needs this depth; the file is probably generated wrongly"),
            ],
        };
    }
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
    };
    let collect = CollectOptions::default();
    match jsonc_parser::parse_to_ast(text, &collect, &options) {
        Ok(result) => match result.value {
            Some(value) => Parsed {
                value: Some(convert(value)),
                diagnostics: Vec::new(),
            },
            None => Parsed {
                value: None,
                diagnostics: vec![
                    Diagnostic::error(
                        Code::JSON_SYNTAX,
                        file,
                        Span::at(0),
                        format!("{file} is empty"),
                    )
                    .with_help("a JSON document needs one value, e.g. `{}`"),
                ],
            },
        },
        Err(error) => {
            let range = error.range();
            let span = Span::new(range.start.min(text.len()), range.end.min(text.len()));
            let message = lowercase_first(&error.kind().to_string());
            Parsed {
                value: None,
                diagnostics: vec![
                    Diagnostic::error(
                        Code::JSON_SYNTAX,
                        file,
                        span,
                        format!("invalid JSON: {message}"),
                    )
                    .with_help("fix the syntax; no other check of this file runs until it parses"),
                ],
            }
        }
    }
}

/// The deepest nesting any workspace JSON may have (parsers and checks recurse).
pub const MAX_DEPTH: usize = 256;

/// The offset of the first bracket nested deeper than `MAX_DEPTH`, outside strings.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn span_of(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

fn convert(value: ast::Value<'_>) -> Node {
    match value {
        ast::Value::StringLit(lit) => Node {
            span: span_of(lit.range),
            kind: NodeKind::String(lit.value.into_owned()),
        },
        ast::Value::NumberLit(lit) => Node {
            span: span_of(lit.range),
            kind: NodeKind::Number(lit.value.to_owned()),
        },
        ast::Value::BooleanLit(lit) => Node {
            span: span_of(lit.range),
            kind: NodeKind::Bool(lit.value),
        },
        ast::Value::NullKeyword(lit) => Node {
            span: span_of(lit.range),
            kind: NodeKind::Null,
        },
        ast::Value::Array(array) => Node {
            span: span_of(array.range),
            kind: NodeKind::Array(array.elements.into_iter().map(convert).collect()),
        },
        ast::Value::Object(object) => Node {
            span: span_of(object.range),
            kind: NodeKind::Object(
                object
                    .properties
                    .into_iter()
                    .map(|prop| {
                        let (key, key_span) = match prop.name {
                            ast::ObjectPropName::String(lit) => {
                                (lit.value.into_owned(), span_of(lit.range))
                            }
                            ast::ObjectPropName::Word(word) => {
                                (word.value.to_owned(), span_of(word.range))
                            }
                        };
                        Member {
                            key,
                            key_span,
                            value: convert(prop.value),
                        }
                    })
                    .collect(),
            ),
        },
    }
}

/// Writes `value` as compact JSON with non-ASCII escaped as `\uXXXX`, like Python's
/// `json.dumps(v, separators=(",", ":"))`.
pub fn to_python_compact(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_python(value, &mut out);
    out
}

fn write_python(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::String(s) => write_python_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_python(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_python_string(key, out);
                out.push(':');
                write_python(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn write_python_string(s: &str, out: &mut String) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = r#"{"a": [1, "x"], "b": {"_ref": "org"}}"#;
        let parsed = parse(FileKind::Recipes, text);
        let root = parsed.value.expect("parses");
        let a = root.member("a").expect("a");
        assert_eq!(&text[a.key_span.start..a.key_span.end], "\"a\"");
        let (alias, span) = root.get("b").and_then(Node::as_ref_target).expect("ref");
        assert_eq!(alias, "org");
        assert_eq!(&text[span.start..span.end], "\"org\"");
    }

    #[test]
    fn syntax_errors_name_the_place() {
        let parsed = parse(FileKind::Recipes, "{\"a\": 1,}");
        assert!(parsed.value.is_none());
        assert_eq!(parsed.diagnostics[0].code, Code::JSON_SYNTAX);
        assert_eq!(parsed.diagnostics[0].span.start, 7);
    }

    #[test]
    fn python_compact_escapes_non_ascii() {
        let value: serde_json::Value =
            serde_json::json!({"name": "Zo\u{eb}", "n": [1, true, null]});
        assert_eq!(
            to_python_compact(&value),
            r#"{"name":"Zo\u00eb","n":[1,true,null]}"#
        );
    }
}

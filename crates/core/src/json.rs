//! JSON with a byte span on every key and value: this crate's own strict parser, held to
//! serde_json by a differential test (see ARCHITECTURE.md, "Why an own JSON parser").

use crate::diagnostic::{Code, Diagnostic, FileKind, Parsed, Span};
use std::borrow::Cow;

/// A JSON value and the exact bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    /// The exact bytes of the value.
    pub span: Span,
    /// The value.
    pub kind: NodeKind<'a>,
}

#[derive(Clone, Debug, PartialEq)]
/// A JSON value.
pub enum NodeKind<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written so that no precision is lost.
    Number(&'a str),
    /// Borrowed from the source unless it had escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Node<'a>>),
    /// Members in source order, duplicates included.
    Object(Vec<Member<'a>>),
}

/// One `"key": value` pair of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member<'a> {
    /// The key (unescaped).
    pub key: Cow<'a, str>,
    /// The key's bytes, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Node<'a>,
}

impl Member<'_> {
    /// From the start of the key to the end of the value.
    pub fn span(&self) -> Span {
        Span::new(self.key_span.start, self.value.span.end)
    }
}

impl<'a> Node<'a> {
    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::String(s) => Some(s.as_ref()),
            _ => None,
        }
    }
    /// The items, if it is an array.
    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.kind {
            NodeKind::Array(items) => Some(items),
            _ => None,
        }
    }
    /// The members, if it is an object.
    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.kind {
            NodeKind::Object(members) => Some(members),
            _ => None,
        }
    }
    /// The boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.kind {
            NodeKind::Bool(b) => Some(b),
            _ => None,
        }
    }
    /// The number as `f64`, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.kind {
            NodeKind::Number(raw) => raw.parse().ok(),
            _ => None,
        }
    }
    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The last member named `key` (what `JSON.parse` keeps).
    pub fn member(&self, key: &str) -> Option<&Member<'a>> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }
    /// The value of the last member named `key`.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
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
            NodeKind::Number(raw) => {
                serde_json::from_str::<serde_json::Number>(raw).map_or(Value::Null, Value::Number)
            }
            NodeKind::String(s) => Value::String(s.to_string()),
            NodeKind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            NodeKind::Object(members) => {
                let mut map = serde_json::Map::with_capacity(members.len());
                for member in members {
                    map.insert(member.key.to_string(), member.value.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// The deepest nesting any workspace JSON may have (the checks recurse).
pub const MAX_DEPTH: usize = 256;

/// Parses strict JSON (RFC 8259, as `JSON.parse` and serde_json accept it). On a syntax error
/// the value is `None` and a `json/syntax` diagnostic points at the offending byte.
///
/// Hand-written because no maintained crate gives byte spans at the speed the preflight needs
/// and builds for wasm32 (see ARCHITECTURE.md); a differential test holds it to serde_json.
pub fn parse(file: FileKind, text: &str) -> Parsed<Option<Node<'_>>> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let result = parser
        .skip_ws()
        .and_then(|()| parser.value())
        .and_then(|node| {
            parser.skip_ws()?;
            if parser.pos < parser.bytes.len() {
                return Err(parser.error("trailing characters after the JSON value"));
            }
            Ok(node)
        });
    match result {
        Ok(node) => Parsed {
            value: Some(node),
            diagnostics: Vec::new(),
        },
        Err(SyntaxError { at, message }) => {
            let at = crate::line_index::floor_char_boundary(text, at);
            let end = crate::line_index::ceil_char_boundary(text, (at + 1).min(text.len()));
            let help = if text.trim().is_empty() {
                "a JSON document needs one value, e.g. `{}`"
            } else {
                "fix the syntax; no other check of this file runs until it parses"
            };
            Parsed {
                value: None,
                diagnostics: vec![
                    Diagnostic::error(
                        Code::JSON_SYNTAX,
                        file,
                        Span::new(at, end),
                        format!("invalid JSON: {message}"),
                    )
                    .with_help(help),
                ],
            }
        }
    }
}

struct SyntaxError {
    at: usize,
    message: String,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            at: self.pos,
            message: message.into(),
        }
    }

    fn eof(&self, what: &str) -> SyntaxError {
        SyntaxError {
            at: self.bytes.len(),
            message: format!("end of file while parsing {what}"),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' => return Err(self.error("comments are not allowed in JSON")),
                _ => break,
            }
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Node<'a>, SyntaxError> {
        let start = self.pos;
        let kind = match self.peek() {
            None => return Err(self.eof("a value")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => NodeKind::String(self.string()?),
            Some(b't') => self.literal("true", NodeKind::Bool(true))?,
            Some(b'f') => self.literal("false", NodeKind::Bool(false))?,
            Some(b'n') => self.literal("null", NodeKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b',') => return Err(self.error("expected a value, found `,` (trailing comma?)")),
            Some(b']' | b'}') => return Err(self.error("expected a value (trailing comma?)")),
            Some(b'\'') => return Err(self.error("strings must use double quotes")),
            Some(_) => return Err(self.error("expected a JSON value")),
        };
        Ok(Node {
            span: Span::new(start, self.pos),
            kind,
        })
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.pos += 1;
        self.skip_ws()
    }

    fn object(&mut self) -> Result<NodeKind<'a>, SyntaxError> {
        self.enter()?;
        let mut members = Vec::new();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(NodeKind::Object(members));
        }
        let mut comma = None;
        loop {
            match self.peek() {
                Some(b'"') => {}
                Some(b'}') if comma.is_some() => {
                    return Err(SyntaxError {
                        at: comma.unwrap_or(self.pos),
                        message: "trailing comma before `}`".into(),
                    });
                }
                None => return Err(self.eof("an object")),
                Some(_) => return Err(self.error("expected a string key in double quotes")),
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws()?;
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => return Err(self.eof("an object")),
                Some(_) => return Err(self.error("expected `:` after the key")),
            }
            self.skip_ws()?;
            let value = self.value()?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => {
                    comma = Some(self.pos);
                    self.pos += 1;
                    self.skip_ws()?;
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(NodeKind::Object(members));
                }
                None => return Err(self.eof("an object")),
                Some(_) => return Err(self.error("expected `,` or `}` after the value")),
            }
        }
    }

    fn array(&mut self) -> Result<NodeKind<'a>, SyntaxError> {
        self.enter()?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(NodeKind::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws()?;
            match self.peek() {
                Some(b',') => {
                    let comma = self.pos;
                    self.pos += 1;
                    self.skip_ws()?;
                    if self.peek() == Some(b']') {
                        return Err(SyntaxError {
                            at: comma,
                            message: "trailing comma before `]`".into(),
                        });
                    }
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(NodeKind::Array(items));
                }
                None => return Err(self.eof("an array")),
                Some(_) => return Err(self.error("expected `,` or `]` after the value")),
            }
        }
    }

    fn literal(&mut self, word: &str, kind: NodeKind<'a>) -> Result<NodeKind<'a>, SyntaxError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.error(format!("expected `{word}`")))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<NodeKind<'a>, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error("numbers cannot have leading zeros"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let raw = &self.text[start..self.pos];
        if (raw.len() > 300 || raw.contains(['e', 'E']))
            && raw.parse::<f64>().is_ok_and(f64::is_infinite)
        {
            return Err(SyntaxError {
                at: start,
                message: "number out of range".into(),
            });
        }
        Ok(NodeKind::Number(raw))
    }

    /// Reads a string at `"`, leaving `pos` after the closing quote.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'"' => {
                    let s = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                b'\\' => break,
                0..=0x1f => return Err(self.error("control character in a string (escape it)")),
                _ => self.pos += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            let run = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run..self.pos]);
            match self.peek() {
                None => return Err(self.eof("a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.error("control character in a string (escape it)")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        self.pos += 1;
        let Some(b) = self.peek() else {
            return Err(self.eof("a string"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                if (0xD800..0xDC00).contains(&first) {
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(self.error("lone leading surrogate in a \\u escape"));
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error("invalid trailing surrogate in a \\u escape"));
                    }
                    char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                        .ok_or_else(|| self.error("invalid \\u escape"))?
                } else {
                    char::from_u32(first)
                        .ok_or_else(|| self.error("lone trailing surrogate in a \\u escape"))?
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.eof("a \\u escape"))?;
        let mut value = 0;
        for &d in digits {
            let n = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error("invalid hex digit in a \\u escape"))?;
            value = value * 16 + n;
        }
        self.pos += 4;
        Ok(value)
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

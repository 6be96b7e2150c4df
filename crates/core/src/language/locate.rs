//! Where a byte offset sits in a JSON document that may be half-typed: the path of keys and
//! indices from the root, whether it is a key or a value, and the string token under it. A
//! forgiving scan (no tree), so completion works while the file does not parse.

use crate::diagnostic::Span;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// An object member.
    Key(String),
    /// An array item.
    Index(usize),
}

/// What the cursor is on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The container's path, plus the member key (or item index) the cursor fills.
    pub path: Vec<Seg>,
    /// The cursor is where an object key goes (`path` is then the object's).
    pub in_key: bool,
    /// The string token under the cursor, quotes included.
    pub token: Option<Span>,
    /// Its text from the opening quote to the cursor.
    pub prefix: String,
}

/// A key or a string value of the document with its path (the path ends with the member's key
/// or the item's index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Where it is.
    pub path: Vec<Seg>,
    /// A key (true) or a string value.
    pub is_key: bool,
    /// The token, quotes included.
    pub span: Span,
    /// The unescaped text.
    pub text: String,
}

#[derive(Clone, Debug)]
enum Frame {
    Object {
        key: Option<String>,
        expect_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The scanner's state: the open containers and the path to them.
#[derive(Debug, Default)]
struct Scan {
    frames: Vec<Frame>,
    entries: Vec<Entry>,
}

impl Scan {
    /// The path to the slot the next value fills.
    fn slot_path(&self) -> Vec<Seg> {
        let mut path = Vec::with_capacity(self.frames.len());
        for frame in &self.frames {
            match frame {
                Frame::Object { key: Some(k), .. } => path.push(Seg::Key(k.clone())),
                Frame::Object { key: None, .. } => {}
                Frame::Array { index } => path.push(Seg::Index(*index)),
            }
        }
        path
    }

    /// The path to the innermost container.
    fn container_path(&self) -> Vec<Seg> {
        let mut path = self.slot_path();
        if matches!(
            self.frames.last(),
            Some(Frame::Object { key: Some(_), .. } | Frame::Array { .. })
        ) {
            path.pop();
        }
        path
    }

    fn expecting_key(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame::Object {
                expect_key: true,
                ..
            })
        )
    }

    fn string(&mut self, span: Span, text: String) {
        if self.expecting_key() {
            if let Some(Frame::Object { key, expect_key }) = self.frames.last_mut() {
                *key = Some(text.clone());
                *expect_key = false;
            }
            let path = self.slot_path();
            self.entries.push(Entry {
                path,
                is_key: true,
                span,
                text,
            });
        } else {
            let path = self.slot_path();
            self.entries.push(Entry {
                path,
                is_key: false,
                span,
                text,
            });
        }
    }

    fn open(&mut self, object: bool) {
        self.frames.push(if object {
            Frame::Object {
                key: None,
                expect_key: true,
            }
        } else {
            Frame::Array { index: 0 }
        });
    }

    fn comma(&mut self) {
        match self.frames.last_mut() {
            Some(Frame::Object { key, expect_key }) => {
                *key = None;
                *expect_key = true;
            }
            Some(Frame::Array { index }) => *index += 1,
            None => {}
        }
    }
}

/// The end of the string starting at `start` (one past its closing quote, or the line's end
/// when it is not closed) and its unescaped text.
fn string_at(text: &str, start: usize) -> (usize, String) {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let mut out = String::new();
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return (i + 1, out),
            b'\n' => return (i, out),
            b'\\' if i + 1 < bytes.len() => {
                let escaped = text[i + 1..].chars().next().unwrap_or('?');
                out.push(match escaped {
                    'n' => '\n',
                    't' => '\t',
                    '"' | '\\' | '/' => escaped,
                    _ => '?',
                });
                i += 1 + escaped.len_utf8();
                if escaped == 'u' {
                    // Up to four hex digits (ASCII), never into the next character.
                    i += bytes[i..]
                        .iter()
                        .take(4)
                        .take_while(|b| b.is_ascii_hexdigit())
                        .count();
                }
            }
            _ => {
                let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[i..i + ch_len]);
                i += ch_len;
            }
        }
    }
    (bytes.len(), out)
}

/// Scans `text` up to `limit` (the whole text for `usize::MAX`), calling `at_string` for each
/// string token before it is recorded. Returns the scanner.
fn run(text: &str, limit: usize, mut at_string: impl FnMut(&Scan, usize, usize) -> bool) -> Scan {
    let bytes = text.as_bytes();
    let mut scan = Scan::default();
    let mut i = 0;
    while i < bytes.len().min(limit) {
        match bytes[i] {
            b'"' => {
                let (end, value) = string_at(text, i);
                if !at_string(&scan, i, end) {
                    return scan;
                }
                scan.string(Span::new(i, end), value);
                i = end;
                continue;
            }
            b'{' => scan.open(true),
            b'[' => scan.open(false),
            b'}' | b']' => {
                scan.frames.pop();
            }
            b',' => scan.comma(),
            _ => {}
        }
        i += 1;
    }
    scan
}

/// Every key and string value of `text`, with its path.
pub fn entries(text: &str) -> Vec<Entry> {
    run(text, usize::MAX, |_, _, _| true).entries
}

/// What the cursor at `offset` is on.
pub fn cursor_at(text: &str, offset: usize) -> Cursor {
    let mut inside: Option<(usize, usize, bool, Vec<Seg>)> = None;
    let scan = run(text, offset, |scan, start, end| {
        // A string the cursor is in (an unclosed one runs to the end of its line).
        let closed = end > start + 1 && text.as_bytes()[end - 1] == b'"';
        if start < offset && (offset < end || (!closed && offset <= end)) {
            let in_key = scan.expecting_key();
            let path = if in_key {
                scan.container_path()
            } else {
                scan.slot_path()
            };
            inside = Some((start, end, in_key, path));
            return false;
        }
        true
    });
    if let Some((start, end, in_key, path)) = inside {
        let upto = offset.min(text.len());
        return Cursor {
            path,
            in_key,
            token: Some(Span::new(start, end)),
            prefix: text.get(start..upto).unwrap_or_default().to_owned(),
        };
    }
    let in_key = scan.expecting_key();
    Cursor {
        path: if in_key {
            scan.container_path()
        } else {
            scan.slot_path()
        },
        in_key,
        token: None,
        prefix: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.to_owned())
    }

    #[test]
    fn finds_keys_values_and_paths_in_broken_documents() {
        let text = r#"{"recipes": [{"create": {"Task": [{"projectId": {"_ref": "p"#;
        let cursor = cursor_at(text, text.len());
        assert!(!cursor.in_key);
        assert_eq!(
            cursor.path,
            [
                key("recipes"),
                Seg::Index(0),
                key("create"),
                key("Task"),
                Seg::Index(0),
                key("projectId"),
                key("_ref")
            ]
        );
        assert_eq!(cursor.prefix, "\"p");
        let text = r#"{"recipes": [{"create": {"Task": [{"title": "x", "#;
        let cursor = cursor_at(text, text.len());
        assert!(cursor.in_key);
        assert_eq!(
            cursor.path,
            [
                key("recipes"),
                Seg::Index(0),
                key("create"),
                key("Task"),
                Seg::Index(0)
            ]
        );
        let text = r#"{"a": [1, {"b": "c"}], "d": "e"}"#;
        let all = entries(text);
        assert_eq!(all.len(), 5);
        assert_eq!(all[2].path, [key("a"), Seg::Index(1), key("b")]);
        assert!(!all[2].is_key && all[2].text == "c");
    }

    #[test]
    fn a_cursor_inside_a_key_names_its_object() {
        let text = r#"{"recipes": [{"create": {"Org": []}}]}"#;
        let at = text.find("Org").unwrap() + 2;
        let cursor = cursor_at(text, at);
        assert!(cursor.in_key);
        assert_eq!(cursor.path, [key("recipes"), Seg::Index(0), key("create")]);
        assert_eq!(cursor.prefix, "\"Or");
    }
}

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
        /// The member's key token, quotes included.
        key: Option<Span>,
        expect_key: bool,
    },
    Array {
        index: usize,
    },
}

/// The scanner's state: the open containers and the path to them.
#[derive(Debug)]
struct Scan<'a> {
    text: &'a str,
    frames: Vec<Frame>,
    entries: Vec<Entry>,
}

impl Scan<'_> {
    /// The path to the slot the next value fills.
    fn slot_path(&self) -> Vec<Seg> {
        let mut path = Vec::with_capacity(self.frames.len());
        for frame in &self.frames {
            match frame {
                Frame::Object { key: Some(k), .. } => {
                    path.push(Seg::Key(string_at(self.text, k.start).1));
                }
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

    /// A string token: a key names its member; `record` keeps it as an [`Entry`].
    fn string(&mut self, span: Span, record: bool) {
        let is_key = self.expecting_key();
        if is_key && let Some(Frame::Object { key, expect_key }) = self.frames.last_mut() {
            *key = Some(span);
            *expect_key = false;
        }
        if record {
            let path = self.slot_path();
            self.entries.push(Entry {
                path,
                is_key,
                span,
                text: string_at(self.text, span.start).1,
            });
        }
    }

    /// The recipe the scanner is in: the index of the item of the top-level `recipes` array.
    fn recipe(&self) -> Option<usize> {
        match self.frames.as_slice() {
            [
                Frame::Object { key: Some(key), .. },
                Frame::Array { index },
                ..,
            ] if self.text.get(key.start..key.end) == Some("\"recipes\"")
                || string_at(self.text, key.start).1 == "recipes" =>
            {
                Some(*index)
            }
            _ => None,
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
        // A run of plain characters is copied at once (the delimiters are ASCII, so the run
        // ends on a character boundary).
        let run = bytes[i..]
            .iter()
            .position(|b| matches!(b, b'"' | b'\\' | b'\n'))
            .unwrap_or(bytes.len() - i);
        out.push_str(&text[i..i + run]);
        i += run;
        match bytes.get(i) {
            Some(b'"') => return (i + 1, out),
            Some(b'\\') if i + 1 < bytes.len() => {
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
            Some(b'\\') => {
                out.push('\\');
                i += 1;
            }
            _ => return (i, out),
        }
    }
    (bytes.len(), out)
}

/// The end of the string starting at `start`: one past its closing quote, or the line's end
/// when it is not closed (as [`string_at`] reads it).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(b) = bytes.get(i) {
        match b {
            b'"' => return i + 1,
            b'\n' => return i,
            b'\\' if i + 1 < bytes.len() => i += 2,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// What [`run`] does with a string token.
enum Step {
    /// Keep it as an [`Entry`].
    Record,
    /// Only follow it (a key still names its member).
    Skip,
    /// Stop the scan before it.
    Stop,
}

/// Scans `text` up to `limit` (the whole text for `usize::MAX`), asking `at_string` what to do
/// with each string token. Returns the scanner.
fn run(
    text: &str,
    limit: usize,
    mut at_string: impl FnMut(&Scan, usize, usize) -> Step,
) -> Scan<'_> {
    let bytes = text.as_bytes();
    let mut scan = Scan {
        text,
        frames: Vec::new(),
        entries: Vec::new(),
    };
    let mut i = 0;
    while i < bytes.len().min(limit) {
        match bytes[i] {
            b'"' => {
                let end = string_end(bytes, i);
                let record = match at_string(&scan, i, end) {
                    Step::Stop => return scan,
                    Step::Record => true,
                    Step::Skip => false,
                };
                scan.string(Span::new(i, end), record);
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
    run(text, usize::MAX, |_, _, _| Step::Record).entries
}

/// A string token as [`recipe_entries`] offers it.
#[derive(Clone, Copy, Debug)]
pub struct Token<'t> {
    /// The open containers around it.
    pub depth: usize,
    /// A key (true) or a string value.
    pub is_key: bool,
    /// For a value: the raw key token of its member, quotes included.
    pub member: Option<&'t str>,
    /// The raw token, quotes included.
    pub raw: &'t str,
}

/// The keys and string values of the recipe at `index` of the `recipes` array that `wanted`
/// keeps, with their paths (the scan stops after that recipe).
pub fn recipe_entries(text: &str, index: usize, wanted: impl Fn(Token<'_>) -> bool) -> Vec<Entry> {
    run(text, usize::MAX, |scan, start, end| match scan.recipe() {
        Some(i) if i == index => {
            let is_key = scan.expecting_key();
            let member = match scan.frames.last() {
                Some(Frame::Object { key: Some(key), .. }) if !is_key => {
                    text.get(key.start..key.end)
                }
                _ => None,
            };
            let token = Token {
                depth: scan.frames.len(),
                is_key,
                member,
                raw: &text[start..end],
            };
            if wanted(token) {
                Step::Record
            } else {
                Step::Skip
            }
        }
        Some(i) if i > index => Step::Stop,
        _ => Step::Skip,
    })
    .entries
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
            return Step::Stop;
        }
        Step::Skip
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

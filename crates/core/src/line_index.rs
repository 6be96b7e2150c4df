//! Byte offsets to 1-based line and column numbers, in characters or UTF-16 code units.

use serde::Serialize;

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// The start offsets of every line of a text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self {
            line_starts,
            len: text.len(),
        }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte range of 0-based `line`, without its line break.
    pub fn line_span(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.line_starts.get(line).copied().unwrap_or(self.len);
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.len, |next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end)
    }

    /// Line and column counted in Unicode scalar values (what a terminal shows).
    pub fn line_col_chars(&self, text: &str, offset: usize) -> LineCol {
        self.line_col_with(text, offset, |s| s.chars().count())
    }

    /// Line and column counted in UTF-16 code units (what JavaScript editors use).
    pub fn line_col_utf16(&self, text: &str, offset: usize) -> LineCol {
        self.line_col_with(text, offset, |s| s.encode_utf16().count())
    }

    fn line_col_with(&self, text: &str, offset: usize, width: impl Fn(&str) -> usize) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line].min(offset);
        LineCol {
            line: line + 1,
            column: width(&text[start..offset]) + 1,
        }
    }
}

/// The largest char boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The smallest char boundary at or after `offset`.
pub fn ceil_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_utf16_units() {
        let text = "ab\n\u{e9}\u{1F600}x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(
            index.line_col_chars(text, x),
            LineCol { line: 2, column: 3 }
        );
        assert_eq!(
            index.line_col_utf16(text, x),
            LineCol { line: 2, column: 4 }
        );
        assert_eq!(
            index.line_col_chars(text, 0),
            LineCol { line: 1, column: 1 }
        );
        assert_eq!(
            index.line_col_chars(text, text.len()),
            LineCol { line: 3, column: 1 }
        );
    }
}

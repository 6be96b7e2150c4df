//! Byte offsets to 1-based line and column numbers, in characters or UTF-16 code units.

use serde::Serialize;

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Where the lines of a text start, and where its non-ASCII characters are: built once per
/// text in one pass, then every position lookup is a binary search (no rescans of long lines,
/// so a one-line 16 MB file costs the same per lookup as a short one).
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Each non-ASCII character: its byte offset, and the extra bytes (UTF-8 length minus 1)
    /// and extra UTF-16 units (1 for characters outside the BMP) of it and every earlier one.
    wide: Vec<WideChar>,
    len: usize,
}

#[derive(Clone, Copy, Debug)]
struct WideChar {
    offset: usize,
    extra_bytes: usize,
    extra_units: usize,
}

impl LineIndex {
    /// Indexes `text`.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut wide = Vec::new();
        let (mut extra_bytes, mut extra_units) = (0, 0);
        // Bytes, not chars: newlines are ASCII, and a character's lengths follow from its lead
        // byte (continuation bytes, 0b10xx_xxxx, are skipped).
        for (offset, &b) in text.as_bytes().iter().enumerate() {
            match b {
                b'\n' => line_starts.push(offset + 1),
                0xC0.. => {
                    let (bytes, units) = match b {
                        0xC0..=0xDF => (2, 1),
                        0xE0..=0xEF => (3, 1),
                        _ => (4, 2),
                    };
                    extra_bytes += bytes - 1;
                    extra_units += units - 1;
                    wide.push(WideChar {
                        offset,
                        extra_bytes,
                        extra_units,
                    });
                }
                _ => {}
            }
        }
        Self {
            line_starts,
            wide,
            len: text.len(),
        }
    }

    /// The 0-based line holding `offset`.
    #[must_use]
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte offset where 0-based `line` starts (the text's end past the last line).
    #[must_use]
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// The byte range of 0-based `line`, without its line break.
    #[must_use]
    pub fn line_span(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.line_start(line);
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(self.len, |next| next - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end)
    }

    /// (extra UTF-8 bytes, extra UTF-16 units) of the non-ASCII characters before `offset`.
    fn extra_before(&self, offset: usize) -> (usize, usize) {
        let i = self.wide.partition_point(|w| w.offset < offset);
        i.checked_sub(1).map_or((0, 0), |last| {
            (self.wide[last].extra_bytes, self.wide[last].extra_units)
        })
    }

    /// Line and column counted in Unicode scalar values (what a terminal shows).
    #[must_use]
    pub fn line_col_chars(&self, text: &str, offset: usize) -> LineCol {
        let (line, start, offset) = self.place(text, offset);
        let chars = (offset - start) - (self.extra_before(offset).0 - self.extra_before(start).0);
        LineCol {
            line: line + 1,
            column: chars + 1,
        }
    }

    /// Line and column counted in UTF-16 code units (what JavaScript editors use).
    #[must_use]
    pub fn line_col_utf16(&self, text: &str, offset: usize) -> LineCol {
        let (line, start, offset) = self.place(text, offset);
        let (bytes_end, units_end) = self.extra_before(offset);
        let (bytes_start, units_start) = self.extra_before(start);
        let chars = (offset - start) - (bytes_end - bytes_start);
        LineCol {
            line: line + 1,
            column: chars + (units_end - units_start) + 1,
        }
    }

    /// The UTF-16 offset into the whole text of byte `offset` (clamped to a char boundary).
    #[must_use]
    pub fn utf16_of(&self, text: &str, offset: usize) -> usize {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let (bytes, units) = self.extra_before(offset);
        offset - bytes + units
    }

    /// The byte offset of a UTF-16 offset into the whole text (what JavaScript editors count),
    /// clamped to the text; an offset inside a surrogate pair gives the character's start.
    #[must_use]
    pub fn offset_of_utf16(&self, utf16: usize) -> usize {
        // The UTF-16 position where wide character `k` starts.
        let start = |k: usize| {
            let (bytes, units) = k.checked_sub(1).map_or((0, 0), |p| {
                (self.wide[p].extra_bytes, self.wide[p].extra_units)
            });
            self.wide[k].offset - bytes + units
        };
        // How many wide characters start at or before `utf16` (binary search).
        let (mut low, mut high) = (0, self.wide.len());
        while low < high {
            let middle = usize::midpoint(low, high);
            if start(middle) <= utf16 {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        let k = low;
        let offset = match k.checked_sub(1) {
            None => utf16,
            Some(k) => {
                let (prev_bytes, prev_units) = k.checked_sub(1).map_or((0, 0), |p| {
                    (self.wide[p].extra_bytes, self.wide[p].extra_units)
                });
                let len_utf8 = self.wide[k].extra_bytes - prev_bytes + 1;
                let len_utf16 = self.wide[k].extra_units - prev_units + 1;
                let begins = start(k);
                if utf16 < begins + len_utf16 {
                    self.wide[k].offset
                } else {
                    self.wide[k].offset + len_utf8 + (utf16 - begins - len_utf16)
                }
            }
        };
        offset.min(self.len)
    }

    /// (0-based line, its start, `offset` clamped to a char boundary).
    fn place(&self, text: &str, offset: usize) -> (usize, usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        (line, self.line_starts[line].min(offset), offset)
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

    /// The columns a rescan of the line gives, for every offset of a mixed text.
    #[test]
    fn columns_equal_a_rescan_of_the_line() {
        let text = "a\u{e9}b\r\n\u{1F600}x\u{20ac}y\n\nz\u{1F600}";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            let at = floor_char_boundary(text, offset);
            let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            let before = &text[start..at];
            assert_eq!(
                index.line_col_chars(text, offset).column,
                before.chars().count() + 1
            );
            assert_eq!(
                index.line_col_utf16(text, offset).column,
                before.encode_utf16().count() + 1
            );
        }
    }

    #[test]
    fn utf16_offsets_map_back_to_bytes() {
        let text = "a\u{e9}b\n\u{1F600}x\u{20ac}y";
        let index = LineIndex::new(text);
        let mut units = 0;
        for (byte, c) in text.char_indices() {
            assert_eq!(index.offset_of_utf16(units), byte, "at unit {units}");
            assert_eq!(index.utf16_of(text, byte), units, "at byte {byte}");
            units += c.len_utf16();
        }
        assert_eq!(index.offset_of_utf16(units), text.len());
        assert_eq!(index.offset_of_utf16(units + 10), text.len());
    }

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

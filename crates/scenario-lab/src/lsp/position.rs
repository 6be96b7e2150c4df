//! LSP positions (line and UTF-16 or UTF-8 column) to the core's byte offsets and back.

use lsp_types::{Position, PositionEncodingKind, Range};
use scenario_lab_core::Span;
use scenario_lab_core::line_index::{LineIndex, floor_char_boundary};

/// How the client counts columns (negotiated at `initialize`; UTF-16 unless it offers UTF-8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    /// The encoding to use among those the client offers.
    pub(super) fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub(super) fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A text with its line index, converting in the negotiated encoding.
#[derive(Debug)]
pub(super) struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
    encoding: Encoding,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str, encoding: Encoding) -> Self {
        Lines {
            text,
            index: LineIndex::new(text),
            encoding,
        }
    }

    /// The byte offset of `position`, clamped to its line (a column past the end is the end).
    pub(super) fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        let (start, end) = self.index.line_span(self.text, line);
        if start >= self.text.len() {
            return self.text.len();
        }
        let column = position.character as usize;
        let offset = match self.encoding {
            Encoding::Utf8 => floor_char_boundary(self.text, start + column),
            Encoding::Utf16 => self
                .index
                .offset_of_utf16(self.index.utf16_of(self.text, start) + column),
        };
        offset.min(end)
    }

    /// The position of byte `offset`.
    pub(super) fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(self.text, offset);
        let line = self.index.line_of(offset);
        let start = self.index.line_start(line);
        let column = match self.encoding {
            Encoding::Utf8 => offset - start,
            Encoding::Utf16 => {
                self.index.utf16_of(self.text, offset) - self.index.utf16_of(self.text, start)
            }
        };
        Position::new(saturate(line), saturate(column))
    }

    pub(super) fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    pub(super) fn span(&self, range: Range) -> Span {
        let start = self.offset(range.start);
        Span::new(start, self.offset(range.end).max(start))
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns_round_trip() {
        let text = "{\n  \"n\": \"Zo\u{eb} \u{1F680}\", \"x\": 1\n}";
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let lines = Lines::new(text, encoding);
            for (offset, _) in text.char_indices() {
                assert_eq!(
                    lines.offset(lines.position(offset)),
                    offset,
                    "{encoding:?} {offset}"
                );
            }
        }
        let lines = Lines::new(text, Encoding::Utf16);
        let x = text.find("\"x\"").unwrap_or_default();
        // "  \"n\": \"Zoë 🚀\", " is 17 UTF-16 units (the rocket counts two).
        assert_eq!(lines.position(x), Position::new(1, 17));
        assert_eq!(
            lines.offset(Position::new(1, 999)),
            text.rfind('\n').unwrap_or_default()
        );
        assert_eq!(lines.offset(Position::new(99, 0)), text.len());
    }
}

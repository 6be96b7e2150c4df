//! Markdown documents with YAML frontmatter: the frontmatter block and the body's headings.
//!
//! With the default `markdown` feature the document is read by pulldown-cmark (YAML-style
//! metadata blocks). Without it (the size-optimised wasm package) a line scanner reads the same
//! frontmatter and the ATX headings; `tests/markdown_differential.rs` holds the two together.

use crate::diagnostic::Span;

/// The parts of a Markdown file the checks need.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MarkdownDoc {
    /// The YAML text between the `---` fences (exactly as in the file, line breaks included) and
    /// where it starts in the file.
    pub frontmatter: Option<(String, usize)>,
    /// The headings of the body.
    pub headings: Vec<Heading>,
}

/// A body heading and the text range of its section (up to the next heading of the same or a
/// higher level).
#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The heading text.
    pub text: String,
    /// The heading line.
    pub span: Span,
    /// The heading and its section, up to the next heading of the same or a higher level.
    pub section: Span,
}

/// Splits a Markdown file into frontmatter and headings.
pub fn parse(text: &str) -> MarkdownDoc {
    with_sections(parse_blocks(text), text)
}

/// Sets each heading's section: up to the next heading of the same or a higher level.
fn with_sections(mut doc: MarkdownDoc, text: &str) -> MarkdownDoc {
    for i in 0..doc.headings.len() {
        let level = doc.headings[i].level;
        let end = doc.headings[i + 1..]
            .iter()
            .find(|h| h.level <= level)
            .map_or(text.len(), |h| h.span.start);
        doc.headings[i].section.end = end;
    }
    doc
}

/// The YAML between the fences of a metadata block spanning `block` (opening fence included).
fn frontmatter_in(text: &str, block: Span) -> Option<(String, usize)> {
    let block_text = text.get(block.start..block.end)?;
    let content_start = block.start + block_text.find('\n')? + 1;
    let mut line_start = content_start;
    let _ = block.end;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i + 1);
        if is_closing_fence(&text[line_start..line_end]) {
            return Some((text[content_start..line_start].to_owned(), content_start));
        }
        if line_end == line_start {
            break;
        }
        line_start = line_end;
    }
    None
}

/// `---` or `...` followed only by whitespace (pulldown-cmark's closing rule).
fn is_closing_fence(line: &str) -> bool {
    let trimmed = line.trim_end_matches(['\n', '\r']);
    (trimmed.starts_with("---") || trimmed.starts_with("..."))
        && trimmed[3..].chars().all(|c| c == ' ' || c == '\t')
}

#[cfg(feature = "markdown")]
fn parse_blocks(text: &str) -> MarkdownDoc {
    use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};
    let level_number = |level: HeadingLevel| match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    };
    let mut doc = MarkdownDoc::default();
    let parser = Parser::new_ext(
        text,
        Options::ENABLE_YAML_STYLE_METADATA_BLOCKS | Options::ENABLE_TABLES,
    );
    let mut heading: Option<(u8, usize, String)> = None;
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle))
                if doc.frontmatter.is_none() =>
            {
                doc.frontmatter = frontmatter_in(text, Span::new(range.start, range.end));
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level_number(level), range.start, String::new()));
            }
            Event::Text(content) | Event::Code(content) => {
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(&content);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, text)) = heading.take() {
                    doc.headings.push(Heading {
                        level,
                        text: text.trim().to_owned(),
                        span: Span::new(start, range.end),
                        section: Span::new(start, range.end),
                    });
                }
            }
            _ => {}
        }
    }
    doc
}

/// The line scanner used without pulldown-cmark: the metadata block at the start of the file
/// (pulldown-cmark's rules) and ATX headings outside fenced code.
#[cfg_attr(feature = "markdown", allow(dead_code))]
fn scan_blocks(text: &str) -> MarkdownDoc {
    let mut doc = MarkdownDoc::default();
    let mut offset = 0;
    if let Some(first_end) = text.find('\n') {
        let first = &text[..first_end];
        let second_end = text[first_end + 1..]
            .find('\n')
            .map_or(text.len(), |i| first_end + 1 + i + 1);
        let second = &text[first_end + 1..second_end];
        let opens = first.starts_with("---") && first[3..].chars().all(|c| c.is_ascii_whitespace());
        if opens
            && !second.trim().is_empty()
            && !is_closing_fence(second)
            && let Some((yaml, start)) = frontmatter_in(text, Span::new(0, first_end + 1))
        {
            let close_end = text[start + yaml.len()..]
                .find('\n')
                .map_or(text.len(), |i| start + yaml.len() + i + 1);
            offset = close_end;
            doc.frontmatter = Some((yaml, start));
        }
    }
    let mut fence: Option<(char, usize)> = None;
    let mut line_start = offset;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i + 1);
        let line = text[line_start..line_end].trim_end_matches(['\n', '\r']);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = line.trim_start_matches(' ');
        if indent <= 3 {
            let fence_char = body.chars().next().filter(|c| *c == '`' || *c == '~');
            if let Some(c) = fence_char {
                let run = body.chars().take_while(|x| *x == c).count();
                match fence {
                    None if run >= 3 => fence = Some((c, run)),
                    Some((open, len))
                        if open == c && run >= len && body[run..].trim().is_empty() =>
                    {
                        fence = None;
                    }
                    _ => {}
                }
            } else if fence.is_none() {
                let hashes = body.chars().take_while(|c| *c == '#').count();
                let rest = &body[hashes..];
                if (1..=6).contains(&hashes) && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
                    let mut title = rest.trim();
                    // A closing run of #s preceded by a space is not part of the title.
                    let without = title.trim_end_matches('#');
                    if without.len() < title.len()
                        && (without.is_empty() || without.ends_with([' ', '\t']))
                    {
                        title = without.trim_end();
                    }
                    let span = Span::new(line_start + indent, line_start + line.len());
                    doc.headings.push(Heading {
                        level: u8::try_from(hashes).unwrap_or(6),
                        text: title.replace('`', ""),
                        span,
                        section: span,
                    });
                }
            }
        }
        line_start = line_end;
    }
    doc
}

#[cfg(not(feature = "markdown"))]
fn parse_blocks(text: &str) -> MarkdownDoc {
    scan_blocks(text)
}

/// The line scanner's reading, exposed for the differential test.
#[cfg(feature = "markdown")]
pub fn parse_with_scanner(text: &str) -> MarkdownDoc {
    with_sections(scan_blocks(text), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_frontmatter_and_sections() {
        let text = "---\na: 1\n---\n\n# Title\n\n## One\nx\n## Two `b`\ny\n";
        let doc = parse(text);
        let (yaml, start) = doc.frontmatter.expect("frontmatter");
        assert_eq!(yaml, "a: 1\n");
        assert_eq!(&text[start..start + 4], "a: 1");
        let names: Vec<_> = doc.headings.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(names, ["Title", "One", "Two b"]);
        assert_eq!(
            &text[doc.headings[1].section.start..doc.headings[1].section.end],
            "## One\nx\n"
        );
    }

    #[test]
    fn crlf_frontmatter_is_read_whole() {
        let text = "---\r\na: 1\r\nb: 2\r\n---\r\n# T\r\n";
        let (yaml, start) = parse(text).frontmatter.expect("frontmatter");
        assert_eq!(yaml, "a: 1\r\nb: 2\r\n");
        assert_eq!(&text[start..start + yaml.len()], yaml);
    }
}

//! Markdown documents with YAML frontmatter: the frontmatter block and the body's headings.

use crate::diagnostic::Span;
use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};

/// The parts of a Markdown file the checks need.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MarkdownDoc {
    /// The YAML text between the `---` fences and where it starts in the file.
    pub frontmatter: Option<(String, usize)>,
    pub headings: Vec<Heading>,
}

/// A body heading and the text range of its section (up to the next heading of the same or a
/// higher level).
#[derive(Clone, Debug, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub span: Span,
    pub section: Span,
}

/// Splits a Markdown file with pulldown-cmark's YAML metadata blocks.
pub fn parse(text: &str) -> MarkdownDoc {
    let mut doc = MarkdownDoc::default();
    let parser = Parser::new_ext(
        text,
        Options::ENABLE_YAML_STYLE_METADATA_BLOCKS | Options::ENABLE_TABLES,
    );
    let mut in_metadata = false;
    let mut heading: Option<(u8, usize, String)> = None;
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)) => in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            Event::Text(content) if in_metadata && doc.frontmatter.is_none() => {
                doc.frontmatter = Some((content.into_string(), range.start));
            }
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level_number(level), range.start, String::new()))
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
    // Each section runs to the next heading of the same or a higher level.
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

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_frontmatter_and_sections() {
        let text = "---\na: 1\n---\n\n# Title\n\n## One\nx\n## Two `b`\ny\n";
        let doc = parse(text);
        let (yaml, start) = doc.frontmatter.expect("frontmatter");
        assert_eq!(yaml.trim_end(), "a: 1");
        assert_eq!(&text[start..start + 4], "a: 1");
        let names: Vec<_> = doc.headings.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(names, ["Title", "One", "Two b"]);
        assert_eq!(
            &text[doc.headings[1].section.start..doc.headings[1].section.end],
            "## One\nx\n"
        );
    }
}

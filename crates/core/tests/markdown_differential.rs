//! The line scanner used by the size-optimised wasm build reads the same frontmatter and ATX
//! headings as pulldown-cmark, on the examples and on random documents.
#![cfg(all(feature = "markdown", not(target_arch = "wasm32")))]

use proptest::prelude::*;
use scenario_lab_core::markdown::{MarkdownDoc, parse, parse_with_scanner};

/// What must agree: the frontmatter and each heading's level, text and position.
type Reading = (Option<(String, usize)>, Vec<(u8, String, usize)>);

fn summary(doc: &MarkdownDoc) -> Reading {
    (
        doc.frontmatter.clone(),
        doc.headings
            .iter()
            .map(|h| (h.level, h.text.clone(), h.span.start))
            .collect(),
    )
}

fn agree(text: &str) {
    assert_eq!(
        summary(&parse_with_scanner(text)),
        summary(&parse(text)),
        "on {text:?}"
    );
}

#[test]
fn the_examples_agree() {
    for text in [
        include_str!("../../../examples/autonoma/scenarios.md"),
        include_str!("../../../examples/autonoma/entity-audit.md"),
    ] {
        agree(text);
        agree(&text.replace('\n', "\r\n"));
    }
}

/// Lines that do not form setext headings, block quotes or list-nested blocks (the scanner's
/// documented limits).
fn body_line() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "",
        "text line",
        "# Title",
        "## Scenario: `standard`",
        "### Deep ###",
        "#nohash",
        "   # three spaces",
        "```",
        "~~~",
        "```yaml",
        "| a | b |",
        "|---|---|",
        "- item",
        "* star",
        "1. one",
        "**bold** text",
        "####### seven",
    ])
}

fn yaml_line() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a: 1",
        "name: x",
        "list:",
        "  - item",
        "",
        "b: [1, 2]",
        "# comment",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_documents_agree(
        front in prop::collection::vec(yaml_line(), 0..6),
        body in prop::collection::vec(body_line(), 0..14),
        close in prop::sample::select(vec!["---", "...", "--- ", ""]),
        crlf in any::<bool>(),
    ) {
        // A frontmatter (when closed) or none at all; never a `---` under a paragraph (setext).
        let mut lines: Vec<&str> = Vec::new();
        if !close.is_empty() {
            lines.push("---");
            lines.push("first: line");
            lines.extend(front.iter().copied());
            lines.push(close);
        }
        lines.extend(body);
        let text = lines.join(if crlf { "\r\n" } else { "\n" }) + "\n";
        agree(&text);
    }
}

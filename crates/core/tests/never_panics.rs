//! Parsers and the whole preflight never panic, whatever the input: arbitrary text, and
//! random damage to real files. Runs briefly in the test suite (a few hundred cases).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use scenario_lab_core::anip::{Syntax, check_pack};
use scenario_lab_core::{Workspace, audit, discover, preflight, scenarios};

const RECIPES: &str = include_str!("../../../examples/autonoma/scenario-recipes.json");
const DISCOVER: &str = include_str!("../../../examples/autonoma/discover.json");
const SCENARIOS: &str = include_str!("../../../examples/autonoma/scenarios.md");
const AUDIT: &str = include_str!("../../../examples/autonoma/entity-audit.md");

fn run_all(recipes: &str, discover_text: &str, scenarios_text: &str, audit_text: &str) {
    let _ = discover::parse(discover_text);
    let _ = scenarios::parse(scenarios_text);
    let _ = audit::parse(audit_text);
    let report = preflight(&Workspace {
        recipes: Some(recipes),
        discover: Some(discover_text),
        scenarios: Some(scenarios_text),
        entity_audit: Some(audit_text),
        validation: Some(recipes),
        layout: scenario_lab_core::dialect::Layout::default(),
    });
    for diagnostic in &report.diagnostics {
        let text = match diagnostic.file {
            scenario_lab_core::FileKind::Recipes | scenario_lab_core::FileKind::Validation => {
                recipes
            }
            scenario_lab_core::FileKind::Discover => discover_text,
            scenario_lab_core::FileKind::Scenarios => scenarios_text,
            scenario_lab_core::FileKind::EntityAudit => audit_text,
            scenario_lab_core::FileKind::Pack | scenario_lab_core::FileKind::AnipManifest => {
                unreachable!("the preflight reads no pack")
            }
        };
        assert!(
            diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= text.len(),
            "span out of range: {diagnostic:?}"
        );
        if let Some(fix) = &diagnostic.fix {
            let _ = fix.apply(text);
        }
    }
}

/// Applies `edits` (position, replacement) to `base`, at char boundaries.
fn damage(base: &str, edits: &[(usize, String, usize)]) -> String {
    let mut text = base.to_owned();
    for (pos, insert, delete) in edits {
        let mut at = pos % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + delete).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        text.replace_range(at..end, insert);
    }
    text
}

fn edits() -> impl Strategy<Value = Vec<(usize, String, usize)>> {
    prop::collection::vec(
        (
            any::<usize>(),
            "[{}\\[\\]\":,\\-\\n a-z{}_]{0,4}",
            0usize..6,
        ),
        1..8,
    )
}

/// Every language-service call at `offset` of every file; every span inside its file.
fn language_everywhere(recipes: &str, discover_text: &str, scenarios_text: &str, offset: usize) {
    use scenario_lab_core::FileKind;
    use scenario_lab_core::language;
    let ws = Workspace {
        recipes: Some(recipes),
        discover: Some(discover_text),
        scenarios: Some(scenarios_text),
        ..Workspace::default()
    };
    for (file, text) in [
        (FileKind::Recipes, recipes),
        (FileKind::Discover, discover_text),
        (FileKind::Scenarios, scenarios_text),
    ] {
        let at = offset % (text.len() + 1);
        let inside =
            |span: scenario_lab_core::Span| span.start <= span.end && span.end <= text.len();
        for item in language::complete(&ws, file, at) {
            assert!(item.range.is_none_or(inside), "{item:?}");
        }
        if let Some(card) = language::hover(&ws, file, at) {
            assert!(inside(card.range), "{card:?}");
        }
        for location in language::definition(&ws, file, at)
            .into_iter()
            .chain(language::references(&ws, file, at))
        {
            assert!(location.span.start <= location.span.end, "{location:?}");
        }
        let _ = language::rename(&ws, file, at, "renamed");
        let _ = language::document_symbols(&ws, file);
        assert!(language::folding_ranges(&ws, file).into_iter().all(inside));
        assert!(
            language::selection_ranges(&ws, file, at)
                .into_iter()
                .all(inside)
        );
        let _ = language::format(&ws, file);
    }
}

/// An ANIP pack (from the fixtures) checked whole, as JSON and YAML: spans inside the text, fixes
/// applicable.
fn check_pack_everywhere(text: &str) {
    for syntax in [Syntax::Yaml, Syntax::Json] {
        let checked = check_pack(text, syntax, Some(text));
        for d in checked
            .report
            .diagnostics
            .iter()
            .filter(|d| d.file == scenario_lab_core::FileKind::Pack)
        {
            assert!(
                d.span.start <= d.span.end && d.span.end <= text.len(),
                "span out of range: {d:?}"
            );
            if let Some(fix) = &d.fix {
                let _ = fix.apply(text);
            }
        }
    }
}

const PACK: &str =
    include_str!("../../../tests/fixtures/anip/valid/approval-chain/fixture.pack.yaml");

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn anip_packs_arbitrary_and_damaged(text in "\\PC{0,300}", edits in edits()) {
        check_pack_everywhere(&text);
        check_pack_everywhere(&damage(PACK, &edits));
    }

    #[test]
    fn the_language_service_on_arbitrary_and_damaged_text(text in "\\PC{0,300}", edits in edits(), offset in any::<usize>()) {
        language_everywhere(&text, &text, &text, offset);
        language_everywhere(&damage(RECIPES, &edits), DISCOVER, SCENARIOS, offset);
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        run_all(&text, &text, &text, &text);
    }

    #[test]
    fn damaged_recipes(edits in edits()) {
        run_all(&damage(RECIPES, &edits), DISCOVER, SCENARIOS, AUDIT);
    }

    #[test]
    fn damaged_markdown_and_discover(edits in edits()) {
        run_all(RECIPES, &damage(DISCOVER, &edits), &damage(SCENARIOS, &edits), &damage(AUDIT, &edits));
    }
}

#[test]
fn deep_nesting_is_refused_not_crashed() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let report = preflight(&Workspace {
        recipes: Some(&deep),
        ..Workspace::default()
    });
    assert_eq!(report.errors(), 1);
    let yaml = format!("---\na: {}\n---\n", "[".repeat(100_000));
    let _ = scenarios::parse(&yaml);
    assert!(check_pack(&deep, Syntax::Json, None).report.errors() >= 1);
    let pack = format!(
        "format: scenario-pack/v1\nscenarios: {}",
        "[".repeat(100_000)
    );
    assert!(check_pack(&pack, Syntax::Yaml, None).report.errors() >= 1);
}

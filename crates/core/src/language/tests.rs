//! The language service on cursor-marker documents: `$0` marks the offset asked about.

use super::*;
use crate::Workspace;

const DISCOVER: &str = include_str!("../../../../examples/autonoma/discover.json");
const SCENARIOS: &str = include_str!("../../../../examples/autonoma/scenarios.md");

/// The text without its `$0` marker, and the marker's offset.
fn marked(text: &str) -> (String, usize) {
    let offset = text.find("$0").expect("a $0 marker");
    (text.replacen("$0", "", 1), offset)
}

fn recipes(create: &str, variables: &str) -> String {
    format!(
        r#"{{"version": 1, "recipes": [{{"name": "standard", "description": "d", "create": {create}, "variables": {variables}}}]}}"#
    )
}

fn workspace(recipes: &str) -> Workspace<'_> {
    Workspace {
        recipes: Some(recipes),
        discover: Some(DISCOVER),
        scenarios: Some(SCENARIOS),
        ..Workspace::default()
    }
}

fn labels(items: &[Completion]) -> Vec<&str> {
    items.iter().map(|c| c.label.as_str()).collect()
}

#[test]
fn completes_models_fields_aliases_tokens_and_strategies() {
    let (text, at) = marked(&recipes(r#"{"$0"}"#, "{}"));
    let items = complete(&workspace(&text), FileKind::Recipes, at);
    assert!(labels(&items).contains(&"Organization"), "{items:#?}");

    let (text, at) = marked(&recipes(r#"{"User": [{"$0"}]}"#, "{}"));
    let items = complete(&workspace(&text), FileKind::Recipes, at);
    let email = items.iter().find(|c| c.label == "email").expect("email");
    assert_eq!(email.detail.as_deref(), Some("string, required"));
    assert!(labels(&items).contains(&"_alias"));

    let (text, at) = marked(&recipes(
        r#"{"Organization": [{"_alias": "org"}], "User": [{"organizationId": {"_ref": "o$0"}}]}"#,
        "{}",
    ));
    let items = complete(&workspace(&text), FileKind::Recipes, at);
    assert_eq!(labels(&items), ["org"]);
    assert_eq!(items[0].detail.as_deref(), Some("Organization #1"));
    assert_eq!(items[0].insert_text.as_deref(), Some("\"org\""));

    let (text, at) = marked(&recipes(
        r#"{"User": [{"email": "owner+{{$0"}]}"#,
        r#"{"owner_email": {"strategy": "literal", "value": "x"}}"#,
    ));
    let items = complete(&workspace(&text), FileKind::Recipes, at);
    assert!(
        labels(&items).contains(&"{{testRunId}}") && labels(&items).contains(&"{{owner_email}}"),
        "{items:#?}"
    );

    let (text, at) = marked(&recipes("{}", r#"{"x": {"strategy": "$0"}}"#));
    assert_eq!(
        labels(&complete(&workspace(&text), FileKind::Recipes, at)),
        ["literal", "derived", "faker"]
    );
}

#[test]
fn hovers_fields_aliases_tokens_and_diagnostics() {
    let (text, at) = marked(&recipes(r#"{"User": [{"em$0ail": "x"}]}"#, "{}"));
    let card = hover(&workspace(&text), FileKind::Recipes, at).expect("a hover");
    assert!(
        card.contents.contains("**User.email**: `string`, required"),
        "{}",
        card.contents
    );

    let (text, at) = marked(&recipes(
        r#"{"Organization": [{"_alias": "o$0rg"}], "User": [{"organizationId": {"_ref": "org"}}]}"#,
        "{}",
    ));
    let card = hover(&workspace(&text), FileKind::Recipes, at).expect("a hover");
    assert!(
        card.contents
            .contains("Organization record #1; referenced by 1 `_ref`(s) from User"),
        "{}",
        card.contents
    );

    let (text, at) = marked(&recipes(
        r#"{"User": [{"email": "{{owner_em$0ail}}"}]}"#,
        r#"{"owner_email": {"strategy": "derived", "source": "testRunId", "format": "o+{testRunId}@x.test"}}"#,
    ));
    let card = hover(&workspace(&text), FileKind::Recipes, at).expect("a hover");
    assert!(
        card.contents.contains("e.g. `o+sample-run-1a2b3c@x.test`"),
        "{}",
        card.contents
    );

    let (text, at) = marked(&recipes(
        r#"{"User": [{"organizationId": {"_ref": "nop$0e"}}]}"#,
        "{}",
    ));
    let card = hover(&workspace(&text), FileKind::Recipes, at).expect("a hover");
    assert!(
        card.contents.contains("**recipe/unknown-alias**"),
        "{}",
        card.contents
    );
    assert!(
        card.contents.contains("(error)"),
        "the code's documentation: {}",
        card.contents
    );
}

#[test]
fn navigates_between_refs_aliases_variables_and_scenarios() {
    let (text, at) = marked(&recipes(
        r#"{"Organization": [{"_alias": "org"}], "User": [{"organizationId": {"_ref": "o$0rg"}}, {"organizationId": {"_ref": "org"}}]}"#,
        "{}",
    ));
    let ws = workspace(&text);
    let declared = definition(&ws, FileKind::Recipes, at);
    assert_eq!(declared.len(), 1);
    assert_eq!(
        &text[declared[0].span.start..declared[0].span.end],
        "\"org\""
    );
    assert_eq!(references(&ws, FileKind::Recipes, at).len(), 3);

    let (text, at) = marked(r#"{"recipes": [{"name": "stand$0ard", "create": {}}]}"#);
    let ws = workspace(&text);
    let found = definition(&ws, FileKind::Recipes, at);
    assert_eq!(found.first().map(|l| l.file), Some(FileKind::Scenarios));
}

#[test]
fn renames_an_alias_or_a_variable_and_refuses_collisions() {
    let (text, at) = marked(&recipes(
        r#"{"Organization": [{"_alias": "org"}, {"_alias": "other"}], "User": [{"organizationId": {"_ref": "o$0rg"}}]}"#,
        "{}",
    ));
    let ws = workspace(&text);
    let edit = rename(&ws, FileKind::Recipes, at, "acme").expect("a rename");
    assert_eq!(edit.edits.len(), 2);
    assert!(edit.edits.iter().all(|e| e.edit.new_text == "acme"));
    assert_eq!(
        rename(&ws, FileKind::Recipes, at, "other"),
        Err(RenameError::Collision("other".into()))
    );

    let (text, at) = marked(&recipes(
        r#"{"User": [{"email": "{{owner_email}}"}]}"#,
        r#"{"owner_$0email": {"strategy": "literal", "value": "x"}}"#,
    ));
    let ws = workspace(&text);
    let edit = rename(&ws, FileKind::Recipes, at, "lead_email").expect("a rename");
    let recipe_edits = edit
        .edits
        .iter()
        .filter(|e| e.file == FileKind::Recipes)
        .count();
    assert_eq!(recipe_edits, 2);
    assert!(
        edit.edits.iter().any(|e| e.file == FileKind::Scenarios),
        "scenarios.md names the token too"
    );
    assert!(rename(&ws, FileKind::Recipes, at, "bad name").is_err());
}

#[test]
fn outlines_folds_selects_and_formats() {
    let text = recipes(
        r#"{"Organization": [{"_alias": "org", "name": "A"}], "User": [{"name": "U"}]}"#,
        "{}",
    );
    let ws = workspace(&text);
    let symbols = document_symbols(&ws, FileKind::Recipes);
    assert_eq!(symbols[0].name, "standard");
    assert_eq!(
        symbols[0].children[0].children[0].name,
        "Organization \"org\""
    );
    assert_eq!(symbols[0].children[1].children[0].name, "User[0]");
    let edits = format(&ws, FileKind::Recipes);
    assert_eq!(edits.len(), 1);
    let formatted = &edits[0].new_text;
    assert!(
        formatted.find("\"version\"") < formatted.find("\"recipes\""),
        "key order kept"
    );
    let pretty = formatted.clone();
    let ws = workspace(&pretty);
    assert!(
        format(&ws, FileKind::Recipes).is_empty(),
        "formatting is idempotent"
    );
    assert!(folding_ranges(&ws, FileKind::Recipes).len() > 3);
    let at = pretty.find("\"A\"").unwrap() + 1;
    let chain = selection_ranges(&ws, FileKind::Recipes, at);
    assert_eq!(&pretty[chain[0].start..chain[0].end], "\"A\"");
    assert!(
        chain
            .windows(2)
            .all(|w| w[1].start <= w[0].start && w[0].end <= w[1].end)
    );
}

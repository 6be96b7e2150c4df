//! The span-preserving JSON parser agrees with serde_json: same documents accepted, same values,
//! and every span covers exactly the text of its value.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use scenario_lab_core::FileKind;
use scenario_lab_core::json::{Node, NodeKind, parse};

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        (-1e12f64..1e12).prop_map(|f| serde_json::json!(f)),
        "\\PC{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec(("[a-z_\\u{e9}\"\\\\]{0,6}", inner), 0..6)
                .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Every span slices to text that serde_json reads back as the same value.
fn spans_cover_values(text: &str, node: &Node) {
    let slice = &text[node.span.start..node.span.end];
    let reparsed: serde_json::Value =
        serde_json::from_str(slice).unwrap_or_else(|e| panic!("span {slice:?}: {e}"));
    assert_eq!(reparsed, node.to_value());
    match &node.kind {
        NodeKind::Array(items) => items.iter().for_each(|i| spans_cover_values(text, i)),
        NodeKind::Object(members) => {
            for member in members {
                let key: String =
                    serde_json::from_str(&text[member.key_span.start..member.key_span.end])
                        .unwrap_or_default();
                assert_eq!(key, member.key);
                spans_cover_values(text, &member.value);
            }
        }
        _ => {}
    }
}

fn agree(text: &str) {
    let ours = parse(FileKind::Recipes, text);
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours.value, &theirs) {
        (Some(node), Ok(value)) => {
            assert_eq!(&node.to_value(), value, "{text:?}");
            spans_cover_values(text, node);
        }
        (None, Err(_)) => assert_eq!(ours.diagnostics.len(), 1),
        (ours, theirs) => panic!(
            "disagree on {text:?}: ours {:?}, serde_json {theirs:?}",
            ours.is_some()
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn valid_documents(value in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap_or_default();
        agree(&text);
    }

    #[test]
    fn damaged_documents(value in json_value(), at in any::<usize>(), insert in "[{}\\[\\]\":,\\\\ 0-9eE.+\\-tfnu]{0,3}", delete in 0usize..3) {
        let mut text = serde_json::to_string(&value).unwrap_or_default();
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + delete).min(text.len());
        while !text.is_char_boundary(end) { end += 1; }
        text.replace_range(at..end, &insert);
        agree(&text);
    }
}

#[test]
fn edge_cases() {
    for text in [
        "",
        " ",
        "{}",
        "[]",
        "0",
        "-0",
        "-",
        "01",
        "1.",
        "1e",
        "1e+5",
        "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\x\"",
        "\"a\nb\"",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{'a':1}",
        "[1 2]",
        "tru",
        "nul",
        "\u{feff}{}",
        "{} {}",
        "/* c */ {}",
    ] {
        agree(text);
    }
}

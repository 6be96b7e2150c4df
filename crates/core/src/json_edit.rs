//! Text edits on JSON source that keep the author's formatting: insert, remove and append members.

use crate::diagnostic::{Span, TextEdit};
use crate::json::Node;

/// The whitespace at the start of the line holding `offset`.
pub fn indent_at(source: &str, offset: usize) -> &str {
    let line_start = source[..offset.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let rest = &source[line_start..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

/// One indentation step guessed from the file (two spaces when unknown).
pub fn indent_unit(source: &str) -> &str {
    for line in source.lines().skip(1) {
        let trimmed = line.trim_start_matches(' ');
        if trimmed.len() < line.len() && !trimmed.is_empty() {
            return &line[..line.len() - trimmed.len()];
        }
        if line.starts_with('\t') {
            return "\t";
        }
    }
    "  "
}

/// Re-indents a multi-line JSON fragment so its continuation lines start at `indent`.
fn reindent(fragment: &str, indent: &str) -> String {
    fragment.replace('\n', &format!("\n{indent}"))
}

/// Inserts `entry` (an object member or an array item) after the last element of `container`,
/// whose last element starts at `last` (start, end); inside the brackets when it is empty.
/// Matches the container's layout: one element per line when it is multi-line.
fn append_entry(
    source: &str,
    container: &Node,
    last: Option<(usize, usize)>,
    entry: impl Fn(&str) -> String,
) -> TextEdit {
    if let Some((last_start, last_end)) = last {
        let indent = indent_at(source, last_start);
        let multiline = source[container.span.start..last_start].contains('\n');
        let separator = if multiline {
            format!(",\n{indent}")
        } else {
            ", ".to_owned()
        };
        TextEdit {
            span: Span::at(last_end),
            new_text: format!("{separator}{}", entry(indent)),
        }
    } else {
        let outer = indent_at(source, container.span.start);
        let inner = format!("{outer}{}", indent_unit(source));
        TextEdit {
            span: Span::new(
                container.span.start + 1,
                container
                    .span
                    .end
                    .saturating_sub(1)
                    .max(container.span.start + 1),
            ),
            new_text: format!("\n{inner}{}\n{outer}", entry(&inner)),
        }
    }
}

/// Inserts `"key": value_json` as the last member of `object`.
pub fn insert_member(source: &str, object: &Node, key: &str, value_json: &str) -> TextEdit {
    let key_json = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
    let last = object
        .as_object()
        .and_then(|m| m.last())
        .map(|m| (m.key_span.start, m.value.span.end));
    append_entry(source, object, last, |indent| {
        format!("{key_json}: {}", reindent(value_json, indent))
    })
}

/// Inserts `"key": value_json` as the first member of `object` (used for `_alias`).
pub fn prepend_member(source: &str, object: &Node, key: &str, value_json: &str) -> TextEdit {
    let key_json = serde_json::to_string(key).unwrap_or_else(|_| format!("\"{key}\""));
    match object.as_object().and_then(|m| m.first()) {
        Some(first) => {
            let between = &source[object.span.start + 1..first.key_span.start];
            TextEdit {
                span: Span::at(first.key_span.start),
                new_text: format!("{key_json}: {value_json},{between}"),
            }
        }
        None => insert_member(source, object, key, value_json),
    }
}

/// Removes member `index` of `object`, with the comma that separated it.
pub fn remove_member(source: &str, object: &Node, index: usize) -> Option<TextEdit> {
    let members = object.as_object()?;
    let member = members.get(index)?;
    let span = if let Some(next) = members.get(index + 1) {
        Span::new(member.key_span.start, next.key_span.start)
    } else if index > 0 {
        Span::new(members[index - 1].value.span.end, member.value.span.end)
    } else {
        let inner_start = object.span.start + 1;
        let inner_end = object.span.end.saturating_sub(1);
        let _ = source;
        Span::new(inner_start, inner_end)
    };
    Some(TextEdit {
        span,
        new_text: String::new(),
    })
}

/// Appends `item_json` to `array`.
pub fn append_item(source: &str, array: &Node, item_json: &str) -> TextEdit {
    let last = array
        .as_array()
        .and_then(|items| items.last())
        .map(|n| (n.span.start, n.span.end));
    append_entry(source, array, last, |indent| reindent(item_json, indent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{FileKind, Fix};
    use crate::json::parse;

    fn apply(source: &str, edits: Vec<TextEdit>) -> String {
        Fix {
            message: String::new(),
            file: FileKind::Recipes,
            edits,
        }
        .apply(source)
    }

    #[test]
    fn edits_keep_json_valid() {
        let source = "{\n  \"a\": 1,\n  \"b\": [1],\n  \"c\": {}\n}";
        let root = parse(FileKind::Recipes, source).value.expect("json");
        let out = apply(source, vec![insert_member(source, &root, "d", "true")]);
        assert_eq!(
            out,
            "{\n  \"a\": 1,\n  \"b\": [1],\n  \"c\": {},\n  \"d\": true\n}"
        );
        for i in 0..3 {
            let out = apply(source, vec![remove_member(source, &root, i).expect("edit")]);
            assert!(
                serde_json::from_str::<serde_json::Value>(&out).is_ok(),
                "{out}"
            );
        }
        let b = root.get("b").expect("b");
        assert_eq!(
            apply(source, vec![append_item(source, b, "2")]),
            "{\n  \"a\": 1,\n  \"b\": [1, 2],\n  \"c\": {}\n}"
        );
        let c = root.get("c").expect("c");
        let out = apply(source, vec![insert_member(source, c, "x", "1")]);
        assert!(
            serde_json::from_str::<serde_json::Value>(&out).is_ok(),
            "{out}"
        );
        let out = apply(
            source,
            vec![prepend_member(source, &root, "_alias", "\"o\"")],
        );
        assert!(
            out.starts_with("{\n  \"_alias\": \"o\",\n  \"a\": 1"),
            "{out}"
        );
    }
}

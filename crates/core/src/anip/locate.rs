//! Where a byte offset sits in a pack that may be half-typed: the path of keys and indices, key
//! or value, and the scalar under the cursor. JSON packs use the recipes' forgiving scanner; YAML
//! packs the tree where it covers the cursor, and the lines' indentation where it does not.

use super::parse::Syntax;
use crate::diagnostic::Span;
use crate::language::locate::{Seg, cursor_at as json_cursor_at};
use crate::yaml::{YamlKind, YamlNode};

/// What the cursor is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackCursor {
    /// The mapping's path when `in_key`; else the path of the value (ending with its key or index).
    pub path: Vec<Seg>,
    /// The cursor is where a mapping key goes.
    pub in_key: bool,
    /// The scalar under the cursor (quotes included), or an empty span at the cursor.
    pub token: Span,
    /// The scalar's text from its start to the cursor, quotes removed.
    pub prefix: String,
}

/// The node at `path` of `root`.
pub fn node_at<'n>(root: &'n YamlNode, path: &[Seg]) -> Option<&'n YamlNode> {
    path.iter().try_fold(root, |node, seg| match seg {
        Seg::Key(key) => node.get(key),
        Seg::Index(i) => node.as_sequence()?.get(*i),
    })
}

/// What the cursor at `offset` is on; `tree` is the pack's tree as far as it reads.
pub fn cursor_at(text: &str, syntax: Syntax, tree: Option<&YamlNode>, offset: usize) -> PackCursor {
    let offset = offset.min(text.len());
    if syntax == Syntax::Json {
        let cursor = json_cursor_at(text, offset);
        let token = cursor.token.unwrap_or(Span::at(offset));
        return PackCursor {
            path: cursor.path,
            in_key: cursor.in_key,
            token,
            prefix: cursor.prefix.trim_start_matches('"').to_owned(),
        };
    }
    // Block lines are read by their indentation (forgiving while a key is typed); a flow
    // collection on the cursor's line (`{capability: …}`) by the tree.
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..offset].contains(['{', '[']) {
        return by_indentation(text, offset);
    }
    tree.and_then(|root| in_tree(text, root, offset, &mut Vec::new()))
        .unwrap_or_else(|| by_indentation(text, offset))
}

/// The scalar of the tree the cursor touches, with its path.
fn in_tree(text: &str, node: &YamlNode, offset: usize, path: &mut Vec<Seg>) -> Option<PackCursor> {
    let touches = |span: Span| span.start <= offset && offset <= span.end && !span.is_empty();
    match &node.kind {
        YamlKind::Mapping(entries) => {
            for (key, value) in entries {
                if touches(key.span) {
                    return Some(scalar(text, path.clone(), true, key.span, offset));
                }
                let inside = touches(value.span)
                    || (value.span.is_empty() && after_colon(text, key.span.end, offset));
                if inside {
                    path.push(Seg::Key(key.scalar_text().unwrap_or_default()));
                    if value.span.is_empty() {
                        return Some(scalar(text, path.clone(), false, Span::at(offset), offset));
                    }
                    return in_tree(text, value, offset, path);
                }
            }
            // Between the entries of a mapping the cursor is in: a key goes here.
            touches(node.span).then(|| scalar(text, path.clone(), true, Span::at(offset), offset))
        }
        YamlKind::Sequence(items) => {
            match items
                .iter()
                .enumerate()
                .find(|(_, item)| touches(item.span))
            {
                Some((i, item)) => {
                    path.push(Seg::Index(i));
                    in_tree(text, item, offset, path)
                }
                // Between the items of a list the cursor is in: an item goes here.
                None if touches(node.span) => {
                    path.push(Seg::Index(items.len()));
                    Some(scalar(text, path.clone(), false, Span::at(offset), offset))
                }
                None => None,
            }
        }
        _ if touches(node.span) => Some(scalar(text, path.clone(), false, node.span, offset)),
        _ => None,
    }
}

/// Whether `offset` is on `key_end`'s line, right after its `:` and spaces (an empty value).
fn after_colon(text: &str, key_end: usize, offset: usize) -> bool {
    text.get(key_end..offset).is_some_and(|between| {
        between
            .strip_prefix(':')
            .is_some_and(|rest| rest.chars().all(|c| c == ' '))
    })
}

fn scalar(text: &str, path: Vec<Seg>, in_key: bool, token: Span, offset: usize) -> PackCursor {
    let prefix = text
        .get(token.start..offset.max(token.start))
        .unwrap_or_default()
        .trim_start_matches(['"', '\''])
        .to_owned();
    PackCursor {
        path,
        in_key,
        token,
        prefix,
    }
}

/// One line of a block YAML document.
#[derive(Debug)]
struct Line {
    /// Column of the `-` of a sequence item, if the line starts one.
    dash: Option<usize>,
    /// Column of the content (after `- `).
    col: usize,
    /// The key, when the content is `key:`.
    key: Option<String>,
    /// Whether a value follows the key on the line.
    inline: bool,
}

fn read_line(line: &str) -> Option<Line> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut rest = &line[indent..];
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    let mut col = indent;
    let mut dash = None;
    while let Some(after) = rest
        .strip_prefix("- ")
        .or_else(|| rest.strip_prefix('-').filter(|r| r.is_empty()))
    {
        dash = Some(col);
        let spaces = after.len() - after.trim_start_matches(' ').len();
        col += line[col..].len() - after.len() + spaces;
        rest = after.trim_start_matches(' ');
    }
    let key = rest
        .find(':')
        .filter(|&i| rest[i + 1..].is_empty() || rest[i + 1..].starts_with(' '))
        .map(|i| rest[..i].trim_matches(['"', '\'']).to_owned());
    let inline = key.as_ref().is_some_and(|k| {
        let after = rest[rest.find(':').unwrap_or(0) + 1..].trim();
        !after.is_empty() && !after.starts_with('#') && !k.is_empty()
    });
    Some(Line {
        dash,
        col,
        key,
        inline,
    })
}

/// A cursor from the lines' indentation: for block documents, also while they do not parse (a
/// key being typed, an empty line).
fn by_indentation(text: &str, offset: usize) -> PackCursor {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let before = &text[line_start..offset];
    let current = read_line(&format!("{before}x")).unwrap_or(Line {
        dash: None,
        col: before.len(),
        key: None,
        inline: false,
    });
    let col = current.col.min(before.len());
    let content = &before[col..];
    let mut path = parents(&text[..line_start], current.dash.unwrap_or(col));
    if let Some(dash) = current.dash {
        // The cursor's line is an item of the sequence its parent key holds.
        path.push(Seg::Index(siblings(&text[..line_start], dash)));
    }
    let rest = &text[offset..line_end];
    if let Some(colon) = content
        .find(": ")
        .or_else(|| content.strip_suffix(':').map(str::len))
    {
        path.push(Seg::Key(
            content[..colon].trim_matches(['"', '\'']).to_owned(),
        ));
        let value = content[colon + 1..].trim_start();
        let tail = rest.find(" #").map_or(rest, |i| &rest[..i]).trim_end();
        PackCursor {
            path,
            in_key: false,
            token: Span::new(offset - value.len(), offset + tail.len()),
            prefix: value.trim_start_matches(['"', '\'']).to_owned(),
        }
    } else {
        let word = content.trim_start();
        let tail = rest.find([':', ' ']).map_or(rest, |i| &rest[..i]);
        PackCursor {
            path,
            in_key: true,
            token: Span::new(offset - word.len(), offset + tail.len()),
            prefix: word.to_owned(),
        }
    }
}

/// The path of the mapping whose keys sit at column `col`, read upwards from the lines above.
fn parents(above: &str, col: usize) -> Vec<Seg> {
    let mut path = Vec::new();
    let mut target = col;
    let lines: Vec<&str> = above.lines().collect();
    for (n, raw) in lines.iter().enumerate().rev() {
        if target == 0 {
            break;
        }
        let Some(line) = read_line(raw) else {
            continue;
        };
        if let Some(dash) = line.dash
            && dash < target
            && line.col >= target
        {
            // Inside this item of a sequence.
            let above_item: String = lines[..n].join("\n");
            path.push(Seg::Index(siblings(&above_item, dash)));
            target = dash;
            continue;
        }
        if line.col < target {
            if let (Some(key), false) = (&line.key, line.inline) {
                path.push(Seg::Key(key.clone()));
            }
            target = line.dash.map_or(line.col, |d| d.min(line.col));
            if line.dash.is_some() && line.col < col {
                let above_item: String = lines[..n].join("\n");
                path.push(Seg::Index(siblings(&above_item, line.dash.unwrap_or(0))));
            }
        }
    }
    path.reverse();
    path
}

/// How many items of the sequence at column `dash` precede the lines below `above`.
fn siblings(above: &str, dash: usize) -> usize {
    let mut count = 0;
    for raw in above.lines().rev() {
        let Some(line) = read_line(raw) else {
            continue;
        };
        if line.dash == Some(dash) {
            count += 1;
        } else if line.dash.map_or(line.col, |d| d.min(line.col)) < dash {
            break;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::FileKind;

    fn key(k: &str) -> Seg {
        Seg::Key(k.to_owned())
    }

    fn at(text: &str) -> PackCursor {
        let offset = text.find("$0").expect("a $0 marker");
        let text = text.replace("$0", "");
        let tree = crate::yaml::parse(FileKind::Pack, &text, 0).value;
        cursor_at(&text, Syntax::Yaml, tree.as_ref(), offset)
    }

    #[test]
    fn a_key_being_typed_in_a_block_document() {
        let cursor = at(
            "format: scenario-pack/v1\nscenarios:\n  - id: a\n    class: denial\n  - id: b\n    request:\n      invoke:\n        capa$0\n",
        );
        assert!(cursor.in_key);
        assert_eq!(
            cursor.path,
            [
                key("scenarios"),
                Seg::Index(1),
                key("request"),
                key("invoke")
            ]
        );
        assert_eq!(cursor.prefix, "capa");
    }

    #[test]
    fn an_empty_value_and_a_flow_value() {
        let cursor =
            at("scenarios:\n  - id: a\n    request:\n      invoke:\n        capability: $0\n");
        assert!(!cursor.in_key);
        assert_eq!(
            cursor.path,
            [
                key("scenarios"),
                Seg::Index(0),
                key("request"),
                key("invoke"),
                key("capability")
            ]
        );
        let cursor =
            at("scenarios:\n  - id: a\n    request: {invoke: {capability: fix$0ture.count}}\n");
        assert!(!cursor.in_key);
        assert_eq!(cursor.path.last(), Some(&key("capability")));
        assert_eq!(cursor.prefix, "fix");
    }

    #[test]
    fn an_item_of_a_list_of_scalars_and_a_new_scenario() {
        let cursor = at("scenarios:\n  - id: a\n  - id: b\n    prior:\n      - $0\n");
        assert!(!cursor.in_key || cursor.path.ends_with(&[key("prior"), Seg::Index(0)]));
        assert_eq!(
            &cursor.path[..3],
            [key("scenarios"), Seg::Index(1), key("prior")]
        );
        let cursor = at("scenarios:\n  - id: a\n  - $0\n");
        assert!(cursor.in_key);
        assert_eq!(cursor.path, [key("scenarios"), Seg::Index(1)]);
    }
}

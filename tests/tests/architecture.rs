//! The house rules, checked on the source tree: no cycles between sibling modules at any level, and
//! ARCHITECTURE.md names every module file (so the map matches the tree).

use scenario_lab_tests::repo_root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The source folders of the crates.
const CRATES: [&str; 4] = [
    "crates/core/src",
    "crates/scenario-lab/src",
    "crates/wasm/src",
    "web/src",
];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The module path of a file (`anip/runner.rs` -> `anip::runner`, `anip/mod.rs` -> `anip`).
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let mut path: Vec<String> = relative
        .components()
        .map(|c| {
            c.as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect();
    if path
        .last()
        .is_some_and(|l| ["mod", "lib", "main"].contains(&l.as_str()))
    {
        path.pop();
    }
    path
}

/// The file's own code, without its inline `#[cfg(test)] mod tests { … }` (whose `super::` is
/// the file itself).
fn own_code(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests {")
        .map_or(text, |end| &text[..end])
}

/// The paths a file names from `crate::`, `super::` and `self::`, resolved against `module`
/// (group imports `super::{a::X, b}` give one path per item).
fn referenced_paths(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("::") {
        let head_start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let head = &text[head_start..i];
        if !["crate", "super", "self"].contains(&head) {
            continue;
        }
        // Only the first segment of a path: `super::super::x` is read once, from its start.
        if head_start >= 2 && &text[head_start - 2..head_start] == "::" {
            continue;
        }
        let mut base: Vec<String> = match head {
            "crate" => Vec::new(),
            "self" => module.to_vec(),
            _ => module[..module.len().saturating_sub(1)].to_vec(),
        };
        let mut rest = &text[i + 2..];
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
        let offset = text.len() - rest.len();
        for tail in path_tails(&text[offset..]) {
            let mut path = base.clone();
            path.extend(tail);
            found.push(path);
        }
    }
    found
}

/// The identifier chains at the start of `rest` (`a::b::C`, or each item of `{a::X, b}`).
fn path_tails(rest: &str) -> Vec<Vec<String>> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut chain = Vec::new();
    let mut at = rest;
    loop {
        if let Some(group) = at.strip_prefix('{') {
            let mut depth = 1;
            let mut end = group.len();
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let mut items = Vec::new();
            let mut depth = 0;
            let mut item_start = 0;
            let inner = &group[..end];
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(inner[item_start..i].trim());
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
            items.push(inner[item_start..].trim());
            return items
                .into_iter()
                .filter(|item| !item.is_empty())
                .flat_map(path_tails)
                .map(|tail| chain.iter().cloned().chain(tail).collect())
                .collect();
        }
        let name = ident(at);
        if name.is_empty() {
            break;
        }
        at = &at[name.len()..];
        chain.push(name);
        match at.strip_prefix("::") {
            Some(next) => at = next,
            None => break,
        }
    }
    vec![chain]
}

/// The module graph of one crate at every level: an edge joins two sibling modules when code in
/// one (or below it) uses the other (or something below it). A child using its parent's own
/// items, and a parent its children, is no edge.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = rust_files(src);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_path(src, f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_path(src, file);
        if module.is_empty() {
            continue; // lib.rs, main.rs
        }
        graph.entry(module.join("::")).or_default();
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for path in referenced_paths(own_code(&text), &module) {
            // The longest prefix of the path that is a module file.
            let Some(target) = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains(p))
            else {
                continue;
            };
            let common = module
                .iter()
                .zip(&target)
                .take_while(|(a, b)| a == b)
                .count();
            if common == module.len() || common == target.len() {
                continue; // the module itself, an ancestor or a descendant
            }
            graph
                .entry(module[..=common].join("::"))
                .or_default()
                .insert(target[..=common].join("::"));
        }
    }
    graph
}

/// A cycle of the graph, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_a_module_cycle() {
    for krate in CRATES {
        let graph = module_graph(&repo_root().join(krate));
        assert!(!graph.is_empty(), "{krate} has modules");
        if let Some(cycle) = find_cycle(&graph) {
            panic!("{krate}: module cycle {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_module_map_names_every_module_file() {
    let map = std::fs::read_to_string(repo_root().join("ARCHITECTURE.md")).unwrap_or_default();
    let mut missing = Vec::new();
    for krate in CRATES {
        let src = repo_root().join(krate);
        for file in rust_files(&src) {
            let relative = file.strip_prefix(&src).unwrap_or(&file);
            let name = relative.to_string_lossy().replace(".rs", "");
            let name = name.trim_end_matches("/mod").to_owned();
            let stem = name.rsplit('/').next().unwrap_or_default().to_owned();
            if ["lib", "main"].contains(&stem.as_str()) {
                continue;
            }
            if !map.contains(&format!("`{name}`")) && !map.contains(&format!("`{stem}`")) {
                missing.push(format!("{krate}/{name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md does not name these modules: {missing:?}"
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph = BTreeMap::from([
        ("a".to_owned(), BTreeSet::from(["b".to_owned()])),
        ("b".to_owned(), BTreeSet::from(["a".to_owned()])),
    ]);
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
    let module = vec!["anip".to_owned(), "runner".to_owned()];
    assert_eq!(
        referenced_paths(
            "use crate::x::y;\nscenario_lab_core::z; use super::{client::{A, B}, expect};",
            &module
        ),
        vec![
            vec!["x".to_owned(), "y".to_owned()],
            vec!["anip".to_owned(), "client".to_owned(), "A".to_owned()],
            vec!["anip".to_owned(), "client".to_owned(), "B".to_owned()],
            vec!["anip".to_owned(), "expect".to_owned()],
        ]
    );
}

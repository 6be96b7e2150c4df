//! The house rules, checked on the source tree: no cycles between the modules of a crate, and
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

/// The top-level module a file belongs to (`checks/nearest.rs` -> `checks`).
fn top_module(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap_or(file);
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

/// `crate::x` references of a file (the top-level module `x` of each).
fn crate_references(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `scenario_lab_core::...` or another crate's path
        }
        let name: String = text[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            found.insert(name);
        }
    }
    found
}

/// The module graph of one crate: module -> the modules it uses.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(src) {
        let module = top_module(src, &file);
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let uses = crate_references(&text)
            .into_iter()
            .filter(|m| *m != module)
            .collect::<BTreeSet<_>>();
        graph.entry(module).or_default().extend(uses);
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
    assert_eq!(
        crate_references("use crate::x::y;\nscenario_lab_core::z; crate::Foo"),
        BTreeSet::from(["x".to_owned()])
    );
}

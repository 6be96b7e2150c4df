//! Benchmark: the editor in headless Chromium (tests/node/editor-bench.mjs): keystroke to painted
//! character and to painted diagnostics at 100 KB, 1 MB and 5 MB beside a bare `<textarea>`,
//! completion at 1 MB, and the bundle's gzipped size; writes `target/bench/editor.json`.
//! Run: `bash scripts/test.sh` once (it builds dist/ and installs playwright-core), then
//! `cargo build --release -p scenario-lab && cargo run --release -p scenario-lab-tests --bin editor_bench`.

use scenario_lab_tests::{built_editor, example_workspace, large_recipes, repo_root, start_demo};
use std::collections::BTreeMap;
use std::process::Command;

fn main() {
    let root = repo_root();
    let dist = built_editor();
    let workspace = example_workspace("editor-bench");
    let demo = start_demo(&workspace, Some(&dist), false);
    let sizes = [
        ("100KB", large_recipes("bench-100k", 100 * 1024)),
        ("1MB", large_recipes("bench-1m", 1024 * 1024)),
        ("5MB", large_recipes("bench-5m", 5 * 1024 * 1024)),
    ];
    let large: BTreeMap<&str, String> = sizes
        .iter()
        .map(|(label, dir)| (*label, dir.0.display().to_string()))
        .collect();
    let out = root.join("target/bench/editor.json");
    std::fs::create_dir_all(root.join("target/bench")).unwrap_or_else(|e| panic!("{e}"));
    let status = Command::new("node")
        .arg("editor-bench.mjs")
        .current_dir(root.join("tests/node"))
        .env("EDITOR_URL", &demo.editor)
        .env("DIST", &dist)
        .env(
            "LARGE",
            serde_json::to_string(&large).unwrap_or_else(|e| panic!("{e}")),
        )
        .env("OUT", &out)
        .status()
        .unwrap_or_else(|e| panic!("node: {e}"));
    assert!(status.success(), "the benchmark failed");
    println!("written: {}", out.display());
}

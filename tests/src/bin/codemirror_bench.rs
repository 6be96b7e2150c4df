//! Benchmark: @scenario-lab/codemirror in a fresh Vite app in headless Chromium
//! (tests/node/codemirror-bench.mjs): keystroke to painted character on a 1 MB recipe with the
//! README's snippet and with the bare editor, and keystroke to painted diagnostics; writes
//! `target/bench/codemirror.json`. Run `bash scripts/test.sh` once (it builds the npm packages
//! and installs playwright-core), then `cargo run --release -p scenario-lab-tests --bin codemirror_bench`.

use scenario_lab_tests::repo_root;
use scenario_lab_tests::vite_app::{app, preview};
use std::process::Command;

fn main() {
    let root = repo_root();
    let app = app();
    let served = preview(&app);
    let out = root.join("target/bench/codemirror.json");
    std::fs::create_dir_all(root.join("target/bench")).unwrap_or_else(|e| panic!("{e}"));
    let status = Command::new("node")
        .arg("codemirror-bench.mjs")
        .current_dir(root.join("tests/node"))
        .env("APP_URL", format!("{}/", served.url))
        .env("OUT", &out)
        .status()
        .unwrap_or_else(|e| panic!("node: {e}"));
    assert!(status.success(), "the benchmark failed");
    println!("written: {}", out.display());
}

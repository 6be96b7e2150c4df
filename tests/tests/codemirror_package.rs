//! @scenario-lab/codemirror as a dashboard would use it: a fresh Vite app (tests/vite-app, its
//! npm packages pinned by its lockfile) installs the package and @scenario-lab/preflight by path,
//! builds with `vite build`, and headless Chromium (tests/node/codemirror-package-e2e.mjs) sees
//! the lint mark, completion, hover and go to definition of the README's snippet.

use scenario_lab_tests::vite_app::{app, preview};
use scenario_lab_tests::{repo_root, text};
use std::process::Command;

#[test]
fn the_readme_snippet_works_in_a_fresh_vite_app() {
    let root = repo_root();
    let app = app();
    let served = preview(&app);
    let output = Command::new("node")
        .arg("codemirror-package-e2e.mjs")
        .current_dir(root.join("tests/node"))
        .env("APP_URL", format!("{}/", served.url))
        .env("SHOTS", root.join("target/e2e-artifacts/codemirror"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    let log = text(&output);
    println!("{log}");
    assert!(output.status.success(), "the browser test failed:\n{log}");
}

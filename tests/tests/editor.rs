//! The editor end to end: `scenario-lab demo` serves the Trunk-built editor (dist/) in front of the
//! embedded endpoint; Debian's Chromium, driven by playwright-core (tests/node/editor-e2e.mjs),
//! fixes a dangling `_ref`, validates, writes the recipes and records keystroke timings; a
//! planner copy opens and saves back; a live collision is diagnosed and reconciled.

use scenario_lab_tests::{
    built_editor, example_workspace, http, large_recipes, repo_root, start_demo,
};
use std::path::Path;
use std::process::Command;

#[test]
fn the_editor_fixes_validates_and_writes_through_the_proxy() {
    let root = repo_root();
    let dist = built_editor();
    let workspace = example_workspace("editor");
    let demo = start_demo(&workspace, Some(&dist), false);
    let port = demo.editor_port();

    // The page itself is served without the token; the API is not.
    let page = http(port, "GET", "/", &[], "");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.contains("scenario-lab-web"),
        "dist/index.html is served"
    );
    let no_token = http(port, "GET", "/api/workspace", &[], "");
    assert!(no_token.starts_with("HTTP/1.1 401"), "{no_token}");
    let bearer = format!("Bearer {}", demo.session_token());
    let foreign = http(
        port,
        "POST",
        "/api/validate",
        &[
            ("authorization", &bearer),
            ("origin", "http://evil.example"),
            ("content-type", "application/json"),
        ],
        "{}",
    );
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");

    let small = large_recipes("editor-100k", 100 * 1024);
    let big = large_recipes("editor-1m", 1024 * 1024);
    let shots = root.join("target/e2e-artifacts/editor");
    let timings = root.join("target/e2e-artifacts/editor-timings.json");
    let output = Command::new("node")
        .arg("editor-e2e.mjs")
        .current_dir(root.join("tests/node"))
        .env("EDITOR_URL", &demo.editor)
        .env("WORKSPACE", workspace.0.join("autonoma"))
        .env("SHOTS", &shots)
        .env("LARGE_100K", &small.0)
        .env("LARGE_1M", &big.0)
        .env("TIMINGS_OUT", &timings)
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    browser_passed(&output);
    for shot in [
        "03-unknown-ref.png",
        "05-validated.png",
        "06-review-written.png",
    ] {
        assert!(
            Path::new(&shots).join(shot).exists(),
            "screenshot {shot} saved"
        );
    }
    assert!(timings.exists(), "keystroke timings recorded");
}

#[test]
fn the_editor_opens_a_planner_copy_and_saves_recipe_json_back() {
    let root = repo_root();
    let dist = built_editor();
    let repo = scenario_lab_tests::TempDir::new("editor-planner");
    let folder = repo.0.join(".autonoma");
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
    let fixture = root.join("tests/fixtures/memory-board/.autonoma");
    for name in [
        "recipe.json",
        "scenarios.md",
        "entity-audit.md",
        "integration-prompt.md",
    ] {
        std::fs::copy(fixture.join(name), folder.join(name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let dist_arg = dist.to_string_lossy().into_owned();
    let serve =
        scenario_lab_tests::Serve::start(&repo.0, &["--port", "0", "--dist", &dist_arg], &[]);
    let url = serve.editor.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let output = Command::new("node")
        .arg("planner-e2e.mjs")
        .current_dir(root.join("tests/node"))
        .env("EDITOR_URL", &url)
        .env("WORKSPACE", &folder)
        .env("SHOTS", root.join("target/e2e-artifacts/editor"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    drop(serve);
    browser_passed(&output);
}

#[test]
fn the_editor_diagnoses_a_collision_and_reconciles_it_as_one_undo_step() {
    let root = repo_root();
    let dist = built_editor();
    let workspace = example_workspace("editor-reconcile");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let recipes = std::fs::read_to_string(&path).unwrap_or_default();
    let collided = recipes.replacen(
        "\"email\": \"adam.admin+{{testRunId}}@acme.test\"",
        "\"email\": \"{{owner_email}}\"",
        1,
    );
    assert_ne!(collided, recipes, "the example has the admin's email");
    std::fs::write(&path, collided).unwrap_or_else(|e| panic!("{e}"));
    let demo = start_demo(&workspace, Some(&dist), false);
    let output = Command::new("node")
        .arg("reconcile-e2e.mjs")
        .current_dir(root.join("tests/node"))
        .env("EDITOR_URL", &demo.editor)
        .env("WORKSPACE", workspace.0.join("autonoma"))
        .env("SHOTS", root.join("target/e2e-artifacts/editor"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    browser_passed(&output);
}

/// Prints a browser test's log and fails with it unless the script passed.
fn browser_passed(output: &std::process::Output) {
    let log = scenario_lab_tests::text(output);
    println!("{log}");
    assert!(output.status.success(), "the browser test failed:\n{log}");
}

//! The editor's Packs panel end to end: `scenario-lab demo` serves the editor with the ANIP
//! credentials in the proxy's environment, a real ANIP service answers, and Chromium
//! (tests/node/packs-e2e.mjs) checks a pack live, runs it and one scenario, and compares manifests.

use scenario_lab_tests::{
    ANIP_APPROVER_KEY, ANIP_REQUESTER_KEY, AnipService, anip_init, built_editor, example_workspace,
    http, repo_root, start_demo_with, text,
};
use std::process::Command;

#[test]
fn the_packs_panel_checks_runs_and_compares() {
    let root = repo_root();
    let dist = built_editor();
    let service = AnipService::start("", false);
    let drifting = AnipService::start("", true);
    let workspace = example_workspace("packs-editor");
    anip_init(&workspace.0, &service);
    let credentials = [
        ("ANIP_BEARER", ANIP_REQUESTER_KEY),
        ("ANIP_APPROVER_BEARER", ANIP_APPROVER_KEY),
    ];
    let demo = start_demo_with(&workspace, Some(&dist), false, &credentials);

    // The API lists the pack and refuses names outside the packs folder.
    let bearer = format!("Bearer {}", demo.session_token());
    let port = demo.editor_port();
    let listed = http(port, "GET", "/api/packs", &[("authorization", &bearer)], "");
    assert!(
        listed.starts_with("HTTP/1.1 200") && listed.contains("starter.pack.yaml"),
        "{listed}"
    );
    let escape = http(
        port,
        "PUT",
        "/api/packs/..%2Fautonoma%2Fx.pack.yaml",
        &[("authorization", &bearer)],
        "x",
    );
    assert!(escape.starts_with("HTTP/1.1 400"), "{escape}");

    let shots = root.join("target/e2e-artifacts/packs");
    let output = Command::new("node")
        .arg("packs-e2e.mjs")
        .current_dir(root.join("tests/node"))
        .env("EDITOR_URL", &demo.editor)
        .env("PARITY_URLS", format!("{} {}", service.url, drifting.url))
        .env("SHOTS", &shots)
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    let log = text(&output);
    println!("{log}");
    assert!(output.status.success(), "the browser test failed:\n{log}");
    assert!(
        !log.contains(ANIP_REQUESTER_KEY),
        "no credential reaches the page"
    );
}

#[test]
fn the_demo_opens_the_packs_tab_on_a_pack_that_runs_and_passes() {
    let root = repo_root();
    let dist = built_editor();
    // A fresh demo: no pack, no credential in its environment.
    let workspace = example_workspace("packs-demo");
    let demo = start_demo_with(&workspace, Some(&dist), false, &[]);
    assert!(
        workspace.0.join("anip/starter.pack.yaml").is_file(),
        "the demo writes its service's starter pack"
    );
    let output = Command::new("node")
        .arg("demo-packs-e2e.mjs")
        .current_dir(root.join("tests/node"))
        .env("EDITOR_URL", &demo.editor)
        .env("SHOTS", root.join("target/e2e-artifacts/demo-packs"))
        .output()
        .unwrap_or_else(|e| panic!("node: {e}"));
    let log = text(&output);
    println!("{log}");
    assert!(output.status.success(), "the browser test failed:\n{log}");
}

//! Hostile and broken endpoints, served by a real misbehaving HTTP server, and hostile files:
//! every answer ends cleanly with a clear message, in bounded memory, and nothing an endpoint or
//! a file sends drives the terminal.

use scenario_lab_tests::hostile::{HostileEndpoint, Misbehaviour};
use scenario_lab_tests::{
    SHARED_SECRET, SIGNING_SECRET, binary, example_workspace, start_demo, text,
};
use std::path::Path;
use std::process::{Command, Output};

/// Runs `scenario-lab` with its address space limited to `limit_mb` (a run that builds a tree
/// many times the answer's size dies instead of passing).
fn limited(cwd: &Path, args: &[&str], limit_mb: usize) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", limit_mb * 1024))
        .arg(binary())
        .args(args)
        .current_dir(cwd)
        .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
        .env("AUTONOMA_SIGNING_SECRET", SIGNING_SECRET)
        .env_remove("AUTONOMA_SDK_ENDPOINT")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_answer_of_millions_of_tiny_arrays_is_refused_before_a_tree_is_built() {
    let endpoint = HostileEndpoint::start(Misbehaviour::NestedArrays { mb: 24 });
    let workspace = example_workspace("nested-arrays");
    let output = limited(
        &workspace.0,
        &["discover", "--endpoint", &endpoint.url],
        1024,
    );
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        text(&output).contains("more than 1600000 JSON values")
            && text(&output).contains("--max-answer-mb"),
        "{}",
        text(&output)
    );
}

#[test]
fn an_answer_larger_than_the_limit_is_refused_at_the_limit() {
    let endpoint = HostileEndpoint::start(Misbehaviour::Huge { mb: 300 });
    let workspace = example_workspace("huge");
    let output = limited(
        &workspace.0,
        &["discover", "--endpoint", &endpoint.url],
        1024,
    );
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    assert!(
        text(&output).contains("larger than 32 MB (raise the limit with --max-answer-mb)"),
        "{}",
        text(&output)
    );
}

#[test]
fn a_slow_drip_is_reported_as_a_timeout() {
    let endpoint = HostileEndpoint::start(Misbehaviour::SlowDrip);
    let workspace = example_workspace("drip");
    let output = limited(
        &workspace.0,
        &[
            "discover",
            "--endpoint",
            &endpoint.url,
            "--timeout-discover",
            "2",
        ],
        2048,
    );
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let printed = text(&output);
    assert!(
        printed.contains("within 2 s (timed out while the body was still arriving)"),
        "{printed}"
    );
    assert!(!printed.contains("non-JSON"), "{printed}");
}

#[test]
fn terminal_escapes_from_an_endpoint_are_printed_escaped() {
    let endpoint = HostileEndpoint::start(Misbehaviour::Escapes);
    let workspace = example_workspace("escapes");
    for args in [
        vec!["validate", "--endpoint", endpoint.url.as_str()],
        vec!["discover", "--endpoint", endpoint.url.as_str()],
        vec!["conformance", "--endpoint", endpoint.url.as_str()],
    ] {
        let output = limited(&workspace.0, &args, 2048);
        let printed = text(&output);
        assert!(
            !printed.contains('\u{1b}') && !printed.contains('\u{7}'),
            "{args:?}: {printed:?}"
        );
        assert!(printed.contains("\\u{1b}[2J"), "{args:?}: {printed}");
    }
}

#[test]
fn terminal_escapes_in_workspace_files_are_printed_escaped() {
    let workspace = example_workspace("file-escapes");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let recipes = std::fs::read_to_string(&path).unwrap_or_default();
    // An escaped ESC in an alias (valid JSON), and raw control bytes in a string (invalid).
    let hostile = recipes.replacen(
        "\"_ref\": \"org\"",
        "\"_ref\": \"\\u001b]0;pwned\\u0007\"",
        1,
    );
    std::fs::write(&path, &hostile).unwrap_or_else(|e| panic!("{e}"));
    let output = limited(&workspace.0, &["preflight"], 2048);
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\u{7}'),
        "{printed:?}"
    );
    assert!(printed.contains("\\u{1b}]0;pwned\\u{7}"), "{printed}");
    let raw = recipes.replacen("Acme Corp", "Acme\u{1b}[2J\rCorp", 1);
    std::fs::write(&path, &raw).unwrap_or_else(|e| panic!("{e}"));
    let output = limited(&workspace.0, &["preflight"], 2048);
    let printed = text(&output);
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\r'),
        "{printed:?}"
    );
}

#[test]
fn a_redirect_to_another_host_is_named_in_the_terminal_summary() {
    let workspace = example_workspace("redirect");
    let demo = start_demo(&workspace, None, false);
    let other_host = demo.endpoint.replace("127.0.0.1", "localhost");
    let endpoint = HostileEndpoint::start(Misbehaviour::RedirectTo {
        location: other_host.clone(),
    });
    let output = limited(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &endpoint.url,
            "--scenario",
            "empty",
            "--no-conformance",
        ],
        2048,
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "the endpoint redirected every request to {other_host}"
        )),
        "{stdout}"
    );
}

#[test]
fn a_pack_path_nested_fifty_thousand_deep_is_an_error_not_a_stack_overflow() {
    let dir = scenario_lab_tests::TempDir::new("deep-path");
    let deep = format!("$[?{}@.a{}]", "(".repeat(50_000), ")".repeat(50_000));
    let pack = dir.0.join("deep.pack.yaml");
    std::fs::write(
        &pack,
        format!(
            "format: scenario-pack/v1\nscenarios:\n  - id: a\n    capture: {{g: \"{deep}\"}}\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = limited(&dir.0, &["anip", "check", &pack.to_string_lossy()], 2048);
    let printed = text(&output);
    let start: String = printed.chars().take(2000).collect();
    // Exit 1 (findings), not a signal: before, serde_json_path's parser overflowed the stack.
    assert_eq!(output.status.code(), Some(1), "{start}");
    assert!(
        printed.contains("pack/json-path") && printed.contains("nests"),
        "{start}"
    );
}

//! The `scenario-lab preflight` binary as a user runs it: exit codes, formats, `--output`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scenario-lab"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("scenario-lab runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn reference_example_passes_with_exit_0() {
    let output = run(&["preflight", "--dir", "examples/autonoma"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("preflight passed: 0 errors, 0 warnings"));
}

#[test]
fn errors_exit_1_with_rustc_style_positions() {
    let output = run(&[
        "preflight",
        "--dir",
        "tests/fixtures/preflight/invalid/recipe-unknown-alias",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("error[recipe/unknown-alias]: `_ref` to unknown alias \"olivai\""),
        "{text}"
    );
    assert!(
        text.contains(
            "--> tests/fixtures/preflight/invalid/recipe-unknown-alias/scenario-recipes.json:"
        ),
        "{text}"
    );
    assert!(text.contains("= help: did you mean `olivia`?"), "{text}");
}

#[test]
fn warnings_alone_exit_0() {
    let output = run(&[
        "preflight",
        "--dir",
        "tests/fixtures/preflight/invalid/recipes-missing-required-recipe",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("warning[recipes/missing-required-recipe]"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        run(&["preflight", "--dir", "no/such/folder"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["preflight", "--dir", "crates"]).status.code(),
        Some(2),
        "a folder without recipes"
    );
    assert_eq!(
        run(&["preflight", "--format", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn json_report_has_one_based_positions() {
    let output = run(&[
        "preflight",
        "--dir",
        "tests/fixtures/preflight/invalid/recipe-unknown-alias",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let first = &report["diagnostics"][0];
    assert_eq!(first["code"], "recipe/unknown-alias");
    assert_eq!(first["severity"], "error");
    assert!(first["line"].as_u64().is_some_and(|l| l > 1));
    assert!(first["column"].as_u64().is_some_and(|c| c > 1));
    assert!(first["endColumn"].as_u64() > first["column"].as_u64());
    assert_eq!(report["summary"]["errors"], 1);
}

#[test]
fn junit_report_goes_to_the_output_file() {
    let out = std::env::temp_dir().join(format!("scenario-lab-junit-{}.xml", std::process::id()));
    let output = run(&[
        "preflight",
        "--dir",
        "tests/fixtures/preflight/invalid/recipe-cycle",
        "--format",
        "junit",
        "--output",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty(), "the report goes to the file");
    let xml = std::fs::read_to_string(&out).expect("report written");
    let _ = std::fs::remove_file(&out);
    assert!(xml.contains("<testsuite name=\"preflight\""), "{xml}");
    assert!(xml.contains("error[recipe/cycle]"), "{xml}");
}

#[test]
fn fix_repairs_the_files_and_reports_what_is_left() {
    let dir = std::env::temp_dir().join(format!("scenario-lab-fix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let source = root().join("tests/fixtures/preflight/invalid/recipe-unknown-alias");
    for entry in std::fs::read_dir(&source).expect("fixture").flatten() {
        if !entry.file_name().to_string_lossy().ends_with(".snap") {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
        }
    }
    let dir_arg = dir.display().to_string();
    let output = run(&["preflight", "--fix", "--dir", &dir_arg]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{}{stderr}", stdout(&output));
    assert!(stderr.contains("fixed 1 problem(s) in"), "{stderr}");
    let recipes = std::fs::read_to_string(dir.join("scenario-recipes.json")).expect("recipes");
    assert!(recipes.contains(r#""_ref": "olivia""#) && !recipes.contains("olivai"));
    let again = run(&["preflight", "--fix", "--dir", &dir_arg]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("no quick fix to apply"));
    let _ = std::fs::remove_dir_all(dir);
}

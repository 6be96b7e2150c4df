//! Times the language service on a recipes file (with the example discover, scenarios and audit):
//! `cargo run --release -p scenario-lab-core --example time_language -- FILE [RUNS]`.
//! Prints the fastest completion and hover at the first and the last `_ref` value, in
//! milliseconds.
#![allow(clippy::disallowed_methods)] // an executable at the edge: it reads a file and the clock

use scenario_lab_core::{FileKind, Workspace, language};

fn best(runs: u32, mut f: impl FnMut()) -> f64 {
    f();
    (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench/large.json".into());
    let runs: u32 = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let recipes = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let workspace = Workspace {
        recipes: Some(&recipes),
        discover: Some(include_str!("../../../examples/autonoma/discover.json")),
        scenarios: Some(include_str!("../../../examples/autonoma/scenarios.md")),
        entity_audit: Some(include_str!("../../../examples/autonoma/entity-audit.md")),
        validation: None,
    };
    let first = recipes.find("\"_ref\": \"").map_or(0, |i| i + 9);
    let last = recipes.rfind("\"_ref\": \"").map_or(0, |i| i + 9);
    for (name, at) in [("first", first), ("last", last)] {
        let complete = best(runs, || {
            std::hint::black_box(language::complete(&workspace, FileKind::Recipes, at));
        });
        let hover = best(runs, || {
            std::hint::black_box(language::hover(&workspace, FileKind::Recipes, at));
        });
        println!("{name} `_ref`: complete {complete:.3} ms, hover {hover:.3} ms");
    }
}

//! Times the whole preflight on a recipes file (with the example discover, scenarios and audit):
//! `cargo run --release -p scenario-lab-core --example time_preflight -- FILE [RUNS]`.
//! Prints the fastest run in milliseconds (robust on a noisy machine); the wasm bench compares
//! Node against it.
#![allow(clippy::disallowed_methods)] // an executable at the edge: it reads a file and the clock

use scenario_lab_core::{Workspace, preflight};

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
    for _ in 0..3 {
        std::hint::black_box(preflight(&workspace));
    }
    let mut best = f64::MAX;
    for _ in 0..runs {
        let start = std::time::Instant::now();
        std::hint::black_box(preflight(&workspace));
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    println!("{best:.3}");
}

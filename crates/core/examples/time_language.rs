//! Times the language service on a recipes file (with the example discover, scenarios and audit):
//! `cargo run --release -p scenario-lab-core --example time_language -- FILE [RUNS]`.
//! Prints the fastest completion and hover at the first and the last `_ref` value, in
//! milliseconds.
#![allow(clippy::disallowed_methods)] // an executable at the edge: it reads a file and the clock

mod bench_input;

use scenario_lab_core::{FileKind, language};

fn main() {
    let (recipes, runs) = bench_input::args();
    let workspace = bench_input::workspace(&recipes);
    let first = recipes.find("\"_ref\": \"").map_or(0, |i| i + 9);
    let last = recipes.rfind("\"_ref\": \"").map_or(0, |i| i + 9);
    for (name, at) in [("first", first), ("last", last)] {
        let complete = bench_input::best(1, runs, || {
            std::hint::black_box(language::complete(&workspace, FileKind::Recipes, at));
        });
        let hover = bench_input::best(1, runs, || {
            std::hint::black_box(language::hover(&workspace, FileKind::Recipes, at));
        });
        println!("{name} `_ref`: complete {complete:.3} ms, hover {hover:.3} ms");
    }
}

//! Times the whole preflight on a recipes file (with the example discover, scenarios and audit):
//! `cargo run --release -p scenario-lab-core --example time_preflight -- FILE [RUNS]`.
//! Prints the fastest run in milliseconds (robust on a noisy machine); the wasm bench compares
//! Node against it.
#![allow(clippy::disallowed_methods)] // an executable at the edge: it reads a file and the clock

mod bench_input;

use scenario_lab_core::preflight;

fn main() {
    let (recipes, runs) = bench_input::args();
    let workspace = bench_input::workspace(&recipes);
    let best = bench_input::best(3, runs, || {
        std::hint::black_box(preflight(&workspace));
    });
    println!("{best:.3}");
}

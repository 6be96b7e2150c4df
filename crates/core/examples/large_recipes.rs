//! Prints the generated benchmark recipes file: `cargo run -p scenario-lab-core --example large_recipes [PROJECTS]`.
#![allow(clippy::disallowed_methods)] // an executable at the edge: it may read its arguments

fn main() {
    let projects = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1250);
    println!("{}", scenario_lab_core::sample::large_recipes(projects));
}

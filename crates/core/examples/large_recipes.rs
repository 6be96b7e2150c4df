//! Prints the generated benchmark recipes file:
//! `cargo run -p scenario-lab-core --example large_recipes -- [PROJECTS] [--minified] [--broken]`.
//! `--minified` writes it on one line (as `JSON.stringify` does); `--broken` (minified)
//! misspells the assignee `_ref` of every task, so that the file has one diagnostic per task; `--keys N` gives
//! the first organization N unknown fields (one diagnostic each, all on one line when minified).
#![allow(clippy::disallowed_methods)] // an executable at the edge: it may read its arguments

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let projects = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1250);
    let keys: usize = args
        .iter()
        .position(|a| a == "--keys")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(0);
    let projects = if keys > 0 { 1 } else { projects };
    let mut text = scenario_lab_core::sample::large_recipes(projects);
    if keys > 0 || args.iter().any(|a| a == "--minified") {
        let mut value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("generated JSON: {e}"));
        if let Some(org) = value["recipes"][0]["create"]["Organization"][0].as_object_mut() {
            for i in 0..keys {
                org.insert(format!("unknownField{i}"), serde_json::json!(i));
            }
        }
        text = value.to_string();
    }
    if args.iter().any(|a| a == "--broken") {
        text = scenario_lab_core::sample::minified_broken_recipes(projects);
    }
    println!("{text}");
}

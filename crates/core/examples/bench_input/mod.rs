//! What the timing examples share: the recipes file and run count from the arguments, the
//! example workspace around the recipes, and the fastest of several runs.

use scenario_lab_core::Workspace;

/// The recipes text (`FILE`, default `target/bench/large.json`) and the number of runs (`RUNS`,
/// default 20) from the arguments.
pub(crate) fn args() -> (String, u32) {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/bench/large.json".into());
    let runs = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let recipes = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (recipes, runs)
}

/// `recipes` with the example discover, scenarios and audit.
pub(crate) fn workspace(recipes: &str) -> Workspace<'_> {
    Workspace {
        recipes: Some(recipes),
        discover: Some(include_str!("../../../../examples/autonoma/discover.json")),
        scenarios: Some(include_str!("../../../../examples/autonoma/scenarios.md")),
        entity_audit: Some(include_str!(
            "../../../../examples/autonoma/entity-audit.md"
        )),
        validation: None,
        layout: scenario_lab_core::dialect::Layout::default(),
    }
}

/// The fastest of `runs` runs of `f` in milliseconds, after `warmup` unmeasured ones (robust on
/// a noisy machine).
pub(crate) fn best(warmup: u32, runs: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..warmup {
        f();
    }
    (0..runs)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::MAX, f64::min)
}

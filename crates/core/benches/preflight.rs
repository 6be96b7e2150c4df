//! Whole-preflight throughput (parse + every check) on the reference example and on a generated
//! recipes file of more than 1 MB and 5,000 records. Run: `cargo bench -p scenario-lab-core`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scenario_lab_core::{Workspace, preflight, sample};
use std::hint::black_box;

const RECIPES: &str = include_str!("../../../examples/autonoma/scenario-recipes.json");
const DISCOVER: &str = include_str!("../../../examples/autonoma/discover.json");
const SCENARIOS: &str = include_str!("../../../examples/autonoma/scenarios.md");
const AUDIT: &str = include_str!("../../../examples/autonoma/entity-audit.md");

fn workspace(recipes: &str) -> Workspace<'_> {
    Workspace {
        recipes: Some(recipes),
        discover: Some(DISCOVER),
        scenarios: Some(SCENARIOS),
        entity_audit: Some(AUDIT),
        validation: None,
        layout: scenario_lab_core::dialect::Layout::default(),
    }
}

fn bench(c: &mut Criterion) {
    let large = sample::large_recipes(1250);
    let records = 3 + 1250 * 5;
    eprintln!(
        "generated recipes: {} bytes, {} records in `large`",
        large.len(),
        records
    );
    let report = preflight(&workspace(&large));
    eprintln!(
        "large file: {} errors, {} warnings (count mismatches with scenarios.md are expected)",
        report.errors(),
        report.warnings()
    );
    let mut group = c.benchmark_group("preflight");
    group.throughput(Throughput::Bytes(
        (RECIPES.len() + DISCOVER.len() + SCENARIOS.len() + AUDIT.len()) as u64,
    ));
    group.bench_function("reference-example", |b| {
        b.iter(|| preflight(black_box(&workspace(RECIPES))));
    });
    group.throughput(Throughput::Bytes(large.len() as u64));
    group.bench_function("generated-1mb", |b| {
        b.iter(|| preflight(black_box(&workspace(&large))));
    });
    group.bench_function("generated-1mb-json-tree-only", |b| {
        b.iter(|| {
            scenario_lab_core::json::parse(scenario_lab_core::FileKind::Recipes, black_box(&large))
        });
    });
    // One line, 5 MB, 24,000 diagnostics: position lookups and suggestions must not rescan.
    let minified = sample::minified_broken_recipes(8000);
    eprintln!("minified broken recipes: {} bytes", minified.len());
    group.throughput(Throughput::Bytes(minified.len() as u64));
    group.bench_function("minified-5mb-24k-diagnostics", |b| {
        b.iter(|| preflight(black_box(&workspace(&minified))));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);

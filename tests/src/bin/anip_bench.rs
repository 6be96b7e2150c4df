//! Benchmark: `anip run`'s own overhead over the raw HTTP round trips it makes, per scenario, and
//! a whole starter-pack run's wall time, against the real ANIP service.
//! Run: `cargo build --release -p scenario-lab && cargo run --release -p scenario-lab-tests --bin anip_bench`
//! (after scripts/test.sh has made target/anip-venv).

use scenario_lab_tests::{ANIP_REQUESTER_KEY, AnipService, TempDir, anip, anip_init, text};
use serde_json::Value;
use std::time::Instant;

fn main() {
    let service = AnipService::start("", false);
    let dir = TempDir::new("anip-bench");
    anip_init(&dir.0, &service);
    let mut overheads = Vec::new();
    let mut walls = Vec::new();
    let mut per_scenario: Vec<f64> = Vec::new();
    for round in 1..=7 {
        let started = Instant::now();
        let args = [
            "run",
            "anip/starter.pack.yaml",
            "--report-json",
            "report.json",
        ];
        let out = anip(&dir.0, &args, ANIP_REQUESTER_KEY);
        let wall = started.elapsed().as_secs_f64() * 1000.0;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.0.join("report.json")).unwrap_or_default(),
        )
        .unwrap_or_default();
        let runs = report["services"][0]["scenarios"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let busy: f64 = runs
            .iter()
            .map(|r| r["busy_us"].as_f64().unwrap_or(0.0))
            .sum();
        let http: f64 = runs
            .iter()
            .map(|r| r["http_us"].as_f64().unwrap_or(0.0))
            .sum();
        for run in &runs {
            let (b, h) = (
                run["busy_us"].as_f64().unwrap_or(0.0),
                run["http_us"].as_f64().unwrap_or(0.0),
            );
            if h > 0.0 {
                per_scenario.push((b - h) / h * 100.0);
            }
        }
        if round == 7 {
            print_worst(&runs);
        }
        let overhead = (busy - http) / http * 100.0;
        println!(
            "round {round}: {} scenarios, wall {wall:.0} ms (2 s of it the expiry wait), busy {:.1} ms, HTTP {:.1} ms, overhead {overhead:.1}%",
            runs.len(),
            busy / 1000.0,
            http / 1000.0
        );
        overheads.push(overhead);
        walls.push(wall);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let p95 = per_scenario.clone();
    let mut p95 = p95;
    p95.sort_by(f64::total_cmp);
    println!(
        "median overhead over the HTTP round trips: {:.1}% over the run, {:.1}% per scenario (p95 {:.1}%) (target <= 10%); median wall time of a starter-pack run: {:.0} ms",
        median(&mut overheads),
        median(&mut per_scenario.clone()),
        p95[p95.len() * 95 / 100],
        median(&mut walls)
    );
}

/// The three scenarios with the highest share of time outside HTTP.
fn print_worst(runs: &[Value]) {
    let mut worst: Vec<(f64, String, f64)> = runs
        .iter()
        .map(|r| {
            let busy = r["busy_us"].as_f64().unwrap_or(0.0);
            let http = r["http_us"].as_f64().unwrap_or(1.0);
            (
                (busy - http) / http * 100.0,
                r["id"].as_str().unwrap_or_default().to_owned(),
                busy - http,
            )
        })
        .collect();
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (pct, id, us) in worst.iter().take(3) {
        println!("  highest overhead: {id}: {pct:.1}% ({us:.0} µs outside HTTP)");
    }
}

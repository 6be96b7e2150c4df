//! Benchmark: validate's wall time on the `large` scenario against the bare signed up + down it
//! contains, on the real Python SDK app and PostgreSQL; and the queries issued per phase.
//! Run: `cargo build --release -p scenario-lab && cargo run --release -p scenario-lab-tests --bin lifecycle_bench`
//! (after scripts/test.sh has made target/venv).

use scenario_lab_tests::{
    EndpointApp, Postgres, SHARED_SECRET, example_workspace, scenario_lab, sqlalchemy_url, text,
};
use serde_json::Value;

fn main() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("bench");
    let report_path = workspace.0.join("report.json");
    let mut overheads = Vec::new();
    for round in 1..=5 {
        let output = scenario_lab(
            &workspace.0,
            &[
                "validate",
                "--endpoint",
                &app.url,
                "--database-url",
                &pg.url,
                "--scenario",
                "large",
                "--no-conformance",
                "--iteration",
                &round.to_string(),
                "--report-json",
                report_path.to_str().unwrap_or_default(),
            ],
            SHARED_SECRET,
        );
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap_or_default())
                .unwrap_or_default();
        let run = &report["scenarios"][0];
        let up = run["up_ms"].as_f64().unwrap_or(0.0);
        let down = run["down_ms"].as_f64().unwrap_or(0.0);
        let wall = run["wall_ms"].as_f64().unwrap_or(0.0);
        let overhead = (wall - up - down) / (up + down) * 100.0;
        overheads.push(overhead);
        println!(
            "round {round}: wall {wall:.0} ms, up {up:.0} ms + down {down:.0} ms, overhead {overhead:.1}%, queries {}",
            run["queries"]
        );
    }
    overheads.sort_by(f64::total_cmp);
    println!(
        "median overhead of validate over the bare signed up+down: {:.1}% (target <= 15%)",
        overheads[overheads.len() / 2]
    );
}

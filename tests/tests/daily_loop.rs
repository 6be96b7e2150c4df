//! The daily loop: `preflight --watch`, keeping a scenario up (`up`, `pending`, `down --run`) and
//! the reaper, against the real Python SDK app on PostgreSQL.

use scenario_lab::database::ReadOnlyDb;
use scenario_lab_tests::{
    EndpointApp, Postgres, SHARED_SECRET, SIGNING_SECRET, TempDir, binary, example_workspace,
    scenario_lab, sqlalchemy_url, text,
};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Row counts of every table of `url`.
fn counts(url: &str) -> BTreeMap<String, i64> {
    let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        let db = ReadOnlyDb::connect(url)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let tables: Vec<String> = db
            .catalog()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_keys()
            .collect();
        db.counts(&tables).await.unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Waits for a line of `lines` containing `wanted` (the lines read so far on failure).
fn wait_for(lines: &mpsc::Receiver<String>, wanted: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
            let found = line.contains(wanted);
            seen.push(line);
            if found {
                return;
            }
        }
    }
    panic!("no line with {wanted:?} in {seen:#?}");
}

#[test]
fn watch_reruns_on_every_change_and_ctrl_c_exits_0() {
    let workspace = example_workspace("watch");
    let dir = workspace.0.join("autonoma");
    let mut child = Command::new(binary())
        .args(["preflight", "--watch", "--dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let mut seen = Vec::new();
    wait_for(&lines, "preflight passed; watching", &mut seen);
    let recipes = dir.join("scenario-recipes.json");
    let text_before = std::fs::read_to_string(&recipes).unwrap_or_default();
    std::fs::write(
        &recipes,
        text_before.replacen("\"_ref\": \"olivia\"", "\"_ref\": \"olivai\"", 1),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    wait_for(&lines, "unknown alias \"olivai\"", &mut seen);
    wait_for(&lines, "preflight failed; watching", &mut seen);
    // An editor that saves by writing a new file and renaming it over the old one.
    let staged = dir.join(".scenario-recipes.json.swp");
    std::fs::write(&staged, &text_before).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(&staged, &recipes).unwrap_or_else(|e| panic!("{e}"));
    wait_for(&lines, "preflight passed; watching", &mut seen);
    // Deleted, then created again.
    std::fs::remove_file(&recipes).unwrap_or_else(|e| panic!("{e}"));
    wait_for(&lines, "preflight could not run", &mut seen);
    std::fs::write(&recipes, &text_before).unwrap_or_else(|e| panic!("{e}"));
    wait_for(&lines, "preflight passed; watching", &mut seen);
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0), "{seen:#?}");
}

fn ledger_text(workspace: &TempDir) -> String {
    std::fs::read_to_string(workspace.0.join("autonoma/.scenario-lab/pending.json"))
        .unwrap_or_default()
}

#[test]
fn a_kept_scenario_stays_up_until_down_run() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("keep");
    let before = counts(&pg.url);
    let up = scenario_lab(
        &workspace.0,
        &["up", "--scenario", "standard", "--endpoint", &app.url],
        SHARED_SECRET,
    );
    let printed = text(&up);
    assert_eq!(up.status.code(), Some(0), "{printed}");
    let run_id = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("run id: "))
        .unwrap_or_else(|| panic!("no run id in {printed}"))
        .to_owned();
    assert!(printed.contains("****("), "auth is masked: {printed}");
    assert!(printed.contains("belongs to User"), "{printed}");
    assert!(printed.contains("records: Member 3"), "{printed}");
    assert!(
        printed.contains(&format!("scenario-lab down --run {run_id}")),
        "{printed}"
    );
    assert!(
        !printed.contains("Test1234!"),
        "no secret value is printed: {printed}"
    );
    assert_ne!(
        counts(&pg.url),
        before,
        "the rows are there while the run is kept"
    );

    let pending = scenario_lab(&workspace.0, &["pending"], SHARED_SECRET);
    let listed = text(&pending);
    assert!(
        listed.contains(&run_id) && listed.contains("kept"),
        "{listed}"
    );
    assert!(
        !listed.contains("eyJ"),
        "no refs token is printed: {listed}"
    );
    assert!(ledger_text(&workspace).contains("\"kept\": true"));

    // A validation meanwhile does not reap a kept run.
    let validate = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &app.url,
            "--scenario",
            "empty",
            "--no-conformance",
        ],
        SHARED_SECRET,
    );
    assert_eq!(validate.status.code(), Some(0), "{}", text(&validate));
    assert!(ledger_text(&workspace).contains(&run_id));

    let down = scenario_lab(
        &workspace.0,
        &["down", "--run", &run_id, "--endpoint", &app.url],
        SHARED_SECRET,
    );
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert_eq!(counts(&pg.url), before, "the rows are gone after down");
    assert!(ledger_text(&workspace).is_empty());
}

#[test]
fn a_killed_validation_is_reaped_by_the_next_one_and_the_database_is_as_before() {
    let pg = Postgres::start();
    let app = EndpointApp::start(&sqlalchemy_url(&pg.url), "");
    let workspace = example_workspace("reaper");
    let before = counts(&pg.url);
    // A validation that hangs right after up, then is killed with SIGKILL.
    let mut crashed = Command::new(binary())
        .args([
            "validate",
            "--endpoint",
            &app.url,
            "--scenario",
            "standard",
            "--no-conformance",
        ])
        .current_dir(&workspace.0)
        .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
        .env("AUTONOMA_SIGNING_SECRET", SIGNING_SECRET)
        .env("FAILPOINTS", "after-up=sleep(60000)")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ledger_text(&workspace).contains("in progress") {
        assert!(
            Instant::now() < deadline,
            "the token never reached the ledger"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = crashed.kill();
    let _ = crashed.wait();
    assert_ne!(counts(&pg.url), before, "the crashed run left its rows");
    let run_id = ledger_text(&workspace)
        .split("\"testRunId\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();

    let next = scenario_lab(
        &workspace.0,
        &[
            "validate",
            "--endpoint",
            &app.url,
            "--scenario",
            "empty",
            "--no-conformance",
        ],
        SHARED_SECRET,
    );
    let printed = text(&next);
    assert_eq!(next.status.code(), Some(0), "{printed}");
    assert!(
        printed.contains(&format!("reaped {run_id} (standard)")),
        "{printed}"
    );
    assert_eq!(counts(&pg.url), before, "exactly as before the crashed run");
    assert!(ledger_text(&workspace).is_empty());
}

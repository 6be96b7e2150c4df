//! A fresh Vite app (tests/vite-app, its npm packages pinned by its lockfile) with
//! @scenario-lab/codemirror, @scenario-lab/preflight and @scenario-lab/packs installed from their built folders as
//! tarballs, the example workspace and a 1 MB recipe in `src/`, built and served; for the
//! package's browser test and its benchmark.

use crate::{Running, free_port, repo_root, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Vite's command, inside the app.
const VITE: &str = "node_modules/vite/bin/vite.js";

/// Copies `from` into `to`, `node_modules` and `dist` left out.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).into_iter().flatten().flatten() {
        let name = entry.file_name();
        if name == "node_modules" || name == "dist" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}:\n{}", text(&out));
}

/// The npm packages the app installs, as tarballs (`npm pack`): copied into the app like a
/// registry's would be, so the app resolves CodeMirror from its own node_modules.
fn tarballs(app: &Path) -> Vec<String> {
    let root = repo_root();
    let packed = app.join("packed");
    std::fs::create_dir_all(&packed).unwrap_or_else(|e| panic!("{e}"));
    run(
        &root,
        "bash",
        &["web/editor/build-package.sh", "target/npm-codemirror"],
    );
    let mut files = Vec::new();
    for dir in ["target/npm", "target/npm-packs", "target/npm-codemirror"] {
        let dir = root.join(dir);
        assert!(
            dir.join("package.json").is_file(),
            "{} is not built: run `bash scripts/test.sh` (it builds the npm packages first)",
            dir.display()
        );
        let out = Command::new("npm")
            .args(["pack", "--silent", "--pack-destination"])
            .arg(&packed)
            .arg(&dir)
            .output()
            .unwrap_or_else(|e| panic!("npm pack: {e}"));
        assert!(out.status.success(), "npm pack: {}", text(&out));
        let name = String::from_utf8_lossy(&out.stdout)
            .trim()
            .lines()
            .last()
            .unwrap_or_default()
            .to_owned();
        files.push(format!("./packed/{name}"));
    }
    files
}

/// The app: a fresh copy of tests/vite-app with the example workspace in `src/`.
pub fn app() -> PathBuf {
    let root = repo_root();
    let app = root.join("target/e2e/vite-app");
    let _ = std::fs::remove_dir_all(app.join("src"));
    copy_dir(&root.join("tests/vite-app"), &app);
    for name in [
        "scenario-recipes.json",
        "discover.json",
        "scenarios.md",
        "entity-audit.md",
    ] {
        std::fs::copy(
            root.join("examples/autonoma").join(name),
            app.join("src").join(name),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let mut large = scenario_lab_core::sample::large_recipes(16);
    let mut projects = 16;
    while large.len() < 1_000_000 {
        projects = projects * 11 / 10 + 1;
        large = scenario_lab_core::sample::large_recipes(projects);
    }
    std::fs::write(app.join("src/large.json"), large).unwrap_or_else(|e| panic!("{e}"));
    run(&app, "npm", &["ci", "--no-audit", "--no-fund"]);
    let packs = tarballs(&app);
    let mut install = vec!["install", "--no-save", "--no-audit", "--no-fund"];
    install.extend(packs.iter().map(String::as_str));
    run(&app, "npm", &install);
    run(&app, "node", &[VITE, "build", "--logLevel", "warn"]);
    app
}

/// `vite preview` serving the built app until dropped.
#[derive(Debug)]
pub struct Preview {
    /// Node running vite itself (through `npx` only `npx` was killed and vite stayed).
    _child: Running,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

/// Serves the built app (`vite preview`) on a free loopback port.
pub fn preview(app: &Path) -> Preview {
    let port = free_port();
    let child = Command::new("node")
        .args([
            VITE,
            "preview",
            "--host",
            "127.0.0.1",
            "--strictPort",
            "--port",
        ])
        .arg(port.to_string())
        .current_dir(app)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("vite preview: {e}"));
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "vite preview did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Preview {
        _child: Running(child),
        url: format!("http://127.0.0.1:{port}"),
    }
}

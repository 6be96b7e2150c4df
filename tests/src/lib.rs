//! Harness for the end-to-end tests: a throwaway PostgreSQL, the Python SDK endpoint app, free
//! ports, the example workspace in a temp folder and the `scenario-lab` binary. Everything a test
//! starts is stopped when its guard is dropped.

pub mod hostile;
pub mod relay;
pub mod vite_app;

use std::io::BufRead;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A scratch folder under `target/e2e/` (removed on drop).
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let dir = repo_root().join("target/e2e").join(format!(
            "{label}-{}-{:08x}",
            std::process::id(),
            rand_u32()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process a test started: killed and reaped when dropped (every service's guard).
#[derive(Debug)]
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(Instant::now().elapsed().as_nanos());
    u32::try_from(hasher.finish() >> 32).unwrap_or_default()
}

/// Where `free_port` starts handing out ports: below Linux's ephemeral range (32768 up), so a
/// listener that binds port 0 (the hostile servers, the relay, the proxy) can never take a port a
/// child service was told to bind before it has bound it.
const PORT_BASE: u16 = 20_000;
/// How many ports `free_port` cycles through.
const PORT_SPAN: u16 = 12_000;

/// A free TCP port on 127.0.0.1 for a child service to bind: distinct for every call in this
/// process, outside the ephemeral range, and free when handed out.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    // Test binaries that run at once start far apart.
    let start = std::process::id() % 97 * 120;
    for _ in 0..PORT_SPAN {
        let step = u32::from(NEXT.fetch_add(1, Ordering::Relaxed));
        let offset = u16::try_from((start + step) % u32::from(PORT_SPAN)).unwrap_or_default();
        let port = PORT_BASE + offset;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(0, |a| a.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// A PostgreSQL server from Debian's packages, run as `postgres` on a free loopback port.
#[derive(Debug)]
pub struct Postgres {
    pub url: String,
    bin: PathBuf,
    dir: TempDir,
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|entries| {
                entries
                    .filter_map(std::result::Result::ok)
                    .map(|e| e.path().join("bin"))
                    .filter(|p| p.join("initdb").exists())
                    .max()
            })
            .expect(
                "PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)",
            );
        let dir = TempDir::new("pg");
        let data = dir.0.join("data");
        let port = free_port();
        let chown = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir.0)
            .status();
        assert!(chown.is_ok_and(|s| s.success()), "chown for postgres");
        let as_postgres = |program: &str| {
            let mut command = Command::new("runuser");
            command
                .args(["-u", "postgres", "--"])
                .arg(bin.join(program));
            command
        };
        let init = as_postgres("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .stdout(Stdio::null())
            .status();
        assert!(init.is_ok_and(|s| s.success()), "initdb failed");
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            dir.0.display()
        );
        let start = as_postgres("pg_ctl")
            .args(["-w", "-t", "30", "-l"])
            .arg(dir.0.join("server.log"))
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "start"])
            .stdout(Stdio::null())
            .status();
        assert!(start.is_ok_and(|s| s.success()), "pg_ctl start failed");
        let created = as_postgres("createdb")
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "app"])
            .status();
        assert!(created.is_ok_and(|s| s.success()), "createdb failed");
        Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/app"),
            bin,
            dir,
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.0.join("data"))
            .args(["-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A MariaDB server from Debian's packages on a free loopback port (grant tables skipped: a
/// throwaway test server).
#[derive(Debug)]
pub struct MariaDb {
    pub url: String,
    _child: Running,
    _dir: TempDir,
}

impl MariaDb {
    pub fn start() -> MariaDb {
        let dir = TempDir::new("mariadb");
        let data = dir.0.join("data");
        let chown = Command::new("chown")
            .args(["-R", "mysql:mysql"])
            .arg(&dir.0)
            .status();
        assert!(
            chown.is_ok_and(|s| s.success()),
            "chown for mysql (apt-get install mariadb-server)"
        );
        let install = Command::new("mariadb-install-db")
            .args([
                "--no-defaults",
                "--user=mysql",
                "--skip-test-db",
                "--auth-root-authentication-method=normal",
            ])
            .arg(format!("--datadir={}", data.display()))
            // Its own temp dir: the test script points TMPDIR at a folder `mysql` cannot write.
            .env("TMPDIR", &dir.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        assert!(
            install.is_ok_and(|s| s.success()),
            "mariadb-install-db failed"
        );
        let port = free_port();
        let server = if Path::new("/usr/sbin/mariadbd").exists() {
            "/usr/sbin/mariadbd"
        } else {
            "mariadbd"
        };
        let child = Command::new(server)
            .args([
                "--no-defaults",
                "--user=mysql",
                "--skip-grant-tables",
                "--bind-address=127.0.0.1",
                "--skip-log-bin",
            ])
            .arg(format!("--datadir={}", data.display()))
            // Its own temp dir: the test script points TMPDIR at a folder `mysql` cannot write.
            .env("TMPDIR", &dir.0)
            .arg(format!("--socket={}", dir.0.join("mysqld.sock").display()))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd starts");
        assert!(
            wait_for_port(port, Duration::from_mins(1)),
            "mariadbd did not listen on {port}"
        );
        let created = Command::new("mariadb")
            .args([
                "-h",
                "127.0.0.1",
                "-P",
                &port.to_string(),
                "-u",
                "root",
                "-e",
                "CREATE DATABASE app",
            ])
            .status();
        assert!(created.is_ok_and(|s| s.success()), "CREATE DATABASE failed");
        MariaDb {
            url: format!("mysql://root@127.0.0.1:{port}/app"),
            _child: Running(child),
            _dir: dir,
        }
    }

    /// SQLAlchemy's URL for the same database.
    pub fn sqlalchemy_url(&self) -> String {
        self.url.replacen("mysql://", "mysql+pymysql://", 1)
    }
}

pub const SHARED_SECRET: &str = "e2e-shared-secret";
pub const SIGNING_SECRET: &str = "e2e-signing-secret";

/// The Python interpreter with the endpoint app's requirements (the test script's venv).
pub fn python() -> PathBuf {
    let venv = repo_root().join("target/venv/bin/python");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("python3")
    }
}

/// The FastAPI app on the real `autonoma-ai` SDK, with an optional defect.
#[derive(Debug)]
pub struct EndpointApp {
    pub url: String,
    _child: Running,
}

impl EndpointApp {
    /// `database_url` is SQLAlchemy's (e.g. `postgresql+psycopg://...` or `sqlite:////path`).
    pub fn start(database_url: &str, defect: &str) -> EndpointApp {
        let port = free_port();
        let log =
            std::fs::File::create(repo_root().join(format!("target/e2e/app-{port}.log"))).ok();
        let mut command = Command::new(python());
        command
            .args([
                "-m",
                "uvicorn",
                "app:app",
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--log-level",
                "warning",
            ])
            .current_dir(repo_root().join("tests/endpoint_app"))
            .env("APP_DATABASE_URL", database_url)
            .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
            .env("AUTONOMA_SIGNING_SECRET", SIGNING_SECRET)
            .env("DEFECT", defect)
            .stdout(Stdio::null());
        if let Some(log) = log {
            command.stderr(log);
        }
        let child = command.spawn().expect(
            "python3 -m uvicorn starts (pip install -r tests/endpoint_app/requirements.txt)",
        );
        assert!(
            wait_for_port(port, Duration::from_mins(1)),
            "the endpoint app did not start on port {port}"
        );
        EndpointApp {
            url: format!("http://127.0.0.1:{port}/api/autonoma/"),
            _child: Running(child),
        }
    }
}

/// A real ANIP 0.24.13 service (`tests/anip_service/app.py` on `anip-service` + `anip-fastapi`,
/// in the `target/anip-venv` the test script makes), with an optional defect or manifest drift.
#[derive(Debug)]
pub struct AnipService {
    pub url: String,
    _child: Running,
    _keys: TempDir,
}

/// The bootstrap credentials the ANIP service accepts.
pub const ANIP_REQUESTER_KEY: &str = "dev-requester-key";
pub const ANIP_APPROVER_KEY: &str = "dev-approver-key";

impl AnipService {
    pub fn start(defect: &str, drift: bool) -> AnipService {
        Self::start_with(defect, drift, &[])
    }

    /// The same with more environment (`ANIP_STATE_DB`).
    pub fn start_with(defect: &str, drift: bool, env: &[(&str, &str)]) -> AnipService {
        let port = free_port();
        let keys = TempDir::new(&format!("anip-keys-{port}"));
        let venv = repo_root().join("target/anip-venv/bin/python");
        let python = if venv.exists() {
            venv
        } else {
            PathBuf::from("python3")
        };
        let log =
            std::fs::File::create(repo_root().join(format!("target/e2e/anip-{port}.log"))).ok();
        let mut command = Command::new(python);
        command
            .args(["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["--log-level", "warning"])
            .current_dir(repo_root().join("tests/anip_service"))
            .env("ANIP_DEFECT", defect)
            .env("ANIP_DRIFT", if drift { "1" } else { "0" })
            .env("ANIP_KEY_PATH", keys.0.join("keys.json"))
            .envs(env.iter().copied())
            .stdout(Stdio::null());
        if let Some(log) = log {
            command.stderr(log);
        }
        let child = command.spawn().expect(
            "python -m uvicorn starts (pip install -r tests/anip_service/requirements.txt)",
        );
        assert!(
            wait_for_port(port, Duration::from_mins(1)),
            "the ANIP service did not start on port {port}"
        );
        AnipService {
            url: format!("http://127.0.0.1:{port}"),
            _child: Running(child),
            _keys: keys,
        }
    }
}

/// The case folders of `fixtures/<area>/<kind>` (`valid` or `invalid`), sorted.
pub fn fixture_cases(area: &str, kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(area)
        .join(kind);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Each valid fixture case, checked by `check`, reports no error.
pub fn assert_no_errors(cases: &[PathBuf], check: impl Fn(&Path) -> scenario_lab_core::Report) {
    for case in cases {
        let report = check(case);
        assert_eq!(
            report.errors(),
            0,
            "{}: {:#?}",
            case.display(),
            report.diagnostics
        );
    }
}

/// Each invalid fixture case reports the code its folder is named after (`recipe-cycle`, or
/// `recipe-cycle-nested` for a second case of it).
pub fn assert_named_codes(cases: &[PathBuf], check: impl Fn(&Path) -> scenario_lab_core::Report) {
    for case in cases {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let codes: Vec<String> = check(case)
            .diagnostics
            .iter()
            .filter(|d| d.severity != scenario_lab_core::Severity::Info)
            .map(|d| d.code.as_str().replace('/', "-"))
            .collect();
        assert!(
            codes.iter().any(|code| name.starts_with(code.as_str())),
            "{name}: expected its code among {codes:?}"
        );
    }
}

/// `scenario-lab anip ARGS` in `cwd` with both ANIP credentials (`requester_key` as the
/// requester's, to try a wrong one).
pub fn anip(cwd: &Path, args: &[&str], requester_key: &str) -> Output {
    Command::new(binary())
        .arg("anip")
        .args(args)
        .current_dir(cwd)
        // Each test's own trust file (what `anip init --service` remembers).
        .env("XDG_CONFIG_HOME", cwd.join(".config"))
        .env("ANIP_BEARER", requester_key)
        .env("ANIP_APPROVER_BEARER", ANIP_APPROVER_KEY)
        .output()
        .expect("scenario-lab runs")
}

/// `anip init` against `service` in `dir` with the fixture service's samples and its state probe
/// (`fixture.count:$.result.resets`): `anip/starter.pack.yaml` and `anip/manifest.json`.
pub fn anip_init(dir: &Path, service: &AnipService) {
    std::fs::write(
        dir.join("samples.json"),
        r#"{"fixture.count": {"tenant": "tenant-a"}, "fixture.reset_tenant": {"tenant": "tenant-b"}}"#,
    )
    .expect("samples written");
    let args = [
        "init",
        "--service",
        &service.url,
        "--samples",
        "samples.json",
    ];
    let probe = ["--probe", "fixture.count:$.result.resets"];
    let out = anip(dir, &[&args[..], &probe[..]].concat(), ANIP_REQUESTER_KEY);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

/// The rule-based agent app for agent-facing pack scenarios (`tests/anip_agent/agent.py`, the
/// standard library only), with an optional defect.
#[derive(Debug)]
pub struct AgentApp {
    pub url: String,
    _child: Running,
}

impl AgentApp {
    pub fn start(defect: &str) -> AgentApp {
        let port = free_port();
        let child = Command::new("python3")
            .arg("agent.py")
            .arg(port.to_string())
            .current_dir(repo_root().join("tests/anip_agent"))
            .env("AGENT_DEFECT", defect)
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 starts the agent app");
        assert!(
            wait_for_port(port, Duration::from_secs(20)),
            "the agent app did not start on port {port}"
        );
        AgentApp {
            url: format!("http://127.0.0.1:{port}/ask"),
            _child: Running(child),
        }
    }
}

/// The clinic domain's Environment Factory on the official TypeScript SDK
/// (`tests/ts_endpoint_app`, node:http), on PostgreSQL, with an optional defect.
#[derive(Debug)]
pub struct TsEndpointApp {
    pub url: String,
    _child: Running,
}

impl TsEndpointApp {
    /// Starts it on `postgres_url`; `env` adds variables (`NODE_ENV`, other secrets).
    pub fn start(postgres_url: &str, defect: &str, env: &[(&str, &str)]) -> TsEndpointApp {
        let mut all = vec![("DATABASE_URL", postgres_url)];
        all.extend_from_slice(env);
        Self::spawn("app.mjs", defect, &all)
    }

    /// The database-less notes board (`memory.mjs`): records in memory, run-scoped, listed by
    /// `GET /api/seeded/{Model}` (its port is [`TsEndpointApp::port`]).
    pub fn memory(defect: &str) -> TsEndpointApp {
        Self::spawn("memory.mjs", defect, &[])
    }

    /// The same with more environment (another signing secret).
    pub fn memory_with(defect: &str, env: &[(&str, &str)]) -> TsEndpointApp {
        Self::spawn("memory.mjs", defect, env)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_default()
    }

    fn spawn(script: &str, defect: &str, env: &[(&str, &str)]) -> TsEndpointApp {
        let port = free_port();
        let dir = repo_root().join("tests/ts_endpoint_app");
        assert!(
            dir.join("node_modules/@autonoma-ai/sdk").exists(),
            "run `npm ci` in tests/ts_endpoint_app (scripts/test.sh does)"
        );
        let log =
            std::fs::File::create(repo_root().join(format!("target/e2e/ts-app-{port}.log"))).ok();
        let mut command = Command::new("node");
        command
            .arg(script)
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
            .env("AUTONOMA_SIGNING_SECRET", SIGNING_SECRET)
            .env("DEFECT", defect)
            .env_remove("NODE_ENV")
            .stdout(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        if let Some(log) = log {
            command.stderr(log);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("node starts tests/ts_endpoint_app/{script}: {e}"));
        assert!(
            wait_for_port(port, Duration::from_secs(30)),
            "the TypeScript endpoint app {script} did not start on port {port}"
        );
        TsEndpointApp {
            url: format!("http://127.0.0.1:{port}/api/autonoma"),
            _child: Running(child),
        }
    }
}

/// A copy of the clinic workspace of the TypeScript app: `<dir>/autonoma/...`.
pub fn clinic_workspace(label: &str) -> TempDir {
    let dir = TempDir::new(label);
    let target = dir.0.join("autonoma");
    std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(repo_root().join("tests/fixtures/ts-clinic/autonoma"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let _ = std::fs::copy(entry.path(), target.join(entry.file_name()));
    }
    dir
}

/// SQLAlchemy's URL for a `postgres://` URL.
pub fn sqlalchemy_url(postgres_url: &str) -> String {
    postgres_url.replacen("postgres://", "postgresql+psycopg://", 1)
}

/// A copy of the reference example workspace: `<dir>/autonoma/...`.
pub fn example_workspace(label: &str) -> TempDir {
    let dir = TempDir::new(label);
    let target = dir.0.join("autonoma");
    std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(repo_root().join("examples/autonoma"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let _ = std::fs::copy(entry.path(), target.join(entry.file_name()));
    }
    dir
}

/// The `scenario-lab` binary cargo built next to this test (or `$SCENARIO_LAB_BIN`, to run the
/// tests against another build).
pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("SCENARIO_LAB_BIN") {
        return PathBuf::from(bin);
    }
    // Test executables live in target/<profile>/deps, binaries in target/<profile>.
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .skip(1)
        .take(2)
        .map(|dir| dir.join("scenario-lab"))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("scenario-lab"))
}

/// Runs `scenario-lab` in `cwd` with the shared secrets set.
pub fn scenario_lab(cwd: &Path, args: &[&str], shared_secret: &str) -> Output {
    Command::new(binary())
        .args(args)
        .current_dir(cwd)
        .env("AUTONOMA_SHARED_SECRET", shared_secret)
        .env("AUTONOMA_SIGNING_SECRET", SIGNING_SECRET)
        .env_remove("AUTONOMA_SDK_ENDPOINT")
        .env_remove("DATABASE_URL")
        .output()
        .expect("scenario-lab runs (cargo builds it with the workspace)")
}

/// Stdout and stderr together, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A plain HTTP/1.1 request over a socket; returns the whole raw response.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    use std::fmt::Write as _;
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream
        .write_all(request.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

/// One HTTP request to `url` (`http://127.0.0.1:PORT`): the status, the JSON body (null when
/// it is none) and the headers, lowercased.
pub fn http_json(
    url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, serde_json::Value, Vec<(String, String)>) {
    let port = url
        .rsplit(':')
        .next()
        .and_then(|p| p.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"));
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let raw = http(port, method, path, &all, body);
    let (status, headers, body) = relay::split_answer(raw.as_bytes());
    let headers = headers
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    (
        status,
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
        headers,
    )
}

/// A running `scenario-lab demo`: its endpoint, database, ANIP service and editor URLs.
#[derive(Debug)]
pub struct Demo {
    pub endpoint: String,
    pub database: String,
    /// The embedded ANIP demo service.
    pub anip: String,
    pub editor: String,
    _child: Running,
}

impl Demo {
    /// The proxy's port, from the `editor:` URL.
    pub fn editor_port(&self) -> u16 {
        self.editor
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {}", self.editor))
    }

    /// The session token, from the `editor:` URL.
    pub fn session_token(&self) -> &str {
        self.editor.split("token=").nth(1).unwrap_or_default()
    }
}

/// Starts `scenario-lab demo` in `workspace` (its `autonoma/` folder), serving the editor from
/// `dist` when given; `validate` keeps the startup validation (otherwise `--no-validate`).
pub fn start_demo(workspace: &TempDir, dist: Option<&Path>, validate: bool) -> Demo {
    start_demo_with(workspace, dist, validate, &[])
}

/// The same, with more environment variables (the ANIP credentials the proxy keeps).
pub fn start_demo_with(
    workspace: &TempDir,
    dist: Option<&Path>,
    validate: bool,
    env: &[(&str, &str)],
) -> Demo {
    let mut command = Command::new(binary());
    command.envs(env.iter().copied());
    command.args(["demo", "--editor-port", "0", "--dir", "autonoma"]);
    if !validate {
        command.arg("--no-validate");
    }
    if let Some(dist) = dist {
        command.arg("--dist").arg(dist);
    }
    let mut child = command
        .current_dir(&workspace.0)
        // The workspace's own trust file (what `anip init --service` there remembered).
        .env("XDG_CONFIG_HOME", workspace.0.join(".config"))
        .env("AUTONOMA_SHARED_SECRET", SHARED_SECRET)
        .env("AUTONOMA_SIGNING_SECRET", SIGNING_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut lines =
        std::io::BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("stdout"))).lines();
    let mut value = |prefix: &str| {
        lines
            .next()
            .and_then(Result::ok)
            .and_then(|l| l.strip_prefix(prefix).map(str::to_owned))
            .unwrap_or_else(|| panic!("no `{prefix}` line"))
    };
    let endpoint = value("endpoint: ");
    let database = value("database: ");
    let anip = value("anip: ");
    let editor = value("editor: ");
    assert!(
        editor.starts_with("http://127.0.0.1:") && editor.contains("/?token="),
        "{editor}"
    );
    Demo {
        endpoint,
        database,
        anip,
        editor,
        _child: Running(child),
    }
}

/// A `scenario-recipes.json` of at least `bytes` bytes, in its own folder (the editor's file picker
/// maps files by name).
pub fn large_recipes(label: &str, bytes: usize) -> TempDir {
    let dir = TempDir::new(label);
    let mut projects = 16;
    let mut text = scenario_lab_core::sample::large_recipes(projects);
    while text.len() < bytes {
        projects = projects * 11 / 10 + 1;
        text = scenario_lab_core::sample::large_recipes(projects);
    }
    std::fs::write(dir.0.join("scenario-recipes.json"), text).unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// The Trunk-built editor (`dist/`), with playwright-core installed to drive it; panics with the
/// command that provides what is missing.
pub fn built_editor() -> PathBuf {
    let root = repo_root();
    let dist = root.join("dist");
    assert!(
        dist.join("index.html").exists(),
        "the editor is not built: run `trunk build --release` (scripts/test.sh and scripts/start.sh do)"
    );
    assert!(
        root.join("tests/node/node_modules/playwright-core")
            .exists(),
        "playwright-core is missing: run `npm ci` in tests/node (scripts/test.sh does)"
    );
    dist
}

/// A running `scenario-lab serve`: its `editor:` URL; stopped when dropped.
#[derive(Debug)]
pub struct Serve {
    pub editor: String,
    _child: Running,
}

impl Serve {
    /// `scenario-lab serve ARGS` in `cwd` with `env` (the secrets it keeps), once it prints its
    /// `editor:` line.
    pub fn start(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .args(args)
            .current_dir(cwd)
            .env_remove("AUTONOMA_SDK_ENDPOINT")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap_or_else(|e| panic!("{e}"));
        let mut line = String::new();
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("{e}"));
        Serve {
            editor: line.trim().trim_start_matches("editor: ").to_owned(),
            _child: Running(child),
        }
    }

    /// The session token of the editor URL.
    pub fn token(&self) -> String {
        self.editor
            .rsplit_once("?token=")
            .map(|(_, t)| t.to_owned())
            .unwrap_or_default()
    }
}

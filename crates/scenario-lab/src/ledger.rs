//! The pending-teardown ledger (`autonoma/.scenario-lab/pending.json`): every run whose `up`
//! returned a refs token, from that moment until its `down` succeeded, so that no crash (not even
//! SIGKILL) loses a token. The CLI and the proxy share it; every change is a read-modify-write
//! under an exclusive lock on `pending.lock`, across threads and processes.

use crate::atomic_file::write_private;
use scenario_lab_core::api::PendingRun;
use scenario_lab_core::protocol::{DownRequest, Request};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One run whose teardown is owed. Holds the refs token: never printed, never sent to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub scenario: String,
    pub test_run_id: String,
    pub refs_token: String,
    #[serde(default)]
    pub refs: Value,
    pub endpoint: String,
    /// `in progress` while its run goes on, `kept`, or why its teardown failed.
    pub reason: String,
    /// Kept up on purpose: never reaped, only `down --run` or `down --pending` tear it down.
    #[serde(default)]
    pub kept: bool,
    /// The process that wrote it (the reaper leaves the runs of live processes alone).
    #[serde(default)]
    pub owner: Option<ProcessId>,
    /// When `up` answered, in milliseconds since the Unix epoch.
    #[serde(default)]
    pub started_at_ms: u64,
}

/// The reason of a run whose validation is still going on.
pub const IN_PROGRESS: &str = "in progress";
/// The reason of a run kept up on purpose.
pub const KEPT: &str = "kept";

impl LedgerEntry {
    /// A fresh entry for a run that just came up, owned by this process.
    pub fn new(
        scenario: &str,
        test_run_id: &str,
        token: &str,
        refs: Value,
        endpoint: &str,
    ) -> Self {
        LedgerEntry {
            scenario: scenario.to_owned(),
            test_run_id: test_run_id.to_owned(),
            refs_token: token.to_owned(),
            refs,
            endpoint: endpoint.to_owned(),
            reason: IN_PROGRESS.to_owned(),
            kept: false,
            owner: Some(ProcessId::current()),
            started_at_ms: now_ms(),
        }
    }

    /// The signed `down` that tears this run down.
    pub fn down_request(&self) -> Request {
        Request::Down(DownRequest {
            refs: self.refs.clone(),
            refs_token: Some(self.refs_token.clone()),
            test_run_id: Some(self.test_run_id.clone()),
        })
    }

    /// What the page and `scenario-lab pending` may see (no token).
    pub fn public(&self) -> PendingRun {
        PendingRun {
            scenario: self.scenario.clone(),
            test_run_id: self.test_run_id.clone(),
            reason: self.reason.clone(),
            endpoint: self.endpoint.clone(),
            kept: self.kept,
            started_at_ms: self.started_at_ms,
        }
    }

    /// Whether the reaper may tear it down: not kept, and its owner is gone.
    pub fn orphaned(&self) -> bool {
        !self.kept && self.owner.as_ref().is_none_or(|owner| !owner.is_alive())
    }
}

/// A process, identified by its id and its start time (ids are reused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessId {
    pub pid: u32,
    /// Clock ticks after boot when it started (`/proc/<pid>/stat`, field 22), where known.
    #[serde(default)]
    pub start: Option<u64>,
}

impl ProcessId {
    /// This process.
    pub fn current() -> ProcessId {
        let pid = std::process::id();
        ProcessId {
            pid,
            start: process_start(pid),
        }
    }

    /// Whether this very process is still running (its id alive with the same start time).
    pub fn is_alive(&self) -> bool {
        match process_start(self.pid) {
            Some(now) => self.start.is_none_or(|then| then == now),
            // Without /proc (not Linux) only this process is known to be alive.
            None if cfg!(target_os = "linux") => false,
            None => self.pid == std::process::id(),
        }
    }
}

/// Field 22 of `/proc/<pid>/stat` (after the parenthesised command name).
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Why the ledger could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a ledger ({detail}); it is left as it is: repair or move it", path.display())]
    Corrupt { path: PathBuf, detail: String },
}

/// The ledger of one workspace.
#[derive(Clone, Debug)]
pub struct Ledger {
    dir: PathBuf,
}

impl Ledger {
    /// The ledger under `workspace/.scenario-lab/`.
    pub fn for_workspace(workspace: &Path) -> Ledger {
        Ledger {
            dir: workspace.join(".scenario-lab"),
        }
    }

    /// `pending.json`.
    pub fn path(&self) -> PathBuf {
        self.dir.join("pending.json")
    }

    /// Every entry.
    pub fn entries(&self) -> Result<Vec<LedgerEntry>, LedgerError> {
        self.update(|entries| (entries.clone(), false))
    }

    /// Records a run that just came up.
    pub fn add(&self, entry: LedgerEntry) -> Result<(), LedgerError> {
        self.update(|entries| {
            entries.retain(|e| e.test_run_id != entry.test_run_id);
            entries.push(entry);
            ((), true)
        })
    }

    /// Removes a run whose `down` succeeded; returns it.
    pub fn remove(&self, test_run_id: &str) -> Result<Option<LedgerEntry>, LedgerError> {
        self.update(|entries| {
            let index = entries.iter().position(|e| e.test_run_id == test_run_id);
            let removed = index.map(|i| entries.remove(i));
            let changed = removed.is_some();
            (removed, changed)
        })
    }

    /// Changes why a run is pending (a failed teardown says why).
    pub fn set_reason(&self, test_run_id: &str, reason: &str) -> Result<(), LedgerError> {
        self.update(|entries| {
            let mut changed = false;
            for entry in entries.iter_mut().filter(|e| e.test_run_id == test_run_id) {
                reason.clone_into(&mut entry.reason);
                changed = true;
            }
            ((), changed)
        })
    }

    /// Takes the entries that `pick` selects out of the ledger (their teardown is about to be
    /// retried; [`Ledger::add`] puts back the ones that fail again).
    pub fn take(
        &self,
        pick: impl Fn(&LedgerEntry) -> bool,
    ) -> Result<Vec<LedgerEntry>, LedgerError> {
        self.update(|entries| {
            let (taken, kept): (Vec<_>, Vec<_>) = entries.drain(..).partition(|e| pick(e));
            *entries = kept;
            let changed = !taken.is_empty();
            (taken, changed)
        })
    }

    /// Runs `change` on the entries under the lock; writes them back when it says so.
    fn update<R>(
        &self,
        change: impl FnOnce(&mut Vec<LedgerEntry>) -> (R, bool),
    ) -> Result<R, LedgerError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LedgerError::Io { path, source }
        };
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let lock_path = self.dir.join("pending.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        lock.lock().map_err(io(&lock_path))?;
        let path = self.path();
        let mut entries = read_entries(&path)?;
        let (result, changed) = change(&mut entries);
        if changed {
            write_entries(&path, &entries)?;
        }
        drop(lock);
        Ok(result)
    }
}

fn read_entries(path: &Path) -> Result<Vec<LedgerEntry>, LedgerError> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => Ok(Vec::new()),
        Ok(text) => serde_json::from_str(&text).map_err(|e| LedgerError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(LedgerError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn write_entries(path: &Path, entries: &[LedgerEntry]) -> Result<(), LedgerError> {
    let io = |source| LedgerError::Io {
        path: path.to_path_buf(),
        source,
    };
    if entries.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        };
    }
    let text = serde_json::to_string_pretty(entries).unwrap_or_default() + "\n";
    write_private(path, text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> LedgerEntry {
        LedgerEntry::new("standard", id, "token", Value::Null, "http://x")
    }

    #[test]
    fn concurrent_writers_lose_no_entry() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::for_workspace(dir.path());
        std::thread::scope(|scope| {
            for i in 0..20 {
                let ledger = ledger.clone();
                scope.spawn(move || ledger.add(entry(&format!("run-{i}"))).unwrap());
            }
        });
        assert_eq!(ledger.entries().unwrap().len(), 20);
        std::thread::scope(|scope| {
            for i in 0..20 {
                let ledger = ledger.clone();
                scope.spawn(move || ledger.remove(&format!("run-{i}")).unwrap());
            }
        });
        assert!(ledger.entries().unwrap().is_empty());
        assert!(!ledger.path().exists());
    }

    #[test]
    fn a_corrupt_ledger_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::for_workspace(dir.path());
        std::fs::create_dir_all(dir.path().join(".scenario-lab")).unwrap();
        std::fs::write(ledger.path(), "[{\"half\": ").unwrap();
        let error = ledger.add(entry("run-1")).unwrap_err().to_string();
        assert!(error.contains("pending.json is not a ledger"), "{error}");
        assert_eq!(
            std::fs::read_to_string(ledger.path()).unwrap(),
            "[{\"half\": "
        );
    }

    #[test]
    fn this_process_owns_its_entries_and_a_dead_one_does_not() {
        let mine = entry("run-1");
        assert!(!mine.orphaned());
        let dead = LedgerEntry {
            owner: Some(ProcessId {
                pid: u32::MAX - 1,
                start: Some(1),
            }),
            ..entry("run-2")
        };
        assert!(dead.orphaned());
        let kept = LedgerEntry {
            kept: true,
            ..dead.clone()
        };
        assert!(!kept.orphaned());
    }
}

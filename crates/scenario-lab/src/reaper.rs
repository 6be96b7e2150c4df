//! The reaper (Testcontainers' model): before a validation, the proxy or the demo starts, the
//! ledger's runs whose owning process is gone, and that were not kept on purpose, are torn down
//! against this endpoint. A concurrent run's live data is never touched.

use crate::endpoint::EndpointClient;
use crate::ledger::{Ledger, LedgerEntry};
use crate::lifecycle::explain;

/// Which entries a reaper may tear down with its client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Entries of this very endpoint URL.
    SameEndpoint,
    /// Every entry (the demo: its port changes from run to run, its secrets and database stay).
    AnyEndpoint,
}

/// What the reaper did, one line per run, for people.
pub async fn reap(ledger: &Ledger, client: &EndpointClient, scope: Scope) -> Vec<String> {
    let entries = match ledger.entries() {
        Ok(entries) => entries,
        Err(error) => return vec![format!("the pending ledger cannot be read: {error}")],
    };
    let mut lines = Vec::new();
    for entry in entries
        .iter()
        .filter(|e| e.orphaned() && (scope == Scope::AnyEndpoint || e.endpoint == client.url()))
    {
        lines.push(reap_one(ledger, client, entry).await);
    }
    lines
}

async fn reap_one(ledger: &Ledger, client: &EndpointClient, entry: &LedgerEntry) -> String {
    let owner = entry.owner.as_ref().map_or_else(
        || "an earlier run".to_owned(),
        |o| format!("process {}", o.pid),
    );
    let failure = match client.call(&entry.down_request()).await {
        Ok(down) if down.confirms_teardown() => None,
        Ok(down) => Some(explain(&down, client.url())),
        Err(error) => Some(error.to_string()),
    };
    match failure {
        None => {
            let _ = ledger.remove(&entry.test_run_id);
            format!(
                "reaped {} ({}), left by {owner} ({})",
                entry.test_run_id, entry.scenario, entry.reason
            )
        }
        Some(reason) => {
            let _ = ledger.set_reason(
                &entry.test_run_id,
                &format!("the reaper's down failed: {reason}"),
            );
            format!(
                "could not reap {} ({}), left by {owner}: {reason}",
                entry.test_run_id, entry.scenario
            )
        }
    }
}

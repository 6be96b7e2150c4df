//! `scenario-lab down`: tears down one run of the pending ledger (`--run`) or all of them
//! (`--pending`); an entry leaves the ledger only when the endpoint confirms with `ok: true`.

use super::CommandError;
use crate::cli::{DownArgs, exit};
use crate::endpoint::EndpointClient;
use crate::ledger::{IN_PROGRESS, Ledger, LedgerEntry};
use crate::lifecycle::explain;
use crate::terminal::{eprint_safe, print_safe};

/// Tears down the selected runs; exit 0 when every one was confirmed.
pub async fn run(args: &DownArgs) -> Result<u8, CommandError> {
    let ledger = Ledger::for_workspace(&args.workspace.dir);
    let entries = match ledger.entries() {
        Ok(entries) => entries,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::USAGE);
        }
    };
    let selected: Vec<LedgerEntry> = match &args.run {
        Some(id) => {
            let Some(entry) = entries.into_iter().find(|e| &e.test_run_id == id) else {
                eprint_safe(&format!(
                    "error: no run `{id}` in {}\n  help: `scenario-lab pending` lists the runs\n",
                    ledger.path().display()
                ));
                return Ok(exit::USAGE);
            };
            vec![entry]
        }
        None => entries.into_iter().filter(|e| !being_proved(e)).collect(),
    };
    if selected.is_empty() {
        print_safe("no pending teardowns\n");
        return Ok(exit::OK);
    }
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let mut failed = 0;
    for entry in selected {
        if !tear_down(&client, &ledger, &entry).await {
            failed += 1;
        }
    }
    Ok(if failed == 0 {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

/// A run a live validation is still proving (its own teardown comes).
fn being_proved(entry: &LedgerEntry) -> bool {
    entry.reason == IN_PROGRESS && !entry.orphaned()
}

/// One teardown; the ledger follows its outcome. Returns whether it was confirmed.
async fn tear_down(client: &EndpointClient, ledger: &Ledger, entry: &LedgerEntry) -> bool {
    let failure = match client.call(&entry.down_request()).await {
        Ok(response) if response.confirms_teardown() => None,
        Ok(response) if response.status == 200 => Some("HTTP 200 without `ok: true`".to_owned()),
        Ok(response) => Some(explain(&response, client.url())),
        Err(error) => Some(error.to_string()),
    };
    let recorded = match &failure {
        None => ledger.remove(&entry.test_run_id).map(|_| ()),
        Some(reason) => ledger.set_reason(&entry.test_run_id, reason),
    };
    if let Err(error) = recorded {
        eprint_safe(&format!("error: {error}\n"));
    }
    match failure {
        None => {
            print_safe(&format!(
                "torn down {} ({})\n",
                entry.test_run_id, entry.scenario
            ));
            true
        }
        Some(reason) => {
            eprint_safe(&format!(
                "still pending {} ({}): {reason}\n",
                entry.test_run_id, entry.scenario
            ));
            false
        }
    }
}

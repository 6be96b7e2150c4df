//! `scenario-lab down --pending`: retries the teardowns kept in the pending ledger.

use crate::artifacts;
use crate::cli::{DownArgs, exit};
use crate::endpoint::{Action, EndpointClient};
use crate::lifecycle;

/// `scenario-lab down --pending`: retries every ledger entry, keeps the ones that still fail.
pub async fn run(args: &DownArgs) -> anyhow::Result<u8> {
    if !args.pending {
        eprintln!(
            "error: pass --pending to retry the teardowns in {}",
            artifacts::ledger_path(&args.workspace.dir).display()
        );
        return Ok(exit::USAGE);
    }
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let entries = artifacts::read_ledger(&args.workspace.dir);
    if entries.is_empty() {
        println!("no pending teardowns");
        return Ok(exit::OK);
    }
    let mut left = Vec::new();
    for entry in entries {
        match client.call(Action::Down, &entry.down_body()).await {
            Ok(response) if response.status == 200 => {
                println!("torn down {} ({})", entry.test_run_id, entry.scenario)
            }
            Ok(response) => {
                eprintln!(
                    "still pending {}: {}",
                    entry.test_run_id,
                    lifecycle::explain(&response)
                );
                left.push(entry);
            }
            Err(error) => {
                eprintln!("still pending {}: {error}", entry.test_run_id);
                left.push(entry);
            }
        }
    }
    artifacts::write_ledger(&args.workspace.dir, &left)?;
    Ok(if left.is_empty() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

//! `scenario-lab discover`: the signed discover, its shape check, `discover.json` in stable order.

use super::CommandError;
use crate::atomic_file::write_atomic;
use crate::cli::{DiscoverArgs, exit};
use crate::endpoint::EndpointClient;
use crate::live_discover;
use crate::terminal::{eprint_safe, print_safe};
use serde_json::Value;

/// Calls discover and saves the answer as `discover.json` when its shape is right.
pub async fn run(args: &DiscoverArgs) -> Result<u8, CommandError> {
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    let live = match live_discover::discover(&client).await {
        Ok(live) => live,
        Err(error) => {
            eprint_safe(&format!("error: {error}\n"));
            return Ok(exit::UNREACHABLE);
        }
    };
    let body = live
        .text
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    match body {
        Some(body) if live.check.ok => {
            let path = args.workspace.dir.join("discover.json");
            let text = serde_json::to_string_pretty(&body).unwrap_or_default() + "\n";
            write_atomic(&path, text.as_bytes())?;
            print_safe(&format!(
                "{}; wrote {}\n",
                live.check.message,
                path.display()
            ));
            Ok(exit::OK)
        }
        _ => {
            eprint_safe(&format!("error: discover failed: {}\n", live.check.message));
            Ok(exit::CHECK_FAILED)
        }
    }
}

//! `scenario-lab discover`: the signed discover, its shape check, `discover.json` in stable order.

use crate::artifacts;
use crate::cli::{DiscoverArgs, exit};
use crate::endpoint::EndpointClient;
use crate::live_discover;

/// `scenario-lab discover`: signed discover, shape check, `discover.json` in stable order.
pub async fn run(args: &DiscoverArgs) -> anyhow::Result<u8> {
    let client = match EndpointClient::from_args_or_usage(&args.endpoint) {
        Ok(client) => client,
        Err(code) => return Ok(code),
    };
    match live_discover::discover(&client).await {
        Ok((_, Some(body), check)) if check.ok => {
            let path = args.workspace.dir.join("discover.json");
            artifacts::write_atomic(
                &path,
                (serde_json::to_string_pretty(&body)? + "\n").as_bytes(),
            )?;
            println!("{}; wrote {}", check.message, path.display());
            Ok(exit::OK)
        }
        Ok((_, _, check)) => {
            eprintln!("error: discover failed: {}", check.message);
            Ok(exit::CHECK_FAILED)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(exit::UNREACHABLE)
        }
    }
}

//! `scenario-lab upload`: the validated recipes to the Autonoma platform.

use crate::cli::{UploadArgs, exit};
use crate::upload::upload_recipes;

/// `scenario-lab upload`: posts the recipes to the platform, only after a passed validation.
pub async fn run(args: &UploadArgs) -> anyhow::Result<u8> {
    match upload_recipes(
        &args.workspace.dir,
        args.setup.clone(),
        args.api_url.clone(),
    )
    .await
    {
        Ok(message) => {
            println!("{message}");
            Ok(exit::OK)
        }
        Err((code, message)) => {
            eprintln!("error: {message}");
            Ok(code)
        }
    }
}

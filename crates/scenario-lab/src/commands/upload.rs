//! `scenario-lab upload`: the proven recipes to the Autonoma platform.

use super::CommandError;
use crate::cli::{UploadArgs, exit};
use crate::terminal::{eprint_safe, print_safe};
use crate::upload::upload_recipes;
use crate::workspace_dir::WorkspaceDir;

/// Uploads `autonoma/scenario-recipes.json` when a validation proved it.
pub async fn run(args: &UploadArgs) -> Result<u8, CommandError> {
    let dir = match WorkspaceDir::open(&args.workspace) {
        Ok(dir) => dir,
        Err(message) => {
            eprint_safe(&message);
            return Ok(exit::USAGE);
        }
    };
    eprint_safe(&format!("{}\n", dir.describe()));
    match upload_recipes(&dir, args.setup.clone(), args.api_url.clone()).await {
        Ok(message) => {
            print_safe(&format!("{message}\n"));
            Ok(exit::OK)
        }
        Err(error) => {
            eprint_safe(&format!("error: {}\n", error.message));
            Ok(error.code)
        }
    }
}

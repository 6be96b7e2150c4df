//! `scenario-lab anip run`.

use super::CommandError;
use crate::cli::AnipRunArgs;
pub async fn run(_args: &AnipRunArgs) -> Result<u8, CommandError> { Ok(2) }

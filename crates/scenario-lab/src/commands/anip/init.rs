//! `scenario-lab anip init`.

use super::CommandError;
use crate::cli::AnipInitArgs;
pub async fn run(_args: &AnipInitArgs) -> Result<u8, CommandError> { Ok(2) }

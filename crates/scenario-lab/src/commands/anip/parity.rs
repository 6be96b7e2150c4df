//! `scenario-lab anip parity`.

use super::CommandError;
use crate::cli::AnipParityArgs;
pub async fn run(_args: &AnipParityArgs) -> Result<u8, CommandError> { Ok(2) }

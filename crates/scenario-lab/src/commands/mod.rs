//! One module per subcommand; each has `run(args)` returning the process exit code.

pub mod conformance;
pub mod demo;
pub mod discover;
pub mod down;
pub mod preflight;
pub mod serve;
pub mod upload;
pub mod validate;

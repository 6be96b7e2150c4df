//! The `scenario-lab` binary's library: CLI, reports, and (later) the proxy server.

pub mod cli;
pub mod preflight_command;
pub mod render;
pub mod workspace_dir;

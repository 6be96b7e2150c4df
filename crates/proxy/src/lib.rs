//! The `scenario-lab` binary's library: CLI, reports, the live lifecycle and (later) the proxy server.

pub mod artifacts;
pub mod cli;
pub mod conformance;
pub mod database;
pub mod demo_command;
pub mod demo_endpoint;
pub mod endpoint;
pub mod integrity;
pub mod lifecycle;
pub mod live_commands;
pub mod preflight_command;
pub mod render;
pub mod server;
pub mod settings;
pub mod validate_command;
pub mod validate_report;
pub mod workspace_dir;

//! The `scenario-lab` binary's library: the CLI's commands, the local proxy server, the live
//! lifecycle against an endpoint and a database, reports and artifacts.

pub mod anip;
pub mod anip_demo;
pub mod artifacts;
pub mod atomic_file;
pub mod cli;
pub mod commands;
pub mod conformance;
pub mod database;
pub mod demo_endpoint;
pub mod diagnoses;
pub mod endpoint;
pub mod example;
pub mod handler_source;
pub mod integrity;
pub mod json_path;
pub mod kept_run;
pub mod ledger;
pub mod lifecycle;
pub mod live_discover;
pub mod lsp;
pub mod reaper;
pub mod reconcile;
pub mod record_store;
pub mod render;
pub mod server;
pub mod settings;
pub mod terminal;
pub mod upload;
pub mod validate_report;
pub mod validation;
pub mod workspace_dir;
pub mod workspace_find;

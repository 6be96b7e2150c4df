//! The live side of ANIP scenario packs: the HTTP client, the runner and its reports.

pub mod audit;
pub mod client;
pub mod expect;
pub mod manifest_check;
pub mod parity;
pub mod probe;
pub mod report;
pub mod request;
pub mod run_state;
pub mod runner;
pub mod session;
pub mod starter_files;
pub mod trust;

//! Scenario Lab core: parsers, the recipe model, checks, token resolution, signing and the types
//! every edge shares (the endpoint protocol, the proxy API, validation reports). No I/O.

#![warn(missing_docs)]

pub mod anip;
pub mod api;
pub mod audit;
pub mod check_result;
pub mod checks;
pub mod diagnosis;
pub mod diagnostic;
pub mod dialect;
pub mod discover;
pub mod faker;
pub mod file_version;
pub mod fix_all;
pub mod graph;
pub mod json;
pub mod json_budget;
pub mod json_edit;
pub mod language;
pub mod line_index;
pub mod markdown;
pub mod preflight;
pub mod protocol;
pub mod recipe_picture;
pub mod recipes;
pub mod redact;
pub mod run_report;
pub mod sample;
pub mod scenarios;
pub mod sdk_tokens;
pub mod signing;
pub mod table_map;
pub mod tokens;
pub mod yaml;

pub use diagnostic::{Code, Diagnostic, FileKind, Fix, Label, Parsed, Severity, Span, TextEdit};
pub use preflight::{Report, Skipped, Texts, Workspace, preflight};

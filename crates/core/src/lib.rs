//! Scenario Lab core: parsers, the recipe model, checks, token resolution and signing. No I/O.

pub mod audit;
pub mod diagnostic;
pub mod discover;
pub mod faker;
pub mod file_version;
pub mod graph;
pub mod json;
pub mod line_index;
pub mod markdown;
pub mod recipes;
pub mod sample;
pub mod scenarios;
pub mod sdk_tokens;
pub mod signing;
pub mod table_map;
pub mod tokens;
pub mod yaml;

pub use diagnostic::{Code, Diagnostic, FileKind, Fix, Label, Parsed, Severity, Span, TextEdit};
pub mod checks;
pub mod fix_all;
pub mod flatten;
pub mod json_edit;
pub mod preflight;

pub use preflight::{Report, Skipped, Workspace, preflight};

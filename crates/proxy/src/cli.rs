//! Command-line arguments of `scenario-lab`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Prove Environment Factory scenarios: offline preflight, live lifecycle, editor.
#[derive(Debug, Parser)]
#[command(name = "scenario-lab", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the autonoma/ folder offline and report every problem with its position.
    Preflight(PreflightArgs),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style text with source excerpts
    #[default]
    Human,
    /// one JSON document
    Json,
    /// JUnit XML for CI
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct PreflightArgs {
    /// The folder holding scenarios.md, entity-audit.md, discover.json and scenario-recipes.json.
    #[arg(long, default_value = "autonoma")]
    pub dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Colour the human output (default: when standard output is a terminal and NO_COLOR is unset).
    #[arg(long)]
    pub color: Option<bool>,
}

//! ANIP execution scenario packs (`scenario-pack/v1`): the model, its parser, the offline check and manifests.

pub mod check;
pub mod import;
pub mod jws;
pub mod language;
pub mod locate;
pub mod manifest;
pub mod pack;
pub mod parse;
pub mod paths;
pub mod run_report;
pub mod schema;
pub mod starter;
pub mod wire;

use crate::diagnostic::{Code, Diagnostic, sort_diagnostics};
use crate::preflight::Report;
pub use manifest::{Manifest, parse_manifest};
pub use pack::{Pack, Scenario, ScenarioClass};
pub use parse::{Syntax, parse_pack};

/// A pack read and checked: the model (for the runner) and every diagnostic, sorted.
#[derive(Debug)]
pub struct CheckedPack {
    /// The pack as read.
    pub pack: Pack,
    /// The manifest, when one was given and reads.
    pub manifest: Option<Manifest>,
    /// Parse and check findings of the pack and the manifest.
    pub report: Report,
}

/// Reads and checks a pack's `text`; `manifest` is the text of `anip/manifest.json` when present.
pub fn check_pack(text: &str, syntax: Syntax, manifest: Option<&str>) -> CheckedPack {
    let parsed = parse_pack(text, syntax);
    let mut diagnostics: Vec<Diagnostic> = parsed.diagnostics;
    let manifest = manifest.and_then(|m| {
        let parsed = parse_manifest(m);
        diagnostics.extend(parsed.diagnostics);
        parsed.value
    });
    // A file that does not parse is half read: checking it would only add noise.
    let broken = diagnostics
        .iter()
        .any(|d| d.code == Code::JSON_SYNTAX || d.code == Code::YAML_SYNTAX);
    if !broken {
        diagnostics.extend(check::check(&parsed.value, text, syntax, manifest.as_ref()));
    }
    sort_diagnostics(&mut diagnostics);
    // A YAML alias repeats its anchor's nodes (and spans): one finding per place.
    diagnostics.dedup();
    CheckedPack {
        pack: parsed.value,
        manifest,
        report: Report {
            diagnostics,
            ..Report::default()
        },
    }
}

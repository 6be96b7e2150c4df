//! `scenario-lab anip check PACK...`: the offline check of each pack, rendered like the preflight.

use super::CommandError;
use crate::cli::{AnipCheckArgs, Format, exit};
use crate::render::{Rendered, html, human, json, junit};
use crate::terminal::eprint_safe;
use scenario_lab_core::FileKind;
use scenario_lab_core::anip::pack::{Pack, Request};
use scenario_lab_core::anip::{CheckedPack, Syntax, check_pack};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// A pack file and the manifest beside it, read.
#[derive(Debug)]
pub struct PackFile {
    /// The pack's path as given.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// `manifest.json` beside it, when there is one.
    pub manifest: Option<(PathBuf, String)>,
}

impl PackFile {
    /// Reads `path` and the `manifest.json` in its folder.
    pub fn read(path: &Path) -> Result<PackFile, String> {
        let text = read_capped(path)?;
        let manifest_path = path.with_file_name("manifest.json");
        let manifest = manifest_path
            .is_file()
            .then(|| read_capped(&manifest_path))
            .transpose()?
            .map(|text| (manifest_path, text));
        Ok(PackFile {
            path: path.to_owned(),
            text,
            manifest,
        })
    }

    /// Reads `path`, or says why not on standard error (the caller exits 2).
    pub fn read_or_say(path: &Path) -> Option<PackFile> {
        PackFile::read(path)
            .map_err(|error| eprint_safe(&format!("error: {error}\n")))
            .ok()
    }

    /// The pack read and checked.
    pub fn check(&self) -> CheckedPack {
        check_pack(
            &self.text,
            Syntax::of_path(&self.path.to_string_lossy()),
            self.manifest.as_ref().map(|(_, text)| text.as_str()),
        )
    }

    /// The files as the renderers name them.
    pub fn sources(&self) -> Vec<(FileKind, String, &str)> {
        let mut sources = vec![(
            FileKind::Pack,
            self.path.display().to_string(),
            self.text.as_str(),
        )];
        if let Some((path, text)) = &self.manifest {
            sources.push((FileKind::AnipManifest, path.display().to_string(), text));
        }
        sources
    }
}

/// Packs and manifests larger than this are refused before they are read.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

fn read_capped(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_BYTES {
        return Err(format!(
            "{} is {size} bytes; packs are read up to {MAX_BYTES} bytes",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not valid UTF-8 (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// One pack's report rendered in `format` (the fixture tests snapshot this; HTML is a whole
/// page, as `anip check --format html` writes it for one pack).
pub fn render(file: &PackFile, checked: &CheckedPack, format: Format, color: bool) -> String {
    let rendered = Rendered::new(&checked.report, file.sources()).titled("anip check");
    match format {
        Format::Human => human::render(&rendered, color),
        Format::Json => json::render(&rendered),
        Format::Junit => junit::render(&rendered),
        Format::Html => html::anip_check_page(&[html::PackSection {
            rendered,
            scenarios: scenario_rows(&checked.pack),
        }]),
    }
}

/// Each scenario as a row of the HTML page: id, class, what it does, `prior`.
fn scenario_rows(pack: &Pack) -> Vec<[String; 4]> {
    pack.scenarios
        .iter()
        .map(|s| {
            let request = match &s.request {
                Some(Request::Invoke(invoke)) if invoke.parallel > 1 => {
                    format!("invoke {} ×{}", invoke.capability.value, invoke.parallel)
                }
                Some(Request::Invoke(invoke)) => format!("invoke {}", invoke.capability.value),
                Some(Request::Grant(grant)) => format!("grant {}", grant.approval_request.value),
                Some(Request::Ask(ask)) => format!("ask \"{}\"", ask.question.value),
                Some(Request::Manifest) => "manifest".to_owned(),
                None => String::new(),
            };
            let prior: Vec<&str> = s.prior.iter().map(|p| p.value.as_str()).collect();
            [
                s.id.value.clone(),
                s.class
                    .as_ref()
                    .map_or_else(String::new, |c| c.value.as_str().to_owned()),
                request,
                prior.join(", "),
            ]
        })
        .collect()
}

/// The `anip check` command.
pub fn run(args: &AnipCheckArgs) -> Result<u8, CommandError> {
    let color = args.output.is_none()
        && args.color.unwrap_or_else(|| {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        });
    let mut code = exit::OK;
    let mut files = Vec::new();
    for path in &args.packs {
        let Some(file) = PackFile::read_or_say(path) else {
            return Ok(exit::USAGE);
        };
        files.push(file);
    }
    let checked: Vec<CheckedPack> = files.iter().map(PackFile::check).collect();
    if checked.iter().any(|c| c.report.errors() > 0) {
        code = exit::CHECK_FAILED;
    }
    let output = if args.format == Format::Html {
        // One page for every pack.
        let sections: Vec<html::PackSection<'_>> = files
            .iter()
            .zip(&checked)
            .map(|(file, checked)| html::PackSection {
                rendered: Rendered::new(&checked.report, file.sources()).titled("anip check"),
                scenarios: scenario_rows(&checked.pack),
            })
            .collect();
        html::anip_check_page(&sections)
    } else {
        files
            .iter()
            .zip(&checked)
            .map(|(file, checked)| render(file, checked, args.format, color))
            .collect()
    };
    match &args.output {
        Some(path) => {
            super::write_file(path, &output)?;
            eprint_safe(&format!("report written to {}\n", path.display()));
        }
        None => print!("{output}"),
    }
    Ok(code)
}

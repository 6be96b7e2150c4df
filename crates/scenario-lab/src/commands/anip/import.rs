//! `scenario-lab anip import FILE`: ANIP's own case files written as a `scenario-pack/v1` pack.

use super::CommandError;
use crate::cli::{AnipImportArgs, exit};
use crate::terminal::eprint_safe;
use scenario_lab_core::anip::import::import;
use serde_json::Value;
use std::path::PathBuf;

/// The `anip import` command.
pub fn run(args: &AnipImportArgs) -> Result<u8, CommandError> {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(error) => {
            eprint_safe(&format!(
                "error: cannot read {}: {error}\n",
                args.file.display()
            ));
            return Ok(exit::USAGE);
        }
    };
    let pack = match import(&text) {
        Ok(pack) => pack,
        Err(error) => {
            eprint_safe(&format!("error: {}: {error}\n", args.file.display()));
            return Ok(exit::USAGE);
        }
    };
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .file
            .file_stem()
            .map_or_else(|| "imported".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from("anip").join(format!("{stem}.pack.yaml"))
    });
    let header = format!(
        "Imported by `scenario-lab anip import {}`: set `service.url`, then `scenario-lab anip check`.",
        args.file.display()
    );
    super::write_pack(&out, &pack, &header)?;
    let count = pack
        .get("scenarios")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    println!("wrote {} ({count} scenarios)", out.display());
    Ok(exit::OK)
}

//! `autonoma/scenario-lab.toml`: table and id-column overrides for the database checks.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// ```toml
/// [tables]
/// User = "accounts"
/// [id_columns]
/// User = "uuid"
/// ```
#[derive(Debug, Default, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub tables: BTreeMap<String, String>,
    #[serde(default)]
    pub id_columns: BTreeMap<String, String>,
}

impl Settings {
    /// Reads the file if present; a malformed file is an error naming the place.
    pub fn read(dir: &Path) -> Result<Settings, String> {
        let path = dir.join("scenario-lab.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(_) => Ok(Settings::default()),
        }
    }
}

//! `autonoma/scenario-lab.toml`: table and id-column overrides for the database checks.

use serde::Deserialize;
use std::collections::BTreeMap;

/// ```toml
/// [tables]
/// User = "accounts"
/// [id_columns]
/// User = "uuid"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub tables: BTreeMap<String, String>,
    #[serde(default)]
    pub id_columns: BTreeMap<String, String>,
}

impl Settings {
    /// The file name inside the workspace.
    pub const FILE: &'static str = "scenario-lab.toml";

    /// Parses the file's text; a malformed file is an error naming the place.
    pub fn parse(text: &str) -> Result<Settings, String> {
        toml::from_str(text).map_err(|e| format!("{}: {e}", Self::FILE))
    }
}

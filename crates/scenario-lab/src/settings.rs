//! `autonoma/scenario-lab.toml`: table and id-column overrides for the database checks, and the
//! HTTP read probes of apps without a database.

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
    /// How an app without a database lists its records (`validate` without `--database-url`).
    pub probes: Option<ProbeSettings>,
}

/// ```toml
/// [probes]
/// url = "http://127.0.0.1:3000/api/seeded/{model}"   # GET; {model} is the discover model name
/// ids = "$.items[*].id"                                # JSONPath to that model's record ids
/// header = "authorization: Bearer ${PROBE_TOKEN}"      # optional; ${VAR} from the environment
/// [probes.Card]                                        # per model: another url and ids
/// url = "http://127.0.0.1:3000/api/cards"
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ProbeSettings {
    pub url: Option<String>,
    pub ids: Option<String>,
    pub header: Option<String>,
    /// `[probes.Model]` tables.
    #[serde(flatten)]
    pub models: BTreeMap<String, ModelProbe>,
}

/// One model's own probe.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelProbe {
    pub url: Option<String>,
    pub ids: Option<String>,
}

impl Settings {
    /// The file name inside the workspace.
    pub const FILE: &'static str = "scenario-lab.toml";

    /// Parses the file's text; a malformed file is an error naming the place.
    pub fn parse(text: &str) -> Result<Settings, String> {
        toml::from_str(text).map_err(|e| format!("{}: {e}", Self::FILE))
    }
}

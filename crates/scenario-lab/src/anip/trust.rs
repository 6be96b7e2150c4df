//! Which services may receive the user's ANIP credentials: those the user named outside the pack
//! (`--service`, `anip init --service`, `serve --anip-service`, the trust file), by origin.

use reqwest::Url;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The origins credentials may go to.
#[derive(Clone, Debug, Default)]
pub struct Trust {
    origins: BTreeSet<String>,
}

/// `scheme://host:port` of `url`, when it parses.
pub fn origin_of(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    let host = url.host_str()?;
    let port = url.port_or_known_default()?;
    Some(format!("{}://{host}:{port}", url.scheme()))
}

/// The user's trust file: one origin per line (`$XDG_CONFIG_HOME` or `~/.config`, then
/// `scenario-lab/anip-trust.txt`).
pub fn file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("scenario-lab").join("anip-trust.txt"))
}

impl Trust {
    /// The services the user named on the command line, plus the trust file's origins.
    pub fn named(services: &[String]) -> Trust {
        let mut trust = Trust::default();
        for service in services {
            trust.origins.extend(origin_of(service));
        }
        if let Some(text) = file().and_then(|f| std::fs::read_to_string(f).ok()) {
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    trust.origins.extend(origin_of(line));
                }
            }
        }
        trust
    }

    /// Whether credentials may go to `service`.
    pub fn allows(&self, service: &str) -> bool {
        origin_of(service).is_some_and(|o| self.origins.contains(&o))
    }

    /// Adds `service`'s origin to the trust file (`anip init --service` names it).
    pub fn remember(service: &str) -> std::io::Result<()> {
        let (Some(path), Some(origin)) = (file(), origin_of(service)) else {
            return Ok(());
        };
        let existing = std::fs::read_to_string(&path).unwrap_or_default();
        if existing
            .lines()
            .any(|l| origin_of(l.trim()).as_ref() == Some(&origin))
        {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&origin);
        text.push('\n');
        crate::atomic_file::write_atomic(&path, text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let trust = Trust {
            origins: [origin_of("http://127.0.0.1:9100/").unwrap_or_default()].into(),
        };
        assert!(trust.allows("http://127.0.0.1:9100"));
        assert!(trust.allows("http://127.0.0.1:9100/anip"));
        assert!(!trust.allows("http://127.0.0.1:9101"));
        assert!(!trust.allows("https://127.0.0.1:9100"));
        assert!(!trust.allows("not a url"));
        assert_eq!(
            origin_of("https://a.example/x").as_deref(),
            Some("https://a.example:443")
        );
    }
}

//! Atomic file writes: a uniquely named temporary file created beside the target (`O_EXCL`, so
//! never through a planted symlink), written and synced, then renamed over the target.

use std::io::Write;
use std::path::Path;

/// Replaces `path` with `contents` in one step: readers see the old or the new file, never a
/// part. An existing file keeps its permissions; a new one is readable by everyone (0644).
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, contents, None)
}

/// Like [`write_atomic`], for files holding secrets (refs tokens): owner-only (0600).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_with_mode(path, contents, Some(0o600))
}

fn write_with_mode(path: &Path, contents: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".scenario-lab-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(contents)?;
    set_mode(temp.as_file(), path, mode)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_mode(file: &std::fs::File, target: &Path, mode: Option<u32>) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match mode {
        Some(mode) => mode,
        None => std::fs::symlink_metadata(target)
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map_or(0o644, |m| m.permissions().mode() & 0o7777),
    };
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &std::fs::File, _: &Path, _: Option<u32>) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn a_symlink_planted_at_any_temporary_name_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        // The names the old writer used, and a few more: each points outside the workspace.
        let old_name = format!(".scenario-recipes.json.{}.tmp", std::process::id());
        for name in [old_name.as_str(), ".scenario-lab-x.tmp"] {
            std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
        }
        let target = dir.path().join("scenario-recipes.json");
        for round in 0..20 {
            write_atomic(&target, format!("round {round}").as_bytes()).unwrap();
        }
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "round 19");
        assert!(!std::fs::symlink_metadata(&target).unwrap().is_symlink());
    }

    #[test]
    fn concurrent_writers_never_leave_a_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("scenarios.md");
        let texts: Vec<String> = (0..20).map(|i| format!("{i}").repeat(50_000)).collect();
        std::thread::scope(|scope| {
            for text in &texts {
                let target = &target;
                scope.spawn(move || write_atomic(target, text.as_bytes()).unwrap());
            }
            for _ in 0..200 {
                if let Ok(read) = std::fs::read_to_string(&target) {
                    assert!(texts.contains(&read), "a reader saw {} bytes", read.len());
                }
            }
        });
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "temporary files left behind");
    }
}

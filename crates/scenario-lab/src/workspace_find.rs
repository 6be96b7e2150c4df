//! Finds the workspace folder when `--dir` is not given: `autonoma/`, then `.autonoma/`, then the
//! planner CLI's `~/.autonoma/<slug>/` for the current folder (`planner.md` §1.1).

use std::path::{Path, PathBuf};

/// Where a workspace folder was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// `--dir`.
    Given,
    /// `./autonoma/`.
    Autonoma,
    /// `./.autonoma/` (usually a copy of the planner's folder).
    DotAutonoma,
    /// The planner's own output folder `~/.autonoma/<slug>/`.
    PlannerHome(String),
    /// Nothing found: the default `autonoma/`, which does not exist.
    Default,
}

/// The folder a command works on, and how it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub dir: PathBuf,
    pub place: Place,
}

/// The entries of `~/.autonoma/` that belong to the machine, not to a project (`planner.md` §1.2).
pub const MACHINE_ENTRIES: [&str; 6] = [
    ".env",
    "debug",
    "preferences.json",
    ".device-id",
    ".distinct-id",
    ".aliased-to",
];

/// Files of a planner folder that hold secrets: never read, shown, served or uploaded.
pub const SECRET_FILES: [&str; 2] = [".recipe-builder-state.json", ".env"];

/// The planner's slug for a project root: the last `/`-separated segment, lowercased, each run
/// of characters outside `[a-z0-9]` replaced by `-`, `-` trimmed; `default` when nothing is left.
pub fn slug(root: &str) -> String {
    let last = root
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let mut out = String::new();
    for c in last.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "default".to_owned()
    } else {
        out.to_owned()
    }
}

/// Whether `dir` holds a recipes file (either name).
fn has_recipes(dir: &Path) -> bool {
    ["scenario-recipes.json", "recipe.json"]
        .iter()
        .any(|name| dir.join(name).is_file())
}

/// The workspace for a command run in `cwd`, with the planner's home at `home/.autonoma`.
/// A folder counts when it holds a recipes file, or (for `autonoma/` and `.autonoma/`) exists.
pub fn find(cwd: &Path, home: Option<&Path>) -> Found {
    let autonoma = cwd.join("autonoma");
    let dot = cwd.join(".autonoma");
    let planner = home.and_then(|home| {
        let slug = slug(&cwd.to_string_lossy());
        (!MACHINE_ENTRIES.contains(&slug.as_str()))
            .then(|| (home.join(".autonoma").join(&slug), slug))
    });
    let candidates = [
        (autonoma.clone(), Place::Autonoma),
        (dot.clone(), Place::DotAutonoma),
    ];
    if let Some(found) = candidates.iter().find(|(dir, _)| has_recipes(dir)) {
        return Found {
            dir: found.0.clone(),
            place: found.1.clone(),
        };
    }
    if let Some((dir, slug)) = planner.filter(|(dir, _)| has_recipes(dir) || dir.is_dir())
        && !autonoma.is_dir()
        && !dot.is_dir()
    {
        return Found {
            dir,
            place: Place::PlannerHome(slug),
        };
    }
    for (dir, place) in candidates {
        if dir.is_dir() {
            return Found { dir, place };
        }
    }
    Found {
        dir: autonoma,
        place: Place::Default,
    }
}

/// Why `--dir` names no project folder: the planner's machine folder `~/.autonoma` itself.
pub fn refuse_machine_folder(dir: &Path) -> Option<String> {
    let machine = MACHINE_ENTRIES
        .iter()
        .filter(|e| dir.join(e).exists())
        .count();
    if machine == 0 || has_recipes(dir) {
        return None;
    }
    let mut projects: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !MACHINE_ENTRIES.contains(&name.as_str()))
        .collect();
    projects.sort();
    Some(format!(
        "{} is the planner CLI's machine folder, not a project; pass one of its projects with --dir: {}",
        dir.display(),
        if projects.is_empty() {
            "(none yet)".to_owned()
        } else {
            projects.join(", ")
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_as_the_planner_makes_them() {
        assert_eq!(slug("/home/ana/Shop Front_v2"), "shop-front-v2");
        assert_eq!(slug("/srv/app/"), "app");
        assert_eq!(slug("/"), "default");
        assert_eq!(slug("C:\\Users\\ana\\My App"), "c-users-ana-my-app");
    }

    #[test]
    fn looks_in_autonoma_then_dot_autonoma_then_the_planner_home() {
        let root = tempfile::tempdir().expect("tempdir");
        let repo = root.path().join("My Shop");
        let home = root.path().join("home");
        std::fs::create_dir_all(repo.join(".autonoma")).expect("mkdir");
        std::fs::create_dir_all(home.join(".autonoma/my-shop")).expect("mkdir");
        std::fs::write(home.join(".autonoma/my-shop/recipe.json"), "{}").expect("write");
        // An empty .autonoma/ is still the repository's own folder.
        assert_eq!(find(&repo, Some(&home)).place, Place::DotAutonoma);
        std::fs::remove_dir(repo.join(".autonoma")).expect("rmdir");
        let found = find(&repo, Some(&home));
        assert_eq!(found.place, Place::PlannerHome("my-shop".into()));
        std::fs::create_dir_all(repo.join(".autonoma")).expect("mkdir");
        std::fs::write(repo.join(".autonoma/recipe.json"), "{}").expect("write");
        std::fs::create_dir_all(repo.join("autonoma")).expect("mkdir");
        // autonoma/ without recipes loses to .autonoma/ with them.
        assert_eq!(find(&repo, Some(&home)).place, Place::DotAutonoma);
        assert_eq!(
            refuse_machine_folder(&home.join(".autonoma")),
            None,
            "no machine entries yet"
        );
        std::fs::write(home.join(".autonoma/preferences.json"), "{}").expect("write");
        let refusal = refuse_machine_folder(&home.join(".autonoma")).expect("refused");
        assert!(refusal.contains("my-shop"), "{refusal}");
    }
}

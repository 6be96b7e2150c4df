//! The handler file `.endpoint-implemented` names (its `handler:` line, relative to the project
//! root) and where each model's factory is registered in it (Python and TypeScript handlers).

use crate::workspace_dir::WorkspaceDir;
use regex::Regex;

/// The handler's path as written and its text.
#[derive(Debug)]
pub struct HandlerSource {
    /// As `.endpoint-implemented` names it (relative to the project root).
    pub path: String,
    pub text: String,
}

/// Why no handler could be read.
#[derive(Debug, PartialEq, Eq)]
pub enum NoHandler {
    /// No `.endpoint-implemented`.
    NoSentinel,
    /// It names no handler file.
    Unnamed,
    /// It cannot be read (the message says where).
    Unreadable(String),
}

/// How to name the handler so that diagnoses point into it.
pub const NAME_IT: &str = "name the handler file in autonoma/.endpoint-implemented (a line `handler: path/from/the/project/root`)";

impl HandlerSource {
    /// The handler of the workspace `dir`.
    pub fn read(dir: &WorkspaceDir) -> Result<HandlerSource, NoHandler> {
        let sentinel = match dir.other(".endpoint-implemented") {
            Ok(Some(text)) => text,
            Ok(None) => return Err(NoHandler::NoSentinel),
            Err(message) => return Err(NoHandler::Unreadable(message)),
        };
        let path = sentinel
            .lines()
            .find_map(|l| {
                let l = l.trim().trim_start_matches("- ");
                l.strip_prefix("handler:")
                    .map(|p| p.trim().trim_end_matches(['.', ',', ';', ':']).to_owned())
            })
            .ok_or(NoHandler::Unnamed)?;
        // The handler path is relative to the repository (the folder holding autonoma/).
        let root = dir
            .dir
            .canonicalize()
            .ok()
            .and_then(|d| d.parent().map(std::path::Path::to_path_buf))
            .unwrap_or_default();
        let full = root.join(&path);
        let text = std::fs::read_to_string(&full).map_err(|_| {
            NoHandler::Unreadable(format!("handler file {} not found", full.display()))
        })?;
        Ok(HandlerSource { path, text })
    }

    /// The 1-based line where `model`'s factory is registered (`"Model": define_factory(`,
    /// `Model: defineFactory(`, a factories map key), else the first line naming it.
    pub fn factory_line(&self, model: &str) -> Option<usize> {
        self.registration_line(model).or_else(|| {
            let named = Regex::new(&format!(r"\b{}\b", regex::escape(model))).ok()?;
            Some(self.line_of(named.find(&self.text)?.start()))
        })
    }

    /// The line opening the factories map (`factories = {`, `factories: {`): where a missing
    /// factory belongs.
    pub fn factories_line(&self) -> Option<usize> {
        let map = pattern(r"(?m)\bfactories\s*[:=]\s*[\{\[]");
        Some(self.line_of(map.find(&self.text)?.start()))
    }

    /// The line registering `model`'s factory.
    pub fn registration_line(&self, model: &str) -> Option<usize> {
        let escaped = regex::escape(model);
        let registration = Regex::new(&format!(
            r#"(?m)["']?\b{escaped}\b["']?\s*[:=]\s*(define_factory|defineFactory|Factory|\{{)"#
        ))
        .ok()?;
        Some(self.line_of(registration.find(&self.text)?.start()))
    }

    /// The 1-based line of byte `at`.
    fn line_of(&self, at: usize) -> usize {
        self.text[..at].matches('\n').count() + 1
    }

    /// The model (other than `table`'s own) whose factory's create body writes `table` (a word,
    /// case-insensitive): the owner of rows a side effect leaves.
    pub fn creating(&self, table: &str) -> Option<String> {
        let word = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(table))).ok()?;
        create_bodies(&self.path, &self.text)?
            .into_iter()
            .find(|(model, start, end)| {
                !same_name(model, table) && word.is_match(&self.text[*start..*end])
            })
            .map(|(model, _, _)| model)
    }
}

/// A model and a table or word for it: `Project` and `project`, `projects`, `"project"`,
/// `OnboardingChecklist` and `onboarding_checklist`.
pub fn same_name(model: &str, word: &str) -> bool {
    let folded: String = word
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_lowercase();
    let model = model.to_lowercase();
    folded == model || folded.strip_suffix('s') == Some(model.as_str())
}

/// Each factory's create body in `source` as (model, start, end), by the file's extension (Python
/// or TypeScript/JavaScript); `None` for other languages.
pub fn create_bodies(file_name: &str, source: &str) -> Option<Vec<(String, usize, usize)>> {
    match file_name.rsplit('.').next().unwrap_or_default() {
        "py" => Some(python_create_bodies(source)),
        "ts" | "tsx" | "js" | "mjs" | "cjs" => Some(ts_create_bodies(source)),
        _ => None,
    }
}

/// TypeScript: `Model: defineFactory({ ... create(...) { body } ... })`.
fn ts_create_bodies(source: &str) -> Vec<(String, usize, usize)> {
    let header = pattern(r"([A-Z][A-Za-z0-9_]*)\s*:\s*defineFactory\s*\(\s*\{");
    let create = pattern(r"\bcreate\s*[(:]");
    let mut bodies = Vec::new();
    for found in header.captures_iter(source) {
        let (Some(whole), Some(model)) = (found.get(0), found.get(1)) else {
            continue;
        };
        let Some(locator) = create.find_at(source, whole.end()) else {
            continue;
        };
        let Some(open) = source[locator.end()..].find('{').map(|i| locator.end() + i) else {
            continue;
        };
        let mut depth = 0usize;
        let mut end = source.len();
        for (i, c) in source[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        bodies.push((model.as_str().to_owned(), open, end));
    }
    bodies
}

/// Python: `"Model": define_factory(create=fn, ...)`, then the body of `def fn(`.
fn python_create_bodies(source: &str) -> Vec<(String, usize, usize)> {
    let registration =
        pattern(r#"["']([A-Za-z_][A-Za-z0-9_]*)["']\s*:\s*define_factory\s*\(([^)]*)\)"#);
    let create_arg = pattern(r"\bcreate\s*=\s*([A-Za-z_][A-Za-z0-9_]*)");
    let mut bodies = Vec::new();
    for found in registration.captures_iter(source) {
        let (Some(model), Some(args)) = (found.get(1), found.get(2)) else {
            continue;
        };
        let Some(function) = create_arg.captures(args.as_str()).and_then(|c| c.get(1)) else {
            continue;
        };
        let def = pattern(&format!(
            r"(?m)^([ \t]*)(async\s+)?def\s+{}\s*\(",
            regex::escape(function.as_str())
        ));
        let Some(definition) = def.captures(source) else {
            continue;
        };
        let indent = definition.get(1).map_or(0, |m| m.as_str().len());
        let start = definition.get(0).map_or(0, |m| m.end());
        let mut end = source.len();
        let mut offset = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i + 1);
        while offset < source.len() {
            let line_end = source[offset..]
                .find('\n')
                .map_or(source.len(), |i| offset + i + 1);
            let line = &source[offset..line_end];
            let content = line.trim_start();
            if !content.trim().is_empty() && line.len() - content.len() <= indent {
                end = offset;
                break;
            }
            offset = line_end;
        }
        bodies.push((model.as_str().to_owned(), start, end));
    }
    bodies
}

fn pattern(source: &str) -> Regex {
    // The patterns are constants of this module (or escaped names); they always compile.
    Regex::new(source).unwrap_or_else(|e| unreachable!("invalid built-in pattern: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factories_are_found_in_python_and_typescript() {
        let python = HandlerSource {
            path: "app/autonoma.py".into(),
            text: "from autonoma import define_factory\n\nfactories = {\n    \"Organization\": define_factory(create=create_org),\n    \"User\": define_factory(create=create_user),\n}\n".into(),
        };
        assert_eq!(python.factory_line("User"), Some(5));
        let ts = HandlerSource {
            path: "src/autonoma.ts".into(),
            text: "const factories = {\n  Clinic: defineFactory({\n  }),\n  Doctor: defineFactory({\n  }),\n};\n".into(),
        };
        assert_eq!(ts.factory_line("Doctor"), Some(4));
        assert_eq!(ts.factory_line("Nurse"), None);
        // A model with no factory at all: the map it belongs in, not a line merely naming it.
        let named = HandlerSource {
            path: "src/autonoma.ts".into(),
            text: "// Nurse rows come from the roster import
const factories = {
  Clinic: defineFactory({}),
};
"
            .into(),
        };
        assert_eq!(named.factory_line("Nurse"), Some(1));
        assert_eq!(named.registration_line("Nurse"), None);
        assert_eq!(named.factories_line(), Some(2));
        assert_eq!(named.registration_line("Clinic"), Some(3));
    }

    #[test]
    fn the_factory_writing_a_table_owns_its_rows() {
        let python = HandlerSource {
            path: "app.py".into(),
            text: "def create_org(data, ctx):\n    run(\"INSERT INTO onboarding_checklist\")\n\ndef create_user(data, ctx):\n    pass\n\nfactories = {\n    \"Organization\": define_factory(create=create_org),\n    \"User\": define_factory(create=create_user),\n}\n".into(),
        };
        assert_eq!(
            python.creating("onboarding_checklist").as_deref(),
            Some("Organization")
        );
        assert_eq!(
            python.creating("user"),
            None,
            "a model's own table is not a side effect"
        );
        assert!(same_name("OnboardingChecklist", "onboarding_checklist"));
        assert!(same_name("Project", "projects"));
        assert!(!same_name("Project", "task"));
    }
}

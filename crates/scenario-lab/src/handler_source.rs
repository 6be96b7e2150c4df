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
        let escaped = regex::escape(model);
        let registration = Regex::new(&format!(
            r#"(?m)["']?\b{escaped}\b["']?\s*[:=]\s*(define_factory|defineFactory|Factory|\{{)"#
        ))
        .ok()?;
        let named = Regex::new(&format!(r"\b{escaped}\b")).ok()?;
        let at = registration
            .find(&self.text)
            .or_else(|| named.find(&self.text))?
            .start();
        Some(self.text[..at].matches('\n').count() + 1)
    }

    /// The model (other than `table`'s own) whose factory's create body writes `table` (a word,
    /// case-insensitive): the owner of rows a side effect leaves.
    pub fn creating(&self, table: &str) -> Option<String> {
        let word = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(table))).ok()?;
        crate::integrity::create_bodies(&self.path, &self.text)?
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

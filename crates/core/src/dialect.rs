//! The one place that decides a workspace folder's layout and each file's dialect (from content).
//!
//! Teams keep Environment Factory files in several shapes: the April 2026 plugin's `autonoma/`,
//! the planner CLI's `~/.autonoma/<slug>/` (and copies of it in `.autonoma/`), hand-made folders.
//! Checks ask this module which rules apply; nothing else guesses.

use crate::diagnostic::FileKind;
use crate::json::Node;
use crate::yaml::YamlNode;
use serde::{Deserialize, Serialize};

/// What kind of folder the workspace files came from, decided by the markers present.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// The plugin's `autonoma/` (`scenario-recipes.json`, step sentinels, `.scenario-validation.json`).
    #[default]
    Plugin,
    /// The planner CLI's own output folder (its dotfiles are present).
    PlannerLive,
    /// A copy of the planner's folder committed to a repository (no dotfiles).
    PlannerCopy,
    /// A folder written by hand (`recipe.json` without the planner's other files).
    HandMade,
}

impl Layout {
    /// For people: "a planner CLI copy".
    pub const fn label(self) -> &'static str {
        match self {
            Layout::Plugin => "a plugin workspace",
            Layout::PlannerLive => "a planner CLI output folder",
            Layout::PlannerCopy => "a planner CLI copy",
            Layout::HandMade => "a hand-made workspace",
        }
    }

    /// Whether the planner CLI wrote (or would upload) this folder.
    pub const fn is_planner(self) -> bool {
        matches!(self, Layout::PlannerLive | Layout::PlannerCopy)
    }
}

/// Files that only the plugin writes.
const PLUGIN_MARKERS: [&str; 8] = [
    "scenario-recipes.json",
    ".generation-id",
    ".docs-url",
    ".endpoint-implemented",
    ".endpoint-validated",
    ".scenario-validation.json",
    "skills",
    "features.json",
];

/// Files that only the planner writes (besides `recipe.json`); the first three are dotfiles a copy
/// loses.
const PLANNER_MARKERS: [&str; 8] = [
    ".pipeline-state.json",
    ".recipe-builder-state.json",
    ".sdk-integration-complete",
    "integration-prompt.md",
    "project-map.json",
    "pages.json",
    "flows.json",
    "AUTONOMA.md",
];

/// The layout of a folder holding the entries `names` (bare names, as a directory listing gives).
pub fn layout_of<'a>(names: impl IntoIterator<Item = &'a str>) -> Layout {
    let names: Vec<&str> = names.into_iter().collect();
    let has = |n: &str| names.contains(&n);
    let plugin = PLUGIN_MARKERS.iter().filter(|m| has(m)).count()
        + names.iter().filter(|n| n.starts_with(".step-")).count();
    let planner = PLANNER_MARKERS.iter().filter(|m| has(m)).count();
    // `recipe.json` is the planner's name: it outweighs a hand-written `.endpoint-implemented`.
    let recipe_json = usize::from(has("recipe.json"));
    if plugin > 0 && plugin >= planner + recipe_json {
        Layout::Plugin
    } else if PLANNER_MARKERS[..3].iter().any(|m| has(m)) {
        Layout::PlannerLive
    } else if planner > 0 {
        Layout::PlannerCopy
    } else if recipe_json > 0 {
        Layout::HandMade
    } else {
        Layout::Plugin
    }
}

/// Which tooling's rules a file follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    /// The plugin v2.1 formats (and their validators' rules).
    Plugin,
    /// The planner CLI's formats (its own gates, as warnings).
    Planner,
    /// Written by hand: the platform's rules only.
    HandMade,
    /// Markdown without frontmatter: only its presence is checked.
    FreeForm,
    /// Frontmatter of no known generation (early ad hoc files).
    Unrecognised,
}

impl Dialect {
    /// For people: "planner CLI format".
    pub const fn label(self) -> &'static str {
        match self {
            Dialect::Plugin => "plugin v2.1",
            Dialect::Planner => "planner CLI format",
            Dialect::HandMade => "hand-made",
            Dialect::FreeForm => "free-form",
            Dialect::Unrecognised => "unrecognised format",
        }
    }
}

/// The outer shape of a JSON file that has several accepted shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// `{version, source, validationMode, recipes: [...]}`.
    Envelope,
    /// `{create, variables?}`: one recipe (the planner's `sdk up` takes it).
    CreateWrapper,
    /// `{Model: [records]}`: one recipe's create map alone.
    BareCreateMap,
    /// A discover answer `{version?, sdk?, schema}`.
    DiscoverAnswer,
    /// A discover answer's `schema` object saved alone.
    BareSchema,
}

impl Form {
    /// For people.
    pub const fn label(self) -> &'static str {
        match self {
            Form::Envelope => "recipe envelope",
            Form::CreateWrapper => "bare {create} recipe",
            Form::BareCreateMap => "bare create map",
            Form::DiscoverAnswer => "discover answer",
            Form::BareSchema => "bare schema",
        }
    }
}

/// The recipe file's shape, in the order the planner's `sdk up` tries them.
pub fn recipes_form(root: &Node<'_>) -> Form {
    match root.as_object() {
        Some(members) => form_of(
            &members
                .iter()
                .map(|m| (m.key.as_ref(), m.value.as_array().is_some()))
                .collect::<Vec<_>>(),
        ),
        None => Form::Envelope,
    }
}

/// The same decision on a JSON value (what the live runs send).
pub fn recipes_form_of_value(root: &serde_json::Value) -> Form {
    match root.as_object() {
        Some(members) => form_of(
            &members
                .iter()
                .map(|(k, v)| (k.as_str(), v.is_array()))
                .collect::<Vec<_>>(),
        ),
        None => Form::Envelope,
    }
}

/// The shape of an object from its keys (each with whether its value is an array).
fn form_of(members: &[(&str, bool)]) -> Form {
    let has = |key: &str| members.iter().any(|(k, _)| *k == key);
    if has("recipes") || members.is_empty() {
        Form::Envelope
    } else if has("create") {
        Form::CreateWrapper
    } else if ["version", "source", "validationMode"]
        .iter()
        .any(|k| has(k))
    {
        Form::Envelope
    } else if members.iter().all(|(_, array)| *array) {
        Form::BareCreateMap
    } else {
        Form::Envelope
    }
}

/// A bare recipe as the envelope of one recipe named `standard` (the name the planner gives its
/// one scenario); an envelope as it is.
pub fn as_envelope(root: serde_json::Value) -> serde_json::Value {
    let recipe = match recipes_form_of_value(&root) {
        Form::CreateWrapper => {
            let mut recipe = serde_json::Map::new();
            recipe.insert("name".into(), "standard".into());
            recipe.insert("description".into(), "the file's recipe".into());
            if let serde_json::Value::Object(members) = root {
                recipe.extend(members);
            }
            recipe
        }
        Form::BareCreateMap => {
            let mut recipe = serde_json::Map::new();
            recipe.insert("name".into(), "standard".into());
            recipe.insert("description".into(), "the file's recipe".into());
            recipe.insert("create".into(), root);
            recipe
        }
        _ => return root,
    };
    serde_json::json!({ "recipes": [recipe] })
}

/// The recipes of an envelope (as [`as_envelope`] gives it), each a JSON object.
pub fn envelope_recipes(envelope: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    envelope
        .get("recipes")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
}

/// The discover file's shape.
pub fn discover_form(root: &Node<'_>) -> Form {
    if root.get("schema").is_none() && root.get("models").is_some() {
        Form::BareSchema
    } else {
        Form::DiscoverAnswer
    }
}

/// Whose rules the recipe file follows: the plugin's only in a plugin folder, in its envelope.
pub fn recipes_dialect(layout: Layout, form: Form) -> Dialect {
    match layout {
        Layout::Plugin if form == Form::Envelope => Dialect::Plugin,
        Layout::Plugin | Layout::PlannerLive | Layout::PlannerCopy => Dialect::Planner,
        Layout::HandMade => Dialect::HandMade,
    }
}

/// The dialect of `scenarios.md` from its frontmatter (`None`: there is none), as `planner.md`
/// §2.6 orders the tests.
pub fn scenarios_dialect(frontmatter: Option<&YamlNode>) -> Dialect {
    let Some(root) = frontmatter else {
        return Dialect::FreeForm;
    };
    let count = root.get("scenario_count").and_then(YamlNode::as_i64);
    if root.get("variable_fields").is_some()
        || root.get("planning_sections").is_some()
        || count.is_some_and(|n| n >= 3)
    {
        return Dialect::Plugin;
    }
    let entity_types = root.get("entity_types").and_then(YamlNode::as_sequence);
    let counted = entity_types
        .is_some_and(|items| !items.is_empty() && items.iter().all(|i| i.get("count").is_some()));
    if count == Some(1) && counted {
        return Dialect::Planner;
    }
    let early = root
        .get("scenarios")
        .and_then(YamlNode::as_sequence)
        .is_some_and(|s| s.iter().any(|i| i.get("entity_count").is_some()))
        || entity_types.is_some_and(|items| items.iter().any(|i| i.as_str().is_some()));
    if early || root.get("scenario_count").is_none() {
        Dialect::Unrecognised
    } else if count == Some(1) {
        Dialect::Planner
    } else {
        Dialect::Plugin
    }
}

/// The dialect of `entity-audit.md`: both generations share the frontmatter; the planner's
/// canonical rewrite has a `Framework:` line and bullet lists (`planner.md` §3.4).
pub fn audit_dialect(has_frontmatter: bool, text: &str) -> Dialect {
    if !has_frontmatter {
        return Dialect::HandMade;
    }
    let planner = text.lines().any(|line| {
        let line = line.trim();
        line.starts_with("Framework:") || line.contains("- created by: unknown")
    });
    if planner {
        Dialect::Planner
    } else {
        Dialect::Plugin
    }
}

/// One file's dialect, as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDialect {
    /// Which file.
    pub file: FileKind,
    /// Whose rules apply.
    pub dialect: Dialect,
    /// Its outer shape, for files with several.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub form: Option<Form>,
}

impl FileDialect {
    /// For people: "recipe envelope, planner CLI format".
    pub fn label(&self) -> String {
        match self.form {
            // A discover file is an answer or its schema: the tooling that saved it is moot.
            Some(form) if self.file == FileKind::Discover => form.label().to_owned(),
            Some(form) => format!("{}, {}", form.label(), self.dialect.label()),
            None => self.dialect.label().to_owned(),
        }
    }
}

/// The folder's layout and every present file's dialect.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dialects {
    /// The folder's layout.
    pub layout: Layout,
    /// One entry per file read, in report order.
    pub files: Vec<FileDialect>,
}

impl Dialects {
    /// The dialect of `file`, when it was read.
    pub fn of(&self, file: FileKind) -> Option<Dialect> {
        self.files
            .iter()
            .find(|f| f.file == file)
            .map(|f| f.dialect)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn layouts_follow_their_markers() {
        assert_eq!(
            layout_of(["scenario-recipes.json", "discover.json"]),
            Layout::Plugin
        );
        assert_eq!(
            layout_of(["recipe.json", "scenarios.md", "integration-prompt.md"]),
            Layout::PlannerCopy
        );
        assert_eq!(
            layout_of(["recipe.json", ".pipeline-state.json"]),
            Layout::PlannerLive
        );
        assert_eq!(
            layout_of(["recipe.json", "discover.json", "scenarios.md"]),
            Layout::HandMade
        );
        assert_eq!(layout_of([]), Layout::Plugin);
        // A hand-written .endpoint-implemented beside the planner's files keeps them the planner's.
        assert_eq!(
            layout_of([
                "recipe.json",
                "integration-prompt.md",
                ".endpoint-implemented"
            ]),
            Layout::PlannerCopy
        );
    }

    #[test]
    fn recipe_forms_in_the_planners_order() {
        let form = |text: &str| {
            let parsed = json::parse(FileKind::Recipes, text);
            recipes_form(&parsed.value.expect("json"))
        };
        assert_eq!(form(r#"{"version":1,"recipes":[]}"#), Form::Envelope);
        assert_eq!(form(r#"{"create":{"User":[]}}"#), Form::CreateWrapper);
        assert_eq!(form(r#"{"User":[{"name":"a"}]}"#), Form::BareCreateMap);
        assert_eq!(form(r#"{"version":1}"#), Form::Envelope);
        assert_eq!(form("[]"), Form::Envelope);
    }
}

//! Problems found in a workspace, as plain data that every edge can render.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A byte range in one file's text (`start..end`, UTF-8 offsets).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The bytes `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
    /// An empty span at `offset`, for insertions and "missing" things.
    pub const fn at(offset: usize) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }
    /// Its length in bytes.
    pub const fn len(&self) -> usize {
        self.end - self.start
    }
    /// Whether it covers no byte.
    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// Moves the span by `offset` bytes (for text embedded in a larger file).
    #[must_use]
    pub const fn shifted(self, offset: usize) -> Self {
        Self {
            start: self.start + offset,
            end: self.end + offset,
        }
    }
}

/// The workspace files Scenario Lab reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum FileKind {
    #[serde(rename = "scenarios.md")]
    /// `scenarios.md`.
    Scenarios,
    #[serde(rename = "entity-audit.md")]
    /// `entity-audit.md`.
    EntityAudit,
    #[serde(rename = "discover.json")]
    /// `discover.json`.
    Discover,
    #[serde(rename = "scenario-recipes.json")]
    /// `scenario-recipes.json`.
    Recipes,
    #[serde(rename = ".scenario-validation.json")]
    /// `.scenario-validation.json`.
    Validation,
    #[serde(rename = "pack")]
    /// An ANIP scenario pack (`*.pack.yaml` / `*.pack.json`); not an `autonoma/` file.
    Pack,
    #[serde(rename = "manifest.json")]
    /// An ANIP service's saved manifest (`anip/manifest.json`), read beside a pack.
    AnipManifest,
}

/// The planner CLI's name for the recipes file (the same contract as `scenario-recipes.json`).
pub const PLANNER_RECIPES: &str = "recipe.json";

impl FileKind {
    /// Every workspace file, in report order.
    pub const ALL: [FileKind; 5] = [
        FileKind::Scenarios,
        FileKind::EntityAudit,
        FileKind::Discover,
        FileKind::Recipes,
        FileKind::Validation,
    ];

    /// The file name inside the `autonoma/` folder.
    pub const fn file_name(self) -> &'static str {
        match self {
            FileKind::Scenarios => "scenarios.md",
            FileKind::EntityAudit => "entity-audit.md",
            FileKind::Discover => "discover.json",
            FileKind::Recipes => "scenario-recipes.json",
            FileKind::Validation => ".scenario-validation.json",
            FileKind::Pack => "scenario.pack.yaml",
            FileKind::AnipManifest => "manifest.json",
        }
    }

    /// The workspace file named `name` (a bare file name, as [`FileKind::file_name`] gives, or
    /// the planner's `recipe.json`).
    #[must_use]
    pub fn from_file_name(name: &str) -> Option<FileKind> {
        if name == PLANNER_RECIPES {
            return Some(FileKind::Recipes);
        }
        FileKind::ALL
            .into_iter()
            .find(|kind| kind.file_name() == name)
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
/// How bad a diagnostic is.
pub enum Severity {
    /// The platform or the endpoint rejects the recipe, or misbehaves silently.
    Error,
    /// Only the older plugin tooling rejects it.
    Warning,
    /// A note (deprecations).
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A stable diagnostic code such as `recipe/unknown-alias`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Code(&'static str);

impl Code {
    /// A workspace file that cannot be read or is not UTF-8.
    pub const FILE_UNREADABLE: Code = Code("file/unreadable");
    /// JSON that does not parse.
    pub const JSON_SYNTAX: Code = Code("json/syntax");
    /// YAML frontmatter that does not parse.
    pub const YAML_SYNTAX: Code = Code("yaml/syntax");
    /// A `_ref` to an alias no record declares.
    pub const RECIPE_UNKNOWN_ALIAS: Code = Code("recipe/unknown-alias");
    /// An alias declared twice.
    pub const RECIPE_DUPLICATE_ALIAS: Code = Code("recipe/duplicate-alias");
    /// A cycle of `_ref`s.
    pub const RECIPE_CYCLE: Code = Code("recipe/cycle");
    /// A model discover does not list.
    pub const RECIPE_UNKNOWN_MODEL: Code = Code("recipe/unknown-model");
    /// A field the model does not have.
    pub const RECIPE_UNKNOWN_FIELD: Code = Code("recipe/unknown-field");
    /// A required field left out.
    pub const RECIPE_MISSING_FIELD: Code = Code("recipe/missing-field");
    /// Nested children a factory-driven endpoint never creates.
    pub const RECIPE_DROPPED_NESTED_CHILD: Code = Code("recipe/dropped-nested-child");
    /// Records outside the scope entity.
    pub const RECIPE_NOT_ROOTED: Code = Code("recipe/not-rooted");
    /// A `{{token}}` without a variable.
    pub const RECIPE_UNDECLARED_TOKEN: Code = Code("recipe/undeclared-token");
    /// A token form only the SDK resolves.
    pub const RECIPE_SDK_TOKEN: Code = Code("recipe/sdk-token");
    /// A variable no token uses.
    pub const RECIPE_UNUSED_VARIABLE: Code = Code("recipe/unused-variable");
    /// A placeholder value (`TODO`, `<email>`).
    pub const RECIPE_PLACEHOLDER_VALUE: Code = Code("recipe/placeholder-value");
    /// A `derived` format the platform refuses.
    pub const RECIPE_BAD_DERIVED_FORMAT: Code = Code("recipe/bad-derived-format");
    /// A faker generator the platform lacks.
    pub const RECIPE_UNKNOWN_FAKER: Code = Code("recipe/unknown-faker");
    /// A value of the wrong type for its field.
    pub const RECIPE_TYPE_MISMATCH: Code = Code("recipe/type-mismatch");
    /// The deprecated `variables` block.
    pub const RECIPE_DEPRECATED_VARIABLES: Code = Code("recipe/deprecated-variables");
    /// A `_ref` the SDKs' teardown order breaks (the record has no `_alias`).
    pub const RECIPE_TEARDOWN_ORDER: Code = Code("recipe/teardown-order");
    /// An absolute date or timestamp, which goes stale.
    pub const RECIPE_STALE_DATE: Code = Code("recipe/stale-date");
    /// One of `standard`, `empty`, `large` missing.
    pub const RECIPES_MISSING_REQUIRED_RECIPE: Code = Code("recipes/missing-required-recipe");
    /// The upload schema refuses the file.
    pub const RECIPES_SCHEMA: Code = Code("recipes/schema");
    /// Two recipes with one name.
    pub const RECIPES_DUPLICATE_NAME: Code = Code("recipes/duplicate-name");
    /// A scenario without a recipe.
    pub const SCENARIOS_MISSING_RECIPE: Code = Code("scenarios/missing-recipe");
    /// A recipe without a scenario.
    pub const SCENARIOS_EXTRA_RECIPE: Code = Code("scenarios/extra-recipe");
    /// Counts in `scenarios.md` that the recipe contradicts.
    pub const SCENARIOS_COUNT_MISMATCH: Code = Code("scenarios/count-mismatch");
    /// A problem in `scenarios.md`'s frontmatter.
    pub const SCENARIOS_FRONTMATTER: Code = Code("scenarios/frontmatter");
    /// An audited model discover lacks.
    pub const AUDIT_MODEL_MISSING_IN_DISCOVER: Code = Code("audit/model-missing-in-discover");
    /// An independently created model without a factory.
    pub const AUDIT_FACTORY_MISSING: Code = Code("audit/factory-missing");
    /// A problem in `entity-audit.md`'s frontmatter.
    pub const AUDIT_FRONTMATTER: Code = Code("audit/frontmatter");
    /// A discover answer of the wrong shape.
    pub const DISCOVER_SHAPE: Code = Code("discover/shape");
    /// A `.scenario-validation.json` the plugin refuses.
    pub const VALIDATION_SCHEMA: Code = Code("validation/schema");
    /// A note on the dialect of `scenarios.md` (free-form, unrecognised): what is not checked.
    pub const SCENARIOS_DIALECT: Code = Code("scenarios/dialect");
    /// One of the planner CLI's own `scenarios.md` gates, on a planner-format file.
    pub const SCENARIOS_PLANNER_GATE: Code = Code("scenarios/planner-gate");
    /// A discover file holding the `schema` object alone.
    pub const DISCOVER_BARE_SCHEMA: Code = Code("discover/bare-schema");
    /// Two records of one model with one value in a unique field.
    pub const RECIPE_DUPLICATE_VALUE: Code = Code("recipe/duplicate-value");
    /// A recipe whose `create` is empty.
    pub const RECIPE_CREATES_NOTHING: Code = Code("recipe/creates-nothing");
    /// A note: the app is run-scoped (or label-only), so no rooting rule applies.
    pub const RECIPE_RUN_SCOPED: Code = Code("recipe/run-scoped");
    /// A note on a recipe file the planner CLI normalises before upload (its shape, its
    /// validation block).
    pub const RECIPES_PLANNER_FILE: Code = Code("recipes/planner-file");

    /// A scenario pack whose shape breaks `scenario-pack/v1` (a missing or mistyped field).
    pub const PACK_SCHEMA: Code = Code("pack/schema");
    /// A key `scenario-pack/v1` does not know (a typo, usually).
    pub const PACK_UNKNOWN_KEY: Code = Code("pack/unknown-key");
    /// Two scenarios with one id.
    pub const PACK_DUPLICATE_ID: Code = Code("pack/duplicate-id");
    /// A `prior` naming no scenario of the pack.
    pub const PACK_UNKNOWN_PRIOR: Code = Code("pack/unknown-prior");
    /// Scenarios whose `prior` lists form a cycle.
    pub const PACK_PRIOR_CYCLE: Code = Code("pack/prior-cycle");
    /// A `${name}` that no scenario before it (by `prior`) captures.
    pub const PACK_CAPTURE_BEFORE_DEFINITION: Code = Code("pack/capture-before-definition");
    /// A capability the service does not declare.
    pub const PACK_UNKNOWN_CAPABILITY: Code = Code("pack/unknown-capability");
    /// Parameters that do not match the capability's declared inputs.
    pub const PACK_PARAMETER_MISMATCH: Code = Code("pack/parameter-mismatch");
    /// An actor or probe the pack does not define.
    pub const PACK_UNKNOWN_REFERENCE: Code = Code("pack/unknown-reference");
    /// A seed scenario class with no scenario.
    pub const PACK_MISSING_CLASS: Code = Code("pack/missing-class");
    /// A capability with a `grant_policy` whose approval negatives are not all covered.
    pub const PACK_MISSING_NEGATIVE: Code = Code("pack/missing-negative");
    /// An assertion that breaks across runtimes or runs (detail text, timestamps, HTTP status).
    pub const PACK_BRITTLE_ASSERTION: Code = Code("pack/brittle-assertion");
    /// A JSONPath in the pack (capture, probe, outcome source, `expect.result` key) that does not
    /// parse.
    pub const PACK_JSON_PATH: Code = Code("pack/json-path");
    /// `service.digest` differs from the normalized digest of the saved `manifest.json`.
    pub const PACK_DIGEST_MISMATCH: Code = Code("pack/digest-mismatch");

    /// Every code the core can emit, for documentation and the editor.
    pub const ALL: &'static [Code] = &[
        Code::FILE_UNREADABLE,
        Code::JSON_SYNTAX,
        Code::YAML_SYNTAX,
        Code::RECIPE_UNKNOWN_ALIAS,
        Code::RECIPE_DUPLICATE_ALIAS,
        Code::RECIPE_CYCLE,
        Code::RECIPE_UNKNOWN_MODEL,
        Code::RECIPE_UNKNOWN_FIELD,
        Code::RECIPE_MISSING_FIELD,
        Code::RECIPE_DROPPED_NESTED_CHILD,
        Code::RECIPE_NOT_ROOTED,
        Code::RECIPE_UNDECLARED_TOKEN,
        Code::RECIPE_SDK_TOKEN,
        Code::RECIPE_UNUSED_VARIABLE,
        Code::RECIPE_PLACEHOLDER_VALUE,
        Code::RECIPE_BAD_DERIVED_FORMAT,
        Code::RECIPE_UNKNOWN_FAKER,
        Code::RECIPE_TYPE_MISMATCH,
        Code::RECIPE_DEPRECATED_VARIABLES,
        Code::RECIPE_STALE_DATE,
        Code::RECIPE_TEARDOWN_ORDER,
        Code::RECIPES_MISSING_REQUIRED_RECIPE,
        Code::RECIPES_SCHEMA,
        Code::RECIPES_DUPLICATE_NAME,
        Code::SCENARIOS_MISSING_RECIPE,
        Code::SCENARIOS_EXTRA_RECIPE,
        Code::SCENARIOS_COUNT_MISMATCH,
        Code::SCENARIOS_FRONTMATTER,
        Code::AUDIT_MODEL_MISSING_IN_DISCOVER,
        Code::AUDIT_FACTORY_MISSING,
        Code::AUDIT_FRONTMATTER,
        Code::DISCOVER_SHAPE,
        Code::VALIDATION_SCHEMA,
        Code::SCENARIOS_DIALECT,
        Code::SCENARIOS_PLANNER_GATE,
        Code::DISCOVER_BARE_SCHEMA,
        Code::RECIPE_CREATES_NOTHING,
        Code::RECIPE_DUPLICATE_VALUE,
        Code::RECIPE_RUN_SCOPED,
        Code::RECIPES_PLANNER_FILE,
        Code::PACK_SCHEMA,
        Code::PACK_UNKNOWN_KEY,
        Code::PACK_DUPLICATE_ID,
        Code::PACK_UNKNOWN_PRIOR,
        Code::PACK_PRIOR_CYCLE,
        Code::PACK_CAPTURE_BEFORE_DEFINITION,
        Code::PACK_UNKNOWN_CAPABILITY,
        Code::PACK_PARAMETER_MISMATCH,
        Code::PACK_UNKNOWN_REFERENCE,
        Code::PACK_MISSING_CLASS,
        Code::PACK_MISSING_NEGATIVE,
        Code::PACK_BRITTLE_ASSERTION,
        Code::PACK_JSON_PATH,
        Code::PACK_DIGEST_MISMATCH,
    ];

    /// The stable code text, e.g. `recipe/unknown-alias`.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

/// A code read back (the editor's worker sends diagnostics as JSON): one of [`Code::ALL`].
impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.0 == text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code `{text}`")))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A secondary place worth showing, e.g. where an alias was first declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// The file it points into.
    pub file: FileKind,
    /// The bytes it points at.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One replacement of a byte range by new text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEdit {
    /// The bytes replaced.
    pub span: Span,
    /// What replaces them.
    pub new_text: String,
}

/// A mechanical fix: edits to one file, applied together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, for people.
    pub message: String,
    /// The file it edits.
    pub file: FileKind,
    /// Non-overlapping edits.
    pub edits: Vec<TextEdit>,
}

impl Fix {
    /// Applies the edits to `source` (edits must not overlap).
    pub fn apply(&self, source: &str) -> String {
        let mut edits: Vec<&TextEdit> = self.edits.iter().collect();
        edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
        let mut out = String::with_capacity(source.len() + 64);
        let mut cursor = 0;
        for edit in edits {
            let start = edit.span.start.clamp(cursor, source.len());
            out.push_str(&source[cursor..start]);
            out.push_str(&edit.new_text);
            cursor = edit.span.end.clamp(start, source.len());
        }
        out.push_str(&source[cursor..]);
        out
    }
}

/// A problem found in one workspace file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// Short, lowercase, no trailing period.
    pub message: String,
    /// The file.
    pub file: FileKind,
    /// The exact bytes concerned.
    pub span: Span,
    /// Related places (e.g. where an alias was declared).
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// A mechanical repair.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: Code, file: FileKind, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, file, span, message)
    }

    /// A note.
    pub fn info(code: Code, file: FileKind, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, file, span, message)
    }

    /// A warning.
    pub fn warning(code: Code, file: FileKind, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, file, span, message)
    }

    /// A diagnostic of any severity.
    pub fn new(
        code: Code,
        severity: Severity,
        file: FileKind,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity,
            message: message.into(),
            file,
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    #[must_use]
    /// With help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    /// With a related place.
    pub fn with_label(mut self, file: FileKind, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    /// With a quick fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

/// A parser's output: the best value it could build plus what was wrong.
#[derive(Clone, Debug)]
pub struct Parsed<T> {
    /// The best value the parser could build.
    pub value: T,
    /// What it found wrong.
    pub diagnostics: Vec<Diagnostic>,
}

/// Sorts diagnostics the way every edge shows them: file, position, code.
pub fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file, a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.file,
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
}

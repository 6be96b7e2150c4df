//! Problems found in a workspace, as plain data that every edge can render.

use serde::Serialize;
use std::fmt;

/// A byte range in one file's text (`start..end`, UTF-8 offsets).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
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
    pub const fn len(&self) -> usize {
        self.end - self.start
    }
    pub const fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// Moves the span by `offset` bytes (for text embedded in a larger file).
    pub const fn shifted(self, offset: usize) -> Self {
        Self {
            start: self.start + offset,
            end: self.end + offset,
        }
    }
}

/// The workspace files Scenario Lab reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FileKind {
    #[serde(rename = "scenarios.md")]
    Scenarios,
    #[serde(rename = "entity-audit.md")]
    EntityAudit,
    #[serde(rename = "discover.json")]
    Discover,
    #[serde(rename = "scenario-recipes.json")]
    Recipes,
    #[serde(rename = ".scenario-validation.json")]
    Validation,
}

impl FileKind {
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
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
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
    pub const FILE_UNREADABLE: Code = Code("file/unreadable");
    pub const JSON_SYNTAX: Code = Code("json/syntax");
    pub const YAML_SYNTAX: Code = Code("yaml/syntax");
    pub const RECIPE_UNKNOWN_ALIAS: Code = Code("recipe/unknown-alias");
    pub const RECIPE_DUPLICATE_ALIAS: Code = Code("recipe/duplicate-alias");
    pub const RECIPE_CYCLE: Code = Code("recipe/cycle");
    pub const RECIPE_UNKNOWN_MODEL: Code = Code("recipe/unknown-model");
    pub const RECIPE_UNKNOWN_FIELD: Code = Code("recipe/unknown-field");
    pub const RECIPE_MISSING_FIELD: Code = Code("recipe/missing-field");
    pub const RECIPE_DROPPED_NESTED_CHILD: Code = Code("recipe/dropped-nested-child");
    pub const RECIPE_NOT_ROOTED: Code = Code("recipe/not-rooted");
    pub const RECIPE_UNDECLARED_TOKEN: Code = Code("recipe/undeclared-token");
    pub const RECIPE_SDK_TOKEN: Code = Code("recipe/sdk-token");
    pub const RECIPE_UNUSED_VARIABLE: Code = Code("recipe/unused-variable");
    pub const RECIPE_PLACEHOLDER_VALUE: Code = Code("recipe/placeholder-value");
    pub const RECIPE_BAD_DERIVED_FORMAT: Code = Code("recipe/bad-derived-format");
    pub const RECIPE_UNKNOWN_FAKER: Code = Code("recipe/unknown-faker");
    pub const RECIPE_TYPE_MISMATCH: Code = Code("recipe/type-mismatch");
    pub const RECIPE_DEPRECATED_VARIABLES: Code = Code("recipe/deprecated-variables");
    pub const RECIPES_MISSING_REQUIRED_RECIPE: Code = Code("recipes/missing-required-recipe");
    pub const RECIPES_SCHEMA: Code = Code("recipes/schema");
    pub const RECIPES_DUPLICATE_NAME: Code = Code("recipes/duplicate-name");
    pub const SCENARIOS_MISSING_RECIPE: Code = Code("scenarios/missing-recipe");
    pub const SCENARIOS_EXTRA_RECIPE: Code = Code("scenarios/extra-recipe");
    pub const SCENARIOS_COUNT_MISMATCH: Code = Code("scenarios/count-mismatch");
    pub const SCENARIOS_FRONTMATTER: Code = Code("scenarios/frontmatter");
    pub const AUDIT_MODEL_MISSING_IN_DISCOVER: Code = Code("audit/model-missing-in-discover");
    pub const AUDIT_FACTORY_MISSING: Code = Code("audit/factory-missing");
    pub const AUDIT_FRONTMATTER: Code = Code("audit/frontmatter");
    pub const DISCOVER_SHAPE: Code = Code("discover/shape");
    pub const VALIDATION_SCHEMA: Code = Code("validation/schema");

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
    ];

    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A secondary place worth showing, e.g. where an alias was first declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub file: FileKind,
    pub span: Span,
    pub message: String,
}

/// One replacement of a byte range by new text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

/// A mechanical fix: edits to one file, applied together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub message: String,
    pub file: FileKind,
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub file: FileKind,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn error(code: Code, file: FileKind, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, file, span, message)
    }

    pub fn warning(code: Code, file: FileKind, span: Span, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, file, span, message)
    }

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
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_label(mut self, file: FileKind, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

/// A parser's output: the best value it could build plus what was wrong.
#[derive(Clone, Debug)]
pub struct Parsed<T> {
    pub value: T,
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

//! The recipe language service: completion, hover, go to definition, references, rename,
//! document symbols, folding, selection ranges and formatting over the workspace files. Pure,
//! positions in bytes; the editor, the wasm package and the LSP server convert at their edges.

mod complete;
mod hover;
pub mod index;
pub mod locate;
mod navigate;
mod outline;

pub use complete::complete;
pub use hover::{SAMPLE_RUN_ID, code_documentation, hover};
pub use navigate::{definition, references, rename};
pub use outline::{document_symbols, folding_ranges, format, selection_ranges};

use crate::diagnostic::{FileKind, Span, TextEdit};
use serde::Serialize;

/// What a completion item stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CompletionKind {
    /// A model of discover.
    Model,
    /// A field of a model.
    Field,
    /// An `_alias` of the recipe.
    Alias,
    /// A `{{token}}`.
    Token,
    /// A faker generator.
    Generator,
    /// A variable strategy.
    Strategy,
    /// A scenario or recipe name.
    Scenario,
    /// A member of an enum type.
    EnumValue,
    /// A reserved key (`_alias`) or a definition key.
    Keyword,
    /// An ANIP capability id (packs).
    Capability,
    /// A capability's input (packs).
    Parameter,
    /// A pack's actor.
    Actor,
    /// A pack's probe.
    Probe,
    /// A pack's `${capture}`.
    Capture,
}

/// One completion item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// What the list shows.
    pub label: String,
    /// What it stands for.
    pub kind: CompletionKind,
    /// A short detail (a type, a model).
    pub detail: Option<String>,
    /// Documentation (Markdown).
    pub documentation: Option<String>,
    /// The text inserted (default: the label).
    pub insert_text: Option<String>,
    /// The bytes the insertion replaces (default: the word at the cursor).
    pub range: Option<Span>,
}

/// A hover card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hover {
    /// Markdown.
    pub contents: String,
    /// The bytes it is about.
    pub range: Span,
}

/// A place in a workspace file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file.
    pub file: FileKind,
    /// The bytes.
    pub span: Span,
}

/// One edit of a workspace edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEdit {
    /// The file it edits.
    pub file: FileKind,
    /// The edit.
    pub edit: TextEdit,
}

/// Edits across the workspace files (a rename).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WorkspaceEdit {
    /// The edits, never overlapping within a file.
    pub edits: Vec<FileEdit>,
}

/// Why a rename is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenameError {
    /// The cursor is not on an alias or a variable.
    #[error(
        "only an `_alias` (or a `_ref` to it) and a variable (or a `{{{{token}}}}` of it) can be renamed"
    )]
    NotRenamable,
    /// The new name cannot be written there.
    #[error("`{0}` is not a valid name here")]
    Invalid(String),
    /// The new name is taken.
    #[error("`{0}` is already declared in this recipe")]
    Collision(String),
}

/// What a document symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SymbolKind {
    /// A recipe or a scenario.
    Recipe,
    /// A model.
    Model,
    /// A record.
    Record,
    /// A field.
    Field,
    /// A heading.
    Section,
}

/// One entry of a file's outline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSymbol {
    /// What the outline shows.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// A detail (a count, a type).
    pub detail: Option<String>,
    /// Its whole extent.
    pub span: Span,
    /// The part to select (its name).
    pub selection: Span,
    /// What it contains.
    pub children: Vec<DocumentSymbol>,
}

/// The text of `file` in the workspace.
fn text<'a>(ws: &crate::Workspace<'a>, file: FileKind) -> Option<&'a str> {
    ws.text(file)
}

#[cfg(test)]
mod tests;

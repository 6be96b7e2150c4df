//! The language service for JavaScript editors: UTF-16 offsets in, ranges with UTF-16 offsets out.

use crate::dto::{FilesDto, Positions, RangeDto, TextEditDto};
use scenario_lab_core::language::{self, Completion, DocumentSymbol};
use scenario_lab_core::{FileKind, Span, Workspace};
use serde::Serialize;

/// The file named `name`, or the error a caller sees.
pub fn file_kind(name: &str) -> Result<FileKind, String> {
    FileKind::from_file_name(name).ok_or_else(|| {
        let names: Vec<&str> = FileKind::ALL.iter().map(|k| k.file_name()).collect();
        format!(
            "unknown file `{name}`; expected one of {}",
            names.join(", ")
        )
    })
}

/// The workspace of `files`, its positions, and the byte offset of `utf16` in `file`.
#[derive(Debug)]
pub struct Request<'a> {
    pub workspace: Workspace<'a>,
    pub positions: Positions<'a>,
    pub file: FileKind,
}

impl<'a> Request<'a> {
    pub fn new(files: &'a FilesDto, file: FileKind) -> Self {
        let workspace = files.workspace();
        let positions = Positions::new(&workspace);
        Request {
            workspace,
            positions,
            file,
        }
    }

    pub fn offset(&self, utf16: usize) -> usize {
        self.positions.byte_offset(self.file, utf16)
    }

    fn range(&self, span: Span) -> RangeDto {
        self.positions.range(self.file, span)
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompletionDto {
    pub label: String,
    pub kind: language::CompletionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    pub insert_text: String,
    /// What the insertion replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<RangeDto>,
}

pub fn completions(request: &Request<'_>, offset: usize) -> Vec<CompletionDto> {
    completion_dtos(
        language::complete(&request.workspace, request.file, offset),
        &request.positions,
        request.file,
    )
}

/// Completions with their ranges in UTF-16 (the recipes' and the packs' alike).
pub fn completion_dtos(
    items: Vec<Completion>,
    positions: &Positions<'_>,
    file: FileKind,
) -> Vec<CompletionDto> {
    items
        .into_iter()
        .map(|c: Completion| CompletionDto {
            insert_text: c.insert_text.unwrap_or_else(|| c.label.clone()),
            range: c.range.map(|span| positions.range(file, span)),
            label: c.label,
            kind: c.kind,
            detail: c.detail,
            documentation: c.documentation,
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct HoverDto {
    pub contents: String,
    pub range: RangeDto,
}

pub fn hover(request: &Request<'_>, offset: usize) -> Option<HoverDto> {
    language::hover(&request.workspace, request.file, offset).map(|h| HoverDto {
        contents: h.contents,
        range: request.range(h.range),
    })
}

#[derive(Debug, Serialize)]
pub struct LocationDto {
    pub file: &'static str,
    #[serde(flatten)]
    pub range: RangeDto,
}

pub fn locations(request: &Request<'_>, found: Vec<language::Location>) -> Vec<LocationDto> {
    found
        .into_iter()
        .map(|l| LocationDto {
            file: l.file.file_name(),
            range: request.positions.range(l.file, l.span),
        })
        .collect()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileEditDto {
    pub file: &'static str,
    #[serde(flatten)]
    pub edit: TextEditDto,
}

/// A rename's answer.
#[derive(Debug, Serialize)]
pub struct RenameDto {
    pub edits: Vec<FileEditDto>,
}

pub fn workspace_edit(request: &Request<'_>, edit: language::WorkspaceEdit) -> Vec<FileEditDto> {
    edit.edits
        .into_iter()
        .map(|e| FileEditDto {
            file: e.file.file_name(),
            edit: TextEditDto {
                range: request.positions.range(e.file, e.edit.span),
                new_text: e.edit.new_text,
            },
        })
        .collect()
}

pub fn text_edits(
    request: &Request<'_>,
    edits: Vec<scenario_lab_core::TextEdit>,
) -> Vec<TextEditDto> {
    edits
        .into_iter()
        .map(|e| TextEditDto {
            range: request.range(e.span),
            new_text: e.new_text,
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct SymbolDto {
    pub name: String,
    pub kind: language::SymbolKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub range: RangeDto,
    pub selection: RangeDto,
    pub children: Vec<SymbolDto>,
}

pub fn symbols(request: &Request<'_>) -> Vec<SymbolDto> {
    fn convert(request: &Request<'_>, symbol: DocumentSymbol) -> SymbolDto {
        SymbolDto {
            name: symbol.name,
            kind: symbol.kind,
            detail: symbol.detail,
            range: request.range(symbol.span),
            selection: request.range(symbol.selection),
            children: symbol
                .children
                .into_iter()
                .map(|c| convert(request, c))
                .collect(),
        }
    }
    language::document_symbols(&request.workspace, request.file)
        .into_iter()
        .map(|s| convert(request, s))
        .collect()
}

pub fn ranges(request: &Request<'_>, spans: Vec<Span>) -> Vec<RangeDto> {
    spans.into_iter().map(|s| request.range(s)).collect()
}

//! The core's answers as LSP types: diagnostics, completion items, symbols, edits.

use super::documents::FileId;
use super::position::{Encoding, Lines};
use lsp_types as lsp;
use scenario_lab_core::language::{CompletionKind, DocumentSymbol, SymbolKind};
use scenario_lab_core::{Diagnostic, FileKind, Severity, Texts};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The workspace texts of one folder with line indexes on demand.
#[derive(Debug)]
pub(super) struct Folder<'a> {
    pub(super) path: &'a Path,
    pub(super) texts: &'a Texts,
    pub(super) encoding: Encoding,
    /// The URIs the editor uses for its open files (others are made from the path).
    pub(super) uris: BTreeMap<FileKind, lsp::Url>,
}

impl<'a> Folder<'a> {
    pub(super) fn lines(&self, kind: FileKind) -> Lines<'a> {
        Lines::new(
            self.texts.get(&kind).map_or("", String::as_str),
            self.encoding,
        )
    }

    pub(super) fn uri(&self, kind: FileKind) -> Option<lsp::Url> {
        if let Some(uri) = self.uris.get(&kind) {
            return Some(uri.clone());
        }
        FileId {
            folder: self.path.to_path_buf(),
            kind,
        }
        .uri()
    }

    pub(super) fn location(
        &self,
        kind: FileKind,
        span: scenario_lab_core::Span,
    ) -> Option<lsp::Location> {
        Some(lsp::Location::new(
            self.uri(kind)?,
            self.lines(kind).range(span),
        ))
    }

    /// A core diagnostic for the editor: the help after the message, labels as related places.
    pub(super) fn diagnostic(&self, d: &Diagnostic) -> lsp::Diagnostic {
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related: Vec<lsp::DiagnosticRelatedInformation> = d
            .labels
            .iter()
            .filter_map(|l| {
                Some(lsp::DiagnosticRelatedInformation {
                    location: self.location(l.file, l.span)?,
                    message: l.message.clone(),
                })
            })
            .collect();
        lsp::Diagnostic {
            range: self.lines(d.file).range(d.span),
            severity: Some(match d.severity {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
            }),
            code: Some(lsp::NumberOrString::String(d.code.as_str().to_owned())),
            source: Some("scenario-lab".to_owned()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..lsp::Diagnostic::default()
        }
    }

    /// Edits by file as a workspace edit.
    pub(super) fn workspace_edit(
        &self,
        edits: impl IntoIterator<Item = (FileKind, scenario_lab_core::TextEdit)>,
    ) -> lsp::WorkspaceEdit {
        let mut changes: HashMap<lsp::Url, Vec<lsp::TextEdit>> = HashMap::new();
        for (kind, edit) in edits {
            if let Some(uri) = self.uri(kind) {
                let range = self.lines(kind).range(edit.span);
                changes
                    .entry(uri)
                    .or_default()
                    .push(lsp::TextEdit::new(range, edit.new_text));
            }
        }
        lsp::WorkspaceEdit::new(changes)
    }
}

#[allow(deprecated, reason = "`DocumentSymbol::deprecated` must be written")]
pub(super) fn symbol(lines: &Lines<'_>, from: DocumentSymbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: from.name,
        detail: from.detail,
        kind: match from.kind {
            SymbolKind::Recipe => lsp::SymbolKind::NAMESPACE,
            SymbolKind::Model => lsp::SymbolKind::CLASS,
            SymbolKind::Record => lsp::SymbolKind::OBJECT,
            SymbolKind::Field => lsp::SymbolKind::FIELD,
            SymbolKind::Section => lsp::SymbolKind::STRING,
        },
        tags: None,
        deprecated: None,
        range: lines.range(from.span),
        selection_range: lines.range(from.selection),
        children: Some(
            from.children
                .into_iter()
                .map(|c| symbol(lines, c))
                .collect(),
        ),
    }
}

pub(super) fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Model => lsp::CompletionItemKind::CLASS,
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Alias => lsp::CompletionItemKind::REFERENCE,
        CompletionKind::Token | CompletionKind::Capture => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Generator => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Strategy => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::Scenario => lsp::CompletionItemKind::MODULE,
        CompletionKind::EnumValue => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::Capability => lsp::CompletionItemKind::METHOD,
        CompletionKind::Parameter => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Actor => lsp::CompletionItemKind::INTERFACE,
        CompletionKind::Probe => lsp::CompletionItemKind::EVENT,
    }
}

/// One completion item, its range converted by `lines` (the recipes' and the packs' alike).
pub(super) fn completion_item(
    c: scenario_lab_core::language::Completion,
    lines: &super::position::Lines<'_>,
) -> lsp::CompletionItem {
    let insert = c.insert_text.unwrap_or_else(|| c.label.clone());
    lsp::CompletionItem {
        kind: Some(completion_kind(c.kind)),
        detail: c.detail,
        documentation: c
            .documentation
            .map(|d| lsp::Documentation::MarkupContent(markdown(d))),
        text_edit: c.range.map(|span| {
            lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(lines.range(span), insert.clone()))
        }),
        filter_text: Some(c.label.clone()),
        insert_text: Some(insert),
        label: c.label,
        ..lsp::CompletionItem::default()
    }
}

pub(super) fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    }
}

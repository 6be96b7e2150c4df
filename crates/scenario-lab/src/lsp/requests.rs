//! The answers to the editor's requests, each over the core's language service.

use super::Server;
use super::convert::{Folder, completion_item, markdown};
use super::documents::FileId;
use super::position::Lines;
use lsp_server::{ErrorCode, ResponseError};
use lsp_types as lsp;
use scenario_lab_core::{FileKind, Span, Workspace, fix_all, language, preflight};

/// A request's failure as the protocol's error.
fn failed(message: impl Into<String>) -> ResponseError {
    ResponseError {
        code: ErrorCode::RequestFailed as i32,
        message: message.into(),
        data: None,
    }
}

/// What a positional request is about: the file, its folder's texts and the byte offset.
struct At {
    file: FileId,
    texts: scenario_lab_core::Texts,
    offset: usize,
}

impl Server {
    fn at(&self, doc: &lsp::TextDocumentPositionParams) -> Option<At> {
        let file = FileId::of(&doc.text_document.uri)?;
        let texts = self.documents.texts(&file.folder);
        let offset = Lines::new(
            texts.get(&file.kind).map_or("", String::as_str),
            self.encoding,
        )
        .offset(doc.position);
        Some(At {
            file,
            texts,
            offset,
        })
    }

    fn folder<'a>(&self, at: &'a At) -> Folder<'a> {
        Folder {
            path: &at.file.folder,
            texts: &at.texts,
            encoding: self.encoding,
            uris: self.documents.uris(&at.file.folder),
        }
    }

    pub(super) fn completion(
        &self,
        params: &lsp::CompletionParams,
    ) -> Option<lsp::CompletionResponse> {
        let at = self.at(&params.text_document_position)?;
        let folder = self.folder(&at);
        let lines = folder.lines(at.file.kind);
        let ws = Workspace::from_texts(&at.texts);
        let items = language::complete(&ws, at.file.kind, at.offset)
            .into_iter()
            .map(|c| completion_item(c, &lines))
            .collect();
        Some(lsp::CompletionResponse::Array(items))
    }

    pub(super) fn hover(&self, params: &lsp::HoverParams) -> Option<lsp::Hover> {
        let at = self.at(&params.text_document_position_params)?;
        let ws = Workspace::from_texts(&at.texts);
        let card = language::hover(&ws, at.file.kind, at.offset)?;
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(markdown(card.contents)),
            range: Some(self.folder(&at).lines(at.file.kind).range(card.range)),
        })
    }

    pub(super) fn locations(
        &self,
        doc: &lsp::TextDocumentPositionParams,
        find: fn(&Workspace<'_>, FileKind, usize) -> Vec<language::Location>,
    ) -> Vec<lsp::Location> {
        let Some(at) = self.at(doc) else {
            return Vec::new();
        };
        let ws = Workspace::from_texts(&at.texts);
        let folder = self.folder(&at);
        find(&ws, at.file.kind, at.offset)
            .into_iter()
            .filter_map(|l| folder.location(l.file, l.span))
            .collect()
    }

    pub(super) fn rename(
        &self,
        params: &lsp::RenameParams,
    ) -> Result<Option<lsp::WorkspaceEdit>, ResponseError> {
        let Some(at) = self.at(&params.text_document_position) else {
            return Ok(None);
        };
        let ws = Workspace::from_texts(&at.texts);
        let edit = language::rename(&ws, at.file.kind, at.offset, &params.new_name)
            .map_err(|e| failed(e.to_string()))?;
        let edits = edit.edits.into_iter().map(|e| (e.file, e.edit));
        Ok(Some(self.folder(&at).workspace_edit(edits)))
    }

    /// Whole-file requests: the file and its folder's texts.
    fn whole(&self, uri: &lsp::Url) -> Option<At> {
        let file = FileId::of(uri)?;
        let texts = self.documents.texts(&file.folder);
        Some(At {
            file,
            texts,
            offset: 0,
        })
    }

    pub(super) fn formatting(&self, params: &lsp::DocumentFormattingParams) -> Vec<lsp::TextEdit> {
        let Some(at) = self.whole(&params.text_document.uri) else {
            return Vec::new();
        };
        let ws = Workspace::from_texts(&at.texts);
        let lines = self.folder(&at).lines(at.file.kind);
        language::format(&ws, at.file.kind)
            .into_iter()
            .map(|e| lsp::TextEdit::new(lines.range(e.span), e.new_text))
            .collect()
    }

    pub(super) fn symbols(&self, uri: &lsp::Url) -> Vec<lsp::DocumentSymbol> {
        let Some(at) = self.whole(uri) else {
            return Vec::new();
        };
        let ws = Workspace::from_texts(&at.texts);
        let folder = self.folder(&at);
        let lines = folder.lines(at.file.kind);
        language::document_symbols(&ws, at.file.kind)
            .into_iter()
            .map(|s| super::convert::symbol(&lines, s))
            .collect()
    }

    pub(super) fn folding(&self, uri: &lsp::Url) -> Vec<lsp::FoldingRange> {
        let Some(at) = self.whole(uri) else {
            return Vec::new();
        };
        let ws = Workspace::from_texts(&at.texts);
        let lines = self.folder(&at).lines(at.file.kind);
        language::folding_ranges(&ws, at.file.kind)
            .into_iter()
            .map(|span| {
                let range = lines.range(span);
                lsp::FoldingRange {
                    start_line: range.start.line,
                    end_line: range.end.line,
                    ..lsp::FoldingRange::default()
                }
            })
            .collect()
    }

    pub(super) fn selection(&self, params: &lsp::SelectionRangeParams) -> Vec<lsp::SelectionRange> {
        let Some(at) = self.whole(&params.text_document.uri) else {
            return Vec::new();
        };
        let ws = Workspace::from_texts(&at.texts);
        let lines = self.folder(&at).lines(at.file.kind);
        params
            .positions
            .iter()
            .map(|&position| {
                let offset = lines.offset(position);
                let spans = language::selection_ranges(&ws, at.file.kind, offset);
                // Outermost first, each the parent of the next.
                let mut chain: Option<lsp::SelectionRange> = None;
                for span in spans.into_iter().rev() {
                    chain = Some(lsp::SelectionRange {
                        range: lines.range(span),
                        parent: chain.map(Box::new),
                    });
                }
                chain.unwrap_or(lsp::SelectionRange {
                    range: lsp::Range::new(position, position),
                    parent: None,
                })
            })
            .collect()
    }

    /// Our fixes for the diagnostics in the range, then "fix all" when any fix exists.
    pub(super) fn code_actions(
        &self,
        params: &lsp::CodeActionParams,
    ) -> Vec<lsp::CodeActionOrCommand> {
        let Some(at) = self.whole(&params.text_document.uri) else {
            return Vec::new();
        };
        let folder = self.folder(&at);
        let lines = folder.lines(at.file.kind);
        let wanted = lines.span(params.range);
        let layout = crate::workspace_dir::WorkspaceDir::layout_of(&at.file.folder);
        let report = preflight(&Workspace::from_texts(&at.texts).in_layout(layout));
        let mut actions = Vec::new();
        let mut any_fix = false;
        for d in &report.diagnostics {
            let Some(fix) = &d.fix else { continue };
            any_fix |= d.file == at.file.kind;
            if d.file != at.file.kind || !touches(d.span, wanted) {
                continue;
            }
            let edits = fix.edits.iter().map(|e| (fix.file, e.clone()));
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.message.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![folder.diagnostic(d)]),
                edit: Some(folder.workspace_edit(edits)),
                is_preferred: Some(true),
                ..lsp::CodeAction::default()
            }));
        }
        if any_fix && let Some(edit) = fix_all_edit(&folder) {
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: "Fix all auto-fixable problems".to_owned(),
                kind: Some(lsp::CodeActionKind::SOURCE_FIX_ALL),
                edit: Some(edit),
                ..lsp::CodeAction::default()
            }));
        }
        actions
    }
}

fn touches(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Every fix applied (in rounds, as `preflight --fix` does), each changed file replaced whole.
fn fix_all_edit(folder: &Folder<'_>) -> Option<lsp::WorkspaceEdit> {
    let mut fixed = folder.texts.clone();
    if fix_all::apply_fixes(&mut fixed, |d| d.fix.is_some()) == 0 {
        return None;
    }
    let edits = fixed.into_iter().filter_map(|(kind, after)| {
        let before = folder.texts.get(&kind)?;
        (before != &after).then(|| {
            (
                kind,
                scenario_lab_core::TextEdit {
                    span: Span::new(0, before.len()),
                    new_text: after,
                },
            )
        })
    });
    Some(folder.workspace_edit(edits))
}

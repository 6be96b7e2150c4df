//! ANIP scenario packs in the editor: each open `*.pack.yaml` / `*.pack.json` checked offline
//! (with the `manifest.json` beside it on disk) on open and on every change, with completion and
//! hover from core's pack language service.

use super::convert::Folder;
use super::position::Encoding;
use lsp_server::Notification;
use lsp_types as lsp;
use lsp_types::notification::{self as note, Notification as _};
use scenario_lab_core::anip::{Manifest, Syntax, check_pack, language, parse_manifest};
use scenario_lab_core::{FileKind, Texts};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Whether `uri` names a pack.
pub(super) fn is_pack(uri: &lsp::Url) -> bool {
    scenario_lab_core::anip::parse::is_pack_file(uri.path())
}

/// The open packs, by URI.
#[derive(Debug, Default)]
pub(super) struct Packs {
    open: BTreeMap<lsp::Url, String>,
}

impl Packs {
    /// Applies a document notification about a pack; the diagnostics to publish.
    pub(super) fn notified(
        &mut self,
        method: &str,
        params: serde_json::Value,
        encoding: Encoding,
    ) -> Vec<Notification> {
        let uri = match method {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(params) else {
                    return Vec::new();
                };
                self.open
                    .insert(p.text_document.uri.clone(), p.text_document.text);
                p.text_document.uri
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(params)
                else {
                    return Vec::new();
                };
                if let Some(text) = self.open.get_mut(&p.text_document.uri) {
                    for change in p.content_changes {
                        match change.range {
                            None => *text = change.text,
                            Some(range) => {
                                let span = super::position::Lines::new(text, encoding).span(range);
                                text.replace_range(span.start..span.end, &change.text);
                            }
                        }
                    }
                }
                p.text_document.uri
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(params)
                else {
                    return Vec::new();
                };
                self.open.remove(&p.text_document.uri);
                let clear =
                    lsp::PublishDiagnosticsParams::new(p.text_document.uri, Vec::new(), None);
                return vec![Notification::new(
                    note::PublishDiagnostics::METHOD.to_owned(),
                    clear,
                )];
            }
            _ => return Vec::new(),
        };
        self.publish(&uri, encoding).into_iter().collect()
    }

    fn publish(&self, uri: &lsp::Url, encoding: Encoding) -> Option<Notification> {
        let text = self.open.get(uri)?;
        let path = uri.to_file_path().unwrap_or_default();
        let manifest_path = path.with_file_name("manifest.json");
        let manifest = std::fs::read_to_string(&manifest_path).ok();
        let checked = check_pack(text, Syntax::of_path(uri.path()), manifest.as_deref());
        let mut texts = Texts::new();
        texts.insert(FileKind::Pack, text.clone());
        let mut uris = BTreeMap::new();
        uris.insert(FileKind::Pack, uri.clone());
        if let (Some(manifest), Ok(manifest_uri)) =
            (manifest, lsp::Url::from_file_path(&manifest_path))
        {
            texts.insert(FileKind::AnipManifest, manifest);
            uris.insert(FileKind::AnipManifest, manifest_uri);
        }
        let folder = path.parent().map(PathBuf::from).unwrap_or_default();
        let view = Folder {
            path: &folder,
            texts: &texts,
            encoding,
            uris,
        };
        let diagnostics = checked
            .report
            .diagnostics
            .iter()
            .filter(|d| d.file == FileKind::Pack)
            .map(|d| view.diagnostic(d))
            .collect();
        let params = lsp::PublishDiagnosticsParams::new(uri.clone(), diagnostics, None);
        Some(Notification::new(
            note::PublishDiagnostics::METHOD.to_owned(),
            params,
        ))
    }
}

impl Packs {
    /// The open pack at `doc`, its saved manifest, and the byte offset of the position.
    fn at(
        &self,
        doc: &lsp::TextDocumentPositionParams,
        encoding: Encoding,
    ) -> Option<(&str, Syntax, Option<Manifest>, usize)> {
        let uri = &doc.text_document.uri;
        let text = self.open.get(uri)?;
        let manifest = uri
            .to_file_path()
            .ok()
            .and_then(|p| std::fs::read_to_string(p.with_file_name("manifest.json")).ok())
            .and_then(|m| parse_manifest(&m).value);
        let offset = super::position::Lines::new(text, encoding).offset(doc.position);
        Some((text, Syntax::of_path(uri.path()), manifest, offset))
    }

    /// Completions in an open pack.
    pub(super) fn completion(
        &self,
        params: &lsp::CompletionParams,
        encoding: Encoding,
    ) -> Option<lsp::CompletionResponse> {
        let (text, syntax, manifest, offset) = self.at(&params.text_document_position, encoding)?;
        let lines = super::position::Lines::new(text, encoding);
        let items = language::complete(text, syntax, manifest.as_ref(), offset)
            .into_iter()
            .map(|c| super::convert::completion_item(c, &lines))
            .collect();
        Some(lsp::CompletionResponse::Array(items))
    }

    /// The hover card in an open pack.
    pub(super) fn hover(
        &self,
        params: &lsp::HoverParams,
        encoding: Encoding,
    ) -> Option<lsp::Hover> {
        let (text, syntax, manifest, offset) =
            self.at(&params.text_document_position_params, encoding)?;
        let card = language::hover(text, syntax, manifest.as_ref(), offset)?;
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(super::convert::markdown(card.contents)),
            range: Some(super::position::Lines::new(text, encoding).range(card.range)),
        })
    }
}

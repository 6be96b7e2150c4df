//! `scenario-lab lsp`: a Language Server over standard input and output, answering from the
//! core's language service and publishing its preflight as diagnostics.

mod convert;
mod documents;
mod packs;
mod position;
mod requests;

use convert::Folder;
use documents::{Documents, FileId};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use position::Encoding;
use scenario_lab_core::{FileKind, Workspace, language, preflight};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Why the session ended badly.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("the language client broke the protocol: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("cannot read the client's initialize: {0}")]
    Initialize(#[from] serde_json::Error),
    #[error("the connection to the client closed")]
    Closed,
}

/// The session's state.
#[derive(Debug, Default)]
pub struct Server {
    documents: Documents,
    encoding: Encoding,
    /// The files diagnostics were last published for, by folder (to clear them when fixed).
    published: BTreeMap<PathBuf, BTreeSet<FileKind>>,
    /// Open ANIP scenario packs.
    packs: packs::Packs,
}

/// What the server can do, in the negotiated encoding.
fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), "{".into(), ".".into()]),
            ..lsp::CompletionOptions::default()
        }),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        selection_range_provider: Some(lsp::SelectionRangeProviderCapability::Simple(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::SOURCE_FIX_ALL,
                ]),
                ..lsp::CodeActionOptions::default()
            },
        )),
        ..lsp::ServerCapabilities::default()
    }
}

/// Runs a session on `connection` until the client shuts it down.
pub fn run(connection: &Connection) -> Result<(), LspError> {
    let (id, params) = connection.initialize_start()?;
    let params: lsp::InitializeParams = serde_json::from_value(params)?;
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref());
    let mut server = Server {
        encoding: Encoding::negotiate(offered),
        ..Server::default()
    };
    let result = lsp::InitializeResult {
        capabilities: capabilities(server.encoding),
        server_info: Some(lsp::ServerInfo {
            name: "scenario-lab".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    tracing::info!(encoding = ?server.encoding, "language server initialised");
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = server.respond(request);
                send(connection, Message::Response(response))?;
            }
            Message::Notification(notification) => {
                for publish in server.notified(notification) {
                    send(connection, Message::Notification(publish))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, message: Message) -> Result<(), LspError> {
    connection
        .sender
        .send(message)
        .map_err(|_| LspError::Closed)
}

/// Decodes a request's parameters, answers them, encodes the answer.
fn answer<R: req::Request>(
    id: RequestId,
    params: serde_json::Value,
    handle: impl FnOnce(R::Params) -> Result<R::Result, lsp_server::ResponseError>,
) -> Response {
    let params = match serde_json::from_value::<R::Params>(params) {
        Ok(params) => params,
        Err(error) => {
            return Response::new_err(
                id,
                lsp_server::ErrorCode::InvalidParams as i32,
                format!("{}: {error}", R::METHOD),
            );
        }
    };
    match handle(params).map(serde_json::to_value) {
        Ok(Ok(value)) => Response::new_ok(id, value),
        Ok(Err(error)) => Response::new_err(
            id,
            lsp_server::ErrorCode::InternalError as i32,
            error.to_string(),
        ),
        Err(error) => Response {
            id,
            result: None,
            error: Some(error),
        },
    }
}

impl Server {
    fn respond(&self, request: Request) -> Response {
        let Request { id, method, params } = request;
        match method.as_str() {
            req::Completion::METHOD => answer::<req::Completion>(id, params, |p| {
                if packs::is_pack(&p.text_document_position.text_document.uri) {
                    return Ok(self.packs.completion(&p, self.encoding));
                }
                Ok(self.completion(&p))
            }),
            req::HoverRequest::METHOD => answer::<req::HoverRequest>(id, params, |p| {
                if packs::is_pack(&p.text_document_position_params.text_document.uri) {
                    return Ok(self.packs.hover(&p, self.encoding));
                }
                Ok(self.hover(&p))
            }),
            req::GotoDefinition::METHOD => answer::<req::GotoDefinition>(id, params, |p| {
                let found = self.locations(&p.text_document_position_params, language::definition);
                Ok(Some(lsp::GotoDefinitionResponse::Array(found)))
            }),
            req::References::METHOD => answer::<req::References>(id, params, |p| {
                Ok(Some(self.locations(
                    &p.text_document_position,
                    language::references,
                )))
            }),
            req::Rename::METHOD => answer::<req::Rename>(id, params, |p| self.rename(&p)),
            req::Formatting::METHOD => {
                answer::<req::Formatting>(id, params, |p| Ok(Some(self.formatting(&p))))
            }
            req::DocumentSymbolRequest::METHOD => {
                answer::<req::DocumentSymbolRequest>(id, params, |p| {
                    let symbols = self.symbols(&p.text_document.uri);
                    Ok(Some(lsp::DocumentSymbolResponse::Nested(symbols)))
                })
            }
            req::FoldingRangeRequest::METHOD => {
                answer::<req::FoldingRangeRequest>(id, params, |p| {
                    Ok(Some(self.folding(&p.text_document.uri)))
                })
            }
            req::SelectionRangeRequest::METHOD => {
                answer::<req::SelectionRangeRequest>(id, params, |p| Ok(Some(self.selection(&p))))
            }
            req::CodeActionRequest::METHOD => {
                answer::<req::CodeActionRequest>(id, params, |p| Ok(Some(self.code_actions(&p))))
            }
            other => Response::new_err(
                id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("scenario-lab does not handle `{other}`"),
            ),
        }
    }

    /// Applies a notification; returns the diagnostics to publish.
    fn notified(&mut self, notification: Notification) -> Vec<Notification> {
        let Notification { method, params } = notification;
        let pack = params
            .pointer("/textDocument/uri")
            .and_then(|u| u.as_str())
            .and_then(|u| lsp::Url::parse(u).ok())
            .is_some_and(|u| packs::is_pack(&u));
        if pack {
            return self.packs.notified(&method, params, self.encoding);
        }
        let changed = match method.as_str() {
            note::DidOpenTextDocument::METHOD => decode::<note::DidOpenTextDocument>(params)
                .and_then(|p| {
                    let file = FileId::of(&p.text_document.uri)?;
                    let uri = p.text_document.uri;
                    self.documents.open(file.clone(), uri, p.text_document.text);
                    Some(file.folder)
                }),
            note::DidChangeTextDocument::METHOD => decode::<note::DidChangeTextDocument>(params)
                .and_then(|p| {
                    let file = FileId::of(&p.text_document.uri)?;
                    self.documents
                        .change(&file, p.content_changes, self.encoding);
                    Some(file.folder)
                }),
            note::DidCloseTextDocument::METHOD => decode::<note::DidCloseTextDocument>(params)
                .and_then(|p| {
                    let file = FileId::of(&p.text_document.uri)?;
                    self.documents.close(&file);
                    Some(file.folder)
                }),
            note::DidSaveTextDocument::METHOD => decode::<note::DidSaveTextDocument>(params)
                .and_then(|p| Some(FileId::of(&p.text_document.uri)?.folder)),
            // A file changed on disk: every folder with an open document is checked again.
            note::DidChangeWatchedFiles::METHOD => {
                return self
                    .documents
                    .folders()
                    .into_iter()
                    .flat_map(|f| self.publish(f))
                    .collect();
            }
            _ => None,
        };
        changed
            .map(|folder| self.publish(folder))
            .unwrap_or_default()
    }

    /// The preflight of `folder` as one `publishDiagnostics` per workspace file (an empty list
    /// for a file whose problems are gone).
    fn publish(&mut self, folder: PathBuf) -> Vec<Notification> {
        let texts = self.documents.texts(&folder);
        let layout = crate::workspace_dir::WorkspaceDir::layout_of(&folder);
        let report = preflight(&Workspace::from_texts(&texts).in_layout(layout));
        let view = Folder {
            path: &folder,
            texts: &texts,
            encoding: self.encoding,
            uris: self.documents.uris(&folder),
        };
        let mut by_file: BTreeMap<FileKind, Vec<lsp::Diagnostic>> = BTreeMap::new();
        for d in &report.diagnostics {
            by_file.entry(d.file).or_default().push(view.diagnostic(d));
        }
        let before = self.published.remove(&folder).unwrap_or_default();
        for kind in before {
            by_file.entry(kind).or_default();
        }
        let out = by_file
            .iter()
            .filter_map(|(kind, diagnostics)| {
                let params =
                    lsp::PublishDiagnosticsParams::new(view.uri(*kind)?, diagnostics.clone(), None);
                Some(Notification::new(
                    note::PublishDiagnostics::METHOD.to_owned(),
                    params,
                ))
            })
            .collect();
        let now = by_file
            .into_iter()
            .filter(|(_, d)| !d.is_empty())
            .map(|(kind, _)| kind)
            .collect();
        self.published.insert(folder, now);
        out
    }
}

fn decode<N: note::Notification>(params: serde_json::Value) -> Option<N::Params> {
    serde_json::from_value(params)
        .map_err(
            |error| tracing::warn!(method = N::METHOD, %error, "ignored a malformed notification"),
        )
        .ok()
}

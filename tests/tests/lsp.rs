//! `scenario-lab lsp` over standard I/O, as an editor drives it: initialize, open a recipes file
//! with a broken `_ref`, get its diagnostics, complete, hover, go to definition, rename, fix,
//! edit, format, outline, shut down.

use lsp_server::{Message, Notification, Request, RequestId};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request as req;
use lsp_types::{self as lsp, Position, Url};
use scenario_lab_tests::{binary, clinic_workspace, example_workspace};
use std::io::BufReader;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// A language client over the server's standard I/O.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Message>,
    next_id: i32,
    /// Every `publishDiagnostics` received, in order.
    published: Vec<lsp::PublishDiagnosticsParams>,
}

const WAIT: Duration = Duration::from_secs(20);

impl Client {
    fn start() -> Client {
        let mut child = Command::new(binary())
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("scenario-lab lsp starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            published: Vec::new(),
        }
    }

    fn send(&mut self, message: &Message) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        message.write(stdin).expect("the server reads its stdin");
    }

    fn notify<N: note::Notification>(&mut self, params: N::Params) {
        self.send(&Message::Notification(Notification::new(
            N::METHOD.to_owned(),
            params,
        )));
    }

    /// The next message; diagnostics are kept aside (`None`).
    fn receive(&mut self, deadline: Instant) -> Option<Message> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(Message::Notification(n)) if n.method == note::PublishDiagnostics::METHOD => {
                let params = serde_json::from_value(n.params).expect("publishDiagnostics params");
                self.published.push(params);
                None
            }
            Ok(message) => Some(message),
            Err(RecvTimeoutError::Timeout) => panic!("no answer from the server in {WAIT:?}"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its stdout"),
        }
    }

    fn try_request<R: req::Request>(
        &mut self,
        params: R::Params,
    ) -> Result<R::Result, lsp_server::ResponseError> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(&Message::Request(Request::new(
            id.clone(),
            R::METHOD.to_owned(),
            params,
        )));
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(Message::Response(response)) = self.receive(deadline)
                && response.id == id
            {
                if let Some(error) = response.error {
                    return Err(error);
                }
                let value = response.result.unwrap_or(serde_json::Value::Null);
                return Ok(serde_json::from_value(value).expect("a typed answer"));
            }
        }
    }

    fn request<R: req::Request>(&mut self, params: R::Params) -> R::Result {
        self.try_request::<R>(params)
            .unwrap_or_else(|e| panic!("{} failed: {}", R::METHOD, e.message))
    }

    /// Waits for the diagnostics of `uri` that `accept` accepts.
    fn diagnostics(
        &mut self,
        uri: &Url,
        accept: impl Fn(&[lsp::Diagnostic]) -> bool,
    ) -> Vec<lsp::Diagnostic> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(found) = self
                .published
                .iter()
                .rev()
                .find(|p| &p.uri == uri)
                .filter(|p| accept(&p.diagnostics))
            {
                return found.diagnostics.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no accepted diagnostics for {uri}; published: {:#?}",
                self.published
                    .iter()
                    .map(|p| (
                        &p.uri,
                        p.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
                    ))
                    .collect::<Vec<_>>()
            );
            // Diagnostics are collected while waiting; nothing else is expected.
            let left = deadline.saturating_duration_since(Instant::now());
            if let Ok(Message::Notification(n)) = self
                .incoming
                .recv_timeout(left.min(Duration::from_millis(200)))
                && n.method == note::PublishDiagnostics::METHOD
            {
                self.published
                    .push(serde_json::from_value(n.params).expect("publishDiagnostics params"));
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn at(uri: &Url, line: u32, character: u32) -> lsp::TextDocumentPositionParams {
    lsp::TextDocumentPositionParams::new(
        lsp::TextDocumentIdentifier::new(uri.clone()),
        Position::new(line, character),
    )
}

/// The position of the first `needle` after line `from` (0-based, UTF-16 column).
/// The completion items at `position`.
fn completion(
    client: &mut Client,
    position: lsp::TextDocumentPositionParams,
) -> Vec<lsp::CompletionItem> {
    match client.request::<req::Completion>(lsp::CompletionParams {
        text_document_position: position,
        work_done_progress_params: lsp::WorkDoneProgressParams::default(),
        partial_result_params: lsp::PartialResultParams::default(),
        context: None,
    }) {
        Some(lsp::CompletionResponse::Array(items)) => items,
        other => panic!("completion: {other:?}"),
    }
}

fn find(text: &str, from: usize, needle: &str) -> Position {
    for (line, content) in text.lines().enumerate().skip(from) {
        if let Some(byte) = content.find(needle) {
            let column = content[..byte].encode_utf16().count();
            let n = |v: usize| u32::try_from(v).expect("a test file is small");
            return Position::new(n(line), n(column));
        }
    }
    panic!("`{needle}` not found after line {from}");
}

fn initialize(client: &mut Client) {
    #[allow(
        deprecated,
        reason = "root_uri and root_path are required fields of the type"
    )]
    let params = lsp::InitializeParams::default();
    let result = client.request::<req::Initialize>(params);
    assert_eq!(
        result.capabilities.position_encoding,
        Some(lsp::PositionEncodingKind::UTF16),
        "a client that offers nothing gets UTF-16"
    );
    assert!(result.capabilities.rename_provider.is_some());
    client.notify::<note::Initialized>(lsp::InitializedParams {});
}

fn open(client: &mut Client, uri: &Url, text: &str) {
    client.notify::<note::DidOpenTextDocument>(lsp::DidOpenTextDocumentParams {
        text_document: lsp::TextDocumentItem::new(uri.clone(), "json".into(), 1, text.to_owned()),
    });
}

#[test]
fn a_session_over_stdio_checks_completes_navigates_renames_fixes_and_shuts_down() {
    let workspace = example_workspace("lsp-session");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let path = std::fs::canonicalize(&path).expect("the recipes exist");
    let uri = Url::from_file_path(&path).expect("an absolute path");
    let original = std::fs::read_to_string(&path).expect("the example's recipes");
    // A broken `_ref`, with non-ASCII text before it on its line (UTF-16 columns differ).
    let text = original.replacen(
        "\"userId\": {\n              \"_ref\": \"olivia\"\n            }",
        "\"note\": \"Zo\u{eb} \u{1F680}\", \"userId\": { \"_ref\": \"olivai\" }",
        1,
    );
    assert_ne!(text, original);
    let mut client = Client::start();
    initialize(&mut client);
    open(&mut client, &uri, &text);

    let broken = broken_ref_is_diagnosed(&mut client, &uri, &text);
    completion_offers_the_aliases(&mut client, &uri, broken);
    quick_fix_clears_it(&mut client, &uri, broken);
    hover_definition_and_rename(&mut client, &uri, &text, broken);
    outline_format_and_shutdown(client, &uri);
}

/// The broken `_ref`'s diagnostic, at its exact UTF-16 position; returns where it starts.
fn broken_ref_is_diagnosed(c: &mut Client, uri: &Url, text: &str) -> Position {
    let broken = find(text, 0, "\"olivai\"");
    let diagnostics = c.diagnostics(uri, |d| {
        d.iter()
            .any(|d| d.code == Some(lsp::NumberOrString::String("recipe/unknown-alias".into())))
    });
    let unknown = diagnostics
        .iter()
        .find(|d| d.message.contains("olivai"))
        .expect("the unknown alias");
    assert_eq!(unknown.range.start, broken, "exact UTF-16 position");
    assert_eq!(
        unknown.range.end.character - unknown.range.start.character,
        8
    );
    assert!(
        unknown.message.contains("help: did you mean `olivia`"),
        "{}",
        unknown.message
    );

    broken
}

fn completion_offers_the_aliases(c: &mut Client, uri: &Url, broken: Position) {
    // Completion inside the broken `_ref` offers the recipe's aliases.
    let inside = Position::new(broken.line, broken.character + 1);
    let items = completion(c, at(uri, inside.line, inside.character));
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert!(
        labels.contains(&"olivia") && labels.contains(&"adam"),
        "{labels:?}"
    );
}

fn quick_fix_clears_it(c: &mut Client, uri: &Url, broken: Position) {
    let range = lsp::Range::new(broken, Position::new(broken.line, broken.character + 8));
    // The quick fix replaces the bytes; applying it clears the diagnostic.
    let actions = c
        .request::<req::CodeActionRequest>(lsp::CodeActionParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            range,
            context: lsp::CodeActionContext::default(),
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
            partial_result_params: lsp::PartialResultParams::default(),
        })
        .unwrap_or_default();
    let fix = actions
        .iter()
        .find_map(|a| match a {
            lsp::CodeActionOrCommand::CodeAction(a) if a.title.contains("olivia") => Some(a),
            _ => None,
        })
        .expect("a quick fix naming `olivia`");
    let edit = &fix
        .edit
        .as_ref()
        .and_then(|e| e.changes.as_ref())
        .expect("edits")[uri][0];
    assert_eq!(edit.range, range);
    c.notify::<note::DidChangeTextDocument>(lsp::DidChangeTextDocumentParams {
        text_document: lsp::VersionedTextDocumentIdentifier::new(uri.clone(), 2),
        content_changes: vec![lsp::TextDocumentContentChangeEvent {
            range: Some(edit.range),
            range_length: None,
            text: edit.new_text.clone(),
        }],
    });
    c.diagnostics(uri, |d| !d.iter().any(|d| d.message.contains("olivai")));
}

fn hover_definition_and_rename(c: &mut Client, uri: &Url, text: &str, broken: Position) {
    // Hover on a field: its discover type.
    let email = find(text, 0, "\"email\"");
    let hover = c
        .request::<req::HoverRequest>(lsp::HoverParams {
            text_document_position_params: at(uri, email.line, email.character + 2),
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
        })
        .expect("a hover card on a field");
    let lsp::HoverContents::Markup(card) = hover.contents else {
        panic!("markdown expected");
    };
    assert!(
        card.value.contains("email") && card.value.contains("User"),
        "{}",
        card.value
    );

    // Go to definition from the fixed `_ref` lands on the `_alias`.
    let reference = find(text, broken.line as usize, "\"_ref\": ");
    let declared = find(text, 0, "\"_alias\": \"olivia\"");
    let definition = c.request::<req::GotoDefinition>(lsp::GotoDefinitionParams {
        text_document_position_params: at(uri, broken.line, broken.character + 2),
        work_done_progress_params: lsp::WorkDoneProgressParams::default(),
        partial_result_params: lsp::PartialResultParams::default(),
    });
    let Some(lsp::GotoDefinitionResponse::Array(found)) = definition else {
        panic!("definition: {definition:?}");
    };
    assert_eq!(found[0].range.start.line, declared.line, "{reference:?}");

    // Rename the alias everywhere it is written; a taken name is refused with a reason.
    let rename = |new_name: &str| lsp::RenameParams {
        text_document_position: at(uri, declared.line, declared.character + 12),
        new_name: new_name.to_owned(),
        work_done_progress_params: lsp::WorkDoneProgressParams::default(),
    };
    let edits = c
        .request::<req::Rename>(rename("olive"))
        .and_then(|e| e.changes)
        .expect("rename edits");
    let references = c
        .request::<req::References>(lsp::ReferenceParams {
            text_document_position: at(uri, declared.line, declared.character + 12),
            context: lsp::ReferenceContext {
                include_declaration: true,
            },
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
            partial_result_params: lsp::PartialResultParams::default(),
        })
        .unwrap_or_default();
    assert_eq!(edits[uri].len(), references.len());
    assert!(edits[uri].iter().all(|e| e.new_text == "olive"));
    let refused = c
        .try_request::<req::Rename>(rename("adam"))
        .expect_err("`adam` is taken");
    assert!(
        refused.message.contains("already declared"),
        "{}",
        refused.message
    );
}

fn outline_format_and_shutdown(mut c: Client, uri: &Url) {
    // Outline, folding and formatting answer on the open document.
    let symbols = c.request::<req::DocumentSymbolRequest>(lsp::DocumentSymbolParams {
        text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
        work_done_progress_params: lsp::WorkDoneProgressParams::default(),
        partial_result_params: lsp::PartialResultParams::default(),
    });
    let Some(lsp::DocumentSymbolResponse::Nested(symbols)) = symbols else {
        panic!("symbols: {symbols:?}");
    };
    assert_eq!(symbols[0].name, "standard");
    let formatted = c
        .request::<req::Formatting>(lsp::DocumentFormattingParams {
            text_document: lsp::TextDocumentIdentifier::new(uri.clone()),
            options: lsp::FormattingOptions::default(),
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
        })
        .unwrap_or_default();
    assert!(
        !formatted.is_empty(),
        "the added note is not laid out as the formatter would"
    );

    // Shutdown answers, exit ends the process with success.
    c.request::<req::Shutdown>(());
    c.notify::<note::Exit>(());
    c.stdin = None;
    let status = c.child.wait().expect("the server exits");
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_workspace_never_seen_answers_from_its_own_discover() {
    // The TypeScript clinic: other models, integer and uuid ids, nothing of the example.
    let workspace = clinic_workspace("lsp-clinic");
    let path = workspace.0.join("autonoma/scenario-recipes.json");
    let path = std::fs::canonicalize(&path).expect("the recipes exist");
    let uri = Url::from_file_path(&path).expect("an absolute path");
    let text = std::fs::read_to_string(&path).expect("the clinic's recipes");
    let mut client = Client::start();
    initialize(&mut client);
    open(&mut client, &uri, &text);
    client.diagnostics(&uri, |d| {
        d.iter()
            .all(|d| d.severity != Some(lsp::DiagnosticSeverity::ERROR))
    });
    // A new model key under `create`: the clinic's models, from its discover.json on disk.
    let create = find(&text, 0, "\"create\": {");
    let line = create.line + 1;
    let items = completion(&mut client, at(&uri, line, 0));
    let discover = std::fs::read_to_string(workspace.0.join("autonoma/discover.json"))
        .expect("the clinic's discover");
    let models: Vec<&str> = items
        .iter()
        .filter(|i| i.kind == Some(lsp::CompletionItemKind::CLASS))
        .map(|i| i.label.as_str())
        .collect();
    assert!(!models.is_empty(), "{items:?}");
    assert!(
        models
            .iter()
            .all(|m| discover.contains(&format!("\"{m}\""))),
        "{models:?}"
    );
}

#[test]
fn an_anip_pack_is_checked_as_it_is_edited() {
    let dir = scenario_lab_tests::TempDir::new("lsp-pack");
    std::fs::create_dir_all(dir.0.join("anip")).expect("anip/ made");
    let path = std::fs::canonicalize(dir.0.join("anip"))
        .expect("exists")
        .join("fixture.pack.yaml");
    let uri = Url::from_file_path(&path).expect("an absolute path");
    let text = "format: scenario-pack/v1\nscenarios:\n  - id: stop\n    class: approval_stop\n    request: {invoke: {capability: fixture.reset_tenant}}\n  - id: grant\n    class: approval_continuation\n    prior: [stpo]\n    request: {grant: {approval_request: apr_1}}\n";
    let mut client = Client::start();
    initialize(&mut client);
    client.notify::<note::DidOpenTextDocument>(lsp::DidOpenTextDocumentParams {
        text_document: lsp::TextDocumentItem::new(uri.clone(), "yaml".into(), 1, text.to_owned()),
    });
    let found = client.diagnostics(&uri, |d| {
        d.iter()
            .any(|d| d.code == Some(lsp::NumberOrString::String("pack/unknown-prior".into())))
    });
    let unknown = found
        .iter()
        .find(|d| d.code == Some(lsp::NumberOrString::String("pack/unknown-prior".into())))
        .expect("found");
    assert_eq!(unknown.range.start, Position::new(7, 12), "on `stpo`");
    // Fixing the typo clears it.
    client.notify::<note::DidChangeTextDocument>(lsp::DidChangeTextDocumentParams {
        text_document: lsp::VersionedTextDocumentIdentifier::new(uri.clone(), 2),
        content_changes: vec![lsp::TextDocumentContentChangeEvent {
            range: Some(lsp::Range::new(Position::new(7, 12), Position::new(7, 16))),
            range_length: None,
            text: "stop".to_owned(),
        }],
    });
    client.diagnostics(&uri, |d| {
        d.iter()
            .all(|d| d.severity != Some(lsp::DiagnosticSeverity::ERROR))
    });

    // Completion and hover from the saved manifest beside the pack.
    let manifest = scenario_lab_tests::repo_root()
        .join("tests/fixtures/anip/valid/approval-chain/manifest.json");
    std::fs::copy(manifest, path.with_file_name("manifest.json")).expect("manifest saved");
    let items = completion(&mut client, at(&uri, 4, 35));
    let labels: Vec<&str> = items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(
        labels,
        ["fixture.count", "fixture.reset_tenant"],
        "{items:?}"
    );
    let card = client
        .request::<req::HoverRequest>(lsp::HoverParams {
            text_document_position_params: at(&uri, 4, 40),
            work_done_progress_params: lsp::WorkDoneProgressParams::default(),
        })
        .expect("a hover on the capability");
    let lsp::HoverContents::Markup(card) = card.contents else {
        panic!("markdown hover");
    };
    assert!(card.value.contains("approval-gated"), "{}", card.value);
}

#[test]
fn a_planner_recipe_json_is_checked_like_scenario_recipes_json() {
    let root = scenario_lab_tests::TempDir::new("lsp-planner");
    let folder = root.0.join(".autonoma");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let fixture = scenario_lab_tests::repo_root().join("tests/fixtures/memory-board/.autonoma");
    for name in ["recipe.json", "scenarios.md", "integration-prompt.md"] {
        std::fs::copy(fixture.join(name), folder.join(name)).expect("copy");
    }
    let path = std::fs::canonicalize(folder.join("recipe.json")).expect("the recipe exists");
    let uri = Url::from_file_path(&path).expect("an absolute path");
    let text = std::fs::read_to_string(&path).expect("the recipe");
    let mut client = Client::start();
    initialize(&mut client);
    open(&mut client, &uri, &text);
    // Planner rules: no "missing required recipes", no validation-block error.
    client.diagnostics(&uri, |d| {
        d.iter()
            .all(|d| d.severity != Some(lsp::DiagnosticSeverity::ERROR))
    });
    let broken = text.replace(
        r#"{ "_ref": "sprint" }, "text": "Ship"#,
        r#"{ "_ref": "sprnt" }, "text": "Ship"#,
    );
    assert_ne!(broken, text);
    client.notify::<note::DidChangeTextDocument>(lsp::DidChangeTextDocumentParams {
        text_document: lsp::VersionedTextDocumentIdentifier::new(uri.clone(), 2),
        content_changes: vec![lsp::TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: broken,
        }],
    });
    let found = client.diagnostics(&uri, |d| {
        d.iter()
            .any(|d| d.code == Some(lsp::NumberOrString::String("recipe/unknown-alias".into())))
    });
    assert!(
        found.iter().any(|d| d.message.contains("sprnt")),
        "{found:#?}"
    );
}

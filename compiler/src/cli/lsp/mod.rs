//! `irsa lsp`: a Language Server Protocol 3.17 server on standard input and
//! output (LANGUAGE.md section 14). The protocol layer only: every answer
//! comes from the library (`irsa::analyze` as `check`, `irsa::format` as
//! `fmt`, `irsa::analysis` for the rest).
//!
//! One thread, one message at a time: every answer takes well under a
//! millisecond on a real file, so there is nothing to cancel or schedule.

mod convert;
mod documents;
mod transport;

use std::io::{self, BufRead, Write};

use gen_lsp_types as lsp;
use irsa::analysis::{self, Encoding};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use convert::Text;
use documents::Documents;
use transport::Incoming;

/// Exit status after `shutdown` then `exit`.
const CLEAN_EXIT: u8 = 0;
/// Exit status on `exit` without `shutdown`, the input ending, or a broken
/// frame (as the protocol asks).
const UNCLEAN_EXIT: u8 = 1;

/// Serves standard input and output until `exit`; returns the exit status.
pub fn run() -> u8 {
    let stdin = io::stdin();
    let stdout = io::stdout();
    let mut server = Server::default();
    server.serve(&mut stdin.lock(), &mut stdout.lock())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Uninitialized,
    Running,
    ShutDown,
}

#[derive(Debug, Default)]
struct Server {
    state: State,
    /// UTF-16 unless the client offers UTF-8.
    encoding: Option<Encoding>,
    documents: Documents,
}

/// Why a request failed: its JSON-RPC error.
#[derive(Debug)]
struct Failure {
    code: ErrorCode,
    message: String,
}

impl Failure {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

type Answer = Result<Value, Failure>;

impl Server {
    fn encoding(&self) -> Encoding {
        self.encoding.unwrap_or(Encoding::Utf16)
    }

    fn serve(&mut self, input: &mut impl BufRead, output: &mut impl Write) -> u8 {
        loop {
            let written = match transport::read(input) {
                Ok(Incoming::End) => return self.exit_status(),
                Err(error) => {
                    let _ = writeln!(io::stderr(), "irsa lsp: {error}");
                    return UNCLEAN_EXIT;
                }
                Ok(Incoming::Malformed { id, code, message }) => {
                    transport::write_error(output, &id, code, &message)
                }
                Ok(Incoming::Message(Message::Request(request))) => {
                    let response = self.request(request);
                    transport::write(output, &response.into())
                }
                Ok(Incoming::Message(Message::Notification(notification))) => {
                    if notification.method == "exit" {
                        return self.exit_status();
                    }
                    self.notification(notification, output)
                }
                // irsa sends no requests, so expects no responses.
                Ok(Incoming::Message(Message::Response(_))) => Ok(()),
            };
            if let Err(error) = written {
                let _ = writeln!(io::stderr(), "irsa lsp: cannot write: {error}");
                return UNCLEAN_EXIT;
            }
        }
    }

    fn exit_status(&self) -> u8 {
        if self.state == State::ShutDown {
            CLEAN_EXIT
        } else {
            UNCLEAN_EXIT
        }
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let answer = match (self.state, request.method.as_str()) {
            (State::Uninitialized, "initialize") => self.initialize(request),
            (State::Uninitialized, _) => Err(Failure::new(
                ErrorCode::ServerNotInitialized,
                "the first request must be `initialize`",
            )),
            (State::ShutDown, _) => Err(Failure::new(
                ErrorCode::InvalidRequest,
                "the server is shut down: only `exit` is left",
            )),
            (State::Running, "initialize") => Err(Failure::new(
                ErrorCode::InvalidRequest,
                "the server is already initialized",
            )),
            (State::Running, "shutdown") => {
                self.state = State::ShutDown;
                Ok(Value::Null)
            }
            (State::Running, _) => self.handle(request),
        };
        respond(id, answer)
    }

    fn initialize(&mut self, request: Request) -> Answer {
        let params: lsp::InitializeParams = params(request)?;
        let offered = params
            .capabilities
            .general
            .and_then(|general| general.position_encodings)
            .unwrap_or_default();
        let encoding = if offered.contains(&lsp::PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        self.encoding = Some(encoding);
        self.state = State::Running;
        to_value(lsp::InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(lsp::ServerInfo {
                name: "irsa".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
        })
    }

    fn handle(&mut self, request: Request) -> Answer {
        match request.method.as_str() {
            "textDocument/hover" => {
                let params: lsp::HoverParams = params(request)?;
                self.at(&params.text_document_position_params, |text, offset| {
                    analysis::hover(text.source, offset).map(|h| convert::hover(text, h))
                })
            }
            "textDocument/completion" => {
                let params: lsp::CompletionParams = params(request)?;
                self.at(&params.text_document_position_params, |text, offset| {
                    convert::completion(text, analysis::complete(text.source, offset))
                })
            }
            "textDocument/definition" => {
                let params: lsp::DefinitionParams = params(request)?;
                let uri = params
                    .text_document_position_params
                    .text_document
                    .uri
                    .clone();
                self.at(&params.text_document_position_params, |text, offset| {
                    analysis::definition(text.source, offset).map(|span| lsp::Location {
                        uri,
                        range: text.range(&span),
                    })
                })
            }
            "textDocument/documentSymbol" => {
                let params: lsp::DocumentSymbolParams = params(request)?;
                let text = self.text(&params.text_document.uri)?;
                to_value(convert::symbols(&text, analysis::symbols(text.source)))
            }
            "textDocument/formatting" => {
                let params: lsp::DocumentFormattingParams = params(request)?;
                self.format(&params.text_document.uri)
            }
            "textDocument/codeAction" => {
                let params: lsp::CodeActionParams = params(request)?;
                self.code_actions(&params)
            }
            method => Err(Failure::new(
                ErrorCode::MethodNotFound,
                format!("irsa lsp does not handle `{method}`"),
            )),
        }
    }

    /// The document's text, or the error for a document not open.
    fn text(&self, uri: &lsp::Uri) -> Result<Text<'_>, Failure> {
        let source = self.documents.text(uri).ok_or_else(|| {
            Failure::new(
                ErrorCode::InvalidParams,
                format!("`{}` is not open (send textDocument/didOpen first)", uri.0),
            )
        })?;
        Ok(Text::new(source, self.encoding()))
    }

    /// Answers a question about one position of a document.
    fn at<T: Serialize>(
        &self,
        at: &lsp::TextDocumentPositionParams,
        answer: impl FnOnce(&Text<'_>, usize) -> T,
    ) -> Answer {
        let text = self.text(&at.text_document.uri)?;
        let offset = text.offset(at.position);
        to_value(answer(&text, offset))
    }

    /// `fmt`: one edit that replaces the text, none when it is formatted.
    fn format(&self, uri: &lsp::Uri) -> Answer {
        let text = self.text(uri)?;
        match irsa::format(text.source) {
            Ok(formatted) if formatted == text.source => to_value(Vec::<lsp::TextEdit>::new()),
            Ok(formatted) => to_value(vec![lsp::TextEdit {
                range: text.whole(),
                new_text: formatted,
            }]),
            Err(diagnostics) => {
                let first = diagnostics.first().map_or_else(String::new, |d| {
                    let at = text.lines.position(d.span.start, Encoding::Utf8);
                    format!(": line {}: {}", at.line + 1, d.message)
                });
                Err(Failure::new(
                    ErrorCode::RequestFailed,
                    format!("cannot format a file with syntax errors{first}"),
                ))
            }
        }
    }

    /// The quick fixes of the diagnostics that touch the range.
    fn code_actions(&self, params: &lsp::CodeActionParams) -> Answer {
        let uri = &params.text_document.uri;
        let text = self.text(uri)?;
        let wanted = text.span(params.range);
        let actions: Vec<lsp::CodeAction> = irsa::analyze(text.source)
            .diagnostics
            .iter()
            .filter(|d| d.span.start <= wanted.end && wanted.start <= d.span.end)
            .filter_map(|d| {
                let fix = analysis::quick_fix(text.source, d)?;
                Some(convert::quick_fix(
                    &text,
                    uri,
                    fix,
                    convert::diagnostic(&text, uri, d),
                ))
            })
            .collect();
        to_value(actions)
    }

    fn notification(
        &mut self,
        notification: Notification,
        output: &mut impl Write,
    ) -> io::Result<()> {
        if self.state != State::Running {
            return Ok(());
        }
        let method = notification.method.clone();
        let changed = match method.as_str() {
            "textDocument/didOpen" => params(notification)
                .map(|p: lsp::DidOpenTextDocumentParams| Some(self.documents.open(p))),
            "textDocument/didChange" => {
                params(notification).and_then(|p: lsp::DidChangeTextDocumentParams| {
                    let uri = p.text_document.text_document_identifier.uri.0.clone();
                    self.documents
                        .change(p, self.encoding())
                        .map(Some)
                        .ok_or_else(|| {
                            Failure::new(
                                ErrorCode::InvalidParams,
                                format!("`{uri}` is not open: its changes are dropped"),
                            )
                        })
                })
            }
            "textDocument/didClose" => params(notification)
                .map(|p: lsp::DidCloseTextDocumentParams| Some(self.documents.close(p))),
            // `initialized`, `$/cancelRequest`, `didSave`…: nothing to do.
            _ => Ok(None),
        };
        match changed {
            Ok(Some(uri)) => self.publish(&uri, output),
            Ok(None) => Ok(()),
            Err(failure) => {
                // A notification has no response: say it in the log.
                let _ = writeln!(io::stderr(), "irsa lsp: {method}: {}", failure.message);
                Ok(())
            }
        }
    }

    /// `check`'s diagnostics of a document (none once it is closed).
    fn publish(&self, uri: &lsp::Uri, output: &mut impl Write) -> io::Result<()> {
        let (diagnostics, version) = match self.documents.get(uri) {
            Some(document) => {
                let text = Text::new(&document.text, self.encoding());
                let diagnostics = irsa::analyze(&document.text)
                    .diagnostics
                    .iter()
                    .map(|d| convert::diagnostic(&text, uri, d))
                    .collect();
                (diagnostics, Some(document.version))
            }
            None => (Vec::new(), None),
        };
        let params = lsp::PublishDiagnosticsParams {
            uri: uri.clone(),
            version,
            diagnostics,
        };
        transport::write(
            output,
            &Notification::new("textDocument/publishDiagnostics".to_owned(), params).into(),
        )
    }
}

/// The server's capabilities: full and incremental sync alike.
fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSync::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::Incremental),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProvider::Bool(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![" ".to_owned(), ">".to_owned(), ",".to_owned()]),
            ..Default::default()
        }),
        definition_provider: Some(lsp::DefinitionProvider::Bool(true)),
        document_symbol_provider: Some(lsp::DocumentSymbolProvider::Bool(true)),
        document_formatting_provider: Some(lsp::DocumentFormattingProvider::Bool(true)),
        code_action_provider: Some(lsp::CodeActionProvider::CodeActionOptions(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QuickFix]),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

/// A request's or notification's params, or an InvalidParams failure.
fn params<T: DeserializeOwned>(message: impl Into<Message>) -> Result<T, Failure> {
    let params = match message.into() {
        Message::Request(request) => request.params,
        Message::Notification(notification) => notification.params,
        Message::Response(_) => Value::Null,
    };
    serde_json::from_value(params)
        .map_err(|error| Failure::new(ErrorCode::InvalidParams, format!("invalid params: {error}")))
}

fn to_value(value: impl Serialize) -> Answer {
    serde_json::to_value(value)
        .map_err(|error| Failure::new(ErrorCode::InternalError, error.to_string()))
}

fn respond(id: RequestId, answer: Answer) -> Response {
    match answer {
        Ok(result) => Response {
            id,
            response_result: Ok(result),
        },
        Err(failure) => Response::new_err(id, failure.code as i32, failure.message),
    }
}

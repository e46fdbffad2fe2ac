//! The open documents, kept in step with the editor: whole texts on open,
//! range edits on change (incremental sync), in the negotiated encoding.

use std::collections::HashMap;

use gen_lsp_types as lsp;
use irsa::analysis::Encoding;

use super::convert::Text;

#[derive(Debug)]
pub struct Document {
    pub text: String,
    pub version: i32,
}

#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<lsp::Uri, Document>,
}

impl Documents {
    pub fn get(&self, uri: &lsp::Uri) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn text(&self, uri: &lsp::Uri) -> Option<&str> {
        self.open.get(uri).map(|d| d.text.as_str())
    }

    pub fn open(&mut self, params: lsp::DidOpenTextDocumentParams) -> lsp::Uri {
        let item = params.text_document;
        self.open.insert(
            item.uri.clone(),
            Document {
                text: item.text,
                version: item.version,
            },
        );
        item.uri
    }

    /// Applies the changes in order; `None` for a document not open (the
    /// editor's mistake: nothing to apply them to).
    pub fn change(
        &mut self,
        params: lsp::DidChangeTextDocumentParams,
        encoding: Encoding,
    ) -> Option<lsp::Uri> {
        let identifier = params.text_document;
        let uri = identifier.text_document_identifier.uri;
        let document = self.open.get_mut(&uri)?;
        for change in params.content_changes {
            apply(&mut document.text, change, encoding);
        }
        document.version = identifier.version;
        Some(uri)
    }

    pub fn close(&mut self, params: lsp::DidCloseTextDocumentParams) -> lsp::Uri {
        self.open.remove(&params.text_document.uri);
        params.text_document.uri
    }
}

/// One change: a range edit (positions in `encoding`, clamped to the text)
/// or a whole new text.
fn apply(text: &mut String, change: lsp::TextDocumentContentChangeEvent, encoding: Encoding) {
    match change {
        lsp::TextDocumentContentChangeEvent::TextDocumentContentChangePartial(partial) => {
            let span = Text::new(text, encoding).span(partial.range);
            text.replace_range(span, &partial.text);
        }
        lsp::TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(whole) => {
            *text = whole.text;
        }
    }
}

//! The library's analysis → LSP types, positions in the negotiated
//! encoding.

use std::collections::HashMap;
use std::ops::Range;

use gen_lsp_types as lsp;
use irsa::analysis::{self, CompletionKind, Encoding, LineMap, SymbolKind};
use irsa::{Diagnostic, Severity};

/// Where the book's diagnostics chapter is published; each code links to
/// its section. The project's URL (Cargo.toml `repository`) + `/book/`,
/// where the book's `site-url` puts it.
const DIAGNOSTICS_PAGE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/book/diagnostics.html");

/// One document's text with its line map, for conversions.
#[derive(Debug)]
pub struct Text<'a> {
    pub source: &'a str,
    pub lines: LineMap<'a>,
    pub encoding: Encoding,
}

impl<'a> Text<'a> {
    pub fn new(source: &'a str, encoding: Encoding) -> Self {
        Text {
            source,
            lines: LineMap::new(source),
            encoding,
        }
    }

    pub fn range(&self, span: &Range<usize>) -> lsp::Range {
        let (start, end) = self.lines.range(span, self.encoding);
        lsp::Range {
            start: lsp::Position {
                line: start.line,
                character: start.character,
            },
            end: lsp::Position {
                line: end.line,
                character: end.character,
            },
        }
    }

    pub fn offset(&self, position: lsp::Position) -> usize {
        self.lines.offset(
            analysis::Position::new(position.line, position.character),
            self.encoding,
        )
    }

    /// A range → a byte span (ends swapped if reversed).
    pub fn span(&self, range: lsp::Range) -> Range<usize> {
        let (a, b) = (self.offset(range.start), self.offset(range.end));
        a.min(b)..a.max(b)
    }

    /// The whole text, for an edit that replaces it.
    pub fn whole(&self) -> lsp::Range {
        self.range(&(0..self.source.len()))
    }
}

/// A diagnostic as the editor shows it: the message, with the help on the
/// next line; the code links to its explanation; secondary labels are
/// related information.
pub fn diagnostic(text: &Text<'_>, uri: &lsp::Uri, diagnostic: &Diagnostic) -> lsp::Diagnostic {
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .map(|label| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: text.range(&label.span),
            },
            message: label.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: text.range(&diagnostic.span),
        severity: Some(match diagnostic.severity() {
            Severity::Error => lsp::DiagnosticSeverity::Error,
            Severity::Warning => lsp::DiagnosticSeverity::Warning,
        }),
        code: Some(lsp::Code::String(diagnostic.code.as_str().to_owned())),
        code_description: Some(lsp::CodeDescription {
            href: lsp::Uri(format!(
                "{DIAGNOSTICS_PAGE}#{}",
                analysis::explanation_anchor(diagnostic.code)
            )),
        }),
        source: Some("irsa".to_owned()),
        message: lsp::Message::String(message),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

pub fn hover(text: &Text<'_>, hover: analysis::Hover) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::Contents::MarkupContent(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: hover.markdown,
        }),
        range: Some(text.range(&hover.span)),
    }
}

pub fn completion(text: &Text<'_>, completion: analysis::Completion) -> lsp::CompletionList {
    let range = text.range(&completion.span);
    let items = completion
        .items
        .into_iter()
        .map(|item| lsp::CompletionItem {
            kind: Some(match item.kind {
                CompletionKind::Keyword => lsp::CompletionItemKind::Keyword,
                CompletionKind::Setting => lsp::CompletionItemKind::Property,
                CompletionKind::Value => lsp::CompletionItemKind::EnumMember,
                CompletionKind::Service => lsp::CompletionItemKind::Module,
                CompletionKind::Role => lsp::CompletionItemKind::Reference,
                CompletionKind::ServiceAccount => lsp::CompletionItemKind::Variable,
            }),
            detail: item.detail,
            documentation: item.documentation.map(lsp::Documentation::String),
            text_edit: Some(lsp::CompletionItemTextEdit::TextEdit(lsp::TextEdit {
                range,
                new_text: item.label.clone(),
            })),
            label: item.label,
            ..Default::default()
        })
        .collect();
    lsp::CompletionList {
        is_incomplete: false,
        items,
        ..Default::default()
    }
}

pub fn symbols(text: &Text<'_>, symbols: Vec<analysis::Symbol>) -> Vec<lsp::DocumentSymbol> {
    symbols
        .into_iter()
        .map(|symbol| {
            let children = symbols_or_none(text, symbol.children);
            lsp::DocumentSymbol {
                name: symbol.name,
                detail: symbol.detail,
                kind: match symbol.kind {
                    SymbolKind::Statement => lsp::SymbolKind::Property,
                    SymbolKind::Defaults => lsp::SymbolKind::Namespace,
                    SymbolKind::Binding => lsp::SymbolKind::Module,
                    SymbolKind::Role => lsp::SymbolKind::Class,
                    SymbolKind::Setting => lsp::SymbolKind::Field,
                },
                range: text.range(&symbol.span),
                selection_range: text.range(&symbol.selection),
                children,
                tags: None,
                #[allow(deprecated)]
                deprecated: None,
            }
        })
        .collect()
}

fn symbols_or_none(
    text: &Text<'_>,
    children: Vec<analysis::Symbol>,
) -> Option<Vec<lsp::DocumentSymbol>> {
    (!children.is_empty()).then(|| symbols(text, children))
}

/// A quick fix of one diagnostic, as a code action editing the document.
pub fn quick_fix(
    text: &Text<'_>,
    uri: &lsp::Uri,
    fix: analysis::QuickFix,
    fixed: lsp::Diagnostic,
) -> lsp::CodeAction {
    let edit = lsp::TextEdit {
        range: text.range(&fix.edit.span),
        new_text: fix.edit.new_text,
    };
    lsp::CodeAction {
        title: fix.title,
        kind: Some(lsp::CodeActionKind::QuickFix),
        diagnostics: Some(vec![fixed]),
        is_preferred: Some(true),
        edit: Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

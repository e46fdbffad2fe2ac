//! Document symbols: the outline of a file. One symbol a statement; a
//! block's settings are the children of the statement that opens it.

use std::ops::Range;

use crate::syntax::{self, LineKind, Statement, Target};

/// What a symbol is, for the editor's icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// A one-value statement (`namespace`, `account`…).
    Statement,
    /// `defaults { … }`.
    Defaults,
    /// `service …`.
    Binding,
    /// `role …`.
    Role,
    /// A setting in a block.
    Setting,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole statement, its block included.
    pub span: Range<usize>,
    /// The part to select: the keyword, or the name.
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

/// The outline of a source, in order.
pub fn symbols(source: &str) -> Vec<Symbol> {
    let (tree, _) = syntax::parse(source);
    let mut symbols: Vec<Symbol> = Vec::new();
    // Whether the last symbol's block is still open.
    let mut open = false;
    for line in &tree.lines {
        match &line.kind {
            LineKind::Statement(statement) => {
                open = matches!(statement.block(), Some((syntax::BlockOpen::Open(_), _)));
                symbols.push(statement_symbol(statement, line.span.clone()));
            }
            LineKind::Setting(setting) if open => {
                if let Some(parent) = symbols.last_mut() {
                    let values: Vec<&str> =
                        setting.values.iter().map(|v| v.text.as_str()).collect();
                    parent.children.push(Symbol {
                        name: setting.kind.as_str().to_owned(),
                        detail: (!values.is_empty()).then(|| values.join(" ")),
                        kind: SymbolKind::Setting,
                        span: line.span.clone(),
                        selection: setting.name_span.clone(),
                        children: Vec::new(),
                    });
                    parent.span.end = line.span.end;
                }
            }
            LineKind::Close(_) if open => {
                if let Some(parent) = symbols.last_mut() {
                    parent.span.end = line.span.end;
                }
                open = false;
            }
            _ => {}
        }
    }
    symbols
}

fn statement_symbol(statement: &Statement, span: Range<usize>) -> Symbol {
    let (name, detail, kind, selection) = match statement {
        Statement::Simple {
            keyword,
            keyword_span,
            value,
        } => (
            keyword.as_str().to_owned(),
            Some(value.text.clone()),
            SymbolKind::Statement,
            keyword_span.clone(),
        ),
        Statement::Defaults { keyword_span, .. } => (
            "defaults".to_owned(),
            None,
            SymbolKind::Defaults,
            keyword_span.clone(),
        ),
        Statement::Role { role, .. } => (
            format!("role {}", role.text),
            None,
            SymbolKind::Role,
            role.span.clone(),
        ),
        Statement::Service(binding) => {
            let targets: Vec<&str> = binding
                .targets
                .iter()
                .map(|t| match t {
                    Target::All(_) => "*",
                    Target::Service(word) => word.text.as_str(),
                })
                .collect();
            let role = binding.role.as_ref().map(|r| format!("-> role {}", r.text));
            let account = binding
                .service_account
                .as_ref()
                .map(|a| format!("as {}", a.text));
            let detail: Vec<String> = role.into_iter().chain(account).collect();
            (
                format!("service {}", targets.join(", ")),
                (!detail.is_empty()).then(|| detail.join(" ")),
                SymbolKind::Binding,
                binding.keyword.clone(),
            )
        }
    };
    Symbol {
        name,
        detail,
        kind,
        span,
        selection,
        children: Vec::new(),
    }
}

//! The editor analysis: hover, completion, go to definition, document
//! symbols and quick fixes over a source and a byte offset. Pure functions,
//! with no protocol types: `irsa lsp` (in `cli/lsp/`) and the playground
//! (through `wasm/`) adapt them, converting positions with [`position`].
//!
//! Everything here reads the same syntax tree and lowered installation as
//! `check`, lowered even when the file has errors, so an editor still
//! answers on a file that is half written.

pub mod completion;
pub mod definition;
pub mod fixes;
pub mod hover;
pub mod position;
pub mod symbols;

#[cfg(test)]
mod tests;

use std::ops::Range;

pub use completion::{Completion, CompletionItem, CompletionKind, complete};
pub use definition::definition;
pub use fixes::{Edit, QuickFix, quick_fix};
pub use hover::{Hover, hover};
pub use position::{Encoding, LineMap, Position};
pub use symbols::{Symbol, SymbolKind, symbols};

use crate::diagnostics::Code;
use crate::ir::{Install, Role};
use crate::language::{BlockKind, Keyword};
use crate::syntax::{self, BlockOpen, Line, LineKind, Statement, SyntaxTree};
use crate::validate::{self, RoleDefaults};

/// One source, parsed and lowered once for a question about it.
#[derive(Debug)]
pub(crate) struct Document<'s> {
    pub source: &'s str,
    pub tree: SyntaxTree,
    /// The installation as far as it resolved; `None` for input that is
    /// not parsed at all (binary, too large).
    pub install: Option<Install>,
}

impl<'s> Document<'s> {
    pub fn new(source: &'s str) -> Self {
        let (tree, diagnostics) = syntax::parse(source);
        let unparsed = diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::BinaryInput | Code::InputTooLarge));
        let install = (!unparsed).then(|| crate::lower::lower(&tree).0.install);
        Document {
            source,
            tree,
            install,
        }
    }

    /// The index and line that hold a byte offset (the end of a line
    /// belongs to it).
    pub fn line_at(&self, offset: usize) -> Option<(usize, &Line)> {
        let index = self
            .tree
            .lines
            .partition_point(|line| line.span.start <= offset)
            .checked_sub(1)?;
        self.tree.lines.get(index).map(|line| (index, line))
    }

    /// The kind of block open at the start of line `index`, as the parser
    /// saw it (a broken line that ends with `{` opens one too).
    pub fn block_before(&self, index: usize) -> Option<BlockKind> {
        let mut open = None;
        for line in self.tree.lines.iter().take(index) {
            match &line.kind {
                LineKind::Statement(statement) => {
                    open = match statement.block() {
                        Some((BlockOpen::Open(_), kind)) => Some(kind),
                        _ => None,
                    };
                }
                LineKind::Close(_) => open = None,
                LineKind::Invalid => {
                    let text = self.source.get(line.span.clone()).unwrap_or_default();
                    if let Some(kind) = syntax::line_opens_block(text) {
                        open = Some(kind);
                    }
                }
                LineKind::Blank | LineKind::Setting(_) => {}
            }
        }
        open
    }

    /// The first value of a one-value statement, if written.
    fn statement_value(&self, wanted: Keyword) -> Option<&str> {
        self.tree.lines.iter().find_map(|line| match &line.kind {
            LineKind::Statement(Statement::Simple { keyword, value, .. }) if *keyword == wanted => {
                Some(value.text.as_str())
            }
            _ => None,
        })
    }

    /// A role as written in the file (`NAME`, `PATH/NAME` or an ARN),
    /// expanded with the file's `account` and `partition`.
    pub fn role(&self, text: &str, span: &Range<usize>) -> Option<Role> {
        let defaults = RoleDefaults {
            account: self.statement_value(Keyword::Account),
            partition: self.statement_value(Keyword::Partition).unwrap_or("aws"),
        };
        validate::parse_role(text, span.start, defaults).ok()
    }
}

/// Whether a cursor at `offset` touches `span` (its end included: the
/// cursor just after a word is on it).
pub(crate) fn touches(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// The anchor of a code's explanation in the book's diagnostics chapter:
/// the id mdBook gives the heading `CODE: title` (lower case, white space
/// to `-`, other punctuation dropped).
pub fn explanation_anchor(code: Code) -> String {
    let heading = format!("{}: {}", code.as_str(), code.title());
    heading
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

//! Quick fixes: every diagnostic that knows its fix ("did you mean",
//! [`Diagnostic::fix`]) becomes an edit of its primary span.

use std::ops::Range;

use crate::diagnostics::Diagnostic;

/// Replace the text of `span` with `new_text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Range<usize>,
    pub new_text: String,
}

/// A fix an editor offers for one diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickFix {
    /// What the fix does, e.g. "Replace `ehco` with `echo`".
    pub title: String,
    pub edit: Edit,
}

/// The quick fix of a diagnostic of `source`, when it has one.
pub fn quick_fix(source: &str, diagnostic: &Diagnostic) -> Option<QuickFix> {
    let new_text = diagnostic.fix.clone()?;
    let old = source.get(diagnostic.span.clone())?;
    let title = match (old.is_empty(), new_text.is_empty()) {
        (true, _) => format!("Insert `{new_text}`"),
        (false, true) => format!("Delete {}", shown(old)),
        (false, false) => format!("Replace {} with `{new_text}`", shown(old)),
    };
    Some(QuickFix {
        title,
        edit: Edit {
            span: diagnostic.span.clone(),
            new_text,
        },
    })
}

/// The replaced text as the title shows it: invisible characters by their
/// code point.
fn shown(old: &str) -> String {
    if old
        .chars()
        .all(|c| c.is_whitespace() || !c.is_ascii() && is_invisible(c))
    {
        let points: Vec<String> = old
            .chars()
            .map(|c| format!("U+{:04X}", u32::from(c)))
            .collect();
        points.join(" ")
    } else {
        format!("`{old}`")
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
    )
}

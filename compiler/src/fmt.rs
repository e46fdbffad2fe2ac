//! `irsa fmt`: one canonical layout. Single spaces between words, ` -> `
//! around the arrow, `, ` in service lists, two-space indentation inside
//! blocks, one space before a trailing comment, comments kept verbatim, runs
//! of blank lines kept as one blank line, `\n` line ends and one final
//! newline. Formatting only needs the syntax: a file with unknown services
//! is still formatted, a file with syntax errors is not.

use crate::diagnostics::{Diagnostic, Severity};
use crate::syntax::{self, BlockOpen, LineKind, Statement, Target, Word};

/// Formats a source, or returns the syntax errors that prevent it.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    let (tree, diagnostics) = syntax::parse(source);
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| d.severity() == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = String::with_capacity(source.len());
    let mut depth = 0usize;
    let mut pending_blank = false;
    for line in &tree.lines {
        let code = match &line.kind {
            LineKind::Blank if line.comment.is_none() => {
                // Kept as one, and only between other lines.
                pending_blank = !out.is_empty();
                continue;
            }
            LineKind::Blank => None,
            LineKind::Statement(statement) => Some(format_statement(statement)),
            LineKind::Setting(setting) => {
                let mut text = setting.kind.as_str().to_owned();
                for value in &setting.values {
                    text.push(' ');
                    text.push_str(&format_word(value));
                }
                Some(text)
            }
            LineKind::Close(_) => {
                depth = depth.saturating_sub(1);
                Some("}".to_owned())
            }
            // Unreachable: a file with an invalid line has a syntax error.
            LineKind::Invalid => None,
        };
        if pending_blank {
            out.push('\n');
            pending_blank = false;
        }
        for _ in 0..depth {
            out.push_str("  ");
        }
        match (&code, &line.comment) {
            (Some(code), Some(comment)) => {
                out.push_str(code);
                out.push_str(" #");
                out.push_str(comment.trim_end());
            }
            (Some(code), None) => out.push_str(code),
            (None, Some(comment)) => {
                out.push('#');
                out.push_str(comment.trim_end());
            }
            (None, None) => {}
        }
        out.push('\n');
        if let LineKind::Statement(statement) = &line.kind
            && let Some((BlockOpen::Open(_), _)) = statement.block()
        {
            depth += 1;
        }
    }
    Ok(out)
}

fn format_statement(statement: &Statement) -> String {
    match statement {
        Statement::Simple { keyword, value, .. } => {
            format!("{} {}", keyword.as_str(), format_word(value))
        }
        Statement::Defaults { block, .. } => format!("defaults{}", format_block(block)),
        Statement::Role { role, block, .. } => {
            format!("role {}{}", role.text, format_block(block))
        }
        Statement::Service(binding) => {
            let targets: Vec<String> = binding
                .targets
                .iter()
                .map(|target| match target {
                    Target::All(_) => "*".to_owned(),
                    Target::Service(word) => word.text.clone(),
                })
                .collect();
            let mut text = format!("service {}", targets.join(", "));
            if let Some(role) = &binding.role {
                text.push_str(" -> role ");
                text.push_str(&role.text);
            }
            if let Some(account) = &binding.service_account {
                text.push_str(" as ");
                text.push_str(&account.text);
            }
            text.push_str(format_block(&binding.block));
            text
        }
    }
}

fn format_block(block: &BlockOpen) -> &'static str {
    match block {
        BlockOpen::None => "",
        BlockOpen::Open(_) => " {",
        BlockOpen::Empty(_) => " {}",
    }
}

/// A word as written: bare, or quoted with the canonical escapes.
fn format_word(word: &Word) -> String {
    if !word.quoted {
        return word.text.clone();
    }
    let mut text = String::with_capacity(word.text.len() + 2);
    text.push('"');
    for c in word.text.chars() {
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            '\t' => text.push_str("\\t"),
            c => text.push(c),
        }
    }
    text.push('"');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_layout() {
        let source = "\u{feff}\n\n  namespace   spinnaker   #  ns\r\n\n\n\nservice  echo,igor->role  x  as y{\r\n\t\ttoken-expiration 1h#c\n    # inside\n  annotation  \"a\\\"b\"  x\n\n}\ndefaults{}\n\n";
        let expected = "namespace spinnaker #  ns\n\nservice echo, igor -> role x as y {\n  token-expiration 1h #c\n  # inside\n  annotation \"a\\\"b\" x\n\n}\ndefaults {}\n";
        assert_eq!(format(source), Ok(expected.to_owned()));
        assert_eq!(format(expected), Ok(expected.to_owned()));
    }

    #[test]
    fn canonical_layout_of_the_v2_statements() {
        let source = "cluster\tprod\n  region   us-west-2\nrole  spinnaker{\n policy   arn:aws:iam::aws:policy/ReadOnlyAccess\n\t\tmax-session 2h\n  description   \"a \\\"b\\\"\"\n    tag \"team\"   \"x\"\n}\nrole other{}\nrole last\nservice *->role spinnaker{\n identity   both\n}\n";
        let expected = "cluster prod\nregion us-west-2\nrole spinnaker {\n  policy arn:aws:iam::aws:policy/ReadOnlyAccess\n  max-session 2h\n  description \"a \\\"b\\\"\"\n  tag \"team\" \"x\"\n}\nrole other {}\nrole last\nservice * -> role spinnaker {\n  identity both\n}\n";
        assert_eq!(format(source), Ok(expected.to_owned()));
        assert_eq!(format(expected), Ok(expected.to_owned()));
    }

    #[test]
    fn syntax_errors_stop_formatting_but_semantic_errors_do_not() {
        assert!(format("service echo role x\n").is_err());
        assert_eq!(
            format("service  ehco -> role x\n"),
            Ok("service ehco -> role x\n".to_owned())
        );
    }
}

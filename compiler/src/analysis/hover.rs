//! Hover: what the word under the cursor means. A service: its
//! ServiceAccount, identity, role and whether `*` reaches it; a role: whom
//! its trust policy admits; a ServiceAccount: its services and role; a
//! keyword or setting: its syntax and one-line description from
//! [`crate::language::WORDS`].

use std::fmt::Write as _;
use std::ops::Range;

use super::{Document, touches};
use crate::ir::{Install, Role};
use crate::language::WORDS;
use crate::lower::GLOBAL_KEY;
use crate::services::{KNOWN_SERVICES, REACHED_BY_GLOBAL};
use crate::syntax::{Binding, LineKind, Statement, Target, Word};

/// What hover shows: Markdown, and the span of the word it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub span: Range<usize>,
    pub markdown: String,
}

/// The hover at a byte offset, or `None` where there is nothing to say.
pub fn hover(source: &str, offset: usize) -> Option<Hover> {
    let document = Document::new(source);
    let (_, line) = document.line_at(offset)?;
    match &line.kind {
        LineKind::Statement(statement) => statement_hover(&document, statement, offset),
        LineKind::Setting(setting) if touches(&setting.name_span, offset) => {
            word_hover(setting.kind.as_str(), "setting", setting.name_span.clone())
        }
        LineKind::Invalid => {
            // A broken line: its first word may still be a keyword.
            let text = source.get(line.span.clone()).unwrap_or_default();
            let start = line.span.start + (text.len() - text.trim_start().len());
            let word = text.split_whitespace().next()?;
            let span = start..start + word.len();
            let info = WORDS
                .iter()
                .find(|w| w.word == word && w.kind != "binding")?;
            touches(&span, offset)
                .then(|| word_hover(info.word, info.kind, span))
                .flatten()
        }
        _ => None,
    }
}

fn statement_hover(document: &Document<'_>, statement: &Statement, offset: usize) -> Option<Hover> {
    match statement {
        Statement::Simple {
            keyword,
            keyword_span,
            ..
        } => touches(keyword_span, offset)
            .then(|| word_hover(keyword.as_str(), "statement", keyword_span.clone()))
            .flatten(),
        Statement::Defaults { keyword_span, .. } => touches(keyword_span, offset)
            .then(|| word_hover("defaults", "statement", keyword_span.clone()))
            .flatten(),
        Statement::Role {
            keyword_span, role, ..
        } => {
            if touches(keyword_span, offset) {
                word_hover("role", "statement", keyword_span.clone())
            } else if touches(&role.span, offset) {
                role_hover(document, role)
            } else {
                None
            }
        }
        Statement::Service(binding) => binding_hover(document, binding, offset),
    }
}

fn binding_hover(document: &Document<'_>, binding: &Binding, offset: usize) -> Option<Hover> {
    if touches(&binding.keyword, offset) {
        return word_hover("service", "statement", binding.keyword.clone());
    }
    for target in &binding.targets {
        match target {
            Target::All(span) if touches(span, offset) => {
                return Some(global_hover(document.install.as_ref(), span.clone()));
            }
            Target::Service(word) if touches(&word.span, offset) => {
                return Some(service_hover(document.install.as_ref(), word));
            }
            _ => {}
        }
    }
    if let Some(role) = binding.role.as_ref().filter(|r| touches(&r.span, offset)) {
        return role_hover(document, role);
    }
    if let Some(account) = binding
        .service_account
        .as_ref()
        .filter(|a| touches(&a.span, offset))
    {
        return Some(service_account_hover(document.install.as_ref(), account));
    }
    // `role` after `->`, or `as`: the binding words, found in the text.
    let (word, span) = word_at(document.source, offset)?;
    let info = WORDS
        .iter()
        .find(|w| w.kind == "binding" && w.word == word)?;
    word_hover(info.word, info.kind, span)
}

/// The bare word around an offset, and its span.
fn word_at(source: &str, offset: usize) -> Option<(&str, Range<usize>)> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let before = source.get(..offset)?;
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let after = source.get(offset..)?;
    let end = offset + after.find(|c: char| !is_word(c)).unwrap_or(after.len());
    let word = source.get(start..end).filter(|w| !w.is_empty())?;
    Some((word, start..end))
}

/// A keyword, setting or binding word: its syntax and summary.
fn word_hover(word: &str, kind: &str, span: Range<usize>) -> Option<Hover> {
    let info = WORDS.iter().find(|w| w.word == word && w.kind == kind)?;
    Some(Hover {
        span,
        markdown: format!(
            "```irsa\n{}\n```\n{} ({})",
            info.syntax, info.summary, info.kind
        ),
    })
}

fn service_hover(install: Option<&Install>, word: &Word) -> Hover {
    let service = word.text.as_str();
    let mut markdown = format!("**{service}**");
    if !KNOWN_SERVICES.contains(&service) {
        markdown.push_str(": not a service irsa knows.");
        return Hover {
            span: word.span.clone(),
            markdown,
        };
    }
    markdown.push_str(": a Spinnaker service.\n\n");
    if let Some(install) = install {
        account_lines(install, service, &mut markdown);
    }
    let reach = if REACHED_BY_GLOBAL.contains(&service) {
        "`*` would reach it through the operator; this binding takes its place."
    } else {
        "`*` never reaches it: the operator merges `*` into the core Java services only."
    };
    markdown.push_str(reach);
    Hover {
        span: word.span.clone(),
        markdown,
    }
}

/// The ServiceAccount, identity and role of a `service-settings` key.
fn account_lines(install: &Install, key: &str, out: &mut String) {
    let Some(setting) = install.service_settings.iter().find(|s| s.key == key) else {
        return;
    };
    let account = &setting.service_account;
    let _ = writeln!(out, "- ServiceAccount: `{account}`");
    match install.service_accounts.iter().find(|a| &a.name == account) {
        Some(generated) => {
            let _ = writeln!(out, "- identity: `{}`", generated.identity.as_str());
            let _ = writeln!(out, "- role: `{}`", generated.role.arn());
        }
        None => out.push_str("- role: none here (the ServiceAccount is managed elsewhere)\n"),
    }
    out.push('\n');
}

fn global_hover(install: Option<&Install>, span: Range<usize>) -> Hover {
    let mut markdown = format!(
        "**`*`**: the operator's global key `{GLOBAL_KEY}`, merged into every core Java service.\n\n"
    );
    if let Some(install) = install {
        account_lines(install, GLOBAL_KEY, &mut markdown);
        let bound = |s: &str| install.service_settings.iter().any(|b| b.key == s);
        let reached: Vec<&str> = REACHED_BY_GLOBAL
            .iter()
            .copied()
            .filter(|s| !bound(s))
            .collect();
        if reached.is_empty() {
            markdown.push_str(
                "`*` reaches no service: each one it would reach has a binding of its own.",
            );
        } else {
            let _ = write!(markdown, "`*` reaches: {}.", reached.join(", "));
        }
    }
    Hover { span, markdown }
}

fn role_hover(document: &Document<'_>, word: &Word) -> Option<Hover> {
    let role = document.role(&word.text, &word.span)?;
    let mut markdown = format!("**Role** `{}`\n\n", role.arn());
    if let Some(install) = &document.install {
        role_lines(install, &role, &mut markdown);
    }
    Some(Hover {
        span: word.span.clone(),
        markdown: markdown.trim_end().to_owned(),
    })
}

/// Whether irsa manages the role, and whom its trust policy admits.
fn role_lines(install: &Install, role: &Role, out: &mut String) {
    if install.managed_role(role).is_some() {
        out.push_str("Managed by irsa (a `role` statement; `compile --iam FORM` writes it).\n\n");
    }
    let accounts: Vec<String> = install
        .service_accounts
        .iter()
        .filter(|a| a.role.same_role(role))
        .map(|a| format!("`{}`", a.name))
        .collect();
    match install.trust_policy_of(role) {
        Some(policy) => {
            out.push_str("Its trust policy admits:\n");
            if let Some(irsa) = &policy.irsa {
                for subject in &irsa.subjects {
                    let _ = writeln!(out, "- IRSA: `{subject}`");
                }
            }
            if let Some(pod_identity) = &policy.pod_identity {
                for account in &pod_identity.service_accounts {
                    let _ = writeln!(
                        out,
                        "- Pod Identity: `{}/{account}` in cluster `{}`",
                        pod_identity.namespace, pod_identity.cluster
                    );
                }
            }
        }
        None if accounts.is_empty() => out.push_str("No ServiceAccount assumes it.\n"),
        None => {
            let _ = writeln!(
                out,
                "Assumed by {}; irsa writes no trust policy for it (that needs `oidc` and `namespace`, or Pod Identity).",
                accounts.join(", ")
            );
        }
    }
}

fn service_account_hover(install: Option<&Install>, word: &Word) -> Hover {
    let name = word.text.as_str();
    let mut markdown = format!("**ServiceAccount** `{name}`\n\n");
    if let Some(install) = install {
        let services: Vec<&str> = install
            .service_settings
            .iter()
            .filter(|s| s.service_account == name)
            .map(|s| if s.key == GLOBAL_KEY { "*" } else { &s.key })
            .collect();
        if !services.is_empty() {
            let _ = writeln!(markdown, "- services: {}", services.join(", "));
        }
        match install.service_accounts.iter().find(|a| a.name == name) {
            Some(account) => {
                let _ = writeln!(markdown, "- identity: `{}`", account.identity.as_str());
                let _ = writeln!(markdown, "- role: `{}`", account.role.arn());
            }
            None => markdown.push_str(
                "- not generated by irsa: no binding gives it a role (it is managed elsewhere)\n",
            ),
        }
    }
    Hover {
        span: word.span.clone(),
        markdown: markdown.trim_end().to_owned(),
    }
}

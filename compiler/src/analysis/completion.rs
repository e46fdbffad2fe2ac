//! Completion: what may be written at the cursor, from the words of the
//! line before it and the block it is in. Statements at the start of a
//! line, the settings of the open block inside one, the known services
//! after `service`, `-> role` and `as` after the targets, the declared
//! roles after `-> role`, the ServiceAccounts after `as`, and the fixed
//! values of a statement or setting (`operator`, `partition`, `identity`,
//! `sts-regional-endpoints`).

use std::ops::Range;

use super::Document;
use super::position::floor_char_boundary;
use crate::language::{BlockKind, Keyword, STATEMENTS, SettingKind, WORDS};
use crate::services::{KNOWN_SERVICES, REACHED_BY_GLOBAL};
use crate::syntax::{LineKind, Statement, Target};

/// What an item is, for the editor's icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// A statement or a binding word.
    Keyword,
    Setting,
    /// A fixed value: `armory`, `aws`, `pod-identity`, `true`…
    Value,
    Service,
    Role,
    ServiceAccount,
}

impl CompletionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CompletionKind::Keyword => "keyword",
            CompletionKind::Setting => "setting",
            CompletionKind::Value => "value",
            CompletionKind::Service => "service",
            CompletionKind::Role => "role",
            CompletionKind::ServiceAccount => "service-account",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    /// The text inserted.
    pub label: String,
    /// A short note shown beside the label (a syntax, or what `*` does).
    pub detail: Option<String>,
    /// A longer description, when there is one.
    pub documentation: Option<String>,
    pub kind: CompletionKind,
}

/// The items, and the span they replace: the part of the word before the
/// cursor (empty after a space).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub span: Range<usize>,
    pub items: Vec<CompletionItem>,
}

/// The completion at a byte offset.
pub fn complete(source: &str, offset: usize) -> Completion {
    let offset = floor_char_boundary(source, offset);
    let line_start = source
        .get(..offset)
        .and_then(|before| before.rfind(['\n', '\r']))
        .map_or(0, |i| i + 1);
    let before = source.get(line_start..offset).unwrap_or_default();
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word_char(c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let span = line_start + word_start..offset;
    let items = if in_comment_or_string(before) {
        Vec::new()
    } else {
        let document = Document::new(source);
        let tokens = tokens(before.get(..word_start).unwrap_or_default());
        items(&document, offset, &tokens)
    };
    Completion { span, items }
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || matches!(c, '#' | '{' | '}' | ',' | '"' | '>'))
}

/// Whether the cursor is after a `#` or inside a quoted string.
fn in_comment_or_string(before: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in before.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return true,
            _ => {}
        }
    }
    quoted
}

/// The words before the cursor's word, with `->` and `,` as tokens.
fn tokens(text: &str) -> Vec<String> {
    text.replace("->", " -> ")
        .replace(',', " , ")
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

fn items(document: &Document<'_>, offset: usize, tokens: &[String]) -> Vec<CompletionItem> {
    let line = document.line_at(offset).map(|(index, _)| index);
    let block = line.and_then(|index| document.block_before(index));
    let words: Vec<&str> = tokens.iter().map(String::as_str).collect();
    match (words.as_slice(), block) {
        ([], Some(block)) => settings(block),
        ([], None) => statements(),
        (["service", rest @ ..], _) => binding(document, offset, rest),
        (["role"], None) => undeclared_roles(document),
        ([keyword], None) => Keyword::parse(keyword)
            .map(|k| values(k.fixed_values()))
            .unwrap_or_default(),
        ([setting], Some(block)) => SettingKind::parse(setting)
            .filter(|s| s.block() == block)
            .map(|s| values(s.fixed_values()))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A word of [`WORDS`] as an item.
fn word(word: &str, kind: &str, item_kind: CompletionKind) -> Option<CompletionItem> {
    let info = WORDS.iter().find(|w| w.word == word && w.kind == kind)?;
    Some(CompletionItem {
        label: info.word.to_owned(),
        detail: Some(info.syntax.to_owned()),
        documentation: Some(info.summary.to_owned()),
        kind: item_kind,
    })
}

fn statements() -> Vec<CompletionItem> {
    STATEMENTS
        .iter()
        .filter_map(|s| word(s, "statement", CompletionKind::Keyword))
        .collect()
}

fn settings(block: BlockKind) -> Vec<CompletionItem> {
    block
        .settings()
        .iter()
        .filter_map(|s| word(s, "setting", CompletionKind::Setting))
        .collect()
}

fn values(values: &[&str]) -> Vec<CompletionItem> {
    values
        .iter()
        .map(|value| CompletionItem {
            label: (*value).to_owned(),
            detail: None,
            documentation: None,
            kind: CompletionKind::Value,
        })
        .collect()
}

/// After `service`: targets, then `-> role`, a role, `as`, an account.
fn binding(document: &Document<'_>, offset: usize, rest: &[&str]) -> Vec<CompletionItem> {
    let arrow = rest.iter().position(|t| *t == "->");
    let as_at = rest.iter().position(|t| *t == "as");
    match (rest.last(), arrow, as_at) {
        (None | Some(&","), None, None) => services(document, offset, rest.is_empty()),
        (Some(&"->"), _, None) => word("role", "binding", CompletionKind::Keyword)
            .into_iter()
            .collect(),
        (Some(&"role"), Some(_), None) => declared_roles(document),
        (Some(&"as"), _, Some(_)) => service_accounts(document),
        // After the targets, or after the role: what may follow.
        (Some(_), None, None) => {
            let mut items: Vec<CompletionItem> = word("role", "binding", CompletionKind::Keyword)
                .map(|item| CompletionItem {
                    label: "-> role".to_owned(),
                    ..item
                })
                .into_iter()
                .collect();
            items.extend(word("as", "binding", CompletionKind::Keyword));
            items
        }
        (Some(_), Some(arrow), None) if rest.len() == arrow + 3 => {
            word("as", "binding", CompletionKind::Keyword)
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The known services (and `*` first in a binding), less those bound on
/// other lines.
fn services(document: &Document<'_>, offset: usize, first: bool) -> Vec<CompletionItem> {
    let this_line = document.line_at(offset).map(|(index, _)| index);
    let mut bound: Vec<&str> = Vec::new();
    for (index, line) in document.tree.lines.iter().enumerate() {
        if let LineKind::Statement(Statement::Service(binding)) = &line.kind
            && Some(index) != this_line
        {
            for target in &binding.targets {
                bound.push(match target {
                    Target::All(_) => "*",
                    Target::Service(word) => &word.text,
                });
            }
        }
    }
    let candidates = first
        .then_some("*")
        .into_iter()
        .chain(KNOWN_SERVICES.iter().copied());
    candidates
        .filter(|service| !bound.contains(service))
        .map(|service| CompletionItem {
            label: service.to_owned(),
            detail: Some(
                match service {
                    "*" => "the operator's global key: the core Java services",
                    s if REACHED_BY_GLOBAL.contains(&s) => "reached by `*`",
                    _ => "not reached by `*`: needs its own binding",
                }
                .to_owned(),
            ),
            documentation: None,
            kind: CompletionKind::Service,
        })
        .collect()
}

/// The role words of `role` statements, and of bindings.
fn role_words(document: &Document<'_>, declared: bool) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for line in &document.tree.lines {
        let word = match &line.kind {
            LineKind::Statement(Statement::Role { role, .. }) if declared => role,
            LineKind::Statement(Statement::Service(binding)) if !declared => {
                let Some(role) = &binding.role else { continue };
                role
            }
            _ => continue,
        };
        if !roles.contains(&word.text) {
            roles.push(word.text.clone());
        }
    }
    roles
}

fn role_items(roles: Vec<String>, detail: &str) -> Vec<CompletionItem> {
    roles
        .into_iter()
        .map(|role| CompletionItem {
            label: role,
            detail: Some(detail.to_owned()),
            documentation: None,
            kind: CompletionKind::Role,
        })
        .collect()
}

fn declared_roles(document: &Document<'_>) -> Vec<CompletionItem> {
    role_items(role_words(document, true), "declared with `role`")
}

/// After a `role` statement's keyword: roles that bindings use and no
/// `role` statement declares yet.
fn undeclared_roles(document: &Document<'_>) -> Vec<CompletionItem> {
    let declared = role_words(document, true);
    let used = role_words(document, false)
        .into_iter()
        .filter(|role| !declared.contains(role))
        .collect();
    role_items(used, "used by a binding")
}

fn service_accounts(document: &Document<'_>) -> Vec<CompletionItem> {
    let Some(install) = &document.install else {
        return Vec::new();
    };
    install
        .service_accounts
        .iter()
        .map(|account| CompletionItem {
            label: account.name.clone(),
            detail: Some(format!("role {}", account.role.arn())),
            documentation: None,
            kind: CompletionKind::ServiceAccount,
        })
        .collect()
}

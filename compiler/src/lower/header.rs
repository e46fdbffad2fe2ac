//! The statements that appear at most once: `spinnaker`, `namespace`,
//! `operator`, `armory`, `account`, `partition`, `naming`, `oidc` (and
//! `defaults`, whose block [`super::settings`] reads).

// The value checkers' shape, `Result<T, Diagnostic>`: see validate::values.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::ops::Range;

use super::{Context, DEFAULT_NAMING, GLOBAL_KEY};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Operator, Spanned};
use crate::language::Keyword;
use crate::syntax::{LineKind, Statement, Word};
use crate::validate::{self, Armory};

/// The resolved singleton statements. A value that did not validate was
/// reported and is absent (or its default).
#[derive(Debug)]
pub(super) struct Header {
    pub name: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
    /// A `namespace` was written but is unusable (reported already).
    pub namespace_broken: bool,
    pub operator: Spanned<Operator>,
    pub armory: Option<Armory>,
    pub account: Option<String>,
    /// An `account` was written but is unusable (reported already).
    pub account_broken: bool,
    pub partition: String,
    /// `None` when `naming` is invalid: derived names are then not made.
    pub naming: Option<String>,
    pub oidc: Option<Spanned<String>>,
    pub cluster: Option<Spanned<String>>,
    /// A `cluster` was written but is unusable (reported already).
    pub cluster_broken: bool,
    /// `region`, else the region of an EKS `oidc` issuer.
    pub region: Option<Spanned<String>>,
}

/// The first of each singleton statement: its keyword's span and value.
type Singles<'t> = HashMap<Keyword, (Range<usize>, &'t Word)>;

pub(super) fn resolve(cx: &mut Context<'_>) -> Header {
    let singles = singleton_statements(cx);
    let value = |keyword: Keyword| singles.get(&keyword).map(|(_, word)| *word);

    let name = match value(Keyword::Spinnaker) {
        Some(word) => {
            // An invalid name is reported; the compile fails, so the value
            // only keeps later checks quiet.
            cx.check(validate::spinnaker_name(word));
            Spanned::new(word.text.clone(), word.span.clone())
        }
        None => Spanned::new(GLOBAL_KEY.to_owned(), 0..0),
    };
    let namespace = checked(cx, value(Keyword::Namespace), validate::namespace);
    let namespace_broken = cx.statement_broken("namespace")
        || (value(Keyword::Namespace).is_some() && namespace.is_none());
    let operator = match singles.get(&Keyword::Operator) {
        Some((keyword_span, word)) => cx
            .check(validate::operator(word))
            .map(|operator| Spanned::new(operator, keyword_span.start..word.span.end)),
        None => None,
    }
    .unwrap_or_else(|| Spanned::new(Operator::Armory, 0..0));
    let armory = value(Keyword::Armory).map(|word| {
        cx.check(validate::armory_version(word));
        Armory {
            span: word.span.clone(),
        }
    });
    let account = checked(cx, value(Keyword::Account), validate::account);
    let account_broken =
        cx.statement_broken("account") || (value(Keyword::Account).is_some() && account.is_none());
    let partition = checked(cx, value(Keyword::Partition), |word| {
        validate::partition(&word.text, word.span.clone())
    })
    .map_or_else(|| "aws".to_owned(), |p| p.value);
    let naming = match value(Keyword::Naming) {
        Some(word) => cx.check(validate::naming(word)),
        None => Some(DEFAULT_NAMING.to_owned()),
    };
    let oidc = checked(cx, value(Keyword::Oidc), validate::oidc);
    if let (Some(oidc), None, false) = (&oidc, &namespace, namespace_broken) {
        cx.report(oidc_without_namespace(oidc.span.clone()));
    }
    let cluster = checked(cx, value(Keyword::Cluster), validate::cluster_name);
    let cluster_broken =
        cx.statement_broken("cluster") || (value(Keyword::Cluster).is_some() && cluster.is_none());
    let written_region = checked(cx, value(Keyword::Region), validate::region);
    let region = region(cx, written_region, oidc.as_ref());
    Header {
        name,
        namespace,
        namespace_broken,
        operator,
        armory,
        account: account.map(|a| a.value),
        account_broken,
        partition,
        naming,
        oidc,
        cluster,
        cluster_broken,
        region,
    }
}

/// The written `region`, checked against the `oidc` issuer's; else the
/// issuer's.
fn region(
    cx: &mut Context<'_>,
    written: Option<Spanned<String>>,
    oidc: Option<&Spanned<String>>,
) -> Option<Spanned<String>> {
    let from_issuer = oidc.and_then(|oidc| {
        validate::region_of_issuer(&oidc.value)
            .map(|region| Spanned::new(region.to_owned(), oidc.span.clone()))
    });
    match (written, from_issuer) {
        (Some(written), Some(issuer)) if written.value != issuer.value => {
            cx.report(
                Diagnostic::new(
                    Code::RegionContradictsOidc,
                    written.span.clone(),
                    format!(
                        "the region is `{}`, but the `oidc` issuer is in `{}`",
                        written.value, issuer.value
                    ),
                )
                .with_span_label("this region")
                .with_label(issuer.span, "an issuer of another region")
                .with_fix(issuer.value),
            );
            Some(written)
        }
        (Some(written), _) => Some(written),
        (None, issuer) => issuer,
    }
}

/// A written value through its checker, with the span it was written at.
fn checked(
    cx: &mut Context<'_>,
    word: Option<&Word>,
    checker: impl Fn(&Word) -> Result<String, Diagnostic>,
) -> Option<Spanned<String>> {
    let word = word?;
    cx.check(checker(word))
        .map(|value| Spanned::new(value, word.span.clone()))
}

fn oidc_without_namespace(span: Range<usize>) -> Diagnostic {
    Diagnostic::new(
        Code::OidcWithoutNamespace,
        span,
        "a trust policy names its ServiceAccounts by namespace, but the file has no `namespace` statement",
    )
    .with_span_label("trust policies are asked for here")
    .with_help("add `namespace NAME`: the namespace Spinnaker runs in")
}

/// The statements that may appear once: the first of each, keyword span
/// and value. Later ones are reported.
fn singleton_statements<'t>(cx: &mut Context<'t>) -> Singles<'t> {
    let mut seen: Singles<'t> = HashMap::new();
    let mut defaults_seen: Option<Range<usize>> = None;
    let tree = cx.tree;
    for line in &tree.lines {
        let LineKind::Statement(statement) = &line.kind else {
            continue;
        };
        let (name, keyword_span, first) = match statement {
            Statement::Simple {
                keyword,
                keyword_span,
                value,
            } => {
                let first = seen.get(keyword).map(|(span, _)| span.clone());
                seen.entry(*keyword)
                    .or_insert_with(|| (keyword_span.clone(), value));
                (keyword.as_str(), keyword_span, first)
            }
            Statement::Defaults { keyword_span, .. } => {
                let first = defaults_seen.clone();
                defaults_seen.get_or_insert_with(|| keyword_span.clone());
                ("defaults", keyword_span, first)
            }
            Statement::Service(_) | Statement::Role { .. } => continue,
        };
        if let Some(first) = first {
            cx.report(repeated_statement(name, keyword_span.clone(), first));
        }
    }
    seen
}

fn repeated_statement(name: &str, span: Range<usize>, first: Range<usize>) -> Diagnostic {
    Diagnostic::new(
        Code::RepeatedStatement,
        span,
        format!("`{name}` is given twice"),
    )
    .with_span_label("repeated here")
    .with_label(first, "first given here")
    .with_help(format!(
        "a file has at most one `{name}` statement: remove one"
    ))
}

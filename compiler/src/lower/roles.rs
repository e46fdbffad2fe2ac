//! `role ROLE { … }`: the roles irsa manages as code (LANGUAGE.md section
//! 10), and the rules that tie them to the bindings.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::Context;
use super::header::Header;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ManagedRole, Role, ServiceAccount};
use crate::language::{Keyword, SettingKind};
use crate::syntax::{LineKind, Setting, Statement, Word};
use crate::validate::{self, MANAGED_BY_LABEL, RoleDefaults};

/// IAM's default quota of managed policies on a role, and its most.
const POLICY_QUOTA: usize = 10;
const MAX_POLICIES: usize = 20;
/// IAM's limit of tags on a role, irsa's own included.
const MAX_TAGS: usize = 50;

/// The declared roles, in order of appearance, each checked.
pub(super) fn declared(cx: &mut Context<'_>, header: &Header) -> Vec<ManagedRole> {
    let mut roles: Vec<ManagedRole> = Vec::new();
    let tree = cx.tree;
    for (index, line) in tree.lines.iter().enumerate() {
        let LineKind::Statement(Statement::Role { role, .. }) = &line.kind else {
            continue;
        };
        let settings = settings(cx, index);
        let Some(role) = parse(cx, header, role) else {
            continue;
        };
        for (arn, span) in &settings.written {
            if let Some(diagnostic) = policy_in_other_partition(arn, span, &role) {
                cx.report(diagnostic);
            }
        }
        if let Some(first) = roles.iter().find(|r| r.role.same_role(&role)) {
            cx.report(declared_twice(&role, &first.role));
            continue;
        }
        roles.push(ManagedRole {
            role,
            policies: settings.policies,
            boundary: settings.boundary,
            max_session: settings.max_session,
            description: settings.description,
            tags: settings.tags,
        });
    }
    roles
}

fn parse(cx: &mut Context<'_>, header: &Header, word: &Word) -> Option<Role> {
    let defaults = RoleDefaults {
        account: header.account.as_deref(),
        partition: &header.partition,
    };
    match validate::parse_role(&word.text, word.span.start, defaults) {
        Ok(role) => Some(role),
        Err(diagnostic) => {
            // A broken `account` was reported already.
            if !(diagnostic.code == Code::ShortRoleWithoutAccount && header.account_broken) {
                cx.report(diagnostic);
            }
            None
        }
    }
}

/// A managed policy lives in one partition: IAM cannot attach an `aws`
/// policy to an `aws-cn` role.
fn policy_in_other_partition(arn: &str, span: &Range<usize>, role: &Role) -> Option<Diagnostic> {
    let partition = arn.split(':').nth(1)?;
    (partition != role.partition).then(|| {
        Diagnostic::new(
            Code::PolicyInOtherPartition,
            span.clone(),
            format!(
                "the policy is in the `{partition}` partition, but the role `{}` is in `{}`",
                role.name, role.partition
            ),
        )
        .with_span_label("another partition")
        .with_help(format!(
            "IAM attaches only policies of the role's own partition: write `arn:{}:iam::…`",
            role.partition
        ))
    })
}

fn declared_twice(role: &Role, first: &Role) -> Diagnostic {
    Diagnostic::new(
        Code::RoleDeclaredTwice,
        role.span.clone(),
        format!("the role `{}` is declared twice", role.arn()),
    )
    .with_span_label("declared again here")
    .with_label(first.span.clone(), "first declared here")
    .with_help("declare each role once, with all its settings in one block")
}

/// A role block's settings, each checked.
#[derive(Debug, Default)]
struct RoleSettings {
    policies: Vec<String>,
    boundary: Option<String>,
    max_session: Option<u64>,
    description: Option<String>,
    tags: BTreeMap<String, String>,
    /// Every policy and boundary ARN with where it was written.
    written: Vec<(String, Range<usize>)>,
}

fn settings(cx: &mut Context<'_>, owner: usize) -> RoleSettings {
    let mut settings = RoleSettings::default();
    settings
        .tags
        .insert(MANAGED_BY_LABEL.to_owned(), "irsa".to_owned());
    let mut policy_spans: HashMap<String, Range<usize>> = HashMap::new();
    for setting in super::settings::distinct(cx, owner) {
        let [value, rest @ ..] = setting.values.as_slice() else {
            continue;
        };
        match setting.kind {
            SettingKind::Policy => {
                if let Some(arn) = policy(cx, value, &mut settings.policies, &mut policy_spans) {
                    settings.written.push((arn, value.span.clone()));
                }
            }
            SettingKind::Boundary => {
                settings.boundary = cx.check(validate::policy_arn(value));
                if let Some(arn) = &settings.boundary {
                    settings.written.push((arn.clone(), value.span.clone()));
                }
            }
            SettingKind::MaxSession => {
                settings.max_session = cx.check(validate::max_session(value));
            }
            SettingKind::Description => {
                settings.description = cx.check(validate::description(value));
            }
            SettingKind::Tag => tag(cx, setting, value, rest.first(), &mut settings.tags),
            // ServiceAccount settings: the parser keeps them out of role blocks.
            SettingKind::Audience
            | SettingKind::StsRegionalEndpoints
            | SettingKind::TokenExpiration
            | SettingKind::Annotation
            | SettingKind::Label
            | SettingKind::Identity => {}
        }
    }
    settings
}

/// Checks one `policy` and records it; the ARN when it was attached (not
/// invalid, not attached twice).
fn policy(
    cx: &mut Context<'_>,
    value: &Word,
    policies: &mut Vec<String>,
    spans: &mut HashMap<String, Range<usize>>,
) -> Option<String> {
    let arn = cx.check(validate::policy_arn(value))?;
    if let Some(first) = spans.get(&arn) {
        cx.report(
            Diagnostic::new(
                Code::PolicyAttachedTwice,
                value.span.clone(),
                format!("the policy `{arn}` is attached twice"),
            )
            .with_span_label("attached again here")
            .with_label(first.clone(), "first attached here")
            .with_help("remove one of the two lines"),
        );
        return None;
    }
    let count = policies.len() + 1;
    if count == POLICY_QUOTA + 1 {
        cx.report(
            Diagnostic::new(
                Code::ManyPolicies,
                value.span.clone(),
                format!(
                    "the role has {count} managed policies; IAM's default quota is {POLICY_QUOTA}"
                ),
            )
            .with_span_label("over the default quota")
            .with_help("ask AWS to raise the quota (up to 20), or combine policies"),
        );
    }
    if count == MAX_POLICIES + 1 {
        cx.report(
            Diagnostic::new(
                Code::TooManyPolicies,
                value.span.clone(),
                format!("the role has {count} managed policies; IAM allows at most {MAX_POLICIES}"),
            )
            .with_span_label("over IAM's limit")
            .with_help("combine policies: IAM never attaches more than 20 to a role"),
        );
    }
    spans.insert(arn.clone(), value.span.clone());
    policies.push(arn.clone());
    Some(arn)
}

fn tag(
    cx: &mut Context<'_>,
    setting: &Setting,
    key: &Word,
    value: Option<&Word>,
    tags: &mut BTreeMap<String, String>,
) {
    let Some(value) = value else {
        return;
    };
    let Some((key, value)) = cx.check(validate::tag(key, value)) else {
        return;
    };
    if tags.len() == MAX_TAGS {
        cx.report(
            Diagnostic::new(
                Code::TooManyTags,
                setting.name_span.clone(),
                format!(
                    "a role has at most {MAX_TAGS} tags, irsa's `{MANAGED_BY_LABEL}` among them"
                ),
            )
            .with_span_label("one tag too many")
            .with_help("remove tags: IAM allows 50 on a role"),
        );
        return;
    }
    tags.insert(key, value);
}

/// Every declared role is used by a binding and can be given a trust
/// policy; all share one account and partition.
pub(super) fn check_use(
    cx: &mut Context<'_>,
    roles: &[ManagedRole],
    accounts: &[ServiceAccount],
    named_roles: &[Role],
) {
    // A binding that names the role but failed, or a line that did not
    // parse (it may have named it), has its own error: no E084 then.
    let broken_lines = cx.tree.lines.iter().any(|l| l.kind == LineKind::Invalid);
    // An `oidc` that was written but is unusable (or a missing `namespace`
    // beside it) was reported already.
    let oidc_written = cx.statement_broken("oidc")
        || cx.tree.lines.iter().any(|line| {
            matches!(
                &line.kind,
                LineKind::Statement(Statement::Simple {
                    keyword: Keyword::Oidc,
                    ..
                })
            )
        });
    for managed in roles {
        let users: Vec<&ServiceAccount> = accounts
            .iter()
            .filter(|a| a.role.same_role(&managed.role))
            .collect();
        let named = named_roles.iter().any(|r| r.same_role(&managed.role));
        if users.is_empty() && !named && !broken_lines {
            cx.report(
                Diagnostic::new(
                    Code::UnusedManagedRole,
                    managed.role.span.clone(),
                    format!(
                        "the role `{}` is declared, but no binding uses it",
                        managed.role.arn()
                    ),
                )
                .with_span_label("a role that trusts no one")
                .with_help(
                    "bind a service to it (`service NAME -> role ROLE`), or remove the declaration",
                ),
            );
        } else if !users.is_empty()
            && !oidc_written
            && users.iter().any(|a| a.identity.uses_irsa())
            && !users.iter().any(|a| a.identity.uses_pod_identity())
        {
            cx.report(
                Diagnostic::new(
                    Code::ManagedRoleWithoutTrustPolicy,
                    managed.role.span.clone(),
                    format!(
                        "irsa cannot write the trust policy of `{}`: its ServiceAccounts use IRSA, which needs the cluster's OIDC issuer",
                        managed.role.arn()
                    ),
                )
                .with_span_label("managed role without a trust policy")
                .with_help("add `oidc ISSUER` (from `aws eks describe-cluster --query cluster.identity.oidc.issuer`) and `namespace NAME`"),
            );
        }
    }
    if let [first, rest @ ..] = roles
        && let Some(other) = rest.iter().find(|r| {
            r.role.account != first.role.account || r.role.partition != first.role.partition
        })
    {
        cx.report(
            Diagnostic::new(
                Code::ManagedRolesInTwoAccounts,
                other.role.span.clone(),
                format!(
                    "managed roles must share one account and partition, but this one is in account {} of `{}` and the first in account {} of `{}`",
                    other.role.account, other.role.partition, first.role.account, first.role.partition
                ),
            )
            .with_span_label("another account")
            .with_label(first.role.span.clone(), "the first managed role")
            .with_help("manage the roles of each account from a file of its own (one infrastructure stack per account)"),
        );
    }
}

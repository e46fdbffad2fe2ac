//! Each role's trust policy from the roles exports, evaluated with the
//! requests of its ServiceAccounts (can they get in?) and with probes (can
//! anyone else?).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde_json::Value;

use super::cluster::{self, ClusterFacts, Issuer};
use super::requests::{self, PodIdentityPod};
use super::{Exports, at, member, probes};
use crate::diagnostics::{Code, Diagnostic};
use crate::evaluate::{
    self, Decision, Document, Effect, Evaluation, Principal, Request, StatementOutcome,
};
use crate::exports::aws::RoleRecord;
use crate::ir::{Install, IrsaTrust, PodIdentityTrust, Role, ServiceAccount, TrustPolicy};
use crate::policy::{self, POD_IDENTITY_ACTIONS};

/// `AssumeRolePolicyDocument`'s length limit (IAM API reference,
/// `CreateRole`).
const MAX_TRUST_POLICY_CHARS: usize = 131_072;

/// Every exported role by lowercased ARN (IAM role names are
/// case-insensitive), with its export.
struct RoleIndex<'a> {
    roles: HashMap<String, (&'a str, &'a RoleRecord)>,
    /// The whole `list-roles` exports, each with the accounts its roles
    /// are in: a role of one of those accounts absent from it is missing
    /// (an empty list speaks for every account).
    lists: Vec<(&'a str, HashSet<&'a str>)>,
    /// Roles an export says do not exist (lowercased ARN → export).
    missing: HashMap<String, &'a str>,
}

impl<'a> RoleIndex<'a> {
    fn new(exports: &'a Exports) -> Self {
        let mut index = RoleIndex {
            roles: HashMap::new(),
            lists: Vec::new(),
            missing: HashMap::new(),
        };
        for named in &exports.aws {
            let name = named.name.as_str();
            if named.content.lists_roles {
                let accounts = named
                    .content
                    .roles
                    .iter()
                    .filter_map(|r| r.arn.split(':').nth(4))
                    .collect();
                index.lists.push((name, accounts));
            }
            for role in &named.content.roles {
                index
                    .roles
                    .entry(role.arn.to_ascii_lowercase())
                    .or_insert((name, role));
            }
            for arn in &named.content.missing_roles {
                index.missing.insert(arn.to_ascii_lowercase(), name);
            }
        }
        index
    }

    fn is_empty(&self) -> bool {
        self.roles.is_empty() && self.lists.is_empty() && self.missing.is_empty()
    }

    fn get(&self, role: &Role) -> Option<&(&'a str, &'a RoleRecord)> {
        self.roles.get(&role.arn().to_ascii_lowercase())
    }

    /// The exports that prove a role missing.
    fn proving_missing(&self, role: &Role) -> Vec<&'a str> {
        let mut proof: Vec<&str> = self
            .lists
            .iter()
            .filter(|(_, accounts)| accounts.is_empty() || accounts.contains(role.account.as_str()))
            .map(|(name, _)| *name)
            .collect();
        proof.extend(self.missing.get(&role.arn().to_ascii_lowercase()));
        proof
    }
}

/// What one role is checked with.
pub(super) struct RoleCheck<'a> {
    pub install: &'a Install,
    pub role: &'a Role,
    /// Where the file expects the role: its `role` statement, else where
    /// it is first written.
    pub span: Range<usize>,
    pub users: Vec<&'a ServiceAccount>,
    pub issuer: Option<&'a Issuer>,
    pub export: &'a str,
    pub record: &'a RoleRecord,
    pub document: Document,
    /// Whether `Statement` is a list (its JSON path has an index).
    pub listed: bool,
    /// The cluster's ARN (a Pod Identity session tag): the cluster
    /// export's, else, when the region is known,
    /// `arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME` with the role's
    /// account (Pod Identity roles are in the cluster's account).
    pub cluster_arn: Option<String>,
    /// The Pod Identity ServiceAccounts whose association disables session
    /// tags.
    pub untagged: &'a HashMap<String, Untagged>,
}

/// A Pod Identity association that an export shows with session tags
/// disabled.
#[derive(Debug)]
pub(super) struct Untagged {
    /// Where an export says so.
    place: String,
    /// It has a session policy, which EKS allows only with the tags off.
    session_policy: bool,
}

pub(super) fn check(
    install: &Install,
    exports: &Exports,
    cluster: &ClusterFacts,
    findings: &mut Vec<Diagnostic>,
) {
    let issuer = cluster.issuer.as_ref();
    let index = RoleIndex::new(exports);
    if index.is_empty() {
        return;
    }
    let untagged = untagged_sessions(install, exports);
    let mut warned_no_issuer = false;
    for (role, users) in roles_and_users(install) {
        let span = install
            .managed_role(role)
            .map_or_else(|| role.span.clone(), |m| m.role.span.clone());
        let Some((export, record)) = index.get(role) else {
            findings.push(not_exported(role, span, &index.proving_missing(role)));
            continue;
        };
        let value = match record.trust_policy() {
            Ok(value) => value,
            Err(message) => {
                findings.push(unreadable(role, span, &message, &at(export, &record.path)));
                continue;
            }
        };
        // IAM takes at most 131,072 characters here; a larger document
        // is no role's, and evaluating it would only cost time.
        if policy::compact_len(&value) > MAX_TRUST_POLICY_CHARS {
            findings.push(unreadable(
                role,
                span,
                &format!("it is longer than IAM's limit of {MAX_TRUST_POLICY_CHARS} characters"),
                &at(export, &record.path),
            ));
            continue;
        }
        let document = match Document::from_json(&value) {
            Ok(document) => document,
            Err(error) => {
                let path = if error.path.is_empty() {
                    record.path.clone()
                } else {
                    format!("{}.{}", record.path, error.path)
                };
                findings.push(unreadable(role, span, &error.message, &at(export, &path)));
                continue;
            }
        };
        let check = RoleCheck {
            install,
            role,
            span,
            users,
            issuer,
            export,
            record,
            document,
            listed: matches!(value.get("Statement"), Some(Value::Array(_))),
            cluster_arn: cluster.arn.clone().or_else(|| {
                match (&install.region, &install.cluster) {
                    (Some(region), Some(cluster)) => Some(format!(
                        "arn:{}:eks:{}:{}:cluster/{}",
                        role.partition, region.value, role.account, cluster.value
                    )),
                    _ => None,
                }
            }),
            untagged: &untagged,
        };
        if check.users.iter().any(|u| u.identity.uses_irsa())
            && (issuer.is_none() || install.namespace.is_none())
            && !warned_no_issuer
        {
            warned_no_issuer = true;
            findings.push(no_issuer(install, issuer.is_none()));
        }
        check.run(findings);
    }
}

/// The file's Pod Identity ServiceAccounts whose association, in an
/// export, disables session tags: EKS then sends none, and a trust policy's
/// conditions that require them cannot match. Records naming the file's
/// role are preferred (another role's is stale, and V011's business); when
/// exports disagree, or do not say (a list, an AWS CLI older than the
/// field), the tags are taken as on, as EKS's default.
fn untagged_sessions(install: &Install, exports: &Exports) -> HashMap<String, Untagged> {
    let mut untagged = HashMap::new();
    for association in &install.associations {
        let records: Vec<_> = cluster::records_of(exports, association).collect();
        let expected = association.role.arn();
        let of_role: Vec<_> = records
            .iter()
            .filter(|(_, r)| {
                r.role_arn
                    .as_ref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(&expected))
            })
            .copied()
            .collect();
        let records = if of_role.is_empty() { records } else { of_role };
        let disabled: Vec<_> = records
            .iter()
            .filter(|(_, r)| r.disable_session_tags == Some(true))
            .collect();
        let enabled = records
            .iter()
            .any(|(_, r)| r.disable_session_tags == Some(false));
        if let (Some((export, record)), false) = (disabled.first(), enabled) {
            untagged.insert(
                association.service_account.clone(),
                Untagged {
                    place: at(export, &member(&record.path, "disableSessionTags")),
                    session_policy: record.session_policy,
                },
            );
        }
    }
    untagged
}

/// Each distinct role of a generated ServiceAccount, with its users, in
/// order of first appearance.
fn roles_and_users(install: &Install) -> Vec<(&Role, Vec<&ServiceAccount>)> {
    let mut out: Vec<(&Role, Vec<&ServiceAccount>)> = Vec::new();
    for account in &install.service_accounts {
        match out
            .iter_mut()
            .find(|(role, _)| role.same_role(&account.role))
        {
            Some((_, users)) => users.push(account),
            None => out.push((&account.role, vec![account])),
        }
    }
    out
}

fn not_exported(role: &Role, span: Range<usize>, proof: &[&str]) -> Diagnostic {
    if proof.is_empty() {
        Diagnostic::new(
            Code::RoleNotExported,
            span,
            format!(
                "`{}` is in no roles export: its trust policy is not checked",
                role.arn()
            ),
        )
        .with_help(format!(
            "add `aws iam get-role --role-name {}` output, or `aws iam list-roles`",
            role.name
        ))
    } else {
        Diagnostic::new(
            Code::RoleMissing,
            span,
            format!("the role `{}` does not exist", role.arn()),
        )
        .with_note(format!("{} has no role `{}`", proof.join(", "), role.name))
        .with_help("create it (`irsa compile --iam terraform|cloudformation|ack|crossplane` writes it for a `role` statement), or correct the file")
    }
}

fn unreadable(role: &Role, span: Range<usize>, message: &str, note: &str) -> Diagnostic {
    Diagnostic::new(
        Code::TrustPolicyUnreadable,
        span,
        format!(
            "the trust policy of `{}` cannot be read: {message}",
            role.arn()
        ),
    )
    .with_note(note.to_owned())
}

fn no_issuer(install: &Install, no_issuer: bool) -> Diagnostic {
    let span = install.oidc.as_ref().map_or(0..0, |o| o.span.clone());
    let (missing, help) = if no_issuer {
        (
            "an OIDC issuer",
            "add `oidc ISSUER` to the file, or a `aws eks describe-cluster` export",
        )
    } else {
        ("a namespace", "add `namespace NAME` to the file")
    };
    Diagnostic::new(
        Code::IrsaNotCheckable,
        span,
        format!("without {missing}, verify cannot simulate IRSA: the IRSA trust is not checked"),
    )
    .with_help(help)
}

impl RoleCheck<'_> {
    fn run(&self, findings: &mut Vec<Diagnostic>) {
        let mut unmodelled: Vec<(usize, String)> = Vec::new();
        let mut seen = HashSet::new();
        let mut broader: Vec<String> = Vec::new();
        for user in &self.users {
            // Each way in the ServiceAccount uses, with the code of its
            // refusal; Pod Identity needs both of its actions.
            let mut requests: Vec<(Request, Code)> = Vec::new();
            if user.identity.uses_irsa()
                && let Some((issuer, namespace)) = self.irsa_context()
            {
                let subject = requests::subject(namespace, &user.name);
                let request = requests::irsa(self.role, issuer, &subject, &user.audience);
                requests.push((request, Code::IrsaTrustRefused));
            }
            if user.identity.uses_pod_identity()
                && let Some(pod) = self.pod(&user.name)
            {
                let session_tags = !self.untagged.contains_key(&user.name);
                requests.extend(POD_IDENTITY_ACTIONS.map(|action| {
                    (
                        requests::pod_identity(action, &pod, session_tags),
                        Code::PodIdentityTrustRefused,
                    )
                }));
            }
            let mut refused: Vec<Code> = Vec::new();
            for (request, code) in &requests {
                // One refusal a way in: the first action that fails.
                if refused.contains(code) {
                    continue;
                }
                let evaluation = evaluate::evaluate(&self.document, request);
                note_unmodelled(&evaluation, &mut seen, &mut unmodelled);
                if evaluation.decision == Decision::Denied {
                    refused.push(*code);
                    findings.push(self.refused(user, request, &evaluation, *code));
                }
            }
        }
        probes::broader(self, &mut broader);
        if !broader.is_empty() {
            let mut diagnostic = Diagnostic::new(
                Code::TrustTooBroad,
                self.span.clone(),
                format!(
                    "the trust policy of `{}` lets in more than the file declares",
                    self.role.arn()
                ),
            );
            for item in broader {
                diagnostic = diagnostic.with_note(item);
            }
            for user in &self.users {
                let Some(untagged) = self.untagged.get(&user.name) else {
                    continue;
                };
                diagnostic = diagnostic.with_note(if untagged.session_policy {
                    format!(
                        "`{}`'s association has a session policy, which needs session tags off: the trust policy irsa writes, which admits by them, would lock it out",
                        user.name
                    )
                } else {
                    format!(
                        "`{}`'s association disables session tags: turn them back on before applying the trust policy irsa writes, which admits by them",
                        user.name
                    )
                });
            }
            findings.push(diagnostic.with_help(self.fix_help()));
        }
        if !unmodelled.is_empty() {
            let mut diagnostic = Diagnostic::new(
                Code::TrustNotModelled,
                self.span.clone(),
                format!(
                    "the trust policy of `{}` uses what verify does not model: whether its ServiceAccounts get in is not decided",
                    self.role.arn()
                ),
            );
            for (index, what) in unmodelled {
                diagnostic =
                    diagnostic.with_note(format!("{what} ({})", self.statement_path(index)));
            }
            findings.push(diagnostic);
        }
    }

    pub(super) fn irsa_context(&self) -> Option<(&str, &str)> {
        Some((
            self.issuer?.issuer.as_str(),
            self.install.namespace.as_ref()?.value.as_str(),
        ))
    }

    pub(super) fn pod<'s>(&'s self, service_account: &'s str) -> Option<PodIdentityPod<'s>> {
        let association = self
            .install
            .associations
            .iter()
            .find(|a| a.service_account == service_account)?;
        Some(PodIdentityPod {
            cluster: &association.cluster,
            cluster_arn: self.cluster_arn.as_deref(),
            namespace: &association.namespace,
            service_account,
        })
    }

    pub(super) fn statement_path(&self, index: usize) -> String {
        let statement = if self.listed {
            format!("Statement[{index}]")
        } else {
            "Statement".to_owned()
        };
        at(self.export, &format!("{}.{statement}", self.record.path))
    }

    /// The error for a ServiceAccount the policy refuses, saying which part
    /// failed.
    fn refused(
        &self,
        user: &ServiceAccount,
        request: &Request,
        evaluation: &Evaluation,
        code: Code,
    ) -> Diagnostic {
        let (reason, note) = self.reason(request, evaluation);
        let how = if code == Code::IrsaTrustRefused {
            "IRSA"
        } else {
            "Pod Identity"
        };
        let mut diagnostic = Diagnostic::new(
            code,
            user.name_span.clone(),
            format!(
                "`{}` cannot assume `{}` by {how}: {reason}",
                user.name,
                self.role.arn()
            ),
        );
        if let Some(note) = note {
            diagnostic = diagnostic.with_note(note);
        }
        if code == Code::PodIdentityTrustRefused
            && let Some(untagged) = self.untagged.get(&user.name)
        {
            return self.refused_untagged(user, untagged, diagnostic);
        }
        diagnostic.with_help(self.fix_help())
    }

    /// A Pod Identity refusal of a ServiceAccount whose association
    /// disables session tags: whether the tags are the cause (the trust
    /// admits the tagged requests) decides the help.
    fn refused_untagged(
        &self,
        user: &ServiceAccount,
        untagged: &Untagged,
        diagnostic: Diagnostic,
    ) -> Diagnostic {
        let tagged_pass = self.pod(&user.name).is_some_and(|pod| {
            POD_IDENTITY_ACTIONS.iter().all(|action| {
                let request = requests::pod_identity(action, &pod, true);
                evaluate::evaluate(&self.document, &request).decision == Decision::Allowed
            })
        });
        let place = &untagged.place;
        if !tagged_pass {
            return diagnostic
                .with_note(format!(
                    "its association also disables session tags ({place}): the trust policy must admit it without them"
                ))
                .with_help(self.fix_help());
        }
        let diagnostic = diagnostic.with_note(format!(
            "its association disables session tags ({place}): EKS sends none, so no condition that requires them can match; with the tags on, this trust policy admits it"
        ));
        if untagged.session_policy {
            diagnostic.with_help("the association's session policy (`policy`) needs session tags off: trust `pods.eks.amazonaws.com` for `sts:AssumeRole` and `sts:TagSession` without conditions on the tags, or drop the session policy and turn the tags back on")
        } else {
            diagnostic.with_help("turn the association's session tags back on (`disableSessionTags: false`): the trust policy irsa writes admits the ServiceAccount by them")
        }
    }

    fn reason(&self, request: &Request, evaluation: &Evaluation) -> (String, Option<String>) {
        if let Some(index) = evaluation.denied_by() {
            return (
                "an explicit `Deny` refuses it".to_owned(),
                Some(self.statement_path(index)),
            );
        }
        let principal = format!(
            "{} `{}`",
            request.principal.kind(),
            request.principal.value()
        );
        let candidates: Vec<(usize, &StatementOutcome)> = evaluation
            .statements
            .iter()
            .enumerate()
            .filter(|(_, (effect, outcome))| {
                *effect == Effect::Allow && *outcome != StatementOutcome::PrincipalDiffers
            })
            .map(|(i, (_, outcome))| (i, outcome))
            .collect();
        if candidates.is_empty() {
            let others: Vec<String> = self
                .document
                .statements
                .iter()
                .flat_map(|s| s.principal.principals())
                .filter(|p| matches!(p, Principal::Typed { kind, .. } if kind == request.principal.kind()))
                .map(|p| format!("`{p}`"))
                .collect();
            let trusted = if others.is_empty() {
                String::new()
            } else {
                format!(" (it trusts {})", others.join(", "))
            };
            return (
                format!("no statement trusts the principal {principal}{trusted}"),
                Some(at(self.export, &self.record.path)),
            );
        }
        let failing = candidates.iter().find_map(|(i, outcome)| match outcome {
            StatementOutcome::ConditionFails { operator, key } => Some((*i, operator, key)),
            _ => None,
        });
        match failing {
            Some((index, operator, key)) => {
                let wanted = request
                    .context
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(key))
                    .and_then(|(_, values)| values.first());
                let part = part_of(key);
                let values = self
                    .document
                    .statements
                    .get(index)
                    .and_then(|s| {
                        s.conditions
                            .iter()
                            .find(|c| &c.key == key && &c.operator_text == operator)
                    })
                    .map(|c| {
                        c.values
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default();
                let reason = match wanted {
                    // `StringNotEquals`, `ArnNotLike`…: the value is excluded.
                    Some(wanted) if operator.contains("Not") => {
                        format!("{part}: `{operator}` on `{key}` excludes `{wanted}`")
                    }
                    Some(wanted) => {
                        format!("{part}: `{operator}` on `{key}` admits {values}, not `{wanted}`")
                    }
                    None => format!("{part}: `{operator}` on `{key}` does not hold"),
                };
                let path = format!(
                    "{}.Condition.{}",
                    self.statement_path(index),
                    member(&member("", operator), key)
                );
                (reason, Some(path))
            }
            None => {
                let index = candidates.first().map_or(0, |(i, _)| *i);
                (
                    format!("no statement for {principal} allows `{}`", request.action),
                    Some(self.statement_path(index) + ".Action"),
                )
            }
        }
    }

    /// What to do about a trust policy that differs from the file's.
    pub(super) fn fix_help(&self) -> String {
        if let Some(path) = trust_policy_file(self.install, self.role) {
            return format!(
                "run `irsa compile -o DIR` and apply its trust policy: `aws iam update-assume-role-policy --role-name {} --policy-document file://DIR/{path}`",
                self.role.name
            );
        }
        match self.expected_document() {
            Some(document) => format!(
                "make this the role's trust policy (`aws iam update-assume-role-policy --role-name {} --policy-document '…'`): {document}",
                self.role.name
            ),
            None => "give the file `oidc` and `namespace`, so that `irsa compile -o DIR` writes the trust policy".to_owned(),
        }
    }

    /// The trust policy the file's ServiceAccounts need, built as
    /// `compile` builds it but with the issuer verify simulated with (the
    /// cluster export's, when the file has no `oidc`).
    fn expected_document(&self) -> Option<String> {
        let namespace = self.install.namespace.as_ref()?;
        let irsa_users: Vec<&&ServiceAccount> = self
            .users
            .iter()
            .filter(|u| u.identity.uses_irsa())
            .collect();
        let irsa = match (irsa_users.first(), self.issuer) {
            (None, _) => None,
            (Some(_), None) => return None,
            (Some(_), Some(issuer)) => {
                let mut audiences: Vec<String> = Vec::new();
                for user in &irsa_users {
                    if !audiences.contains(&user.audience) {
                        audiences.push(user.audience.clone());
                    }
                }
                Some(IrsaTrust {
                    provider_arn: requests::provider_arn(self.role, &issuer.issuer),
                    issuer: issuer.issuer.clone(),
                    subjects: irsa_users
                        .iter()
                        .map(|u| requests::subject(&namespace.value, &u.name))
                        .collect(),
                    audiences,
                })
            }
        };
        let pod_users: Vec<String> = self
            .users
            .iter()
            .filter(|u| u.identity.uses_pod_identity())
            .map(|u| u.name.clone())
            .collect();
        let pod_identity = match (pod_users.is_empty(), &self.install.cluster) {
            (true, _) => None,
            (false, None) => return None,
            (false, Some(cluster)) => Some(PodIdentityTrust {
                cluster: cluster.value.clone(),
                namespace: namespace.value.clone(),
                service_accounts: pod_users,
            }),
        };
        Some(policy::compact(&policy::trust_policy(&TrustPolicy {
            role: self.role.clone(),
            irsa,
            pod_identity,
        })))
    }
}

/// The first `Allow` statement that applies.
pub(super) fn applying(evaluation: &Evaluation) -> usize {
    evaluation
        .statements
        .iter()
        .position(|(effect, outcome)| {
            *effect == Effect::Allow && *outcome == StatementOutcome::Applies
        })
        .unwrap_or(0)
}

fn note_unmodelled(
    evaluation: &Evaluation,
    seen: &mut HashSet<(usize, String)>,
    out: &mut Vec<(usize, String)>,
) {
    for item in &evaluation.unmodelled {
        let entry = (item.statement, item.what.clone());
        if seen.insert(entry.clone()) {
            out.push(entry);
        }
    }
}

/// What a condition key is, in the words of a refusal.
fn part_of(key: &str) -> &'static str {
    let key = key.to_ascii_lowercase();
    if key.ends_with(":sub") {
        "the subject"
    } else if key.ends_with(":aud") {
        "the audience"
    } else if key.ends_with("/kubernetes-service-account") {
        "the ServiceAccount"
    } else if key.ends_with("/kubernetes-namespace") {
        "the namespace"
    } else if key.ends_with("/eks-cluster-name") || key.ends_with("/eks-cluster-arn") {
        "the cluster"
    } else {
        "a condition"
    }
}

/// `trust-policies/NAME.json` of the role, when the file gives it one.
fn trust_policy_file(install: &Install, role: &Role) -> Option<String> {
    let names = crate::emit::trust_policies::paths(&install.trust_policies);
    install
        .trust_policies
        .iter()
        .position(|p| p.role.same_role(role))
        .and_then(|i| names.get(i).cloned())
}

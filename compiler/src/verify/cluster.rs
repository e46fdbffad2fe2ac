//! The cluster side of AWS: `describe-cluster` (name, OIDC issuer),
//! `list-open-id-connect-providers`, and the Pod Identity associations.

use std::ops::Range;

use super::{Exports, at, member, requests};
use crate::diagnostics::{Code, Diagnostic};
use crate::exports::aws::{AssociationRecord, ClusterRecord};
use crate::ir::{Association, Install, Role};

/// The issuer IRSA requests are simulated with: the file's `oidc`, else
/// the exported cluster's.
#[derive(Debug, Clone)]
pub(super) struct Issuer {
    /// Without `https://`, as the file writes it.
    pub issuer: String,
    pub span: Range<usize>,
    /// "EXPORT: PATH" when it comes from a cluster export.
    pub from_export: Option<String>,
}

/// The exported clusters with the export each is in.
fn clusters(exports: &Exports) -> impl Iterator<Item = (&str, &ClusterRecord)> {
    exports
        .aws
        .iter()
        .flat_map(|e| e.content.clusters.iter().map(|c| (e.name.as_str(), c)))
}

/// What the cluster export tells the simulated requests.
#[derive(Debug, Clone, Default)]
pub(super) struct ClusterFacts {
    /// The issuer to simulate IRSA with.
    pub issuer: Option<Issuer>,
    /// The exported cluster's ARN (Pod Identity's `eks-cluster-arn` tag).
    pub arn: Option<String>,
}

/// Checks the cluster's name and issuer and the OIDC providers.
pub(super) fn check(
    install: &Install,
    exports: &Exports,
    findings: &mut Vec<Diagnostic>,
) -> ClusterFacts {
    // The exported cluster this file is about: the one of its name, else
    // the only one.
    let all: Vec<_> = clusters(exports).collect();
    let cluster = match &install.cluster {
        Some(name) => {
            let found = all.iter().find(|(_, c)| c.name == name.value).copied();
            if found.is_none()
                && let Some((export, other)) = all.first()
            {
                findings.push(
                    Diagnostic::new(
                        Code::ClusterDiffers,
                        name.span.clone(),
                        format!(
                            "the file's cluster is `{}`, but the exported cluster is `{}`",
                            name.value, other.name
                        ),
                    )
                    .with_note(at(export, &member(&other.path, "name")))
                    .with_help(format!(
                        "export the right cluster (`aws eks describe-cluster --name {}`), or correct `cluster`",
                        name.value
                    )),
                );
            }
            found
        }
        None => match all.as_slice() {
            [one] => Some(*one),
            _ => None,
        },
    };
    let exported = cluster.and_then(|(export, c)| {
        let issuer = c.issuer.as_ref()?;
        let bare = issuer
            .strip_prefix("https://")
            .unwrap_or(issuer)
            .trim_end_matches('/')
            .to_owned();
        Some((
            bare,
            at(export, &format!("{}.identity.oidc.issuer", c.path)),
        ))
    });
    let issuer = match (&install.oidc, exported) {
        (Some(oidc), Some((live, note))) => {
            if live != oidc.value {
                findings.push(
                    Diagnostic::new(
                        Code::IssuerDiffers,
                        oidc.span.clone(),
                        format!(
                            "the cluster's OIDC issuer is `{live}`, not the file's `{}`",
                            oidc.value
                        ),
                    )
                    .with_note(note)
                    .with_help(format!(
                        "was the cluster re-created? Write `oidc {live}`, recompile and apply the trust policies"
                    )),
                );
            }
            Some(Issuer {
                issuer: oidc.value.clone(),
                span: oidc.span.clone(),
                from_export: None,
            })
        }
        (Some(oidc), None) => Some(Issuer {
            issuer: oidc.value.clone(),
            span: oidc.span.clone(),
            from_export: None,
        }),
        (None, Some((live, note))) => Some(Issuer {
            issuer: live,
            span: 0..0,
            from_export: Some(note),
        }),
        (None, None) => None,
    };
    if let Some(issuer) = &issuer {
        check_providers(install, exports, issuer, findings);
    }
    ClusterFacts {
        issuer,
        arn: cluster.and_then(|(_, c)| c.arn.clone()),
    }
}

/// Every account with an IRSA role needs an IAM OIDC provider for the
/// issuer. A provider list only speaks for the accounts it shows (an
/// empty one for every account of the file).
fn check_providers(
    install: &Install,
    exports: &Exports,
    issuer: &Issuer,
    findings: &mut Vec<Diagnostic>,
) {
    for named in &exports.aws {
        let Some(providers) = &named.content.oidc_providers else {
            continue;
        };
        let listed_accounts: Vec<&str> = match &named.content.providers_account {
            Some(account) => vec![account.as_str()],
            None => providers
                .iter()
                .filter_map(|p| p.value.split(':').nth(4))
                .collect(),
        };
        let mut checked: Vec<String> = Vec::new();
        for account in install
            .service_accounts
            .iter()
            .filter(|sa| sa.identity.uses_irsa())
        {
            let role: &Role = &account.role;
            let arn = requests::provider_arn(role, &issuer.issuer);
            if checked.contains(&arn)
                || !(listed_accounts.is_empty() || listed_accounts.contains(&role.account.as_str()))
            {
                continue;
            }
            checked.push(arn.clone());
            if providers.iter().any(|p| p.value == arn) {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                Code::OidcProviderMissing,
                issuer.span.clone(),
                format!(
                    "account {} has no IAM OIDC provider for `{}`: no pod can assume `{}` by IRSA",
                    role.account,
                    issuer.issuer,
                    role.arn()
                ),
            )
            .with_note(format!(
                "{}: OpenIDConnectProviderList has no `{arn}`",
                named.name
            ))
            .with_help(format!(
                "create it: `aws iam create-open-id-connect-provider --url https://{} --client-id-list sts.amazonaws.com` (or `eksctl utils associate-iam-oidc-provider --approve`)",
                issuer.issuer
            ));
            if let Some(note) = &issuer.from_export {
                diagnostic = diagnostic.with_note(format!("the issuer is the cluster's: {note}"));
            }
            findings.push(diagnostic);
        }
    }
}

fn associations(exports: &Exports) -> impl Iterator<Item = (&str, &AssociationRecord)> {
    exports
        .aws
        .iter()
        .flat_map(|e| e.content.associations.iter().map(|a| (e.name.as_str(), a)))
}

/// The exported associations of the file's `association` (same cluster,
/// namespace and ServiceAccount), each with its export's name.
pub(super) fn records_of<'e>(
    exports: &'e Exports,
    association: &'e Association,
) -> impl Iterator<Item = (&'e str, &'e AssociationRecord)> {
    associations(exports).filter(|(_, a)| {
        a.cluster == association.cluster
            && a.namespace == association.namespace
            && a.service_account == association.service_account
    })
}

/// Each Pod Identity ServiceAccount needs an association to its role,
/// when association exports were given.
pub(super) fn check_associations(
    install: &Install,
    exports: &Exports,
    findings: &mut Vec<Diagnostic>,
) {
    let listed = exports.aws.iter().any(|e| e.content.lists_associations);
    if associations(exports).next().is_none() && !listed {
        return;
    }
    for association in &install.associations {
        let span = install
            .service_accounts
            .iter()
            .find(|sa| sa.name == association.service_account)
            .map_or(0..0, |sa| sa.name_span.clone());
        let matching: Vec<_> = records_of(exports, association).collect();
        let expected = association.role.arn();
        let who = format!(
            "{}/{} in cluster `{}`",
            association.namespace, association.service_account, association.cluster
        );
        if matching.is_empty() {
            findings.push(if listed {
                missing_association(exports, &who, span, &association.service_account)
            } else {
                Diagnostic::new(
                    Code::AssociationRoleUnknown,
                    span,
                    format!("no export says whether {who} has a Pod Identity association"),
                )
                .with_help("add `aws eks list-pod-identity-associations --cluster-name C` output: the `describe` outputs given are of other ServiceAccounts")
            });
            continue;
        }
        let with_role: Vec<_> = matching
            .iter()
            .filter_map(|(export, a)| a.role_arn.as_ref().map(|r| (export, a, r)))
            .collect();
        if with_role
            .iter()
            .any(|(_, _, r)| r.eq_ignore_ascii_case(&expected))
        {
            continue;
        }
        match with_role.first() {
            Some((export, record, role)) => findings.push(
                Diagnostic::new(
                    Code::AssociationRoleDiffers,
                    span,
                    format!("the Pod Identity association for {who} gives `{role}`, not `{expected}`"),
                )
                .with_note(at(export, &member(&record.path, "roleArn")))
                .with_help("update it: `aws eks update-pod-identity-association --role-arn …`, or correct the file"),
            ),
            None => {
                let (export, path) = matching
                    .first()
                    .map_or(("", ""), |(e, a)| (*e, a.path.as_str()));
                findings.push(
                    Diagnostic::new(
                        Code::AssociationRoleUnknown,
                        span,
                        format!("an association exists for {who}, but the exports do not say its role"),
                    )
                    .with_note(at(export, path))
                    .with_help("add `aws eks describe-pod-identity-association --cluster-name C --association-id ID` output: `list-pod-identity-associations` has no role"),
                );
            }
        }
    }
}

fn missing_association(
    exports: &Exports,
    who: &str,
    span: std::ops::Range<usize>,
    service_account: &str,
) -> Diagnostic {
    let lists: Vec<&str> = exports
        .aws
        .iter()
        .filter(|e| e.content.lists_associations)
        .map(|e| e.name.as_str())
        .collect();
    Diagnostic::new(
        Code::AssociationMissing,
        span,
        format!("no Pod Identity association for {who}: its pods get no role"),
    )
    .with_note(format!("{} has none for it", lists.join(", ")))
    .with_help(format!(
        "run `irsa compile -o DIR` and `aws eks create-pod-identity-association --cli-input-json file://DIR/pod-identity/{service_account}.json`"
    ))
}

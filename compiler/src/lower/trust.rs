//! Trust policies (LANGUAGE.md section 7) and Pod Identity associations
//! (section 11), from the resolved ServiceAccounts.

use super::Context;
use super::header::Header;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Association, IrsaTrust, PodIdentityTrust, Role, ServiceAccount, TrustPolicy};

/// One trust policy per distinct role that can be given a whole one, in
/// order of first appearance: a role with IRSA ServiceAccounts needs
/// `oidc`, one with Pod Identity ServiceAccounts `cluster`; a policy that
/// would lock half its ServiceAccounts out is not written.
pub(super) fn trust_policies(
    cx: &mut Context<'_>,
    header: &Header,
    accounts: &[ServiceAccount],
) -> Vec<TrustPolicy> {
    let mut roles: Vec<&Role> = Vec::new();
    for account in accounts {
        if !roles.iter().any(|r| r.same_role(&account.role)) {
            roles.push(&account.role);
        }
    }
    let oidc_written = header.oidc.is_some() || cx.statement_broken("oidc");
    roles
        .into_iter()
        .filter_map(|role| {
            let users: Vec<&ServiceAccount> =
                accounts.iter().filter(|a| a.role.same_role(role)).collect();
            let irsa_users: Vec<&ServiceAccount> = users
                .iter()
                .copied()
                .filter(|a| a.identity.uses_irsa())
                .collect();
            let pod_identity_users: Vec<&ServiceAccount> = users
                .iter()
                .copied()
                .filter(|a| a.identity.uses_pod_identity())
                .collect();
            if !irsa_users.is_empty() && !pod_identity_users.is_empty() && !oidc_written {
                cx.report(mixed_without_oidc(role));
            }
            let irsa = irsa_trust(header, role, &irsa_users);
            let pod_identity = pod_identity_trust(header, &pod_identity_users);
            let whole = (irsa_users.is_empty() || irsa.is_some())
                && (pod_identity_users.is_empty() || pod_identity.is_some());
            whole.then(|| TrustPolicy {
                role: role.clone(),
                irsa,
                pod_identity,
            })
        })
        .collect()
}

fn irsa_trust(header: &Header, role: &Role, users: &[&ServiceAccount]) -> Option<IrsaTrust> {
    let (oidc, namespace) = (header.oidc.as_ref()?, header.namespace.as_ref()?);
    let [first, ..] = users else {
        return None;
    };
    let mut audiences = vec![first.audience.clone()];
    for user in users {
        if !audiences.contains(&user.audience) {
            audiences.push(user.audience.clone());
        }
    }
    Some(IrsaTrust {
        provider_arn: format!(
            "arn:{}:iam::{}:oidc-provider/{}",
            role.partition, role.account, oidc.value
        ),
        issuer: oidc.value.clone(),
        subjects: users
            .iter()
            .map(|a| format!("system:serviceaccount:{}:{}", namespace.value, a.name))
            .collect(),
        audiences,
    })
}

fn pod_identity_trust(header: &Header, users: &[&ServiceAccount]) -> Option<PodIdentityTrust> {
    let (cluster, namespace) = (header.cluster.as_ref()?, header.namespace.as_ref()?);
    if users.is_empty() {
        return None;
    }
    Some(PodIdentityTrust {
        cluster: cluster.value.clone(),
        namespace: namespace.value.clone(),
        service_accounts: users.iter().map(|a| a.name.clone()).collect(),
    })
}

fn mixed_without_oidc(role: &Role) -> Diagnostic {
    Diagnostic::new(
        Code::MixedTrustWithoutOidc,
        role.span.clone(),
        format!(
            "`{}` is assumed through IRSA and through Pod Identity, but without `oidc` its trust policy would lock the IRSA pods out",
            role.arn()
        ),
    )
    .with_span_label("IRSA and Pod Identity ServiceAccounts share this role")
    .with_help("add `oidc ISSUER` (and `namespace`), so that the trust policy admits both ways")
}

/// One association per Pod Identity ServiceAccount, in ServiceAccount order.
pub(super) fn associations(header: &Header, accounts: &[ServiceAccount]) -> Vec<Association> {
    let (Some(cluster), Some(namespace)) = (&header.cluster, &header.namespace) else {
        return Vec::new();
    };
    accounts
        .iter()
        .filter(|a| a.identity.uses_pod_identity())
        .map(|a| Association {
            cluster: cluster.value.clone(),
            namespace: namespace.value.clone(),
            service_account: a.name.clone(),
            role: a.role.clone(),
        })
        .collect()
}

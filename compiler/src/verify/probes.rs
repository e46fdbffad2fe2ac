//! "…and only its role?": whom else a trust policy lets in. Three ways to
//! find out, each a note of the V007 warning:
//!
//! - principals the file does not use (another cluster's provider, an
//!   account, `"*"`);
//! - wildcards (`StringLike` with `*` or `?`) on the keys that say who gets
//!   in, read from the document: IAM would admit whatever they match;
//! - requests no file would make, evaluated: each subject or ServiceAccount
//!   the policy names beyond the file's, and probes for any ServiceAccount,
//!   namespace, cluster or audience where no condition names one.

use std::collections::HashSet;

use super::requests::{self, PodIdentityPod};
use super::trust::{RoleCheck, applying};
use crate::evaluate::{self, Decision, Effect, Principal};
use crate::ir::ServiceAccount;
use crate::policy::{POD_IDENTITY_ACTIONS, POD_IDENTITY_PRINCIPAL};

/// A name no one would give: the probe for "anyone else?".
const PROBE: &str = "irsa-verify-probe";

/// At most this many subjects named in a policy are evaluated one by one
/// (a hostile export may name millions; IAM's own quota allows a few
/// dozen).
const MAX_LITERAL_PROBES: usize = 100;

/// Every way the policy admits more than the file declares.
pub(super) fn broader(check: &RoleCheck<'_>, out: &mut Vec<String>) {
    other_principals(check, out);
    let wildcard_keys = wildcards(check, out);
    irsa(check, &wildcard_keys, out);
    pod_identity(check, &wildcard_keys, out);
}

/// The condition keys that say who gets in, for the identities the role's
/// ServiceAccounts use.
fn identity_keys(check: &RoleCheck<'_>) -> Vec<String> {
    let mut keys = Vec::new();
    if check.users.iter().any(|u| u.identity.uses_irsa())
        && let Some((issuer, _)) = check.irsa_context()
    {
        keys.extend([format!("{issuer}:sub"), format!("{issuer}:aud")]);
    }
    if check.users.iter().any(|u| u.identity.uses_pod_identity()) {
        keys.extend(
            [
                "kubernetes-service-account",
                "kubernetes-namespace",
                "eks-cluster-name",
                "eks-cluster-arn",
            ]
            .map(|tag| format!("aws:RequestTag/{tag}")),
        );
    }
    keys
}

/// Statements that trust a principal the file does not use.
fn other_principals(check: &RoleCheck<'_>, out: &mut Vec<String>) {
    let irsa = check.users.iter().any(|u| u.identity.uses_irsa());
    let pod_identity = check.users.iter().any(|u| u.identity.uses_pod_identity());
    let provider = check
        .issuer
        .map(|issuer| requests::provider_arn(check.role, &issuer.issuer));
    for (index, statement) in check.document.statements.iter().enumerate() {
        if statement.effect != Effect::Allow {
            continue;
        }
        for principal in statement.principal.principals() {
            let expected = match principal {
                Principal::Anyone => false,
                Principal::Typed { kind, value } => match kind.as_str() {
                    "Federated" => irsa && provider.as_deref().is_none_or(|p| p == value),
                    "Service" => pod_identity && value.eq_ignore_ascii_case(POD_IDENTITY_PRINCIPAL),
                    _ => false,
                },
            };
            if expected {
                continue;
            }
            let what = match principal {
                Principal::Anyone => "it trusts anyone (`\"Principal\": \"*\"`)".to_owned(),
                Principal::Typed { .. } => format!("it also trusts `{principal}`"),
            };
            out.push(format!("{what} ({})", check.statement_path(index)));
        }
    }
}

/// Each `*` or `?` under a `…Like` operator on a key that says who gets
/// in. Returns the keys (lowercased) that have one, so that the probes do
/// not say it again.
fn wildcards(check: &RoleCheck<'_>, out: &mut Vec<String>) -> HashSet<String> {
    let keys = identity_keys(check);
    let mut found = HashSet::new();
    for (index, statement) in check.document.statements.iter().enumerate() {
        if statement.effect != Effect::Allow {
            continue;
        }
        for block in &statement.conditions {
            let like = block.operator_text.contains("Like") && !block.operator_text.contains("Not");
            if !like || !keys.iter().any(|k| k.eq_ignore_ascii_case(&block.key)) {
                continue;
            }
            for value in block.values.iter().filter(|v| v.contains(['*', '?'])) {
                found.insert(block.key.to_ascii_lowercase());
                out.push(format!(
                    "its `{}` `{value}` on `{}` admits whatever the wildcard matches ({}.Condition.{}.{:?})",
                    block.operator_text,
                    block.key,
                    check.statement_path(index),
                    block.operator_text,
                    block.key
                ));
            }
        }
    }
    found
}

/// Every value any condition gives a key (compared without case), each
/// once, without wildcards, not among `expected`.
fn literal_values(check: &RoleCheck<'_>, key: &str, expected: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    check
        .document
        .statements
        .iter()
        .flat_map(|s| &s.conditions)
        .filter(|c| c.key.eq_ignore_ascii_case(key))
        .flat_map(|c| c.values.iter())
        .filter(|v| !v.contains(['*', '?']) && !expected.contains(v))
        .filter(|v| seen.insert(v.as_str()))
        .cloned()
        .collect()
}

/// Evaluates up to [`MAX_LITERAL_PROBES`] named values; the ones allowed
/// become notes.
fn probe_literals(
    check: &RoleCheck<'_>,
    values: &[String],
    allowed: &dyn Fn(&str) -> Option<usize>,
    describe: &dyn Fn(&str) -> String,
    out: &mut Vec<String>,
) {
    for value in values.iter().take(MAX_LITERAL_PROBES) {
        if let Some(index) = allowed(value) {
            out.push(format!(
                "{} ({})",
                describe(value),
                check.statement_path(index)
            ));
        }
    }
    if values.len() > MAX_LITERAL_PROBES {
        out.push(format!(
            "…and {} more values it names were not evaluated",
            values.len() - MAX_LITERAL_PROBES
        ));
    }
}

/// Other subjects and audiences the IRSA statement admits.
fn irsa(check: &RoleCheck<'_>, wildcard_keys: &HashSet<String>, out: &mut Vec<String>) {
    let Some((issuer, namespace)) = check.irsa_context() else {
        return;
    };
    let users: Vec<&&ServiceAccount> = check
        .users
        .iter()
        .filter(|u| u.identity.uses_irsa())
        .collect();
    let Some(first) = users.first() else {
        return;
    };
    let allowed = |subject: &str, audience: &str| {
        let request = requests::irsa(check.role, issuer, subject, audience);
        let evaluation = evaluate::evaluate(&check.document, &request);
        (evaluation.decision == Decision::Allowed).then(|| applying(&evaluation))
    };
    let sub_key = format!("{issuer}:sub");
    let expected: Vec<String> = users
        .iter()
        .map(|u| requests::subject(namespace, &u.name))
        .collect();
    probe_literals(
        check,
        &literal_values(check, &sub_key, &expected),
        &|subject| allowed(subject, &first.audience),
        &|subject| format!("it also admits `{subject}`"),
        out,
    );
    if !wildcard_keys.contains(&sub_key.to_ascii_lowercase()) {
        let probes = [
            (
                requests::subject(PROBE, PROBE),
                "any ServiceAccount of any namespace",
            ),
            (
                requests::subject(PROBE, &first.name),
                "its ServiceAccount's name in any namespace",
            ),
            (
                requests::subject(namespace, PROBE),
                "any ServiceAccount of its namespace",
            ),
        ];
        if let Some((who, index)) = probes
            .iter()
            .find_map(|(subject, who)| allowed(subject, &first.audience).map(|i| (who, i)))
        {
            out.push(format!(
                "it admits {who}: no condition on `{sub_key}` limits it to the file's ServiceAccounts ({})",
                check.statement_path(index)
            ));
        }
    }
    let aud_key = format!("{issuer}:aud");
    if !wildcard_keys.contains(&aud_key.to_ascii_lowercase())
        && let Some(index) = allowed(&requests::subject(namespace, &first.name), PROBE)
    {
        out.push(format!(
            "it accepts any audience: no condition on `{aud_key}` restricts it ({})",
            check.statement_path(index)
        ));
    }
}

/// Other ServiceAccounts, namespaces and clusters Pod Identity admits.
fn pod_identity(check: &RoleCheck<'_>, wildcard_keys: &HashSet<String>, out: &mut Vec<String>) {
    let users: Vec<&&ServiceAccount> = check
        .users
        .iter()
        .filter(|u| u.identity.uses_pod_identity())
        .collect();
    let Some(pod) = users.first().and_then(|u| check.pod(&u.name)) else {
        return;
    };
    let allowed = |probe: &PodIdentityPod<'_>| {
        // Other ServiceAccounts' associations, with the tags EKS sets.
        let request = requests::pod_identity(POD_IDENTITY_ACTIONS[0], probe, true);
        let evaluation = evaluate::evaluate(&check.document, &request);
        (evaluation.decision == Decision::Allowed).then(|| applying(&evaluation))
    };
    let tag = |name: &str| format!("aws:RequestTag/{name}");
    let expected: Vec<String> = users.iter().map(|u| u.name.clone()).collect();
    probe_literals(
        check,
        &literal_values(check, &tag("kubernetes-service-account"), &expected),
        &|name| {
            allowed(&PodIdentityPod {
                service_account: name,
                ..pod
            })
        },
        &|name| format!("it also admits the ServiceAccount `{name}`"),
        out,
    );
    // Another cluster has another ARN too.
    let probe_arn = pod
        .cluster_arn
        .and_then(|arn| arn.rsplit_once('/'))
        .map(|(head, _)| format!("{head}/{PROBE}"));
    let probes = [
        (
            PodIdentityPod {
                service_account: PROBE,
                ..pod
            },
            "any ServiceAccount of its namespace",
            "kubernetes-service-account",
        ),
        (
            PodIdentityPod {
                namespace: PROBE,
                ..pod
            },
            "any namespace",
            "kubernetes-namespace",
        ),
        (
            PodIdentityPod {
                cluster: PROBE,
                cluster_arn: probe_arn.as_deref(),
                ..pod
            },
            "any cluster of the account",
            "eks-cluster-name",
        ),
    ];
    let mut any_admitted = false;
    for (probe, who, name) in &probes {
        if wildcard_keys.contains(&tag(name).to_ascii_lowercase()) {
            continue;
        }
        if let Some(index) = allowed(probe) {
            any_admitted = true;
            out.push(format!(
                "it admits {who}: no condition on `{}` restricts it ({})",
                tag(name),
                check.statement_path(index)
            ));
        }
    }
    // An association that disables session tags sends none: conditions
    // that only hold when a tag is there (`…IfExists`, negations,
    // `ForAllValues`) let it in, whoever it is for. Said only when the
    // probes above did not already find the door open.
    if !any_admitted {
        let request = requests::pod_identity(POD_IDENTITY_ACTIONS[0], &pod, false);
        let evaluation = evaluate::evaluate(&check.document, &request);
        if evaluation.decision == Decision::Allowed {
            out.push(format!(
                "it admits any association that disables session tags, for any ServiceAccount, namespace or cluster of the account: its conditions hold when the tags are absent ({})",
                check.statement_path(applying(&evaluation))
            ));
        }
    }
}

//! The requests `verify` simulates, from what the file declares (LANGUAGE.md
//! section 12): IRSA's `sts:AssumeRoleWithWebIdentity` from the cluster's
//! OIDC provider with `:sub` and `:aud`, and Pod Identity's `sts:AssumeRole`
//! and `sts:TagSession` from `pods.eks.amazonaws.com` with the session
//! tags EKS sets.

use crate::evaluate::{Request, RequestPrincipal};
use crate::ir::Role;
use crate::policy::{POD_IDENTITY_PRINCIPAL, WEB_IDENTITY_ACTION};

/// The session tags EKS Pod Identity sets on every session (EKS user
/// guide, "Pod Identity session tags"). Any other request tag is absent.
pub(super) const SESSION_TAGS: [&str; 6] = [
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
];

pub(super) fn provider_arn(role: &Role, issuer: &str) -> String {
    format!(
        "arn:{}:iam::{}:oidc-provider/{issuer}",
        role.partition, role.account
    )
}

pub(super) fn subject(namespace: &str, service_account: &str) -> String {
    format!("system:serviceaccount:{namespace}:{service_account}")
}

/// An IRSA web-identity request for one subject and audience.
pub(super) fn irsa(role: &Role, issuer: &str, subject: &str, audience: &str) -> Request {
    Request {
        principal: RequestPrincipal::Federated(provider_arn(role, issuer)),
        action: WEB_IDENTITY_ACTION.to_owned(),
        context: vec![
            (format!("{issuer}:sub"), vec![subject.to_owned()]),
            (format!("{issuer}:aud"), vec![audience.to_owned()]),
        ],
        absent: Vec::new(),
        // The webhook's SDKs name every session; verify cannot know how.
        unknowable: vec!["sts:RoleSessionName".to_owned()],
    }
}

/// What a Pod Identity session knows of its pod.
#[derive(Debug, Clone, Copy)]
pub(super) struct PodIdentityPod<'a> {
    pub cluster: &'a str,
    /// Known when the region and the account are.
    pub cluster_arn: Option<&'a str>,
    pub namespace: &'a str,
    pub service_account: &'a str,
}

/// One of Pod Identity's two requests (`sts:AssumeRole`, `sts:TagSession`),
/// with the session tags EKS sets, or with none when the association
/// disables them (`disableSessionTags`).
pub(super) fn pod_identity(action: &str, pod: &PodIdentityPod<'_>, session_tags: bool) -> Request {
    let tag = |name: &str| format!("aws:RequestTag/{name}");
    let principal = RequestPrincipal::Service(POD_IDENTITY_PRINCIPAL.to_owned());
    if !session_tags {
        return Request {
            principal,
            action: action.to_owned(),
            context: Vec::new(),
            absent: vec![tag("*"), "aws:TagKeys".to_owned()],
            unknowable: Vec::new(),
        };
    }
    let mut context = vec![
        (tag("eks-cluster-name"), vec![pod.cluster.to_owned()]),
        (tag("kubernetes-namespace"), vec![pod.namespace.to_owned()]),
        (
            tag("kubernetes-service-account"),
            vec![pod.service_account.to_owned()],
        ),
        (
            "aws:TagKeys".to_owned(),
            SESSION_TAGS.map(str::to_owned).to_vec(),
        ),
    ];
    if let Some(arn) = pod.cluster_arn {
        context.push((tag("eks-cluster-arn"), vec![arn.to_owned()]));
    }
    Request {
        principal,
        action: action.to_owned(),
        context,
        // EKS sets these tags and no other.
        absent: vec![tag("*")],
        unknowable: SESSION_TAGS
            .iter()
            .filter(|name| {
                name.starts_with("kubernetes-pod-")
                    || (**name == "eks-cluster-arn" && pod.cluster_arn.is_none())
            })
            .map(|name| tag(name))
            .collect(),
    }
}

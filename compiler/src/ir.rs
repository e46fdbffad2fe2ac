//! The intermediate representation: one Spinnaker installation, resolved.
//! Lowering builds it from the syntax tree; validation checks it; emission
//! turns it into Kubernetes objects and trust policies. Spans are kept so
//! that later stages can still point at the source.

use std::collections::BTreeMap;
use std::ops::Range;

/// A value and where in the source it was written. Defaults that the file
/// did not write have an empty span at offset 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Spanned { value, span }
    }
}

/// Which Spinnaker operator reconciles the SpinnakerService.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// Armory's operator: `spinnaker.armory.io/v1alpha2`.
    Armory,
    /// The open-source operator: `spinnaker.io/v1alpha2`.
    Oss,
}

impl Operator {
    pub fn api_version(self) -> &'static str {
        match self {
            Operator::Armory => "spinnaker.armory.io/v1alpha2",
            Operator::Oss => "spinnaker.io/v1alpha2",
        }
    }

    pub fn group(self) -> &'static str {
        match self {
            Operator::Armory => "spinnaker.armory.io",
            Operator::Oss => "spinnaker.io",
        }
    }
}

/// An IAM role, always as a full ARN after lowering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub partition: String,
    pub account: String,
    /// `/` or `/a/b/`.
    pub path: String,
    pub name: String,
    /// Where the role was written (first occurrence).
    pub span: Range<usize>,
}

impl Role {
    pub fn arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:role{}{}",
            self.partition, self.account, self.path, self.name
        )
    }

    /// Whether two roles are the same IAM role (spans aside).
    pub fn same_role(&self, other: &Role) -> bool {
        self.partition == other.partition
            && self.account == other.account
            && self.path == other.path
            && self.name == other.name
    }
}

/// How the pods of a ServiceAccount get its role (`identity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Identity {
    /// IRSA: the `eks.amazonaws.com/*` annotations and the OIDC provider.
    #[default]
    Irsa,
    /// EKS Pod Identity: an association, no annotation.
    PodIdentity,
    /// Both, for migrating: pods created before the association keep IRSA.
    Both,
}

impl Identity {
    pub fn as_str(self) -> &'static str {
        match self {
            Identity::Irsa => "irsa",
            Identity::PodIdentity => "pod-identity",
            Identity::Both => "both",
        }
    }

    pub fn uses_irsa(self) -> bool {
        matches!(self, Identity::Irsa | Identity::Both)
    }

    pub fn uses_pod_identity(self) -> bool {
        matches!(self, Identity::PodIdentity | Identity::Both)
    }
}

/// A ServiceAccount that this file generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    pub name: String,
    /// The binding that first generated it: its `as` word or its target.
    pub name_span: Range<usize>,
    pub role: Role,
    /// Every annotation, `eks.amazonaws.com/role-arn` included.
    pub annotations: BTreeMap<String, String>,
    /// Every label, `app.kubernetes.io/managed-by: irsa` included.
    pub labels: BTreeMap<String, String>,
    /// The audience the token is issued for (`sts.amazonaws.com` unless set).
    pub audience: String,
    pub identity: Identity,
}

/// One entry of `service-settings`: a service (or `spinnaker` for `*`) and
/// the ServiceAccount it runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSetting {
    /// `spinnaker` for `*`, otherwise the service name.
    pub key: String,
    pub service_account: String,
    /// The target as written.
    pub span: Range<usize>,
    /// Whether this file generates the ServiceAccount (otherwise it is
    /// managed elsewhere).
    pub generated: bool,
}

/// One IAM trust policy: which ServiceAccounts may assume a role, by IRSA,
/// by Pod Identity, or both (one statement each, LANGUAGE.md section 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustPolicy {
    pub role: Role,
    /// For the role's `irsa` and `both` ServiceAccounts.
    pub irsa: Option<IrsaTrust>,
    /// For the role's `pod-identity` and `both` ServiceAccounts.
    pub pod_identity: Option<PodIdentityTrust>,
}

/// The IRSA statement: the cluster's OIDC provider and the subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrsaTrust {
    /// The OIDC provider's ARN.
    pub provider_arn: String,
    pub issuer: String,
    /// `system:serviceaccount:NAMESPACE:SA`, in order of appearance.
    pub subjects: Vec<String>,
    /// Distinct audiences, in order of appearance.
    pub audiences: Vec<String>,
}

/// The Pod Identity statement: the session tags EKS sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodIdentityTrust {
    pub cluster: String,
    pub namespace: String,
    /// ServiceAccount names, in order of appearance.
    pub service_accounts: Vec<String>,
}

/// An EKS Pod Identity association: this ServiceAccount's pods get this
/// role (LANGUAGE.md section 11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Association {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
    pub role: Role,
}

/// A role that irsa manages as code (a `role` statement, LANGUAGE.md
/// section 10): with `--iam FORM`, emission writes the role, its trust
/// policy (the [`TrustPolicy`] of the same role) and its attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedRole {
    /// Partition, account, path and name; its span is the `role` statement's.
    pub role: Role,
    /// Managed policy ARNs to attach, in the order written.
    pub policies: Vec<String>,
    /// The permissions boundary's policy ARN.
    pub boundary: Option<String>,
    /// Maximum session duration in seconds (3600 to 43200).
    pub max_session: Option<u64>,
    pub description: Option<String>,
    /// Every tag, `app.kubernetes.io/managed-by: irsa` included.
    pub tags: BTreeMap<String, String>,
}

/// One Spinnaker installation, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub name: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
    pub operator: Spanned<Operator>,
    pub oidc: Option<Spanned<String>>,
    /// The EKS cluster's name (`cluster`).
    pub cluster: Option<Spanned<String>>,
    /// The cluster's region: `region`, else derived from an EKS `oidc`
    /// issuer (then its span is the issuer's).
    pub region: Option<Spanned<String>>,
    /// Generated ServiceAccounts, in order of first appearance.
    pub service_accounts: Vec<ServiceAccount>,
    /// `spinnaker` (for `*`) first, then services in order of appearance.
    pub service_settings: Vec<ServiceSetting>,
    /// One per distinct role, when `oidc` is given.
    pub trust_policies: Vec<TrustPolicy>,
    /// Roles declared with `role`, in order of appearance.
    pub managed_roles: Vec<ManagedRole>,
    /// One per `pod-identity` or `both` ServiceAccount, in ServiceAccount
    /// order.
    pub associations: Vec<Association>,
}

impl Install {
    /// The trust policy of a role, when the file gives it one.
    pub fn trust_policy_of(&self, role: &Role) -> Option<&TrustPolicy> {
        self.trust_policies.iter().find(|p| p.role.same_role(role))
    }

    /// The managed role declaration of a role, when irsa manages it.
    pub fn managed_role(&self, role: &Role) -> Option<&ManagedRole> {
        self.managed_roles.iter().find(|m| m.role.same_role(role))
    }
}

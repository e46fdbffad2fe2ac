//! `--iam crossplane`: Crossplane AWS provider (provider-upjet-aws) objects
//! (LANGUAGE.md section 10), one YAML document per object, all
//! cluster-scoped:
//!
//! - [`role`]: an `iam.aws.upbound.io/v1beta1` `Role` per managed role, its
//!   IAM name fixed with the `crossplane.io/external-name` annotation;
//!   `forProvider` as in the provider's CRD
//!   (`schemas/iam.aws.upbound.io_roles.yaml`): `assumeRolePolicy` (the
//!   trust policy as a compact JSON string; the CRD's CEL rule requires it
//!   unless the object only observes), `path`, `description`,
//!   `maxSessionDuration`, `permissionsBoundary`, `tags` (a map).
//! - [`attachment`]: a `RolePolicyAttachment` per `policy`, after all the
//!   roles: `forProvider.policyArn` and `forProvider.roleRef` naming the
//!   `Role` object (Crossplane resolves it to the role's name and applies
//!   the attachment once the role exists).
//! - [`association`]: an `eks.aws.upbound.io/v1beta1`
//!   `PodIdentityAssociation` per Pod Identity ServiceAccount (section 11),
//!   after the attachments, in ServiceAccount order, named from its
//!   ServiceAccount; `forProvider` as in the provider's CRD
//!   (`schemas/eks.aws.upbound.io_podidentityassociations.yaml`):
//!   `clusterName` (the literal name: the cluster is not irsa's object),
//!   `namespace` and `serviceAccount` (required by the CRD's CEL rules),
//!   `region` (required by its schema: the install's, which validation
//!   guarantees, E100), and the role: `roleArnRef.name` naming the `Role`
//!   object when irsa manages the role, else `roleArn`, the literal ARN.

use super::IamOutput;
use super::kube::{self, Names, Node, object_name};
use crate::emit::EmitError;
use crate::ir::{Association, Install, ManagedRole};

const IAM_API_VERSION: &str = "iam.aws.upbound.io/v1beta1";
const EKS_API_VERSION: &str = "eks.aws.upbound.io/v1beta1";
/// The annotation that gives a Crossplane managed resource its external
/// name: for a `Role`, the IAM role's name.
const EXTERNAL_NAME: &str = "crossplane.io/external-name";

pub(super) fn emit(install: &Install) -> Result<IamOutput, EmitError> {
    let roles = kube::role_objects(install);
    let mut documents = Vec::new();
    for (managed, object) in &roles {
        documents.push(role(install, managed, object)?.to_yaml()?);
    }
    let mut attachment_names = Names::default();
    for (managed, object) in &roles {
        for policy_arn in &managed.policies {
            let name =
                attachment_names.claim(&attachment_object_name(object, policy_name(policy_arn)));
            documents.push(attachment(&name, object, policy_arn).to_yaml()?);
        }
    }
    if !install.associations.is_empty() {
        // Validation gives a region to every install with associations
        // (E100); one without is a bug in irsa.
        let region = install
            .region
            .as_ref()
            .ok_or_else(|| EmitError("a Pod Identity association without a region".to_owned()))?;
        let mut association_names = Names::default();
        for association in &install.associations {
            let object = association_names.claim(&kube::association_object_name(association));
            let role_object = kube::role_object_of(&roles, association);
            documents.push(
                self::association(association, &object, &region.value, role_object).to_yaml()?,
            );
        }
    }
    Ok(IamOutput {
        documents,
        files: Vec::new(),
    })
}

/// A policy's name: what follows the last `/` of its ARN.
fn policy_name(policy_arn: &str) -> &str {
    policy_arn
        .rsplit_once('/')
        .map_or(policy_arn, |(_, name)| name)
}

/// `ROLEOBJECT-POLICYNAME` as an object name (section 10).
fn attachment_object_name(role_object: &str, policy_name: &str) -> String {
    object_name(&format!("{role_object}-{policy_name}"), role_object)
}

/// `spec`: the provider's parameters.
fn spec<'a>(parameters: Vec<(&'a str, Node<'a>)>) -> Node<'a> {
    Node::Map(vec![("forProvider", Node::Map(parameters))])
}

/// The `Role` of one managed role, as the object `object`.
fn role<'a>(
    install: &Install,
    managed: &'a ManagedRole,
    object: &str,
) -> Result<Node<'a>, EmitError> {
    let mut parameters = vec![(
        "assumeRolePolicy",
        Node::text(kube::compact_trust_policy(install, managed)?),
    )];
    kube::entry(
        &mut parameters,
        "description",
        managed.description.as_deref().map(Node::from),
    );
    kube::entry(
        &mut parameters,
        "maxSessionDuration",
        managed.max_session.map(Node::Int),
    );
    parameters.push(("path", Node::from(managed.role.path.as_str())));
    kube::entry(
        &mut parameters,
        "permissionsBoundary",
        managed.boundary.as_deref().map(Node::from),
    );
    let tags: Vec<(&str, Node<'a>)> = managed
        .tags
        .iter()
        .map(|(key, value)| (key.as_str(), Node::from(value.as_str())))
        .collect();
    kube::entry(
        &mut parameters,
        "tags",
        (!tags.is_empty()).then_some(Node::Map(tags)),
    );
    let external_name = vec![(EXTERNAL_NAME, Node::from(managed.role.name.as_str()))];
    Ok(kube::object(
        IAM_API_VERSION,
        "Role",
        kube::metadata(object, None, external_name),
        spec(parameters),
    ))
}

/// The `RolePolicyAttachment` `name` of a policy to the role whose object
/// is `role_object`.
fn attachment<'a>(name: &str, role_object: &'a str, policy_arn: &'a str) -> Node<'a> {
    kube::object(
        IAM_API_VERSION,
        "RolePolicyAttachment",
        kube::metadata(name, None, Vec::new()),
        spec(vec![
            ("policyArn", Node::from(policy_arn)),
            (
                "roleRef",
                Node::Map(vec![("name", Node::from(role_object))]),
            ),
        ]),
    )
}

/// The `PodIdentityAssociation` of one Pod Identity ServiceAccount, as the
/// object `object`; `role_object` is the `Role` object of its role when
/// irsa manages it.
fn association<'a>(
    association: &'a Association,
    object: &str,
    region: &'a str,
    role_object: Option<&'a str>,
) -> Node<'a> {
    let role = match role_object {
        Some(role_object) => (
            "roleArnRef",
            Node::Map(vec![("name", Node::from(role_object))]),
        ),
        None => ("roleArn", Node::text(association.role.arn())),
    };
    kube::object(
        EKS_API_VERSION,
        "PodIdentityAssociation",
        kube::metadata(object, None, Vec::new()),
        spec(vec![
            ("clusterName", Node::from(association.cluster.as_str())),
            ("namespace", Node::from(association.namespace.as_str())),
            ("region", Node::from(region)),
            role,
            (
                "serviceAccount",
                Node::from(association.service_account.as_str()),
            ),
        ]),
    )
}

#[cfg(test)]
mod tests {
    use super::super::ack::tests::{ACCOUNT, POD_IDENTITY, analyzed, fill, install, quoted, trust};
    use super::*;

    fn documents(install: &Install) -> Vec<String> {
        emit(install).unwrap().documents
    }

    /// `kind/name` of every object.
    fn objects(install: &Install) -> Vec<String> {
        documents(install)
            .iter()
            .map(|d| {
                let document: serde_json::Value = serde_saphyr::from_str(d).unwrap();
                format!(
                    "{}/{}",
                    document["kind"].as_str().unwrap(),
                    document["metadata"]["name"].as_str().unwrap()
                )
            })
            .collect()
    }

    #[test]
    fn a_role_and_its_attachments_have_every_field_of_the_managed_role() {
        let mut install = install(Some("spinnaker"), &["spinnaker", "bakery/Rosco_Baker"]);
        fill(&mut install.managed_roles[0]);
        let documents = documents(&install);
        assert_eq!(
            documents[0],
            format!(
                "\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  annotations:
    crossplane.io/external-name: spinnaker
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spinnaker
spec:
  forProvider:
    assumeRolePolicy: {}
    description: \"Spinnaker: core services\"
    maxSessionDuration: 7200
    path: /
    permissionsBoundary: arn:aws:iam::{ACCOUNT}:policy/boundary
    tags:
      app.kubernetes.io/managed-by: irsa
      team: platform
",
                quoted(&trust("spinnaker", "sa-0"))
            )
        );
        // Only what is set; the object name is not the role's.
        assert_eq!(
            documents[1],
            format!(
                "\
apiVersion: iam.aws.upbound.io/v1beta1
kind: Role
metadata:
  annotations:
    crossplane.io/external-name: Rosco_Baker
  labels:
    app.kubernetes.io/managed-by: irsa
  name: rosco-baker
spec:
  forProvider:
    assumeRolePolicy: {}
    path: /bakery/
    tags:
      app.kubernetes.io/managed-by: irsa
",
                quoted(&trust("spinnaker", "sa-1"))
            )
        );
        assert_eq!(
            documents[2],
            "\
apiVersion: iam.aws.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spinnaker-amazons3readonlyaccess
spec:
  forProvider:
    policyArn: arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
    roleRef:
      name: spinnaker
"
        );
        assert_eq!(
            documents[3],
            format!(
                "\
apiVersion: iam.aws.upbound.io/v1beta1
kind: RolePolicyAttachment
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spinnaker-spinnaker-front50
spec:
  forProvider:
    policyArn: arn:aws:iam::{ACCOUNT}:policy/spinnaker-front50
    roleRef:
      name: spinnaker
"
            )
        );
        assert_eq!(documents.len(), 4);
    }

    #[test]
    fn objects_are_cluster_scoped() {
        let mut install = install(Some("spinnaker"), &["a"]);
        fill(&mut install.managed_roles[0]);
        for document in documents(&install) {
            assert!(!document.contains("namespace"), "{document}");
        }
    }

    #[test]
    fn roles_come_first_then_the_attachments_in_order_of_appearance() {
        let mut install = install(Some("spin"), &["b", "a", "c"]);
        install.managed_roles[0].policies = vec![format!("arn:aws:iam::{ACCOUNT}:policy/z")];
        install.managed_roles[1].policies = vec![
            format!("arn:aws:iam::{ACCOUNT}:policy/y"),
            format!("arn:aws:iam::{ACCOUNT}:policy/x"),
        ];
        assert_eq!(
            objects(&install),
            [
                "Role/b",
                "Role/a",
                "Role/c",
                "RolePolicyAttachment/b-z",
                "RolePolicyAttachment/a-y",
                "RolePolicyAttachment/a-x",
            ]
        );
    }

    #[test]
    fn attachments_are_named_after_the_role_object_and_the_policy_name() {
        let mut install = install(Some("spin"), &["Spin_A", "spin-a", "a", "a-2"]);
        let policies = [
            // The policy's name after its last `/`, path and account aside.
            vec![
                format!("arn:aws:iam::{ACCOUNT}:policy/team/Read_Only"),
                "arn:aws:iam::aws:policy/Read_Only".to_owned(),
            ],
            vec!["arn:aws:iam::aws:policy/S3".to_owned()],
            vec!["arn:aws:iam::aws:policy/2-x".to_owned()],
            vec!["arn:aws:iam::aws:policy/x".to_owned()],
        ];
        for (managed, policies) in install.managed_roles.iter_mut().zip(policies) {
            managed.policies = policies;
        }
        let objects = objects(&install);
        assert_eq!(
            objects,
            [
                "Role/spin-a",
                "Role/spin-a-2",
                "Role/a",
                "Role/a-2",
                "RolePolicyAttachment/spin-a-read-only",
                "RolePolicyAttachment/spin-a-read-only-2",
                // From the role's object name, numbered.
                "RolePolicyAttachment/spin-a-2-s3",
                "RolePolicyAttachment/a-2-x",
                "RolePolicyAttachment/a-2-x-2",
            ]
        );
        // Each attachment refers to its role's object.
        let references: Vec<String> = documents(&install)
            .iter()
            .skip(4)
            .map(|d| {
                let document: serde_json::Value = serde_saphyr::from_str(d).unwrap();
                document["spec"]["forProvider"]["roleRef"]["name"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(references, ["spin-a", "spin-a", "spin-a-2", "a", "a-2"]);
    }

    #[test]
    fn attachment_object_names() {
        assert_eq!(policy_name("arn:aws:iam::aws:policy/a/b/C_d"), "C_d");
        assert_eq!(policy_name("no-slash"), "no-slash");
        assert_eq!(
            attachment_object_name("role", "Read_Only"),
            "role-read-only"
        );
        // A policy name of nothing but separators leaves the role's object.
        assert_eq!(attachment_object_name("role", "__"), "role");
        assert_eq!(attachment_object_name("a", ".b"), "a--b");
    }

    #[test]
    fn a_managed_role_without_a_trust_policy_is_a_bug() {
        let mut install = install(Some("spin"), &["a"]);
        install.trust_policies.clear();
        assert!(emit(&install).is_err());
    }

    #[test]
    fn associations_follow_the_attachments_by_reference_or_literal_arn() {
        let mut install = analyzed(POD_IDENTITY);
        install.managed_roles[0].policies = vec![format!("arn:aws:iam::{ACCOUNT}:policy/p")];
        assert_eq!(
            objects(&install),
            [
                "Role/spinnaker",
                "RolePolicyAttachment/spinnaker-p",
                "PodIdentityAssociation/spin-sa",
                "PodIdentityAssociation/front50.sa",
                "PodIdentityAssociation/spin-sa-deck",
            ]
        );
        let documents = documents(&install);
        assert_eq!(
            documents[2],
            "\
apiVersion: eks.aws.upbound.io/v1beta1
kind: PodIdentityAssociation
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spin-sa
spec:
  forProvider:
    clusterName: prod
    namespace: spinnaker
    region: us-west-2
    roleArnRef:
      name: spinnaker
    serviceAccount: spin-sa
"
        );
        assert_eq!(
            documents[4],
            "\
apiVersion: eks.aws.upbound.io/v1beta1
kind: PodIdentityAssociation
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spin-sa-deck
spec:
  forProvider:
    clusterName: prod
    namespace: spinnaker
    region: us-west-2
    roleArn: arn:aws:iam::123456789012:role/existing
    serviceAccount: spin-sa-deck
"
        );
    }

    #[test]
    fn an_association_without_a_region_is_a_bug() {
        let mut install = analyzed(POD_IDENTITY);
        install.region = None;
        assert!(emit(&install).is_err());
        install.associations.clear();
        assert!(emit(&install).is_ok());
    }
}

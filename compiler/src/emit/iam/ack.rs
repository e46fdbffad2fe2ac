//! `--iam ack`: AWS Controllers for Kubernetes objects (LANGUAGE.md
//! section 10), one YAML document per object, in the `namespace` (none: no
//! `metadata.namespace`):
//!
//! - [`role`]: an `iam.services.k8s.aws/v1alpha1` `Role` per managed role,
//!   fields as in the iam-controller's CRD (`schemas/iam.services.k8s.aws_roles.yaml`):
//!   `name` and `assumeRolePolicyDocument` (required; the trust policy as a
//!   compact JSON string), `path`, `description`, `maxSessionDuration`,
//!   `permissionsBoundary`, `policies` (ACK attaches them itself: no
//!   separate attachment objects) and `tags` (a list of `{key, value}`).
//! - [`association`]: an `eks.services.k8s.aws/v1alpha1`
//!   `PodIdentityAssociation` per Pod Identity ServiceAccount (section 11),
//!   after the roles, in ServiceAccount order, named from its ServiceAccount
//!   with its own [`super::kube::Names`]; fields as in the eks-controller's CRD
//!   (`schemas/eks.services.k8s.aws_podidentityassociations.yaml`):
//!   `clusterName`, `namespace` and `serviceAccount` (the last two
//!   required), and the role: `roleRef.from.name` naming the `Role` object
//!   when irsa manages the role (ACK resolves it to the role's ARN, in the
//!   same namespace), else `roleARN`, the literal ARN.
//!
//! What ACK and Crossplane share (object names, metadata, the document
//! tree) is in [`kube`].

use super::IamOutput;
use super::kube::{self, Names, Node, entry};
use crate::emit::EmitError;
use crate::ir::{Association, Install, ManagedRole};

const IAM_API_VERSION: &str = "iam.services.k8s.aws/v1alpha1";
const EKS_API_VERSION: &str = "eks.services.k8s.aws/v1alpha1";

pub(super) fn emit(install: &Install) -> Result<IamOutput, EmitError> {
    let namespace = install.namespace.as_ref().map(|n| n.value.as_str());
    let roles = kube::role_objects(install);
    let mut documents =
        Vec::with_capacity(install.managed_roles.len() + install.associations.len());
    for (managed, object) in &roles {
        documents.push(role(install, managed, object, namespace)?.to_yaml()?);
    }
    let mut association_names = Names::default();
    for association in &install.associations {
        let object = association_names.claim(&kube::association_object_name(association));
        let role_object = kube::role_object_of(&roles, association);
        documents.push(self::association(association, &object, role_object, namespace).to_yaml()?);
    }
    Ok(IamOutput {
        documents,
        files: Vec::new(),
    })
}

/// The `Role` of one managed role, as the object `object`.
fn role<'a>(
    install: &Install,
    managed: &'a ManagedRole,
    object: &str,
    namespace: Option<&'a str>,
) -> Result<Node<'a>, EmitError> {
    let mut spec = vec![(
        "assumeRolePolicyDocument",
        Node::text(kube::compact_trust_policy(install, managed)?),
    )];
    entry(
        &mut spec,
        "description",
        managed.description.as_deref().map(Node::from),
    );
    entry(
        &mut spec,
        "maxSessionDuration",
        managed.max_session.map(Node::Int),
    );
    spec.push(("name", Node::from(managed.role.name.as_str())));
    spec.push(("path", Node::from(managed.role.path.as_str())));
    entry(
        &mut spec,
        "permissionsBoundary",
        managed.boundary.as_deref().map(Node::from),
    );
    let policies: Vec<Node<'a>> = managed
        .policies
        .iter()
        .map(|p| Node::from(p.as_str()))
        .collect();
    entry(
        &mut spec,
        "policies",
        (!policies.is_empty()).then_some(Node::List(policies)),
    );
    let tags: Vec<Node<'a>> = managed
        .tags
        .iter()
        .map(|(key, value)| {
            Node::Map(vec![
                ("key", Node::from(key.as_str())),
                ("value", Node::from(value.as_str())),
            ])
        })
        .collect();
    entry(
        &mut spec,
        "tags",
        (!tags.is_empty()).then_some(Node::List(tags)),
    );
    Ok(kube::object(
        IAM_API_VERSION,
        "Role",
        kube::metadata(object, namespace, Vec::new()),
        Node::Map(spec),
    ))
}

/// The `PodIdentityAssociation` of one Pod Identity ServiceAccount, as the
/// object `object`; `role_object` is the `Role` object of its role when
/// irsa manages it.
fn association<'a>(
    association: &'a Association,
    object: &str,
    role_object: Option<&'a str>,
    namespace: Option<&'a str>,
) -> Node<'a> {
    let role = match role_object {
        Some(role_object) => (
            "roleRef",
            Node::Map(vec![(
                "from",
                Node::Map(vec![("name", Node::from(role_object))]),
            )]),
        ),
        None => ("roleARN", Node::text(association.role.arn())),
    };
    kube::object(
        EKS_API_VERSION,
        "PodIdentityAssociation",
        kube::metadata(object, namespace, Vec::new()),
        Node::Map(vec![
            ("clusterName", Node::from(association.cluster.as_str())),
            ("namespace", Node::from(association.namespace.as_str())),
            role,
            (
                "serviceAccount",
                Node::from(association.service_account.as_str()),
            ),
        ]),
    )
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;

    use super::kube::object_name;
    use super::*;
    use crate::emit::iam::IamForm;
    use crate::emit::{EmitOptions, IAM_OBJECTS_FILE, KUSTOMIZATION_FILE};
    use crate::policy;
    use crate::validate::MANAGED_BY_LABEL;

    pub const ACCOUNT: &str = "123456789012";
    pub const ISSUER: &str = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

    /// An install whose bindings use `roles` (names or `PATH/NAME`), each
    /// made a managed role with only the implicit tag, built by hand so that
    /// the emitter is tested on exactly the IR it is given (the end-to-end
    /// tests from sources are in tests/tests/iam_kubernetes*.rs).
    pub fn install(namespace: Option<&str>, roles: &[&str]) -> Install {
        let mut source = format!("account {ACCOUNT}\noidc {ISSUER}\n");
        if let Some(namespace) = namespace {
            source.push_str(&format!("namespace {namespace}\n"));
        }
        for (i, role) in roles.iter().enumerate() {
            let service = crate::services::KNOWN_SERVICES[i];
            source.push_str(&format!("service {service} -> role {role} as sa-{i}\n"));
        }
        let analysis = crate::analyze(&source);
        let mut install = analysis
            .install
            .unwrap_or_else(|| panic!("{source}\n{:?}", analysis.diagnostics));
        install.managed_roles = install
            .trust_policies
            .iter()
            .map(|trust| ManagedRole {
                role: trust.role.clone(),
                policies: Vec::new(),
                boundary: None,
                max_session: None,
                description: None,
                tags: BTreeMap::from([(MANAGED_BY_LABEL.to_owned(), "irsa".to_owned())]),
            })
            .collect();
        install
    }

    /// The first role made full: two policies, a boundary, a maximum
    /// session, a description and a tag.
    pub fn fill(managed: &mut ManagedRole) {
        managed.policies = vec![
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".to_owned(),
            format!("arn:aws:iam::{ACCOUNT}:policy/spinnaker-front50"),
        ];
        managed.boundary = Some(format!("arn:aws:iam::{ACCOUNT}:policy/boundary"));
        managed.max_session = Some(7200);
        managed.description = Some("Spinnaker: core services".to_owned());
        managed
            .tags
            .insert("team".to_owned(), "platform".to_owned());
    }

    /// The trust policy of section 7 for the ServiceAccount `sa`, compact,
    /// written out.
    pub fn trust(namespace: &str, sa: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{ISSUER}:sub":"system:serviceaccount:{namespace}:{sa}","{ISSUER}:aud":"sts.amazonaws.com"}}}}}}]}}"#
        )
    }

    /// As YAML writes a JSON string in double quotes.
    pub fn quoted(text: &str) -> String {
        format!("\"{}\"", text.replace('"', "\\\""))
    }

    fn documents(install: &Install) -> Vec<String> {
        emit(install).unwrap().documents
    }

    #[test]
    fn a_role_has_every_field_of_its_managed_role() {
        let mut install = install(Some("spinnaker"), &["spinnaker", "bakery/Rosco_Baker"]);
        fill(&mut install.managed_roles[0]);
        let documents = documents(&install);
        assert_eq!(
            documents[0],
            format!(
                "\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spinnaker
  namespace: spinnaker
spec:
  assumeRolePolicyDocument: {}
  description: \"Spinnaker: core services\"
  maxSessionDuration: 7200
  name: spinnaker
  path: /
  permissionsBoundary: arn:aws:iam::{ACCOUNT}:policy/boundary
  policies:
  - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  - arn:aws:iam::{ACCOUNT}:policy/spinnaker-front50
  tags:
  - key: app.kubernetes.io/managed-by
    value: irsa
  - key: team
    value: platform
",
                quoted(&trust("spinnaker", "sa-0"))
            )
        );
        // Only what is set: no description, session, boundary or policies.
        assert_eq!(
            documents[1],
            format!(
                "\
apiVersion: iam.services.k8s.aws/v1alpha1
kind: Role
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: rosco-baker
  namespace: spinnaker
spec:
  assumeRolePolicyDocument: {}
  name: Rosco_Baker
  path: /bakery/
  tags:
  - key: app.kubernetes.io/managed-by
    value: irsa
",
                quoted(&trust("spinnaker", "sa-1"))
            )
        );
        assert_eq!(documents.len(), 2);
    }

    #[test]
    fn the_trust_policy_is_the_one_of_section_7() {
        let install = install(Some("spin"), &["a"]);
        let document: serde_json::Value = serde_saphyr::from_str(&documents(&install)[0]).unwrap();
        let text = document["spec"]["assumeRolePolicyDocument"]
            .as_str()
            .unwrap();
        let trust = install
            .trust_policy_of(&install.managed_roles[0].role)
            .unwrap();
        assert_eq!(text, policy::compact(&policy::trust_policy(trust)));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(text).unwrap(),
            serde_json::from_str::<serde_json::Value>(&policy::pretty(&policy::trust_policy(
                trust
            )))
            .unwrap()
        );
    }

    #[test]
    fn without_a_namespace_there_is_no_metadata_namespace() {
        let mut install = install(Some("spin"), &["a"]);
        install.namespace = None;
        let document = &documents(&install)[0];
        assert!(!document.contains("namespace:"), "{document}");
        assert!(document.contains("\n  name: a\n"), "{document}");
    }

    #[test]
    fn colliding_role_objects_get_numbers_in_order_of_first_appearance() {
        let install = install(
            Some("spin"),
            // `SPIN-A` in another account: in one, IAM would take it for
            // `spin-a` (E035).
            &[
                "Spin_A",
                "spin-a",
                "team/spin.a",
                "spin-a-2",
                "arn:aws:iam::210987654321:role/SPIN-A",
            ],
        );
        let names: Vec<String> = documents(&install)
            .iter()
            .map(|d| {
                let document: serde_json::Value = serde_saphyr::from_str(d).unwrap();
                document["metadata"]["name"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(
            names,
            ["spin-a", "spin-a-2", "spin.a", "spin-a-2-2", "spin-a-3"]
        );
    }

    #[test]
    fn object_names_follow_section_10() {
        let cases = [
            ("spinnaker", "spinnaker"),
            ("Spin_Echo", "spin-echo"),
            ("a+b=c,d@e", "a-b-c-d-e"),
            ("_front50_", "front50"),
            ("-x.y-", "x.y"),
            ("@@Role.", "role"),
            ("v1.2.3", "v1.2.3"),
            ("Über", "ber"),
            // Beyond the rule, to keep a DNS-1123 subdomain.
            ("a..b", "a--b"),
            ("a.-b", "a--b"),
            ("a_.b", "a--b"),
            ("a._b", "a--b"),
        ];
        for (name, object) in cases {
            assert_eq!(object_name(name, "role"), object, "{name}");
        }
        assert_eq!(object_name("__", "role"), "role");
        assert_eq!(object_name("", "role"), "role");
        assert_eq!(object_name(&"A".repeat(300), "role"), "a".repeat(253));
        assert_eq!(
            object_name(&format!("{}_x", "a".repeat(252)), "role"),
            "a".repeat(252),
            "a cut leaves no trailing `-`"
        );
    }

    #[test]
    fn names_taken_get_the_first_free_number() {
        let mut names = Names::default();
        let claimed: Vec<String> = ["a", "a", "b", "a", "a-2", "a-3-2", "a-3"]
            .iter()
            .map(|n| names.claim(n))
            .collect();
        assert_eq!(claimed, ["a", "a-2", "b", "a-3", "a-2-2", "a-3-2", "a-3-3"]);
        // A numbered name stays within 253 characters.
        let long = "a".repeat(253);
        assert_eq!(names.claim(&long), long);
        assert_eq!(names.claim(&long), format!("{}-2", "a".repeat(251)));
    }

    #[test]
    fn a_managed_role_without_a_trust_policy_is_a_bug() {
        let mut install = install(Some("spin"), &["a"]);
        install.trust_policies.clear();
        let error = emit(&install).unwrap_err();
        assert!(
            error.0.contains("arn:aws:iam::123456789012:role/a"),
            "{error}"
        );
    }

    #[test]
    fn the_roles_lead_the_stream_and_iam_yaml_the_kustomization() {
        let install = install(Some("spin"), &["a", "b"]);
        for form in [IamForm::Ack, IamForm::Crossplane] {
            for component in [false, true] {
                let output = crate::emit::emit(
                    &install,
                    EmitOptions {
                        component,
                        iam: Some(form),
                    },
                )
                .unwrap();
                let iam = &output.files[0];
                assert_eq!(iam.path, IAM_OBJECTS_FILE);
                assert!(output.stream.starts_with(&iam.content), "{}", output.stream);
                assert!(iam.content.starts_with("apiVersion: iam."));
                assert_eq!(iam.content.matches("\nkind: Role\n").count(), 2);
                let kustomization = output
                    .files
                    .iter()
                    .find(|f| f.path == KUSTOMIZATION_FILE)
                    .unwrap();
                assert!(
                    kustomization
                        .content
                        .contains(&format!("resources:\n- {IAM_OBJECTS_FILE}\n")),
                    "{}",
                    kustomization.content
                );
            }
        }
    }

    /// A file with Pod Identity ServiceAccounts: `front50.sa` and `spin-sa`
    /// (`*`) on the managed role `spinnaker`, `deck` on an unmanaged role.
    pub const POD_IDENTITY: &str = "namespace spinnaker
account 123456789012
cluster prod
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE

role spinnaker
service * -> role spinnaker {
  identity both
}
service front50 -> role spinnaker as front50.sa {
  identity pod-identity
}
service deck -> role arn:aws:iam::123456789012:role/existing {
  identity pod-identity
}
service gate -> role gate
";

    pub fn analyzed(source: &str) -> Install {
        let analysis = crate::analyze(source);
        analysis
            .install
            .unwrap_or_else(|| panic!("{source}\n{:?}", analysis.diagnostics))
    }

    #[test]
    fn associations_follow_the_roles_by_reference_or_literal_arn() {
        let install = analyzed(POD_IDENTITY);
        assert_eq!(install.associations.len(), 3);
        let documents = documents(&install);
        assert_eq!(documents.len(), 4);
        assert!(documents[0].contains("\nkind: Role\n"));
        assert_eq!(
            documents[1],
            "\
apiVersion: eks.services.k8s.aws/v1alpha1
kind: PodIdentityAssociation
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spin-sa
  namespace: spinnaker
spec:
  clusterName: prod
  namespace: spinnaker
  roleRef:
    from:
      name: spinnaker
  serviceAccount: spin-sa
"
        );
        assert!(
            documents[2].contains("  name: front50.sa\n")
                && documents[2].contains("  serviceAccount: front50.sa\n"),
            "{}",
            documents[2]
        );
        assert_eq!(
            documents[3],
            "\
apiVersion: eks.services.k8s.aws/v1alpha1
kind: PodIdentityAssociation
metadata:
  labels:
    app.kubernetes.io/managed-by: irsa
  name: spin-sa-deck
  namespace: spinnaker
spec:
  clusterName: prod
  namespace: spinnaker
  roleARN: arn:aws:iam::123456789012:role/existing
  serviceAccount: spin-sa-deck
"
        );
    }

    #[test]
    fn colliding_association_objects_get_numbers() {
        let mut install = analyzed(POD_IDENTITY);
        let mut odd = install.associations[1].clone();
        odd.service_account = "Front50_SA".to_owned();
        install.associations.insert(2, odd);
        let mut twin = install.associations[1].clone();
        twin.service_account = "FRONT50.SA".to_owned();
        install.associations.push(twin);
        let names: Vec<String> = documents(&install)
            .iter()
            .skip(1)
            .map(|d| {
                let document: serde_json::Value = serde_saphyr::from_str(d).unwrap();
                document["metadata"]["name"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "spin-sa",
                "front50.sa",
                "front50-sa",
                "spin-sa-deck",
                "front50.sa-2"
            ]
        );
    }

    #[test]
    fn associations_without_a_managed_role_still_make_iam_yaml() {
        let mut install = analyzed(POD_IDENTITY);
        install.managed_roles.clear();
        let documents = documents(&install);
        assert_eq!(documents.len(), 3);
        assert!(
            documents[0].contains("  roleARN: arn:aws:iam::123456789012:role/spinnaker\n"),
            "{}",
            documents[0]
        );
        let output = crate::emit::emit(
            &install,
            EmitOptions {
                component: false,
                iam: Some(IamForm::Ack),
            },
        )
        .unwrap();
        assert!(output.files.iter().any(|f| f.path == IAM_OBJECTS_FILE));
    }

    #[test]
    fn no_managed_role_no_object() {
        let mut install = install(Some("spin"), &["a"]);
        install.managed_roles.clear();
        assert_eq!(emit(&install).unwrap(), IamOutput::default());
        let output = crate::emit::emit(
            &install,
            EmitOptions {
                component: false,
                iam: Some(IamForm::Ack),
            },
        )
        .unwrap();
        assert!(output.files.iter().all(|f| f.path != IAM_OBJECTS_FILE));
        assert!(
            output
                .stream
                .starts_with("apiVersion: v1\nkind: ServiceAccount\n")
        );
    }
}

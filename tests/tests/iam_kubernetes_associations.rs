//! `--iam ack` and `--iam crossplane` write the Pod Identity associations
//! (LANGUAGE.md sections 10 and 11), compiled by the real binary with
//! `-o DIR`: every `PodIdentityAssociation` validates against its vendored
//! CRD in `schemas/` (schema, fields the API server would prune, the CEL
//! rules that require parameters, DNS-1123 names, the CRD's scope); there is
//! exactly one per Pod Identity ServiceAccount, after the roles and their
//! attachments, in ServiceAccount order; each points at its role (the
//! managed role through a reference naming a `Role` object of the same
//! output, any other role by its literal ARN); and `kubectl kustomize DIR`
//! builds the directory with them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use irsa_test_support::kubernetes::{api_server_problems, kustomize, renamed, with_value, without};
use irsa_test_support::{Sandbox, yaml_documents};
use serde_json::{Value, json};

const FORMS: [&str; 2] = ["ack", "crossplane"];
const ACCOUNT: &str = "123456789012";

/// What an association's role should be.
#[derive(Debug, Clone, Copy)]
enum Expected {
    /// A role of a `role` statement: by reference to its object.
    Managed(&'static str),
    /// Any other role: its literal ARN.
    Literal(&'static str),
}

/// One source and what it must give.
struct Source {
    name: &'static str,
    text: &'static str,
    namespace: &'static str,
    cluster: &'static str,
    region: &'static str,
    /// Each Pod Identity ServiceAccount, in ServiceAccount order, and its role.
    associations: &'static [(&'static str, Expected)],
}

/// The region from an EKS `oidc` issuer; `identity both` on `*`, a managed
/// role with policies (Crossplane attachments come between), a managed role
/// with a path shared by two Pod Identity ServiceAccounts, an unmanaged
/// role with `pod-identity`, and IRSA-only ServiceAccounts (no association).
const FROM_ISSUER: Source = Source {
    name: "region-from-issuer",
    text: r#"namespace spinnaker
account 123456789012
cluster prod-east
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE

role spinnaker {
  policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  policy arn:aws:iam::123456789012:policy/spinnaker-front50
}
role bakery/Rosco_Baker
role gate

service * -> role spinnaker {
  identity both
}
service rosco -> role bakery/Rosco_Baker {
  identity pod-identity
}
service igor -> role bakery/Rosco_Baker as spin.igor {
  identity both
}
service deck -> role arn:aws:iam::123456789012:role/existing-deck {
  identity pod-identity
}
service gate -> role gate
service echo -> role arn:aws:iam::123456789012:role/irsa-only
"#,
    namespace: "spinnaker",
    cluster: "prod-east",
    region: "us-west-2",
    associations: &[
        ("spin-sa", Expected::Managed("spinnaker")),
        ("spin-sa-rosco", Expected::Managed("Rosco_Baker")),
        ("spin.igor", Expected::Managed("Rosco_Baker")),
        (
            "spin-sa-deck",
            Expected::Literal("arn:aws:iam::123456789012:role/existing-deck"),
        ),
    ],
};

/// The region from `region`, no `oidc` (Pod Identity only); a managed role
/// and unmanaged roles, one of them with a path.
const FROM_REGION: Source = Source {
    name: "region-statement",
    text: r#"namespace spin-ops
account 123456789012
cluster ops
region eu-west-1

role Spin_Core {
  policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  max-session 2h
}

service clouddriver -> role Spin_Core {
  identity pod-identity
}
service front50 -> role team/front50-data {
  identity pod-identity
}
service orca -> role Spin_Core {
  identity pod-identity
}
"#,
    namespace: "spin-ops",
    cluster: "ops",
    region: "eu-west-1",
    associations: &[
        ("spin-sa-clouddriver", Expected::Managed("Spin_Core")),
        (
            "spin-sa-front50",
            Expected::Literal("arn:aws:iam::123456789012:role/team/front50-data"),
        ),
        ("spin-sa-orca", Expected::Managed("Spin_Core")),
    ],
};

/// No managed role at all: the associations alone make `iam.yaml`.
const UNMANAGED: Source = Source {
    name: "unmanaged-only",
    text: r#"namespace spinnaker
account 123456789012
cluster prod
region us-east-2

service * -> role spinnaker {
  identity pod-identity
}
service deck -> role spinnaker-deck {
  identity pod-identity
}
"#,
    namespace: "spinnaker",
    cluster: "prod",
    region: "us-east-2",
    associations: &[
        (
            "spin-sa",
            Expected::Literal("arn:aws:iam::123456789012:role/spinnaker"),
        ),
        (
            "spin-sa-deck",
            Expected::Literal("arn:aws:iam::123456789012:role/spinnaker-deck"),
        ),
    ],
};

const SOURCES: [Source; 3] = [FROM_ISSUER, FROM_REGION, UNMANAGED];

// ---------------------------------------------------------------- running

/// `irsa ARGS` in the sandbox, which must succeed; its standard output.
fn irsa_ok(dir: &Sandbox, args: &[&str]) -> String {
    let run = dir.irsa(args, None);
    assert_eq!(run.code, 0, "irsa {args:?}: {}", run.stderr);
    run.stdout
}

/// Compiles `source` with `--iam FORM -o DIR` in `dir`: the directory's
/// name and the objects of its `iam.yaml`.
fn compile(dir: &Sandbox, source: &Source, form: &str) -> (String, Vec<Value>) {
    let file = format!("{}.irsa", source.name);
    dir.write(&file, source.text);
    let out = format!("{}-{form}", source.name);
    irsa_ok(dir, &["compile", &file, "--iam", form, "-o", &out]);
    let objects = yaml_documents(&dir.read(&format!("{out}/iam.yaml")));
    (out, objects)
}

fn kind(object: &Value) -> &str {
    object["kind"].as_str().unwrap()
}

fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap()
}

fn associations(objects: &[Value]) -> Vec<&Value> {
    objects
        .iter()
        .filter(|o| kind(o) == "PodIdentityAssociation")
        .collect()
}

// ---------------------------------------------------------------- checks

/// Everything the API server (with the CRD installed) would reject or prune
/// in an object ([`api_server_problems`]), and, stricter for associations,
/// a namespaced object without its namespace.
fn problems(object: &Value) -> Vec<String> {
    let (crd, mut problems) = api_server_problems(object);
    if crd.scope == "Namespaced" && object["metadata"].get("namespace").is_none() {
        problems.push(".metadata.namespace: none, on a namespaced object".to_owned());
    }
    problems
}

fn assert_valid(what: &str, object: &Value) {
    let problems = problems(object);
    assert!(
        problems.is_empty(),
        "{what}: {} {}: {problems:#?}\n{object:#}",
        kind(object),
        name(object)
    );
}

/// The IAM role name a `Role` object manages.
fn role_name(form: &str, role: &Value) -> String {
    let name = match form {
        "ack" => &role["spec"]["name"],
        _ => &role["metadata"]["annotations"]["crossplane.io/external-name"],
    };
    name.as_str().unwrap().to_owned()
}

// ---------------------------------------------------------------- tests

#[test]
fn every_association_is_valid_against_its_crd() {
    let dir = Sandbox::new();
    let mut kinds = BTreeSet::new();
    for source in &SOURCES {
        for form in FORMS {
            let (out, objects) = compile(&dir, source, form);
            for object in &objects {
                assert_valid(&out, object);
            }
            for association in associations(&objects) {
                kinds.insert(format!(
                    "{} {}",
                    association["apiVersion"].as_str().unwrap(),
                    kind(association)
                ));
                assert_eq!(
                    association["metadata"]["labels"],
                    json!({"app.kubernetes.io/managed-by": "irsa"}),
                    "{out}"
                );
            }
        }
    }
    assert_eq!(
        kinds,
        BTreeSet::from(
            [
                "eks.aws.upbound.io/v1beta1 PodIdentityAssociation",
                "eks.services.k8s.aws/v1alpha1 PodIdentityAssociation",
            ]
            .map(str::to_owned)
        )
    );
}

#[test]
fn one_association_per_pod_identity_service_account_pointing_at_its_role() {
    let dir = Sandbox::new();
    for source in &SOURCES {
        for form in FORMS {
            let (out, objects) = compile(&dir, source, form);
            let roles: BTreeMap<&str, &Value> = objects
                .iter()
                .filter(|o| kind(o) == "Role")
                .map(|o| (name(o), o))
                .collect();
            let associations = associations(&objects);
            // Exactly one per Pod Identity ServiceAccount, in their order.
            let service_accounts: Vec<&str> = associations
                .iter()
                .map(|a| {
                    let spec = match form {
                        "ack" => &a["spec"],
                        _ => &a["spec"]["forProvider"],
                    };
                    spec["serviceAccount"].as_str().unwrap()
                })
                .collect();
            let expected: Vec<&str> = source.associations.iter().map(|(sa, _)| *sa).collect();
            assert_eq!(service_accounts, expected, "{out}");
            for (association, (sa, role)) in associations.iter().zip(source.associations) {
                // Named from the ServiceAccount (already a valid name).
                assert_eq!(name(association), *sa, "{out}");
                let (spec, reference, literal) = match form {
                    "ack" => {
                        assert_eq!(
                            association["metadata"]["namespace"], source.namespace,
                            "{out}: ACK objects go in the namespace"
                        );
                        let spec = &association["spec"];
                        (spec, &spec["roleRef"]["from"]["name"], &spec["roleARN"])
                    }
                    _ => {
                        let spec = &association["spec"]["forProvider"];
                        assert_eq!(spec["region"], source.region, "{out}");
                        (spec, &spec["roleArnRef"]["name"], &spec["roleArn"])
                    }
                };
                assert_eq!(spec["clusterName"], source.cluster, "{out} {sa}");
                assert_eq!(spec["namespace"], source.namespace, "{out} {sa}");
                match role {
                    Expected::Managed(role) => {
                        assert!(literal.is_null(), "{out} {sa}: a reference, not an ARN");
                        let object = reference.as_str().unwrap_or_else(|| {
                            panic!("{out} {sa}: no reference to the role's object")
                        });
                        let target = roles.get(object).unwrap_or_else(|| {
                            panic!("{out} {sa}: no Role object `{object}` in the output")
                        });
                        assert_eq!(role_name(form, target), *role, "{out} {sa}");
                        if form == "ack" {
                            // ACK resolves the reference in the object's namespace.
                            assert_eq!(
                                target["metadata"]["namespace"],
                                association["metadata"]["namespace"]
                            );
                            assert!(spec["roleRef"]["from"].get("namespace").is_none());
                        }
                    }
                    Expected::Literal(arn) => {
                        assert!(reference.is_null(), "{out} {sa}: an ARN, not a reference");
                        assert_eq!(literal, arn, "{out} {sa}");
                        assert!(arn.starts_with(&format!("arn:aws:iam::{ACCOUNT}:role/")));
                    }
                }
            }
            // Roles, their attachments, then the associations.
            let kinds: Vec<&str> = objects.iter().map(kind).collect();
            let first_association = kinds
                .iter()
                .position(|k| *k == "PodIdentityAssociation")
                .unwrap();
            assert!(
                kinds[..first_association]
                    .iter()
                    .all(|k| *k == "Role" || *k == "RolePolicyAttachment"),
                "{out}: {kinds:?}"
            );
            assert!(
                kinds[first_association..]
                    .iter()
                    .all(|k| *k == "PodIdentityAssociation"),
                "{out}: {kinds:?}"
            );
            let last_role = kinds.iter().rposition(|k| *k == "Role");
            let first_attachment = kinds.iter().position(|k| *k == "RolePolicyAttachment");
            if let (Some(role), Some(attachment)) = (last_role, first_attachment) {
                assert!(role < attachment, "{out}: {kinds:?}");
            }
        }
    }
}

#[test]
fn a_source_without_pod_identity_gets_no_association() {
    let dir = Sandbox::new();
    let source = Source {
        name: "irsa-only",
        text: "namespace spinnaker\naccount 123456789012\ncluster prod\n\
               oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\n\
               role spinnaker\nservice * -> role spinnaker\n",
        namespace: "spinnaker",
        cluster: "prod",
        region: "us-west-2",
        associations: &[],
    };
    for form in FORMS {
        let (out, objects) = compile(&dir, &source, form);
        assert!(!objects.is_empty(), "{out}");
        assert!(associations(&objects).is_empty(), "{out}");
    }
}

#[test]
fn crossplane_associations_need_a_region() {
    let dir = Sandbox::new();
    dir.write(
        "no-region.irsa",
        "namespace spinnaker\naccount 123456789012\ncluster prod\n\
         service * -> role spinnaker {\n  identity pod-identity\n}\n",
    );
    let run = dir.irsa(
        &[
            "compile",
            "no-region.irsa",
            "--iam",
            "crossplane",
            "-o",
            "out",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("E100"), "{}", run.stderr);
    assert!(!dir.exists("out"));
    // ACK needs none: the controller's own region.
    irsa_ok(
        &dir,
        &["compile", "no-region.irsa", "--iam", "ack", "-o", "ack"],
    );
    let objects = yaml_documents(&dir.read("ack/iam.yaml"));
    assert_eq!(associations(&objects).len(), 1);
    for object in &objects {
        assert_valid("no-region --iam ack", object);
    }
}

/// The CRD check bites: a misspelt field, a missing required field, a
/// reference of the other form's shape.
#[test]
fn the_crd_checks_catch_broken_associations() {
    let dir = Sandbox::new();
    let (_, ack) = compile(&dir, &FROM_ISSUER, "ack");
    let (_, crossplane) = compile(&dir, &FROM_ISSUER, "crossplane");
    let ack = associations(&ack)[0].clone();
    let crossplane = associations(&crossplane)[0].clone();
    assert_valid("ack", &ack);
    assert_valid("crossplane", &crossplane);

    let broken: Vec<(&str, Value, &str)> = vec![
        (
            "ACK: serviceAccount misspelt",
            renamed(&ack, &["spec"], "serviceAccount", "serviceAcount"),
            "serviceAcount",
        ),
        (
            "ACK: roleArn, Crossplane's spelling",
            with_value(&ack, &["spec", "roleArn"], json!("arn:aws:iam::1:role/x")),
            "roleArn",
        ),
        (
            "ACK: Crossplane's reference shape",
            with_value(&ack, &["spec", "roleRef"], json!({"name": "spinnaker"})),
            "roleRef.name",
        ),
        (
            "ACK: no namespace (required)",
            without(&ack, &["spec"], "namespace"),
            "namespace",
        ),
        (
            "Crossplane: clusterName misspelt",
            renamed(
                &crossplane,
                &["spec", "forProvider"],
                "clusterName",
                "clustername",
            ),
            "clustername",
        ),
        (
            "Crossplane: no region (required by the schema)",
            without(&crossplane, &["spec", "forProvider"], "region"),
            "region",
        ),
        (
            "Crossplane: no serviceAccount (the CEL rule)",
            without(&crossplane, &["spec", "forProvider"], "serviceAccount"),
            "serviceAccount is a required parameter",
        ),
        (
            "Crossplane: ACK's reference shape",
            with_value(
                &crossplane,
                &["spec", "forProvider", "roleArnRef"],
                json!({"from": {"name": "spinnaker"}}),
            ),
            "name",
        ),
        (
            "Crossplane: a namespace on a cluster-scoped object",
            with_value(&crossplane, &["metadata", "namespace"], json!("spinnaker")),
            "cluster-scoped",
        ),
    ];
    for (what, object, expected) in broken {
        let problems = problems(&object);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{what}: not caught (expected a problem with `{expected}`): {problems:#?}"
        );
    }
}

// ---------------------------------------------------------------- kustomize

fn by_kind_and_name(documents: &[Value]) -> BTreeMap<(String, String), Value> {
    documents
        .iter()
        .map(|d| ((kind(d).to_owned(), name(d).to_owned()), d.clone()))
        .collect()
}

#[test]
fn kubectl_kustomize_builds_the_directory_with_the_associations() {
    let dir = Sandbox::new();
    for source in &SOURCES {
        for form in FORMS {
            let (out, objects) = compile(&dir, source, form);
            let files = dir.tree(&out);
            assert!(
                files["kustomization.yaml"].contains("resources:\n- iam.yaml\n"),
                "{out}: iam.yaml is the first resource"
            );
            let built = by_kind_and_name(&kustomize(&dir.join(&out)));
            let associations = associations(&objects);
            assert_eq!(associations.len(), source.associations.len(), "{out}");
            for association in associations {
                let key = (kind(association).to_owned(), name(association).to_owned());
                assert_eq!(built.get(&key), Some(association), "{out}: {key:?}");
            }
            // The stream leads with the same objects as iam.yaml.
            let file = format!("{}.irsa", source.name);
            let stream = yaml_documents(&irsa_ok(&dir, &["compile", &file, "--iam", form]));
            assert_eq!(stream[..objects.len()], objects[..], "{out}");
        }
    }
}

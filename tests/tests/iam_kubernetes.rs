//! `--iam ack` and `--iam crossplane` against their real consumers: every
//! object validates against the `openAPIV3Schema` of its CRD in `schemas/`
//! (fields, types, required fields, fields the API server would prune) and
//! satisfies the CRD's CEL rules (`x-kubernetes-validations`); names are
//! DNS-1123 subdomains, namespaces follow the CRD's scope, references point
//! at objects of the output; and `kubectl kustomize` builds the `-o DIR`
//! tree, `iam.yaml` included, as a Kustomization and as a Component.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};

use irsa::ir::Install;
use irsa::{EmitOptions, IamForm, Output};
use irsa_test_support::kubernetes::{
    api_server_problems, assert_accepted, kustomize, renamed, required_parameter_rule, with_value,
    without,
};
use irsa_test_support::{Sandbox, yaml_documents};
use serde_json::{Value, json};

const FORMS: [IamForm; 2] = [IamForm::Ack, IamForm::Crossplane];

// ---------------------------------------------------------------- inputs

const HEADER: &str = "namespace spinnaker
account 123456789012
cluster prod
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE
";

/// Section 10's example.
const SECTION_10: &str = r#"namespace spinnaker
account 123456789012
cluster prod
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE

role spinnaker {
  policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  policy arn:aws:iam::123456789012:policy/spinnaker-front50
  description "Spinnaker core services"
  max-session 2h
  tag "team" "platform"
}

service * -> role spinnaker
"#;

/// Every setting, a role with a path, a role without a block, a role two
/// ServiceAccounts share, and a role that is not managed.
const EVERY_SETTING: &str = r#"
role spinnaker {
  policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
  policy arn:aws:iam::123456789012:policy/team/spinnaker-front50
  boundary arn:aws:iam::123456789012:policy/boundaries/spinnaker
  description "Spinnaker's \"core\" services:\tgate, orca (é)\nsecond line"
  max-session 12h
  tag "team name" "a:b/c=d+e-f@g _."
  tag "empty" ""
  tag "on" "yes"
}
role bakery/Rosco_Baker
role Spin_Echo {
  policy arn:aws:iam::aws:policy/team/Read_Only
}

service * -> role spinnaker
service rosco -> role bakery/Rosco_Baker
service echo, igor -> role Spin_Echo
service front50 -> role arn:aws:iam::123456789012:role/existing
"#;

/// Role names that collide once made object names, and policy names that
/// collide once joined to them.
const COLLIDING_NAMES: &str = "
role Spin_A {
  policy arn:aws:iam::123456789012:policy/Read_Only
  policy arn:aws:iam::123456789012:policy/other/read-only
}
role spin-a {
  policy arn:aws:iam::aws:policy/2-x
}
role a..b
role __x__
role x
role p/x.-y
role a-2 {
  policy arn:aws:iam::123456789012:policy/x
}

service clouddriver -> role Spin_A
service deck -> role spin-a
service echo -> role a..b
service fiat -> role __x__
service front50 -> role x
service gate -> role p/x.-y
service igor -> role a-2
";

/// The most a role may have: 50 tags (with irsa's) and 20 policies.
fn most() -> String {
    let mut source = String::from("role spinnaker {\n");
    for n in 1..=20 {
        source.push_str(&format!("  policy arn:aws:iam::123456789012:policy/p{n}\n"));
    }
    for n in 1..50 {
        source.push_str(&format!("  tag \"key-{n:02}\" \"{}\"\n", "v".repeat(256)));
    }
    source.push_str("}\nservice * -> role spinnaker\n");
    source
}

/// The sources, by name.
fn sources() -> Vec<(&'static str, String)> {
    vec![
        ("section-10", SECTION_10.to_owned()),
        ("every-setting", format!("{HEADER}{EVERY_SETTING}")),
        ("colliding-names", format!("{HEADER}{COLLIDING_NAMES}")),
        ("most", format!("{HEADER}{}", most())),
    ]
}

fn install(source: &str) -> Install {
    let analysis = irsa::analyze(source);
    analysis
        .install
        .unwrap_or_else(|| panic!("{source}\n{:#?}", analysis.diagnostics))
}

/// Every source with the install it compiles to, by name.
fn installs() -> Vec<(&'static str, Install)> {
    sources()
        .into_iter()
        .map(|(name, source)| (name, install(&source)))
        .collect()
}

fn emit(install: &Install, form: IamForm, component: bool) -> Output {
    irsa::emit::emit(
        install,
        EmitOptions {
            component,
            iam: Some(form),
        },
    )
    .unwrap()
}

/// The objects of `iam.yaml`.
fn iam_objects(output: &Output) -> Vec<Value> {
    let file = output
        .files
        .iter()
        .find(|f| f.path == "iam.yaml")
        .expect("iam.yaml is written");
    yaml_documents(&file.content)
}

// ---------------------------------------------------------------- checks

// ---------------------------------------------------------------- tests

#[test]
fn every_object_is_valid_against_its_crd() {
    let mut kinds = BTreeSet::new();
    for (name, install) in installs() {
        for form in FORMS {
            let objects = iam_objects(&emit(&install, form, false));
            assert!(!objects.is_empty(), "{name}: no objects");
            for object in &objects {
                assert_accepted(&format!("{name} --iam {}", form.as_str()), object);
                kinds.insert(format!("{} {}", object["apiVersion"], object["kind"]));
            }
        }
    }
    assert_eq!(
        kinds,
        BTreeSet::from(
            [
                r#""iam.aws.upbound.io/v1beta1" "Role""#,
                r#""iam.aws.upbound.io/v1beta1" "RolePolicyAttachment""#,
                r#""iam.services.k8s.aws/v1alpha1" "Role""#,
            ]
            .map(str::to_owned)
        ),
        "every kind is checked"
    );
}

#[test]
fn objects_say_what_the_managed_roles_say() {
    for (name, install) in installs() {
        for form in FORMS {
            let objects = iam_objects(&emit(&install, form, false));
            let roles: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Role").collect();
            assert_eq!(roles.len(), install.managed_roles.len(), "{name}");
            for (object, managed) in roles.iter().zip(&install.managed_roles) {
                let trust = install.trust_policy_of(&managed.role).unwrap();
                let trust = irsa::policy::compact(&irsa::policy::trust_policy(trust));
                let labels = &object["metadata"]["labels"];
                assert_eq!(labels, &json!({"app.kubernetes.io/managed-by": "irsa"}));
                let tags: BTreeMap<String, String>;
                match form {
                    IamForm::Ack => {
                        let spec = &object["spec"];
                        assert_eq!(spec["name"], managed.role.name.as_str(), "{name}");
                        assert_eq!(spec["path"], managed.role.path.as_str(), "{name}");
                        assert_eq!(spec["assumeRolePolicyDocument"], trust.as_str());
                        assert_eq!(spec["description"].as_str(), managed.description.as_deref());
                        assert_eq!(spec["maxSessionDuration"].as_u64(), managed.max_session);
                        assert_eq!(
                            spec["permissionsBoundary"].as_str(),
                            managed.boundary.as_deref()
                        );
                        let policies: Vec<String> = spec["policies"]
                            .as_array()
                            .map(|p| p.iter().map(|p| p.as_str().unwrap().to_owned()).collect())
                            .unwrap_or_default();
                        assert_eq!(policies, managed.policies, "{name}");
                        tags = spec["tags"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|t| {
                                (
                                    t["key"].as_str().unwrap().to_owned(),
                                    t["value"].as_str().unwrap().to_owned(),
                                )
                            })
                            .collect();
                        assert_eq!(
                            object["metadata"]["namespace"].as_str(),
                            install.namespace.as_ref().map(|n| n.value.as_str()),
                            "{name}: ACK objects go in the namespace"
                        );
                    }
                    _ => {
                        assert_eq!(
                            object["metadata"]["annotations"]["crossplane.io/external-name"],
                            managed.role.name.as_str(),
                            "{name}"
                        );
                        let parameters = &object["spec"]["forProvider"];
                        assert_eq!(parameters["path"], managed.role.path.as_str());
                        assert_eq!(parameters["assumeRolePolicy"], trust.as_str());
                        assert_eq!(
                            parameters["description"].as_str(),
                            managed.description.as_deref()
                        );
                        assert_eq!(
                            parameters["maxSessionDuration"].as_u64(),
                            managed.max_session
                        );
                        assert_eq!(
                            parameters["permissionsBoundary"].as_str(),
                            managed.boundary.as_deref()
                        );
                        tags = serde_json::from_value(parameters["tags"].clone()).unwrap();
                    }
                }
                assert_eq!(tags, managed.tags, "{name}");
            }
            if form == IamForm::Crossplane {
                // One attachment per policy, each referring to its role's object.
                let role_objects: BTreeMap<&str, &str> = roles
                    .iter()
                    .zip(&install.managed_roles)
                    .map(|(o, m)| {
                        (
                            o["metadata"]["name"].as_str().unwrap(),
                            m.role.name.as_str(),
                        )
                    })
                    .collect();
                let attached: Vec<(String, String)> = objects
                    .iter()
                    .filter(|o| o["kind"] == "RolePolicyAttachment")
                    .map(|o| {
                        let parameters = &o["spec"]["forProvider"];
                        let object = parameters["roleRef"]["name"].as_str().unwrap();
                        let role = role_objects
                            .get(object)
                            .unwrap_or_else(|| panic!("{name}: no Role object {object}"));
                        (
                            (*role).to_owned(),
                            parameters["policyArn"].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect();
                let expected: Vec<(String, String)> = install
                    .managed_roles
                    .iter()
                    .flat_map(|m| m.policies.iter().map(|p| (m.role.name.clone(), p.clone())))
                    .collect();
                assert_eq!(attached, expected, "{name}");
            }
        }
    }
}

#[test]
fn names_are_unique_per_kind() {
    for (name, install) in installs() {
        for form in FORMS {
            let objects = iam_objects(&emit(&install, form, false));
            let mut seen = BTreeSet::new();
            for object in &objects {
                let key = (
                    object["kind"].as_str().unwrap().to_owned(),
                    object["metadata"]["name"].as_str().unwrap().to_owned(),
                );
                assert!(seen.insert(key.clone()), "{name}: {key:?} twice");
            }
        }
    }
    let (_, install) = installs()
        .into_iter()
        .find(|(n, _)| *n == "colliding-names")
        .unwrap();
    let objects = iam_objects(&emit(&install, IamForm::Crossplane, false));
    let names: Vec<String> = objects
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["kind"].as_str().unwrap(),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "Role/spin-a",
            "Role/spin-a-2",
            "Role/a--b",
            "Role/x",
            "Role/x-2",
            "Role/x--y",
            "Role/a-2",
            "RolePolicyAttachment/spin-a-read-only",
            "RolePolicyAttachment/spin-a-read-only-2",
            "RolePolicyAttachment/spin-a-2-2-x",
            "RolePolicyAttachment/a-2-x",
        ]
    );
}

/// The schema check bites: objects with a wrong field, a wrong type or a
/// missing required parameter are caught.
#[test]
fn the_checks_catch_broken_objects() {
    let (_, install) = installs().into_iter().next().unwrap();
    let ack = iam_objects(&emit(&install, IamForm::Ack, false)).remove(0);
    let crossplane = iam_objects(&emit(&install, IamForm::Crossplane, false));
    let role = crossplane[0].clone();
    let attachment = crossplane
        .iter()
        .find(|o| o["kind"] == "RolePolicyAttachment")
        .unwrap()
        .clone();
    assert_accepted("ack", &ack);
    assert_accepted("crossplane", &role);
    assert_accepted("crossplane", &attachment);

    let broken: Vec<(&str, Value, &str)> = vec![
        (
            "ACK: the Crossplane spelling of the trust policy",
            renamed(
                &ack,
                &["spec"],
                "assumeRolePolicyDocument",
                "assumeRolePolicy",
            ),
            "assumeRolePolicyDocument",
        ),
        (
            "ACK: the session as a string",
            with_value(&ack, &["spec", "maxSessionDuration"], json!("3600")),
            "maxSessionDuration",
        ),
        (
            "ACK: tags as a map",
            with_value(&ack, &["spec", "tags"], json!({"team": "platform"})),
            "tags",
        ),
        ("ACK: no name", without(&ack, &["spec"], "name"), "name"),
        (
            "Crossplane: no trust policy (the CEL rule)",
            without(&role, &["spec", "forProvider"], "assumeRolePolicy"),
            "assumeRolePolicy is a required parameter",
        ),
        (
            "Crossplane: tags as ACK's list",
            with_value(
                &role,
                &["spec", "forProvider", "tags"],
                json!([{"key": "team", "value": "platform"}]),
            ),
            "tags",
        ),
        (
            "Crossplane: a name that is not a DNS-1123 subdomain",
            with_value(&role, &["metadata", "name"], json!("Spin_A")),
            "DNS-1123",
        ),
        (
            "Crossplane: a namespace on a cluster-scoped object",
            with_value(&role, &["metadata", "namespace"], json!("spinnaker")),
            "cluster-scoped",
        ),
        (
            "Crossplane: the attachment's Terraform spelling",
            renamed(
                &attachment,
                &["spec", "forProvider"],
                "policyArn",
                "policy_arn",
            ),
            "policy_arn",
        ),
        (
            "Crossplane: a reference without a name",
            with_value(&attachment, &["spec", "forProvider", "roleRef"], json!({})),
            "name",
        ),
    ];
    for (what, object, expected) in broken {
        let (_, problems) = api_server_problems(&object);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{what}: not caught (expected a problem with `{expected}`): {problems:#?}"
        );
    }
}

#[test]
fn cel_rules_of_the_crds_are_all_read() {
    // Every rule of the vendored CRDs is one this test evaluates.
    let mut rules = 0;
    for crd in irsa_test_support::kubernetes::crds() {
        let mut pending = vec![&crd.schema];
        while let Some(schema) = pending.pop() {
            if let Some(list) = schema.get("x-kubernetes-validations") {
                for rule in list.as_array().unwrap() {
                    let text = rule["rule"].as_str().unwrap();
                    assert!(
                        required_parameter_rule(text).is_some(),
                        "{}: {text}",
                        crd.file
                    );
                    rules += 1;
                }
            }
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                pending.extend(properties.values());
            }
            pending.extend(schema.get("items"));
            pending.extend(schema.get("additionalProperties"));
        }
    }
    assert!(rules >= 3, "{rules} rules");
    assert_eq!(
        required_parameter_rule(
            "!('*' in self.managementPolicies || 'Create' in self.managementPolicies\n  || 'Update' in self.managementPolicies) || has(self.forProvider.__namespace__)\n  || (has(self.initProvider) && has(self.initProvider.__namespace__))"
        )
        .as_deref(),
        Some("namespace")
    );
}

// ---------------------------------------------------------------- kustomize

fn by_kind_and_name(documents: &[Value]) -> BTreeMap<(String, String, String), Value> {
    documents
        .iter()
        .map(|d| {
            (
                (
                    d["apiVersion"].as_str().unwrap().to_owned(),
                    d["kind"].as_str().unwrap().to_owned(),
                    d["metadata"]["name"].as_str().unwrap().to_owned(),
                ),
                d.clone(),
            )
        })
        .collect()
}

/// `irsa ARGS` in the sandbox, which must succeed; its standard output.
fn irsa_ok(dir: &Sandbox, args: &[&str]) -> String {
    let run = dir.irsa(args, None);
    assert_eq!(run.code, 0, "irsa {args:?}: {}", run.stderr);
    run.stdout
}

#[test]
fn kubectl_kustomize_builds_the_directory_with_iam_yaml() {
    let dir = Sandbox::new();
    for (name, source) in sources() {
        let file = format!("{name}.irsa");
        dir.write(&file, &source);
        for form in FORMS {
            let form = form.as_str();
            let out = format!("{name}-{form}");
            irsa_ok(&dir, &["check", &file, "--iam", form]);
            irsa_ok(&dir, &["compile", &file, "--iam", form, "-o", &out]);
            let stream = yaml_documents(&irsa_ok(&dir, &["compile", &file, "--iam", form]));
            let files = dir.tree(&out);
            assert!(
                files["kustomization.yaml"].contains("resources:\n- iam.yaml\n"),
                "{out}: iam.yaml is the first resource"
            );
            // The IAM objects lead the stream, and are iam.yaml.
            let iam = yaml_documents(&files["iam.yaml"]);
            assert_eq!(stream[..iam.len()], iam[..], "{out}");
            assert!(
                stream[iam.len()..]
                    .iter()
                    .all(|o| o["apiVersion"] == "v1" || o["kind"] == "SpinnakerService")
            );
            for object in &iam {
                assert_accepted(&out, object);
            }
            let built = by_kind_and_name(&kustomize(&dir.join(&out)));
            assert_eq!(
                built,
                by_kind_and_name(&stream),
                "{out}: kustomize builds exactly the stream's objects"
            );
        }
    }
}

#[test]
fn kubectl_kustomize_takes_the_component_with_iam_yaml() {
    for form in FORMS {
        let form = form.as_str();
        let dir = Sandbox::new();
        dir.write("spinnaker.irsa", SECTION_10);
        irsa_ok(
            &dir,
            &[
                "compile",
                "spinnaker.irsa",
                "--iam",
                form,
                "--component",
                "-o",
                "irsa",
            ],
        );
        dir.write(
            "spinnakerservice.yaml",
            "apiVersion: spinnaker.armory.io/v1alpha2\nkind: SpinnakerService\n\
             metadata:\n  name: spinnaker\n  namespace: spinnaker\nspec:\n  expose:\n    type: service\n",
        );
        dir.write(
            "kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\
             resources:\n- spinnakerservice.yaml\ncomponents:\n- irsa\n",
        );
        let built = by_kind_and_name(&kustomize(dir.path()));
        let iam = by_kind_and_name(&yaml_documents(&dir.read("irsa/iam.yaml")));
        assert!(!iam.is_empty());
        for (key, object) in &iam {
            assert_eq!(built.get(key), Some(object), "{form}: {key:?}");
        }
        let service = built
            .values()
            .find(|o| o["kind"] == "SpinnakerService")
            .unwrap();
        assert_eq!(service["spec"]["expose"]["type"], "service");
        assert_eq!(
            service["spec"]["spinnakerConfig"]["service-settings"]["spinnaker"]["kubernetes"]["serviceAccountName"],
            "spin-sa"
        );
    }
}

#[test]
fn section_10_gives_these_objects() {
    let dir = Sandbox::new();
    dir.write("spinnaker.irsa", SECTION_10);
    let names = |form: &str| -> Vec<String> {
        yaml_documents(&irsa_ok(
            &dir,
            &["compile", "spinnaker.irsa", "--iam", form],
        ))
        .iter()
        .map(|o| {
            format!(
                "{} {} {}/{}",
                o["apiVersion"].as_str().unwrap(),
                o["kind"].as_str().unwrap(),
                o["metadata"]["namespace"].as_str().unwrap_or("-"),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect()
    };
    assert_eq!(
        names("ack"),
        [
            "iam.services.k8s.aws/v1alpha1 Role spinnaker/spinnaker",
            "v1 ServiceAccount spinnaker/spin-sa",
            "spinnaker.armory.io/v1alpha2 SpinnakerService spinnaker/spinnaker",
        ]
    );
    assert_eq!(
        names("crossplane"),
        [
            "iam.aws.upbound.io/v1beta1 Role -/spinnaker",
            "iam.aws.upbound.io/v1beta1 RolePolicyAttachment -/spinnaker-amazons3readonlyaccess",
            "iam.aws.upbound.io/v1beta1 RolePolicyAttachment -/spinnaker-spinnaker-front50",
            "v1 ServiceAccount spinnaker/spin-sa",
            "spinnaker.armory.io/v1alpha2 SpinnakerService spinnaker/spinnaker",
        ]
    );
}

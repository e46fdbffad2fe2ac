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
use std::path::Path;
use std::process::Command;

use irsa::ir::Install;
use irsa::{EmitOptions, IamForm, Output};
use irsa_test_support::kubernetes::{Crd, crd_for};
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

/// Everything the API server (with the CRDs installed) would reject or
/// prune in an object: [`Crd::problems`] and the CEL rules.
fn problems(object: &Value) -> (Crd, Vec<String>) {
    let crd = crd_for(
        object["apiVersion"].as_str().unwrap(),
        object["kind"].as_str().unwrap(),
    );
    let mut problems = crd.problems(object);
    problems.extend(cel_problems(object, &crd.schema, ""));
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if !is_dns1123_subdomain(name) {
        problems.push(format!(
            ".metadata.name: `{name}` is not a DNS-1123 subdomain"
        ));
    }
    match crd.scope.as_str() {
        "Cluster" if object["metadata"].get("namespace").is_some() => {
            problems.push(".metadata.namespace: the CRD is cluster-scoped".to_owned());
        }
        _ => {}
    }
    (crd, problems)
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`, at
/// most 253 characters: what the API server takes as an object's name.
fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
            label.starts_with(alphanumeric)
                && label.ends_with(alphanumeric)
                && label.chars().all(|c| alphanumeric(c) || c == '-')
        })
}

/// The CEL rules of the schema at every level of the object. A Kubernetes
/// API server evaluates them; JSON Schema does not. The CRDs of `schemas/`
/// have only the rules upjet generates for required parameters, so those
/// are evaluated here (with `managementPolicies` defaulted as the schema
/// says); any other rule fails the test rather than pass unread.
fn cel_problems(value: &Value, schema: &Value, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(rules) = schema.get("x-kubernetes-validations") {
        for rule in rules.as_array().unwrap() {
            let text = rule["rule"].as_str().unwrap();
            let field = required_parameter_rule(text)
                .unwrap_or_else(|| panic!("{path}: a CEL rule this test cannot read: {text}"));
            let policies = value
                .get("managementPolicies")
                .cloned()
                .unwrap_or_else(|| schema["properties"]["managementPolicies"]["default"].clone());
            let acts = policies
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == "*" || p == "Create" || p == "Update");
            let has = |parameters: &str| value[parameters].get(&field).is_some();
            if acts && !has("forProvider") && !has("initProvider") {
                problems.push(format!("{path}: {}", rule["message"].as_str().unwrap()));
            }
        }
    }
    if let Value::Object(map) = value {
        for (key, child) in map {
            if let Some(child_schema) = schema["properties"].get(key) {
                problems.extend(cel_problems(child, child_schema, &format!("{path}.{key}")));
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            problems.extend(cel_problems(item, item_schema, &format!("{path}[{i}]")));
        }
    }
    problems
}

/// The parameter of upjet's rule "spec.forProvider.FIELD is a required
/// parameter", or `None` for any other rule.
fn required_parameter_rule(rule: &str) -> Option<String> {
    let rule = rule.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = rule.strip_prefix(
        "!('*' in self.managementPolicies || 'Create' in self.managementPolicies || \
         'Update' in self.managementPolicies) || has(self.forProvider.",
    )?;
    let (field, rest) = rest.split_once(')')?;
    (rest == format!(" || (has(self.initProvider) && has(self.initProvider.{field}))")).then(|| {
        // CEL escapes a reserved word as `__word__`.
        field
            .strip_prefix("__")
            .and_then(|f| f.strip_suffix("__"))
            .unwrap_or(field)
            .to_owned()
    })
}

fn assert_valid(name: &str, object: &Value) {
    let (crd, problems) = problems(object);
    assert!(
        problems.is_empty(),
        "{name}: {} {} against {}: {problems:#?}\n{object:#}",
        object["kind"],
        object["metadata"]["name"],
        crd.file
    );
}

// ---------------------------------------------------------------- tests

#[test]
fn every_object_is_valid_against_its_crd() {
    let mut kinds = BTreeSet::new();
    for (name, install) in installs() {
        for form in FORMS {
            let objects = iam_objects(&emit(&install, form, false));
            assert!(!objects.is_empty(), "{name}: no objects");
            for object in &objects {
                assert_valid(&format!("{name} --iam {}", form.as_str()), object);
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
    assert_valid("ack", &ack);
    assert_valid("crossplane", &role);
    assert_valid("crossplane", &attachment);

    let broken: Vec<(&str, Value, &str)> = vec![
        (
            "ACK: the Crossplane spelling of the trust policy",
            rename(
                &ack,
                &["spec"],
                "assumeRolePolicyDocument",
                "assumeRolePolicy",
            ),
            "assumeRolePolicyDocument",
        ),
        (
            "ACK: the session as a string",
            set(&ack, &["spec", "maxSessionDuration"], json!("3600")),
            "maxSessionDuration",
        ),
        (
            "ACK: tags as a map",
            set(&ack, &["spec", "tags"], json!({"team": "platform"})),
            "tags",
        ),
        ("ACK: no name", remove(&ack, &["spec"], "name"), "name"),
        (
            "Crossplane: no trust policy (the CEL rule)",
            remove(&role, &["spec", "forProvider"], "assumeRolePolicy"),
            "assumeRolePolicy is a required parameter",
        ),
        (
            "Crossplane: tags as ACK's list",
            set(
                &role,
                &["spec", "forProvider", "tags"],
                json!([{"key": "team", "value": "platform"}]),
            ),
            "tags",
        ),
        (
            "Crossplane: a name that is not a DNS-1123 subdomain",
            set(&role, &["metadata", "name"], json!("Spin_A")),
            "DNS-1123",
        ),
        (
            "Crossplane: a namespace on a cluster-scoped object",
            set(&role, &["metadata", "namespace"], json!("spinnaker")),
            "cluster-scoped",
        ),
        (
            "Crossplane: the attachment's Terraform spelling",
            rename(
                &attachment,
                &["spec", "forProvider"],
                "policyArn",
                "policy_arn",
            ),
            "policy_arn",
        ),
        (
            "Crossplane: a reference without a name",
            set(&attachment, &["spec", "forProvider", "roleRef"], json!({})),
            "name",
        ),
    ];
    for (what, object, expected) in broken {
        let (_, problems) = problems(&object);
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{what}: not caught (expected a problem with `{expected}`): {problems:#?}"
        );
    }
}

fn set(object: &Value, path: &[&str], value: Value) -> Value {
    let mut object = object.clone();
    let mut at = &mut object;
    for key in path {
        at = &mut at[*key];
    }
    *at = value;
    object
}

fn remove(object: &Value, path: &[&str], key: &str) -> Value {
    let mut object = object.clone();
    let mut at = &mut object;
    for step in path {
        at = &mut at[*step];
    }
    at.as_object_mut().unwrap().remove(key).unwrap();
    object
}

fn rename(object: &Value, path: &[&str], from: &str, to: &str) -> Value {
    let mut object = object.clone();
    let mut at = &mut object;
    for step in path {
        at = &mut at[*step];
    }
    let map = at.as_object_mut().unwrap();
    let value = map.remove(from).unwrap();
    map.insert(to.to_owned(), value);
    object
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

fn kustomize(dir: &Path) -> Vec<Value> {
    let output = Command::new("kubectl")
        .args(["kustomize", &dir.display().to_string()])
        .output()
        .expect("kubectl is installed (`cargo xtask ci` installs it)");
    assert!(
        output.status.success(),
        "kubectl kustomize {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    yaml_documents(&String::from_utf8(output.stdout).unwrap())
}

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
                assert_valid(&out, object);
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

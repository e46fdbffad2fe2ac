//! EKS Pod Identity (LANGUAGE.md section 11) with its real consumer: every
//! `pod-identity/SA.json` that irsa writes is valid input of
//! `aws eks create-pod-identity-association --cli-input-json`, checked against
//! the EKS API model that the AWS CLI itself uses (botocore's
//! `CreatePodIdentityAssociation` input shape, `validate_parameters`).
//! botocore lives in the virtualenv `cargo xtask ci` makes under
//! `target/venv`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use irsa_test_support::{Sandbox, examples, irsa, relative, root, tree};
use serde_json::Value;

/// Sources beside the examples: every identity, shared ServiceAccounts, a
/// China-partition role, odd names.
const SOURCES: [&str; 3] = [
    "namespace spinnaker\ncluster prod\nservice deck, redis -> role arn:aws:iam::123456789012:role/ui as spin-ui {\n  identity pod-identity\n}\nservice terraformer -> role arn:aws:iam::123456789012:role/tf {\n  identity pod-identity\n}\n",
    "namespace spin-prod\naccount 123456789012\npartition aws-cn\ncluster cn_prod-1\noidc oidc.eks.cn-north-1.amazonaws.com.cn/id/ABCDEF\nservice * -> role spinnaker {\n  identity both\n}\nservice deck -> role deck/ui {\n  identity pod-identity\n}\n",
    "namespace a\naccount 123456789012\ncluster c\noidc oidc.eks.us-east-1.amazonaws.com/id/X\ndefaults {\n  identity both\n}\nservice echo -> role r\nservice igor -> role r\nservice gate -> role g as gate.sa\n",
];

/// Every `-o DIR` tree of the examples and of [`SOURCES`], by a name.
fn outputs(sandbox: &Sandbox) -> Vec<(String, PathBuf)> {
    let mut trees: Vec<(String, PathBuf)> = examples()
        .into_iter()
        .map(|example| (relative(&example), example.with_extension("")))
        .collect();
    for (index, source) in SOURCES.iter().enumerate() {
        let out = sandbox.path().join(format!("source-{index}"));
        let run = irsa(
            &["compile", "-o", out.to_str().unwrap()],
            &root(),
            Some(source.as_bytes()),
        );
        assert_eq!(run.code, 0, "source {index}: {}", run.stderr);
        trees.push((format!("source {index}"), out));
    }
    trees
}

fn python() -> PathBuf {
    let python = root().join("target/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: `cargo xtask ci` makes the virtualenv with botocore (or run: python3 -m venv target/venv && target/venv/bin/pip install botocore)",
        python.display()
    );
    python
}

/// Validates JSON files against botocore's input shape of
/// `CreatePodIdentityAssociation`; returns each file's error, or "ok".
fn botocore_verdicts(files: &[PathBuf]) -> Vec<String> {
    const SCRIPT: &str = r#"
import json, sys
import botocore.session
from botocore.validate import validate_parameters
shape = botocore.session.get_session().get_service_model("eks").operation_model("CreatePodIdentityAssociation").input_shape
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            validate_parameters(json.load(f), shape)
        print("ok")
    except Exception as error:
        print(str(error).replace("\n", " "))
"#;
    let output = Command::new(python())
        .arg("-c")
        .arg(SCRIPT)
        .args(files)
        .output()
        .expect("running python");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn association_files(dir: &Path) -> Vec<PathBuf> {
    tree(dir)
        .into_keys()
        .filter(|path| path.starts_with("pod-identity/"))
        .map(|path| dir.join(path))
        .collect()
}

#[test]
fn every_association_is_valid_input_of_the_eks_api() {
    let sandbox = Sandbox::new();
    let files: Vec<PathBuf> = outputs(&sandbox)
        .iter()
        .flat_map(|(_, dir)| association_files(dir))
        .collect();
    // Proves the check ran on associations: examples and sources have them.
    assert!(files.len() >= 10, "only {} association files", files.len());
    let verdicts = botocore_verdicts(&files);
    assert_eq!(verdicts.len(), files.len());
    for (file, verdict) in files.iter().zip(&verdicts) {
        assert_eq!(verdict, "ok", "{}", file.display());
    }
}

#[test]
fn botocore_rejects_a_broken_association() {
    let sandbox = Sandbox::new();
    let broken = sandbox.path().join("broken.json");
    std::fs::write(
        &broken,
        r#"{"clusterName": "prod", "namespace": "spinnaker", "serviceAcount": "spin-sa", "roleArn": "arn:aws:iam::123456789012:role/r"}"#,
    )
    .unwrap();
    let verdicts = botocore_verdicts(&[broken]);
    assert!(verdicts[0].contains("serviceAccount"), "{verdicts:?}");
}

/// The ServiceAccounts of the stream: name → (role annotation, identity as
/// the trust policies must see it).
fn service_accounts(dir: &Path) -> Vec<(String, Option<String>)> {
    let Ok(text) = std::fs::read_to_string(dir.join("serviceaccounts.yaml")) else {
        return Vec::new();
    };
    irsa_test_support::yaml_documents(&text)
        .iter()
        .map(|account| {
            (
                account["metadata"]["name"].as_str().unwrap().to_owned(),
                account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
                    .as_str()
                    .map(str::to_owned),
            )
        })
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
        other => panic!("not a string or list: {other}"),
    }
}

/// Each trust policy admits exactly its ServiceAccounts, each way: the IRSA
/// statement's `:sub` are the ServiceAccounts annotated with the role, the
/// Pod Identity statement's ServiceAccounts are those with an association
/// for the role, and no ServiceAccount of another role appears.
#[test]
fn trust_policies_admit_exactly_their_service_accounts() {
    let sandbox = Sandbox::new();
    let mut checked = (0, 0);
    for (name, dir) in outputs(&sandbox) {
        let accounts = service_accounts(&dir);
        let associations: Vec<Value> = association_files(&dir)
            .iter()
            .map(|file| serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap())
            .collect();
        for (path, text) in tree(&dir) {
            if !path.starts_with("trust-policies/") {
                continue;
            }
            let policy: Value = serde_json::from_str(&text).unwrap();
            for statement in policy["Statement"].as_array().unwrap() {
                let conditions = &statement["Condition"]["StringEquals"];
                if let Some(federated) = statement["Principal"]["Federated"].as_str() {
                    let issuer = federated.split_once(":oidc-provider/").unwrap().1;
                    let subjects: Vec<String> = strings(&conditions[format!("{issuer}:sub")])
                        .iter()
                        .map(|s| s.rsplit(':').next().unwrap().to_owned())
                        .collect();
                    // The subjects carry one role annotation, and every
                    // ServiceAccount annotated with that role is a subject.
                    let role_of = |account: &String| {
                        accounts
                            .iter()
                            .find(|(a, _)| a == account)
                            .and_then(|(_, role)| role.clone())
                            .unwrap_or_else(|| {
                                panic!("{name} {path}: {account} has no role annotation")
                            })
                    };
                    let role = role_of(&subjects[0]);
                    assert!(subjects.iter().all(|s| role_of(s) == role), "{name} {path}");
                    let annotated: Vec<String> = accounts
                        .iter()
                        .filter(|(_, r)| r.as_deref() == Some(role.as_str()))
                        .map(|(a, _)| a.clone())
                        .collect();
                    assert_eq!(subjects, annotated, "{name} {path}");
                    checked.0 += 1;
                } else {
                    assert_eq!(
                        statement["Principal"]["Service"], "pods.eks.amazonaws.com",
                        "{name} {path}"
                    );
                    let trusted = strings(&conditions["aws:RequestTag/kubernetes-service-account"]);
                    // The associations naming these ServiceAccounts name one
                    // role, and every association of that role is trusted.
                    let roles: Vec<&str> = associations
                        .iter()
                        .filter(|a| trusted.iter().any(|t| a["serviceAccount"] == t.as_str()))
                        .map(|a| a["roleArn"].as_str().unwrap())
                        .collect();
                    assert_eq!(roles.len(), trusted.len(), "{name} {path}: {trusted:?}");
                    let role = roles[0];
                    assert!(roles.iter().all(|r| *r == role), "{name} {path}");
                    let of_role: Vec<&str> = associations
                        .iter()
                        .filter(|a| a["roleArn"] == role)
                        .map(|a| a["serviceAccount"].as_str().unwrap())
                        .collect();
                    assert_eq!(of_role, trusted, "{name} {path}");
                    checked.1 += 1;
                }
            }
        }
    }
    // Proves both kinds of statement were seen.
    assert!(checked.0 >= 5 && checked.1 >= 5, "{checked:?}");
}

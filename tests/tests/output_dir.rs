//! `irsa compile -o DIR`: the tree, atomicity, drift checks, and
//! consumption by the real `kubectl kustomize`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use irsa_test_support::{Sandbox, irsa, root, tree, yaml_documents};
use serde_json::Value;

fn example(name: &str) -> String {
    root().join("dsl-examples").join(name).display().to_string()
}

fn kustomize(dir: &Path) -> Vec<Value> {
    let output = Command::new("kubectl")
        .args(["kustomize", &dir.display().to_string()])
        .output()
        .expect("kubectl is installed (it is on every machine of this project)");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "kubectl kustomize failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    yaml_documents(&stdout)
}

fn by_kind_and_name(documents: &[Value]) -> BTreeMap<(String, String), Value> {
    documents
        .iter()
        .map(|d| {
            (
                (
                    d["kind"].as_str().unwrap().to_owned(),
                    d["metadata"]["name"].as_str().unwrap().to_owned(),
                ),
                d.clone(),
            )
        })
        .collect()
}

#[test]
fn writes_the_files_of_section_8() {
    let dir = Sandbox::new();
    let out = dir.path().join("out");
    let run = irsa(
        &["compile", &example("trust-policies.irsa"), "-o", "out"],
        dir.path(),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "", "with -o nothing goes to stdout");
    let files: Vec<String> = tree(&out).into_keys().collect();
    assert_eq!(
        files,
        [
            "kustomization.yaml",
            "serviceaccounts.yaml",
            "spinnakerservice.yaml",
            "trust-policies/rosco-baker.json",
            "trust-policies/spinnaker-clouddriver.json",
            "trust-policies/spinnaker-notifications.json",
            "trust-policies/spinnaker.json",
        ]
    );
    let kustomization =
        &yaml_documents(&std::fs::read_to_string(out.join("kustomization.yaml")).unwrap())[0];
    assert_eq!(kustomization["kind"], "Kustomization");
    assert_eq!(
        kustomization["resources"],
        serde_json::json!(["serviceaccounts.yaml", "spinnakerservice.yaml"])
    );
}

#[test]
fn trust_policies_name_exactly_the_service_accounts_of_their_role() {
    let dir = Sandbox::new();
    let run = irsa(
        &["compile", &example("trust-policies.irsa"), "-o", "out"],
        dir.path(),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read = |name: &str| -> Value {
        let text =
            std::fs::read_to_string(dir.path().join("out/trust-policies").join(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let issuer = "oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    let notifications = read("spinnaker-notifications.json");
    let statement = &notifications["Statement"][0];
    assert_eq!(statement["Effect"], "Allow");
    assert_eq!(statement["Action"], "sts:AssumeRoleWithWebIdentity");
    assert_eq!(
        statement["Principal"]["Federated"],
        format!("arn:aws:iam::123456789012:oidc-provider/{issuer}")
    );
    let equals = &statement["Condition"]["StringEquals"];
    assert_eq!(
        equals[format!("{issuer}:sub")],
        serde_json::json!([
            "system:serviceaccount:spinnaker:spin-sa-echo",
            "system:serviceaccount:spinnaker:spin-sa-igor"
        ])
    );
    assert_eq!(equals[format!("{issuer}:aud")], "sts.amazonaws.com");
    let single = read("spinnaker.json");
    assert_eq!(
        single["Statement"][0]["Condition"]["StringEquals"][format!("{issuer}:sub")],
        "system:serviceaccount:spinnaker:spin-sa",
        "a single subject is a plain string"
    );
}

#[test]
fn kubectl_kustomize_accepts_the_directory() {
    let dir = Sandbox::new();
    for name in [
        "production-ha.irsa",
        "trust-policies.irsa",
        "oss-operator.irsa",
    ] {
        let out = dir.path().join(name);
        let run = irsa(
            &["compile", &example(name), "-o", &out.display().to_string()],
            dir.path(),
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let stream = irsa(&["compile", &example(name)], dir.path(), None);
        let built = by_kind_and_name(&kustomize(&out));
        let expected = by_kind_and_name(&yaml_documents(&stream.stdout));
        assert_eq!(
            built, expected,
            "{name}: kustomize builds exactly the stream's objects"
        );
    }
}

#[test]
fn component_patches_an_existing_spinnaker_service_and_keeps_its_settings() {
    let dir = Sandbox::new();
    let run = irsa(
        &[
            "compile",
            &example("production-ha.irsa"),
            "-o",
            "irsa",
            "--component",
        ],
        dir.path(),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::write(
        dir.path().join("spinnakerservice.yaml"),
        r"apiVersion: spinnaker.armory.io/v1alpha2
kind: SpinnakerService
metadata:
  name: spinnaker
  namespace: spinnaker
spec:
  spinnakerConfig:
    config:
      version: 2.32.1
    service-settings:
      clouddriver:
        env:
          JAVA_OPTS: -Xmx4g
      deck:
        kubernetes:
          podAnnotations:
            team: frontend
  expose:
    type: service
",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\
resources:\n- spinnakerservice.yaml\ncomponents:\n- irsa\n",
    )
    .unwrap();
    let documents = kustomize(dir.path());
    let services: Vec<&Value> = documents
        .iter()
        .filter(|d| d["kind"] == "SpinnakerService")
        .collect();
    assert_eq!(
        services.len(),
        1,
        "the component adds no SpinnakerService of its own"
    );
    let service = services[0];
    assert_eq!(
        service["metadata"]["name"], "spinnaker",
        "the user's own object"
    );
    assert_eq!(service["spec"]["expose"]["type"], "service");
    assert_eq!(
        service["spec"]["spinnakerConfig"]["config"]["version"],
        "2.32.1"
    );
    let settings = &service["spec"]["spinnakerConfig"]["service-settings"];
    assert_eq!(settings["clouddriver"]["env"]["JAVA_OPTS"], "-Xmx4g");
    assert_eq!(
        settings["deck"]["kubernetes"]["podAnnotations"]["team"],
        "frontend"
    );
    assert_eq!(
        settings["deck"]["kubernetes"]["serviceAccountName"],
        "spin-sa-deck"
    );
    assert_eq!(
        settings["spinnaker"]["kubernetes"]["serviceAccountName"],
        "spin-sa"
    );
    let accounts = documents
        .iter()
        .filter(|d| d["kind"] == "ServiceAccount")
        .count();
    assert_eq!(accounts, 7);
}

#[test]
fn a_failed_compile_leaves_the_directory_as_it_was() {
    let dir = Sandbox::new();
    let run = irsa(
        &["compile", &example("trust-policies.irsa"), "-o", "out"],
        dir.path(),
        None,
    );
    assert_eq!(run.code, 0);
    std::fs::write(dir.path().join("out/README"), "the user's own file\n").unwrap();
    let before = tree(&dir.path().join("out"));
    std::fs::write(
        dir.path().join("broken.irsa"),
        "namespace spinnaker\nservice ehco -> role arn:aws:iam::123456789012:role/x\n",
    )
    .unwrap();
    let failed = irsa(&["compile", "broken.irsa", "-o", "out"], dir.path(), None);
    assert_eq!(failed.code, 1);
    assert_eq!(tree(&dir.path().join("out")), before);
}

#[test]
fn with_several_files_one_error_writes_nothing_for_any() {
    let dir = Sandbox::new();
    std::fs::write(dir.path().join("bad.irsa"), "service * -> role nope\n").unwrap();
    let run = irsa(
        &["compile", &example("staging.irsa"), "bad.irsa", "-o", "out"],
        dir.path(),
        None,
    );
    assert_eq!(run.code, 1);
    assert!(!dir.path().join("out").exists());
}

#[test]
fn several_files_go_to_a_directory_each() {
    let dir = Sandbox::new();
    let run = irsa(
        &[
            "compile",
            &example("staging.irsa"),
            &example("production.irsa"),
            "-o",
            "out",
        ],
        dir.path(),
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for stem in ["staging", "production"] {
        let sub = dir.path().join("out").join(stem);
        assert!(sub.join("kustomization.yaml").is_file(), "{stem}");
        assert!(sub.join("trust-policies").is_dir(), "{stem}");
    }
    let clash = irsa(
        &[
            "compile",
            &example("staging.irsa"),
            &example("staging.irsa"),
            "-o",
            "out",
        ],
        dir.path(),
        None,
    );
    assert_eq!(
        clash.code, 2,
        "two inputs for one directory is a usage error"
    );
    assert!(
        clash.stderr.contains("would both be written"),
        "{}",
        clash.stderr
    );
}

#[test]
fn check_reports_drift_and_never_writes() {
    let dir = Sandbox::new();
    let source = dir.path().join("install.irsa");
    std::fs::copy(root().join("dsl-examples/trust-policies.irsa"), &source).unwrap();
    let check = || {
        irsa(
            &["compile", "install.irsa", "-o", "out", "--check"],
            dir.path(),
            None,
        )
    };

    let missing = check();
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("missing: out/kustomization.yaml"),
        "{}",
        missing.stderr
    );
    assert!(!dir.path().join("out").exists(), "--check never writes");

    assert_eq!(
        irsa(&["compile", "install.irsa", "-o", "out"], dir.path(), None).code,
        0
    );
    let clean = check();
    assert_eq!(
        (clean.code, clean.stdout.as_str(), clean.stderr.as_str()),
        (0, "", "")
    );

    // The role of rosco changes: its old trust policy is stale, a new one is missing.
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(
        &source,
        text.replace("bakery/rosco-baker", "bakery/rosco-builder"),
    )
    .unwrap();
    let before = tree(&dir.path().join("out"));
    let drift = check();
    assert_eq!(drift.code, 1);
    assert!(
        drift
            .stderr
            .contains("stale: out/trust-policies/rosco-baker.json"),
        "{}",
        drift.stderr
    );
    assert!(
        drift
            .stderr
            .contains("missing: out/trust-policies/rosco-builder.json"),
        "{}",
        drift.stderr
    );
    assert!(
        drift.stderr.contains("differs: out/serviceaccounts.yaml"),
        "{}",
        drift.stderr
    );
    assert!(
        drift.stdout.contains("--- a/out/serviceaccounts.yaml"),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains(
            "-    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/bakery/rosco-baker"
        ),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains(
            "+    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/bakery/rosco-builder"
        ),
        "{}",
        drift.stdout
    );
    assert_eq!(
        tree(&dir.path().join("out")),
        before,
        "--check never writes"
    );

    // Compiling again removes the stale policy, and the check is clean.
    assert_eq!(
        irsa(&["compile", "install.irsa", "-o", "out"], dir.path(), None).code,
        0
    );
    assert!(
        !dir.path()
            .join("out/trust-policies/rosco-baker.json")
            .exists()
    );
    assert_eq!(check().code, 0);
}

#[test]
fn reads_standard_input() {
    let source = std::fs::read(root().join("dsl-examples/armory-irsa-guide.irsa")).unwrap();
    let from_stdin = irsa(&["compile"], &root(), Some(&source));
    let from_dash = irsa(&["compile", "-"], &root(), Some(&source));
    let from_file = irsa(
        &["compile", &example("armory-irsa-guide.irsa")],
        &root(),
        None,
    );
    assert_eq!(from_stdin.code, 0);
    assert_eq!(from_stdin.stdout, from_file.stdout);
    assert_eq!(from_dash.stdout, from_file.stdout);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let missing = irsa(&["compile", "no-such-file.irsa"], &root(), None);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read `no-such-file.irsa`"),
        "{}",
        missing.stderr
    );
    let unknown = irsa(&["compile", "--no-such-flag"], &root(), None);
    assert_eq!(unknown.code, 2);
    let check_without_dir = irsa(&["compile", "--check"], &root(), None);
    assert_eq!(check_without_dir.code, 2, "{}", check_without_dir.stderr);
    let twice = irsa(&["check", "-", "-"], &root(), None);
    assert_eq!(twice.code, 2);
}

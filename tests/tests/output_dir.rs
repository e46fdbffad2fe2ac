//! `irsa compile -o DIR`: the tree, atomicity, drift checks, and
//! consumption by the real `kubectl kustomize`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
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

/// Applies a unified diff (as `--check` prints it: `@@ -a,b +c,d @@` hunks
/// of ` `, `-` and `+` lines) to a text; panics when the diff does not fit
/// the text.
fn apply_unified_diff(old: &str, diff: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut new = String::new();
    let mut next = 0;
    let mut lines = diff.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let Some(header) = line.strip_prefix("@@ -") else {
            assert!(
                line.starts_with("--- ") || line.starts_with("+++ "),
                "not a diff line: {line:?}"
            );
            continue;
        };
        let range = header.split(' ').next().unwrap_or_default();
        let (start, count) = range.split_once(',').unwrap_or((range, "1"));
        let number = |n: &str| -> usize {
            n.parse()
                .unwrap_or_else(|_| panic!("a bad hunk header: {line:?}"))
        };
        // `-N,0` (nothing of the old file) inserts after line N.
        let at = if number(count) == 0 {
            number(start)
        } else {
            number(start) - 1
        };
        assert!(at >= next, "hunks out of order: {line:?}");
        assert!(at <= old_lines.len(), "hunk past the end: {line:?}");
        new.extend(old_lines[next..at].iter().copied());
        next = at;
        while let Some(body) = lines.next_if(|l| !l.starts_with("@@ ")) {
            let (mark, text) = body.split_at(1);
            // `\ No newline at end of file` follows a line without one.
            let last = lines.peek().is_some_and(|l| l.starts_with('\\'));
            let text = if last {
                text.trim_end_matches('\n')
            } else {
                text
            };
            match mark {
                " " | "-" => {
                    assert_eq!(
                        old_lines.get(next).copied(),
                        Some(text),
                        "the diff's context or removed line is not the old file's line {}",
                        next + 1
                    );
                    if mark == " " {
                        new.push_str(text);
                    }
                    next += 1;
                }
                "+" => new.push_str(text),
                "\\" => {}
                _ => panic!("not a hunk line: {body:?}"),
            }
        }
    }
    new.extend(old_lines[next..].iter().copied());
    new
}

#[test]
fn the_diff_applier_itself_works() {
    let old = "a\nb\nc\n";
    let diff = "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n";
    assert_eq!(apply_unified_diff(old, diff), "a\nB\nc\n");
    assert_eq!(
        apply_unified_diff("", "--- a/x\n+++ b/x\n@@ -0,0 +1,2 @@\n+x\n+y\n"),
        "x\ny\n"
    );
    assert_eq!(
        apply_unified_diff("x\ny\n", "--- a/x\n+++ b/x\n@@ -1,2 +0,0 @@\n-x\n-y\n"),
        ""
    );
    let wrong = std::panic::catch_unwind(|| apply_unified_diff("a\nz\nc\n", diff));
    assert!(wrong.is_err(), "a diff that does not fit is refused");
}

/// The diffs of `--check`'s standard output, by the path they name.
fn diffs_by_path(stdout: &str) -> Vec<(String, String)> {
    let mut diffs: Vec<(String, String)> = Vec::new();
    for line in stdout.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("--- a/") {
            diffs.push((path.trim_end().to_owned(), String::new()));
        }
        let (path, diff) = diffs
            .last_mut()
            .unwrap_or_else(|| panic!("output before the first diff: {line:?}"));
        if let Some(other) = line.strip_prefix("+++ b/") {
            assert_eq!(other.trim_end(), path, "one path per diff");
        }
        diff.push_str(line);
    }
    diffs
}

/// Each drifted file by kind, path and content: `--check` names exactly the
/// files that are missing, changed or stale (not the user's own files), and
/// each file's diff turns what is in the directory into what would be
/// written.
#[test]
fn check_names_each_drifted_file_and_its_diff_turns_old_into_new() {
    let dir = Sandbox::new();
    let source = std::fs::read_to_string(root().join("dsl-examples/trust-policies.irsa")).unwrap();
    dir.write("install.irsa", &source);
    assert_eq!(
        dir.irsa(&["compile", "install.irsa", "-o", "out"], None)
            .code,
        0
    );
    // The source moves rosco to another role; the user edits the
    // kustomization, deletes the SpinnakerService and adds files of their own.
    dir.write(
        "install.irsa",
        source.replace("bakery/rosco-baker", "bakery/rosco-builder"),
    );
    let kustomization = dir.read("out/kustomization.yaml");
    dir.write(
        "out/kustomization.yaml",
        format!("{kustomization}namePrefix: prod-\n"),
    );
    std::fs::remove_file(dir.join("out/spinnakerservice.yaml")).unwrap();
    dir.write("out/README.md", "the user's own notes\n");
    dir.write("out/trust-policies/notes.txt", "not a policy\n");
    // What would be written, for comparison.
    assert_eq!(
        dir.irsa(&["compile", "install.irsa", "-o", "fresh"], None)
            .code,
        0
    );
    let fresh = dir.tree("fresh");
    let before = dir.tree("out");

    let run = dir.irsa(&["compile", "install.irsa", "-o", "out", "--check"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let reported: Vec<(String, String)> = run
        .stderr
        .lines()
        .map(|line| {
            let rest = line
                .strip_prefix("irsa: ")
                .unwrap_or_else(|| panic!("{line}"));
            let (kind, path) = rest.split_once(": ").unwrap();
            (kind.to_owned(), path.to_owned())
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("differs", "out/kustomization.yaml"),
        ("differs", "out/serviceaccounts.yaml"),
        ("missing", "out/spinnakerservice.yaml"),
        ("missing", "out/trust-policies/rosco-builder.json"),
        ("stale", "out/trust-policies/rosco-baker.json"),
    ]
    .iter()
    .map(|(kind, path)| ((*kind).to_owned(), (*path).to_owned()))
    .collect();
    assert_eq!(
        reported.iter().cloned().collect::<BTreeSet<_>>(),
        expected,
        "{}",
        run.stderr
    );
    assert_eq!(reported.len(), expected.len(), "each file once");

    let diffs = diffs_by_path(&run.stdout);
    assert_eq!(
        diffs.iter().map(|(path, _)| path).collect::<Vec<_>>(),
        reported.iter().map(|(_, path)| path).collect::<Vec<_>>(),
        "one diff per reported file, in the same order"
    );
    for ((kind, path), (_, diff)) in reported.iter().zip(&diffs) {
        let relative = path.strip_prefix("out/").unwrap();
        let old = before.get(relative).cloned().unwrap_or_default();
        let new = fresh.get(relative).cloned().unwrap_or_default();
        match kind.as_str() {
            "missing" => assert!(!before.contains_key(relative), "{path}"),
            "stale" => assert!(!fresh.contains_key(relative), "{path}"),
            _ => assert!(old != new && !old.is_empty() && !new.is_empty(), "{path}"),
        }
        assert_eq!(
            apply_unified_diff(&old, diff),
            new,
            "{kind} {path}: the diff does not turn the old file into the new one:\n{diff}"
        );
    }
    // The serviceaccounts.yaml diff is exactly the role change.
    let (_, accounts) = &diffs[reported
        .iter()
        .position(|(_, p)| p == "out/serviceaccounts.yaml")
        .unwrap()];
    let changed: Vec<&str> = accounts
        .lines()
        .filter(|l| {
            (l.starts_with('-') || l.starts_with('+'))
                && !l.starts_with("---")
                && !l.starts_with("+++")
        })
        .collect();
    assert_eq!(
        changed,
        [
            "-    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/bakery/rosco-baker",
            "+    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/bakery/rosco-builder",
        ]
    );
    assert_eq!(dir.tree("out"), before, "--check never writes");
}

/// With several inputs, each is checked against its own `DIR/STEM/`, and
/// only the drifted one is named.
#[test]
fn check_with_several_files_names_the_drift_under_its_own_directory() {
    let dir = Sandbox::new();
    for name in ["staging", "production"] {
        let text =
            std::fs::read_to_string(root().join(format!("dsl-examples/{name}.irsa"))).unwrap();
        dir.write(&format!("{name}.irsa"), text);
    }
    let args = ["compile", "staging.irsa", "production.irsa", "-o", "out"];
    assert_eq!(dir.irsa(&args, None).code, 0);
    let mut check_args = args.to_vec();
    check_args.push("--check");
    let clean = dir.irsa(&check_args, None);
    assert_eq!((clean.code, clean.stderr.as_str()), (0, ""));
    let accounts = dir.read("out/production/serviceaccounts.yaml");
    dir.write(
        "out/production/serviceaccounts.yaml",
        accounts.replace("spinnaker-production-echo", "someone-elses-role"),
    );
    let drift = dir.irsa(&check_args, None);
    assert_eq!(drift.code, 1);
    assert_eq!(
        drift.stderr,
        "irsa: differs: out/production/serviceaccounts.yaml\n"
    );
    let diffs = diffs_by_path(&drift.stdout);
    assert_eq!(diffs.len(), 1);
    let edited = dir.read("out/production/serviceaccounts.yaml");
    assert_eq!(apply_unified_diff(&edited, &diffs[0].1), accounts);
}

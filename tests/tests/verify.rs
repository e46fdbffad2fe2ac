//! `irsa verify` through the real binary: one directory per situation
//! under `tests/cases/verify/`, each with its `file.irsa` (whose header says
//! the codes expected and the exports given) and its exports as the AWS
//! CLI and kubectl print them. Human and JSON output are snapshotted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use irsa::{Code, Severity};
use irsa_test_support::{Case, Sandbox, irsa, root};
use serde_json::Value;

fn case_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/cases/verify"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn json_lines(file: &str, stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}: {e}: {line}")))
        .collect()
}

#[test]
fn verify_cases() {
    let dirs = case_dirs();
    assert!(dirs.len() >= 25, "only {} verify cases", dirs.len());
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case = Case::read(&dir.join("file.irsa"));
        let mut args = vec!["verify".to_owned(), "file.irsa".to_owned()];
        args.extend(case.args.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let human = irsa(&args, &dir, None);
        let mut json_args = args.clone();
        json_args.extend(["--message-format", "json"]);
        let json = irsa(&json_args, &dir, None);

        let objects = json_lines(&name, &json.stderr);
        let codes: Vec<&str> = objects
            .iter()
            .map(|o| o["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, case.expect, "{name}\n{}", human.stderr);
        let fails = case
            .expect
            .iter()
            .any(|c| Code::parse(c).unwrap().severity() == Severity::Error);
        assert_eq!(human.code, i32::from(fails), "{name}\n{}", human.stderr);
        assert_eq!(json.code, human.code, "{name}");
        assert_eq!(human.stdout, "", "{name}: verify writes nothing on stdout");
        for object in &objects {
            let code = object["code"].as_str().unwrap();
            if !code.starts_with('V') || code == "V001" {
                continue;
            }
            // A finding names the export and where in it.
            let notes = object["notes"].as_array().map_or(0, Vec::len);
            let located_in_file =
                object["file"] == "file.irsa" && object["line"].as_u64() >= Some(1);
            assert!(located_in_file, "{name}: {object}");
            if !matches!(code, "V003" | "V023") {
                assert!(
                    notes > 0,
                    "{name}: {code} has no note naming the export: {object}"
                );
            }
        }
        insta::assert_snapshot!(
            name.clone(),
            format!(
                "exit: {}\n==== human ====\n{}==== json ====\n{}",
                human.code, human.stderr, json.stderr
            )
        );
    }
}

#[test]
fn every_verify_code_has_a_case() {
    let covered: BTreeSet<String> = case_dirs()
        .iter()
        .flat_map(|dir| Case::read(&dir.join("file.irsa")).expect)
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| c.starts_with('V') && !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "verify codes no case triggers: {missing:?}"
    );
}

/// The short and GitHub formats carry the notes too (the JSON and human
/// ones are in the snapshots).
#[test]
fn every_message_format_names_the_export() {
    let dir = root().join("tests/cases/verify/subject-renamed");
    for (format, needle) in [
        ("short", "file.irsa:11:9: error[V005]"),
        (
            "github",
            "note: roles.json: Roles[1].AssumeRolePolicyDocument",
        ),
        (
            "human",
            "= note: roles.json: Roles[1].AssumeRolePolicyDocument",
        ),
    ] {
        let run = irsa(
            &[
                "verify",
                "file.irsa",
                "--aws",
                "roles.json",
                "--message-format",
                format,
            ],
            &dir,
            None,
        );
        assert_eq!(run.code, 1, "{format}");
        assert!(run.stderr.contains(needle), "{format}:\n{}", run.stderr);
    }
}

/// Warnings fail only when denied.
#[test]
fn deny_warnings() {
    let dir = root().join("tests/cases/verify/stringlike-wildcard");
    let args = ["verify", "file.irsa", "--aws", "roles.json"];
    assert_eq!(irsa(&args, &dir, None).code, 0);
    let mut denied = args.to_vec();
    denied.push("--deny-warnings");
    assert_eq!(irsa(&denied, &dir, None).code, 1);
}

/// Usage and I/O errors exit 2; a file with errors is reported as by
/// `check` and verifies nothing.
#[test]
fn usage_io_and_file_errors() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "f.irsa",
        "service * -> role arn:aws:iam::123456789012:role/x\n",
    );
    let missing = sandbox.irsa(&["verify", "f.irsa", "--aws", "nope.json"], None);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing.stderr.contains("cannot read `nope.json`"),
        "{}",
        missing.stderr
    );
    let profile_without_live = sandbox.irsa(&["verify", "f.irsa", "--aws-profile", "p"], None);
    assert_eq!(profile_without_live.code, 2);
    sandbox.write("bad.irsa", "service * -> rol x\n");
    sandbox.write("roles.json", "{\"Roles\": []}");
    let bad = sandbox.irsa(&["verify", "bad.irsa", "--aws", "roles.json"], None);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("error[E"), "{}", bad.stderr);
    assert!(!bad.stderr.contains("[V"), "{}", bad.stderr);
}

/// Hostile exports: a located error, exit 1, quickly and in bounded
/// memory (the reader refuses before parsing what is too big or too deep).
#[test]
fn hostile_exports() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "f.irsa",
        "namespace spinnaker\nservice * -> role arn:aws:iam::123456789012:role/x\n",
    );
    let deep_json = format!(
        "{{\"Role\": {{\"RoleName\": \"x\", \"Arn\": \"arn:aws:iam::123456789012:role/x\", \"AssumeRolePolicyDocument\": {}{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let big = {
        let mut text = String::from("{\"Roles\": [");
        text.push_str(&" ".repeat(64 * 1024 * 1024 + 16));
        text.push_str("]}");
        text
    };
    let bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        .to_owned()
        + &(b'b'..=b'j')
            .map(|c| {
                let prev = c - 1;
                format!(
                    "{}: &{} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n",
                    c as char,
                    c as char,
                    p = prev as char
                )
            })
            .collect::<String>();
    let deep_yaml = "- ".repeat(10_000) + "x\n";
    for (name, flag, content, needle) in [
        (
            "deep.json",
            "--aws",
            deep_json.as_bytes(),
            "recursion limit",
        ),
        ("big.json", "--aws", big.as_bytes(), "64 MiB"),
        (
            "latin1.json",
            "--aws",
            &b"{\"Roles\": [\"caf\xe9\"]}"[..],
            "UTF-8",
        ),
        ("bomb.yaml", "--kubernetes", bomb.as_bytes(), ""),
        ("deep.yaml", "--kubernetes", deep_yaml.as_bytes(), ""),
        ("big.yaml", "--kubernetes", big.as_bytes(), "64 MiB"),
    ] {
        sandbox.write(name, content);
        let run = sandbox.irsa(
            &["verify", "f.irsa", flag, name, "--message-format", "json"],
            None,
        );
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let objects = json_lines(name, &run.stderr);
        assert_eq!(objects.len(), 1, "{name}: {}", run.stderr);
        assert_eq!(objects[0]["code"], "V001", "{name}");
        assert_eq!(objects[0]["file"], name, "{name}");
        assert!(
            objects[0]["message"].as_str().unwrap().contains(needle),
            "{name}: {}",
            objects[0]
        );
    }
}

/// The book's claim: nothing is written anywhere.
#[test]
fn verify_writes_nothing() {
    let dir = root().join("tests/cases/verify/all-good");
    let sandbox = Sandbox::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        sandbox.write(
            path.file_name().unwrap().to_str().unwrap(),
            std::fs::read(&path).unwrap(),
        );
    }
    let before = sandbox.files();
    let case = Case::read(&dir.join("file.irsa"));
    let mut args = vec!["verify", "file.irsa"];
    args.extend(case.args.iter().map(String::as_str));
    assert_eq!(sandbox.irsa(&args, None).code, 0);
    assert_eq!(sandbox.files(), before);
}

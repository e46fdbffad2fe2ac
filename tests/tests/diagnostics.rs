//! One annotated `.irsa` input per diagnostic situation, run through the
//! real CLI. The first lines say what the case expects:
//!
//! ```text
//! # expect: E031 E031     the codes reported, in order
//! # args: --deny-warnings extra arguments for `irsa check` (optional)
//! ```
//!
//! Each case's human and JSON output are snapshotted together.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::Path;

use irsa::Code;
use irsa_test_support::cases::cases;
use irsa_test_support::{Case, Sandbox, irsa, root};
use serde_json::Value;

/// A diagnostics case: it expects at least one code.
fn annotations(path: &Path) -> Case {
    let case = Case::read(path);
    assert!(
        !case.expect.is_empty(),
        "{}: a diagnostics case expects a code",
        path.display()
    );
    case
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root().join("tests"))
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn diagnostic_cases() {
    insta::glob!("../cases/diagnostics", "*.irsa", |path| {
        let case = annotations(path);
        let file = relative(path);
        let tests_dir = root().join("tests");
        let mut args = vec!["check".to_owned(), file.clone()];
        args.extend(case.args.iter().cloned());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();

        let human = irsa(&args, &tests_dir, None);
        let mut json_args = args.clone();
        json_args.extend(["--message-format", "json"]);
        let json = irsa(&json_args, &tests_dir, None);

        let expected_exit = i32::from(case.fails());
        assert_eq!(human.code, expected_exit, "{file}\n{}", human.stderr);
        assert_eq!(json.code, expected_exit, "{file}");
        assert_eq!(human.stdout, "", "{file}: check writes nothing on stdout");
        let objects: Vec<Value> = json
            .stderr
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}: {e}: {line}"))
            })
            .collect();
        let codes: Vec<String> = objects
            .iter()
            .map(|o| o["code"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(codes, case.expect, "{file}");
        for object in &objects {
            let keys: Vec<&str> = object
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            for key in [
                "severity",
                "code",
                "message",
                "file",
                "line",
                "column",
                "end_line",
                "end_column",
            ] {
                assert!(keys.contains(&key), "{file}: {key} missing in {object}");
            }
            assert_eq!(object["file"], file.as_str());
            let start = (
                object["line"].as_u64().unwrap(),
                object["column"].as_u64().unwrap(),
            );
            let end = (
                object["end_line"].as_u64().unwrap(),
                object["end_column"].as_u64().unwrap(),
            );
            assert!(
                start.0 >= 1 && start.1 >= 1 && end >= start,
                "{file}: {object}"
            );
        }
        for code in &case.expect {
            assert!(
                human.stderr.contains(&format!("[{code}]")),
                "{file}: {code} not in human output"
            );
        }
        insta::assert_snapshot!(format!(
            "exit: {}\n==== human ====\n{}==== json ====\n{}",
            human.code, human.stderr, json.stderr
        ));
    });
}

/// Codes covered by cases that are generated rather than committed (an
/// input over 64 MiB), each tested below.
const GENERATED_CASES: [&str; 1] = ["E003"];

#[test]
fn every_code_has_a_case() {
    let cases = cases("diagnostics");
    let mut covered: BTreeSet<String> = cases
        .iter()
        .flat_map(|case| case.expect.iter().cloned())
        .collect();
    covered.extend(GENERATED_CASES.iter().map(|c| (*c).to_owned()));
    // `verify`'s codes have their cases in tests/cases/verify (verify.rs).
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.as_str())
        // `irsa verify`'s codes (V…) and `irsa import`'s (I…) are about
        // exports, not `.irsa` files: tests/tests/verify.rs and
        // tests/tests/import.rs check that their cases cover them.
        .filter(|code| !code.starts_with('V') && !code.starts_with('I'))
        .filter(|code| !covered.contains(*code))
        .collect();
    assert!(
        missing.is_empty(),
        "codes that no case triggers: {missing:?}"
    );
    assert!(cases.len() >= 50, "only {} cases", cases.len());
}

#[test]
fn input_over_64_mib_is_refused_with_a_located_error() {
    let dir = Sandbox::new();
    let line = "# padding padding padding padding padding padding padding padding\n";
    let huge = line.repeat(64 * 1024 * 1024 / line.len() + 1);
    dir.write("huge.irsa", huge);
    let run = dir.irsa(&["check", "huge.irsa", "--message-format", "json"], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let object: Value = serde_json::from_str(run.stderr.trim()).unwrap();
    assert_eq!(object["code"], "E003");
    assert_eq!(object["line"], 1);
    let compile = dir.irsa(&["compile", "huge.irsa", "-o", "out"], None);
    assert_eq!(compile.code, 1);
    assert!(!dir.exists("out"), "nothing is written");
}

#[test]
fn warnings_pass_unless_denied() {
    let source =
        b"service * -> role arn:aws:iam::123456789012:role/x {\n  token-expiration 25h\n}\n";
    let allowed = irsa(&["compile"], &root(), Some(source));
    assert_eq!(allowed.code, 0);
    assert!(
        allowed.stderr.contains("warning[W003]"),
        "{}",
        allowed.stderr
    );
    assert!(
        allowed
            .stdout
            .contains("eks.amazonaws.com/token-expiration: \"90000\"")
    );
    let denied = irsa(&["compile", "--deny-warnings"], &root(), Some(source));
    assert_eq!(denied.code, 1);
    assert_eq!(denied.stdout, "", "a denied warning writes nothing");
}

#[test]
fn other_message_formats() {
    let source = b"service ehco -> role arn:aws:iam::123456789012:role/x\n";
    let short = irsa(
        &["check", "--message-format", "short"],
        &root(),
        Some(source),
    );
    assert_eq!(short.code, 1);
    assert_eq!(
        short.stderr,
        "<stdin>:1:9: error[E040]: unknown service `ehco`\n"
    );
    let github = irsa(
        &["check", "--message-format", "github"],
        &root(),
        Some(source),
    );
    assert_eq!(
        github.stderr,
        "::error file=<stdin>,line=1,col=9,endLine=1,endColumn=13,title=E040::unknown service `ehco`%0Ahelp: did you mean `echo`?\n"
    );
}

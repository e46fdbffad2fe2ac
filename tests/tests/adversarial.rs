//! Adversarial inputs: each gives a located error or the right output, and
//! never writes outside `-o DIR`. Committed cases live in
//! tests/cases/adversarial/ (a line `# expect: CODE` or `# expect: ok`, the
//! first line unless the first bytes are the point of the case);
//! inputs too large to commit are generated here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use irsa_test_support::cases::cases;
use irsa_test_support::properties::{check_compile, check_fmt, check_parse};
use irsa_test_support::{Sandbox, irsa, root};
use serde_json::Value;

fn json_diagnostics(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Checks one input: its diagnostics are exactly `expect` (empty for
/// "ok"), each located; a valid input compiles into `-o DIR` and nothing
/// is written anywhere else.
fn check(name: &str, source: &[u8], expect: &[&str]) {
    let sandbox = Sandbox::new();
    sandbox.write("input.irsa", source);
    let run = sandbox.irsa(&["check", "--message-format", "json", "input.irsa"], None);
    let diagnostics = json_diagnostics(&run.stderr);
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, expect, "{name}");
    for diagnostic in &diagnostics {
        assert!(
            diagnostic["line"].as_u64().unwrap() >= 1,
            "{name}: {diagnostic}"
        );
        assert!(
            diagnostic["column"].as_u64().unwrap() >= 1,
            "{name}: {diagnostic}"
        );
    }
    let fails = expect.iter().any(|c| c.starts_with('E'));
    assert_eq!(run.code, i32::from(fails), "{name}");

    let compile = sandbox.irsa(&["compile", "input.irsa", "-o", "out"], None);
    assert_eq!(compile.code, i32::from(fails), "{name}: {}", compile.stderr);
    let written = sandbox.files();
    if fails {
        assert_eq!(
            written,
            ["input.irsa"],
            "{name}: a failed compile writes nothing"
        );
    } else {
        assert!(
            written
                .iter()
                .all(|f| f == "input.irsa" || f.starts_with("out/")),
            "{name}: {written:?}"
        );
        assert!(
            written.contains(&"out/kustomization.yaml".to_owned()),
            "{name}"
        );
    }
    check_parse(source);
    check_compile(source);
    check_fmt(source);
}

#[test]
fn committed_adversarial_cases() {
    let cases = cases("adversarial");
    assert!(cases.len() >= 100, "only {} adversarial cases", cases.len());
    for case in cases {
        let expect: Vec<&str> = case.expect.iter().map(String::as_str).collect();
        check(&case.path.display().to_string(), &case.bytes, &expect);
    }
}

#[test]
fn a_million_nested_braces_is_one_error() {
    let source = format!(
        "service * -> role arn:aws:iam::123456789012:role/x {}\n",
        "{".repeat(1_000_000)
    );
    check("a million braces", source.as_bytes(), &["E010"]);
}

#[test]
fn ten_megabyte_lines() {
    let comment = format!(
        "# {}\nservice * -> role arn:aws:iam::123456789012:role/x\n",
        "c".repeat(10 << 20)
    );
    check("10 MB comment", comment.as_bytes(), &[]);
    let role = format!(
        "service * -> role arn:aws:iam::123456789012:role/{}\n",
        "r".repeat(10 << 20)
    );
    check("10 MB role name", role.as_bytes(), &["E055"]);
    let value = format!(
        "service * -> role arn:aws:iam::123456789012:role/x {{\n  annotation \"example.com/big\" \"{}\"\n}}\n",
        "v".repeat(10 << 20)
    );
    check("10 MB string", value.as_bytes(), &[]);
    let word = format!("{}\n", "w".repeat(10 << 20));
    check("10 MB unknown statement", word.as_bytes(), &["E012"]);
}

#[test]
fn a_hundred_thousand_lines() {
    let mut source = String::from("namespace spinnaker\ndefaults {\n");
    for index in 0..50_000 {
        source.push_str(&format!("  # setting {index}\n"));
    }
    source.push_str("  token-expiration 1h\n}\n");
    for index in 0..50_000 {
        source.push_str(&format!("# binding {index}\n"));
    }
    source.push_str("service * -> role arn:aws:iam::123456789012:role/x\n");
    assert!(source.lines().count() > 100_000);
    check("100,000 lines", source.as_bytes(), &[]);
}

#[test]
fn fifty_thousand_errors_are_all_reported() {
    let source = format!(
        "service * -> role arn:aws:iam::123456789012:role/x\n{}",
        "sevice echo\n".repeat(50_000)
    );
    let run = irsa(
        &["check", "--message-format", "json"],
        &root(),
        Some(source.as_bytes()),
    );
    assert_eq!(run.code, 1);
    let diagnostics = json_diagnostics(&run.stderr);
    assert_eq!(diagnostics.len(), 50_000);
    assert_eq!(diagnostics[49_999]["line"], 50_001);
    let human = irsa(&["check"], &root(), Some(source.as_bytes()));
    assert_eq!(human.stderr.matches("error[E012]").count(), 50_000);
}

#[test]
fn role_names_and_paths_never_write_outside_the_directory() {
    let sandbox = Sandbox::new();
    let source = "namespace spinnaker\noidc oidc.eks.us-east-1.amazonaws.com/id/X\naccount 123456789012\n\
service * -> role ../../../../tmp/evil\n\
service echo -> role ..\n\
service igor -> role .\n\
service gate -> role arn:aws:iam::123456789012:role/a/../../b\n";
    sandbox.write("input.irsa", source);
    let run = sandbox.irsa(&["compile", "input.irsa", "-o", "deep/out"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = sandbox.files();
    assert!(
        written
            .iter()
            .all(|f| f == "input.irsa" || f.starts_with("deep/out/")),
        "{written:?}"
    );
    assert!(
        written.contains(&"deep/out/trust-policies/evil.json".to_owned()),
        "{written:?}"
    );
    assert!(
        written.contains(&"deep/out/trust-policies/...json".to_owned()),
        "{written:?}"
    );
}

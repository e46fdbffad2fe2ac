//! `irsa fmt`: idempotent, never changes meaning, and its `--check` writes
//! nothing and exits 1 with a diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use irsa_test_support::{Sandbox, examples, files_in, irsa, meaning, root};

/// Every input the project has: examples and test cases.
fn all_inputs() -> Vec<PathBuf> {
    let mut inputs = examples();
    inputs.extend(files_in(&root().join("tests/cases/diagnostics"), "irsa"));
    inputs
}

#[test]
fn fmt_is_idempotent_and_keeps_meaning_on_every_input() {
    let mut formatted_count = 0;
    for path in all_inputs() {
        let bytes = std::fs::read(&path).unwrap();
        let Ok(source) = String::from_utf8(bytes) else {
            continue;
        };
        let Ok(once) = irsa::format(&source) else {
            continue;
        };
        formatted_count += 1;
        let twice = irsa::format(&once).unwrap();
        assert_eq!(once, twice, "{}: fmt is not idempotent", path.display());
        assert_eq!(
            meaning(&once),
            meaning(&source),
            "{}: fmt changed what the file compiles to",
            path.display()
        );
    }
    assert!(
        formatted_count >= 60,
        "only {formatted_count} inputs formatted"
    );
}

#[test]
fn examples_other_than_the_spec_excerpt_are_formatted() {
    let files: Vec<String> = examples()
        .iter()
        .filter(|p| !p.ends_with("armory-irsa-guide.irsa"))
        .map(|p| p.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    let mut args = vec!["fmt", "--check"];
    args.extend(files.iter().map(String::as_str));
    let run = irsa(&args, &root(), None);
    assert_eq!(run.code, 0, "{}{}", run.stderr, run.stdout);
}

const UNFORMATTED: &str = "namespace   spinnaker\nservice *->role arn:aws:iam::123456789012:role/x{\n token-expiration 1h\n}\n";
const FORMATTED: &str = "namespace spinnaker\nservice * -> role arn:aws:iam::123456789012:role/x {\n  token-expiration 1h\n}\n";

#[test]
fn fmt_rewrites_files_in_place_and_stdin_to_stdout() {
    let dir = Sandbox::new();
    dir.write("a.irsa", UNFORMATTED);
    dir.write("b.irsa", FORMATTED);
    let run = dir.irsa(&["fmt", "a.irsa", "b.irsa"], None);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert_eq!(dir.read("a.irsa"), FORMATTED);
    assert_eq!(dir.read("b.irsa"), FORMATTED);
    let stdin = dir.irsa(&["fmt"], Some(UNFORMATTED.as_bytes()));
    assert_eq!((stdin.code, stdin.stdout.as_str()), (0, FORMATTED));
}

#[test]
fn fmt_check_names_files_prints_a_diff_and_writes_nothing() {
    let dir = Sandbox::new();
    dir.write("a.irsa", UNFORMATTED);
    dir.write("b.irsa", FORMATTED);
    let run = dir.irsa(&["fmt", "--check", "a.irsa", "b.irsa"], None);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "irsa: not formatted: a.irsa\n");
    insta::assert_snapshot!(run.stdout);
    assert_eq!(dir.read("a.irsa"), UNFORMATTED);
    let clean = dir.irsa(&["fmt", "--check", "b.irsa"], None);
    assert_eq!(
        (clean.code, clean.stdout.as_str(), clean.stderr.as_str()),
        (0, "", "")
    );
    let stdin = dir.irsa(&["fmt", "--check"], Some(UNFORMATTED.as_bytes()));
    assert_eq!(stdin.code, 1);
    assert!(
        stdin.stdout.contains("+service * -> role"),
        "{}",
        stdin.stdout
    );
}

#[test]
fn fmt_refuses_syntax_errors_and_touches_no_file() {
    let dir = Sandbox::new();
    dir.write("a.irsa", UNFORMATTED);
    dir.write("bad.irsa", "service echo role x\n");
    let run = dir.irsa(&["fmt", "a.irsa", "bad.irsa"], None);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("error[E010]"), "{}", run.stderr);
    assert_eq!(
        dir.read("a.irsa"),
        UNFORMATTED,
        "no file is rewritten when one fails"
    );
}

#[test]
fn explain_code_prints_the_books_text() {
    let run = irsa(&["explain", "--code", "e031"], &root(), None);
    assert_eq!(run.code, 0);
    let book = std::fs::read_to_string(root().join("compiler/docs/diagnostics.md")).unwrap();
    assert!(
        run.stdout
            .starts_with("## E031: a service is bound twice\n")
    );
    assert!(book.contains(run.stdout.trim_end()));
    let unknown = irsa(&["explain", "--code", "E999"], &root(), None);
    assert_eq!(unknown.code, 2);
}

#[test]
fn editor_and_ci_message_formats() {
    let source =
        std::fs::read(root().join("tests/cases/diagnostics/many-errors-in-one-run.irsa")).unwrap();
    let short = irsa(
        &["check", "--message-format", "short", "-"],
        &root(),
        Some(&source),
    );
    let github = irsa(
        &["check", "--message-format", "github", "-"],
        &root(),
        Some(&source),
    );
    assert_eq!((short.code, github.code), (1, 1));
    insta::assert_snapshot!("short", short.stderr);
    insta::assert_snapshot!("github", github.stderr);
}

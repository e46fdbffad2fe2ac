//! The hooks of `.pre-commit-hooks.yaml` run as pre-commit runs them: the
//! entry, then the staged file names.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use irsa_test_support::{Sandbox, irsa, root};
use serde_json::Value;

fn hooks() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    serde_saphyr::from_str::<Vec<Value>>(&text).unwrap()
}

fn run_hook(id: &str, files: &[&str], cwd: &std::path::Path) -> irsa_test_support::Run {
    let hook = hooks().into_iter().find(|h| h["id"] == id).unwrap();
    assert_eq!(hook["files"], "\\.irsa$");
    let entry = hook["entry"].as_str().unwrap();
    let mut words: Vec<&str> = entry.split_whitespace().collect();
    assert_eq!(words.remove(0), "irsa");
    words.extend(files);
    irsa(&words, cwd, None)
}

#[test]
fn irsa_fmt_hook_rewrites_unformatted_files() {
    let dir = Sandbox::new();
    std::fs::write(
        dir.path().join("a.irsa"),
        "service  * ->role arn:aws:iam::123456789012:role/x\n",
    )
    .unwrap();
    let run = run_hook("irsa-fmt", &["a.irsa"], dir.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.irsa")).unwrap(),
        "service * -> role arn:aws:iam::123456789012:role/x\n",
        "pre-commit fails a hook that modifies files"
    );
}

#[test]
fn irsa_check_hook_fails_on_errors_and_warnings() {
    let dir = Sandbox::new();
    std::fs::write(
        dir.path().join("ok.irsa"),
        "service * -> role arn:aws:iam::123456789012:role/x\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("warn.irsa"),
        "service * -> role arn:aws:iam::123456789012:role/x {\n  token-expiration 48h\n}\n",
    )
    .unwrap();
    assert_eq!(run_hook("irsa-check", &["ok.irsa"], dir.path()).code, 0);
    assert_eq!(
        run_hook("irsa-check", &["ok.irsa", "warn.irsa"], dir.path()).code,
        1
    );
}

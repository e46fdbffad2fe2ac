//! `cargo xtask vscode`: the VS Code extension (editors/vscode) as a
//! `.vsix` in target/vscode, with its grammar rewritten from the library's
//! tables first; `ci` also runs the grammar's tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{grammar, root, run_command};

fn extension_dir() -> PathBuf {
    root().join("editors").join("vscode")
}

pub fn out_dir() -> PathBuf {
    root().join("target").join("vscode")
}

/// The npm packages of editors/vscode (vsce, the language client, the
/// grammar test runner), from its package-lock.json, when one is missing.
fn ensure_node_modules() -> Result<(), String> {
    let dir = extension_dir();
    let modules = dir.join("node_modules");
    let needed = [
        modules.join(".bin").join("vsce"),
        modules.join(".bin").join("vscode-tmgrammar-test"),
        modules.join("vscode-languageclient").join("package.json"),
    ];
    if needed.iter().all(|file| file.exists()) {
        return Ok(());
    }
    eprintln!("xtask: installing the npm packages of editors/vscode (npm ci) …");
    run_command(
        Command::new("npm")
            .current_dir(&dir)
            .args(["ci", "--no-audit", "--no-fund"]),
    )
}

fn bin(name: &str) -> PathBuf {
    extension_dir().join("node_modules").join(".bin").join(name)
}

/// Writes the grammar from the tables and packages the extension; returns
/// the `.vsix`.
pub fn build() -> Result<PathBuf, String> {
    grammar::write()?;
    ensure_node_modules()?;
    let out = out_dir();
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let vsix = out.join("irsa.vsix");
    run_command(
        Command::new(bin("vsce"))
            .current_dir(extension_dir())
            .args(["package", "--skip-license", "--out"])
            .arg(&vsix),
    )?;
    eprintln!("xtask: the extension is {}", vsix.display());
    Ok(vsix)
}

/// The extension builds, its grammar passes its tests (the `# SYNTAX TEST`
/// files of editors/vscode/test, every dsl-example tokenized without an
/// `invalid` scope, the book's interpreter against vscode-textmate) and so
/// does its client.
pub fn check() -> Result<(), String> {
    build()?;
    let dir = extension_dir();
    run_command(
        Command::new(bin("vscode-tmgrammar-test"))
            .current_dir(&dir)
            .args(["--grammar", "syntaxes/irsa.tmLanguage.json"])
            .arg("test/*.test.irsa"),
    )?;
    // One CI run in several, the examples' process lingered after all its
    // tests had passed (a handle of vscode-textmate's engine, not code under
    // test, kept its event loop alive): force the exit once they are done,
    // and bound each test so a real hang still fails.
    run_command(
        Command::new("node")
            .current_dir(&dir)
            .args(["--test", "--test-force-exit", "--test-timeout=120000"])
            .arg(Path::new("test").join("examples.test.mjs"))
            .arg(Path::new("test").join("client.test.mjs")),
    )
}

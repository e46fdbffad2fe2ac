//! `cargo xtask`: every chore of the project, so that a fresh machine needs
//! only `cargo` and this repository.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const HELP: &str = "\
cargo xtask COMMAND

Commands:
  ci               Everything CI checks: formatting, clippy (warnings are errors),
                   every test, the examples' committed output, no pending snapshots
  bless-examples   Rewrite each dsl-examples/NAME/ with the compiler's current output
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bless-examples") => bless_examples(),
        Some("-h" | "--help" | "help") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a command in the workspace root, failing on a non-zero exit.
fn run(program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed with {status}",
            args.join(" ")
        ))
    }
}

fn ci() -> Result<(), String> {
    run("cargo", &["fmt", "--all", "--", "--check"])?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    // insta must not write .snap.new files in CI: a difference fails.
    run_with_env(
        "cargo",
        &["test", "--workspace", "--locked"],
        &[("INSTA_UPDATE", "no"), ("CI", "true")],
    )?;
    pending_snapshots()
}

fn run_with_env(program: &str, args: &[&str], vars: &[(&str, &str)]) -> Result<(), String> {
    eprintln!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`{program} {}` failed with {status}",
            args.join(" ")
        ))
    }
}

/// Fails when insta left snapshots to review.
fn pending_snapshots() -> Result<(), String> {
    let mut pending = Vec::new();
    let mut dirs = vec![root()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" && name != ".git" && name != "node_modules" {
                    dirs.push(path);
                }
            } else if name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
                pending.push(path.display().to_string());
            }
        }
    }
    if pending.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "snapshots are pending review (cargo insta review):\n  {}",
            pending.join("\n  ")
        ))
    }
}

/// Regenerates the committed expected output of every example.
fn bless_examples() -> Result<(), String> {
    run(
        "cargo",
        &["build", "--quiet", "--package", "irsa", "--bin", "irsa"],
    )?;
    let irsa = root().join("target").join("debug").join("irsa");
    let examples = root().join("dsl-examples");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&examples)
        .map_err(|e| format!("{}: {e}", examples.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "irsa"))
        .collect();
    entries.sort();
    for example in entries {
        let Some(stem) = example
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
        else {
            continue;
        };
        let out = examples.join(&stem);
        let (Some(example), Some(out)) = (example.to_str(), out.to_str()) else {
            return Err("non-UTF-8 path under dsl-examples/".to_owned());
        };
        run(
            irsa.to_str().ok_or("non-UTF-8 target path")?,
            &["compile", example, "-o", out],
        )?;
    }
    Ok(())
}

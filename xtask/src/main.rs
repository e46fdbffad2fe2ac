//! `cargo xtask`: every chore of the project, so that a fresh machine needs
//! only `cargo` and this repository.
#![allow(clippy::print_stdout, clippy::print_stderr)]

// The CLI's own clap definitions, so completions and the man page are
// generated from exactly what the binary parses.
#[allow(dead_code, unreachable_pub)]
#[path = "../../compiler/src/cli/args.rs"]
mod args;

mod bench;
mod book;
mod fuzz;
mod playground;
mod wasm;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const HELP: &str = "\
cargo xtask COMMAND

Commands:
  ci               Everything CI checks: formatting, clippy (warnings are errors),
                   every Rust test, no pending snapshots, completions and man pages,
                   the wasm build with its parity tests, and the playground in Chromium
                   (installs what is missing: the wasm toolchain, wasm-bindgen-cli,
                   npm packages, Chromium)
  bless-examples   Rewrite each dsl-examples/NAME/ with the compiler's current output
  wasm             Build the WebAssembly package (target/wasm/web and target/wasm/nodejs)
  playground       Build the playground site into target/playground
                   (--serve [PORT]: then serve target/ on 127.0.0.1, port 8000 by default)
  book             Build the book into target/book (installs mdbook when missing);
                   fails on a broken link
  fuzz             Run every fuzz target (--seconds N each, default 60); findings become
                   regression tests in tests/cases/fuzz-regressions
  bench            The performance budget table (target/bench/report.md); fails when a
                   target is missed
  completions      Shell completions (bash, zsh, fish, elvish, PowerShell) into target/completions
  man              Man pages (irsa.1 and one per command) into target/man
";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bless-examples") => bless_examples(),
        Some("wasm") => wasm::build().map(|_| ()),
        Some("playground") => {
            playground::build().and_then(|()| match args.get(1).map(String::as_str) {
                Some("--serve") => {
                    let port = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(8000);
                    playground::serve(port)
                }
                Some(other) => Err(format!("unknown option `{other}`")),
                None => Ok(()),
            })
        }
        Some("book") => book::build(),
        Some("bench") => bench::run(),
        Some("fuzz") => {
            let seconds = match (args.get(1).map(String::as_str), args.get(2)) {
                (Some("--seconds"), Some(n)) => n
                    .parse()
                    .map_err(|_| format!("not a number of seconds: {n}")),
                (None, _) => Ok(60),
                (Some(other), _) => Err(format!("unknown option `{other}`")),
            };
            seconds.and_then(fuzz::run)
        }
        Some("completions") => completions().map(|_| ()),
        Some("man") => man_pages().map(|_| ()),
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

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a prepared command, failing on a non-zero exit.
pub fn run_command(command: &mut Command) -> Result<(), String> {
    eprintln!("xtask: $ {command:?}");
    let status = command
        .status()
        .map_err(|e| format!("cannot start {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}

/// Runs a command and returns its standard output; an error when it cannot
/// start or fails.
pub fn command_output(command: &mut Command) -> Result<String, String> {
    let output = command.output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The size of a file once gzipped at the best level.
pub fn gzipped_size(path: &Path) -> Result<u64, String> {
    use std::io::Write as _;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&bytes).map_err(|e| e.to_string())?;
    let compressed = encoder.finish().map_err(|e| e.to_string())?;
    Ok(compressed.len() as u64)
}

/// Runs a command in the workspace root, failing on a non-zero exit.
fn run(program: &str, args: &[&str]) -> Result<(), String> {
    run_command(Command::new(program).args(args).current_dir(root()))
}

/// The directory `cargo install` puts binaries in.
pub fn cargo_bin_dir() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map_or_else(
            || PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"),
            PathBuf::from,
        )
        .join("bin")
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
    run_command(
        Command::new("cargo")
            .args(["test", "--workspace", "--locked"])
            .envs([("INSTA_UPDATE", "no"), ("CI", "true")])
            .current_dir(root()),
    )?;
    pending_snapshots()?;
    check_generated_docs()?;
    wasm_tests()
}

/// The wasm build, the playground and the book: parity with the native
/// binary in node, then the playground and the book's links to it end to
/// end in headless Chromium.
fn wasm_tests() -> Result<(), String> {
    playground::build()?;
    book::build()?;
    if !Path::new("/usr/bin/chromium").exists() {
        wasm::ensure_apt_packages(&["chromium", "chromium-driver"])?;
    }
    run(
        "cargo",
        &[
            "build",
            "--locked",
            "--quiet",
            "--package",
            "irsa",
            "--bin",
            "irsa",
        ],
    )?;
    let irsa = root().join("target").join("debug").join("irsa");
    run_command(
        Command::new("node")
            .current_dir(root())
            .env("IRSA_BIN", &irsa)
            .args([
                "--test",
                "wasm/tests/parity.test.mjs",
                "wasm/tests/browser.test.mjs",
            ]),
    )
}

/// The completions and man pages generate, and cover every command.
fn check_generated_docs() -> Result<(), String> {
    let commands: Vec<String> = <args::Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    for path in completions()? {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for command in &commands {
            if !text.contains(command.as_str()) {
                return Err(format!("{} does not complete `{command}`", path.display()));
            }
        }
    }
    let pages = man_pages()?;
    for command in &commands {
        let page = format!("irsa-{command}.1");
        if !pages.iter().any(|p| p.ends_with(&page)) {
            return Err(format!("no man page {page}"));
        }
    }
    eprintln!(
        "xtask: completions and man pages cover {}",
        commands.join(", ")
    );
    Ok(())
}

fn completions() -> Result<Vec<PathBuf>, String> {
    use clap_complete::Shell;
    let dir = root().join("target").join("completions");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut command = <args::Cli as clap::CommandFactory>::command();
        let path = clap_complete::generate_to(shell, &mut command, "irsa", &dir)
            .map_err(|e| format!("completions for {shell}: {e}"))?;
        written.push(path);
    }
    eprintln!("xtask: completions in {}", dir.display());
    Ok(written)
}

fn man_pages() -> Result<Vec<PathBuf>, String> {
    let dir = root().join("target").join("man");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let command = <args::Cli as clap::CommandFactory>::command().version(env!("CARGO_PKG_VERSION"));
    clap_mangen::generate_to(command, &dir).map_err(|e| format!("man pages: {e}"))?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "1"))
        .collect();
    pages.sort();
    eprintln!("xtask: man pages in {}", dir.display());
    Ok(pages)
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

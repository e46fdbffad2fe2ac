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

/// Where the built packages go.
pub fn out_dir() -> PathBuf {
    root().join("target").join("wasm")
}

pub fn web_dir() -> PathBuf {
    out_dir().join("web")
}

pub fn nodejs_dir() -> PathBuf {
    out_dir().join("nodejs")
}

/// Builds the wasm and the `web` and `nodejs` glue; returns the web wasm file.
pub fn build() -> Result<PathBuf, String> {
    let wasm = compile()?;
    let bindgen = ensure_wasm_bindgen()?;
    for (target, dir) in [("web", web_dir()), ("nodejs", nodejs_dir())] {
        let _ = std::fs::remove_dir_all(&dir);
        run_command(
            Command::new(&bindgen)
                .arg("--target")
                .arg(target)
                .arg("--out-dir")
                .arg(&dir)
                .arg("--out-name")
                .arg("irsa")
                .arg(&wasm),
        )?;
        optimize(&dir.join("irsa_bg.wasm"))?;
    }
    write_package_json(&nodejs_dir(), "commonjs")?;
    write_package_json(&web_dir(), "module")?;
    let web_wasm = web_dir().join("irsa_bg.wasm");
    let raw = std::fs::metadata(&web_wasm)
        .map_err(|e| e.to_string())?
        .len();
    let gzipped = crate::gzipped_size(&web_wasm)?;
    eprintln!(
        "xtask: wasm {} KiB, {} KiB gzipped (budget 150 KiB gzipped)",
        raw / 1024,
        gzipped / 1024
    );
    if gzipped > 150 * 1024 {
        // Measured by building std here without `immediate-abort` and with
        // reference types: 168 KiB. The prebuilt std of the rustup target
        // carries the same panic machinery.
        let why = if rustup_has_target() {
            "; the rustup target's prebuilt std carries its panic machinery (~24 KiB gzipped): \
             remove the target (`rustup target remove wasm32-unknown-unknown`) to build std here \
             with `immediate-abort`, as this xtask does on machines without it"
        } else {
            ""
        };
        return Err(format!(
            "the wasm is {} KiB gzipped, over the 150 KiB budget{why}",
            gzipped / 1024
        ));
    }
    Ok(web_wasm)
}

fn rustup_has_target() -> bool {
    command_output(Command::new("rustup").args(["target", "list", "--installed"]))
        .is_ok_and(|out| out.lines().any(|l| l.trim() == TARGET))
}

/// Compiles the cdylib; returns the `.wasm` path.
fn compile() -> Result<PathBuf, String> {
    let root = root();
    if rustup_has_target() {
        run_command(Command::new("cargo").current_dir(&root).args([
            "build",
            "--locked",
            "--profile",
            PROFILE,
            "--target",
            TARGET,
            "-p",
            "irsa-wasm",
        ]))?;
        return Ok(root
            .join("target")
            .join(TARGET)
            .join(PROFILE)
            .join("irsa_wasm.wasm"));
    }
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
                "-p",
                "irsa-wasm",
            ]),
    )?;
    Ok(target_dir.join(TARGET).join(PROFILE).join("irsa_wasm.wasm"))
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
fn write_package_json(dir: &Path, module_type: &str) -> Result<(), String> {
    let version = locked_version("irsa")?;
    let package = serde_json::json!({
        "name": "irsa",
        "version": version,
        "description": "Compile .irsa files into IRSA ServiceAccounts and a SpinnakerService, in JavaScript (WebAssembly)",
        "license": "Apache-2.0",
        "type": module_type,
        "main": "irsa.js",
        "types": "irsa.d.ts",
        "files": ["irsa.js", "irsa.d.ts", "irsa_bg.wasm", "irsa_bg.wasm.d.ts"],
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

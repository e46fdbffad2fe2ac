//! What the tests of irsa share, in one place: the repository's files and
//! annotated cases, the real `irsa` binary run in sandboxes, the CRD schemas
//! of `schemas/`, and the properties that hold for any input (checked by the
//! fuzz targets, replayed by the integration tests, run on generated text by
//! the property tests).
//!
//! Everything here goes through the library's public API (`analyze`,
//! `compile`, `format`, `explain`, `decode`, `Diagnostic`, `Code`) and the
//! binary, never the compiler's internal representation.
//!
//! Features: `binary` (running the binary, sandboxes) and `kubernetes` (CRD
//! schemas, YAML 1.1 scalars), both on by default; the fuzz crate uses
//! neither.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

#[cfg(feature = "binary")]
mod binary;
pub mod cases;
pub mod export_properties;
pub mod hostile;
#[cfg(feature = "kubernetes")]
pub mod kubernetes;
pub mod properties;
pub mod verify_properties;

#[cfg(feature = "binary")]
pub use binary::{HANG_LIMIT, Run, Sandbox, irsa, irsa_bin};
pub use cases::Case;
pub use properties::meaning;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("test-support/ is inside the repository")
        .to_path_buf()
}

/// A path under the root, relative to it (as the binary is given it when
/// run from the root).
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or_else(|_| panic!("{} is not under {}", path.display(), root().display()))
        .display()
        .to_string()
}

/// Files with an extension in a directory, sorted.
pub fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

/// Every file under a directory, by its path relative to it (with `/`),
/// with its content (lossily decoded), sorted.
pub fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)
            .unwrap_or_else(|e| panic!("reading {}: {e}", current.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let content = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                files.insert(relative, content);
            }
        }
    }
    files
}

/// Every `.irsa` example in dsl-examples/, sorted.
pub fn examples() -> Vec<PathBuf> {
    files_in(&root().join("dsl-examples"), "irsa")
}

/// The extra `irsa compile` arguments an example documents, from a
/// comment among its first lines: `# compile-with: --iam terraform`.
pub fn example_args(example: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(example).unwrap_or_default();
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .find_map(|line| line.strip_prefix("# compile-with:"))
        .map(|args| args.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Every input the project keeps: the examples and the annotated
/// diagnostic and adversarial cases (`.irsa`), and the fuzzers' findings
/// (`.bin`).
pub fn every_input() -> Vec<PathBuf> {
    let mut inputs = examples();
    for dir in ["diagnostics", "adversarial"] {
        inputs.extend(files_in(&root().join("tests/cases").join(dir), "irsa"));
    }
    inputs.extend(files_in(
        &root().join("tests/cases/fuzz-regressions"),
        "bin",
    ));
    inputs
}

/// Every Kubernetes export the project keeps, for the export readers and
/// `import`: the examples' committed `-o` output (`dsl-examples/NAME/*.yaml`),
/// the import cases (`tests/cases/import/`), and the fuzzers' findings.
pub fn every_export() -> Vec<PathBuf> {
    let mut inputs = Vec::new();
    for example in examples() {
        let dir = example.with_extension("");
        if dir.is_dir() {
            inputs.extend(files_in(&dir, "yaml"));
        }
    }
    let import = root().join("tests/cases/import");
    if import.is_dir() {
        for extension in ["yaml", "json"] {
            inputs.extend(files_in(&import, extension));
        }
    }
    inputs.extend(files_in(
        &root().join("tests/cases/fuzz-regressions"),
        "bin",
    ));
    inputs
}

/// Parses a YAML stream into one JSON value per document.
pub fn yaml_documents(stream: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(stream)
        .unwrap_or_else(|e| panic!("invalid YAML: {e}\n{stream}"))
}

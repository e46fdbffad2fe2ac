//! `cargo xtask fuzz [--seconds N]`: runs every cargo-fuzz target for N
//! seconds (default 60) from a corpus seeded with the examples and test
//! inputs. A finding is copied to tests/cases/fuzz-regressions/, where the
//! regression test replays it, and fails the run.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{install, root};

pub const TARGETS: [&str; 7] = [
    "parse",
    "compile",
    "fmt",
    "kubernetes_export",
    "aws_export",
    "trust_policy",
    "import",
];

/// Every committed input: examples, test cases, earlier findings.
fn seeds() -> Result<Vec<PathBuf>, String> {
    let mut seeds = Vec::new();
    for dir in [
        "dsl-examples",
        "tests/cases/diagnostics",
        "tests/cases/adversarial",
        "tests/cases/fuzz-regressions",
    ] {
        let dir = root().join(dir);
        for entry in std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "irsa" || e == "bin") {
                seeds.push(path);
            }
        }
    }
    // The export readers' seeds: the examples' committed YAML, the import
    // cases and verify's exports.
    for dir in std::fs::read_dir(root().join("dsl-examples"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .chain([root().join("tests/cases/import")])
        .chain(
            std::fs::read_dir(root().join("tests/cases/verify"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path()),
        )
    {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "json") {
                seeds.push(path);
            }
        }
    }
    seeds.sort();
    Ok(seeds)
}

pub fn run(seconds: u64) -> Result<(), String> {
    install::ensure_cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    let seeds = seeds()?;
    let mut findings = Vec::new();
    let mut summary = Vec::new();
    for target in TARGETS {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        for seed in &seeds {
            // Named with their directory: every example has a
            // `serviceaccounts.yaml`.
            let parent = seed.parent().and_then(Path::file_name);
            if let (Some(parent), Some(name)) = (parent, seed.file_name()) {
                let name = format!("{}-{}", parent.to_string_lossy(), name.to_string_lossy());
                std::fs::copy(seed, corpus.join(name)).map_err(|e| e.to_string())?;
            }
        }
        let artifacts = fuzz_dir.join("artifacts").join(target);
        let before = files(&artifacts);
        let output = Command::new("cargo")
            .current_dir(root())
            .args(["+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", target])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args([
                "-rss_limit_mb=2048",
                "-timeout=10",
                "-max_len=65536",
                "-print_final_stats=1",
            ])
            .output()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        let runs = log
            .lines()
            .filter_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .next_back()
            .map_or_else(|| "?".to_owned(), |n| n.trim().to_owned());
        let new: Vec<PathBuf> = files(&artifacts)
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        for finding in &new {
            let name = finding
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let kept = root()
                .join("tests/cases/fuzz-regressions")
                .join(format!("{target}-{name}.bin"));
            std::fs::copy(finding, &kept).map_err(|e| e.to_string())?;
            findings.push(kept.display().to_string());
        }
        if !output.status.success() && new.is_empty() {
            return Err(format!("cargo fuzz run {target} failed:\n{log}"));
        }
        summary.push(format!(
            "{target}: {seconds} s, {runs} executions, {} findings",
            new.len()
        ));
    }
    for line in &summary {
        eprintln!("xtask: fuzz {line}");
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found inputs that break a property, kept as regression tests:\n  {}",
            findings.join("\n  ")
        ))
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

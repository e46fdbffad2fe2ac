//! Replays the fuzz targets' properties over every finding of the fuzzers
//! (tests/cases/fuzz-regressions/) and over the seed corpus (examples and
//! test inputs), so a property that breaks fails here too, without a fuzzer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../fuzz/src/properties.rs"]
mod properties;

use irsa_tests::{examples, files_in, root};

#[test]
fn properties_hold_for_findings_and_seeds() {
    let mut inputs = examples();
    inputs.extend(files_in(&root().join("tests/cases/diagnostics"), "irsa"));
    inputs.extend(files_in(&root().join("tests/cases/adversarial"), "irsa"));
    let findings = files_in(&root().join("tests/cases/fuzz-regressions"), "bin");
    inputs.extend(findings.iter().cloned());
    assert!(inputs.len() > 100);
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let result = std::panic::catch_unwind(|| {
            properties::check_parse(&data);
            properties::check_compile(&data);
            properties::check_fmt(&data);
        });
        assert!(result.is_ok(), "a property fails for {name}");
    }
}

//! Replays the fuzz targets' properties (test-support/src/properties.rs)
//! over every finding of the fuzzers (tests/cases/fuzz-regressions/) and
//! over the seed corpus (examples and test inputs), so a property that
//! breaks fails here too, without a fuzzer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use irsa_test_support::export_properties::{Imported, check_import, check_kubernetes_export};
use irsa_test_support::properties::{Compiled, check_compile, check_fmt, check_parse};
use irsa_test_support::verify_properties::{check_aws_export, check_trust_policy};
use irsa_test_support::{every_export, every_input};

#[test]
fn properties_hold_for_findings_and_seeds() {
    let inputs = every_input();
    assert!(inputs.len() > 100, "only {} inputs", inputs.len());
    assert!(
        inputs
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "bin")),
        "no fuzz finding is replayed"
    );
    let (mut diagnosed, mut compiled, mut failed, mut formatted) = (0, 0, 0, 0);
    let (mut policies, mut associations) = (0, 0);
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let result = std::panic::catch_unwind(|| {
            (check_parse(&data), check_compile(&data), check_fmt(&data))
        });
        let Ok((diagnostics, compilation, fmt)) = result else {
            panic!("a property fails for {name}");
        };
        diagnosed += usize::from(diagnostics > 0);
        match compilation {
            Compiled::Output(seen) => {
                compiled += 1;
                policies += seen.trust_policies;
                associations += seen.associations;
            }
            Compiled::Failed => failed += 1,
            Compiled::NotText => {}
        }
        formatted += usize::from(fmt);
    }
    // Each property was exercised, not skipped.
    assert!(diagnosed >= 50, "only {diagnosed} inputs had diagnostics");
    assert!(compiled >= 12, "only {compiled} inputs compiled");
    assert!(failed >= 50, "only {failed} inputs failed to compile");
    assert!(formatted >= 60, "only {formatted} inputs formatted");
    assert!(policies >= 5, "only {policies} trust policies checked");
    assert!(associations >= 1, "no Pod Identity association checked");
}

#[test]
fn export_properties_hold_for_findings_and_seeds() {
    let inputs = every_export();
    let (mut read, mut refused, mut objects, mut imported) = (0, 0, 0, 0);
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let result =
            std::panic::catch_unwind(|| (check_kubernetes_export(&data), check_import(&data)));
        let Ok((seen, import)) = result else {
            panic!("an export or import property fails for {name}");
        };
        imported += usize::from(import == Imported::Source);
        match seen {
            Some(count) => {
                read += 1;
                objects += count;
            }
            None => refused += 1,
        }
    }
    assert!(read >= 30, "only {read} exports were read");
    // Each example's spinnakerservice.yaml names ServiceAccounts that are
    // in another file; its import is whatever it is, but many cases import.
    assert!(imported >= 10, "only {imported} inputs imported");
    assert!(objects >= 100, "only {objects} objects were read");
    // The fuzz findings (not exports) are refused, or read as YAML.
    assert!(read + refused >= 31, "only {} inputs", read + refused);
}

/// `verify`'s reader and evaluator properties over its exports (every
/// verify case's JSON), each export's trust policies alone, and the fuzz
/// findings.
#[test]
fn verify_properties_hold_for_findings_and_seeds() {
    let mut inputs: Vec<std::path::PathBuf> =
        std::fs::read_dir(irsa_test_support::root().join("tests/cases/verify"))
            .unwrap()
            .flat_map(|dir| irsa_test_support::files_in(&dir.unwrap().path(), "json"))
            .collect();
    inputs.extend(irsa_test_support::files_in(
        &irsa_test_support::root().join("tests/cases/fuzz-regressions"),
        "bin",
    ));
    let (mut read, mut evaluated, mut allowed, mut documents) = (0, 0, 0, 0);
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let Ok(seen) = std::panic::catch_unwind(|| check_aws_export(&data)) else {
            panic!("an AWS export property fails for {name}");
        };
        read += seen.read;
        evaluated += seen.evaluated;
        allowed += seen.allowed;
        // Each trust policy on its own, as the trust_policy target sees it.
        if let Ok(export) = irsa::exports::aws::read_aws(&data) {
            for role in &export.roles {
                let Ok(document) = role.trust_policy() else {
                    continue;
                };
                let bytes = serde_json::to_vec(&document).unwrap();
                let Ok(seen) = std::panic::catch_unwind(|| check_trust_policy(&bytes)) else {
                    panic!("an evaluator property fails for a policy of {name}");
                };
                documents += usize::from(seen.evaluated > 0);
            }
        }
    }
    assert!(read >= 25, "only {read} AWS exports were read");
    assert!(evaluated >= 60, "only {evaluated} evaluations");
    assert!(allowed >= 20, "only {allowed} evaluations allowed");
    assert!(
        documents >= 30,
        "only {documents} trust policies evaluated alone"
    );
}

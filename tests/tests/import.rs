//! `irsa import` through the real binary (LANGUAGE.md §13): the guarantee
//! on every example, the annotated manifests of tests/cases/import/, hostile
//! YAML, and `-o FILE`.
//!
//! A case is a YAML file whose comment line `# expect: CODES` (or `ok`)
//! says what import reports; JSON cases cannot hold a comment and expect
//! `ok`. Each case's output and human diagnostics are snapshotted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use irsa_test_support::export_properties::assert_import_guarantee;
use irsa_test_support::hostile::{Hostile, hostile_yaml};
use irsa_test_support::{Case, Sandbox, examples, files_in, irsa, root};
use serde_json::Value;

fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn compile(source: &str) -> String {
    irsa::compile(source, irsa::EmitOptions::default())
        .unwrap()
        .output
        .unwrap_or_else(|| panic!("does not compile:\n{source}"))
        .stream
}

/// Whether every ServiceAccount of a stream has a role annotation (uses
/// IRSA): the condition of the byte-for-byte round trip.
fn all_irsa(stream: &str) -> bool {
    irsa::exports::kubernetes::read_kubernetes(stream.as_bytes())
        .unwrap()
        .iter()
        .filter(|o| o.value["kind"] == "ServiceAccount")
        .all(|o| o.value["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].is_string())
}

#[test]
fn every_example_round_trips() {
    let (mut checked, mut exact) = (0, 0);
    for example in examples() {
        let name = example.display().to_string();
        let stream = compile(&std::fs::read_to_string(&example).unwrap());
        let run = irsa(&["import"], &root(), Some(stream.as_bytes()));
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{name}: the compiler's own output warns");
        let source = run.stdout;
        let again = assert_import_guarantee(&[stream.as_bytes()], &source);
        if all_irsa(&stream) {
            assert_eq!(
                again, stream,
                "{name}: import(compile(P)) compiles to other bytes\n{source}"
            );
            exact += 1;
        }
        // Importing the import's own output gives the same file.
        let fixed = irsa(&["import", "-"], &root(), Some(again.as_bytes()));
        assert_eq!(fixed.stdout, source, "{name}: not a fixed point");
        // The committed `-o DIR` files, given as two files, import the same.
        let dir = example.with_extension("");
        let files = [
            dir.join("serviceaccounts.yaml"),
            dir.join("spinnakerservice.yaml"),
        ];
        if files.iter().all(|f| f.exists()) {
            let args: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            let run = irsa(&["import", &args[0], &args[1]], &root(), None);
            assert_eq!(run.code, 0, "{name}: {}", run.stderr);
            assert_eq!(
                run.stdout, source,
                "{name}: the -o files import differently"
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} examples");
    assert!(
        exact >= 10,
        "only {exact} examples round-trip byte for byte"
    );
}

fn import_cases() -> Vec<std::path::PathBuf> {
    let dir = root().join("tests/cases/import");
    let mut cases = files_in(&dir, "yaml");
    cases.extend(files_in(&dir, "json"));
    cases.sort();
    cases
}

fn expected_codes(path: &Path) -> Vec<String> {
    if path.extension().is_some_and(|e| e == "json") {
        return Vec::new();
    }
    Case::read(path).expect
}

#[test]
fn import_cases_report_their_codes_and_keep_the_guarantee() {
    let cases = import_cases();
    assert!(cases.len() >= 15, "only {} cases", cases.len());
    let mut imported = 0;
    for path in &cases {
        let name = path.strip_prefix(root()).unwrap().display().to_string();
        let expect = expected_codes(path);
        let json = irsa(
            &["import", &name, "--message-format", "json"],
            &root(),
            None,
        );
        let diagnostics = json_lines(&json.stderr);
        let codes: Vec<&str> = diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, expect, "{name}");
        for d in &diagnostics {
            assert_eq!(d["file"], name.as_str(), "{name}: {d}");
            assert!(
                d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1,
                "{name}: {d}"
            );
        }
        let fails = codes
            .iter()
            .any(|c| irsa::Code::parse(c).unwrap().severity() == irsa::Severity::Error);
        assert_eq!(json.code, i32::from(fails), "{name}: {}", json.stderr);
        if fails {
            assert_eq!(json.stdout, "", "{name}: output despite an error");
        } else {
            assert_import_guarantee(&[&std::fs::read(path).unwrap()], &json.stdout);
            imported += 1;
        }
        let human = irsa(&["import", &name, "--color", "never"], &root(), None);
        for code in &codes {
            assert!(
                human.stderr.contains(&format!("[{code}]")),
                "{name}: {code}"
            );
        }
        let github = irsa(
            &["import", &name, "--message-format", "github"],
            &root(),
            None,
        );
        assert_eq!(github.stderr.lines().count(), codes.len(), "{name}");
        insta::assert_snapshot!(
            format!("import-{}", path.file_name().unwrap().to_string_lossy()),
            format!(
                "exit: {}\n==== stdout ====\n{}==== stderr ====\n{}",
                human.code, human.stdout, human.stderr
            )
        );
    }
    assert!(imported >= 10, "only {imported} cases imported");
}

/// Every import code has a case that reports it.
#[test]
fn every_import_code_has_a_case() {
    let covered: Vec<String> = import_cases()
        .iter()
        .flat_map(|p| expected_codes(p))
        .collect();
    let missing: Vec<&str> = irsa::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| c.starts_with('I') && !covered.iter().any(|k| k == c))
        .filter(|c| *c != "I005") // hostile inputs, generated below
        .collect();
    assert!(
        missing.is_empty(),
        "import codes without a case: {missing:?}"
    );
}

/// Hostile YAML: a located error (I005), nothing written, well within the
/// hang watchdog.
#[test]
fn hostile_yaml_is_refused_with_a_located_error() {
    for Hostile {
        name,
        text,
        line,
        message,
    } in hostile_yaml()
    {
        let sandbox = Sandbox::new();
        sandbox.write("in.yaml", &text);
        let run = sandbox.irsa(
            &[
                "import",
                "in.yaml",
                "-o",
                "out.irsa",
                "--message-format",
                "json",
            ],
            None,
        );
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let diagnostics = json_lines(&run.stderr);
        assert_eq!(diagnostics.len(), 1, "{name}: {}", run.stderr);
        assert_eq!(diagnostics[0]["code"], "I005", "{name}");
        assert!(
            diagnostics[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(message)),
            "{name}: {}",
            run.stderr
        );
        assert_eq!(
            diagnostics[0]["line"].as_u64().unwrap(),
            line,
            "{name}: {}",
            run.stderr
        );
        assert!(
            !sandbox.exists("out.irsa"),
            "{name}: written despite the error"
        );
    }
}

const SERVICE_ACCOUNT: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: spin-sa\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/spinnaker\n";
const SPINNAKER: &str = "apiVersion: spinnaker.armory.io/v1alpha2\nkind: SpinnakerService\nmetadata:\n  name: spinnaker\nspec:\n  spinnakerConfig:\n    service-settings:\n      spinnaker:\n        kubernetes:\n          serviceAccountName: spin-sa\n";

#[test]
fn output_file_is_written_atomically_and_only_on_success() {
    let sandbox = Sandbox::new();
    sandbox.write("sa.yaml", SERVICE_ACCOUNT);
    sandbox.write("spinnaker.yaml", SPINNAKER);
    sandbox.write("out.irsa", "old\n");
    let run = sandbox.irsa(
        &["import", "sa.yaml", "spinnaker.yaml", "-o", "out.irsa"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(
        sandbox.read("out.irsa"),
        "account 123456789012\n\nservice * -> role spinnaker\n"
    );
    assert_eq!(
        sandbox
            .files()
            .iter()
            .filter(|f| f.contains("irsa-tmp"))
            .count(),
        0
    );
    // Only ServiceAccounts: an error, the file is left as it was.
    sandbox.write("out.irsa", "old\n");
    let run = sandbox.irsa(&["import", "sa.yaml", "-o", "out.irsa"], None);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("I001"), "{}", run.stderr);
    assert_eq!(sandbox.read("out.irsa"), "old\n");
    // A missing file is an I/O error.
    let run = sandbox.irsa(&["import", "missing.yaml"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// One ServiceAccount in two files with different roles: the error is in
/// the second file and names the first.
#[test]
fn a_conflict_across_files_names_both() {
    let sandbox = Sandbox::new();
    sandbox.write("a.yaml", format!("{SERVICE_ACCOUNT}---\n{SPINNAKER}"));
    sandbox.write(
        "b.yaml",
        SERVICE_ACCOUNT.replace("role/spinnaker", "role/other"),
    );
    let run = sandbox.irsa(
        &["import", "a.yaml", "b.yaml", "--message-format", "json"],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let diagnostics = json_lines(&run.stderr);
    assert_eq!(diagnostics.len(), 1, "{}", run.stderr);
    assert_eq!(diagnostics[0]["code"], "I003");
    assert_eq!(diagnostics[0]["file"], "b.yaml");
    assert_eq!(diagnostics[0]["line"], 4);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("a.yaml:4:"),
        "{}",
        run.stderr
    );
}

//! Every dsl-example, compiled through the real binary: its committed
//! output, its snapshot, and its objects checked as Kubernetes would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use irsa_tests::{
    ambiguous_plain_scalars, examples, irsa, root, spinnaker_service_schema, unknown_fields,
    yaml_documents,
};
use k8s_openapi::api::core::v1::ServiceAccount;
use serde_json::Value;

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap().display().to_string()
}

#[test]
fn there_are_at_least_twelve_examples() {
    assert!(examples().len() >= 12, "{:?}", examples());
}

#[test]
fn examples_match_their_committed_output() {
    for example in examples() {
        let out = example.with_extension("");
        let run = irsa(
            &[
                "compile",
                &relative(&example),
                "-o",
                &relative(&out),
                "--check",
            ],
            &root(),
            None,
        );
        assert_eq!(
            run.code,
            0,
            "{} differs from its committed output (cargo xtask bless-examples):\n{}{}",
            example.display(),
            run.stderr,
            run.stdout
        );
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn example_streams_and_explanations() {
    insta::glob!("../../dsl-examples", "*.irsa", |path| {
        let file = relative(path);
        let compiled = irsa(&["compile", &file], &root(), None);
        assert_eq!(compiled.code, 0, "{}", compiled.stderr);
        assert_eq!(compiled.stderr, "", "examples compile without warnings");
        let explained = irsa(&["explain", &file], &root(), None);
        assert_eq!(explained.code, 0, "{}", explained.stderr);
        insta::assert_snapshot!(format!(
            "{}\n==== irsa explain ====\n{}",
            compiled.stdout, explained.stdout
        ));
    });
}

fn example_documents() -> Vec<(String, Vec<Value>, String)> {
    examples()
        .iter()
        .map(|example| {
            let run = irsa(&["compile", &relative(example)], &root(), None);
            assert_eq!(run.code, 0, "{}", run.stderr);
            (relative(example), yaml_documents(&run.stdout), run.stdout)
        })
        .collect()
}

#[test]
fn spinnaker_services_are_valid_against_the_crds() {
    for (name, documents, _) in example_documents() {
        let service = documents.last().unwrap();
        assert_eq!(
            service["kind"], "SpinnakerService",
            "{name}: the SpinnakerService comes last"
        );
        let api_version = service["apiVersion"].as_str().unwrap();
        let schema = spinnaker_service_schema(api_version);
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(service)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
        let unknown = unknown_fields(service, &schema, "");
        assert!(
            unknown.is_empty(),
            "{name}: fields the API server would prune: {unknown:?}"
        );
        let settings = service["spec"]["spinnakerConfig"]["service-settings"]
            .as_object()
            .unwrap();
        assert!(!settings.is_empty(), "{name}");
        for (service_name, setting) in settings {
            assert!(
                setting["kubernetes"]["serviceAccountName"].is_string(),
                "{name}: {service_name}"
            );
        }
    }
}

/// No null, and no empty map or list, anywhere in an object.
fn assert_no_empty_or_null(name: &str, value: &Value, path: &str) {
    match value {
        Value::Null => panic!("{name}: null at {path}"),
        Value::Object(map) => {
            assert!(!map.is_empty(), "{name}: empty map at {path}");
            for (key, child) in map {
                assert_no_empty_or_null(name, child, &format!("{path}.{key}"));
            }
        }
        Value::Array(items) => {
            assert!(!items.is_empty(), "{name}: empty list at {path}");
            for (index, child) in items.iter().enumerate() {
                assert_no_empty_or_null(name, child, &format!("{path}[{index}]"));
            }
        }
        _ => {}
    }
}

#[test]
fn service_accounts_round_trip_through_kubernetes_types() {
    for (name, documents, stream) in example_documents() {
        let (accounts, rest) = documents.split_at(documents.len() - 1);
        assert_eq!(rest[0]["kind"], "SpinnakerService");
        for document in &documents {
            assert_no_empty_or_null(&name, document, "");
        }
        for document in accounts {
            assert_eq!(
                document["kind"], "ServiceAccount",
                "{name}: ServiceAccounts come first"
            );
            let typed: ServiceAccount = serde_json::from_value(document.clone()).unwrap();
            let back = serde_json::to_value(&typed).unwrap();
            assert_eq!(&back, document, "{name}: a field k8s-openapi does not know");
            let metadata = &typed.metadata;
            let annotations = metadata.annotations.as_ref().unwrap();
            assert!(annotations["eks.amazonaws.com/role-arn"].starts_with("arn:aws"));
            assert_eq!(
                metadata.labels.as_ref().unwrap()["app.kubernetes.io/managed-by"],
                "irsa"
            );
        }
        let ambiguous = ambiguous_plain_scalars(&stream);
        assert!(ambiguous.is_empty(), "{name}: {ambiguous:?}");
    }
}

/// Extracts the fenced blocks of a language from a Markdown text.
fn fenced_blocks<'a>(markdown: &'a str, language: &str) -> Vec<&'a str> {
    let fence = format!("```{language}\n");
    markdown
        .split(&fence)
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect()
}

#[test]
fn the_first_example_of_the_language_spec_compiles_to_its_stream() {
    let spec = std::fs::read_to_string(root().join("../shared/LANGUAGE.md")).unwrap();
    let source = fenced_blocks(&spec, "irsa")[0];
    let expected = fenced_blocks(&spec, "yaml")[0];
    let run = irsa(&["compile"], &root(), Some(source.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, expected);
    let committed =
        std::fs::read_to_string(root().join("dsl-examples/armory-irsa-guide.irsa")).unwrap();
    assert_eq!(
        committed, source,
        "dsl-examples/armory-irsa-guide.irsa is section 1's example"
    );
}

#[test]
fn several_files_stream_one_after_another() {
    let staging = "dsl-examples/staging.irsa";
    let production = "dsl-examples/production.irsa";
    let both = irsa(&["compile", staging, production], &root(), None);
    let one = irsa(&["compile", staging], &root(), None);
    let two = irsa(&["compile", production], &root(), None);
    assert_eq!(both.code, 0);
    assert_eq!(both.stdout, format!("{}---\n{}", one.stdout, two.stdout));
    let documents = yaml_documents(&both.stdout);
    let services = documents
        .iter()
        .filter(|d| d["kind"] == "SpinnakerService")
        .count();
    assert_eq!(services, 2);
}

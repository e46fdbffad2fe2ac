//! Every dsl-example, compiled through the real binary: its committed
//! output (the one golden copy of what it compiles to), the snapshot of its
//! explanation, and its objects checked as Kubernetes would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use irsa_test_support::kubernetes::{ambiguous_plain_scalars, crd_for};
use irsa_test_support::{example_args, examples, irsa, relative, root, yaml_documents};
use k8s_openapi::api::core::v1::ServiceAccount;
use serde_json::Value;

#[test]
fn there_are_at_least_twelve_examples() {
    assert!(examples().len() >= 12, "{:?}", examples());
}

#[test]
fn examples_match_their_committed_output() {
    for example in examples() {
        let out = example.with_extension("");
        let (file, dir) = (relative(&example), relative(&out));
        let mut args = vec!["compile", &file, "-o", &dir, "--check"];
        let extra = example_args(&example);
        args.extend(extra.iter().map(String::as_str));
        let run = irsa(&args, &root(), None);
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

/// The stream is the committed `iam.yaml` (with `--iam ack|crossplane`),
/// `serviceaccounts.yaml` and `spinnakerservice.yaml` one after the other,
/// byte for byte: the committed tree pins the stream too, so no snapshot
/// repeats it.
#[test]
fn example_streams_are_their_committed_files_in_order() {
    for example in examples() {
        let name = relative(&example);
        let extra = example_args(&example);
        let mut args = vec!["compile", name.as_str()];
        // Terraform and CloudFormation go to files only (-o).
        if !extra
            .iter()
            .any(|a| a == "terraform" || a == "cloudformation")
        {
            args.extend(extra.iter().map(String::as_str));
        }
        let compiled = irsa(&args, &root(), None);
        assert_eq!(compiled.code, 0, "{}", compiled.stderr);
        assert_eq!(
            compiled.stderr, "",
            "{name}: examples compile without warnings"
        );
        let out = example.with_extension("");
        let committed = |file: &str| std::fs::read_to_string(out.join(file)).ok();
        let service = committed("spinnakerservice.yaml")
            .unwrap_or_else(|| panic!("{name}: no committed spinnakerservice.yaml"));
        let expected = [
            committed("iam.yaml"),
            committed("serviceaccounts.yaml"),
            Some(service),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("---\n");
        assert_eq!(
            compiled.stdout, expected,
            "{name}: the stream is not the committed files (cargo xtask bless-examples)"
        );
    }
}

#[test]
fn example_explanations() {
    insta::glob!("../../dsl-examples", "*.irsa", |path| {
        let file = relative(path);
        let explained = irsa(&["explain", &file], &root(), None);
        assert_eq!(explained.code, 0, "{}", explained.stderr);
        assert_eq!(explained.stderr, "", "{file}");
        insta::assert_snapshot!(explained.stdout);
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
        let crd = crd_for(api_version, "SpinnakerService");
        let problems = crd.problems(service);
        assert!(
            problems.is_empty(),
            "{name}: against {}: {problems:#?}",
            crd.file
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
            let account = metadata.name.as_deref().unwrap();
            // The role comes by IRSA (the annotation) or EKS Pod Identity
            // (an association in the committed `pod-identity/`).
            let annotations = metadata.annotations.clone().unwrap_or_default();
            match annotations.get("eks.amazonaws.com/role-arn") {
                Some(arn) => assert!(arn.starts_with("arn:aws"), "{name}: {account}: {arn}"),
                None => {
                    let association = root()
                        .join(&name)
                        .with_extension("")
                        .join(format!("pod-identity/{account}.json"));
                    assert!(association.is_file(), "{name}: {account} carries no role");
                }
            }
            assert_eq!(
                metadata.labels.as_ref().unwrap()["app.kubernetes.io/managed-by"],
                "irsa"
            );
        }
        let ambiguous = ambiguous_plain_scalars(&stream);
        assert!(ambiguous.is_empty(), "{name}: {ambiguous:?}");
    }
}

/// Extracts the fenced blocks of a language (with its attributes, such as
/// `yaml,output`) from a Markdown text.
fn fenced_blocks<'a>(markdown: &'a str, info: &str) -> Vec<&'a str> {
    let fence = format!("```{info}\n");
    markdown
        .split(&fence)
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect()
}

/// The README's example is the first example of the language reference
/// (Armory's IRSA guide): `dsl-examples/armory-irsa-guide.irsa`, whose
/// stream is the committed output. The book's introduction shows the same
/// example with that stream.
#[test]
fn the_readme_example_is_the_armory_guide_example() {
    let example = "dsl-examples/armory-irsa-guide.irsa";
    let committed = std::fs::read_to_string(root().join(example)).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let source = *fenced_blocks(&readme, "irsa")
        .first()
        .expect("the README shows an example");
    assert_eq!(source, committed, "the README's example is {example}");
    let run = irsa(&["compile"], &root(), Some(source.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = root().join("dsl-examples/armory-irsa-guide");
    let read = |file: &str| std::fs::read_to_string(out.join(file)).unwrap();
    let stream = format!(
        "{}---\n{}",
        read("serviceaccounts.yaml"),
        read("spinnakerservice.yaml")
    );
    assert_eq!(run.stdout, stream);
    assert!(
        stream.contains("name: spin-sa-echo") && stream.contains("serviceAccountName: spin-sa\n"),
        "echo on its own ServiceAccount, every other service on spin-sa"
    );

    let introduction = std::fs::read_to_string(root().join("book/src/introduction.md")).unwrap();
    assert_eq!(
        fenced_blocks(&introduction, "irsa").first().copied(),
        Some(source),
        "the book's introduction opens with the same example"
    );
    assert_eq!(
        fenced_blocks(&introduction, "yaml,output").first().copied(),
        Some(stream.as_str()),
        "and shows its stream"
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

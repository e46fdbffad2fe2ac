//! Names and values made of words that a YAML 1.1 reader takes for
//! booleans, numbers, nulls or timestamps survive emission: they come out
//! quoted and read back as the same strings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use irsa_test_support::kubernetes::ambiguous_plain_scalars;
use irsa_test_support::{irsa, root, yaml_documents};
use k8s_openapi::api::core::v1::ServiceAccount;
use serde_json::Value;

/// ServiceAccount names (DNS-1123) that YAML 1.1 reads as non-strings.
const NAMES: [(&str, &str); 9] = [
    ("*", "yes"),
    ("echo", "on"),
    ("gate", "0123"),
    ("orca", "1e3"),
    ("igor", "true"),
    ("fiat", "no"),
    ("rosco", "off"),
    ("front50", "0x1f"),
    ("kayenta", "12"),
];

/// Annotation values (any string) that YAML would misread or that could
/// change the document's structure if printed bare.
const ANNOTATION_VALUES: [&str; 18] = [
    "12:30",
    "~",
    "yes",
    "0o17",
    ".inf",
    "- x",
    "a: b",
    "#x",
    "---",
    "x\ny",
    " lead",
    "null",
    "1_000",
    "2001-12-14",
    "=",
    "<<",
    "y",
    "trail ",
];

const LABEL_VALUES: [&str; 7] = ["y", "on", "12", "0123", "true", "null", "1.5"];

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn source() -> String {
    let mut source = String::from("spinnaker null\nnamespace y\ndefaults {\n");
    for (index, value) in ANNOTATION_VALUES.iter().enumerate() {
        source.push_str(&format!(
            "  annotation \"example.com/a{index}\" \"{}\"\n",
            escape(value)
        ));
    }
    for (index, value) in LABEL_VALUES.iter().enumerate() {
        source.push_str(&format!("  label \"l{index}\" \"{value}\"\n"));
    }
    source.push_str("}\n");
    for (index, (service, name)) in NAMES.iter().enumerate() {
        source.push_str(&format!(
            "service {service} -> role arn:aws:iam::123456789012:role/r{index} as {name}\n"
        ));
    }
    source
}

#[test]
fn the_checker_itself_catches_bare_ambiguous_scalars() {
    assert_eq!(ambiguous_plain_scalars("name: y\n"), ["y"]);
    assert_eq!(ambiguous_plain_scalars("a: 12:30\n"), ["12:30"]);
    assert_eq!(ambiguous_plain_scalars("on: x\n"), ["on"]);
    assert!(ambiguous_plain_scalars("name: \"y\"\nb: spin-sa\n").is_empty());
    assert_eq!(
        ambiguous_plain_scalars("a: |-\n  y\n  on\nb: off\n"),
        ["off"]
    );
}

#[test]
fn ambiguous_words_are_quoted_and_read_back_as_the_same_strings() {
    let run = irsa(&["compile"], &root(), Some(source().as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ambiguous = ambiguous_plain_scalars(&run.stdout);
    assert!(ambiguous.is_empty(), "bare: {ambiguous:?}\n{}", run.stdout);

    let documents = yaml_documents(&run.stdout);
    assert_eq!(documents.len(), NAMES.len() + 1);
    for ((_, name), document) in NAMES.iter().zip(&documents) {
        assert_eq!(
            document["metadata"]["name"],
            Value::String((*name).to_owned())
        );
        assert_eq!(
            document["metadata"]["namespace"],
            Value::String("y".to_owned())
        );
        let account: ServiceAccount = serde_json::from_value(document.clone()).unwrap();
        let annotations = account.metadata.annotations.unwrap();
        for (index, value) in ANNOTATION_VALUES.iter().enumerate() {
            assert_eq!(annotations[&format!("example.com/a{index}")], *value);
        }
        let labels = account.metadata.labels.unwrap();
        for (index, value) in LABEL_VALUES.iter().enumerate() {
            assert_eq!(labels[&format!("l{index}")], *value);
        }
    }
    let service = documents.last().unwrap();
    assert_eq!(
        service["metadata"]["name"],
        Value::String("null".to_owned())
    );
    let settings = service["spec"]["spinnakerConfig"]["service-settings"]
        .as_object()
        .unwrap();
    for (service_name, name) in NAMES {
        let key = if service_name == "*" {
            "spinnaker"
        } else {
            service_name
        };
        assert_eq!(
            settings[key]["kubernetes"]["serviceAccountName"],
            Value::String(name.to_owned())
        );
    }
}

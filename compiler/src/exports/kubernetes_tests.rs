#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use serde_json::json;

use super::*;
use crate::exports::MAX_EXPORT_BYTES;

fn at(line: usize, column: usize) -> Position {
    Position { line, column }
}

fn read(text: &str) -> Vec<KubeObject> {
    read_kubernetes(text.as_bytes()).unwrap()
}

fn error(bytes: &[u8]) -> ExportError {
    read_kubernetes(bytes).unwrap_err()
}

#[test]
fn a_single_object() {
    let objects = read("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: spin-sa\n");
    assert_eq!(objects.len(), 1);
    let object = &objects[0];
    assert_eq!((object.document, object.path.as_str()), (0, ""));
    assert_eq!(object.position, at(1, 1));
    assert_eq!(
        object.value,
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "spin-sa"}})
    );
}

#[test]
fn a_multi_document_stream_skips_empty_documents() {
    let text = "---\nkind: ServiceAccount\nmetadata:\n  name: a\n---\n---\n# nothing\n---\nkind: ServiceAccount\nmetadata:\n  name: b\n---\n";
    let objects = read(text);
    let names: Vec<_> = objects
        .iter()
        .map(|o| o.value["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(objects[0].position, at(2, 1));
    assert_eq!(objects[1].position, at(9, 1));
    assert_eq!(objects[1].document, 1);
}

#[test]
fn list_items_are_objects_at_their_positions() {
    let text = "\
apiVersion: v1
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: a
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/b
    name: b
kind: List
metadata:
  resourceVersion: \"\"
";
    let located = read_kubernetes_located(text.as_bytes()).unwrap();
    assert_eq!(located.len(), 2);
    assert_eq!(located[0].object.path, "items[0]");
    assert_eq!(located[1].object.path, "items[1]");
    assert_eq!(located[0].object.position, at(3, 3));
    assert_eq!(located[1].object.position, at(7, 3));
    assert_eq!(
        located[1]
            .positions
            .key(&["metadata", "annotations", "eks.amazonaws.com/role-arn"]),
        Some(at(11, 7))
    );
    assert_eq!(
        located[1].positions.key(&["metadata", "name"]),
        Some(at(12, 5))
    );
    assert_eq!(located[0].positions.key(&["spec"]), None);
}

#[test]
fn a_typed_list_is_a_list_and_an_object_named_list_is_not() {
    let objects = read("kind: ServiceAccountList\nitems:\n- kind: ServiceAccount\n");
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].value, json!({"kind": "ServiceAccount"}));
    // A kind ending in List without items is an object of its own.
    let objects = read("kind: Checklist\nspec: {}\n");
    assert_eq!(objects[0].path, "");
}

#[test]
fn json_is_read_too() {
    let text = r#"{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}},
    {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "b", "labels": {"x": "1"}}}
  ]
}"#;
    let objects = read(text);
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[1].value["metadata"]["labels"]["x"], json!("1"));
    assert_eq!(objects[1].position.line, 6);
}

#[test]
fn invalid_utf8_is_located_at_the_bad_byte() {
    let error = error(b"kind: ServiceAccount\nmetadata:\n  name: ab\xffc\n");
    assert_eq!(error.position, at(3, 11));
    assert!(error.message.contains("UTF-8"), "{}", error.message);
    assert!(error.message.contains("0xff"), "{}", error.message);
}

#[test]
fn truncated_yaml_is_a_located_error() {
    let error = error(b"kind: ServiceAccount\nmetadata:\n  name: \"spin-sa\n");
    assert!(error.position.line >= 3, "{error:?}");
    let error = self::error(br#"{"kind": "ServiceAccount", "metadata": {"name": "a""#);
    assert_eq!(error.position.line, 1, "{error:?}");
}

#[test]
fn a_document_that_is_not_an_object_is_an_error() {
    let error = error(b"kind: ServiceAccount\n---\n- a\n- b\n");
    assert_eq!(error.position, at(3, 1));
    assert!(error.message.contains("document 2"), "{}", error.message);
}

#[test]
fn duplicate_keys_are_an_error() {
    let error = error(b"kind: ServiceAccount\nkind: Secret\n");
    assert_eq!(error.position, at(2, 1));
    assert_eq!(
        error.message,
        "the key `kind` is given twice in one mapping"
    );
}

fn quickly(what: &str, bytes: &[u8]) -> ExportError {
    let start = Instant::now();
    let error = error(bytes);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{what} took {:?}",
        start.elapsed()
    );
    assert!(error.position.line >= 1, "{what}: {error:?}");
    error
}

#[test]
fn a_billion_laughs_is_refused_quickly() {
    let mut text = String::from(
        "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let error = quickly("billion laughs", text.as_bytes());
    assert!(
        error.message.contains("billion laughs"),
        "{}",
        error.message
    );
    assert!(error.position.line > 1, "{error:?}");
}

#[test]
fn deep_nesting_is_refused() {
    let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let error = quickly("flow nesting", flow.as_bytes());
    assert!(
        error.message.contains("deeper than 128"),
        "{}",
        error.message
    );
    assert_eq!(error.position.line, 1);
    let mut block = String::new();
    for depth in 0..10_000 {
        block.push_str(&" ".repeat(depth));
        block.push_str("a:\n");
    }
    let error = quickly("block nesting", block.as_bytes());
    assert!(
        error.message.contains("deeper than 128"),
        "{}",
        error.message
    );
    let json = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    quickly("JSON nesting", json.as_bytes());
}

#[test]
fn nesting_within_the_depth_budget_is_read() {
    let json = format!("{}1{}", "{\"a\":".repeat(100), "}".repeat(100));
    assert_eq!(read(&json).len(), 1);
}

#[test]
fn an_export_over_64_mib_is_refused_before_parsing() {
    let bytes = vec![b'#'; MAX_EXPORT_BYTES + 1];
    let error = quickly("64 MiB", &bytes);
    assert_eq!(error.position, at(1, 1));
    assert!(error.message.contains("64 MiB"), "{}", error.message);
}

#[test]
fn positions_convert_to_offsets_and_back() {
    let text = "ab\nçd\n\nx";
    for offset in [0, 1, 3, 5, 6, 8] {
        let position = Position::of_offset(text, offset);
        assert_eq!(position.offset_in(text), offset, "{position:?}");
    }
    assert_eq!(Position::of_offset(text, 5), at(2, 2));
}

#[test]
fn keys_come_in_the_order_of_the_text() {
    let text = "kind: SpinnakerService\nspec:\n  spinnakerConfig:\n    service-settings:\n      spinnaker: {}\n      echo: {}\n      clouddriver: {}\n      deck: {}\n";
    let located = read_kubernetes_located(text.as_bytes()).unwrap();
    let path = ["spec", "spinnakerConfig", "service-settings"];
    assert_eq!(
        located[0].positions.keys_of(&path),
        ["spinnaker", "echo", "clouddriver", "deck"]
    );
    assert_eq!(
        located[0].positions.keys_of(&["kind"]),
        Vec::<String>::new()
    );
}

#[test]
fn too_many_nodes_are_refused() {
    let text = format!(
        "kind: ConfigMap\ndata: [{}]\n",
        vec!["1"; MAX_NODES].join(",")
    );
    let error = quickly("a million nodes", text.as_bytes());
    assert!(error.message.contains("YAML nodes"), "{}", error.message);
    assert_eq!(error.position.line, 2);
}

#[test]
fn keys_are_their_text_and_a_null_key_is_refused() {
    let objects =
        read("kind: ConfigMap\ndata:\n  1: one\n  true: yes\n  1.5: x\n  \"quoted\": q\n");
    let data = objects[0].value["data"].as_object().unwrap();
    let keys: Vec<&str> = data.keys().map(String::as_str).collect();
    assert_eq!(keys, ["1", "1.5", "quoted", "true"]);
    // JSON has no null key, and no Kubernetes object holds one.
    assert_eq!(
        error(b"kind: ConfigMap\ndata:\n  ~: nothing\n").position,
        at(3, 3)
    );
}

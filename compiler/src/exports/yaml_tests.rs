#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::json;

use super::*;

/// The value of the only document of `text`.
fn value(text: &str) -> Value {
    let mut documents = read_documents(text).unwrap();
    assert_eq!(documents.len(), 1, "{text}");
    documents.remove(0).into_value().0
}

fn error(text: &str) -> ExportError {
    read_documents(text).unwrap_err()
}

fn at(line: usize, column: usize) -> Position {
    Position { line, column }
}

#[test]
fn plain_scalars_resolve_as_kubernetes_reads_them() {
    let cases = [
        ("~", json!(null)),
        ("null", json!(null)),
        ("NULL", json!(null)),
        ("", json!(null)),
        ("nil", json!("nil")),
        ("true", json!(true)),
        ("False", json!(false)),
        ("yes", json!(true)),
        ("No", json!(false)),
        ("on", json!(true)),
        ("OFF", json!(false)),
        ("y", json!(true)),
        ("n", json!(false)),
        ("tRUE", json!("tRUE")),
        ("0", json!(0)),
        ("42", json!(42)),
        ("-42", json!(-42)),
        ("+7", json!(7)),
        ("1_000", json!(1000)),
        ("0x1F", json!(31)),
        ("0o17", json!(15)),
        ("0b101", json!(5)),
        ("017", json!(15)),
        ("9223372036854775807", json!(i64::MAX)),
        ("-9223372036854775808", json!(i64::MIN)),
        ("18446744073709551615", json!(u64::MAX)),
        ("18446744073709551616", json!(18_446_744_073_709_551_616.0)),
        ("1.5", json!(1.5)),
        ("-.5", json!(-0.5)),
        ("1.", json!(1.0)),
        ("1e3", json!(1000.0)),
        ("2.5E-1", json!(0.25)),
        ("08", json!(8.0)),
        ("-.nan", json!("-.nan")),
        ("1e400", json!("1e400")),
        ("0X1F", json!(31)),
        (".", json!(".")),
        ("1e", json!("1e")),
        ("e3", json!("e3")),
        ("0x", json!("0x")),
        ("+", json!("+")),
        ("1.2.3", json!("1.2.3")),
        ("2024-03-01T10:00:00Z", json!("2024-03-01T10:00:00Z")),
        ("v1", json!("v1")),
        ("123456789012", json!(123_456_789_012_u64)),
        (
            "arn:aws:iam::123456789012:role/x",
            json!("arn:aws:iam::123456789012:role/x"),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(value(&format!("v: {text}\n"))["v"], expected, "`{text}`");
    }
}

#[test]
fn infinity_and_nan_are_refused_where_they_are() {
    for text in [".inf", "-.Inf", "+.INF", ".nan", ".NaN"] {
        let refused = error(&format!("kind: ConfigMap\ndata:\n  x: {text}\n"));
        assert_eq!(refused.position, at(3, 6), "{text}");
        assert!(
            refused.message.contains("JSON cannot hold"),
            "{}",
            refused.message
        );
    }
    assert_eq!(value("x: '.inf'\n")["x"], json!(".inf"));
    assert!(
        error("x: !!float .inf\n")
            .message
            .contains("JSON cannot hold")
    );
}

#[test]
fn quoted_and_block_scalars_are_strings() {
    let read = value("a: \"true\"\nb: '42'\nc: |\n  null\nd: >-\n  1.5\ne: \"\"\n");
    assert_eq!(
        read,
        json!({"a": "true", "b": "42", "c": "null\n", "d": "1.5", "e": ""})
    );
}

#[test]
fn core_tags_are_obeyed_and_others_ignored() {
    let read = value(
        "a: !!str 5\nb: !!int \"5\"\nc: !!float 1\nd: !!bool 'yes'\ne: !!null ''\nf: ! yes\ng: !custom 5\n",
    );
    assert_eq!(
        read,
        json!({"a": "5", "b": 5, "c": 1.0, "d": true, "e": null, "f": "yes", "g": 5})
    );
    let refused = error("kind: ConfigMap\ndata: !!int five\n");
    assert_eq!(refused.position, at(2, 13));
    assert!(refused.message.contains("!!int"), "{}", refused.message);
}

#[test]
fn keys_are_text() {
    let read = value("1: a\ntrue: b\n1.5: c\n\"~\": d\n0x1F: e\n");
    assert_eq!(
        read,
        json!({"1": "a", "true": "b", "1.5": "c", "~": "d", "0x1F": "e"})
    );
    let refused = error("a: 1\n[x]: 2\n");
    assert_eq!(refused.position, at(2, 1));
    assert!(refused.message.contains("JSON keys"), "{}", refused.message);
    let refused = error("a: 1\n{x: 1}: 2\n");
    assert_eq!(refused.position, at(2, 1));
}

#[test]
fn aliases_are_expanded_and_merge_keys_merge() {
    let read = value(
        "base: &base {a: 1, b: 2}\nother: &other {b: 20, c: 30}\nname: &name spin-sa\ncopy: *name\none:\n  <<: *base\n  a: 10\ntwo:\n  <<: [*other, *base]\n  d: 4\n\"<<\": quoted\n",
    );
    assert_eq!(read["copy"], json!("spin-sa"));
    assert_eq!(read["one"], json!({"a": 10, "b": 2}));
    // Explicit keys win, then earlier merged mappings.
    assert_eq!(read["two"], json!({"a": 1, "b": 20, "c": 30, "d": 4}));
    assert_eq!(read["<<"], json!("quoted"));
    let refused = error("a: &x 1\nb:\n  <<: *x\n");
    assert_eq!(refused.position, at(3, 3));
    assert!(refused.message.contains("`<<`"), "{}", refused.message);
}

#[test]
fn an_anchored_key_is_a_scalar_like_any_other() {
    let read = value("&k replicas: 3\ncount: *k\nport: &p 8080\n*p : http\n");
    assert_eq!(
        read,
        json!({"replicas": 3, "count": "replicas", "port": 8080, "8080": "http"})
    );
    // An alias used as a key is the anchored text, as the key itself is.
    let read = value("hex: &h 0x1F\n*h : a\nflag: &f yes\n*f : b\n");
    assert_eq!(
        read,
        json!({"hex": 31, "0x1F": "a", "flag": true, "yes": "b"})
    );
    let refused = error("a: &n ~\n*n : b\n");
    assert_eq!(refused.position, at(2, 1));
    // A tagged key is not null.
    assert_eq!(value("!!str ~: x\n"), json!({"~": "x"}));
}

#[test]
fn an_alias_inside_its_own_anchor_is_refused() {
    let refused = error("a: &x [1, *x]\n");
    assert_eq!(refused.position, at(1, 11));
    assert!(refused.message.contains("alias"), "{}", refused.message);
}

#[test]
fn aliases_replay_within_a_budget_of_nodes() {
    // Each alias replays 1,001 nodes: 99 of them fit, the 100th does not.
    let list = format!("[{}]", vec!["0"; 1000].join(","));
    let fits = format!("a: &a {list}\nb: [{}]\n", vec!["*a"; 99].join(","));
    assert_eq!(value(&fits)["b"].as_array().unwrap().len(), 99);
    let over = format!("a: &a {list}\nb: [{}]\n", vec!["*a"; 100].join(","));
    let refused = error(&over);
    assert!(
        refused.message.contains("billion laughs"),
        "{}",
        refused.message
    );
    assert_eq!(refused.position.line, 2);
}

#[test]
fn aliases_replay_within_a_budget_of_bytes_however_indirect() {
    // One anchored 1 MiB string behind an anchor made only of aliases:
    // each alias of `b` replays the MiB, and the 65th is over 64 MiB.
    let big = "x".repeat(1024 * 1024);
    let text = format!(
        "a: &a \"{big}\"\nb: &b [*a]\nc: [{}]\n",
        vec!["*b"; 64].join(",")
    );
    let refused = error(&text);
    assert!(refused.message.contains("64 MiB"), "{}", refused.message);
    assert_eq!(refused.position.line, 3);
}

#[test]
fn nested_anchors_are_counted_once_each() {
    // Each anchor keeps a copy of what it names: nesting 200 anchors around
    // 1,000 nodes would keep 200,000.
    let inner = format!("[{}]", vec!["0"; 1000].join(","));
    let mut text = inner;
    for level in 0..100 {
        text = format!("&a{level} [{text}]");
    }
    let refused = error(&format!("x: {text}\n"));
    assert!(
        refused.message.contains("anchors nested"),
        "{}",
        refused.message
    );
}

#[test]
fn an_alias_cannot_nest_deeper_than_the_budget() {
    let nested =
        |depth: usize, inner: &str| format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth));
    // 100 levels named, replayed under 28 more: 128 in all, read.
    let fits = format!("a: &a {}\nb: {}\n", nested(100, "1"), nested(27, "*a"));
    assert!(read_documents(&fits).is_ok());
    // One more level is one too many, refused at the alias.
    let over = format!("a: &a {}\nb: {}\n", nested(100, "1"), nested(28, "*a"));
    let refused = error(&over);
    assert!(
        refused.message.contains("deeper than"),
        "{}",
        refused.message
    );
    assert_eq!(refused.position, at(2, 32));
    // The height of an anchor counts the aliases inside it.
    let chained = format!(
        "a: &a {}\nb: &b {}\nc: {}\n",
        nested(60, "1"),
        nested(60, "*a"),
        nested(10, "*b")
    );
    assert!(error(&chained).message.contains("deeper than"));
}

#[test]
fn long_or_odd_text_in_a_message_is_cut_and_escaped() {
    let key = format!("\\e[31m{}", "k".repeat(500));
    let refused = error(&format!("\"{key}\": 1\n\"{key}\": 2\n"));
    assert!(refused.message.len() < 150, "{}", refused.message);
    assert!(
        refused.message.contains("\\u{1b}[31m"),
        "{}",
        refused.message
    );
    assert!(refused.message.contains('…'), "{}", refused.message);
}

#[test]
fn managed_fields_of_an_object_are_skipped_and_nothing_else() {
    let text = "\
apiVersion: v1
kind: List
items:
- kind: ServiceAccount
  metadata:
    managedFields:
    - manager: &manager kubectl
      fieldsV1: {f:metadata: {f:name: {}}}
    name: *manager
  spec:
    managedFields: kept
metadata:
  managedFields: [also skipped]
";
    let documents = read_documents(text).unwrap();
    let items = documents[0].items.as_ref().unwrap();
    // An anchor inside what is skipped still names its node.
    assert_eq!(
        items[0].value,
        json!({"kind": "ServiceAccount", "metadata": {"name": "kubectl"}, "spec": {"managedFields": "kept"}})
    );
    assert_eq!(documents[0].value["metadata"], json!({}));
    assert_eq!(
        items[0].positions.keys_of(&["metadata"]),
        ["name"],
        "a skipped key has no position"
    );
    let nested = value("data:\n  metadata:\n    managedFields: [1]\n");
    assert_eq!(nested["data"]["metadata"]["managedFields"], json!([1]));
    // Skipped, but still a key given twice.
    let twice = error("metadata:\n  managedFields: []\n  managedFields: []\n");
    assert_eq!(twice.position, at(3, 3));
}

#[test]
fn a_root_items_sequence_is_read_item_by_item_and_put_back_when_not_a_list() {
    let text = "kind: Config\nitems:\n- name: a\n  value: 1\n- plain\n";
    let documents = read_documents(text).unwrap();
    let items = documents[0].items.as_ref().unwrap();
    assert_eq!(items[0].position, at(3, 3));
    assert_eq!(items[0].positions.key(&["value"]), Some(at(4, 3)));
    assert_eq!(items[1].position, at(5, 3));
    let (read, positions) = read_documents(text).unwrap().remove(0).into_value();
    assert_eq!(
        read,
        json!({"kind": "Config", "items": [{"name": "a", "value": 1}, "plain"]})
    );
    assert_eq!(positions.keys_of(&[]), ["kind", "items"]);
    let anchored = value("kind: Config\nitems: &i [{a: 1}]\ncopy: *i\n");
    assert_eq!(anchored["copy"], json!([{"a": 1}]));
    assert_eq!(anchored["items"], anchored["copy"]);
    // A List whose items are an alias is still a List.
    let documents = read_documents("kind: List\nitems: *i\n").unwrap_err();
    assert!(
        documents.message.contains("unknown anchor"),
        "{}",
        documents.message
    );
    let aliased = read_documents("x: &i [{kind: A}]\nkind: List\nitems: *i\n").unwrap();
    let items = aliased[0].items.as_ref().unwrap();
    assert_eq!(items[0].value, json!({"kind": "A"}));
    assert_eq!(items[0].position, at(3, 8));
}

#[test]
fn documents_are_counted_and_empty_ones_dropped() {
    let documents = read_documents("---\n---\n~\n---\na: 1\n...\n---\nb: 2\n").unwrap();
    let values: Vec<_> = documents.into_iter().map(|d| d.into_value().0).collect();
    assert_eq!(values, [json!({"a": 1}), json!({"b": 2})]);
    let many = "---\na: 1\n".repeat(MAX_DOCUMENTS + 1);
    let refused = error(&many);
    assert!(refused.message.contains("documents"), "{}", refused.message);
    assert_eq!(refused.position.line, 2 * MAX_DOCUMENTS + 1);
}

#[test]
fn depth_is_counted_from_the_root() {
    let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let deepest = value(&nested(MAX_DEPTH));
    let innermost = (1..MAX_DEPTH).fold(&deepest, |value, _| &value[0]);
    assert_eq!(innermost, &json!([1]));
    let refused = error(&nested(MAX_DEPTH + 1));
    assert_eq!(refused.position, at(1, MAX_DEPTH + 1));
    assert!(
        refused.message.contains("deeper than"),
        "{}",
        refused.message
    );
}

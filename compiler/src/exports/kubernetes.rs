//! kubectl's YAML or JSON: a single object, a multi-document stream, `List`s
//! (`kubectl get -o yaml`), `kustomize build` output.
//!
//! The text is untrusted. It is refused over [`MAX_EXPORT_BYTES`] before any
//! parsing; serde-saphyr then reads it within a [`Budget`]: nesting depth,
//! nodes, scalar bytes, documents, and alias expansion (a "billion laughs"
//! document stops at the replay budget, in bounded memory and time). Every
//! refusal is an [`ExportError`] with the line and column it concerns.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use serde_saphyr::{Budget, Spanned};

use super::{ExportError, MAX_EXPORT_BYTES, Position};

/// Deepest nesting of mappings and sequences read. Kubernetes objects
/// (SpinnakerService with its whole configuration included) stay far below.
pub const MAX_DEPTH: usize = 128;
/// Most YAML nodes (mappings, sequences, scalars) read in one export: about
/// 15,000 objects as `kubectl get -o yaml` prints them with `managedFields`
/// (some 70 nodes each). The bound keeps the reader's memory near 200 MiB.
pub const MAX_NODES: usize = 1_000_000;
/// Most events that aliases may replay in one export.
pub const MAX_ALIAS_EVENTS: usize = 100_000;
/// Most documents in one stream.
pub const MAX_DOCUMENTS: usize = 100_000;

/// One Kubernetes object of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeObject {
    /// 0-based index of the YAML document in the stream (empty documents,
    /// which hold no object, are not counted).
    pub document: usize,
    /// JSON path of the object inside its document: "" for a document that is the object, "items[3]" for a List item.
    pub path: String,
    /// Where the object starts in the text.
    pub position: Position,
    pub value: serde_json::Value,
}

/// Where the keys of an object are in the text, by their path of keys from
/// the object (`["metadata", "annotations", "eks.amazonaws.com/role-arn"]`).
/// Keys inside sequences are not kept: nothing located needs them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Positions {
    keys: BTreeMap<Vec<String>, Position>,
}

impl Positions {
    /// The position of the key at `path`, if the object has it.
    pub fn key(&self, path: &[&str]) -> Option<Position> {
        let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        self.keys.get(&path).copied()
    }

    /// The keys of the mapping at `path`, in the order of the text (a JSON
    /// value does not keep it: `service-settings` needs it).
    pub fn keys_of(&self, path: &[&str]) -> Vec<String> {
        let prefix: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        let mut keys: Vec<(Position, &String)> = self
            .keys
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .filter(|(key, _)| key.len() == prefix.len() + 1)
            .filter_map(|(key, position)| key.last().map(|last| (*position, last)))
            .collect();
        keys.sort_by_key(|(position, _)| (position.line, position.column));
        keys.into_iter().map(|(_, key)| key.clone()).collect()
    }
}

/// An object with the positions of its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedObject {
    pub object: KubeObject,
    pub positions: Positions,
}

/// Reads kubectl's YAML or JSON: a single object, a multi-document stream, `List`s (kind `List` or any `…List` with `items`), `kustomize build` output. Bytes, so invalid UTF-8 is a located error too.
pub fn read_kubernetes(bytes: &[u8]) -> Result<Vec<KubeObject>, ExportError> {
    Ok(read_kubernetes_located(bytes)?
        .into_iter()
        .map(|located| located.object)
        .collect())
}

/// [`read_kubernetes`], keeping where each key of each object is.
pub fn read_kubernetes_located(bytes: &[u8]) -> Result<Vec<LocatedObject>, ExportError> {
    let text = super::text(bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let documents: Vec<Spanned<Node>> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| yaml_error(&e))?;
    let mut objects = Vec::new();
    for (document, root) in documents.into_iter().enumerate() {
        objects_of(document, root, &mut objects)?;
    }
    Ok(objects)
}

fn options() -> serde_saphyr::Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = 3 * MAX_NODES;
    budget.max_documents = MAX_DOCUMENTS;
    budget.max_total_scalar_bytes = MAX_EXPORT_BYTES;
    budget.max_aliases = MAX_ALIAS_EVENTS;
    budget.max_anchors = MAX_ALIAS_EVENTS;
    budget.max_recorded_anchor_events = MAX_ALIAS_EVENTS;
    budget.max_inclusion_depth = 0;
    let mut alias_limits = serde_saphyr::options::AliasLimits::default();
    alias_limits.max_total_replayed_events = MAX_ALIAS_EVENTS;
    serde_saphyr::options! {
        budget: Some(budget),
        alias_limits: alias_limits,
        // Comments are not kept (a third of the reader's time otherwise);
        // errors carry a position, not a snippet.
        emit_comments: false,
        with_snippet: false,
    }
}

fn yaml_error(error: &serde_saphyr::Error) -> ExportError {
    let position = error
        .location()
        .map_or_else(Position::default, |location| Position {
            line: usize::try_from(location.line()).unwrap_or(0),
            column: usize::try_from(location.column()).unwrap_or(0),
        });
    let message = error.without_snippet().to_string();
    // serde-saphyr appends the location; the position carries it already.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    ExportError {
        message: plain_message(&message),
        position,
    }
}

/// serde-saphyr's words for a budget it stopped at, in the user's terms.
fn plain_message(message: &str) -> String {
    let has = |words: &[&str]| words.iter().any(|word| message.contains(word));
    if has(&["Depth", "recursion limit", "nesting limit"]) {
        format!("the export nests mappings and sequences deeper than {MAX_DEPTH} levels")
    } else if has(&["Anchor", "Alias", "alias", "anchor", "Replay", "replay"]) {
        format!(
            "YAML aliases expand to more than {MAX_ALIAS_EVENTS} nodes (a \"billion laughs\" document?)"
        )
    } else if has(&["Nodes", "Events"]) {
        format!("the export holds more than {MAX_NODES} YAML nodes")
    } else if has(&["Documents"]) {
        format!("the export holds more than {MAX_DOCUMENTS} documents")
    } else if has(&["ScalarBytes"]) {
        "the export's scalars add up to more than 64 MiB".to_owned()
    } else {
        let message = message
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(message);
        message.to_owned()
    }
}

/// The objects of one document: itself, or the items of a List.
fn objects_of(
    document: usize,
    root: Spanned<Node>,
    objects: &mut Vec<LocatedObject>,
) -> Result<(), ExportError> {
    let position = spanned_position(&root);
    let Node::Map(entries) = root.value else {
        return Err(ExportError {
            message: format!(
                "document {} is not a Kubernetes object (a mapping with apiVersion and kind)",
                document + 1
            ),
            position,
        });
    };
    if !is_list(&entries) {
        let position = entries.first().map_or(position, |entry| entry.position);
        objects.push(located(document, String::new(), position, entries));
        return Ok(());
    }
    for entry in entries {
        if entry.key != "items" {
            continue;
        }
        let Node::Seq(items) = entry.value else {
            continue;
        };
        for (index, item) in items.into_iter().enumerate() {
            let Node::Map(entries) = item else {
                return Err(ExportError {
                    message: format!("item {index} of the List is not a Kubernetes object"),
                    position: entry.position,
                });
            };
            // An item starts at its first key (`- apiVersion: v1`).
            let item_position = entries.first().map_or(entry.position, |e| e.position);
            let path = format!("items[{index}]");
            objects.push(located(document, path, item_position, entries));
        }
    }
    Ok(())
}

/// A `List`: kind `List`, or any kind ending in `List` (`ServiceAccountList`)
/// with a sequence of `items`.
fn is_list(entries: &[Entry]) -> bool {
    let kind = entries.iter().find_map(|entry| match &entry.value {
        Node::Scalar(Value::String(kind)) if entry.key == "kind" => Some(kind.as_str()),
        _ => None,
    });
    let has_items = entries
        .iter()
        .any(|entry| entry.key == "items" && matches!(entry.value, Node::Seq(_)));
    kind.is_some_and(|kind| kind.ends_with("List")) && has_items
}

fn located(
    document: usize,
    path: String,
    position: Position,
    entries: Vec<Entry>,
) -> LocatedObject {
    let mut positions = Positions::default();
    let mut keys = Vec::new();
    let value = map_value(entries, &mut keys, &mut positions);
    LocatedObject {
        object: KubeObject {
            document,
            path,
            position,
            value,
        },
        positions,
    }
}

fn map_value(entries: Vec<Entry>, keys: &mut Vec<String>, positions: &mut Positions) -> Value {
    let mut map = Map::new();
    for entry in entries {
        keys.push(entry.key.clone());
        positions.keys.insert(keys.clone(), entry.position);
        let value = match entry.value {
            Node::Map(entries) => map_value(entries, keys, positions),
            other => plain_value(other),
        };
        keys.pop();
        map.insert(entry.key, value);
    }
    Value::Object(map)
}

/// A value without positions (inside sequences).
fn plain_value(node: Node) -> Value {
    match node {
        Node::Scalar(value) => value,
        Node::Seq(items) => Value::Array(items.into_iter().map(plain_value).collect()),
        Node::Map(entries) => Value::Object(
            entries
                .into_iter()
                .map(|entry| (entry.key, plain_value(entry.value)))
                .collect(),
        ),
    }
}

fn spanned_position<T>(spanned: &Spanned<T>) -> Position {
    location_position(spanned.referenced)
}

fn location_position(location: serde_saphyr::Location) -> Position {
    Position {
        line: usize::try_from(location.line()).unwrap_or(0),
        column: usize::try_from(location.column()).unwrap_or(0),
    }
}

/// A YAML node. Only keys keep their location: an object starts at its
/// first key, and every other place worth pointing at is a key. (A
/// location per value would double the reader's work.)
#[derive(Debug)]
enum Node {
    Scalar(Value),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A key of a mapping, where it is, and its value.
#[derive(Debug)]
struct Entry {
    key: String,
    position: Position,
    value: Node,
}

impl<'de> Deserialize<'de> for Node {
    /// A document: located, and its `items` (a List's objects) too.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::DeserializeSeed::deserialize(NodeVisitor::DOCUMENT, deserializer)
    }
}

/// Reads a node; whether its keys keep their location is decided on the
/// way down: inside a sequence (`managedFields`, `containers`…) no key is
/// ever pointed at, so only a document and the items of its `items` are
/// located. (Locating every key costs a third of the reader's time.)
#[derive(Debug, Clone, Copy)]
struct NodeVisitor {
    /// A mapping keeps its keys' locations.
    located: bool,
    /// A sequence's items keep theirs.
    items_located: bool,
    /// The mapping is a document.
    document: bool,
}

impl NodeVisitor {
    const DOCUMENT: NodeVisitor = NodeVisitor {
        located: true,
        items_located: false,
        document: true,
    };
}

impl<'de> de::DeserializeSeed<'de> for NodeVisitor {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(Value::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        de::DeserializeSeed::deserialize(self, deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let item = NodeVisitor {
            located: self.items_located,
            items_located: false,
            document: false,
        };
        let mut items = Vec::new();
        while let Some(node) = seq.next_element_seed(item)? {
            items.push(node);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        loop {
            let (key, position) = if self.located {
                match map.next_key::<Spanned<Key>>()? {
                    Some(key) => (key.value.0, location_position(key.referenced)),
                    None => break,
                }
            } else {
                match map.next_key::<Key>()? {
                    Some(key) => (key.0, Position::default()),
                    None => break,
                }
            };
            let value = map.next_value_seed(NodeVisitor {
                located: self.located,
                items_located: self.document && key == "items",
                document: false,
            })?;
            entries.push(Entry {
                key,
                position,
                value,
            });
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key: a scalar, as its text (`1: x` has the key `"1"`, as
/// JSON's keys are all strings). Read as a string, which spares the
/// deserializer resolving each key's type; a null key is refused.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(Key(v.to_owned()))
    }
}

#[cfg(test)]
#[path = "kubernetes_tests.rs"]
mod tests;

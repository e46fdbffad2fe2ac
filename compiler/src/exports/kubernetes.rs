//! kubectl's YAML or JSON: a single object, a multi-document stream, `List`s
//! (`kubectl get -o yaml`), `kustomize build` output.
//!
//! The text is untrusted. It is refused over [`super::MAX_EXPORT_BYTES`]
//! before any parsing; the YAML reader (`exports/yaml.rs`) then reads it
//! within budgets (nesting depth, nodes, documents, alias expansion: a
//! "billion laughs" document stops in bounded memory and time) and by the
//! rules Kubernetes reads YAML with. Every refusal is an [`ExportError`] with
//! the line and column it concerns.

use super::yaml::{self, Document};
use super::{ExportError, Position};

pub use super::yaml::{MAX_ALIAS_NODES, MAX_DEPTH, MAX_DOCUMENTS, MAX_NODES};

/// One Kubernetes object of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeObject {
    /// 0-based index of the YAML document in the stream (empty documents,
    /// which hold no object, are not counted).
    pub document: usize,
    /// JSON path of the object inside its document: `""` for a document
    /// that is the object, `items[3]` for a List item.
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
    /// The keys of one mapping, in the order of the text.
    keys: Vec<KeyPosition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyPosition {
    key: String,
    position: Position,
    /// The keys of its value, when that is a mapping.
    keys: Positions,
}

impl Positions {
    /// The position of the key at `path`, if the object has it.
    pub fn key(&self, path: &[&str]) -> Option<Position> {
        let (last, parents) = path.split_last()?;
        self.at(parents)?.entry(last).map(|entry| entry.position)
    }

    /// The keys of the mapping at `path`, in the order of the text (a JSON
    /// value does not keep it: `service-settings` needs it).
    pub fn keys_of(&self, path: &[&str]) -> Vec<String> {
        self.at(path).map_or_else(Vec::new, |positions| {
            positions
                .keys
                .iter()
                .map(|entry| entry.key.clone())
                .collect()
        })
    }

    fn at(&self, path: &[&str]) -> Option<&Positions> {
        path.iter().try_fold(self, |positions, key| {
            positions.entry(key).map(|entry| &entry.keys)
        })
    }

    fn entry(&self, key: &str) -> Option<&KeyPosition> {
        self.keys.iter().find(|entry| entry.key == key)
    }

    /// Adds the next key of the mapping, with the keys of its value.
    pub(super) fn push(&mut self, key: String, position: Position, keys: Positions) {
        self.keys.push(KeyPosition {
            key,
            position,
            keys,
        });
    }

    /// Where the mapping's first key is.
    pub(super) fn first(&self) -> Option<Position> {
        self.keys.first().map(|entry| entry.position)
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
    let mut objects = Vec::new();
    for (index, document) in yaml::read_documents(text)?.into_iter().enumerate() {
        objects_of(index, document, &mut objects)?;
    }
    Ok(objects)
}

/// The objects of one document: itself, or the items of a List.
fn objects_of(
    index: usize,
    document: Document,
    objects: &mut Vec<LocatedObject>,
) -> Result<(), ExportError> {
    if !document.value.is_object() {
        return Err(ExportError::new(
            format!(
                "document {} is not a Kubernetes object (a mapping with apiVersion and kind)",
                index + 1
            ),
            document.position,
        ));
    }
    let is_list = document.items.is_some()
        && document
            .value
            .get("kind")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|kind| kind.ends_with("List"));
    let items = match document.items {
        Some(items) if is_list => items,
        _ => {
            let position = document.position;
            let (value, positions) = document.into_value();
            objects.push(LocatedObject {
                object: KubeObject {
                    document: index,
                    path: String::new(),
                    position,
                    value,
                },
                positions,
            });
            return Ok(());
        }
    };
    for (item_index, item) in items.into_iter().enumerate() {
        if !item.value.is_object() {
            return Err(ExportError::new(
                format!("item {item_index} of the List is not a Kubernetes object"),
                item.position,
            ));
        }
        objects.push(LocatedObject {
            object: KubeObject {
                document: index,
                path: format!("items[{item_index}]"),
                position: item.position,
                value: item.value,
            },
            positions: item.positions,
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "kubernetes_tests.rs"]
mod tests;

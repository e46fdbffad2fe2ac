//! What the Kubernetes forms (ACK and Crossplane) share: object names
//! (section 10), metadata, the trust policy as a string, and the documents
//! as trees.

use std::borrow::Cow;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::emit::{EmitError, emit_yaml};
use crate::ir::{Association, Install, ManagedRole};
use crate::policy;
use crate::validate::MANAGED_BY_LABEL;

/// A YAML node. The objects are built as trees of nodes, keys in the
/// order Kubernetes prints them, rather than as one struct per kind: every
/// kind then shares one instantiation of the serializer, which keeps
/// the WebAssembly build within its size budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node<'a> {
    Text(Cow<'a, str>),
    Int(u64),
    /// Entries in the order written.
    Map(Vec<(&'a str, Node<'a>)>),
    List(Vec<Node<'a>>),
}

impl<'a> From<&'a str> for Node<'a> {
    fn from(text: &'a str) -> Self {
        Node::Text(Cow::Borrowed(text))
    }
}

impl Node<'_> {
    pub fn text(text: String) -> Self {
        Node::Text(Cow::Owned(text))
    }

    /// The node as one YAML document, through [`emit_yaml`].
    pub fn to_yaml(&self) -> Result<String, EmitError> {
        emit_yaml(self)
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Text(text) => serializer.serialize_str(text),
            Node::Int(n) => serializer.serialize_u64(*n),
            Node::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Node::List(items) => serializer.collect_seq(items),
        }
    }
}

/// Adds `key: value` to a map's entries when there is a value: objects
/// carry no nulls.
pub fn entry<'a>(entries: &mut Vec<(&'a str, Node<'a>)>, key: &'a str, value: Option<Node<'a>>) {
    if let Some(value) = value {
        entries.push((key, value));
    }
}

/// `apiVersion`, `kind`, `metadata`, `spec`.
pub fn object<'a>(
    api_version: &'a str,
    kind: &'a str,
    metadata: Node<'a>,
    spec: Node<'a>,
) -> Node<'a> {
    Node::Map(vec![
        ("apiVersion", Node::from(api_version)),
        ("kind", Node::from(kind)),
        ("metadata", metadata),
        ("spec", spec),
    ])
}

/// `metadata`: the annotations if any, the label
/// `app.kubernetes.io/managed-by: irsa`, the name, the namespace if any.
pub fn metadata<'a>(
    name: &str,
    namespace: Option<&'a str>,
    annotations: Vec<(&'a str, Node<'a>)>,
) -> Node<'a> {
    let mut metadata = Vec::with_capacity(4);
    entry(
        &mut metadata,
        "annotations",
        (!annotations.is_empty()).then_some(Node::Map(annotations)),
    );
    metadata.push((
        "labels",
        Node::Map(vec![(MANAGED_BY_LABEL, Node::from("irsa"))]),
    ));
    metadata.push(("name", Node::text(name.to_owned())));
    entry(&mut metadata, "namespace", namespace.map(Node::from));
    Node::Map(metadata)
}

/// The longest Kubernetes object name (a DNS-1123 subdomain).
const MAX_NAME: usize = 253;

/// The object name of section 10 for `name`: lower-cased, every
/// character outside `[a-z0-9.-]` replaced with `-`, trimmed to start
/// and end with a letter or digit. Beyond the rule, so that the name is
/// a DNS-1123 subdomain as the API server demands: a `.` next to another
/// `.` or a `-` becomes `-` (`a..b` → `a--b`), at most 253 characters,
/// and `fallback` when nothing is left (a role named `__`).
pub fn object_name(name: &str, fallback: &str) -> String {
    // Byte by byte, with no generic string search: the WebAssembly
    // build's size budget. Every character maps to one ASCII byte.
    let mut mapped = Vec::with_capacity(name.len());
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        let keep = c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
        mapped.push(if keep { c as u8 } else { b'-' });
    }
    let separator = |i: Option<usize>| {
        i.and_then(|i| mapped.get(i))
            .is_some_and(|&b| b == b'.' || b == b'-')
    };
    let mut name = Vec::with_capacity(mapped.len());
    for (i, &b) in mapped.iter().enumerate() {
        let dot_by_separator = b == b'.' && (separator(i.checked_sub(1)) || separator(Some(i + 1)));
        name.push(if dot_by_separator { b'-' } else { b });
    }
    fit(&name, MAX_NAME).unwrap_or_else(|| fallback.to_owned())
}

/// ASCII `bytes` trimmed to start and end with a letter or digit, cut to
/// at most `max` characters; `None` when nothing is left.
fn fit(bytes: &[u8], max: usize) -> Option<String> {
    let start = bytes.iter().position(u8::is_ascii_alphanumeric)?;
    let rest = bytes.get(start..)?;
    let rest = rest.get(..max.min(rest.len()))?;
    let end = rest.iter().rposition(u8::is_ascii_alphanumeric)?;
    String::from_utf8(rest.get(..=end)?.to_vec()).ok()
}

/// The names given so far to the objects of one kind: a name already
/// given gets `-2`, `-3`… (the first free one), in order of first
/// appearance. Not [`super::UniqueNames`]: a numbered name is cut again to
/// Kubernetes' 253 characters and trimmed to end in a letter or digit.
#[derive(Debug, Default)]
pub struct Names {
    /// A list, not a set: a few hundred names at most, and less code.
    taken: Vec<String>,
}

impl Names {
    /// A unique name for an object whose name would be `name` (already
    /// an [`object_name`]).
    pub fn claim(&mut self, name: &str) -> String {
        let mut candidate = name.to_owned();
        let mut n: u32 = 2;
        while self.taken.contains(&candidate) {
            let suffix = format!("-{n}");
            let base = fit(name.as_bytes(), MAX_NAME.saturating_sub(suffix.len()))
                .unwrap_or_else(|| name.to_owned());
            candidate = format!("{base}{suffix}");
            n = n.saturating_add(1);
        }
        self.taken.push(candidate.clone());
        candidate
    }
}

/// Every managed role with the name of its `Role` object (section 10),
/// in order of appearance.
pub fn role_objects(install: &Install) -> Vec<(&ManagedRole, String)> {
    let mut names = Names::default();
    install
        .managed_roles
        .iter()
        .map(|managed| {
            let object = names.claim(&object_name(&managed.role.name, "role"));
            (managed, object)
        })
        .collect()
}

/// The `Role` object of an association's role, when irsa manages it.
pub fn role_object_of<'r>(
    roles: &'r [(&ManagedRole, String)],
    association: &Association,
) -> Option<&'r str> {
    roles
        .iter()
        .find(|(managed, _)| managed.role.same_role(&association.role))
        .map(|(_, object)| object.as_str())
}

/// An association's object name before numbering: its ServiceAccount's
/// (section 10).
pub fn association_object_name(association: &Association) -> String {
    object_name(&association.service_account, "pod-identity-association")
}

/// The role's trust policy (section 7, built by [`crate::policy`]) as a
/// compact JSON string. Validation gives every managed role one; a role
/// without is a bug in irsa.
pub fn compact_trust_policy(install: &Install, managed: &ManagedRole) -> Result<String, EmitError> {
    let trust = super::trust_document(install, managed)?;
    Ok(policy::compact(&trust))
}

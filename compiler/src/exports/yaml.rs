//! YAML (JSON is YAML too) read into JSON values straight from the events
//! of granit-parser, the parser under serde-saphyr, within explicit budgets.
//!
//! Why not serde-saphyr's deserializer, which writes irsa's YAML: its serde
//! layer took three fifths of reading a 5,000-object `kubectl get -o yaml`
//! List, and `irsa import` of that List must stay within 300 ms
//! (`cargo xtask bench`). Building the values here also lets the reader keep
//! only the key positions it needs and skip what nothing reads.
//!
//! The rules, as Kubernetes reads YAML (sigs.k8s.io/yaml over go-yaml, YAML
//! 1.1):
//! - A plain scalar is null (`~`, `null`, `Null`, `NULL`, nothing), a
//!   boolean (`true`/`false`, `yes`/`no`, `on`/`off`, `y`/`n`, in lower,
//!   title or upper case), an integer (decimal, `0x…`, `0o…`, `0b…`, or
//!   `0…` octal; `_` ignored), a finite float (`1.5`, `1e3`, `.5`), else a
//!   string. `.inf` and `.nan`, which JSON cannot hold and Kubernetes
//!   refuses, are errors. Quoted and block scalars are strings. The tags
//!   `!!str`, `!!int`, `!!float`, `!!bool` and `!!null` are obeyed (a value
//!   that is not of its tag is an error); `!` makes a string; other tags are
//!   ignored.
//! - Mapping keys are scalars, read as their text (`1: x` has the key
//!   `"1"`; an alias used as a key is the anchored key's text): JSON keys are
//!   strings. A null key, a collection as a key and a key given twice are
//!   errors.
//! - Aliases are expanded; `<<` merges mappings (explicit keys win, then
//!   earlier merged mappings). What an alias or a merge brings has no key
//!   positions of its own: a diagnostic about it points at the object.
//! - `metadata.managedFields` of an object (the API server's field-ownership
//!   bookkeeping, often half of what kubectl prints) is skipped: nothing irsa
//!   reads is in it. The items of a root `items` sequence are read as
//!   objects, so theirs is skipped too, List or not.
//!
//! Budgets, each refusal an [`ExportError`] where it happened: nesting
//! depth (aliases included), nodes, documents, and alias expansion: a
//! "billion laughs" stops at [`MAX_ALIAS_NODES`] replayed nodes or 64 MiB of
//! replayed text, and anchors, whose nodes are kept for their aliases, may
//! keep as much in all; so time and memory stay bounded.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};

use super::kubernetes::Positions;
use super::{ExportError, MAX_EXPORT_BYTES, Position};

/// Deepest nesting of mappings and sequences read. Kubernetes objects
/// (SpinnakerService with its whole configuration included) stay far below.
pub const MAX_DEPTH: usize = 128;
/// Most YAML nodes (mappings, sequences, scalars, keys included) read in one
/// export: about 15,000 objects as `kubectl get -o yaml` prints them with
/// `managedFields` (some 70 nodes each).
pub const MAX_NODES: usize = 1_000_000;
/// Most nodes that aliases may replay in one export.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// Most documents in one stream.
pub const MAX_DOCUMENTS: usize = 100_000;

/// One document of a stream, with no empty ones.
#[derive(Debug)]
pub(super) struct Document {
    /// Where its root starts: the first key of a mapping.
    pub position: Position,
    /// The root. When it is a mapping with a sequence `items`, that key
    /// holds `null` here and its values are in [`Document::items`].
    pub value: Value,
    /// The keys of the root mapping, outside sequences.
    pub positions: Positions,
    /// The items of the root's `items` sequence, read as objects (each with
    /// its own key positions): a List's objects, if the root is a List.
    pub items: Option<Vec<Item>>,
}

/// An item of a root `items` sequence.
#[derive(Debug)]
pub(super) struct Item {
    /// Where it starts: its first key, for a mapping.
    pub position: Position,
    pub value: Value,
    pub positions: Positions,
}

impl Document {
    /// The root value with its `items` back in place, and its positions.
    pub fn into_value(self) -> (Value, Positions) {
        let mut value = self.value;
        if let (Some(items), Some(slot)) = (self.items, value.get_mut("items")) {
            *slot = Value::Array(items.into_iter().map(|item| item.value).collect());
        }
        (value, self.positions)
    }
}

/// Reads every non-empty document of `text`.
pub(super) fn read_documents(text: &str) -> Result<Vec<Document>, ExportError> {
    let mut options = serde_saphyr::granit_parser::Options::default();
    options.set_emit_comments(false);
    // One over ours, so that our own check, with its message, comes first.
    options.flow_nesting_limit = MAX_DEPTH + 1;
    options.block_nesting_limit = MAX_DEPTH + 1;
    let mut reader = Reader {
        parser: Parser::new_from_str_with_options(text, options),
        anchors: HashMap::new(),
        nodes: 0,
        scalar_bytes: 0,
        replayed_nodes: 0,
        replayed_bytes: 0,
        kept_nodes: 0,
        kept_bytes: 0,
        deepest: 0,
        items: None,
    };
    let mut documents = Vec::new();
    let mut count = 0;
    loop {
        let (event, span) = reader.next()?;
        match event {
            Event::StreamEnd => return Ok(documents),
            Event::DocumentStart(..) => {
                count += 1;
                if count > MAX_DOCUMENTS {
                    return Err(ExportError::new(
                        format!("the export holds more than {MAX_DOCUMENTS} documents"),
                        position(&span),
                    ));
                }
                reader.anchors.clear();
            }
            Event::StreamStart | Event::DocumentEnd => {}
            root => {
                if let Some(document) = reader.document(root, span)? {
                    documents.push(document);
                }
            }
        }
    }
}

/// What a mapping is, for the keys treated specially in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A document's root: an object, or a List with `items`.
    Document,
    /// An item of a root `items` sequence.
    Object,
    /// An object's `metadata`.
    Metadata,
    Other,
}

/// A node that an anchor names, kept for its aliases.
#[derive(Debug)]
struct Anchored {
    value: Value,
    /// A scalar's text and whether it was plain and untagged: an alias used
    /// as a key is that text, as the key itself would be.
    text: Option<(String, bool)>,
    /// What each alias replays: nodes, scalar bytes, and levels of nesting
    /// (0 for a scalar).
    nodes: usize,
    bytes: usize,
    height: usize,
}

/// The counters when an anchored node starts, to measure it by.
#[derive(Debug, Clone, Copy)]
struct Start {
    nodes: usize,
    bytes: usize,
    deepest: usize,
}

struct Reader<'t> {
    parser: Parser<'t, StrInput<'t>>,
    /// The anchored nodes of the current document, by the parser's id.
    anchors: HashMap<usize, Anchored>,
    /// Nodes read, aliases' replays included.
    nodes: usize,
    /// Bytes of the scalars read, aliases' replays included.
    scalar_bytes: usize,
    /// What aliases replayed, and what anchors keep (each anchored node is
    /// copied once, so nested anchors are counted too).
    replayed_nodes: usize,
    replayed_bytes: usize,
    kept_nodes: usize,
    kept_bytes: usize,
    /// The deepest level reached, since the innermost anchored node began.
    deepest: usize,
    /// The items of the current document's root `items` sequence.
    items: Option<Vec<Item>>,
}

impl<'t> Reader<'t> {
    fn next(&mut self) -> Result<(Event<'t>, Span), ExportError> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(error)) => Err(scan_error(&error)),
            None => Err(ExportError::new(
                "the YAML ends in the middle of a node",
                Position::default(),
            )),
        }
    }

    fn document(&mut self, root: Event<'t>, span: Span) -> Result<Option<Document>, ExportError> {
        self.items = None;
        let mut positions = Positions::default();
        let value = self.node(root, span, 1, Some(&mut positions), Role::Document)?;
        if value.is_null() {
            return Ok(None);
        }
        Ok(Some(Document {
            position: positions.first().unwrap_or_else(|| position(&span)),
            value,
            positions,
            items: self.items.take(),
        }))
    }

    /// Reads the node that `event` starts, at nesting `depth` (the root's is
    /// 1), keeping its keys' positions in `positions` when given.
    fn node(
        &mut self,
        event: Event<'t>,
        span: Span,
        depth: usize,
        positions: Option<&mut Positions>,
        role: Role,
    ) -> Result<Value, ExportError> {
        let anchor = anchor_of(&event);
        let start = self.start(anchor, depth);
        self.count_node(&span)?;
        let (value, text) = match event {
            Event::Scalar(text, style, _, tag) => {
                self.scalar_bytes += text.len();
                let value = scalar(&text, style, tag.as_deref(), &span)?;
                let plain = style == ScalarStyle::Plain && tag.is_none();
                (value, (anchor != 0).then(|| (text.into_owned(), plain)))
            }
            Event::SequenceStart(..) => {
                self.enter(depth, &span)?;
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        (Event::SequenceEnd, _) => break,
                        (event, span) => {
                            items.push(self.node(event, span, depth + 1, None, Role::Other)?);
                        }
                    }
                }
                (Value::Array(items), None)
            }
            Event::MappingStart(..) => {
                self.enter(depth, &span)?;
                let map = self.mapping(depth, positions, role)?;
                (Value::Object(map), None)
            }
            Event::Alias(id) => return self.alias(id, &span, depth),
            other => return Err(unexpected(&other, &span)),
        };
        if anchor != 0 {
            self.remember(anchor, value.clone(), text, start, depth, &span)?;
        }
        Ok(value)
    }

    /// The entries of a mapping whose start has been read.
    fn mapping(
        &mut self,
        depth: usize,
        mut positions: Option<&mut Positions>,
        role: Role,
    ) -> Result<Map<String, Value>, ExportError> {
        let mut map = Map::new();
        let mut merged = Vec::new();
        let mut skipped_managed_fields = false;
        loop {
            let (event, key_span) = self.next()?;
            if let Event::MappingEnd = event {
                break;
            }
            let key = self.key(event, &key_span, depth + 1)?;
            let key_position = position(&key_span);
            let (event, span) = self.next()?;
            let Some(key) = key else {
                merged.push((
                    self.node(event, span, depth + 1, None, Role::Other)?,
                    key_span,
                ));
                continue;
            };
            let skipped = role == Role::Metadata && key == "managedFields";
            if map.contains_key(&key) || (skipped && skipped_managed_fields) {
                return Err(ExportError::new(
                    format!("the key {} is given twice in one mapping", shown(&key)),
                    key_position,
                ));
            }
            if skipped {
                skipped_managed_fields = true;
                self.skip(event, span, depth + 1)?;
                continue;
            }
            let mut keys = Positions::default();
            let value = match event {
                Event::SequenceStart(_, anchor, _) if role == Role::Document && key == "items" => {
                    self.items = Some(self.items(anchor, span, depth + 1)?);
                    Value::Null
                }
                Event::Alias(id) if role == Role::Document && key == "items" => {
                    match self.alias(id, &span, depth + 1)? {
                        Value::Array(values) => {
                            let items = values.into_iter().map(|value| Item {
                                position: position(&span),
                                value,
                                positions: Positions::default(),
                            });
                            self.items = Some(items.collect());
                            Value::Null
                        }
                        other => other,
                    }
                }
                event => {
                    let role = match role {
                        Role::Document | Role::Object if key == "metadata" => Role::Metadata,
                        _ => Role::Other,
                    };
                    let located = positions.is_some().then_some(&mut keys);
                    self.node(event, span, depth + 1, located, role)?
                }
            };
            if let Some(positions) = positions.as_deref_mut() {
                positions.push(key.clone(), key_position, keys);
            }
            map.insert(key, value);
        }
        for (value, span) in merged {
            merge(&mut map, value, &span)?;
        }
        Ok(map)
    }

    /// The items of a root `items` sequence, each mapping with its own
    /// positions.
    fn items(&mut self, anchor: usize, span: Span, depth: usize) -> Result<Vec<Item>, ExportError> {
        let start = self.start(anchor, depth);
        self.count_node(&span)?;
        self.enter(depth, &span)?;
        let mut items = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if let Event::SequenceEnd = event {
                break;
            }
            let mut positions = Positions::default();
            let value = self.node(event, span, depth + 1, Some(&mut positions), Role::Object)?;
            items.push(Item {
                position: positions.first().unwrap_or_else(|| position(&span)),
                value,
                positions,
            });
        }
        if anchor != 0 {
            let values = items.iter().map(|item| item.value.clone()).collect();
            self.remember(anchor, Value::Array(values), None, start, depth, &span)?;
        }
        Ok(items)
    }

    /// A mapping key at nesting `depth`: its text, or `None` for the merge
    /// key `<<`.
    fn key(
        &mut self,
        event: Event<'t>,
        span: &Span,
        depth: usize,
    ) -> Result<Option<String>, ExportError> {
        let (text, plain) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let start = self.start(anchor, depth);
                self.count_node(span)?;
                self.scalar_bytes += text.len();
                let plain = style == ScalarStyle::Plain && tag.is_none();
                if anchor != 0 {
                    let value = scalar(&text, style, tag.as_deref(), span)?;
                    let text = Some((text.clone().into_owned(), plain));
                    self.remember(anchor, value, text, start, depth, span)?;
                }
                (text, plain)
            }
            Event::Alias(id) => match &self.replay(id, span, depth)?.text {
                Some((text, plain)) => (Cow::Owned(text.clone()), *plain),
                None => return Err(collection_key(span)),
            },
            Event::SequenceStart(..) | Event::MappingStart(..) => return Err(collection_key(span)),
            other => return Err(unexpected(&other, span)),
        };
        if plain {
            if text == "<<" {
                return Ok(None);
            }
            if is_null(&text) {
                return Err(ExportError::new(
                    "a mapping key is null: JSON keys are strings",
                    position(span),
                ));
            }
        }
        Ok(Some(text.into_owned()))
    }

    /// The value an alias at nesting `depth` stands for.
    fn alias(&mut self, id: usize, span: &Span, depth: usize) -> Result<Value, ExportError> {
        Ok(self.replay(id, span, depth)?.value.clone())
    }

    /// Counts what replaying anchor `id` at nesting `depth` adds, against
    /// every budget, and gives the anchored node.
    fn replay(&mut self, id: usize, span: &Span, depth: usize) -> Result<&Anchored, ExportError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(ExportError::new(
                "an alias refers to the node that holds it",
                position(span),
            ));
        };
        self.replayed_nodes += anchored.nodes;
        self.replayed_bytes += anchored.bytes;
        self.nodes += anchored.nodes;
        self.scalar_bytes += anchored.bytes;
        let too_much = if self.replayed_nodes > MAX_ALIAS_NODES {
            Some(format!("{MAX_ALIAS_NODES} nodes"))
        } else if self.replayed_bytes > MAX_EXPORT_BYTES {
            Some("64 MiB of text".to_owned())
        } else {
            None
        };
        if let Some(too_much) = too_much {
            return Err(ExportError::new(
                format!(
                    "YAML aliases expand to more than {too_much} (a \"billion laughs\" document?)"
                ),
                position(span),
            ));
        }
        if self.nodes > MAX_NODES {
            return Err(nodes_error(span));
        }
        if anchored.height > 0 {
            let reach = depth + anchored.height - 1;
            if reach > MAX_DEPTH {
                return Err(depth_error(position(span)));
            }
            self.deepest = self.deepest.max(reach);
        }
        Ok(anchored)
    }

    /// Reads past the node that `event` starts, building only what an
    /// anchor inside it names.
    fn skip(&mut self, event: Event<'t>, span: Span, depth: usize) -> Result<(), ExportError> {
        if anchor_of(&event) != 0 {
            return self.node(event, span, depth, None, Role::Other).map(drop);
        }
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                self.count_node(&span)?;
                self.enter(depth, &span)?;
                loop {
                    match self.next()? {
                        (Event::SequenceEnd | Event::MappingEnd, _) => return Ok(()),
                        (event, span) => self.skip(event, span, depth + 1)?,
                    }
                }
            }
            Event::Scalar(..) | Event::Alias(_) => self.count_node(&span),
            other => Err(unexpected(&other, &span)),
        }
    }

    /// Where a node at nesting `depth` starts; an anchored one's height is
    /// measured from here.
    fn start(&mut self, anchor: usize, depth: usize) -> Start {
        let start = Start {
            nodes: self.nodes,
            bytes: self.scalar_bytes,
            deepest: self.deepest,
        };
        if anchor != 0 {
            self.deepest = depth - 1;
        }
        start
    }

    /// Keeps an anchored node at nesting `depth`, read since `start`, for
    /// its aliases.
    fn remember(
        &mut self,
        anchor: usize,
        value: Value,
        text: Option<(String, bool)>,
        start: Start,
        depth: usize,
        span: &Span,
    ) -> Result<(), ExportError> {
        let anchored = Anchored {
            value,
            text,
            nodes: self.nodes - start.nodes,
            bytes: self.scalar_bytes - start.bytes,
            height: self.deepest.saturating_sub(depth - 1),
        };
        self.deepest = self.deepest.max(start.deepest);
        self.kept_nodes += anchored.nodes;
        self.kept_bytes += anchored.bytes;
        if self.kept_nodes > MAX_ALIAS_NODES || self.kept_bytes > MAX_EXPORT_BYTES {
            return Err(ExportError::new(
                format!(
                    "YAML anchors name more than {MAX_ALIAS_NODES} nodes or 64 MiB of text in all (anchors nested in anchors?)"
                ),
                position(span),
            ));
        }
        self.anchors.insert(anchor, anchored);
        Ok(())
    }

    /// Refuses a collection nested deeper than [`MAX_DEPTH`].
    fn enter(&mut self, depth: usize, span: &Span) -> Result<(), ExportError> {
        if depth > MAX_DEPTH {
            return Err(depth_error(position(span)));
        }
        self.deepest = self.deepest.max(depth);
        Ok(())
    }

    fn count_node(&mut self, span: &Span) -> Result<(), ExportError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(nodes_error(span));
        }
        Ok(())
    }
}

/// The anchor a node event defines (0: none).
fn anchor_of(event: &Event<'_>) -> usize {
    match event {
        Event::Scalar(_, _, anchor, _)
        | Event::SequenceStart(_, anchor, _)
        | Event::MappingStart(_, anchor, _) => *anchor,
        _ => 0,
    }
}

fn nodes_error(span: &Span) -> ExportError {
    ExportError::new(
        format!("the export holds more than {MAX_NODES} YAML nodes"),
        position(span),
    )
}

fn depth_error(position: Position) -> ExportError {
    ExportError::new(
        format!("the export nests mappings and sequences deeper than {MAX_DEPTH} levels"),
        position,
    )
}

/// Untrusted text in a message: at most 60 characters, control characters
/// escaped, in backquotes.
fn shown(text: &str) -> String {
    let mut shown: String = text.chars().take(60).flat_map(char::escape_debug).collect();
    if text.chars().nth(60).is_some() {
        shown.push('…');
    }
    format!("`{shown}`")
}

/// Merges `value` (`<<: *base` or `<<: [*a, *b]`) into `map`: keys the
/// mapping has already win.
fn merge(map: &mut Map<String, Value>, value: Value, span: &Span) -> Result<(), ExportError> {
    let sources = match value {
        Value::Object(source) => vec![source],
        Value::Array(items) if items.iter().all(Value::is_object) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Object(source) => Some(source),
                _ => None,
            })
            .collect(),
        _ => {
            return Err(ExportError::new(
                "the merge key `<<` takes a mapping or a sequence of mappings",
                position(span),
            ));
        }
    };
    for source in sources {
        for (key, value) in source {
            map.entry(key).or_insert(value);
        }
    }
    Ok(())
}

/// The value of a scalar, by its tag, style and text (the module's rules).
fn scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: &Span,
) -> Result<Value, ExportError> {
    let core = tag.and_then(Tag::core_suffix);
    let typed = |value: Option<Value>, what: &str| {
        value.ok_or_else(|| {
            ExportError::new(
                format!("{} is tagged !!{what} but is not one", shown(text)),
                position(span),
            )
        })
    };
    match core {
        Some("str") => Ok(Value::String(text.to_owned())),
        Some("null") => typed(is_null(text).then_some(Value::Null), "null"),
        Some("bool") => typed(boolean(text).map(Value::Bool), "bool"),
        Some("int") => typed(integer(text), "int"),
        Some("float") if non_finite(text) => Err(non_finite_error(text, span)),
        Some("float") => typed(
            float(text)
                .or_else(|| integer(text).and_then(|n| n.as_f64()))
                .map(Value::from),
            "float",
        ),
        _ if style != ScalarStyle::Plain
            || tag.is_some_and(|t| t.handle().is_empty() && t.suffix() == "!") =>
        {
            Ok(Value::String(text.to_owned()))
        }
        _ => plain(text, span),
    }
}

/// An untagged plain scalar.
fn plain(text: &str, span: &Span) -> Result<Value, ExportError> {
    // Only these first characters can start anything but a string.
    let maybe_typed = text.bytes().next().is_none_or(|first| {
        first.is_ascii_digit()
            || matches!(
                first,
                b'-' | b'+'
                    | b'.'
                    | b'~'
                    | b'n'
                    | b'N'
                    | b'y'
                    | b'Y'
                    | b't'
                    | b'T'
                    | b'f'
                    | b'F'
                    | b'o'
                    | b'O'
            )
    });
    if !maybe_typed {
        return Ok(Value::String(text.to_owned()));
    }
    if is_null(text) {
        return Ok(Value::Null);
    }
    if let Some(value) = boolean(text) {
        return Ok(Value::Bool(value));
    }
    if let Some(number) = integer(text) {
        return Ok(number);
    }
    if let Some(value) = float(text) {
        return Ok(Value::from(value));
    }
    if non_finite(text) {
        return Err(non_finite_error(text, span));
    }
    Ok(Value::String(text.to_owned()))
}

/// `.inf`, `-.inf`, `.nan`… : floats that JSON cannot hold (go-yaml reads
/// them, and Kubernetes then fails to turn them into JSON). A signed NaN is
/// not one of them: go-yaml reads it as text.
fn non_finite(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN")
}

fn non_finite_error(text: &str, span: &Span) -> ExportError {
    ExportError::new(
        format!(
            "{} is an infinite or NaN number, which JSON cannot hold and Kubernetes refuses: quote it if it is text",
            shown(text)
        ),
        position(span),
    )
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn boolean(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// A YAML 1.1 integer, as a JSON number (i64, else u64).
fn integer(text: &str) -> Option<Value> {
    let text = without_underscores(text);
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, &*text),
    };
    let prefixed = |lower: &str, upper: &str| {
        unsigned
            .strip_prefix(lower)
            .or_else(|| unsigned.strip_prefix(upper))
    };
    let (radix, digits) = if let Some(digits) = prefixed("0x", "0X") {
        (16, digits)
    } else if let Some(digits) = prefixed("0o", "0O") {
        (8, digits)
    } else if let Some(digits) = prefixed("0b", "0B") {
        (2, digits)
    } else if unsigned.len() > 1
        && let Some(digits) = unsigned.strip_prefix('0')
    {
        (8, digits)
    } else {
        (10, unsigned)
    };
    // `from_str_radix` takes a sign of its own: the digits must not have one.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude)
            .ok()
            .and_then(i64::checked_neg)
            .or_else(|| (magnitude == u128::from(i64::MIN.unsigned_abs())).then_some(i64::MIN))?;
        Some(Value::from(value))
    } else {
        u64::try_from(magnitude).ok().map(Value::from)
    }
}

/// A finite YAML 1.1 float, `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
/// (one too large for a float, `1e400`, is text, as go-yaml reads it).
fn float(text: &str) -> Option<f64> {
    let text = without_underscores(text);
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(&text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (unsigned.get(..at)?, Some(unsigned.get(at + 1..)?)),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    text.parse().ok().filter(|value: &f64| value.is_finite())
}

fn without_underscores(text: &str) -> Cow<'_, str> {
    if text.contains('_') {
        Cow::Owned(text.replace('_', ""))
    } else {
        Cow::Borrowed(text)
    }
}

fn position(span: &Span) -> Position {
    Position {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

fn scan_error(error: &ScanError) -> ExportError {
    let marker = error.marker();
    let position = Position {
        line: marker.line(),
        column: marker.col() + 1,
    };
    if matches!(
        error.kind(),
        serde_saphyr::granit_parser::ErrorKind::RecursionLimitExceeded
    ) {
        return depth_error(position);
    }
    ExportError::new(error.info(), position)
}

fn collection_key(span: &Span) -> ExportError {
    ExportError::new(
        "a mapping key is a mapping or a sequence: JSON keys are strings",
        position(span),
    )
}

fn unexpected(event: &Event<'_>, span: &Span) -> ExportError {
    ExportError::new(format!("unexpected YAML event {event:?}"), position(span))
}

#[cfg(test)]
#[path = "yaml_tests.rs"]
mod tests;

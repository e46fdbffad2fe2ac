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
//!   `0…` octal; `_` ignored), a float (`1.5`, `1e3`, `.5`; `.inf` and
//!   `.nan`, which JSON cannot hold, read as null), else a string. Quoted
//!   and block scalars are strings. The tags `!!str`, `!!int`, `!!float`,
//!   `!!bool` and `!!null` are obeyed (a value that is not of its tag is an
//!   error); `!` makes a string; other tags are ignored.
//! - Mapping keys are scalars, read as their text (`1: x` has the key
//!   `"1"`): JSON keys are strings. A null key, a collection as a key and a
//!   key given twice are errors.
//! - Aliases are expanded; `<<` merges mappings (explicit keys win, then
//!   earlier merged mappings).
//! - `metadata.managedFields` of an object (the API server's field-ownership
//!   bookkeeping, often half of what kubectl prints) is skipped: nothing irsa
//!   reads is in it.
//!
//! Budgets, each refusal an [`ExportError`] where it happened: nesting
//! depth, nodes, documents, and alias expansion (a "billion laughs" stops at
//! [`MAX_ALIAS_NODES`] replayed nodes, in bounded time and memory).

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
        replayed_nodes: 0,
        replayed_bytes: 0,
        scalar_bytes: 0,
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
    /// Its nodes, and the bytes of its scalars: what each alias replays.
    nodes: usize,
    bytes: usize,
}

struct Reader<'t> {
    parser: Parser<'t, StrInput<'t>>,
    /// The anchored nodes of the current document, by the parser's id.
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
    replayed_nodes: usize,
    replayed_bytes: usize,
    scalar_bytes: usize,
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
        let start = self.tally();
        self.count_node(&span)?;
        let (value, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar_bytes += text.len();
                (scalar(&text, style, tag.as_deref(), &span)?, anchor)
            }
            Event::SequenceStart(_, anchor, _) => {
                enter(depth, &span)?;
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        (Event::SequenceEnd, _) => break,
                        (event, span) => {
                            items.push(self.node(event, span, depth + 1, None, Role::Other)?);
                        }
                    }
                }
                (Value::Array(items), anchor)
            }
            Event::MappingStart(_, anchor, _) => {
                enter(depth, &span)?;
                let map = self.mapping(depth, positions, role)?;
                (Value::Object(map), anchor)
            }
            Event::Alias(id) => return self.alias(id, &span),
            other => return Err(unexpected(&other, &span)),
        };
        if anchor != 0 {
            self.remember(anchor, value.clone(), start);
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
        loop {
            let (event, key_span) = self.next()?;
            if let Event::MappingEnd = event {
                break;
            }
            let key = self.key(event, &key_span)?;
            let key_position = position(&key_span);
            let (event, span) = self.next()?;
            let Some(key) = key else {
                merged.push((
                    self.node(event, span, depth + 1, None, Role::Other)?,
                    key_span,
                ));
                continue;
            };
            if map.contains_key(&key) {
                return Err(ExportError::new(
                    format!("the key `{key}` is given twice in one mapping"),
                    key_position,
                ));
            }
            if role == Role::Metadata && key == "managedFields" {
                self.skip(event, span, depth + 1)?;
                continue;
            }
            let mut keys = Positions::default();
            let value = match event {
                Event::SequenceStart(_, anchor, _) if role == Role::Document && key == "items" => {
                    self.items = Some(self.items(anchor, span, depth + 1)?);
                    Value::Null
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
        let start = self.tally();
        self.count_node(&span)?;
        enter(depth, &span)?;
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
            self.remember(anchor, Value::Array(values), start);
        }
        Ok(items)
    }

    /// A mapping key: its text, or `None` for the merge key `<<`.
    fn key(&mut self, event: Event<'t>, span: &Span) -> Result<Option<String>, ExportError> {
        let start = self.tally();
        self.count_node(span)?;
        let (text, style) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar_bytes += text.len();
                if anchor != 0 {
                    let value = scalar(&text, style, tag.as_deref(), span)?;
                    self.remember(anchor, value, start);
                }
                (text, style)
            }
            Event::Alias(id) => match self.alias(id, span)? {
                Value::String(text) => (Cow::Owned(text), ScalarStyle::SingleQuoted),
                Value::Null => (Cow::Borrowed(""), ScalarStyle::Plain),
                Value::Bool(b) => (Cow::Owned(b.to_string()), ScalarStyle::SingleQuoted),
                Value::Number(n) => (Cow::Owned(n.to_string()), ScalarStyle::SingleQuoted),
                Value::Array(_) | Value::Object(_) => return Err(collection_key(span)),
            },
            Event::SequenceStart(..) | Event::MappingStart(..) => return Err(collection_key(span)),
            other => return Err(unexpected(&other, span)),
        };
        if style == ScalarStyle::Plain {
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

    fn alias(&mut self, id: usize, span: &Span) -> Result<Value, ExportError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(ExportError::new(
                "an alias refers to the node that holds it",
                position(span),
            ));
        };
        self.replayed_nodes += anchored.nodes;
        self.replayed_bytes += anchored.bytes;
        self.nodes += anchored.nodes;
        if self.replayed_nodes > MAX_ALIAS_NODES || self.replayed_bytes > MAX_EXPORT_BYTES {
            return Err(ExportError::new(
                format!(
                    "YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (a \"billion laughs\" document?)"
                ),
                position(span),
            ));
        }
        Ok(anchored.value.clone())
    }

    /// Reads past the node that `event` starts, building only what an
    /// anchor inside it names.
    fn skip(&mut self, event: Event<'t>, span: Span, depth: usize) -> Result<(), ExportError> {
        match event {
            Event::Scalar(_, _, anchor, _)
            | Event::SequenceStart(_, anchor, _)
            | Event::MappingStart(_, anchor, _)
                if anchor != 0 =>
            {
                self.node(event, span, depth, None, Role::Other).map(drop)
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                self.count_node(&span)?;
                enter(depth, &span)?;
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

    /// Nodes and scalar bytes read so far: where an anchored node starts.
    fn tally(&self) -> (usize, usize) {
        (self.nodes, self.scalar_bytes)
    }

    /// Keeps an anchored node, read since `start`, for its aliases.
    fn remember(&mut self, anchor: usize, value: Value, start: (usize, usize)) {
        let anchored = Anchored {
            value,
            nodes: self.nodes - start.0,
            bytes: self.scalar_bytes - start.1,
        };
        self.anchors.insert(anchor, anchored);
    }

    fn count_node(&mut self, span: &Span) -> Result<(), ExportError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(ExportError::new(
                format!("the export holds more than {MAX_NODES} YAML nodes"),
                position(span),
            ));
        }
        Ok(())
    }
}

/// Refuses a collection nested deeper than [`MAX_DEPTH`].
fn enter(depth: usize, span: &Span) -> Result<(), ExportError> {
    if depth > MAX_DEPTH {
        return Err(depth_error(position(span)));
    }
    Ok(())
}

fn depth_error(position: Position) -> ExportError {
    ExportError::new(
        format!("the export nests mappings and sequences deeper than {MAX_DEPTH} levels"),
        position,
    )
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
                format!("`{text}` is tagged !!{what} but is not one"),
                position(span),
            )
        })
    };
    match core {
        Some("str") => Ok(Value::String(text.to_owned())),
        Some("null") => typed(is_null(text).then_some(Value::Null), "null"),
        Some("bool") => typed(boolean(text).map(Value::Bool), "bool"),
        Some("int") => typed(integer(text), "int"),
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
        _ => Ok(plain(text)),
    }
}

/// An untagged plain scalar.
fn plain(text: &str) -> Value {
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
        return Value::String(text.to_owned());
    }
    if is_null(text) {
        return Value::Null;
    }
    if let Some(value) = boolean(text) {
        return Value::Bool(value);
    }
    if let Some(number) = integer(text) {
        return number;
    }
    if let Some(value) = float(text) {
        // JSON has no infinity or NaN: they read as null.
        return Value::from(value);
    }
    Value::String(text.to_owned())
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
    let (radix, digits) = if let Some(digits) = unsigned.strip_prefix("0x") {
        (16, digits)
    } else if let Some(digits) = unsigned.strip_prefix("0o") {
        (8, digits)
    } else if let Some(digits) = unsigned.strip_prefix("0b") {
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

/// A YAML 1.1 float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`,
/// or `.inf`/`.nan` in their three cases.
fn float(text: &str) -> Option<f64> {
    let text = without_underscores(text);
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(&text);
    match unsigned {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if text.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
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
    text.parse().ok()
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

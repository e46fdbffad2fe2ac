//! Positions in a source as editors count them: a 0-based line and a
//! character offset in the line, in UTF-16 code units (the Language Server
//! Protocol's default, and JavaScript's strings) or UTF-8 bytes. The
//! library's own spans are byte offsets; these convert both ways.
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`, as the protocol says (irsa
//! rejects a lone `\r`, but the editor still counts it as a line end).

use std::ops::Range;

/// How the character offset of a [`Position`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// Code units of UTF-16: a character outside the Basic Multilingual
    /// Plane counts 2.
    Utf16,
}

impl Encoding {
    /// The length of `text` in this encoding's units.
    pub fn len(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        }
    }

    fn char_len(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// A 0-based line and a character offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// The line starts of one source, for converting byte offsets to positions
/// and back. Built in one pass; each conversion looks at one line.
#[derive(Debug, Clone)]
pub struct LineMap<'a> {
    source: &'a str,
    /// The byte offset at which each line starts; the first is 0.
    starts: Vec<usize>,
}

impl<'a> LineMap<'a> {
    pub fn new(source: &'a str) -> Self {
        let bytes = source.as_bytes();
        let mut starts = vec![0];
        for (index, &byte) in bytes.iter().enumerate() {
            let ends_line = byte == b'\n'
                || (byte == b'\r' && bytes.get(index + 1).is_none_or(|&next| next != b'\n'));
            if ends_line {
                starts.push(index + 1);
            }
        }
        LineMap { source, starts }
    }

    /// The number of lines (a source ending with a line break has an empty
    /// last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The bytes of line `line`, without its line end; `None` past the last.
    fn line_span(&self, line: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line)?;
        let next = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.source.len());
        let text = self.source.get(start..next).unwrap_or_default();
        let content = text
            .strip_suffix("\r\n")
            .or_else(|| text.strip_suffix('\n'))
            .or_else(|| text.strip_suffix('\r'))
            .unwrap_or(text);
        Some(start..start + content.len())
    }

    /// The position of a byte offset. An offset past the end is the end;
    /// one inside a character or a `\r\n` is the position before it.
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(self.source, offset);
        let line = self
            .starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let span = self.line_span(line).unwrap_or(0..0);
        let upto = offset.min(span.end);
        let text = self.source.get(span.start..upto).unwrap_or_default();
        Position {
            line: to_u32(line),
            character: to_u32(encoding.len(text)),
        }
    }

    /// The byte offset of a position. A character past the line's end is
    /// its end (as the protocol asks); a line past the last is the end of
    /// the source; a character inside a UTF-16 surrogate pair or a UTF-8
    /// sequence is the start of that character.
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some(span) = self.line_span(position.line as usize) else {
            return self.source.len();
        };
        let text = self.source.get(span.clone()).unwrap_or_default();
        let wanted = position.character as usize;
        let mut units = 0;
        for (index, c) in text.char_indices() {
            let next = units + encoding.char_len(c);
            if next > wanted {
                return span.start + index;
            }
            units = next;
        }
        span.end
    }

    /// A byte range as a pair of positions.
    pub fn range(&self, span: &Range<usize>, encoding: Encoding) -> (Position, Position) {
        (
            self.position(span.start, encoding),
            self.position(span.end, encoding),
        )
    }
}

/// The byte offset of a UTF-16 offset into the whole source (JavaScript's
/// string index). Past the end is the end; inside a surrogate pair is the
/// start of its character.
pub fn offset_from_utf16(source: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (index, c) in source.char_indices() {
        let next = units + c.len_utf16();
        if next > utf16 {
            return index;
        }
        units = next;
    }
    source.len()
}

/// The UTF-16 offset into the whole source of a byte offset (rounded down
/// to a character boundary).
pub fn utf16_from_offset(source: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(source, offset);
    Encoding::Utf16.len(source.get(..offset).unwrap_or_default())
}

/// The largest character boundary at or before `offset`, within the source.
pub(crate) fn floor_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

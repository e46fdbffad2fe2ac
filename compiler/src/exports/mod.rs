//! Readers of the exports that `irsa verify` and `irsa import` take in:
//! untrusted text, read within explicit size, depth and alias budgets, every
//! refusal located (LANGUAGE.md §12, §13).

pub mod aws;
pub mod kubernetes;
mod yaml;

/// Exports over this many bytes are refused (LANGUAGE.md §12/§13).
pub const MAX_EXPORT_BYTES: usize = 64 * 1024 * 1024;

/// 1-based line and column in an export; 0 when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One export as given: its name (shown in diagnostics) and its bytes.
/// What `verify` and `import` both take.
#[derive(Debug, Clone, Copy)]
pub struct RawExport<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Why an export could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    pub message: String,
    pub position: Position,
}

impl ExportError {
    pub fn new(message: impl Into<String>, position: Position) -> Self {
        ExportError {
            message: message.into(),
            position,
        }
    }
}

/// The text of an export, for every reader: refused when over
/// [`MAX_EXPORT_BYTES`] or not UTF-8 (located at the first bad byte).
pub fn text(bytes: &[u8]) -> Result<&str, ExportError> {
    if bytes.len() > MAX_EXPORT_BYTES {
        return Err(ExportError::new(
            format!(
                "the export is {} bytes, over the limit of {MAX_EXPORT_BYTES} bytes (64 MiB)",
                bytes.len()
            ),
            Position { line: 1, column: 1 },
        ));
    }
    std::str::from_utf8(bytes).map_err(|error| {
        let at = error.valid_up_to();
        // The bytes before `at` are valid UTF-8 by definition.
        let valid = std::str::from_utf8(bytes.get(..at).unwrap_or_default()).unwrap_or_default();
        let byte = bytes.get(at).copied().unwrap_or_default();
        ExportError::new(
            format!("the export is not valid UTF-8: byte {byte:#04x} at offset {at}"),
            Position::of_offset(valid, at),
        )
    })
}

impl Position {
    /// The position of byte `offset` of `text`: its line, and its column
    /// counted in characters (as the diagnostics count columns).
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let before = text.get(..offset).unwrap_or(text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count());
        Position {
            line: before.matches('\n').count() + 1,
            column: column + 1,
        }
    }

    /// The byte offset of this position in `text` (the inverse of
    /// [`Position::of_offset`]); the end of the text when past it, 0 when
    /// unknown.
    pub fn offset_in(self, text: &str) -> usize {
        if self.line == 0 {
            return 0;
        }
        let mut line_start = 0;
        for _ in 1..self.line {
            match text.get(line_start..).and_then(|rest| rest.find('\n')) {
                Some(i) => line_start += i + 1,
                None => return text.len(),
            }
        }
        let line = text.get(line_start..).unwrap_or_default();
        let line = line.split('\n').next().unwrap_or_default();
        let within = line
            .char_indices()
            .nth(self.column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        line_start + within
    }
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            self.position.line, self.position.column, self.message
        )
    }
}

impl std::error::Error for ExportError {}

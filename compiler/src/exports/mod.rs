//! Readers of the exports users make with the AWS CLI and kubectl, for
//! `verify` and `import`. Exports are untrusted input: each reader refuses
//! more than [`MAX_EXPORT_BYTES`], bounds nesting, and reports a located
//! error instead of panicking.

pub mod aws;
pub mod kubernetes;

/// Exports over this many bytes are refused (LANGUAGE.md §12/§13).
pub const MAX_EXPORT_BYTES: usize = 64 * 1024 * 1024;

/// 1-based line and column in an export; 0 when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

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

/// The text of an export: refused when over the size limit or not UTF-8
/// (located at the first bad byte).
pub fn text(bytes: &[u8]) -> Result<&str, ExportError> {
    if bytes.len() > MAX_EXPORT_BYTES {
        return Err(ExportError::new(
            format!(
                "the export is {} bytes, over the limit of {MAX_EXPORT_BYTES} (64 MiB)",
                bytes.len()
            ),
            Position::default(),
        ));
    }
    std::str::from_utf8(bytes).map_err(|error| {
        let at = error.valid_up_to();
        let before = bytes.get(..at).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
            .chars()
            .count()
            + 1;
        ExportError::new(
            format!("the export is not valid UTF-8 (byte {at})"),
            Position { line, column },
        )
    })
}

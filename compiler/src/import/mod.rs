//! `irsa import`: Kubernetes YAML or JSON (a SpinnakerService and its
//! ServiceAccounts) → an idiomatic `.irsa` source in `fmt`'s canonical
//! layout (LANGUAGE.md §13).
//!
//! Four steps, one module each: `collect` reads the exports and finds the
//! SpinnakerService, its service-settings and the ServiceAccounts (warning
//! about what the language cannot hold); `plan` chooses the statements a
//! person would write (`*`, lists, `as` only where needed, `account` and
//! short role names, `defaults`); `write` prints them, remembering which
//! YAML each line came from; this module compiles the result and turns any
//! error of it into a located error in the YAML, so an import never writes a
//! file that does not compile.

mod collect;
mod plan;
mod write;

use std::borrow::Cow;

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::exports::Position;
use crate::exports::kubernetes::read_kubernetes_located;

/// One export to import: its name (shown in diagnostics) and its bytes.
pub type ImportInput<'a> = crate::exports::RawExport<'a>;

/// A problem of an import, in one of its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportDiagnostic {
    /// Index of the input in the slice given to [`import`].
    pub input: usize,
    /// Byte offsets into that input (decoded as UTF-8, lossily when it is
    /// not UTF-8: the offsets of the valid prefix hold).
    pub diagnostic: Diagnostic,
}

/// What an import gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportResult {
    /// The `.irsa` source, in `fmt`'s canonical layout; `None` when any
    /// diagnostic is an error.
    pub source: Option<String>,
    /// Warnings (what was left out) and errors, by input and position.
    pub diagnostics: Vec<ImportDiagnostic>,
}

impl ImportResult {
    /// Whether any diagnostic is an error.
    pub fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.diagnostic.severity() == Severity::Error)
    }
}

/// Imports Kubernetes exports into an `.irsa` source. Pure; never panics.
pub fn import(inputs: &[ImportInput<'_>]) -> ImportResult {
    let texts: Vec<Cow<'_, str>> = inputs
        .iter()
        // `from_utf8` first: it is several times faster than
        // `from_utf8_lossy` on the valid text that nearly every input is.
        .map(|input| {
            std::str::from_utf8(input.bytes)
                .map_or_else(|_| String::from_utf8_lossy(input.bytes), Cow::Borrowed)
        })
        .collect();
    let mut report = Report {
        texts: &texts,
        names: inputs.iter().map(|input| input.name).collect(),
        diagnostics: Vec::new(),
    };
    let mut objects = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        match read_kubernetes_located(input.bytes) {
            Ok(read) => objects.extend(read.into_iter().map(|located| collect::Object {
                input: index,
                located,
            })),
            Err(error) => report.add(
                Code::UnreadableExport,
                Origin {
                    input: index,
                    position: error.position,
                },
                format!("cannot read {}: {}", input.name, error.message),
            ),
        }
    }
    let source = if report.failed() {
        None
    } else {
        collect::collect(&objects, &mut report)
            .filter(|_| !report.failed())
            .map(|found| write::write(&plan::plan(&found)))
            .and_then(|written| checked(&written, &mut report))
    };
    let mut diagnostics = report.diagnostics;
    diagnostics.sort_by_key(|d| (d.input, d.diagnostic.span.start));
    ImportResult {
        source: source.filter(|_| {
            !diagnostics
                .iter()
                .any(|d| d.diagnostic.severity() == Severity::Error)
        }),
        diagnostics,
    }
}

/// Where something came from: an input and a position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Origin {
    pub input: usize,
    pub position: Position,
}

/// Collects the diagnostics of an import, located in the inputs' text.
pub(crate) struct Report<'a> {
    texts: &'a [Cow<'a, str>],
    names: Vec<&'a str>,
    diagnostics: Vec<ImportDiagnostic>,
}

impl Report<'_> {
    pub(crate) fn add(&mut self, code: Code, origin: Origin, message: impl Into<String>) {
        let diagnostic = Diagnostic::new(code, self.span(origin), message);
        self.push(origin, diagnostic);
    }

    /// A diagnostic with a "did you mean" among `candidates`, else `help`.
    pub(crate) fn add_with_suggestion(
        &mut self,
        code: Code,
        origin: Origin,
        message: impl Into<String>,
        (word, candidates): (&str, &[&str]),
        help: impl Into<String>,
    ) {
        let diagnostic = Diagnostic::new(code, self.span(origin), message)
            .with_suggestion(word, candidates, help);
        self.push(origin, diagnostic);
    }

    pub(crate) fn add_with_help(
        &mut self,
        code: Code,
        origin: Origin,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let diagnostic = Diagnostic::new(code, self.span(origin), message).with_help(help);
        self.push(origin, diagnostic);
    }

    fn push(&mut self, origin: Origin, diagnostic: Diagnostic) {
        self.diagnostics.push(ImportDiagnostic {
            input: origin.input,
            diagnostic,
        });
    }

    pub(crate) fn failed(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.diagnostic.severity() == Severity::Error)
    }

    /// `FILE:LINE:COLUMN` of an origin, for a note in another diagnostic.
    pub(crate) fn place(&self, origin: Origin) -> String {
        let name = self.names.get(origin.input).copied().unwrap_or("?");
        format!("{name}:{}:{}", origin.position.line, origin.position.column)
    }

    /// The span of the word (a key, a value) that starts at an origin.
    fn span(&self, origin: Origin) -> std::ops::Range<usize> {
        let text = self.texts.get(origin.input).map_or("", |t| t.as_ref());
        let start = origin.position.offset_in(text);
        let rest = text.get(start..).unwrap_or_default();
        let first = rest.chars().next().map_or(0, char::len_utf8);
        let length = rest
            .get(first..)
            .unwrap_or_default()
            .find(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | '}' | ']'))
            .map_or(rest.len(), |i| i + first);
        start..start + length
    }
}

/// Formats and compiles the written source; an error in it (a value the
/// language refuses) becomes an error at the YAML the line came from.
fn checked(written: &write::Written, report: &mut Report<'_>) -> Option<String> {
    let source = crate::format(&written.text).unwrap_or_else(|_| written.text.clone());
    let analysis = crate::analyze(&source);
    let mut failed = false;
    for diagnostic in analysis.diagnostics {
        if diagnostic.severity() != Severity::Error {
            continue;
        }
        failed = true;
        let line = source
            .get(..diagnostic.span.start)
            .map_or(0, |before| before.matches('\n').count());
        let origin = written.origin(line, diagnostic.code);
        let shown = source.lines().nth(line).unwrap_or_default().trim();
        report.add_with_help(
            Code::UnimportableValue,
            origin,
            format!("cannot be written as .irsa: {}", diagnostic.message),
            format!(
                "the imported line `{shown}` would fail with {}; fix the value in the YAML",
                diagnostic.code.as_str()
            ),
        );
    }
    (!failed).then_some(source)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

//! irsa compiles `.irsa` files into the Kubernetes objects that give each
//! Spinnaker service on Amazon EKS its own IAM role through IRSA:
//! `ServiceAccount`s annotated with `eks.amazonaws.com/role-arn`, a
//! `SpinnakerService` that points every service at its ServiceAccount, and
//! optionally IAM trust policies.
//!
//! The library does no I/O: every function here is a pure function of its
//! input, so the CLI, the WebAssembly build and tests produce the same bytes.
//!
//! ```
//! let source = "service *    -> role arn:aws:iam::000000000000:role/my-spinnaker-role\n\
//!               service echo -> role arn:aws:iam::000000000000:role/my-spinnaker-echo-role\n";
//! let compilation = irsa::compile(source, irsa::EmitOptions::default()).unwrap();
//! assert!(compilation.diagnostics.is_empty());
//! let output = compilation.output.unwrap();
//! assert!(output.stream.contains("name: spin-sa-echo"));
//! assert!(output.stream.contains("serviceAccountName: spin-sa\n"));
//! ```
#![forbid(unsafe_code)]

pub mod analysis;
pub mod diagnostics;
pub mod emit;
pub mod evaluate;
pub mod explain;
pub mod exports;
pub mod fmt;
pub mod import;
pub mod ir;
pub mod language;
pub mod lower;
pub mod policy;
pub mod services;
pub mod syntax;
pub mod validate;
pub mod verify;

use std::borrow::Cow;

pub use diagnostics::{Code, Diagnostic, MessageFormat, Severity};
pub use emit::{EmitError, EmitOptions, IamForm, Output, OutputFile, emit_yaml};
pub use import::{ImportDiagnostic, ImportInput, ImportResult};

/// The result of analysing one source: its diagnostics and, when it has no
/// errors, the resolved installation.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Every problem, ordered by position.
    pub diagnostics: Vec<Diagnostic>,
    /// `None` when any diagnostic is an error.
    pub install: Option<ir::Install>,
}

/// Parses, lowers and validates a source. Never panics.
pub fn analyze(source: &str) -> Analysis {
    analyze_with(source, EmitOptions::default())
}

/// [`analyze`], with the checks that the output `options` ask for (what
/// `compile` with these options would report: `--iam crossplane` needs a
/// region, say).
pub fn analyze_with(source: &str, options: EmitOptions) -> Analysis {
    let (tree, mut diagnostics) = syntax::parse(source);
    // Binary or oversized input is not parsed at all: say only that.
    if diagnostics
        .iter()
        .any(|d| matches!(d.code, Code::BinaryInput | Code::InputTooLarge))
    {
        return Analysis {
            diagnostics,
            install: None,
        };
    }
    let (lowered, lower_diagnostics) = lower::lower(&tree);
    diagnostics.extend(lower_diagnostics);
    diagnostics.extend(validate::validate(
        &lowered.install,
        lowered.armory.as_ref(),
    ));
    if let Some(form) = options.iam {
        diagnostics.extend(validate::for_iam_form(&lowered.install, form));
    }
    // Stable: diagnostics at one position keep the order they were found in.
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    let failed = diagnostics.iter().any(|d| d.severity() == Severity::Error);
    Analysis {
        diagnostics,
        install: (!failed).then_some(lowered.install),
    }
}

/// The result of compiling one source.
#[derive(Debug, Clone)]
pub struct Compilation {
    pub diagnostics: Vec<Diagnostic>,
    /// `None` when any diagnostic is an error.
    pub output: Option<Output>,
}

/// Compiles a source to its YAML stream and `-o DIR` files. The `Err` case
/// is a bug in irsa (serialization failed), never a problem of the input.
pub fn compile(source: &str, options: EmitOptions) -> Result<Compilation, EmitError> {
    let analysis = analyze_with(source, options);
    let output = match &analysis.install {
        Some(install) => Some(emit::emit(install, options)?),
        None => None,
    };
    Ok(Compilation {
        diagnostics: analysis.diagnostics,
        output,
    })
}

/// The explanation table of `irsa explain`, or the diagnostics that stop it.
pub fn explain(source: &str) -> (Option<String>, Vec<Diagnostic>) {
    let analysis = analyze(source);
    (
        analysis.install.as_ref().map(explain::explain),
        analysis.diagnostics,
    )
}

/// Formats a source in the canonical layout, or returns the syntax errors
/// that prevent it. Formatting never changes what a file compiles to.
pub fn format(source: &str) -> Result<String, Vec<Diagnostic>> {
    fmt::format(source)
}

/// Imports Kubernetes exports (a SpinnakerService and its ServiceAccounts,
/// as YAML or JSON) into an `.irsa` source in the canonical layout, with
/// warnings for what the language cannot hold (LANGUAGE.md §13).
pub fn import(inputs: &[ImportInput<'_>]) -> ImportResult {
    import::import(inputs)
}

/// Decodes raw input as UTF-8. Invalid UTF-8 gives the lossily decoded
/// text (to show the error in) and a diagnostic at the first bad byte.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, Option<Diagnostic>) {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => return (Cow::Borrowed(text), None),
        Err(error) => error,
    };
    // The valid prefix is unchanged in the lossy text, so the offset holds;
    // the bad bytes became one U+FFFD (3 bytes).
    let at = error.valid_up_to();
    let bad_len = error.error_len().unwrap_or(bytes.len() - at);
    let bad = bytes.get(at..at + bad_len).unwrap_or_default();
    let shown: Vec<String> = bad.iter().map(|b| format!("{b:#04x}")).collect();
    let diagnostic = Diagnostic::new(
        Code::InvalidUtf8,
        at..at + '\u{fffd}'.len_utf8(),
        format!(
            "the input is not valid UTF-8: {} at byte {at}",
            shown.join(" ")
        ),
    )
    .with_span_label("not UTF-8")
    .with_help(
        "save the file as UTF-8; is this a binary file, or in another encoding such as Latin-1?",
    );
    (String::from_utf8_lossy(bytes), Some(diagnostic))
}

//! `irsa verify` (LANGUAGE.md section 12): the file's install against
//! exports of the live state — can each pod assume its role, and only its
//! role? Pure: the CLI reads the exports (or runs `aws` and `kubectl` with
//! `--live`) and hands them here.
//!
//! Every finding is a [`Diagnostic`] located at the line of the file that
//! expects the thing (a binding, else the `role`, `oidc`, `cluster`,
//! `operator` or `spinnaker` statement; line 1 for a default), with a note
//! naming the export and the JSON path that contradicts it.

mod cluster;
mod kubernetes;
mod probes;
mod requests;
mod trust;

use crate::diagnostics::Diagnostic;
use crate::exports::ExportError;
use crate::exports::aws::AwsExport;
use crate::exports::kubernetes::KubeObject;
use crate::ir::Install;

/// One export and the name it is reported by (its file name, or the
/// command `--live` ran).
#[derive(Debug, Clone, PartialEq)]
pub struct Named<T> {
    pub name: String,
    pub content: T,
}

/// Everything `verify` compares the file with.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exports {
    pub aws: Vec<Named<AwsExport>>,
    pub kubernetes: Vec<Named<Vec<KubeObject>>>,
}

pub use crate::exports::RawExport;

/// An export that cannot be read, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableExport {
    pub name: String,
    pub error: ExportError,
}

impl Exports {
    /// Reads AWS CLI and kubectl exports; every one that cannot be read is
    /// reported (none is skipped).
    pub fn read(
        aws: &[RawExport<'_>],
        kubernetes: &[RawExport<'_>],
    ) -> Result<Exports, Vec<UnreadableExport>> {
        let mut unreadable = Vec::new();
        let exports = Exports {
            aws: read_all(aws, crate::exports::aws::read_aws, &mut unreadable),
            kubernetes: read_all(
                kubernetes,
                crate::exports::kubernetes::read_kubernetes,
                &mut unreadable,
            ),
        };
        if unreadable.is_empty() {
            Ok(exports)
        } else {
            Err(unreadable)
        }
    }
}

/// Reads each export with `reader`, collecting those that cannot be read.
fn read_all<T>(
    raws: &[RawExport<'_>],
    reader: fn(&[u8]) -> Result<T, ExportError>,
    unreadable: &mut Vec<UnreadableExport>,
) -> Vec<Named<T>> {
    let mut read = Vec::with_capacity(raws.len());
    for raw in raws {
        match reader(raw.bytes) {
            Ok(content) => read.push(Named {
                name: raw.name.to_owned(),
                content,
            }),
            Err(error) => unreadable.push(UnreadableExport {
                name: raw.name.to_owned(),
                error,
            }),
        }
    }
    read
}

/// What `verify` of a source against raw exports gave (what the playground
/// shows): the file's diagnostics and findings, or the exports that could
/// not be read.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The file's own diagnostics, then the findings, by position.
    pub diagnostics: Vec<Diagnostic>,
    pub unreadable: Vec<UnreadableExport>,
}

/// Analyzes the source, reads the exports and verifies: the whole of
/// `irsa verify` but `--live`. Findings need a file without errors.
pub fn verify_source(
    source: &str,
    aws: &[RawExport<'_>],
    kubernetes: &[RawExport<'_>],
) -> Verification {
    let analysis = crate::analyze(source);
    let Some(install) = analysis.install else {
        return Verification {
            diagnostics: analysis.diagnostics,
            unreadable: Vec::new(),
        };
    };
    match Exports::read(aws, kubernetes) {
        Ok(exports) => Verification {
            diagnostics: with_findings(analysis.diagnostics, &install, &exports),
            unreadable: Vec::new(),
        },
        Err(unreadable) => Verification {
            diagnostics: analysis.diagnostics,
            unreadable,
        },
    }
}

/// The file's diagnostics and the findings, ordered by position.
pub fn with_findings(
    mut diagnostics: Vec<Diagnostic>,
    install: &Install,
    exports: &Exports,
) -> Vec<Diagnostic> {
    diagnostics.extend(verify(install, exports));
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    diagnostics
}

/// The findings of comparing an install with the exports, ordered by
/// their place in the file.
pub fn verify(install: &Install, exports: &Exports) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let cluster = cluster::check(install, exports, &mut findings);
    trust::check(install, exports, &cluster, &mut findings);
    cluster::check_associations(install, exports, &mut findings);
    kubernetes::check(install, exports, &mut findings);
    findings.sort_by_key(|d| (d.span.start, d.span.end));
    findings
}

/// "EXPORT: PATH", the note that says where an export contradicts the file.
fn at(export: &str, path: &str) -> String {
    if path.is_empty() {
        export.to_owned()
    } else {
        format!("{export}: {path}")
    }
}

/// A JSON path member: `.name`, or `."a/b"` when it is not a plain word.
fn member(path: &str, name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let name = if plain {
        name.to_owned()
    } else {
        format!("{name:?}")
    };
    if path.is_empty() {
        name
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests;

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
mod requests;
mod trust;

use crate::diagnostics::{Code, Diagnostic};
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

/// The findings of comparing an install with the exports, ordered by
/// their place in the file.
pub fn verify(install: &Install, exports: &Exports) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    let issuer = cluster::check(install, exports, &mut findings);
    trust::check(install, exports, issuer.as_ref(), &mut findings);
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

fn finding(code: Code, span: std::ops::Range<usize>, message: String) -> Diagnostic {
    Diagnostic::new(code, span, message)
}

#[cfg(test)]
mod tests;

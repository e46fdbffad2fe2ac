//! Go to definition: from a binding's `as SA` to the binding that generates
//! that ServiceAccount (the first one that gives it a role), and from a
//! binding's role (a short name or an ARN) to the `role` statement that
//! declares it.

use std::ops::Range;

use super::{Document, touches};
use crate::syntax::{LineKind, Statement};

/// The span of what defines the name at a byte offset: the ServiceAccount
/// name (`as SA`, or the target its name is derived from) in the binding
/// that generates it, or the role of the `role` statement.
pub fn definition(source: &str, offset: usize) -> Option<Range<usize>> {
    let document = Document::new(source);
    let (_, line) = document.line_at(offset)?;
    let install = document.install.as_ref()?;
    let LineKind::Statement(statement) = &line.kind else {
        return None;
    };
    let (role, account) = match statement {
        Statement::Service(binding) => (binding.role.as_ref(), binding.service_account.as_ref()),
        Statement::Role { role, .. } => (Some(role), None),
        _ => return None,
    };
    if let Some(account) = account.filter(|a| touches(&a.span, offset)) {
        return install
            .service_accounts
            .iter()
            .find(|a| a.name == account.text)
            .map(|a| a.name_span.clone());
    }
    let word = role.filter(|r| touches(&r.span, offset))?;
    let role = document.role(&word.text, &word.span)?;
    install
        .managed_role(&role)
        .map(|managed| managed.role.span.clone())
}

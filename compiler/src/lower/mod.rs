//! Lowering: the syntax tree → the IR. A resolver: it reads each statement,
//! hands every value to its checker in [`crate::validate`] (which returns
//! the typed value or a diagnostic), merges `defaults` into blocks, derives
//! ServiceAccount names, expands short role names, merges bindings that
//! share a ServiceAccount and builds trust policies. The IR holds meaning
//! only: file names and layouts are emission's.
//!
//! - [`header`]: the statements that appear once (`spinnaker`, `namespace`, …).
//! - [`settings`]: the settings of a block (`defaults` or a binding's).
//! - [`bindings`]: `service` lines → ServiceAccounts and `service-settings`.
//! - [`roles`]: `role` statements → the roles managed as code.
//! - [`trust`]: trust policies and Pod Identity associations.

mod bindings;
mod header;
mod roles;
mod settings;
mod trust;

use std::collections::HashMap;

use crate::diagnostics::Diagnostic;
use crate::ir::Install;
use crate::syntax::{LineKind, Setting, SyntaxTree};
use crate::validate::Armory;

/// The ServiceAccount name base without `naming`.
pub const DEFAULT_NAMING: &str = "spin-sa";
pub const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";
/// The `service-settings` key of `*`.
pub const GLOBAL_KEY: &str = "spinnaker";

/// The result of lowering: the installation (when the file had at least the
/// shape of one) and what `armory` said, for validation.
#[derive(Debug)]
pub struct Lowered {
    pub install: Install,
    pub armory: Option<Armory>,
}

pub fn lower(tree: &SyntaxTree) -> (Lowered, Vec<Diagnostic>) {
    let mut cx = Context::new(tree);
    let header = header::resolve(&mut cx);
    let defaults = settings::defaults(&mut cx);
    let managed_roles = roles::declared(&mut cx, &header);
    let resolved = bindings::resolve(&mut cx, &header, &defaults);
    roles::check_use(
        &mut cx,
        &managed_roles,
        &resolved.service_accounts,
        &resolved.named_roles,
    );
    let trust_policies = trust::trust_policies(&mut cx, &header, &resolved.service_accounts);
    let associations = trust::associations(&header, &resolved.service_accounts);
    let lowered = Lowered {
        install: Install {
            name: header.name,
            namespace: header.namespace,
            operator: header.operator,
            oidc: header.oidc,
            cluster: header.cluster,
            region: header.region,
            service_accounts: resolved.service_accounts,
            service_settings: resolved.service_settings,
            trust_policies,
            managed_roles,
            associations,
        },
        armory: header.armory,
    };
    (lowered, cx.diagnostics)
}

/// What every part of lowering reads and reports into.
struct Context<'t> {
    tree: &'t SyntaxTree,
    /// Each block's settings, by the index of the line that opened it: one
    /// pass over the lines, not one per block.
    settings_by_owner: HashMap<usize, Vec<&'t Setting>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'t> Context<'t> {
    fn new(tree: &'t SyntaxTree) -> Self {
        let mut settings_by_owner: HashMap<usize, Vec<&'t Setting>> = HashMap::new();
        for line in &tree.lines {
            if let LineKind::Setting(setting) = &line.kind
                && let Some(owner) = setting.owner
            {
                settings_by_owner.entry(owner).or_default().push(setting);
            }
        }
        Context {
            tree,
            settings_by_owner,
            diagnostics: Vec::new(),
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The value of a checker's result; its diagnostic is reported.
    fn check<T>(&mut self, result: Result<T, Diagnostic>) -> Option<T> {
        result.map_err(|diagnostic| self.report(diagnostic)).ok()
    }

    /// Whether a line of this statement had a syntax error: then later
    /// stages stay quiet about what it would have said.
    fn statement_broken(&self, keyword: &str) -> bool {
        self.tree.invalid_statements.contains(&keyword)
    }

    /// The settings of the block opened by line `owner`.
    fn settings_of(&self, owner: usize) -> &[&'t Setting] {
        self.settings_by_owner
            .get(&owner)
            .map_or(&[], Vec::as_slice)
    }
}

//! Validation: the rules of LANGUAGE.md section 6. [`values`] checks each
//! value where it is written (lowering calls it); [`validate`] checks the
//! resolved installation as a whole. Nothing here depends on emission: a
//! policy's size is measured on the policy model ([`crate::policy`]).

mod values;

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Install, Operator, Role};
use crate::language::IamForm;
use crate::policy;

pub use values::*;

/// Checks of the installation as a whole, after lowering.
pub fn validate(install: &Install, armory: Option<&Armory>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if let Some(armory) = armory
        && install.operator.value == Operator::Oss
    {
        diagnostics.push(
                Diagnostic::new(
                    Code::ArmoryWithOss,
                    armory.span.clone(),
                    "`armory` names an Armory Enterprise version, but the operator is the open-source one",
                )
                .with_span_label("Armory Enterprise version")
                .with_label(install.operator.span.clone(), "open-source operator chosen here")
                .with_help("remove `armory`, or use `operator armory`"),
            );
    }
    check_role_names(install, &mut diagnostics);
    check_roles_per_service_account(install, &mut diagnostics);
    for policy in &install.trust_policies {
        let size = policy::compact_len(&policy::trust_policy(policy));
        if size > TRUST_POLICY_QUOTA {
            diagnostics.push(
                Diagnostic::new(
                    Code::TrustPolicyTooLarge,
                    policy.role.span.clone(),
                    format!(
                        "the trust policy of `{}` is {size} characters; IAM's default quota is {TRUST_POLICY_QUOTA}",
                        policy.role.name
                    ),
                )
                .with_span_label("this role's trust policy")
                .with_help("bind fewer ServiceAccounts to this role, or ask AWS to raise the quota (up to 4096)"),
            );
        }
    }
    diagnostics
}

/// What `--iam FORM` needs beyond the language's own rules: a Crossplane
/// `PodIdentityAssociation` requires its region.
pub fn for_iam_form(install: &Install, form: IamForm) -> Vec<Diagnostic> {
    if form != IamForm::Crossplane || install.region.is_some() {
        return Vec::new();
    }
    let Some(association) = install.associations.first() else {
        return Vec::new();
    };
    let span = install
        .service_accounts
        .iter()
        .find(|a| a.name == association.service_account)
        .map_or(0..0, |a| a.name_span.clone());
    vec![
        Diagnostic::new(
            Code::AssociationWithoutRegion,
            span,
            format!(
                "a Crossplane PodIdentityAssociation names its region, but the file gives none for `{}`",
                association.service_account
            ),
        )
        .with_span_label("Pod Identity for this ServiceAccount")
        .with_help("add `region REGION`, or an EKS `oidc` issuer (which names the region)"),
    ]
}

/// `armory VERSION`, for the whole-installation checks.
#[derive(Debug, Clone)]
pub struct Armory {
    pub span: Range<usize>,
}

/// IAM role names are unique in an account whatever their path, so one name
/// with two paths in one account cannot be two real roles.
fn check_role_names(install: &Install, diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, &str, String), &Role> = HashMap::new();
    let mut reported: Vec<&Role> = Vec::new();
    // Declared roles and bound roles, in the order they were written.
    let mut roles: Vec<&Role> = install
        .managed_roles
        .iter()
        .map(|m| &m.role)
        .chain(install.service_accounts.iter().map(|a| &a.role))
        .collect();
    roles.sort_by_key(|role| role.span.start);
    for role in roles {
        // IAM role names are unique without regard to case, too.
        let key = (
            role.partition.as_str(),
            role.account.as_str(),
            role.name.to_ascii_lowercase(),
        );
        match seen.get(&key) {
            // One report per spelling, not one per binding that repeats it.
            Some(first)
                if first.name != role.name && !reported.iter().any(|r| r.same_role(role)) =>
            {
                diagnostics.push(
                    Diagnostic::new(
                        Code::RoleNameReused,
                        role.span.clone(),
                        format!(
                            "account {} cannot have roles `{}` and `{}`: IAM role names are unique whatever their case",
                            role.account, first.name, role.name
                        ),
                    )
                    .with_span_label("the same role name in another case")
                    .with_label(first.span.clone(), "first given here")
                    .with_help(format!("write `{}` as before (these are one IAM role), or name another role", first.name)),
                );
                reported.push(role);
            }
            Some(first) if first.path != role.path => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::RoleNameReused,
                        role.span.clone(),
                        format!(
                            "account {} has one role named `{}`, but it is given here with the path `{}` and before with `{}`",
                            role.account, role.name, role.path, first.path
                        ),
                    )
                    .with_span_label("a second path")
                    .with_label(first.span.clone(), "first given here")
                    .with_help("IAM role names are unique in an account whatever their path: use one path"),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(key, role);
            }
        }
    }
}

fn check_roles_per_service_account(install: &Install, diagnostics: &mut Vec<Diagnostic>) {
    let mut by_role: Vec<(&Role, Vec<&crate::ir::ServiceAccount>)> = Vec::new();
    for account in &install.service_accounts {
        match by_role
            .iter_mut()
            .find(|(role, _)| role.same_role(&account.role))
        {
            Some((_, accounts)) => accounts.push(account),
            None => by_role.push((&account.role, vec![account])),
        }
    }
    for (role, accounts) in by_role {
        if let (Some(first), Some(fifth)) = (
            accounts.first(),
            accounts.get(MAX_SERVICE_ACCOUNTS_PER_ROLE),
        ) {
            let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
            diagnostics.push(
                Diagnostic::new(
                    Code::RoleOnManyServiceAccounts,
                    fifth.role.span.clone(),
                    format!(
                        "the role `{}` is bound to {} ServiceAccounts: {}",
                        role.arn(),
                        accounts.len(),
                        names.join(", ")
                    ),
                )
                .with_span_label("a fifth ServiceAccount for this role")
                .with_label(first.role.span.clone(), "first bound here")
                .with_help("give these services one shared ServiceAccount with `as NAME`, or split the role"),
            );
        }
    }
}

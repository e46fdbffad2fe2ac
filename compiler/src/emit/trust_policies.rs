//! `trust-policies/NAME.json`: one file per trust policy, named after its
//! role. Emission owns the names; the IR only knows the roles.

use super::{OutputFile, TRUST_POLICY_DIR};
use crate::ir::{Role, TrustPolicy};
use crate::policy;

/// The trust-policy files, in the order of the policies.
pub(super) fn files(policies: &[TrustPolicy]) -> Vec<OutputFile> {
    let roles: Vec<&Role> = policies.iter().map(|p| &p.role).collect();
    policies
        .iter()
        .map(|trust| OutputFile {
            path: format!("{TRUST_POLICY_DIR}/{}.json", file_stem(&trust.role, &roles)),
            content: policy::pretty(&policy::trust_policy(trust)),
        })
        .collect()
}

/// `NAME`; where roles share a name, `ACCOUNT-NAME`; where that is still
/// shared (one account number in two partitions), `PARTITION-ACCOUNT-NAME`.
pub fn file_stem(role: &Role, roles: &[&Role]) -> String {
    let shared =
        |same: &dyn Fn(&Role) -> bool| roles.iter().filter(|other| same(other)).count() > 1;
    if !shared(&|other| other.name == role.name) {
        role.name.clone()
    } else if !shared(&|other| other.account == role.account && other.name == role.name) {
        format!("{}-{}", role.account, role.name)
    } else {
        format!("{}-{}-{}", role.partition, role.account, role.name)
    }
}

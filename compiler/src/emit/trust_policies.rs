//! `trust-policies/NAME.json`: one file per trust policy, named after its
//! role. Emission owns the names; the IR only knows the roles.

use super::{OutputFile, TRUST_POLICY_DIR};
use crate::ir::{Role, TrustPolicy};
use crate::policy;

/// The trust-policy files, in the order of the policies.
pub(super) fn files(policies: &[TrustPolicy]) -> Vec<OutputFile> {
    paths(policies)
        .into_iter()
        .zip(policies)
        .map(|(path, trust)| OutputFile {
            path,
            content: policy::pretty(&policy::trust_policy(trust)),
        })
        .collect()
}

/// `trust-policies/NAME.json` of each policy, in order (what `verify`'s
/// help names too).
pub fn paths(policies: &[TrustPolicy]) -> Vec<String> {
    let roles: Vec<&Role> = policies.iter().map(|p| &p.role).collect();
    let mut taken: Vec<String> = Vec::with_capacity(policies.len());
    policies
        .iter()
        .map(|trust| {
            // A name the rule gives twice (a role named `111111111111-x`
            // beside two roles `x`) gets `-2`, `-3`… in order.
            let stem = file_stem(&trust.role, &roles);
            let mut unique = stem.clone();
            let mut suffix = 2;
            while taken.iter().any(|t| t.eq_ignore_ascii_case(&unique)) {
                unique = format!("{stem}-{suffix}");
                suffix += 1;
            }
            taken.push(unique.clone());
            format!("{TRUST_POLICY_DIR}/{unique}.json")
        })
        .collect()
}

/// `NAME`; where roles share a name, `ACCOUNT-NAME`; where that is still
/// shared (one account number in two partitions), `PARTITION-ACCOUNT-NAME`.
pub fn file_stem(role: &Role, roles: &[&Role]) -> String {
    let shared =
        |same: &dyn Fn(&Role) -> bool| roles.iter().filter(|other| same(other)).count() > 1;
    // Case-insensitively: `Spin.json` and `spin.json` are one file on
    // macOS and Windows.
    let same_name = |other: &Role| other.name.eq_ignore_ascii_case(&role.name);
    if !shared(&|other| same_name(other)) {
        role.name.clone()
    } else if !shared(&|other| other.account == role.account && same_name(other)) {
        format!("{}-{}", role.account, role.name)
    } else {
        format!("{}-{}-{}", role.partition, role.account, role.name)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_role_gets_a_file_of_its_own() {
        let source = "namespace spinnaker\noidc oidc.eks.us-west-2.amazonaws.com/id/X\nservice * -> role arn:aws:iam::111111111111:role/x\nservice echo -> role arn:aws:iam::222222222222:role/x\nservice igor -> role arn:aws:iam::333333333333:role/111111111111-x\n";
        let output = crate::compile(source, crate::EmitOptions::default())
            .unwrap()
            .output
            .unwrap();
        let paths: Vec<&str> = output
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| p.starts_with("trust-policies/"))
            .collect();
        assert_eq!(
            paths,
            [
                "trust-policies/111111111111-x.json",
                "trust-policies/222222222222-x.json",
                "trust-policies/111111111111-x-2.json"
            ]
        );
    }
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

fn one(text: &str) -> ImportResult {
    import(&[ImportInput {
        name: "in.yaml",
        bytes: text.as_bytes(),
    }])
}

#[test]
fn smoke() {
    let result = one(
        "apiVersion: spinnaker.armory.io/v1alpha2\nkind: SpinnakerService\nmetadata:\n  name: spinnaker\nspec:\n  spinnakerConfig:\n    service-settings:\n      spinnaker:\n        kubernetes:\n          serviceAccountName: spin-sa\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: spin-sa\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/spinnaker\n",
    );
    assert_eq!(result.diagnostics, []);
    assert_eq!(
        result.source.unwrap(),
        "account 123456789012\n\nservice * -> role spinnaker\n"
    );
}

//! The CRD copies of `schemas/` and their loader: every CRD is there with
//! its source note, loads at its served version, compiles into a validator,
//! and that validator tells a valid object from an invalid one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use irsa_test_support::kubernetes::{Crd, crd_for, crds, schemas_dir, validator, validator_for};
use serde_json::{Value, json};

/// The CRDs whose objects irsa writes (or will: `--iam ack|crossplane`).
const EXPECTED: [(&str, &str, &str, &str); 7] = [
    (
        "eks.aws.upbound.io_podidentityassociations.yaml",
        "eks.aws.upbound.io/v1beta1",
        "PodIdentityAssociation",
        "Cluster",
    ),
    (
        "eks.services.k8s.aws_podidentityassociations.yaml",
        "eks.services.k8s.aws/v1alpha1",
        "PodIdentityAssociation",
        "Namespaced",
    ),
    (
        "iam.aws.upbound.io_rolepolicyattachments.yaml",
        "iam.aws.upbound.io/v1beta1",
        "RolePolicyAttachment",
        "Cluster",
    ),
    (
        "iam.aws.upbound.io_roles.yaml",
        "iam.aws.upbound.io/v1beta1",
        "Role",
        "Cluster",
    ),
    (
        "iam.services.k8s.aws_roles.yaml",
        "iam.services.k8s.aws/v1alpha1",
        "Role",
        "Namespaced",
    ),
    (
        "spinnaker.armory.io_spinnakerservices.yaml",
        "spinnaker.armory.io/v1alpha2",
        "SpinnakerService",
        "Namespaced",
    ),
    (
        "spinnaker.io_spinnakerservices.yaml",
        "spinnaker.io/v1alpha2",
        "SpinnakerService",
        "Namespaced",
    ),
];

#[test]
fn every_crd_is_there_with_its_source_and_loads_at_its_served_version() {
    let readme = std::fs::read_to_string(schemas_dir().join("README.md")).unwrap();
    let loaded = crds();
    let files: Vec<&str> = loaded.iter().map(|crd| crd.file.as_str()).collect();
    assert_eq!(
        files,
        EXPECTED.map(|(file, ..)| file),
        "the CRDs of schemas/"
    );
    for (crd, (file, api_version, kind, scope)) in loaded.iter().zip(EXPECTED) {
        assert_eq!(
            (
                crd.api_version().as_str(),
                crd.kind.as_str(),
                crd.scope.as_str()
            ),
            (api_version, kind, scope),
            "{file}"
        );
        let source = std::fs::read_to_string(schemas_dir().join(format!("{file}.source.txt")))
            .unwrap_or_else(|e| panic!("{file} has no source note: {e}"));
        assert!(
            source.contains("Verbatim copy"),
            "{file}: the note says where it comes from"
        );
        assert!(readme.contains(file), "schemas/README.md lists {file}");
        let by_type = crd_for(api_version, kind);
        assert_eq!(by_type.file, file);
        assert_eq!(by_type.schema, crd.schema);
        // Both ways give a compiled validator.
        let _ = validator(file);
        let _ = validator_for(api_version, kind);
    }
}

/// A minimal valid object of each CRD, and the same object broken.
fn valid_and_broken(crd: &Crd) -> (Value, Value) {
    let metadata = json!({ "name": "spinnaker" });
    let head = |spec: Value| {
        json!({
            "apiVersion": crd.api_version(),
            "kind": crd.kind,
            "metadata": metadata,
            "spec": spec,
        })
    };
    let (valid, broken) = match (crd.group.as_str(), crd.kind.as_str()) {
        (_, "SpinnakerService") => (
            json!({ "spinnakerConfig": { "service-settings": {
                "spinnaker": { "kubernetes": { "serviceAccountName": "spin-sa" } } } } }),
            json!({ "spinnakerConfig": "not an object" }),
        ),
        ("iam.services.k8s.aws", "Role") => (
            json!({ "name": "spinnaker", "assumeRolePolicyDocument": "{}" }),
            json!({ "name": "spinnaker" }),
        ),
        ("eks.services.k8s.aws", "PodIdentityAssociation") => (
            json!({ "clusterName": "prod", "namespace": "spinnaker",
                    "serviceAccount": "spin-sa", "roleARN": "arn:aws:iam::123456789012:role/r" }),
            json!({ "clusterName": "prod", "serviceAccount": "spin-sa" }),
        ),
        ("iam.aws.upbound.io", "Role") => (
            json!({ "forProvider": { "assumeRolePolicy": "{}", "path": "/" } }),
            json!({ "forProvider": { "maxSessionDuration": "an hour" } }),
        ),
        ("iam.aws.upbound.io", "RolePolicyAttachment") => (
            json!({ "forProvider": { "role": "spinnaker",
                    "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess" } }),
            json!({ "forProvider": { "role": 42 } }),
        ),
        ("eks.aws.upbound.io", "PodIdentityAssociation") => (
            json!({ "forProvider": { "region": "us-west-2", "clusterName": "prod",
                    "namespace": "spinnaker", "serviceAccount": "spin-sa",
                    "roleArn": "arn:aws:iam::123456789012:role/r" } }),
            json!({ "forProvider": { "clusterName": "prod" } }),
        ),
        other => panic!("no sample object for {other:?}"),
    };
    (head(valid), head(broken))
}

#[test]
fn each_validator_tells_a_valid_object_from_a_broken_one() {
    for crd in crds() {
        let (valid, broken) = valid_and_broken(&crd);
        assert_eq!(crd.problems(&valid), Vec::<String>::new(), "{}", crd.file);
        assert!(
            !crd.problems(&broken).is_empty(),
            "{}: a broken object passes",
            crd.file
        );
        let mut unknown = valid.clone();
        unknown["spec"]["noSuchField"] = json!("x");
        let problems = crd.problems(&unknown);
        assert!(
            problems.iter().any(|p| p.contains(".spec.noSuchField")),
            "{}: an unknown field is reported: {problems:?}",
            crd.file
        );
        let mut other_kind = valid.clone();
        other_kind["kind"] = json!("Secret");
        assert!(!crd.problems(&other_kind).is_empty(), "{}", crd.file);
    }
}

//! `verify_source` on small inline exports: what the CLI's data-driven
//! cases (tests/cases/verify) cannot see from outside.

use super::{RawExport, verify_source};
use crate::diagnostics::Code;

const FILE: &str = "namespace spinnaker\naccount 123456789012\noidc oidc.eks.us-west-2.amazonaws.com/id/X\n\nservice * -> role spinnaker\n";

fn role(condition: &str) -> String {
    format!(
        r#"{{"Role": {{"RoleName": "spinnaker", "Arn": "arn:aws:iam::123456789012:role/spinnaker", "AssumeRolePolicyDocument": {{"Statement": {{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/X"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {condition}}}}}}}}}"#
    )
}

fn codes(source: &str, aws: &str, kubernetes: &str) -> Vec<Code> {
    let aws = [RawExport {
        name: "aws.json",
        bytes: aws.as_bytes(),
    }];
    let kubernetes = [RawExport {
        name: "k8s.yaml",
        bytes: kubernetes.as_bytes(),
    }];
    let kubernetes: &[RawExport<'_>] = if kubernetes[0].bytes.is_empty() {
        &[]
    } else {
        &kubernetes
    };
    let verification = verify_source(source, &aws, kubernetes);
    assert!(
        verification.unreadable.is_empty(),
        "{:?}",
        verification.unreadable
    );
    verification.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn trust_conditions() {
    let sub = "oidc.eks.us-west-2.amazonaws.com/id/X:sub";
    let aud = "oidc.eks.us-west-2.amazonaws.com/id/X:aud";
    for (condition, expected) in [
        (
            format!(
                r#"{{"StringEquals": {{"{sub}": "system:serviceaccount:spinnaker:spin-sa", "{aud}": "sts.amazonaws.com"}}}}"#
            ),
            vec![],
        ),
        // `Statement` as one object, keys in another case: still right.
        (
            format!(
                r#"{{"StringEquals": {{"{}": "system:serviceaccount:spinnaker:spin-sa", "{aud}": "sts.amazonaws.com"}}}}"#,
                sub.to_uppercase()
            ),
            vec![],
        ),
        (
            format!(
                r#"{{"StringEquals": {{"{sub}": "system:serviceaccount:spinnaker:old", "{aud}": "sts.amazonaws.com"}}}}"#
            ),
            vec![Code::IrsaTrustRefused, Code::TrustTooBroad],
        ),
        (
            format!(
                r#"{{"StringLike": {{"{sub}": "system:serviceaccount:*", "{aud}": "sts.amazonaws.com"}}}}"#
            ),
            vec![Code::TrustTooBroad],
        ),
        (
            format!(
                r#"{{"StringEquals": {{"{sub}": "system:serviceaccount:spinnaker:spin-sa"}}}}"#
            ),
            vec![Code::TrustTooBroad],
        ),
        (
            format!(
                r#"{{"StringEquals": {{"{sub}": "system:serviceaccount:spinnaker:spin-sa", "{aud}": "sts.amazonaws.com"}}, "IpAddress": {{"aws:SourceIp": "10.0.0.0/8"}}}}"#
            ),
            vec![Code::TrustNotModelled],
        ),
    ] {
        assert_eq!(codes(FILE, &role(&condition), ""), expected, "{condition}");
    }
}

#[test]
fn a_wildcard_is_named_in_the_note() {
    let condition = r#"{"StringLike": {"oidc.eks.us-west-2.amazonaws.com/id/X:sub": "system:serviceaccount:spinnaker:*", "oidc.eks.us-west-2.amazonaws.com/id/X:aud": "sts.amazonaws.com"}}"#;
    let aws = role(condition);
    let verification = verify_source(
        FILE,
        &[RawExport {
            name: "aws.json",
            bytes: aws.as_bytes(),
        }],
        &[],
    );
    let [finding] = verification.diagnostics.as_slice() else {
        panic!("{:?}", verification.diagnostics);
    };
    assert_eq!(finding.code, Code::TrustTooBroad);
    assert_eq!(
        finding.notes,
        [
            "its `StringLike` `system:serviceaccount:spinnaker:*` on `oidc.eks.us-west-2.amazonaws.com/id/X:sub` admits whatever the wildcard matches (aws.json: Role.AssumeRolePolicyDocument.Statement.Condition.StringLike.\"oidc.eks.us-west-2.amazonaws.com/id/X:sub\")"
        ]
    );
}

#[test]
fn annotations_the_webhook_ignores() {
    let kubernetes = |annotations: &str| {
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: spin-sa\n  namespace: spinnaker\n  annotations:\n{annotations}"
        )
    };
    let arn = "arn:aws:iam::123456789012:role/spinnaker";
    let good = role(
        r#"{"StringEquals": {"oidc.eks.us-west-2.amazonaws.com/id/X:sub": "system:serviceaccount:spinnaker:spin-sa", "oidc.eks.us-west-2.amazonaws.com/id/X:aud": "sts.amazonaws.com"}}"#,
    );
    for (annotations, expected) in [
        (
            format!("    eks.amazonaws.com/role-arn: {arn}\n"),
            vec![Code::SpinnakerServiceMissing],
        ),
        (
            format!("    eks.amazon.com/role-arn: {arn}\n"),
            vec![Code::SpinnakerServiceMissing, Code::RoleAnnotationMisspelt],
        ),
        (
            format!("    Eks.Amazonaws.Com/Role-Arn: {arn}\n"),
            vec![Code::SpinnakerServiceMissing, Code::RoleAnnotationMisspelt],
        ),
        (
            format!("    eks.amazonaws.com/role_arn: {arn}\n"),
            vec![Code::SpinnakerServiceMissing, Code::RoleAnnotationMisspelt],
        ),
        // An annotation of someone else, not a misspelling: the role
        // annotation is just missing.
        (
            format!("    example.com/role: {arn}\n"),
            vec![Code::SpinnakerServiceMissing, Code::RoleAnnotationMissing],
        ),
        (
            format!(
                "    eks.amazonaws.com/role-arn: {arn}\n    eks.amazonaws.com/audience: other\n"
            ),
            vec![Code::SpinnakerServiceMissing, Code::AnnotationDiffers],
        ),
        // EKS annotations of other features are not misspellings.
        (
            format!(
                "    eks.amazonaws.com/role-arn: {arn}\n    eks.amazonaws.com/compute-type: ec2\n    eks.amazonaws.com/x: \"1\"\n    eks.amazonaws.com/role-arn-previous: {arn}\n"
            ),
            vec![Code::SpinnakerServiceMissing],
        ),
    ] {
        assert_eq!(
            codes(FILE, &good, &kubernetes(&annotations)),
            expected,
            "{annotations}"
        );
    }
}

#[test]
fn unreadable_exports_and_broken_files() {
    let bad = [
        RawExport {
            name: "a.json",
            bytes: b"{\"Roles\": [",
        },
        RawExport {
            name: "b.json",
            bytes: b"[]",
        },
    ];
    let verification = verify_source(
        FILE,
        &bad,
        &[RawExport {
            name: "k.yaml",
            bytes: b"a: [",
        }],
    );
    let names: Vec<&str> = verification
        .unreadable
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    // b.json (an empty list of exports) is read; the other two are not.
    assert_eq!(names, ["a.json", "k.yaml"]);
    assert!(verification.diagnostics.is_empty());
    let broken = verify_source("service * -> rol x\n", &bad, &[]);
    assert!(
        broken.unreadable.is_empty(),
        "a broken file stops before the exports"
    );
    assert!(
        broken
            .diagnostics
            .iter()
            .all(|d| d.code.as_str().starts_with('E'))
    );
}

/// The cluster ARN session tag is decided when the region is known (here
/// from the EKS issuer), and not modelled when it is not.
#[test]
fn pod_identity_cluster_arn() {
    let file = |region: &str| {
        format!(
            "namespace spinnaker\naccount 123456789012\ncluster prod\n{region}\nservice deck -> role spinnaker-deck {{\n  identity pod-identity\n}}\n"
        )
    };
    let role = |arn: &str| {
        format!(
            r#"{{"Roles": [{{"RoleName": "spinnaker-deck", "Arn": "arn:aws:iam::123456789012:role/spinnaker-deck", "AssumeRolePolicyDocument": {{"Statement": [{{"Effect": "Allow", "Principal": {{"Service": "pods.eks.amazonaws.com"}}, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {{"StringEquals": {{"aws:RequestTag/eks-cluster-arn": "{arn}", "aws:RequestTag/kubernetes-namespace": "spinnaker", "aws:RequestTag/kubernetes-service-account": "spin-sa-deck"}}}}}}]}}}}]}}"#
        )
    };
    let right = "arn:aws:eks:us-west-2:123456789012:cluster/prod";
    let wrong = "arn:aws:eks:eu-west-1:123456789012:cluster/prod";
    for (region, arn, expected) in [
        ("region us-west-2", right, vec![]),
        ("oidc oidc.eks.us-west-2.amazonaws.com/id/X", right, vec![]),
        (
            "region us-west-2",
            wrong,
            vec![Code::PodIdentityTrustRefused],
        ),
        ("", right, vec![Code::TrustNotModelled]),
    ] {
        assert_eq!(
            codes(&file(region), &role(arn), ""),
            expected,
            "{region} {arn}"
        );
    }
}

/// Without `oidc`, the file writes no trust policy: the help gives the
/// statement to write, with the cluster export's issuer.
#[test]
fn the_statement_to_write_when_the_file_writes_none() {
    let file =
        "namespace spinnaker\naccount 123456789012\ncluster prod\n\nservice * -> role spinnaker\n";
    let aws = format!(
        r#"[{{"cluster": {{"name": "prod", "identity": {{"oidc": {{"issuer": "https://oidc.eks.us-west-2.amazonaws.com/id/X"}}}}}}}}, {}]"#,
        role(
            r#"{"StringEquals": {"oidc.eks.us-west-2.amazonaws.com/id/X:sub": "system:serviceaccount:spinnaker:old"}}"#
        )
    );
    let verification = verify_source(
        file,
        &[RawExport {
            name: "aws.json",
            bytes: aws.as_bytes(),
        }],
        &[],
    );
    let refused = verification
        .diagnostics
        .iter()
        .find(|d| d.code == Code::IrsaTrustRefused)
        .unwrap_or_else(|| panic!("{:?}", verification.diagnostics));
    let help = refused.help.as_deref().unwrap_or_default();
    let (_, document) = help.split_once(": {").unwrap_or_else(|| panic!("{help}"));
    let document: serde_json::Value = serde_json::from_str(&format!("{{{document}")).unwrap();
    assert_eq!(
        document["Statement"][0]["Condition"]["StringEquals"]["oidc.eks.us-west-2.amazonaws.com/id/X:sub"],
        "system:serviceaccount:spinnaker:spin-sa"
    );
    assert_eq!(
        document["Statement"][0]["Principal"]["Federated"],
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/X"
    );
}

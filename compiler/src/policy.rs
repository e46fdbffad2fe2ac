//! IAM policy documents: the trust policy of LANGUAGE.md section 7, built
//! once from the IR ([`trust_policy`]) and rendered by every output form
//! (pretty JSON in `trust-policies/`, an object in CloudFormation, a compact
//! string elsewhere). Validation measures it here too, so nothing upstream
//! of emission depends on emission.

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::ir::{IrsaTrust, PodIdentityTrust, TrustPolicy};

pub const POLICY_VERSION: &str = "2012-10-17";
pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";
/// The service principal of EKS Pod Identity.
pub const POD_IDENTITY_PRINCIPAL: &str = "pods.eks.amazonaws.com";
/// What EKS Pod Identity does with a role: both are needed.
pub const POD_IDENTITY_ACTIONS: [&str; 2] = ["sts:AssumeRole", "sts:TagSession"];

/// A policy document: `Version` and its statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

/// One `Allow` statement with its principal, action and conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub effect: &'static str,
    pub principal: Principal,
    pub action: OneOrMany,
    pub condition: Condition,
}

/// `{"Federated": ARN}` or `{"Service": NAME}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Principal {
    Federated(String),
    Service(String),
}

/// A JSON value that IAM takes as a string or a list: one value is written
/// as a plain string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<String>);

impl Serialize for OneOrMany {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => serializer.serialize_str(one),
            many => many.serialize(serializer),
        }
    }
}

/// `{"StringEquals": {KEY: VALUES, …}}`, keys in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub string_equals: Vec<(String, OneOrMany)>,
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Entries<'a>(&'a [(String, OneOrMany)]);
        impl Serialize for Entries<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (key, values) in self.0 {
                    map.serialize_entry(key, values)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("StringEquals", &Entries(&self.string_equals))?;
        map.end()
    }
}

/// The trust policy of a role (section 7): the IRSA statement, then the
/// Pod Identity statement.
pub fn trust_policy(policy: &TrustPolicy) -> PolicyDocument {
    let statement = policy
        .irsa
        .iter()
        .map(irsa_statement)
        .chain(policy.pod_identity.iter().map(pod_identity_statement))
        .collect();
    PolicyDocument {
        version: POLICY_VERSION,
        statement,
    }
}

fn irsa_statement(irsa: &IrsaTrust) -> Statement {
    Statement {
        effect: "Allow",
        principal: Principal::Federated(irsa.provider_arn.clone()),
        action: OneOrMany(vec![WEB_IDENTITY_ACTION.to_owned()]),
        condition: Condition {
            string_equals: vec![
                (
                    format!("{}:sub", irsa.issuer),
                    OneOrMany(irsa.subjects.clone()),
                ),
                (
                    format!("{}:aud", irsa.issuer),
                    OneOrMany(irsa.audiences.clone()),
                ),
            ],
        },
    }
}

fn pod_identity_statement(trust: &PodIdentityTrust) -> Statement {
    let one = |value: &str| OneOrMany(vec![value.to_owned()]);
    Statement {
        effect: "Allow",
        principal: Principal::Service(POD_IDENTITY_PRINCIPAL.to_owned()),
        action: OneOrMany(POD_IDENTITY_ACTIONS.map(str::to_owned).to_vec()),
        condition: Condition {
            string_equals: vec![
                (
                    "aws:RequestTag/eks-cluster-name".to_owned(),
                    one(&trust.cluster),
                ),
                (
                    "aws:RequestTag/kubernetes-namespace".to_owned(),
                    one(&trust.namespace),
                ),
                (
                    "aws:RequestTag/kubernetes-service-account".to_owned(),
                    OneOrMany(trust.service_accounts.clone()),
                ),
            ],
        },
    }
}

/// The document without white space, as IAM stores it and as Terraform,
/// ACK and Crossplane take it.
pub fn compact(document: &PolicyDocument) -> String {
    // Serializing strings and maps into JSON cannot fail.
    serde_json::to_string(document).unwrap_or_default()
}

/// The document as written to `trust-policies/NAME.json`: two-space
/// indented, with a final newline.
pub fn pretty(document: &PolicyDocument) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}

/// The length in characters of the compact document (irsa's, or one read
/// from an export): what IAM counts against its quota. Serialized into a
/// counter, not into a string.
pub fn compact_len<T: Serialize + ?Sized>(document: &T) -> usize {
    struct CharCounter(usize);
    impl std::io::Write for CharCounter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            // A character counts once, at its first byte (continuation
            // bytes are 0x80..=0xBF).
            self.0 += bytes
                .iter()
                .filter(|&&b| !(0x80..=0xbf).contains(&b))
                .count();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = CharCounter(0);
    // Writing into the counter cannot fail.
    let _ = serde_json::to_writer(&mut counter, document);
    counter.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(issuer: &str, subjects: &[&str], audiences: &[&str]) -> TrustPolicy {
        let role = crate::ir::Role {
            partition: "aws".to_owned(),
            account: "123456789012".to_owned(),
            path: "/".to_owned(),
            name: "r".to_owned(),
            span: 0..0,
        };
        TrustPolicy {
            role,
            irsa: Some(IrsaTrust {
                provider_arn: format!("arn:aws:iam::123456789012:oidc-provider/{issuer}"),
                issuer: issuer.to_owned(),
                subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
                audiences: audiences.iter().map(|s| (*s).to_owned()).collect(),
            }),
            pod_identity: None,
        }
    }

    #[test]
    fn compact_length_counts_characters_of_the_compact_text() {
        let cases = [
            policy(
                "oidc.eks.us-west-2.amazonaws.com/id/X",
                &["system:serviceaccount:ns:a"],
                &["sts.amazonaws.com"],
            ),
            policy("h/p", &["a", "b", "c"], &["x", "y"]),
            policy("h/\"q\\", &["é\u{1}\n\t"], &["\u{8}\u{c}\r", "東京🚀"]),
        ];
        for case in &cases {
            let document = trust_policy(case);
            assert_eq!(
                compact_len(&document),
                compact(&document).chars().count(),
                "{case:?}"
            );
        }
    }

    #[test]
    fn one_value_is_a_string_and_several_a_list() {
        let document = trust_policy(&policy("h/p", &["a"], &["x", "y"]));
        assert_eq!(
            compact(&document),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/h/p"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"h/p:sub":"a","h/p:aud":["x","y"]}}}]}"#
        );
    }

    #[test]
    fn pod_identity_statement_follows_the_irsa_one() {
        let mut trust = policy(
            "h/p",
            &["system:serviceaccount:ns:a"],
            &["sts.amazonaws.com"],
        );
        trust.pod_identity = Some(PodIdentityTrust {
            cluster: "prod".to_owned(),
            namespace: "ns".to_owned(),
            service_accounts: vec!["a".to_owned(), "b".to_owned()],
        });
        let document: serde_json::Value =
            serde_json::from_str(&compact(&trust_policy(&trust))).unwrap();
        let statement = &document["Statement"][1];
        assert_eq!(statement["Principal"]["Service"], "pods.eks.amazonaws.com");
        assert_eq!(
            statement["Action"],
            serde_json::json!(["sts:AssumeRole", "sts:TagSession"])
        );
        let tags = &statement["Condition"]["StringEquals"];
        assert_eq!(tags["aws:RequestTag/eks-cluster-name"], "prod");
        assert_eq!(tags["aws:RequestTag/kubernetes-namespace"], "ns");
        assert_eq!(
            tags["aws:RequestTag/kubernetes-service-account"],
            serde_json::json!(["a", "b"])
        );
    }
}

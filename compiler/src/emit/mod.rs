//! Emission: the IR → Kubernetes YAML, the kustomization and IAM trust
//! policies. All YAML goes through [`emit_yaml`], so every string that a
//! YAML 1.1 reader would take for something else (`y`, `on`, `0123`,
//! `12:30`, `~`) comes out quoted.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ServiceAccount as K8sServiceAccount;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde::ser::SerializeMap;

use crate::ir::{Install, TrustPolicy};

pub const SERVICE_ACCOUNTS_FILE: &str = "serviceaccounts.yaml";
pub const SPINNAKER_SERVICE_FILE: &str = "spinnakerservice.yaml";
pub const KUSTOMIZATION_FILE: &str = "kustomization.yaml";
pub const TRUST_POLICY_DIR: &str = "trust-policies";

/// How to emit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmitOptions {
    /// Write `kustomization.yaml` as a kustomize `Component` that patches the
    /// user's own SpinnakerService instead of creating one.
    pub component: bool,
}

/// One file of `-o DIR`, by its path relative to `DIR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub content: String,
}

/// Everything one input compiles to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// What `irsa compile` prints: the Kubernetes objects as one YAML stream.
    pub stream: String,
    /// What `irsa compile -o DIR` writes, in a stable order.
    pub files: Vec<OutputFile>,
}

/// Serialization failed: a bug in irsa, never a problem of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitError(pub String);

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not serialize the output: {}", self.0)
    }
}

impl std::error::Error for EmitError {}

/// The one YAML serializer of irsa: serde-saphyr, which quotes every
/// ambiguous scalar (unlike serde_yaml, which prints `y` and `on` bare).
pub fn emit_yaml<T: Serialize>(value: &T) -> Result<String, EmitError> {
    // Our documents are a few hundred bytes: one allocation, not several
    // doublings.
    let mut yaml = String::with_capacity(512);
    serde_saphyr::to_fmt_writer(&mut yaml, value).map_err(|error| EmitError(error.to_string()))?;
    Ok(yaml)
}

/// Joins YAML documents into one stream.
fn yaml_stream(documents: &[String]) -> String {
    documents.join("---\n")
}

pub fn emit(install: &Install, options: EmitOptions) -> Result<Output, EmitError> {
    let service_accounts = install
        .service_accounts
        .iter()
        .map(|account| emit_yaml(&service_account(install, account)))
        .collect::<Result<Vec<_>, _>>()?;
    let spinnaker_service = emit_yaml(&SpinnakerService::new(install))?;

    let service_accounts = yaml_stream(&service_accounts);
    // The whole stream is the ServiceAccounts file followed by the
    // SpinnakerService, so it is built from those two, not serialized again.
    let stream = if service_accounts.is_empty() {
        spinnaker_service.clone()
    } else {
        [service_accounts.as_str(), &spinnaker_service].join("---\n")
    };

    let mut files = Vec::new();
    let mut resources = Vec::new();
    if !service_accounts.is_empty() {
        files.push(OutputFile {
            path: SERVICE_ACCOUNTS_FILE.to_owned(),
            content: service_accounts,
        });
        resources.push(SERVICE_ACCOUNTS_FILE);
    }
    files.push(OutputFile {
        path: SPINNAKER_SERVICE_FILE.to_owned(),
        content: spinnaker_service,
    });
    let kustomization = if options.component {
        emit_yaml(&Kustomization {
            api_version: "kustomize.config.k8s.io/v1alpha1",
            kind: "Component",
            resources,
            patches: vec![Patch {
                path: SPINNAKER_SERVICE_FILE,
                target: PatchTarget {
                    group: install.operator.value.group(),
                    kind: "SpinnakerService",
                },
            }],
        })?
    } else {
        resources.push(SPINNAKER_SERVICE_FILE);
        emit_yaml(&Kustomization {
            api_version: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources,
            patches: Vec::new(),
        })?
    };
    files.push(OutputFile {
        path: KUSTOMIZATION_FILE.to_owned(),
        content: kustomization,
    });
    for policy in &install.trust_policies {
        files.push(OutputFile {
            path: policy.path.clone(),
            content: trust_policy_pretty(policy),
        });
    }
    Ok(Output { stream, files })
}

fn service_account(install: &Install, account: &crate::ir::ServiceAccount) -> K8sServiceAccount {
    K8sServiceAccount {
        metadata: ObjectMeta {
            name: Some(account.name.clone()),
            namespace: install.namespace.as_ref().map(|n| n.value.clone()),
            annotations: Some(account.annotations.clone()),
            labels: Some(account.labels.clone()),
            ..ObjectMeta::default()
        },
        ..K8sServiceAccount::default()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpinnakerService<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    spec: Spec<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    spinnaker_config: SpinnakerConfig<'a>,
}

#[derive(Serialize)]
struct SpinnakerConfig<'a> {
    #[serde(rename = "service-settings")]
    service_settings: ServiceSettings<'a>,
}

/// `service-settings` in the order of LANGUAGE.md section 8 (a map whose
/// order is not sorted, hence by hand).
struct ServiceSettings<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for ServiceSettings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (service, account) in &self.0 {
            let mut kubernetes = BTreeMap::new();
            kubernetes.insert("serviceAccountName", *account);
            let mut settings = BTreeMap::new();
            settings.insert("kubernetes", kubernetes);
            map.serialize_entry(service, &settings)?;
        }
        map.end()
    }
}

impl<'a> SpinnakerService<'a> {
    fn new(install: &'a Install) -> Self {
        SpinnakerService {
            api_version: install.operator.value.api_version(),
            kind: "SpinnakerService",
            metadata: Metadata {
                name: &install.name.value,
                namespace: install.namespace.as_ref().map(|n| n.value.as_str()),
            },
            spec: Spec {
                spinnaker_config: SpinnakerConfig {
                    service_settings: ServiceSettings(
                        install
                            .service_settings
                            .iter()
                            .map(|s| (s.key.as_str(), s.service_account.as_str()))
                            .collect(),
                    ),
                },
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Kustomization {
    api_version: &'static str,
    kind: &'static str,
    resources: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    patches: Vec<Patch>,
}

#[derive(Serialize)]
struct Patch {
    path: &'static str,
    target: PatchTarget,
}

#[derive(Serialize)]
struct PatchTarget {
    group: &'static str,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyDocument<'a> {
    version: &'static str,
    statement: [PolicyStatement<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyStatement<'a> {
    effect: &'static str,
    principal: Principal<'a>,
    action: &'static str,
    condition: Condition<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Principal<'a> {
    federated: &'a str,
}

#[derive(Serialize)]
struct Condition<'a> {
    #[serde(rename = "StringEquals")]
    string_equals: StringEquals<'a>,
}

/// `ISSUER:sub` then `ISSUER:aud`; one value is a plain string.
struct StringEquals<'a>(&'a TrustPolicy);

impl Serialize for StringEquals<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let policy = self.0;
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(
            &format!("{}:sub", policy.issuer),
            &OneOrMany(&policy.subjects),
        )?;
        map.serialize_entry(
            &format!("{}:aud", policy.issuer),
            &OneOrMany(&policy.audiences),
        )?;
        map.end()
    }
}

struct OneOrMany<'a>(&'a [String]);

impl Serialize for OneOrMany<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            [one] => serializer.serialize_str(one),
            many => many.serialize(serializer),
        }
    }
}

fn policy_document(policy: &TrustPolicy) -> PolicyDocument<'_> {
    PolicyDocument {
        version: "2012-10-17",
        statement: [PolicyStatement {
            effect: "Allow",
            principal: Principal {
                federated: &policy.provider_arn,
            },
            action: "sts:AssumeRoleWithWebIdentity",
            condition: Condition {
                string_equals: StringEquals(policy),
            },
        }],
    }
}

/// The trust policy as written to its file: two-space indented JSON.
pub fn trust_policy_pretty(policy: &TrustPolicy) -> String {
    // Serializing strings into JSON cannot fail.
    let mut text = serde_json::to_string_pretty(&policy_document(policy)).unwrap_or_default();
    text.push('\n');
    text
}

/// The length in characters of the trust policy without white space (what
/// IAM counts against its quota), computed without serializing (the
/// document's shape is fixed; only its strings vary), so that checking the
/// quota costs no second serialization.
pub fn trust_policy_compact_len(policy: &TrustPolicy) -> usize {
    // `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":
    // {"Federated":` … `},"Action":"sts:AssumeRoleWithWebIdentity",
    // "Condition":{"StringEquals":{` … `:` … `,` … `:` … `}}}]}`
    const SKELETON: usize = 160;
    let values = |items: &[String]| match items {
        [one] => json_string_len(one),
        many => {
            2 + many.iter().map(|s| json_string_len(s)).sum::<usize>()
                + many.len().saturating_sub(1)
        }
    };
    SKELETON
        + json_string_len(&policy.provider_arn)
        + 2 * json_string_len(&policy.issuer)
        + ":sub".len()
        + ":aud".len()
        + values(&policy.subjects)
        + values(&policy.audiences)
}

/// Characters of a string once serde_json has quoted and escaped it.
fn json_string_len(text: &str) -> usize {
    // Byte by byte: what needs escaping is ASCII, and a non-ASCII character
    // counts once, at its first byte (continuation bytes are 0x80..=0xBF).
    2 + text
        .bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\n' | b'\t' | b'\r' | 0x08 | 0x0c => 2,
            0x00..=0x1f => 6,
            0x80..=0xbf => 0,
            _ => 1,
        })
        .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The trust policy without white space, as IAM measures it.
    fn trust_policy_compact(policy: &TrustPolicy) -> String {
        serde_json::to_string(&policy_document(policy)).unwrap()
    }

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
            path: String::new(),
            provider_arn: format!("arn:aws:iam::123456789012:oidc-provider/{issuer}"),
            issuer: issuer.to_owned(),
            subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
            audiences: audiences.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn compact_length_is_the_serialized_length() {
        let cases = [
            policy(
                "oidc.eks.us-west-2.amazonaws.com/id/X",
                &["system:serviceaccount:ns:a"],
                &["sts.amazonaws.com"],
            ),
            policy("h/p", &["a", "b", "c"], &["x", "y"]),
            policy("h/\"q\\", &["é\u{1}\n\t"], &["\u{8}\u{c}\r", "東京🚀"]),
            policy("h/p", &[], &[""]),
        ];
        for case in &cases {
            assert_eq!(
                trust_policy_compact_len(case),
                trust_policy_compact(case).chars().count(),
                "{case:?}"
            );
        }
    }
}

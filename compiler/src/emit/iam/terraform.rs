//! `--iam terraform`: `iam/main.tf.json`, in Terraform's JSON syntax
//! (LANGUAGE.md section 10). One `aws_iam_role` per managed role, one
//! `aws_iam_role_policy_attachment` per policy, one
//! `aws_eks_pod_identity_association` per Pod Identity ServiceAccount (its
//! `role_arn` a reference to the role's resource when irsa manages the role,
//! the literal ARN otherwise); no `provider` or `terraform` block (the
//! user's configuration has its own).
//!
//! Every JSON string in a `.tf.json` body is a Terraform string template, so
//! each literal goes through [`literal`] (`${` → `$${`, `%{` → `%%{`); the
//! trust policy is the compact document of [`crate::policy`], escaped alike.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeMap;

use super::{IamOutput, UniqueNames};
use crate::emit::{EmitError, OutputFile};
use crate::ir::{Association, Install, ManagedRole};
use crate::policy;

/// Where the file goes, relative to `-o DIR`.
pub const FILE: &str = "iam/main.tf.json";

pub(super) fn emit(install: &Install) -> Result<IamOutput, EmitError> {
    let mut role_labels = UniqueNames::hyphenated();
    let labelled: Vec<(String, &ManagedRole)> = install
        .managed_roles
        .iter()
        .map(|managed| (role_labels.unique(label(&managed.role.name)), managed))
        .collect();
    let resources = Resources {
        aws_iam_role: roles(install, &labelled)?,
        aws_iam_role_policy_attachment: attachments(&labelled),
        aws_eks_pod_identity_association: associations(&install.associations, &labelled),
    };
    // No managed role and no association: no file (an empty configuration
    // says nothing).
    if resources.is_empty() {
        return Ok(IamOutput::default());
    }
    let mut content = serde_json::to_string_pretty(&Configuration {
        resource: resources,
    })
    .map_err(|error| EmitError(error.to_string()))?;
    content.push('\n');
    Ok(IamOutput {
        documents: Vec::new(),
        files: vec![OutputFile {
            path: FILE.to_owned(),
            content,
        }],
    })
}

/// The root of `main.tf.json`.
#[derive(Serialize)]
struct Configuration {
    resource: Resources,
}

/// The `resource` block, by type: roles, their attachments, then the Pod
/// Identity associations, each in order of appearance.
#[derive(Serialize)]
struct Resources {
    #[serde(skip_serializing_if = "Blocks::is_empty")]
    aws_iam_role: Blocks<RoleBody>,
    #[serde(skip_serializing_if = "Blocks::is_empty")]
    aws_iam_role_policy_attachment: Blocks<AttachmentBody>,
    #[serde(skip_serializing_if = "Blocks::is_empty")]
    aws_eks_pod_identity_association: Blocks<AssociationBody>,
}

impl Resources {
    fn is_empty(&self) -> bool {
        self.aws_iam_role.is_empty()
            && self.aws_iam_role_policy_attachment.is_empty()
            && self.aws_eks_pod_identity_association.is_empty()
    }
}

/// Resource bodies by label, in the order given (a JSON object whose order
/// is not sorted, hence by hand, and never through `serde_json::Map`, whose
/// order depends on a cargo feature).
struct Blocks<T>(Vec<(String, T)>);

impl<T> Blocks<T> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Serialize> Serialize for Blocks<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (label, body) in &self.0 {
            map.serialize_entry(label, body)?;
        }
        map.end()
    }
}

/// An `aws_iam_role`. Every string is a template: see [`literal`].
#[derive(Serialize)]
struct RoleBody {
    name: String,
    path: String,
    assume_role_policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_session_duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: BTreeMap<String, String>,
}

/// An `aws_iam_role_policy_attachment`.
#[derive(Serialize)]
struct AttachmentBody {
    /// A reference to the role's resource: `${aws_iam_role.LABEL.name}`.
    role: String,
    policy_arn: String,
}

/// An `aws_eks_pod_identity_association`.
#[derive(Serialize)]
struct AssociationBody {
    cluster_name: String,
    namespace: String,
    service_account: String,
    /// `${aws_iam_role.LABEL.arn}` for a managed role, else the literal ARN.
    role_arn: String,
}

/// One `aws_iam_role` per managed role.
fn roles(
    install: &Install,
    labelled: &[(String, &ManagedRole)],
) -> Result<Blocks<RoleBody>, EmitError> {
    labelled
        .iter()
        .map(|(label, managed)| {
            let trust = super::trust_document(install, managed)?;
            let document = policy::compact(&trust);
            let body = RoleBody {
                name: literal(&managed.role.name),
                path: literal(&managed.role.path),
                assume_role_policy: literal(&document),
                description: managed.description.as_deref().map(literal),
                max_session_duration: managed.max_session,
                permissions_boundary: managed.boundary.as_deref().map(literal),
                tags: managed
                    .tags
                    .iter()
                    .map(|(key, value)| (literal(key), literal(value)))
                    .collect(),
            };
            Ok((label.clone(), body))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Blocks)
}

/// One `aws_iam_role_policy_attachment` per policy of each role, roles in
/// order, policies in the order written.
fn attachments(labelled: &[(String, &ManagedRole)]) -> Blocks<AttachmentBody> {
    let mut labels = UniqueNames::hyphenated();
    Blocks(
        labelled
            .iter()
            .flat_map(|(role_label, managed)| {
                managed.policies.iter().map(move |arn| (role_label, arn))
            })
            .map(|(role_label, arn)| {
                let label = labels.unique(attachment_label(role_label, arn));
                let body = AttachmentBody {
                    role: format!("${{aws_iam_role.{role_label}.name}}"),
                    policy_arn: literal(arn),
                };
                (label, body)
            })
            .collect(),
    )
}

/// One `aws_eks_pod_identity_association` per Pod Identity ServiceAccount,
/// in ServiceAccount order, labelled after the ServiceAccount.
fn associations(
    associations: &[Association],
    labelled: &[(String, &ManagedRole)],
) -> Blocks<AssociationBody> {
    let mut labels = UniqueNames::hyphenated();
    Blocks(
        associations
            .iter()
            .map(|association| {
                let role_arn = labelled
                    .iter()
                    .find(|(_, managed)| managed.role.same_role(&association.role))
                    .map_or_else(
                        || literal(&association.role.arn()),
                        |(role_label, _)| format!("${{aws_iam_role.{role_label}.arn}}"),
                    );
                let body = AssociationBody {
                    cluster_name: literal(&association.cluster),
                    namespace: literal(&association.namespace),
                    service_account: literal(&association.service_account),
                    role_arn,
                };
                (labels.unique(label(&association.service_account)), body)
            })
            .collect(),
    )
}

/// A string as a Terraform template that evaluates to exactly it: `${` is
/// written `$${` and `%{` is written `%%{`.
pub fn literal(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

/// A Terraform label from a name: `[A-Za-z0-9_-]` kept, every other
/// character `_`, then a leading `_` unless that starts with a letter or
/// `_`.
pub fn label(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if kept.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        kept
    } else {
        format!("_{kept}")
    }
}

/// An attachment's label: `ROLELABEL_POLICYLABEL`, the policy's label from
/// its name (after the last `/` of its ARN).
pub fn attachment_label(role_label: &str, policy_arn: &str) -> String {
    let name = policy_arn.rsplit('/').next().unwrap_or(policy_arn);
    label(&format!("{role_label}_{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Role;

    #[test]
    fn labels_keep_letters_digits_underscores_and_hyphens() {
        assert_eq!(label("spinnaker"), "spinnaker");
        assert_eq!(label("spin-front50_x"), "spin-front50_x");
        assert_eq!(label("a.b+c=d,e@f"), "a_b_c_d_e_f");
        assert_eq!(label("Upper"), "Upper");
        assert_eq!(label("é"), "_");
    }

    #[test]
    fn labels_start_with_a_letter_or_an_underscore() {
        assert_eq!(label("50front"), "_50front");
        assert_eq!(label("-x"), "_-x");
        assert_eq!(label(".x"), "_x");
        assert_eq!(label("_x"), "_x");
        assert_eq!(label(""), "_");
    }

    #[test]
    fn attachment_labels_take_the_policy_name_after_the_last_slash() {
        assert_eq!(
            attachment_label(
                "spinnaker",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
            ),
            "spinnaker_AmazonS3ReadOnlyAccess"
        );
        assert_eq!(
            attachment_label(
                "spinnaker",
                "arn:aws:iam::123456789012:policy/team/a/spin.front50@x"
            ),
            "spinnaker_spin_front50_x"
        );
        assert_eq!(attachment_label("_1", "p"), "_1_p");
    }

    #[test]
    fn colliding_labels_get_numbers_in_order_of_first_appearance() {
        let mut labels = UniqueNames::hyphenated();
        let got: Vec<String> = ["a.b", "a_b", "a-b", "a@b", "a_b-2", "a_b"]
            .iter()
            .map(|name| labels.unique(label(name)))
            .collect();
        assert_eq!(got, ["a_b", "a_b-2", "a-b", "a_b-3", "a_b-2-2", "a_b-4"]);
    }

    #[test]
    fn literals_escape_template_sequences() {
        assert_eq!(literal("plain $ % { }"), "plain $ % { }");
        assert_eq!(literal("${x} %{if y}"), "$${x} %%{if y}");
        assert_eq!(literal("$${x}"), "$$${x}");
        assert_eq!(literal("%%{x}"), "%%%{x}");
    }

    fn install() -> Install {
        let source = "namespace spinnaker\naccount 123456789012\n\
                      oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\n\
                      service * -> role spin.core\nservice front50 -> role spin-core\n\
                      service echo -> role other\n";
        let analysis = crate::analyze(source);
        assert!(
            analysis.diagnostics.is_empty(),
            "{:?}",
            analysis.diagnostics
        );
        let mut install = analysis.install.unwrap();
        let role = |name: &str| Role {
            partition: "aws".to_owned(),
            account: "123456789012".to_owned(),
            path: "/".to_owned(),
            name: name.to_owned(),
            span: 0..0,
        };
        let tags = BTreeMap::from([
            ("app.kubernetes.io/managed-by".to_owned(), "irsa".to_owned()),
            ("team".to_owned(), "platform".to_owned()),
        ]);
        install.managed_roles = vec![
            ManagedRole {
                role: role("spin.core"),
                policies: vec![
                    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".to_owned(),
                    "arn:aws:iam::123456789012:policy/team/AmazonS3ReadOnlyAccess".to_owned(),
                ],
                boundary: Some("arn:aws:iam::123456789012:policy/boundary".to_owned()),
                max_session: Some(7200),
                description: Some("costs ${cost} and %{if x}".to_owned()),
                tags: tags.clone(),
            },
            ManagedRole {
                role: role("spin-core"),
                policies: vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned()],
                boundary: None,
                max_session: None,
                description: None,
                tags,
            },
        ];
        install
    }

    fn config(install: &Install) -> serde_json::Value {
        let output = emit(install).unwrap();
        assert!(output.documents.is_empty());
        assert_eq!(output.files.len(), 1);
        let file = &output.files[0];
        assert_eq!(file.path, "iam/main.tf.json");
        assert!(file.content.ends_with("}\n"));
        assert!(
            file.content.contains("\n  \"resource\": {\n"),
            "two-space indent"
        );
        serde_json::from_str(&file.content).unwrap()
    }

    #[test]
    fn writes_roles_and_attachments() {
        let install = install();
        let config = config(&install);
        let trust = install
            .trust_policy_of(&install.managed_roles[0].role)
            .unwrap();
        let compact = policy::compact(&policy::trust_policy(trust));
        assert_eq!(
            config,
            serde_json::json!({
                "resource": {
                    "aws_iam_role": {
                        "spin_core": {
                            "name": "spin.core",
                            "path": "/",
                            "assume_role_policy": compact,
                            "description": "costs $${cost} and %%{if x}",
                            "max_session_duration": 7200,
                            "permissions_boundary": "arn:aws:iam::123456789012:policy/boundary",
                            "tags": {
                                "app.kubernetes.io/managed-by": "irsa",
                                "team": "platform"
                            }
                        },
                        "spin-core": {
                            "name": "spin-core",
                            "path": "/",
                            "assume_role_policy": policy::compact(&policy::trust_policy(
                                install.trust_policy_of(&install.managed_roles[1].role).unwrap()
                            )),
                            "tags": {
                                "app.kubernetes.io/managed-by": "irsa",
                                "team": "platform"
                            }
                        }
                    },
                    "aws_iam_role_policy_attachment": {
                        "spin_core_AmazonS3ReadOnlyAccess": {
                            "role": "${aws_iam_role.spin_core.name}",
                            "policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
                        },
                        "spin_core_AmazonS3ReadOnlyAccess-2": {
                            "role": "${aws_iam_role.spin_core.name}",
                            "policy_arn": "arn:aws:iam::123456789012:policy/team/AmazonS3ReadOnlyAccess"
                        },
                        "spin-core_ReadOnlyAccess": {
                            "role": "${aws_iam_role.spin-core.name}",
                            "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"
                        }
                    }
                }
            })
        );
    }

    #[test]
    fn resources_come_in_order_of_appearance() {
        let mut install = install();
        install.managed_roles.reverse();
        let output = emit(&install).unwrap();
        let content = &output.files[0].content;
        let at = |needle: &str| content.find(needle).unwrap();
        assert!(at("\"spin-core\": {") < at("\"spin_core\": {"));
        assert!(at("\"spin-core_ReadOnlyAccess\"") < at("\"spin_core_AmazonS3ReadOnlyAccess\""));
    }

    #[test]
    fn colliding_role_labels_get_numbers_and_attachments_follow_them() {
        let mut install = install();
        install.managed_roles[1].role.name = "spin@core".to_owned();
        install.managed_roles[1].role.path = "/x/".to_owned();
        // The trust policy of the renamed role: the one of the first.
        let mut trust = install.trust_policies[0].clone();
        trust.role = install.managed_roles[1].role.clone();
        install.trust_policies.push(trust);
        let config = config(&install);
        let roles = config["resource"]["aws_iam_role"].as_object().unwrap();
        assert!(roles.contains_key("spin_core") && roles.contains_key("spin_core-2"));
        assert_eq!(roles["spin_core-2"]["name"], "spin@core");
        assert_eq!(
            config["resource"]["aws_iam_role_policy_attachment"]["spin_core-2_ReadOnlyAccess"]["role"],
            "${aws_iam_role.spin_core-2.name}"
        );
    }

    #[test]
    fn no_attachments_no_attachment_block_and_no_roles_no_file() {
        let mut install = install();
        for managed in &mut install.managed_roles {
            managed.policies.clear();
        }
        let config = config(&install);
        assert!(
            config["resource"]
                .get("aws_iam_role_policy_attachment")
                .is_none()
        );
        install.managed_roles.clear();
        assert_eq!(emit(&install).unwrap(), IamOutput::default());
    }

    /// Pod Identity ServiceAccounts of a managed role (`spin.core`) and of
    /// an existing one (`spin-deck`).
    fn pod_identity_install() -> Install {
        let source = "namespace spinnaker\naccount 123456789012\ncluster prod\n\
                      oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\n\
                      role spin.core {\n  policy arn:aws:iam::aws:policy/ReadOnlyAccess\n}\n\
                      service * -> role spin.core\n\
                      service front50 -> role spin.core as spin.front50 {\n  identity both\n}\n\
                      service deck -> role spin-deck as 9deck {\n  identity pod-identity\n}\n";
        let analysis = crate::analyze(source);
        assert!(
            analysis.diagnostics.is_empty(),
            "{:?}",
            analysis.diagnostics
        );
        analysis.install.unwrap()
    }

    #[test]
    fn writes_one_association_per_pod_identity_service_account() {
        let install = pod_identity_install();
        let config = config(&install);
        assert_eq!(
            config["resource"]["aws_eks_pod_identity_association"],
            serde_json::json!({
                "spin_front50": {
                    "cluster_name": "prod",
                    "namespace": "spinnaker",
                    "service_account": "spin.front50",
                    "role_arn": "${aws_iam_role.spin_core.arn}"
                },
                "_9deck": {
                    "cluster_name": "prod",
                    "namespace": "spinnaker",
                    "service_account": "9deck",
                    "role_arn": "arn:aws:iam::123456789012:role/spin-deck"
                }
            })
        );
        // Roles, attachments, then associations, in ServiceAccount order.
        let content = &emit(&install).unwrap().files[0].content;
        let at = |needle: &str| content.find(needle).unwrap();
        assert!(at("\"aws_iam_role\"") < at("\"aws_iam_role_policy_attachment\""));
        assert!(
            at("\"aws_iam_role_policy_attachment\"") < at("\"aws_eks_pod_identity_association\"")
        );
        assert!(at("\"spin_front50\": {") < at("\"_9deck\": {"));
    }

    #[test]
    fn associations_escape_literals_and_colliding_labels_get_numbers() {
        let mut install = pod_identity_install();
        let mut odd = install.associations[1].clone();
        odd.service_account = "9deck".to_owned();
        odd.role.name = "x${y}".to_owned();
        odd.cluster = "c%{z}".to_owned();
        install.associations.push(odd);
        let config = config(&install);
        let associations = &config["resource"]["aws_eks_pod_identity_association"];
        assert_eq!(
            associations["_9deck-2"]["role_arn"],
            "arn:aws:iam::123456789012:role/x$${y}"
        );
        assert_eq!(associations["_9deck-2"]["cluster_name"], "c%%{z}");
        assert_eq!(associations.as_object().unwrap().len(), 3);
    }

    #[test]
    fn associations_without_a_managed_role_still_make_a_file() {
        let mut install = pod_identity_install();
        install.managed_roles.clear();
        let config = config(&install);
        let resources = config["resource"].as_object().unwrap();
        assert_eq!(
            resources.keys().collect::<Vec<_>>(),
            ["aws_eks_pod_identity_association"]
        );
        assert_eq!(
            resources["aws_eks_pod_identity_association"]["spin_front50"]["role_arn"],
            "arn:aws:iam::123456789012:role/spin.core"
        );
    }

    #[test]
    fn a_managed_role_without_a_trust_policy_is_a_bug() {
        let mut install = install();
        install.trust_policies.clear();
        let error = emit(&install).unwrap_err();
        assert!(error.0.contains("spin.core"), "{error}");
    }
}

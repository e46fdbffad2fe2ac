//! `--iam cloudformation`: `iam/template.yaml`, an AWS CloudFormation
//! template (LANGUAGE.md section 10). One `AWS::IAM::Role` per managed role,
//! its trust policy as an object (the document of [`crate::policy`]), its
//! policies in `ManagedPolicyArns`, and one `Outputs` entry with its ARN;
//! then one `AWS::EKS::PodIdentityAssociation` per Pod Identity
//! ServiceAccount, its `RoleArn` the managed role's `Fn::GetAtt: [ID, Arn]`
//! or, for a role irsa does not manage, the literal ARN.
//!
//! Attachments are `ManagedPolicyArns` entries, one per `policy`: a
//! CloudFormation template has no resource type that attaches an existing
//! managed policy to a role (`AWS::IAM::ManagedPolicy` creates a policy,
//! `AWS::IAM::RolePolicy` is an inline one).
//!
//! Intrinsic functions are written long-form (`Fn::GetAtt: [ID, Arn]`),
//! never as `!` tags, so that any YAML reader takes the template.

use serde::Serialize;
use serde::ser::SerializeMap;

use super::{IamOutput, UniqueNames};
use crate::emit::{EmitError, OutputFile, emit_yaml};
use crate::ir::{Association, Install, ManagedRole};
use crate::policy::PolicyDocument;

/// Where the file goes, relative to `-o DIR`.
pub const FILE: &str = "iam/template.yaml";

/// The only template format version there is.
const FORMAT_VERSION: &str = "2010-09-09";

pub(super) fn emit(install: &Install) -> Result<IamOutput, EmitError> {
    let mut ids = UniqueNames::appended();
    let labelled: Vec<(String, &ManagedRole)> = install
        .managed_roles
        .iter()
        .map(|managed| (ids.unique(role_id(&managed.role.name)), managed))
        .collect();
    let mut resources = roles(install, &labelled)?;
    resources
        .0
        .extend(associations(&install.associations, &labelled, &mut ids));
    // No managed role and no association: no file (a template needs at
    // least one resource).
    if resources.is_empty() {
        return Ok(IamOutput::default());
    }
    let template = Template {
        aws_template_format_version: FORMAT_VERSION,
        resources,
        outputs: role_outputs(&labelled),
    };
    Ok(IamOutput {
        documents: Vec::new(),
        files: vec![OutputFile {
            path: FILE.to_owned(),
            content: emit_yaml(&template)?,
        }],
    })
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Template<'a> {
    #[serde(rename = "AWSTemplateFormatVersion")]
    aws_template_format_version: &'static str,
    resources: Entries<Resource<'a>>,
    #[serde(skip_serializing_if = "Entries::is_empty")]
    outputs: Entries<TemplateOutput>,
}

/// Entries by logical ID, in the order given (a map whose order is not
/// sorted, hence by hand).
struct Entries<T>(Vec<(String, T)>);

impl<T> Entries<T> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Serialize> Serialize for Entries<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, value) in &self.0 {
            map.serialize_entry(id, value)?;
        }
        map.end()
    }
}

/// A resource: `Type` and `Properties`.
#[derive(Serialize)]
#[serde(tag = "Type", content = "Properties")]
enum Resource<'a> {
    #[serde(rename = "AWS::IAM::Role")]
    Role(RoleProperties<'a>),
    #[serde(rename = "AWS::EKS::PodIdentityAssociation")]
    PodIdentityAssociation(AssociationProperties<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoleProperties<'a> {
    role_name: &'a str,
    path: &'a str,
    assume_role_policy_document: PolicyDocument,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_session_duration: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    managed_policy_arns: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<Tag<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AssociationProperties<'a> {
    cluster_name: &'a str,
    namespace: &'a str,
    service_account: &'a str,
    role_arn: RoleArn,
}

/// A managed role's ARN by reference, or an existing role's literal ARN.
#[derive(Serialize)]
#[serde(untagged)]
enum RoleArn {
    Reference(GetAtt),
    Literal(String),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Tag<'a> {
    key: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct TemplateOutput {
    value: GetAtt,
}

/// `Fn::GetAtt: [ID, ATTRIBUTE]`.
#[derive(Serialize)]
struct GetAtt {
    #[serde(rename = "Fn::GetAtt")]
    get_att: [String; 2],
}

/// One `AWS::IAM::Role` per managed role.
fn roles<'a>(
    install: &Install,
    labelled: &[(String, &'a ManagedRole)],
) -> Result<Entries<Resource<'a>>, EmitError> {
    labelled
        .iter()
        .map(|(id, managed)| {
            let trust = super::trust_document(install, managed)?;
            let properties = RoleProperties {
                role_name: &managed.role.name,
                path: &managed.role.path,
                assume_role_policy_document: trust,
                description: managed.description.as_deref(),
                max_session_duration: managed.max_session,
                permissions_boundary: managed.boundary.as_deref(),
                managed_policy_arns: managed.policies.iter().map(String::as_str).collect(),
                tags: managed
                    .tags
                    .iter()
                    .map(|(key, value)| Tag { key, value })
                    .collect(),
            };
            Ok((id.clone(), Resource::Role(properties)))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Entries)
}

/// One `AWS::EKS::PodIdentityAssociation` per Pod Identity ServiceAccount,
/// in ServiceAccount order, its ID from the ServiceAccount's name (unique
/// among all the template's IDs, the roles' included).
fn associations<'a>(
    associations: &'a [Association],
    labelled: &[(String, &ManagedRole)],
    ids: &mut UniqueNames,
) -> Vec<(String, Resource<'a>)> {
    associations
        .iter()
        .map(|association| {
            let role_arn = labelled
                .iter()
                .find(|(_, managed)| managed.role.same_role(&association.role))
                .map_or_else(
                    || RoleArn::Literal(association.role.arn()),
                    |(role_id, _)| {
                        RoleArn::Reference(GetAtt {
                            get_att: [role_id.clone(), "Arn".to_owned()],
                        })
                    },
                );
            let properties = AssociationProperties {
                cluster_name: &association.cluster,
                namespace: &association.namespace,
                service_account: &association.service_account,
                role_arn,
            };
            let id = ids.unique(association_id(&association.service_account));
            (id, Resource::PodIdentityAssociation(properties))
        })
        .collect()
}

/// Each role's ARN, as `ID` + `Arn`.
fn role_outputs(labelled: &[(String, &ManagedRole)]) -> Entries<TemplateOutput> {
    Entries(
        labelled
            .iter()
            .map(|(id, _)| {
                let output = TemplateOutput {
                    value: GetAtt {
                        get_att: [id.clone(), "Arn".to_owned()],
                    },
                };
                (output_id(id), output)
            })
            .collect(),
    )
}

/// A role's logical ID: `Role` + the letters and digits of its name.
pub fn role_id(name: &str) -> String {
    let mut id = String::from("Role");
    id.extend(name.chars().filter(char::is_ascii_alphanumeric));
    id
}

/// CloudFormation's limit on a logical ID, less room for a collision's
/// digits: a ServiceAccount name may be 253 characters long.
const MAX_ID_BASE: usize = 240;

/// An association's logical ID: `PodIdentity` + the letters and digits of
/// its ServiceAccount's name, cut to fit CloudFormation's 255 characters
/// (a cut name that collides gets `2`, `3`… like any other).
pub fn association_id(service_account: &str) -> String {
    let mut id = String::from("PodIdentity");
    let room = MAX_ID_BASE - id.len();
    id.extend(
        service_account
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(room),
    );
    id
}

/// The ID of the output that gives a resource's ARN.
pub fn output_id(id: &str) -> String {
    format!("{id}Arn")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::ir::Role;

    #[test]
    fn role_ids_keep_the_letters_and_digits_of_the_name() {
        assert_eq!(role_id("spinnaker"), "Rolespinnaker");
        assert_eq!(role_id("Spin-Front50_x.y+z=w,v@u"), "RoleSpinFront50xyzwvu");
        assert_eq!(role_id("é-_"), "Role");
        assert_eq!(output_id("Rolespinnaker"), "RolespinnakerArn");
    }

    #[test]
    fn colliding_ids_get_numbers_in_order_of_first_appearance() {
        let mut ids = UniqueNames::appended();
        let got: Vec<String> = ["a.b", "ab", "a-b", "A-b", "ab2", "a@b"]
            .iter()
            .map(|name| ids.unique(role_id(name)))
            .collect();
        assert_eq!(
            got,
            [
                "Roleab", "Roleab2", "Roleab3", "RoleAb", "Roleab22", "Roleab4"
            ]
        );
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
            ("team".to_owned(), "yes".to_owned()),
        ]);
        install.managed_roles = vec![
            ManagedRole {
                role: role("spin.core"),
                policies: vec![
                    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".to_owned(),
                    "arn:aws:iam::123456789012:policy/team/spin-front50".to_owned(),
                ],
                boundary: Some("arn:aws:iam::123456789012:policy/boundary".to_owned()),
                max_session: Some(7200),
                description: Some("Spinnaker core: ${x}".to_owned()),
                tags: tags.clone(),
            },
            ManagedRole {
                role: role("spin-core"),
                policies: Vec::new(),
                boundary: None,
                max_session: None,
                description: None,
                tags,
            },
        ];
        install
    }

    fn template(install: &Install) -> (String, serde_json::Value) {
        let output = emit(install).unwrap();
        assert!(output.documents.is_empty());
        assert_eq!(output.files.len(), 1);
        let file = &output.files[0];
        assert_eq!(file.path, "iam/template.yaml");
        let value = serde_saphyr::from_str(&file.content).unwrap();
        (file.content.clone(), value)
    }

    #[test]
    fn writes_roles_and_their_arns() {
        let install = install();
        let (text, template) = template(&install);
        let document = |index: usize| {
            serde_json::to_value(crate::policy::trust_policy(
                install
                    .trust_policy_of(&install.managed_roles[index].role)
                    .unwrap(),
            ))
            .unwrap()
        };
        assert_eq!(
            template,
            serde_json::json!({
                "AWSTemplateFormatVersion": "2010-09-09",
                "Resources": {
                    "Rolespincore": {
                        "Type": "AWS::IAM::Role",
                        "Properties": {
                            "RoleName": "spin.core",
                            "Path": "/",
                            "AssumeRolePolicyDocument": document(0),
                            "Description": "Spinnaker core: ${x}",
                            "MaxSessionDuration": 7200,
                            "PermissionsBoundary": "arn:aws:iam::123456789012:policy/boundary",
                            "ManagedPolicyArns": [
                                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                                "arn:aws:iam::123456789012:policy/team/spin-front50"
                            ],
                            "Tags": [
                                {"Key": "app.kubernetes.io/managed-by", "Value": "irsa"},
                                {"Key": "team", "Value": "yes"}
                            ]
                        }
                    },
                    "Rolespincore2": {
                        "Type": "AWS::IAM::Role",
                        "Properties": {
                            "RoleName": "spin-core",
                            "Path": "/",
                            "AssumeRolePolicyDocument": document(1),
                            "Tags": [
                                {"Key": "app.kubernetes.io/managed-by", "Value": "irsa"},
                                {"Key": "team", "Value": "yes"}
                            ]
                        }
                    }
                },
                "Outputs": {
                    "RolespincoreArn": {"Value": {"Fn::GetAtt": ["Rolespincore", "Arn"]}},
                    "Rolespincore2Arn": {"Value": {"Fn::GetAtt": ["Rolespincore2", "Arn"]}}
                }
            })
        );
        // Quoted where a YAML 1.1 reader would see a date or a bool; no tags.
        assert!(
            text.starts_with("AWSTemplateFormatVersion: \"2010-09-09\"\n"),
            "{text}"
        );
        assert!(text.contains("Value: \"yes\""), "{text}");
        assert!(!text.contains('!'), "{text}");
    }

    #[test]
    fn resources_and_outputs_come_in_order_of_appearance() {
        let mut install = install();
        install.managed_roles.reverse();
        let (text, _) = template(&install);
        let at = |needle: &str| text.find(needle).unwrap();
        assert!(at("  Rolespincore:") < at("  Rolespincore2:"));
        assert!(at("RoleName: spin-core") < at("RoleName: spin.core"));
        assert!(at("  RolespincoreArn:") < at("  Rolespincore2Arn:"));
    }

    #[test]
    fn no_roles_no_file() {
        let mut install = install();
        install.managed_roles.clear();
        assert_eq!(emit(&install).unwrap(), IamOutput::default());
    }

    #[test]
    fn association_ids_keep_the_letters_and_digits_of_the_service_account() {
        assert_eq!(association_id("spin.front50-x"), "PodIdentityspinfront50x");
        assert_eq!(association_id(""), "PodIdentity");
        let long = association_id(&"a".repeat(253));
        assert_eq!(long.len(), MAX_ID_BASE);
        let mut ids = UniqueNames::appended();
        let (first, second) = (ids.unique(long.clone()), ids.unique(long));
        assert!(first.len() <= 255 && second.len() <= 255 && first != second);
    }

    /// Pod Identity ServiceAccounts of a managed role (`spin.core`) and of
    /// an existing one (`spin-deck`), two of whose IDs collide.
    fn pod_identity_install() -> Install {
        let source = "namespace spinnaker\naccount 123456789012\ncluster prod\n\
                      oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\n\
                      role spin.core {\n  policy arn:aws:iam::aws:policy/ReadOnlyAccess\n}\n\
                      service * -> role spin.core\n\
                      service front50 -> role spin.core as spin.front50 {\n  identity both\n}\n\
                      service deck -> role spin-deck as spin-front50 {\n  identity pod-identity\n}\n";
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
        let (text, template) = template(&install);
        let resources = template["Resources"].as_object().unwrap();
        assert_eq!(resources.len(), 3);
        // The role, then the associations in ServiceAccount order.
        let at = |needle: &str| text.find(needle).unwrap();
        assert!(at("\n  Rolespincore:\n") < at("\n  PodIdentityspinfront50:\n"));
        assert!(at("\n  PodIdentityspinfront50:\n") < at("\n  PodIdentityspinfront502:\n"));
        assert_eq!(
            resources["PodIdentityspinfront50"],
            serde_json::json!({
                "Type": "AWS::EKS::PodIdentityAssociation",
                "Properties": {
                    "ClusterName": "prod",
                    "Namespace": "spinnaker",
                    "ServiceAccount": "spin.front50",
                    "RoleArn": {"Fn::GetAtt": ["Rolespincore", "Arn"]}
                }
            })
        );
        assert_eq!(
            resources["PodIdentityspinfront502"],
            serde_json::json!({
                "Type": "AWS::EKS::PodIdentityAssociation",
                "Properties": {
                    "ClusterName": "prod",
                    "Namespace": "spinnaker",
                    "ServiceAccount": "spin-front50",
                    "RoleArn": "arn:aws:iam::123456789012:role/spin-deck"
                }
            })
        );
        assert!(!text.contains('!'), "{text}");
    }

    #[test]
    fn associations_without_a_managed_role_still_make_a_template() {
        let mut install = pod_identity_install();
        install.managed_roles.clear();
        let (_, template) = template(&install);
        assert!(template.get("Outputs").is_none());
        let resources = template["Resources"].as_object().unwrap();
        assert_eq!(resources.len(), 2);
        assert_eq!(
            resources["PodIdentityspinfront50"]["Properties"]["RoleArn"],
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

//! The AWS CLI's JSON exports `verify` reads, recognised by their top-level
//! key (LANGUAGE.md section 12): `Role` (`aws iam get-role`), `Roles`
//! (`list-roles`), `cluster` (`aws eks describe-cluster`),
//! `OpenIDConnectProviderList` (`list-open-id-connect-providers`),
//! `association` / `associations` (`describe-` / `list-pod-identity-
//! associations`). A JSON list of such objects (`jq -s`) is read as each.

use serde::Deserialize;
use serde_json::Value;

use super::{ExportError, Position};

/// Everything read from one AWS export. `path` fields are JSON paths in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwsExport {
    pub roles: Vec<RoleRecord>,
    /// Whether a whole `list-roles` export was read: a role absent from it
    /// is missing (`get-role` exports only say something of their own
    /// role, and a truncated list nothing of what it lacks).
    pub lists_roles: bool,
    /// Roles known not to exist (`get-role` answered `NoSuchEntity`).
    pub missing_roles: Vec<String>,
    /// Whether a whole list of Pod Identity associations was read: an
    /// association absent from it does not exist.
    pub lists_associations: bool,
    pub clusters: Vec<ClusterRecord>,
    /// `None` when no `list-open-id-connect-providers` export was read.
    pub oidc_providers: Option<Vec<Record<String>>>,
    /// The account the provider list is of, when known (`--live` asks
    /// `sts get-caller-identity`); else it speaks for the accounts of the
    /// providers it shows.
    pub providers_account: Option<String>,
    pub associations: Vec<AssociationRecord>,
}

/// A value and where it is in its export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record<T> {
    pub value: T,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoleRecord {
    pub name: String,
    pub arn: String,
    /// `…AssumeRolePolicyDocument`'s JSON path.
    pub path: String,
    /// As exported: an object, or IAM's URL-encoded string.
    pub trust_policy: Option<Value>,
}

impl RoleRecord {
    /// The trust policy as JSON, URL-decoding IAM's raw form: an object is
    /// used as is; a string is parsed, percent-decoded first when it is
    /// encoded (`%7B…`).
    pub fn trust_policy(&self) -> Result<Value, String> {
        match &self.trust_policy {
            None => Err("the role has no `AssumeRolePolicyDocument`".to_owned()),
            Some(Value::String(text)) => {
                let trimmed = text.trim_start();
                let decoded;
                let json = if trimmed.starts_with('{') {
                    trimmed
                } else {
                    decoded = percent_decode(trimmed)?;
                    decoded.as_str()
                };
                serde_json::from_str(json).map_err(|e| {
                    format!("`AssumeRolePolicyDocument` is not a JSON policy document: {e}")
                })
            }
            Some(other) => Ok(other.clone()),
        }
    }
}

/// RFC 3986 percent-decoding (IAM's encoding of policy documents; `+` is
/// not a space there).
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    format!(
                        "`AssumeRolePolicyDocument` has a bad escape at character {}",
                        i + 1
                    )
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| "`AssumeRolePolicyDocument` decodes to invalid UTF-8".to_owned())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRecord {
    pub name: String,
    pub arn: Option<String>,
    /// `cluster.identity.oidc.issuer`, as exported (with `https://`).
    pub issuer: Option<String>,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationRecord {
    pub cluster: String,
    pub namespace: String,
    pub service_account: String,
    /// `None` in a `list-pod-identity-associations` export.
    pub role_arn: Option<String>,
    /// `associationId`, what `describe-pod-identity-association` takes.
    pub id: Option<String>,
    /// `disableSessionTags`: `Some(true)` when EKS sets no session tags;
    /// `None` when the export does not say (a list, or an AWS CLI older
    /// than the field).
    pub disable_session_tags: Option<bool>,
    /// Whether it has a session policy (`policy`), which EKS allows only
    /// with session tags disabled.
    pub session_policy: bool,
    pub path: String,
}

/// The top-level keys this reader knows, for the error that lists them.
pub const KNOWN_KEYS: [&str; 6] = [
    "Role",
    "Roles",
    "cluster",
    "OpenIDConnectProviderList",
    "association",
    "associations",
];

#[derive(Deserialize)]
struct TopLevel {
    #[serde(rename = "Role")]
    role: Option<RoleJson>,
    #[serde(rename = "Roles")]
    roles: Option<Vec<RoleJson>>,
    /// `list-roles` cut short (`--max-items`, `--no-paginate`).
    #[serde(rename = "IsTruncated", default)]
    is_truncated: bool,
    cluster: Option<ClusterJson>,
    #[serde(rename = "OpenIDConnectProviderList")]
    providers: Option<Vec<ProviderJson>>,
    association: Option<AssociationJson>,
    associations: Option<Vec<AssociationJson>>,
    /// `list-pod-identity-associations` cut short.
    #[serde(rename = "nextToken")]
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleJson {
    role_name: String,
    arn: String,
    assume_role_policy_document: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClusterJson {
    name: String,
    arn: Option<String>,
    identity: Option<IdentityJson>,
}

#[derive(Deserialize)]
struct IdentityJson {
    oidc: Option<OidcJson>,
}

#[derive(Deserialize)]
struct OidcJson {
    issuer: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProviderJson {
    arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssociationJson {
    cluster_name: String,
    namespace: String,
    service_account: String,
    role_arn: Option<String>,
    association_id: Option<String>,
    disable_session_tags: Option<bool>,
    policy: Option<String>,
}

/// Reads one AWS export (JSON). serde_json bounds nesting (128 levels).
pub fn read_aws(bytes: &[u8]) -> Result<AwsExport, ExportError> {
    let text = super::text(bytes)?;
    let located = |e: serde_json::Error| {
        ExportError::new(
            strip_position(&e.to_string()),
            Position {
                line: e.line(),
                column: e.column(),
            },
        )
    };
    let mut export = AwsExport::default();
    if text.trim_start().starts_with('[') {
        let list: Vec<TopLevel> = serde_json::from_str(text).map_err(located)?;
        for (i, top) in list.into_iter().enumerate() {
            add(&mut export, top, &format!("[{i}]"))?;
        }
    } else {
        let top: TopLevel = serde_json::from_str(text).map_err(located)?;
        add(&mut export, top, "")?;
    }
    Ok(export)
}

/// serde_json's message without its " at line L column C" (the position
/// is reported on its own).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message.get(..at).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}

fn add(export: &mut AwsExport, top: TopLevel, prefix: &str) -> Result<(), ExportError> {
    let at = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    let mut known = false;
    if let Some(role) = top.role {
        known = true;
        export.roles.push(role_record(role, &at("Role")));
    }
    if let Some(roles) = top.roles {
        known = true;
        export.lists_roles |= !top.is_truncated;
        let base = at("Roles");
        export.roles.extend(
            roles
                .into_iter()
                .enumerate()
                .map(|(i, role)| role_record(role, &format!("{base}[{i}]"))),
        );
    }
    if let Some(cluster) = top.cluster {
        known = true;
        export.clusters.push(ClusterRecord {
            name: cluster.name,
            arn: cluster.arn,
            issuer: cluster.identity.and_then(|i| i.oidc).and_then(|o| o.issuer),
            path: at("cluster"),
        });
    }
    if let Some(providers) = top.providers {
        known = true;
        let base = at("OpenIDConnectProviderList");
        export.oidc_providers.get_or_insert_with(Vec::new).extend(
            providers.into_iter().enumerate().map(|(i, p)| Record {
                value: p.arn,
                path: format!("{base}[{i}].Arn"),
            }),
        );
    }
    if let Some(association) = top.association {
        known = true;
        export
            .associations
            .push(association_record(association, at("association")));
    }
    if let Some(associations) = top.associations {
        known = true;
        export.lists_associations |= top.next_token.is_none();
        let base = at("associations");
        export.associations.extend(
            associations
                .into_iter()
                .enumerate()
                .map(|(i, a)| association_record(a, format!("{base}[{i}]"))),
        );
    }
    if known {
        Ok(())
    } else {
        Err(ExportError::new(
            format!(
                "{}not an AWS CLI export irsa reads: expected a top-level key {}",
                if prefix.is_empty() {
                    String::new()
                } else {
                    format!("{prefix}: ")
                },
                KNOWN_KEYS.map(|k| format!("`{k}`")).join(", ")
            ),
            Position { line: 1, column: 1 },
        ))
    }
}

fn role_record(role: RoleJson, path: &str) -> RoleRecord {
    RoleRecord {
        name: role.role_name,
        arn: role.arn,
        path: format!("{path}.AssumeRolePolicyDocument"),
        trust_policy: role.assume_role_policy_document,
    }
}

fn association_record(a: AssociationJson, path: String) -> AssociationRecord {
    AssociationRecord {
        cluster: a.cluster_name,
        namespace: a.namespace,
        service_account: a.service_account,
        role_arn: a.role_arn,
        id: a.association_id,
        disable_session_tags: a.disable_session_tags,
        session_policy: a.policy.is_some(),
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_role_with_an_object_and_list_roles_with_encoded_strings() {
        let get = br#"{"Role": {"Path": "/", "RoleName": "spin", "RoleId": "AROA", "Arn": "arn:aws:iam::111122223333:role/spin", "CreateDate": "2026-01-01T00:00:00Z", "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}}}"#;
        let export = read_aws(get).unwrap();
        assert!(!export.lists_roles);
        assert_eq!(export.roles[0].name, "spin");
        assert_eq!(export.roles[0].path, "Role.AssumeRolePolicyDocument");
        assert_eq!(
            export.roles[0].trust_policy().unwrap()["Version"],
            "2012-10-17"
        );

        let list = br#"{"Roles": [{"RoleName": "a", "Arn": "arn:aws:iam::1:role/a", "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"}, {"RoleName": "b", "Arn": "arn:aws:iam::1:role/b", "AssumeRolePolicyDocument": "{\"Statement\": []}"}], "IsTruncated": false}"#;
        let export = read_aws(list).unwrap();
        assert!(export.lists_roles);
        assert_eq!(export.roles[1].path, "Roles[1].AssumeRolePolicyDocument");
        assert_eq!(
            export.roles[0].trust_policy().unwrap()["Statement"],
            serde_json::json!([])
        );
        assert_eq!(
            export.roles[1].trust_policy().unwrap()["Statement"],
            serde_json::json!([])
        );
    }

    #[test]
    fn cluster_providers_and_associations() {
        let export = read_aws(br#"[
            {"cluster": {"name": "prod", "arn": "arn:aws:eks:us-east-1:1:cluster/prod", "identity": {"oidc": {"issuer": "https://oidc.eks.us-east-1.amazonaws.com/id/X"}}}},
            {"OpenIDConnectProviderList": [{"Arn": "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X"}]},
            {"association": {"clusterName": "prod", "namespace": "spinnaker", "serviceAccount": "spin-sa", "roleArn": "arn:aws:iam::1:role/a", "associationArn": "x", "associationId": "a-1", "disableSessionTags": true}},
            {"associations": [{"clusterName": "prod", "namespace": "spinnaker", "serviceAccount": "spin-sa-echo", "associationArn": "y", "associationId": "a-2"}]}
        ]"#).unwrap();
        assert_eq!(
            export.clusters[0].issuer.as_deref(),
            Some("https://oidc.eks.us-east-1.amazonaws.com/id/X")
        );
        assert_eq!(export.clusters[0].path, "[0].cluster");
        assert_eq!(
            export.oidc_providers.as_ref().unwrap()[0].path,
            "[1].OpenIDConnectProviderList[0].Arn"
        );
        assert_eq!(
            export.associations[0].role_arn.as_deref(),
            Some("arn:aws:iam::1:role/a")
        );
        assert_eq!(export.associations[1].role_arn, None);
        assert_eq!(export.associations[1].path, "[3].associations[0]");
        // A list does not say whether session tags are on.
        assert_eq!(export.associations[0].disable_session_tags, Some(true));
        assert_eq!(export.associations[1].disable_session_tags, None);
    }

    #[test]
    fn truncated_lists_do_not_prove_absence() {
        let whole = read_aws(br#"{"Roles": [], "IsTruncated": false}"#).unwrap();
        assert!(whole.lists_roles);
        let cut = read_aws(br#"{"Roles": [], "IsTruncated": true, "Marker": "AAAA"}"#).unwrap();
        assert!(!cut.lists_roles);
        let empty = read_aws(br#"{"associations": []}"#).unwrap();
        assert!(empty.lists_associations);
        let cut = read_aws(br#"{"associations": [], "nextToken": "x"}"#).unwrap();
        assert!(!cut.lists_associations);
        let one = read_aws(br#"{"association": {"clusterName": "c", "namespace": "n", "serviceAccount": "s", "roleArn": "r"}}"#).unwrap();
        assert!(
            !one.lists_associations,
            "a describe says nothing of the others"
        );
    }

    #[test]
    fn bad_exports_are_located_errors() {
        for (input, line, needle) in [
            (
                &b"{\"Roles\": [\n  {\"RoleName\": 3}]}"[..],
                2,
                "invalid type",
            ),
            (b"{\"Role\": {\"RoleName\": \"a\"", 1, "EOF"),
            (b"{\"Users\": []}", 1, "expected a top-level key `Role`"),
            (b"\n\n  \xff", 3, "UTF-8"),
            (b"", 1, "EOF"),
        ] {
            let error = read_aws(input).unwrap_err();
            assert!(error.message.contains(needle), "{error:?}");
            assert_eq!(error.position.line, line, "{error:?}");
        }
        let deep = format!(
            "{{\"Role\": {{\"RoleName\": \"a\", \"Arn\": \"b\", \"AssumeRolePolicyDocument\": {}{}}}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let error = read_aws(deep.as_bytes()).unwrap_err();
        assert!(error.message.contains("recursion limit"), "{error:?}");
        let big = vec![b' '; super::super::MAX_EXPORT_BYTES + 1];
        assert!(read_aws(&big).unwrap_err().message.contains("64 MiB"));
    }

    #[test]
    fn malformed_encoded_documents_are_errors() {
        for text in ["%7B%2", "%7B%ZZ", "%FF%FE", "not json"] {
            let role = RoleRecord {
                name: "a".into(),
                arn: "arn".into(),
                path: "Role".into(),
                trust_policy: Some(Value::String(text.into())),
            };
            assert!(role.trust_policy().is_err(), "{text}");
        }
    }
}

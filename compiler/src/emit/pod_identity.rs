//! `pod-identity/SA.json`: for each Pod Identity ServiceAccount, the input
//! of `aws eks create-pod-identity-association --cli-input-json file://…`
//! (LANGUAGE.md section 8), written when no `--iam` form carries the
//! associations.

use serde::Serialize;

use super::{EmitError, OutputFile, POD_IDENTITY_DIR};
use crate::ir::Association;

/// The request fields of `CreatePodIdentityAssociation`, as the AWS CLI
/// reads them from `--cli-input-json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreatePodIdentityAssociation<'a> {
    cluster_name: &'a str,
    namespace: &'a str,
    service_account: &'a str,
    role_arn: String,
}

pub(super) fn files(associations: &[Association]) -> Result<Vec<OutputFile>, EmitError> {
    associations
        .iter()
        .map(|association| {
            let request = CreatePodIdentityAssociation {
                cluster_name: &association.cluster,
                namespace: &association.namespace,
                service_account: &association.service_account,
                role_arn: association.role.arn(),
            };
            let mut content = serde_json::to_string_pretty(&request)
                .map_err(|error| EmitError(error.to_string()))?;
            content.push('\n');
            Ok(OutputFile {
                path: format!("{POD_IDENTITY_DIR}/{}.json", association.service_account),
                content,
            })
        })
        .collect()
}

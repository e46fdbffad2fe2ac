//! Roles managed as code (LANGUAGE.md section 10): `--iam FORM` renders the
//! managed roles, their policy attachments and (with Pod Identity) the
//! associations in the user's infrastructure-as-code tool. One module per
//! form, behind [`emit`]; each takes the trust policy from
//! [`crate::policy`] (built once) and derives its own resource names.
//!
//! - [`terraform`] writes `iam/main.tf.json` (Terraform JSON syntax).
//! - [`cloudformation`] writes `iam/template.yaml`.
//! - [`ack`] writes AWS Controllers for Kubernetes objects, in the stream.
//! - [`crossplane`] writes Crossplane AWS provider objects, in the stream.

mod ack;
mod cloudformation;
mod crossplane;
mod terraform;

use super::{EmitError, OutputFile};
use crate::ir::Install;
pub use crate::language::IamForm;
pub use cloudformation::FILE as CLOUDFORMATION_FILE;
pub use terraform::FILE as TERRAFORM_FILE;

/// What one form renders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamOutput {
    /// Kubernetes objects (ACK, Crossplane), one YAML document each: they
    /// lead the stream and make up `iam.yaml`.
    pub documents: Vec<String>,
    /// Files of `-o DIR` (Terraform, CloudFormation), by path.
    pub files: Vec<OutputFile>,
}

pub fn emit(install: &Install, form: IamForm) -> Result<IamOutput, EmitError> {
    match form {
        IamForm::Terraform => terraform::emit(install),
        IamForm::CloudFormation => cloudformation::emit(install),
        IamForm::Ack => ack::emit(install),
        IamForm::Crossplane => crossplane::emit(install),
    }
}

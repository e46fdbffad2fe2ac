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
//!
//! [`kube`] holds what ACK and Crossplane share: object names, metadata and
//! the documents as trees.

mod ack;
mod cloudformation;
mod crossplane;
mod kube;
mod terraform;

use super::{EmitError, OutputFile};
use crate::ir::{Install, ManagedRole};
pub use crate::language::IamForm;
use crate::policy::{self, PolicyDocument};
pub use cloudformation::FILE as CLOUDFORMATION_FILE;
pub use terraform::FILE as TERRAFORM_FILE;

/// The names of one kind of resource: a name already taken gets the
/// separator and `2`, `3`… (the first free number), in order of first
/// appearance, so the same input always gives the same names
/// (LANGUAGE.md section 10).
#[derive(Debug)]
pub struct UniqueNames {
    separator: &'static str,
    taken: std::collections::HashSet<String>,
}

impl UniqueNames {
    /// Terraform labels and Kubernetes names: `name-2`.
    pub fn hyphenated() -> Self {
        UniqueNames {
            separator: "-",
            taken: std::collections::HashSet::new(),
        }
    }

    /// CloudFormation logical IDs (letters and digits only): `Name2`.
    pub fn appended() -> Self {
        UniqueNames {
            separator: "",
            taken: std::collections::HashSet::new(),
        }
    }

    pub fn unique(&mut self, base: String) -> String {
        if self.taken.insert(base.clone()) {
            return base;
        }
        let mut n: u64 = 2;
        loop {
            let candidate = format!("{base}{}{n}", self.separator);
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// What one form renders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamOutput {
    /// Kubernetes objects (ACK, Crossplane), one YAML document each: they
    /// lead the stream and make up `iam.yaml`.
    pub documents: Vec<String>,
    /// Files of `-o DIR` (Terraform, CloudFormation), by path.
    pub files: Vec<OutputFile>,
}

/// The trust policy of a managed role (section 7), which every form
/// renders. Validation guarantees one (E086, E099): its absence is a bug.
fn trust_document(install: &Install, managed: &ManagedRole) -> Result<PolicyDocument, EmitError> {
    install
        .trust_policy_of(&managed.role)
        .map(policy::trust_policy)
        .ok_or_else(|| {
            EmitError(format!(
                "the managed role {} has no trust policy",
                managed.role.arn()
            ))
        })
}

pub fn emit(install: &Install, form: IamForm) -> Result<IamOutput, EmitError> {
    match form {
        IamForm::Terraform => terraform::emit(install),
        IamForm::CloudFormation => cloudformation::emit(install),
        IamForm::Ack => ack::emit(install),
        IamForm::Crossplane => crossplane::emit(install),
    }
}

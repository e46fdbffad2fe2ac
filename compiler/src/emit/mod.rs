//! Emission: the IR → the YAML stream and the `-o DIR` files. This module
//! owns every output path and the file layout; each output form is a module
//! of its own:
//!
//! - [`kubernetes`]: ServiceAccounts, the SpinnakerService, the kustomization.
//! - [`trust_policies`]: `trust-policies/NAME.json`, rendered from
//!   [`crate::policy`].
//! - [`pod_identity`]: `pod-identity/SA.json`, the associations' AWS CLI
//!   input (without `--iam`, whose forms carry the associations).
//!
//! All YAML goes through [`emit_yaml`], so every string that a YAML 1.1
//! reader would take for something else (`y`, `on`, `0123`, `12:30`, `~`)
//! comes out quoted.

pub mod iam;
mod kubernetes;
mod pod_identity;
pub mod trust_policies;

use serde::Serialize;

use crate::ir::Install;
pub use iam::IamForm;
use kubernetes::{Kustomization, Patch, PatchTarget, SpinnakerService};

pub const SERVICE_ACCOUNTS_FILE: &str = "serviceaccounts.yaml";
pub const SPINNAKER_SERVICE_FILE: &str = "spinnakerservice.yaml";
pub const KUSTOMIZATION_FILE: &str = "kustomization.yaml";
pub const TRUST_POLICY_DIR: &str = "trust-policies";
pub const POD_IDENTITY_DIR: &str = "pod-identity";
/// The ACK or Crossplane objects of `--iam ack|crossplane`.
pub const IAM_OBJECTS_FILE: &str = "iam.yaml";

/// Every file of `-o DIR` with a fixed name: what a drift check compares
/// and what a new compile may replace or remove.
pub const OWNED_FILES: [&str; 6] = [
    SERVICE_ACCOUNTS_FILE,
    SPINNAKER_SERVICE_FILE,
    KUSTOMIZATION_FILE,
    IAM_OBJECTS_FILE,
    iam::TERRAFORM_FILE,
    iam::CLOUDFORMATION_FILE,
];

/// The directories of `-o DIR` whose `.json` files irsa names.
pub const OWNED_DIRS: [&str; 2] = [TRUST_POLICY_DIR, POD_IDENTITY_DIR];

/// How to emit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmitOptions {
    /// Write `kustomization.yaml` as a kustomize `Component` that patches the
    /// user's own SpinnakerService instead of creating one.
    pub component: bool,
    /// Also write the managed roles (and associations) as infrastructure
    /// as code in this form (LANGUAGE.md section 10).
    pub iam: Option<IamForm>,
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
        .map(|account| emit_yaml(&kubernetes::service_account(install, account)))
        .collect::<Result<Vec<_>, _>>()?;
    let spinnaker_service = emit_yaml(&SpinnakerService::new(install))?;

    let service_accounts = yaml_stream(&service_accounts);
    let iam = match options.iam {
        Some(form) => iam::emit(install, form)?,
        None => iam::IamOutput::default(),
    };
    let iam_objects = yaml_stream(&iam.documents);
    // The whole stream is the IAM objects, the ServiceAccounts file and the
    // SpinnakerService, so it is built from those, not serialized again.
    let stream = [iam_objects.as_str(), &service_accounts, &spinnaker_service]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("---\n");

    let mut files = Vec::new();
    let mut resources = Vec::new();
    if !iam_objects.is_empty() {
        files.push(OutputFile {
            path: IAM_OBJECTS_FILE.to_owned(),
            content: iam_objects,
        });
        resources.push(IAM_OBJECTS_FILE);
    }
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
    files.extend(trust_policies::files(&install.trust_policies));
    if options.iam.is_none() {
        files.extend(pod_identity::files(&install.associations)?);
    }
    files.extend(iam.files);
    Ok(Output { stream, files })
}

//! `verify --live`: the read-only `aws` and `kubectl` commands that make the
//! exports, run without a shell. A command that cannot run or fails is a
//! usage error (exit 2) that shows its standard error; `get-role`
//! answering `NoSuchEntity` is the "missing role" finding instead.

use std::process::Command;

use irsa::exports::aws::{AwsExport, read_aws};
use irsa::exports::kubernetes::{KubeObject, read_kubernetes};
use irsa::ir::{Install, Role};
use irsa::verify::Named;

use super::Fatal;

pub(super) struct Runner {
    pub aws_profile: Option<String>,
    pub kube_context: Option<String>,
}

/// What a command printed, or that it failed.
enum Outcome {
    Printed(Vec<u8>),
    Failed { stderr: String },
}

impl Runner {
    fn run(&self, program: &str, args: &[String]) -> Result<Outcome, Fatal> {
        let shown = format!("{program} {}", args.join(" "));
        let output = Command::new(program)
            .args(args)
            // AWS CLI v2 pages its output otherwise (v1 has no pager).
            .env("AWS_PAGER", "")
            .output()
            .map_err(|e| Fatal(format!("--live cannot run `{shown}`: {e}")))?;
        if output.status.success() {
            Ok(Outcome::Printed(output.stdout))
        } else {
            Ok(Outcome::Failed {
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            })
        }
    }

    /// `aws ARGS --output json`, with the profile and the file's region.
    fn aws(&self, install: &Install, args: &[&str]) -> Result<(String, Outcome), Fatal> {
        let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        all.extend(["--output".to_owned(), "json".to_owned()]);
        if let Some(region) = &install.region {
            all.extend(["--region".to_owned(), region.value.clone()]);
        }
        if let Some(profile) = &self.aws_profile {
            all.extend(["--profile".to_owned(), profile.clone()]);
        }
        let shown = format!("aws {}", args.join(" "));
        let outcome = self.run("aws", &all)?;
        Ok((shown, outcome))
    }

    /// Runs an `aws` command that must succeed and reads what it printed.
    fn aws_export(&self, install: &Install, args: &[&str]) -> Result<Named<AwsExport>, Fatal> {
        match self.aws(install, args)? {
            (name, Outcome::Printed(bytes)) => parse_aws(name, &bytes),
            (name, Outcome::Failed { stderr }) => Err(failed(&name, &stderr)),
        }
    }

    pub fn aws_exports(&self, install: &Install) -> Result<Vec<Named<AwsExport>>, Fatal> {
        // `get-role` and the provider list answer for the credentials'
        // account only: roles of other accounts are left to `--aws` files.
        let caller = self.caller_account(install)?;
        let mut exports = Vec::new();
        let mut roles: Vec<&Role> = Vec::new();
        for account in &install.service_accounts {
            if account.role.account == caller && !roles.iter().any(|r| r.same_role(&account.role)) {
                roles.push(&account.role);
            }
        }
        for role in roles {
            match self.aws(install, &["iam", "get-role", "--role-name", &role.name])? {
                (name, Outcome::Printed(bytes)) => exports.push(parse_aws(name, &bytes)?),
                (name, Outcome::Failed { stderr }) if stderr.contains("NoSuchEntity") => {
                    exports.push(Named {
                        name,
                        content: AwsExport {
                            missing_roles: vec![role.arn()],
                            ..AwsExport::default()
                        },
                    });
                }
                (name, Outcome::Failed { stderr }) => return Err(failed(&name, &stderr)),
            }
        }
        if install
            .service_accounts
            .iter()
            .any(|a| a.identity.uses_irsa())
        {
            let mut providers =
                self.aws_export(install, &["iam", "list-open-id-connect-providers"])?;
            providers.content.providers_account = Some(caller);
            exports.push(providers);
        }
        if let Some(cluster) = &install.cluster {
            exports.push(self.aws_export(
                install,
                &["eks", "describe-cluster", "--name", &cluster.value],
            )?);
            if !install.associations.is_empty() {
                exports.extend(self.associations(install, &cluster.value)?);
            }
        }
        Ok(exports)
    }

    /// The account of the credentials (`aws sts get-caller-identity`).
    fn caller_account(&self, install: &Install) -> Result<String, Fatal> {
        #[derive(serde::Deserialize)]
        struct Identity {
            #[serde(rename = "Account")]
            account: String,
        }
        match self.aws(install, &["sts", "get-caller-identity"])? {
            (name, Outcome::Printed(bytes)) => serde_json::from_slice::<Identity>(&bytes)
                .map(|identity| identity.account)
                .map_err(|e| Fatal(format!("`{name}` printed what irsa cannot read: {e}"))),
            (name, Outcome::Failed { stderr }) => Err(failed(&name, &stderr)),
        }
    }

    /// `list-pod-identity-associations`, then `describe-…` of each one
    /// (the list has no role).
    fn associations(
        &self,
        install: &Install,
        cluster: &str,
    ) -> Result<Vec<Named<AwsExport>>, Fatal> {
        let mut args = vec![
            "eks",
            "list-pod-identity-associations",
            "--cluster-name",
            cluster,
        ];
        if let Some(namespace) = &install.namespace {
            args.extend(["--namespace", namespace.value.as_str()]);
        }
        let list = self.aws_export(install, &args)?;
        let ids: Vec<String> = list
            .content
            .associations
            .iter()
            .filter_map(|a| a.id.clone())
            .collect();
        let mut exports = vec![list];
        for id in ids {
            exports.push(self.aws_export(
                install,
                &[
                    "eks",
                    "describe-pod-identity-association",
                    "--cluster-name",
                    cluster,
                    "--association-id",
                    &id,
                ],
            )?);
        }
        Ok(exports)
    }

    pub fn kubernetes_exports(
        &self,
        install: &Install,
    ) -> Result<Vec<Named<Vec<KubeObject>>>, Fatal> {
        let mut args: Vec<String> = ["get", "serviceaccounts,spinnakerservices", "-o", "yaml"]
            .map(str::to_owned)
            .to_vec();
        if let Some(namespace) = &install.namespace {
            args.extend(["-n".to_owned(), namespace.value.clone()]);
        }
        if let Some(context) = &self.kube_context {
            args.extend(["--context".to_owned(), context.clone()]);
        }
        let name = format!("kubectl {}", args.join(" "));
        match self.run("kubectl", &args)? {
            Outcome::Printed(bytes) => {
                let content = read_kubernetes(&bytes).map_err(|e| {
                    Fatal(format!(
                        "`{name}` printed what irsa cannot read: {}",
                        e.message
                    ))
                })?;
                Ok(vec![Named { name, content }])
            }
            Outcome::Failed { stderr } => Err(failed(&name, &stderr)),
        }
    }
}

fn parse_aws(name: String, bytes: &[u8]) -> Result<Named<AwsExport>, Fatal> {
    let content = read_aws(bytes).map_err(|e| {
        Fatal(format!(
            "`{name}` printed what irsa cannot read: {}",
            e.message
        ))
    })?;
    Ok(Named { name, content })
}

fn failed(name: &str, stderr: &str) -> Fatal {
    Fatal(format!("--live: `{name}` failed:\n{stderr}"))
}

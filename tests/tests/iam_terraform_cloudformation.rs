//! `--iam terraform` and `--iam cloudformation` (LANGUAGE.md section 10)
//! against their real consumers: every `iam/main.tf.json` passes `terraform
//! init` + `terraform validate` (offline, the AWS provider from a filesystem
//! mirror), every `iam/template.yaml` passes `cfn-lint`; and every form's
//! trust policy is the document of `trust-policies/NAME.json`; every Pod
//! Identity ServiceAccount has exactly one association in each form, whose
//! role is the managed role's resource or, for an existing role, its ARN.
//!
//! A missing consumer fails the test (it never skips): `cargo xtask ci`
//! installs them (cfn-lint in `target/venv`, terraform on `PATH`). The one
//! exception is announced: where terraform or its AWS provider mirror is
//! missing (a user's machine), `cargo xtask ci` says so and sets
//! `IRSA_TERRAFORM=argument-lists`, and the Terraform tests check every
//! resource of `main.tf.json` against the provider's own argument lists,
//! vendored in `schemas/terraform-aws-5.100-resources.json` (every key an
//! argument or block of its resource, every required argument there, no
//! computed-only one set, every template sequence escaped or a reference
//! to a resource of the file), instead of running terraform. Where
//! terraform runs, the vendored lists must be what the provider says.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    // The argument-list mode says so: never a silent skip.
    clippy::print_stderr
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use irsa::emit::trust_policies::file_stem;
use irsa::ir::{Install, Role};
use irsa::{IamForm, policy};
use irsa_test_support::kubernetes::ambiguous_plain_scalars;
use irsa_test_support::{Sandbox, root};
use serde_json::Value;

/// Where the tests' `terraform init` finds the AWS provider: the registry is
/// out of reach.
const TERRAFORM_PLUGINS: &str = "/opt/tf-plugins";

/// The variable by which `cargo xtask ci` asks for the argument-list check
/// instead of terraform, and its one value.
const MODE_VARIABLE: &str = "IRSA_TERRAFORM";
const ARGUMENT_LISTS_MODE: &str = "argument-lists";

/// The AWS provider's argument lists of the three resources irsa writes,
/// as `argument_lists` extracts them from `terraform providers schema
/// -json` (see its `.source.txt`).
const ARGUMENT_LISTS: &str = "schemas/terraform-aws-5.100-resources.json";

/// The provider whose schema the argument lists come from.
const AWS_PROVIDER: &str = "registry.terraform.io/hashicorp/aws";

/// The resource types of `--iam terraform`.
const RESOURCE_TYPES: [&str; 3] = [
    "aws_iam_role",
    "aws_iam_role_policy_attachment",
    "aws_eks_pod_identity_association",
];

// ---------------------------------------------------------------- inputs

/// One input: its source, and its install as the library analyses it
/// (what every output must agree with).
struct Case {
    name: &'static str,
    source: String,
    install: Install,
}

impl Case {
    fn new(name: &'static str, source: &str) -> Case {
        let analysis = irsa::analyze(source);
        let errors: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity() == irsa::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}\n{source}");
        let install = analysis.install.unwrap();
        assert!(
            !install.managed_roles.is_empty() || !install.associations.is_empty(),
            "{name} manages roles or associates ServiceAccounts"
        );
        Case {
            name,
            source: source.to_owned(),
            install,
        }
    }

    /// `irsa compile NAME.irsa -o out --iam FORM` by the real binary, in a
    /// sandbox.
    fn compile(&self, form: IamForm) -> Sandbox {
        let dir = Sandbox::new();
        let file = format!("{}.irsa", self.name);
        dir.write(&file, &self.source);
        let run = dir.irsa(
            &["compile", &file, "-o", "out", "--iam", form.as_str()],
            None,
        );
        assert_eq!(run.code, 0, "{}: {}", self.name, run.stderr);
        dir
    }

    /// The trust-policy file of a role, parsed.
    fn trust_policy_file(&self, dir: &Sandbox, role: &Role) -> Value {
        let roles: Vec<&Role> = self
            .install
            .trust_policies
            .iter()
            .map(|p| &p.role)
            .collect();
        let path = format!("out/trust-policies/{}.json", file_stem(role, &roles));
        serde_json::from_str(&dir.read(&path)).unwrap()
    }

    /// The Pod Identity ServiceAccounts, from the ServiceAccounts themselves
    /// (not from `Install::associations`), with their roles.
    fn pod_identity_service_accounts(&self) -> Vec<(&str, &Role)> {
        self.install
            .service_accounts
            .iter()
            .filter(|sa| sa.identity.uses_pod_identity())
            .map(|sa| (sa.name.as_str(), &sa.role))
            .collect()
    }
}

const HEADER: &str = "namespace spinnaker\naccount 123456789012\ncluster prod\n\
                      oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE\n";

/// Every situation the forms must render.
fn cases() -> Vec<Case> {
    let twenty: String = (1..=20)
        .map(|n| format!("  policy arn:aws:iam::123456789012:policy/spinnaker-{n}\n"))
        .collect();
    vec![
        // The example of LANGUAGE.md section 10.
        Case::new(
            "section-10",
            &format!(
                "{HEADER}\n\
                 role spinnaker {{\n\
                 \x20 policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n\
                 \x20 policy arn:aws:iam::123456789012:policy/spinnaker-front50\n\
                 \x20 description \"Spinnaker core services\"\n\
                 \x20 max-session 2h\n\
                 \x20 tag \"team\" \"platform\"\n\
                 }}\n\n\
                 service * -> role spinnaker\n"
            ),
        ),
        // One role, nothing optional, no policy, no block.
        Case::new(
            "minimal",
            &format!("{HEADER}role front50\nservice front50 -> role front50\n"),
        ),
        // Everything at once: a path, a boundary, the longest and the
        // shortest session, a description with template sequences, quotes,
        // line ends and Latin-1; tags that YAML 1.1 reads as other things;
        // several subjects and audiences; names that collide as labels and
        // as logical IDs; one policy name under two paths; a full ARN; an
        // unmanaged role of the same name in another account beside them.
        Case::new(
            "everything",
            &format!(
                "{HEADER}\n\
                 role spin.core {{\n\
                 \x20 policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n\
                 \x20 policy arn:aws:iam::123456789012:policy/team/AmazonS3ReadOnlyAccess\n\
                 \x20 policy arn:aws:iam::123456789012:policy/a/b/spin+front50=x,y.z@w\n\
                 \x20 boundary arn:aws:iam::123456789012:policy/boundaries/spinnaker\n\
                 \x20 max-session 12h\n\
                 \x20 description \"costs ${{var.x}} and %{{ if true }}yes%{{ endif }}; $${{kept}} \\\"quoted\\\" \\\\ back\\nsecond line\\ttab, ¡señal! ÿ\"\n\
                 \x20 tag \"yes\" \"on\"\n\
                 \x20 tag \"version\" \"1.0\"\n\
                 \x20 tag \"empty\" \"\"\n\
                 \x20 tag \"team name\" \"a b:c/d=e+f-g@h_i.j\"\n\
                 }}\n\
                 role team/spin@core {{\n\
                 \x20 policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n\
                 \x20 max-session 1h\n\
                 }}\n\
                 role arn:aws:iam::123456789012:role/9lives {{\n\
                 \x20 policy arn:aws:iam::aws:policy/ReadOnlyAccess\n\
                 }}\n\
                 service * -> role spin.core\n\
                 service front50 -> role spin.core\n\
                 service clouddriver -> role spin.core {{\n\
                 \x20 audience sts.example.com\n\
                 }}\n\
                 service echo -> role team/spin@core\n\
                 service igor -> role 9lives\n\
                 service rosco -> role arn:aws:iam::210987654321:role/9lives\n"
            ),
        ),
        // Another partition (China): the issuer and the ARNs are its own.
        Case::new(
            "china",
            "namespace spinnaker\naccount 123456789012\npartition aws-cn\n\
             oidc oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLED539D4633E53DE1B71EXAMPLE\n\
             role spinnaker {\n  policy arn:aws-cn:iam::aws:policy/AmazonS3ReadOnlyAccess\n}\n\
             service * -> role spinnaker\n",
        ),
        // Pod Identity ServiceAccounts: the trust policy's second statement
        // (section 11), and a role trusted by Pod Identity only.
        Case::new(
            "pod-identity",
            &format!(
                "{HEADER}role spinnaker {{\n  policy arn:aws:iam::aws:policy/ReadOnlyAccess\n}}\n\
                 role spin-deck\n\
                 service * -> role spinnaker\n\
                 service front50 -> role spinnaker {{\n  identity both\n}}\n\
                 service deck -> role spin-deck {{\n  identity pod-identity\n}}\n"
            ),
        ),
        // Pod Identity with managed and existing roles: two managed roles
        // whose logical IDs collide, ServiceAccounts whose association IDs
        // collide (`spin.front50`, `spin-front50`, `spinfront50`, the last
        // shared by two services), existing roles by short name and by ARN.
        Case::new(
            "pod-identity-mixed",
            &format!(
                "{HEADER}role spin.core {{\n  policy arn:aws:iam::aws:policy/ReadOnlyAccess\n}}\n\
                 role spin-core\n\
                 service * -> role spin.core\n\
                 service front50 -> role spin.core as spin.front50 {{\n  identity both\n}}\n\
                 service clouddriver -> role spin-core as spin-front50 {{\n  identity pod-identity\n}}\n\
                 service igor, echo -> role spin-pubsub as spinfront50 {{\n  identity pod-identity\n}}\n\
                 service deck -> role arn:aws:iam::123456789012:role/web/spin-deck {{\n  identity both\n}}\n\
                 service rosco -> role spin-rosco\n"
            ),
        ),
        // Associations and no managed role: the form still carries them.
        Case::new(
            "pod-identity-unmanaged",
            "namespace spinnaker\ncluster prod\n\
             service front50 -> role arn:aws:iam::123456789012:role/spin-front50 {\n  identity pod-identity\n}\n\
             service deck -> role arn:aws:iam::123456789012:role/spin-deck as 9deck {\n  identity pod-identity\n}\n",
        ),
        // The most policies a role may have (a warning above 10).
        Case::new(
            "twenty-policies",
            &format!("{HEADER}role spinnaker {{\n{twenty}}}\nservice * -> role spinnaker\n"),
        ),
    ]
}

// ---------------------------------------------------------------- consumers

/// `name` on `PATH`, else in `target/venv/bin` (where `cargo xtask ci` puts
/// the Python tools, and Terraform from PyPI when `PATH` has none).
fn tool(name: &str) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| {
        let venv = root().join("target/venv/bin").join(name);
        venv.is_file().then_some(venv)
    })
}

fn cfn_lint_bin() -> PathBuf {
    let bin = root().join("target/venv/bin/cfn-lint");
    assert!(
        bin.is_file(),
        "cfn-lint is missing: the --iam cloudformation tests need {}. `cargo xtask ci` installs it; \
         by hand: python3 -m venv target/venv && target/venv/bin/pip install cfn-lint",
        bin.display()
    );
    bin
}

/// How the `--iam terraform` tests check `main.tf.json`.
enum TerraformCheck {
    /// `terraform init`, `validate` and `plan`, offline, by this terraform
    /// (and the argument lists too).
    Terraform(PathBuf),
    /// Against the vendored argument lists only: terraform or its provider
    /// mirror is missing, and `IRSA_TERRAFORM=argument-lists` says so.
    ArgumentLists,
}

/// The check this machine runs: terraform with the provider mirror, or the
/// argument lists when `IRSA_TERRAFORM=argument-lists`; without either, a
/// failure saying what is missing (never a silent skip).
fn terraform_check() -> TerraformCheck {
    match std::env::var(MODE_VARIABLE) {
        Ok(mode) if mode == ARGUMENT_LISTS_MODE => {
            eprintln!(
                "{MODE_VARIABLE}={ARGUMENT_LISTS_MODE}: checking main.tf.json against the AWS \
                 provider's argument lists ({ARGUMENT_LISTS}) instead of running terraform"
            );
            return TerraformCheck::ArgumentLists;
        }
        Ok(mode) if mode.is_empty() => {}
        Err(std::env::VarError::NotPresent) => {}
        other => panic!("{MODE_VARIABLE}={other:?}: its only value is {ARGUMENT_LISTS_MODE}"),
    }
    let terraform = tool("terraform").unwrap_or_else(|| {
        panic!(
            "terraform is missing: the --iam terraform tests run `terraform init`, `terraform \
             validate` and `terraform plan`, and found no terraform on PATH nor in \
             target/venv/bin. `cargo xtask ci` installs it when it can, and otherwise sets \
             {MODE_VARIABLE}={ARGUMENT_LISTS_MODE} (the check against the provider's argument \
             lists in {ARGUMENT_LISTS}); set it yourself, or install Terraform 1.x"
        )
    });
    let plugins = Path::new(TERRAFORM_PLUGINS).join(AWS_PROVIDER);
    assert!(
        plugins.is_dir(),
        "the Terraform AWS provider is missing from the filesystem mirror {}: the --iam \
         terraform tests run `terraform init` offline against it. `cargo xtask ci` then sets \
         {MODE_VARIABLE}={ARGUMENT_LISTS_MODE} (the check against the provider's argument lists \
         in {ARGUMENT_LISTS}); set it yourself, or put the provider there",
        plugins.display()
    );
    TerraformCheck::Terraform(terraform)
}

/// `cfn-lint` on templates: its exit code (a bit mask: 2 errors, 4 warnings,
/// 8 informational) and what it printed.
fn cfn_lint(templates: &[PathBuf]) -> (i32, String) {
    let output = Command::new(cfn_lint_bin())
        .arg("--")
        .args(templates)
        .output()
        .expect("running cfn-lint");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().expect("cfn-lint exited"), text)
}

/// A Terraform working directory, initialised offline: each generated
/// `main.tf.json` is a module of its own (`cases/NAME/`, beside a
/// `versions.tf.json` that requires the AWS provider, as the user's own
/// configuration does), so that one `init`, `validate` and `plan` check
/// every case (the AWS provider takes seconds to load its schema).
struct Terraform {
    bin: PathBuf,
    dir: Sandbox,
}

impl Terraform {
    fn new(bin: &Path, modules: &[(&str, &str)]) -> Terraform {
        let dir = Sandbox::new();
        dir.write(
            "cli.tfrc",
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path = \"{TERRAFORM_PLUGINS}\"\n  }}\n  \
                 direct {{\n    exclude = [\"registry.terraform.io/*/*\"]\n  }}\n}}\n"
            ),
        );
        let versions = serde_json::json!({"terraform": {"required_providers": {"aws": {
            "source": "hashicorp/aws"
        }}}})
        .to_string();
        let mut module_blocks = serde_json::Map::new();
        for (name, main_tf_json) in modules {
            dir.write(&format!("config/cases/{name}/versions.tf.json"), &versions);
            dir.write(&format!("config/cases/{name}/main.tf.json"), main_tf_json);
            module_blocks.insert(
                (*name).to_owned(),
                serde_json::json!({"source": format!("./cases/{name}")}),
            );
        }
        dir.write("config/versions.tf.json", &versions);
        dir.write(
            "config/main.tf.json",
            serde_json::json!({"module": module_blocks}).to_string(),
        );
        let terraform = Terraform {
            bin: bin.to_path_buf(),
            dir,
        };
        let (ok, text) = terraform.run(&["init", "-input=false", "-no-color"]);
        assert!(ok, "terraform init failed:\n{text}");
        terraform
    }

    fn run(&self, args: &[&str]) -> (bool, String) {
        let output = self.command(args).output().expect("running terraform");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    }

    /// `terraform ARGS` in the configuration, offline.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.bin);
        command
            .args(args)
            .current_dir(self.dir.join("config"))
            .env("TF_CLI_CONFIG_FILE", self.dir.join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            // The plan asks AWS nothing; nor may a profile or the metadata
            // service of the machine.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .env_remove("TF_DATA_DIR");
        command
    }

    fn validate(&self) -> (bool, String) {
        self.run(&["validate", "-no-color"])
    }

    /// The argument lists of the three resources, as the provider this
    /// terraform loaded says now (`terraform providers schema -json`).
    fn argument_lists(&self) -> Value {
        let (ok, text) = self.run(&["version", "-json"]);
        assert!(ok, "terraform version failed:\n{text}");
        let version: Value = serde_json::from_str(&text).unwrap();
        let provider = version["provider_selections"][AWS_PROVIDER]
            .as_str()
            .unwrap_or_else(|| panic!("terraform version -json selects no {AWS_PROVIDER}: {text}"))
            .to_owned();
        let output = self
            .command(&["providers", "schema", "-json"])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "terraform providers schema failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
        argument_lists(&schema, &provider)
    }

    /// `terraform plan` with a provider configuration that asks AWS
    /// nothing, and what it plans, by resource address
    /// (`module.NAME.TYPE.LABEL`).
    fn plan(&self) -> Plan {
        self.dir.write(
            "config/provider.tf.json",
            serde_json::json!({"provider": {"aws": {
                "region": "us-west-2",
                "access_key": "offline",
                "secret_key": "offline",
                "skip_credentials_validation": true,
                "skip_requesting_account_id": true,
                "skip_metadata_api_check": true,
                "skip_region_validation": true,
            }}})
            .to_string(),
        );
        let (ok, text) = self.run(&[
            "plan",
            "-input=false",
            "-no-color",
            "-refresh=false",
            "-lock=false",
            "-out=irsa.plan",
        ]);
        assert!(ok, "terraform plan failed:\n{text}");
        let (ok, text) = self.run(&["show", "-json", "-no-color", "irsa.plan"]);
        assert!(ok, "terraform show failed:\n{text}");
        let plan: Value = serde_json::from_str(&text).unwrap();
        let changes = plan["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|change| {
                assert_eq!(change["change"]["actions"], serde_json::json!(["create"]));
                (
                    change["address"].as_str().unwrap().to_owned(),
                    change["change"].clone(),
                )
            })
            .collect();
        Plan { plan, changes }
    }
}

/// A plan, as `terraform show -json` gives it.
struct Plan {
    plan: Value,
    /// Each resource's `change` (`after`, `after_unknown`…), by address.
    changes: BTreeMap<String, Value>,
}

impl Plan {
    /// The values Terraform plans for a resource (the known ones).
    fn after(&self, address: &str) -> &Value {
        &self.changes[address]["after"]
    }

    /// Whether a value of a resource is known only after apply (an ARN
    /// that AWS assigns).
    fn unknown(&self, address: &str, argument: &str) -> bool {
        self.changes[address]["after_unknown"][argument] == Value::Bool(true)
    }

    /// The resource addresses an argument of a module's resource refers
    /// to, as Terraform resolved them (`aws_iam_role.LABEL.arn`, …).
    fn references(&self, module: &str, address: &str, argument: &str) -> Vec<String> {
        let resources = self.plan["configuration"]["root_module"]["module_calls"][module]["module"]
            ["resources"]
            .as_array()
            .unwrap();
        let resource = resources
            .iter()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{module}: no {address} in the plan's configuration"));
        resource["expressions"][argument]["references"]
            .as_array()
            .map(|refs| {
                refs.iter()
                    .map(|r| r.as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A JSON string of `main.tf.json` as the literal it stands for: `$${` is
/// `${` and `%%{` is `%{` (irsa writes no other template).
fn untemplate(text: &str) -> String {
    text.replace("$${", "${").replace("%%{", "%{")
}

// ---------------------------------------------------------------- argument lists

/// The argument lists of the three resources in a provider schema
/// (`terraform providers schema -json`), as `extract.jq` of the vendored
/// file's `.source.txt` takes them: every argument "required", "optional"
/// (computed or not) or "computed" (computed only), every nested block
/// with its own lists and `min_items`.
fn argument_lists(schema: &Value, provider_version: &str) -> Value {
    fn arguments(block: &Value) -> Value {
        let Some(attributes) = block["attributes"].as_object() else {
            return Value::Object(serde_json::Map::new());
        };
        attributes
            .iter()
            .map(|(name, attribute)| {
                let kind = if attribute["required"] == true {
                    "required"
                } else if attribute["optional"] == true {
                    "optional"
                } else {
                    "computed"
                };
                (name.clone(), Value::from(kind))
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
    fn block_lists(block: &Value) -> Value {
        let blocks: serde_json::Map<String, Value> = block["block_types"]
            .as_object()
            .map(|types| {
                types
                    .iter()
                    .map(|(name, nested)| {
                        let mut lists = block_lists(&nested["block"]);
                        lists["min_items"] = nested["min_items"].as_u64().unwrap_or(0).into();
                        (name.clone(), lists)
                    })
                    .collect()
            })
            .unwrap_or_default();
        serde_json::json!({"arguments": arguments(block), "blocks": blocks})
    }
    let resources = &schema["provider_schemas"][AWS_PROVIDER]["resource_schemas"];
    let lists: serde_json::Map<String, Value> = RESOURCE_TYPES
        .iter()
        .map(|kind| {
            let resource = &resources[*kind];
            assert!(resource.is_object(), "the provider schema has no {kind}");
            ((*kind).to_owned(), block_lists(&resource["block"]))
        })
        .collect();
    serde_json::json!({
        "provider": AWS_PROVIDER,
        "version": provider_version,
        "resources": lists,
    })
}

/// The vendored argument lists ([`ARGUMENT_LISTS`]).
fn vendored_argument_lists() -> Value {
    let path = root().join(ARGUMENT_LISTS);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Terraform's meta-arguments, which every resource block may have.
const META_ARGUMENTS: [&str; 7] = [
    "count",
    "depends_on",
    "for_each",
    "lifecycle",
    "provider",
    "provisioner",
    "connection",
];

/// What is wrong with a `main.tf.json` against the argument lists (empty
/// when nothing): a top-level key other than `resource`, a resource type
/// the lists do not have, an argument the resource does not know, a
/// required argument missing, a computed-only argument set, a template
/// sequence (`${`, `%{`) that is neither escaped (`$${`, `%%{`) nor a whole
/// reference `${TYPE.LABEL.ATTRIBUTE}` to a resource of the file.
fn argument_list_problems(main_tf_json: &str, lists: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let config: Value = match serde_json::from_str(main_tf_json) {
        Ok(config) => config,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    let Some(top) = config.as_object() else {
        return vec!["not a JSON object".to_owned()];
    };
    for key in top.keys().filter(|key| *key != "resource") {
        problems.push(format!("`{key}`: irsa writes only resources"));
    }
    let no_resources = serde_json::Map::new();
    let resources = top
        .get("resource")
        .and_then(Value::as_object)
        .unwrap_or(&no_resources);
    for (kind, blocks) in resources {
        let Some(resource_lists) = lists["resources"].get(kind) else {
            problems.push(format!("{kind}: not a resource type of the argument lists"));
            continue;
        };
        let Some(blocks) = blocks.as_object() else {
            problems.push(format!("{kind}: not an object of labels"));
            continue;
        };
        for (label, body) in blocks {
            let at = format!("{kind}.{label}");
            check_block(&at, body, resource_lists, true, &mut problems);
            check_templates(&at, body, resources, lists, &mut problems);
        }
    }
    problems
}

/// The arguments and nested blocks of one block body against its lists.
fn check_block(at: &str, body: &Value, lists: &Value, resource: bool, problems: &mut Vec<String>) {
    let Some(body) = body.as_object() else {
        problems.push(format!("{at}: not an object"));
        return;
    };
    let no_map = serde_json::Map::new();
    let arguments = lists["arguments"].as_object().unwrap_or(&no_map);
    let blocks = lists["blocks"].as_object().unwrap_or(&no_map);
    for (key, value) in body {
        match arguments.get(key).and_then(Value::as_str) {
            Some("computed") => problems.push(format!(
                "{at}: `{key}` is computed only (the provider sets it)"
            )),
            Some(_) => {}
            None => match blocks.get(key) {
                Some(nested) => {
                    let items = value
                        .as_array()
                        .map_or_else(|| vec![value], |a| a.iter().collect());
                    for item in items {
                        check_block(&format!("{at}.{key}"), item, nested, false, problems);
                    }
                }
                None if resource && META_ARGUMENTS.contains(&key.as_str()) => {}
                None => problems.push(format!("{at}: `{key}` is not an argument of it")),
            },
        }
    }
    for (name, kind) in arguments {
        if kind == "required" && !body.contains_key(name) {
            problems.push(format!("{at}: the required argument `{name}` is missing"));
        }
    }
    for (name, nested) in blocks {
        if nested["min_items"].as_u64().unwrap_or(0) > 0 && !body.contains_key(name) {
            problems.push(format!("{at}: the required block `{name}` is missing"));
        }
    }
}

/// Every string of a block body (map keys too: Terraform reads them as
/// templates) is a literal: its template sequences escaped, or the whole
/// string one reference `${TYPE.LABEL.ATTRIBUTE}` to a resource of the
/// file and an argument of its type.
fn check_templates(
    at: &str,
    value: &Value,
    resources: &serde_json::Map<String, Value>,
    lists: &Value,
    problems: &mut Vec<String>,
) {
    let check = |text: &str, problems: &mut Vec<String>| {
        if let Some(reference) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
            let parts: Vec<&str> = reference.split('.').collect();
            let known = parts.len() == 3
                && resources
                    .get(parts[0])
                    .and_then(|labels| labels.get(parts[1]))
                    .is_some()
                && lists["resources"][parts[0]]["arguments"]
                    .get(parts[2])
                    .is_some();
            if !known {
                problems.push(format!("{at}: `{text}` refers to nothing of the file"));
            }
            return;
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        while i + 1 < bytes.len() {
            match (bytes[i], bytes[i + 1], bytes.get(i + 2)) {
                (b'$', b'$', Some(b'{')) | (b'%', b'%', Some(b'{')) => i += 3,
                (b'$' | b'%', b'{', _) => {
                    problems.push(format!("{at}: `{text}` has an unescaped template sequence"));
                    return;
                }
                _ => i += 1,
            }
        }
    };
    match value {
        Value::String(text) => check(text, problems),
        Value::Array(items) => {
            for item in items {
                check_templates(at, item, resources, lists, problems);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                check(key, problems);
                check_templates(at, item, resources, lists, problems);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------- terraform

/// Every case's `iam/main.tf.json` against the provider's argument lists;
/// then, where terraform runs, `terraform validate` of them all and
/// `terraform plan` (offline: a provider configuration that asks AWS
/// nothing, no state): every value Terraform evaluates from a literal is
/// the IR's own, template sequences included.
#[test]
fn every_main_tf_json_passes_terraform_validate_and_plans_the_managed_roles() {
    let check = terraform_check();
    let cases = cases();
    let files: Vec<(&str, String)> = cases
        .iter()
        .map(|case| {
            let dir = case.compile(IamForm::Terraform);
            (case.name, dir.read("out/iam/main.tf.json"))
        })
        .collect();
    let lists = vendored_argument_lists();
    for (name, content) in &files {
        let problems = argument_list_problems(content, &lists);
        assert!(problems.is_empty(), "{name}: {problems:#?}\n{content}");
    }
    let TerraformCheck::Terraform(bin) = check else {
        eprintln!(
            "{} cases pass the argument lists; terraform validate and plan not run",
            files.len()
        );
        return;
    };
    let modules: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let terraform = Terraform::new(&bin, &modules);
    let (ok, text) = terraform.validate();
    assert!(ok, "terraform validate failed:\n{text}");
    assert!(text.contains("The configuration is valid."), "{text}");

    let planned = terraform.plan();
    for (case, (name, content)) in cases.iter().zip(&files) {
        let install = &case.install;
        let config: Value = serde_json::from_str(content).unwrap();
        let labels = |kind: &str| -> Vec<String> {
            config["resource"][kind]
                .as_object()
                .map(|blocks| blocks.keys().cloned().collect())
                .unwrap_or_default()
        };
        let planned_of =
            |kind: &str, label: &str| planned.after(&format!("module.{name}.{kind}.{label}"));
        let roles = labels("aws_iam_role");
        assert_eq!(roles.len(), install.managed_roles.len(), "{name}");
        let attachments = labels("aws_iam_role_policy_attachment");
        assert_eq!(
            attachments.len(),
            install
                .managed_roles
                .iter()
                .map(|m| m.policies.len())
                .sum::<usize>(),
            "{name}"
        );
        for managed in &install.managed_roles {
            let label = roles
                .iter()
                .find(|label| {
                    planned_of("aws_iam_role", label)["name"] == managed.role.name.as_str()
                })
                .unwrap_or_else(|| panic!("{name}: no planned role {}", managed.role.name));
            let role = planned_of("aws_iam_role", label);
            let expected_tags: serde_json::Map<String, Value> = managed
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect();
            assert_eq!(role["path"], managed.role.path.as_str(), "{name}: {label}");
            assert_eq!(
                role["description"],
                managed
                    .description
                    .as_deref()
                    .map_or(Value::Null, Value::from),
                "{name}: {label}"
            );
            assert_eq!(
                role["max_session_duration"],
                Value::from(managed.max_session.unwrap_or(3600)),
                "{name}: {label}"
            );
            assert_eq!(
                role["permissions_boundary"],
                managed.boundary.as_deref().map_or(Value::Null, Value::from),
                "{name}: {label}"
            );
            assert_eq!(
                role["tags"],
                Value::Object(expected_tags),
                "{name}: {label}"
            );
            // The provider normalises the policy's JSON (keys sorted): the
            // same document, not the same bytes.
            let trust = install.trust_policy_of(&managed.role).unwrap();
            let decoded: Value =
                serde_json::from_str(role["assume_role_policy"].as_str().unwrap()).unwrap();
            assert_eq!(
                decoded,
                serde_json::to_value(policy::trust_policy(trust)).unwrap(),
                "{name}: {label}"
            );
            // One attachment per policy, to this role.
            let mut attached: Vec<&str> = attachments
                .iter()
                .map(|a| planned_of("aws_iam_role_policy_attachment", a))
                .filter(|a| a["role"] == managed.role.name.as_str())
                .map(|a| a["policy_arn"].as_str().unwrap())
                .collect();
            let mut policies: Vec<&str> = managed.policies.iter().map(String::as_str).collect();
            attached.sort_unstable();
            policies.sort_unstable();
            assert_eq!(attached, policies, "{name}: {label}");
        }
        // Every Pod Identity ServiceAccount has exactly one association, to
        // its role: a reference Terraform resolves to the managed role's
        // resource, else the literal ARN.
        let associations = labels("aws_eks_pod_identity_association");
        let service_accounts = case.pod_identity_service_accounts();
        assert_eq!(associations.len(), service_accounts.len(), "{name}");
        for (service_account, role) in service_accounts {
            let matching: Vec<&String> = associations
                .iter()
                .filter(|label| {
                    planned_of("aws_eks_pod_identity_association", label)["service_account"]
                        == service_account
                })
                .collect();
            assert_eq!(matching.len(), 1, "{name}: {service_account}: {matching:?}");
            let label = matching[0];
            let address = format!("module.{name}.aws_eks_pod_identity_association.{label}");
            let association = planned.after(&address);
            assert_eq!(
                association["cluster_name"],
                install.cluster.as_ref().unwrap().value.as_str(),
                "{name}: {label}"
            );
            assert_eq!(
                association["namespace"],
                install.namespace.as_ref().unwrap().value.as_str(),
                "{name}: {label}"
            );
            let references = planned.references(
                name,
                &format!("aws_eks_pod_identity_association.{label}"),
                "role_arn",
            );
            if install.managed_role(role).is_some() {
                let role_label = roles
                    .iter()
                    .find(|l| planned_of("aws_iam_role", l)["name"] == role.name.as_str())
                    .unwrap();
                assert!(
                    references.contains(&format!("aws_iam_role.{role_label}.arn")),
                    "{name}: {label} refers to {references:?}, not to {role_label}"
                );
                assert!(planned.unknown(&address, "role_arn"), "{name}: {label}");
            } else {
                assert!(references.is_empty(), "{name}: {label}: {references:?}");
                assert_eq!(association["role_arn"], role.arn(), "{name}: {label}");
            }
        }
    }
}

/// The harness catches what it must: the argument lists and validate know
/// the provider's schema (a misspelled argument, a missing required one, a
/// computed-only one set), and read every string as a template.
#[test]
fn terraform_validate_rejects_a_misspelled_argument_and_an_unescaped_template() {
    let check = terraform_check();
    let lists = vendored_argument_lists();
    let rejected = |what: &str, content: &str, needle: &str| {
        let problems = argument_list_problems(content, &lists);
        assert!(
            problems.iter().any(|p| p.contains(needle)),
            "the argument lists passed {what}: {problems:#?}\n{content}"
        );
        if let TerraformCheck::Terraform(bin) = &check {
            let (ok, text) = Terraform::new(bin, &[("case", content)]).validate();
            assert!(!ok, "terraform validate passed {what}:\n{text}");
            assert!(text.contains(needle), "{text}");
        }
    };
    let case = cases().remove(0);
    let content = case
        .compile(IamForm::Terraform)
        .read("out/iam/main.tf.json");
    assert!(argument_list_problems(&content, &lists).is_empty());
    assert!(content.contains("\"max_session_duration\""));
    let misspelled = content.replace("\"max_session_duration\"", "\"max_sesion_duration\"");
    rejected("a misspelled argument", &misspelled, "max_sesion_duration");

    let mut config: Value = serde_json::from_str(&content).unwrap();
    let role = config["resource"]["aws_iam_role"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap();
    role.as_object_mut().unwrap().remove("assume_role_policy");
    rejected(
        "a missing required argument",
        &config.to_string(),
        "assume_role_policy",
    );
    let mut computed: Value = serde_json::from_str(&content).unwrap();
    computed["resource"]["aws_iam_role"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .for_each(|role| role["unique_id"] = Value::from("AROAEXAMPLE"));
    rejected(
        "a computed-only argument",
        &computed.to_string(),
        "unique_id",
    );

    let unescaped = content.replace(
        "\"Spinnaker core services\"",
        "\"Spinnaker ${var.undeclared}\"",
    );
    assert_ne!(unescaped, content);
    rejected("an unescaped template", &unescaped, "var.undeclared");

    // An association's argument too, and a reference to no resource.
    let case = cases()
        .into_iter()
        .find(|c| c.name == "pod-identity")
        .unwrap();
    let content = case
        .compile(IamForm::Terraform)
        .read("out/iam/main.tf.json");
    assert!(argument_list_problems(&content, &lists).is_empty());
    assert!(content.contains("\"service_account\""));
    let misspelled = content.replace("\"service_account\"", "\"service_acount\"");
    rejected(
        "a misspelled association argument",
        &misspelled,
        "service_acount",
    );
    assert!(content.contains("${aws_iam_role.spinnaker.arn}"));
    let dangling = content.replace(
        "${aws_iam_role.spinnaker.arn}",
        "${aws_iam_role.spinaker.arn}",
    );
    rejected(
        "a reference to no resource",
        &dangling,
        "aws_iam_role.spinaker",
    );
}

/// The vendored argument lists are what the provider says now, where
/// terraform runs (so that they cannot rot); everywhere, they cover the
/// three resources with the arguments irsa writes.
#[test]
fn the_vendored_argument_lists_are_the_providers() {
    let lists = vendored_argument_lists();
    assert_eq!(lists["provider"], AWS_PROVIDER);
    for kind in RESOURCE_TYPES {
        let arguments = &lists["resources"][kind]["arguments"];
        assert!(arguments.is_object(), "{ARGUMENT_LISTS}: no {kind}");
        for (_, argument) in arguments.as_object().unwrap() {
            assert!(
                ["required", "optional", "computed"].contains(&argument.as_str().unwrap()),
                "{kind}: {argument}"
            );
        }
    }
    match terraform_check() {
        TerraformCheck::Terraform(bin) => {
            let case = cases().remove(0);
            let content = case
                .compile(IamForm::Terraform)
                .read("out/iam/main.tf.json");
            let now = Terraform::new(&bin, &[("case", &content)]).argument_lists();
            assert!(
                now == lists,
                "{ARGUMENT_LISTS} is not what the provider says now (rerun the commands of its \
                 .source.txt; a new provider version is a new file):\nnow: {}\nvendored: {}",
                serde_json::to_string_pretty(&now).unwrap(),
                serde_json::to_string_pretty(&lists).unwrap()
            );
        }
        TerraformCheck::ArgumentLists => eprintln!(
            "{ARGUMENT_LISTS} not compared with the provider: terraform or its mirror is missing"
        ),
    }
}

/// `assume_role_policy`, as the literal it stands for, is the compact trust
/// policy byte for byte, and decodes to `trust-policies/NAME.json`.
#[test]
fn terraform_trust_policies_decode_to_the_trust_policy_files() {
    for case in cases() {
        let name = case.name;
        let dir = case.compile(IamForm::Terraform);
        let config: Value = serde_json::from_str(&dir.read("out/iam/main.tf.json")).unwrap();
        let no_roles = serde_json::Map::new();
        let roles = config["resource"]["aws_iam_role"]
            .as_object()
            .unwrap_or(&no_roles);
        assert_eq!(roles.len(), case.install.managed_roles.len(), "{name}");
        for managed in &case.install.managed_roles {
            let (label, body) = roles
                .iter()
                .find(|(_, body)| untemplate(body["name"].as_str().unwrap()) == managed.role.name)
                .unwrap_or_else(|| panic!("{name}: no aws_iam_role for {}", managed.role.name));
            let text = untemplate(body["assume_role_policy"].as_str().unwrap());
            let trust = case.install.trust_policy_of(&managed.role).unwrap();
            let document = policy::trust_policy(trust);
            assert_eq!(text, policy::compact(&document), "{name}: {label}");
            let decoded: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                decoded,
                serde_json::to_value(&document).unwrap(),
                "{name}: {label}"
            );
            assert_eq!(
                decoded,
                case.trust_policy_file(&dir, &managed.role),
                "{name}: {label}"
            );
        }
    }
}

// ---------------------------------------------------------------- cloudformation

#[test]
fn every_template_passes_cfn_lint() {
    let cases = cases();
    let dirs: Vec<Sandbox> = cases
        .iter()
        .map(|case| case.compile(IamForm::CloudFormation))
        .collect();
    for (case, dir) in cases.iter().zip(&dirs) {
        let name = case.name;
        let text = dir.read("out/iam/template.yaml");
        // Every plain scalar that a YAML 1.1 reader (cfn-lint's) takes for
        // something else than a string is a number irsa meant.
        let numbers: Vec<String> = case
            .install
            .managed_roles
            .iter()
            .filter_map(|m| m.max_session.map(|s| s.to_string()))
            .collect();
        for scalar in ambiguous_plain_scalars(&text) {
            assert!(
                numbers.contains(&scalar),
                "{name}: `{scalar}` is not quoted:\n{text}"
            );
        }
        assert!(
            !text.contains(": !") && !text.contains("- !"),
            "{name}: a tag (short-form intrinsic):\n{text}"
        );
    }
    let templates: Vec<PathBuf> = dirs
        .iter()
        .map(|dir| dir.join("out/iam/template.yaml"))
        .collect();
    let (code, text) = cfn_lint(&templates);
    assert_eq!(code, 0, "cfn-lint found problems (exit {code}):\n{text}");
}

/// The harness catches what it must: cfn-lint knows the resource schema.
#[test]
fn cfn_lint_rejects_a_misspelled_property() {
    let dir = cases().remove(0).compile(IamForm::CloudFormation);
    let text = dir.read("out/iam/template.yaml");
    assert!(text.contains("MaxSessionDuration:"));
    dir.write(
        "out/iam/template.yaml",
        text.replace("MaxSessionDuration:", "MaxSesionDuration:"),
    );
    let (code, text) = cfn_lint(&[dir.join("out/iam/template.yaml")]);
    assert_ne!(
        code & 2,
        0,
        "a misspelled property passed (exit {code}):\n{text}"
    );
    assert!(text.contains("MaxSesionDuration"), "{text}");

    // An association's property too.
    let case = cases()
        .into_iter()
        .find(|c| c.name == "pod-identity")
        .unwrap();
    let dir = case.compile(IamForm::CloudFormation);
    let text = dir.read("out/iam/template.yaml");
    assert!(text.contains("ServiceAccount:"));
    dir.write(
        "out/iam/template.yaml",
        text.replace("ServiceAccount:", "ServiceAcount:"),
    );
    let (code, text) = cfn_lint(&[dir.join("out/iam/template.yaml")]);
    assert_ne!(
        code & 2,
        0,
        "a misspelled association property passed (exit {code}):\n{text}"
    );
    assert!(text.contains("ServiceAcount"), "{text}");
}

/// `AssumeRolePolicyDocument` is the document of `trust-policies/NAME.json`,
/// and each role's ARN is an output.
#[test]
fn cloudformation_trust_policies_are_the_trust_policy_files() {
    for case in cases() {
        let name = case.name;
        let dir = case.compile(IamForm::CloudFormation);
        let template: Value = serde_saphyr::from_str(&dir.read("out/iam/template.yaml")).unwrap();
        let resources = template["Resources"].as_object().unwrap();
        let of_type = |kind: &str| -> Vec<(&String, &Value)> {
            resources
                .iter()
                .filter(|(_, r)| r["Type"] == kind)
                .collect()
        };
        assert_eq!(
            of_type("AWS::IAM::Role").len(),
            case.install.managed_roles.len(),
            "{name}"
        );
        for managed in &case.install.managed_roles {
            let (id, resource) = resources
                .iter()
                .find(|(_, r)| r["Properties"]["RoleName"] == managed.role.name.as_str())
                .unwrap_or_else(|| panic!("{name}: no AWS::IAM::Role for {}", managed.role.name));
            assert_eq!(resource["Type"], "AWS::IAM::Role");
            let document = &resource["Properties"]["AssumeRolePolicyDocument"];
            let trust = case.install.trust_policy_of(&managed.role).unwrap();
            assert_eq!(
                *document,
                serde_json::to_value(policy::trust_policy(trust)).unwrap(),
                "{name}: {id}"
            );
            assert_eq!(
                *document,
                case.trust_policy_file(&dir, &managed.role),
                "{name}: {id}"
            );
            assert_eq!(
                template["Outputs"][format!("{id}Arn")]["Value"],
                serde_json::json!({"Fn::GetAtt": [id, "Arn"]}),
                "{name}"
            );
        }
        // Every Pod Identity ServiceAccount has exactly one association, to
        // its role: `Fn::GetAtt` of the managed role's resource, else the
        // literal ARN.
        let associations = of_type("AWS::EKS::PodIdentityAssociation");
        let service_accounts = case.pod_identity_service_accounts();
        assert_eq!(associations.len(), service_accounts.len(), "{name}");
        assert_eq!(
            resources.len(),
            case.install.managed_roles.len() + service_accounts.len(),
            "{name}"
        );
        for (service_account, role) in service_accounts {
            let matching: Vec<&(&String, &Value)> = associations
                .iter()
                .filter(|(_, r)| r["Properties"]["ServiceAccount"] == service_account)
                .collect();
            assert_eq!(matching.len(), 1, "{name}: {service_account}");
            let (id, resource) = matching[0];
            assert!(id.starts_with("PodIdentity"), "{name}: {id}");
            let properties = &resource["Properties"];
            assert_eq!(
                properties["ClusterName"],
                case.install.cluster.as_ref().unwrap().value.as_str(),
                "{name}: {id}"
            );
            assert_eq!(
                properties["Namespace"],
                case.install.namespace.as_ref().unwrap().value.as_str(),
                "{name}: {id}"
            );
            if case.install.managed_role(role).is_some() {
                let target = properties["RoleArn"]["Fn::GetAtt"][0].as_str().unwrap();
                assert_eq!(
                    properties["RoleArn"],
                    serde_json::json!({"Fn::GetAtt": [target, "Arn"]}),
                    "{name}: {id}"
                );
                assert_eq!(resources[target]["Type"], "AWS::IAM::Role", "{name}: {id}");
                assert_eq!(
                    resources[target]["Properties"]["RoleName"],
                    role.name.as_str(),
                    "{name}: {id}"
                );
            } else {
                assert_eq!(properties["RoleArn"], role.arn(), "{name}: {id}");
            }
        }
    }
}

// ---------------------------------------------------------------- both

/// The associations go in the `--iam` form, not in `pod-identity/`: every
/// Pod Identity case writes its form and no `pod-identity/` file.
#[test]
fn associations_go_in_the_form_and_not_in_pod_identity_files() {
    for case in cases() {
        if case.install.associations.is_empty() {
            continue;
        }
        for (form, file) in [
            (IamForm::Terraform, "out/iam/main.tf.json"),
            (IamForm::CloudFormation, "out/iam/template.yaml"),
        ] {
            let dir = case.compile(form);
            assert!(
                dir.exists(file),
                "{}: {form:?}: {:?}",
                case.name,
                dir.files()
            );
            assert!(
                !dir.exists("out/pod-identity"),
                "{}: {form:?}: {:?}",
                case.name,
                dir.files()
            );
        }
    }
}

/// A file that manages no role and associates no ServiceAccount writes no
/// IAM file in either form.
#[test]
fn no_managed_role_no_iam_file() {
    for form in [IamForm::Terraform, IamForm::CloudFormation] {
        let dir = Sandbox::new();
        dir.write(
            "plain.irsa",
            format!("{HEADER}service * -> role spinnaker\n"),
        );
        let run = dir.irsa(
            &["compile", "plain.irsa", "-o", "out", "--iam", form.as_str()],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(!dir.exists("out/iam"), "{form:?}: {:?}", dir.files());
        assert!(dir.exists("out/trust-policies/spinnaker.json"));
    }
}

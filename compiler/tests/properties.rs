//! Property tests over generated programs of the language (v2: sections
//! 2–11 of the language reference). The generator writes every statement and
//! setting (`cluster`, `region`, `role` declarations with their settings and
//! `identity` included), in any order, with any spacing, comments and line
//! ends, and keeps beside each program its meaning, worked out here
//! independently of the compiler (the model below). [`keep_v2_valid`] keeps
//! the v2 rules (diagnostics E080–E100) so that every program is valid. The
//! properties:
//!
//! - a generated program compiles, with exactly the warnings it deserves
//!   (W005 included), to the ServiceAccounts, SpinnakerService and files of
//!   its model;
//! - each role's trust policy is section 7's document for it: the IRSA
//!   statement names exactly its `irsa` and `both` ServiceAccounts with their
//!   audiences, the Pod Identity statement exactly its `pod-identity` and
//!   `both` ones with the cluster and namespace, and no other role's;
//! - `pod-identity/SA.json` are exactly the model's associations;
//! - with `--iam FORM`, every form's trust policy of each managed role is
//!   that document too (and Crossplane without a region is E100);
//! - `fmt` is idempotent and never changes what a program compiles to;
//! - the fuzz targets' properties hold for generated programs and for
//!   arbitrary text.
//!
//! Each property counts the cases that exercised it and fails when none
//! did (a property whose precondition the generator never meets proves
//! nothing). Run with `--nocapture` to see the counts.
//!
//! Adding a statement or a setting is adding a variant to [`Statement`],
//! [`Setting`] or [`RoleSetting`], its strategy, its rendering and its
//! effect on the model, and a [`Feature`] that the coverage test then
//! requires.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use irsa::{EmitOptions, IamForm, Output, Severity};
use irsa_test_support::properties::{
    self as fuzz, Compiled, check_output, meaning, service_settings_order, trust_policy_paths,
};
use proptest::prelude::*;
use proptest::sample::{Index, subsequence};
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde_json::Value;

/// The services of section 4, written here from the language reference, not
/// taken from the compiler.
const SERVICES: [&str; 20] = [
    "clouddriver",
    "deck",
    "echo",
    "fiat",
    "front50",
    "gate",
    "igor",
    "kayenta",
    "orca",
    "rosco",
    "clouddriver-caching",
    "clouddriver-ro",
    "clouddriver-ro-deck",
    "clouddriver-rw",
    "echo-scheduler",
    "echo-worker",
    "redis",
    "monitoring-daemon",
    "dinghy",
    "terraformer",
];

const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// Accounts of full role ARNs besides the `account` statement's, so that
/// roles of one name live in several accounts.
const OTHER_ACCOUNTS: [&str; 2] = ["111111111111", "222222222222"];
const DEFAULT_ACCOUNT: &str = "123456789012";
const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";
const ROLE_ARN: &str = "eks.amazonaws.com/role-arn";
const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

// ---------------------------------------------------------------------------
// The program: what the generator writes, as data.

/// A statement other than a binding (section 3).
#[derive(Debug, Clone)]
enum Statement {
    Spinnaker(String),
    Namespace(String),
    Operator(Operator),
    Armory(String),
    Account(String),
    Partition(String),
    Naming(String),
    Oidc(String),
    Defaults(Vec<Setting>),
    Cluster(String),
    Region(String),
    /// `role ROLE [{ … }]` (section 10).
    Role(Declaration),
}

/// A `role` declaration: the role (written in full or short) and its
/// settings.
#[derive(Debug, Clone)]
struct Declaration {
    role: Role,
    /// Written as a full ARN even where a short name would do.
    full: bool,
    settings: Vec<RoleSetting>,
}

/// A setting of a `role` block (section 10).
#[derive(Debug, Clone, PartialEq, Eq)]
enum RoleSetting {
    Policy(String),
    Boundary(String),
    MaxSession { written: String, seconds: u64 },
    Description(String),
    Tag { key: String, value: String },
}

/// `identity` (section 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "the language's words")]
enum Identity {
    Irsa,
    PodIdentity,
    Both,
}

impl Identity {
    fn uses_irsa(self) -> bool {
        self != Identity::PodIdentity
    }

    fn uses_pod_identity(self) -> bool {
        self != Identity::Irsa
    }

    fn word(self) -> &'static str {
        match self {
            Identity::Irsa => "irsa",
            Identity::PodIdentity => "pod-identity",
            Identity::Both => "both",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Armory,
    Oss,
}

/// A setting of a block or of `defaults` (section 5).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Setting {
    /// The audience as meant (written quoted, escaped).
    Audience(String),
    StsRegionalEndpoints(bool),
    /// As written, and the seconds it means.
    TokenExpiration {
        written: String,
        seconds: u64,
    },
    Annotation {
        key: String,
        value: String,
    },
    Label {
        key: String,
        value: String,
    },
    Identity(Identity),
}

impl Setting {
    /// What "the same setting twice" means: the setting, and the key of
    /// an annotation or label.
    fn slot(&self) -> String {
        match self {
            Setting::Audience(_) => "audience".to_owned(),
            Setting::StsRegionalEndpoints(_) => "sts-regional-endpoints".to_owned(),
            Setting::TokenExpiration { .. } => "token-expiration".to_owned(),
            Setting::Annotation { key, .. } => format!("annotation {key}"),
            Setting::Label { key, .. } => format!("label {key}"),
            Setting::Identity(_) => "identity".to_owned(),
        }
    }

    /// `audience`, `sts-regional-endpoints`, `token-expiration`: they act
    /// on IRSA only (E096 on a `pod-identity` ServiceAccount).
    fn irsa_only(&self) -> bool {
        matches!(
            self,
            Setting::Audience(_)
                | Setting::StsRegionalEndpoints(_)
                | Setting::TokenExpiration { .. }
        )
    }
}

/// The `identity` of settings, `irsa` unless set.
fn identity_of(settings: &[Setting]) -> Identity {
    settings
        .iter()
        .find_map(|s| match s {
            Setting::Identity(identity) => Some(*identity),
            _ => None,
        })
        .unwrap_or(Identity::Irsa)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    All,
    Service(&'static str),
}

/// A role as written: a full ARN or a short name (section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Role {
    partition: String,
    account: String,
    /// Path segments: `a/b` is `["a", "b"]`.
    path: Vec<String>,
    name: String,
    short: bool,
}

impl Role {
    fn arn(&self) -> String {
        let path: String = self.path.iter().map(|s| format!("{s}/")).collect();
        format!(
            "arn:{}:iam::{}:role/{path}{}",
            self.partition, self.account, self.name
        )
    }

    fn written(&self) -> String {
        if self.short {
            let path: String = self.path.iter().map(|s| format!("{s}/")).collect();
            format!("{path}{}", self.name)
        } else {
            self.arn()
        }
    }

    fn key(&self) -> (String, String, String) {
        (
            self.partition.clone(),
            self.account.clone(),
            self.name.clone(),
        )
    }
}

#[derive(Debug, Clone)]
struct Binding {
    targets: Vec<Target>,
    role: Option<Role>,
    service_account: Option<String>,
    /// `None`: no block; `Some(empty)`: `{}`.
    block: Option<Vec<Setting>>,
}

/// How a program is laid out: none of it changes the meaning.
#[derive(Debug, Clone)]
struct Style {
    space: String,
    before_arrow: String,
    after_arrow: String,
    after_comma: String,
    indent: String,
    comment: String,
    eol: String,
    blank_lines: bool,
}

#[derive(Debug, Clone)]
struct Program {
    statements: Vec<Statement>,
    bindings: Vec<Binding>,
    /// Statement `i` is written before binding `positions[i]` (after the
    /// last one when it equals their number).
    positions: Vec<usize>,
    style: Style,
}

impl Program {
    fn statement<T>(&self, pick: impl Fn(&Statement) -> Option<T>) -> Option<T> {
        self.statements.iter().find_map(pick)
    }

    fn namespace(&self) -> Option<String> {
        self.statement(|s| match s {
            Statement::Namespace(n) => Some(n.clone()),
            _ => None,
        })
    }

    fn oidc(&self) -> Option<String> {
        self.statement(|s| match s {
            Statement::Oidc(issuer) => Some(issuer.clone()),
            _ => None,
        })
    }

    fn defaults(&self) -> Vec<Setting> {
        self.statement(|s| match s {
            Statement::Defaults(settings) => Some(settings.clone()),
            _ => None,
        })
        .unwrap_or_default()
    }

    fn cluster(&self) -> Option<String> {
        self.statement(|s| match s {
            Statement::Cluster(c) => Some(c.clone()),
            _ => None,
        })
    }

    /// `region`, else the region of an EKS `oidc` issuer.
    fn region(&self) -> Option<String> {
        self.statement(|s| match s {
            Statement::Region(r) => Some(r.clone()),
            _ => None,
        })
        .or_else(|| self.oidc().and_then(|i| region_of_issuer(&i)))
    }

    fn declarations(&self) -> Vec<&Declaration> {
        self.statements
            .iter()
            .filter_map(|s| match s {
                Statement::Role(d) => Some(d),
                _ => None,
            })
            .collect()
    }

    fn naming(&self) -> String {
        self.statement(|s| match s {
            Statement::Naming(base) => Some(base.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "spin-sa".to_owned())
    }

    /// The source text.
    fn render(&self) -> String {
        let Style {
            space: sp,
            before_arrow,
            after_arrow,
            after_comma,
            indent,
            comment,
            eol,
            blank_lines,
        } = &self.style;
        let mut out = format!("# generated{eol}");
        let settings = |out: &mut String, settings: &[Setting]| {
            for setting in settings {
                let (name, value) = render_setting(setting, sp);
                out.push_str(&format!("{indent}{name}{sp}{value}{comment}{eol}"));
            }
        };
        let statement = |out: &mut String, written: &Statement| {
            let simple = |keyword: &str, value: &str| format!("{keyword}{sp}{value}{comment}{eol}");
            match written {
                Statement::Spinnaker(v) => out.push_str(&simple("spinnaker", v)),
                Statement::Namespace(v) => out.push_str(&simple("namespace", v)),
                Statement::Operator(Operator::Armory) => {
                    out.push_str(&simple("operator", "armory"));
                }
                Statement::Operator(Operator::Oss) => out.push_str(&simple("operator", "oss")),
                Statement::Armory(v) => out.push_str(&simple("armory", v)),
                Statement::Account(v) => out.push_str(&simple("account", v)),
                Statement::Partition(v) => out.push_str(&simple("partition", v)),
                Statement::Naming(v) => out.push_str(&simple("naming", v)),
                Statement::Oidc(v) => out.push_str(&simple("oidc", v)),
                Statement::Cluster(v) => out.push_str(&simple("cluster", v)),
                Statement::Region(v) => out.push_str(&simple("region", v)),
                Statement::Role(declaration) => {
                    let role = if declaration.full || !declaration.role.short {
                        declaration.role.arn()
                    } else {
                        declaration.role.written()
                    };
                    if declaration.settings.is_empty() {
                        out.push_str(&simple("role", &role));
                    } else {
                        out.push_str(&format!("role{sp}{role}{sp}{{{comment}{eol}"));
                        for setting in &declaration.settings {
                            let (name, value) = render_role_setting(setting, sp);
                            out.push_str(&format!("{indent}{name}{sp}{value}{comment}{eol}"));
                        }
                        out.push_str(&format!("}}{eol}"));
                    }
                }
                Statement::Defaults(list) => {
                    out.push_str(&format!("defaults{before_arrow}{{{comment}{eol}"));
                    settings(out, list);
                    out.push_str(&format!("}}{eol}"));
                }
            }
            if *blank_lines {
                out.push_str(eol);
            }
        };
        for (index, binding) in self.bindings.iter().enumerate() {
            for (statement_index, written) in self.statements.iter().enumerate() {
                if self.positions[statement_index] == index {
                    statement(&mut out, written);
                }
            }
            let targets: Vec<&str> = binding
                .targets
                .iter()
                .map(|t| match t {
                    Target::All => "*",
                    Target::Service(name) => name,
                })
                .collect();
            out.push_str(&format!(
                "service{sp}{}",
                targets.join(&format!(",{after_comma}"))
            ));
            if let Some(role) = &binding.role {
                out.push_str(&format!(
                    "{before_arrow}->{after_arrow}role{sp}{}",
                    role.written()
                ));
            }
            if let Some(name) = &binding.service_account {
                out.push_str(&format!("{sp}as{sp}{name}"));
            }
            match &binding.block {
                None => out.push_str(&format!("{comment}{eol}")),
                Some(list) if list.is_empty() => out.push_str(&format!("{sp}{{}}{comment}{eol}")),
                Some(list) => {
                    out.push_str(&format!("{sp}{{{comment}{eol}"));
                    settings(&mut out, list);
                    out.push_str(&format!("}}{eol}"));
                }
            }
            if *blank_lines {
                out.push_str(eol);
            }
        }
        for (statement_index, written) in self.statements.iter().enumerate() {
            if self.positions[statement_index] >= self.bindings.len() {
                statement(&mut out, written);
            }
        }
        out
    }
}

fn quote(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\t', "\\t");
    format!("\"{escaped}\"")
}

fn render_setting(setting: &Setting, sp: &str) -> (&'static str, String) {
    match setting {
        Setting::Audience(text) => ("audience", quote(text)),
        Setting::StsRegionalEndpoints(b) => ("sts-regional-endpoints", b.to_string()),
        Setting::TokenExpiration { written, .. } => ("token-expiration", written.clone()),
        Setting::Annotation { key, value } => {
            ("annotation", format!("{}{sp}{}", quote(key), quote(value)))
        }
        Setting::Label { key, value } => ("label", format!("{}{sp}{}", quote(key), quote(value))),
        Setting::Identity(identity) => ("identity", identity.word().to_owned()),
    }
}

fn render_role_setting(setting: &RoleSetting, sp: &str) -> (&'static str, String) {
    match setting {
        RoleSetting::Policy(arn) => ("policy", arn.clone()),
        RoleSetting::Boundary(arn) => ("boundary", arn.clone()),
        RoleSetting::MaxSession { written, .. } => ("max-session", written.clone()),
        RoleSetting::Description(text) => ("description", quote(text)),
        RoleSetting::Tag { key, value } => ("tag", format!("{}{sp}{}", quote(key), quote(value))),
    }
}

/// The region of an EKS issuer, `oidc.eks.REGION.amazonaws.com[.cn]/…`
/// (section 3), as the generator writes them.
fn region_of_issuer(issuer: &str) -> Option<String> {
    let host = issuer.split('/').next()?;
    let rest = host.strip_prefix("oidc.eks.")?;
    let region = rest
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| rest.strip_suffix(".amazonaws.com"))?;
    Some(region.to_owned())
}

// ---------------------------------------------------------------------------
// The model: what a program means, from the language reference.

#[derive(Debug, Clone, PartialEq, Eq)]
struct ServiceAccount {
    name: String,
    annotations: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    role: Role,
    audience: String,
    identity: Identity,
}

/// The IRSA statement of a trust policy (section 7).
#[derive(Debug, Clone, PartialEq, Eq)]
struct IrsaTrust {
    federated: String,
    issuer: String,
    subjects: Vec<String>,
    audiences: Vec<String>,
}

/// The Pod Identity statement of a trust policy (section 11).
#[derive(Debug, Clone, PartialEq, Eq)]
struct PodIdentityTrust {
    cluster: String,
    namespace: String,
    service_accounts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct TrustPolicy {
    role: Role,
    irsa: Option<IrsaTrust>,
    pod_identity: Option<PodIdentityTrust>,
}

/// One value as a plain string, several as a list (sections 7 and 11).
fn one_or_many(values: &[String]) -> Value {
    match values {
        [one] => Value::from(one.as_str()),
        many => Value::from(many.to_vec()),
    }
}

impl TrustPolicy {
    /// The document of sections 7 and 11, written here from the reference.
    fn document(&self) -> Value {
        let mut statements = Vec::new();
        if let Some(irsa) = &self.irsa {
            statements.push(serde_json::json!({
                "Effect": "Allow",
                "Principal": { "Federated": irsa.federated },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        format!("{}:sub", irsa.issuer): one_or_many(&irsa.subjects),
                        format!("{}:aud", irsa.issuer): one_or_many(&irsa.audiences),
                    }
                }
            }));
        }
        if let Some(pod) = &self.pod_identity {
            statements.push(serde_json::json!({
                "Effect": "Allow",
                "Principal": { "Service": "pods.eks.amazonaws.com" },
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {
                        "aws:RequestTag/eks-cluster-name": pod.cluster,
                        "aws:RequestTag/kubernetes-namespace": pod.namespace,
                        "aws:RequestTag/kubernetes-service-account": one_or_many(&pod.service_accounts),
                    }
                }
            }));
        }
        serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
    }
}

#[derive(Debug, Clone)]
struct Expected {
    api_version: &'static str,
    name: String,
    namespace: Option<String>,
    accounts: Vec<ServiceAccount>,
    /// `service-settings`, in order: key → ServiceAccount.
    settings: Vec<(String, String)>,
    /// By file path.
    policies: BTreeMap<String, TrustPolicy>,
    /// `pod-identity/SA.json` by path: the association's fields.
    associations: BTreeMap<String, Value>,
    /// The managed roles (section 10), in order of declaration, each with
    /// the path of its trust policy.
    managed: Vec<(Role, String)>,
    /// Where an output needs it: `region`, else the `oidc` issuer's.
    region: Option<String>,
    /// W002, W003 and W005 (W001 depends on the policies' length: checked
    /// on the output).
    warnings: BTreeMap<&'static str, usize>,
}

/// A block over `defaults`, key by key (section 5).
fn effective(defaults: &[Setting], block: &[Setting]) -> Vec<Setting> {
    let mut merged: Vec<Setting> = defaults
        .iter()
        .filter(|d| !block.iter().any(|b| b.slot() == d.slot()))
        .cloned()
        .collect();
    merged.extend(block.iter().cloned());
    merged
}

fn expected(program: &Program) -> Expected {
    let namespace = program.namespace();
    let naming = program.naming();
    let defaults = program.defaults();
    let mut accounts: Vec<ServiceAccount> = Vec::new();
    let mut settings: Vec<(String, String)> = Vec::new();
    let mut long_tokens = 0;
    for setting in defaults.iter().chain(
        program
            .bindings
            .iter()
            .flat_map(|b| b.block.iter().flatten()),
    ) {
        if matches!(setting, Setting::TokenExpiration { seconds, .. } if *seconds > 86_400) {
            long_tokens += 1;
        }
    }
    // W005: once per ServiceAccount of a Java service on Pod Identity only.
    let mut old_sdk: BTreeSet<String> = BTreeSet::new();
    for binding in &program.bindings {
        let merged = effective(&defaults, binding.block.as_deref().unwrap_or_default());
        let identity = identity_of(&merged);
        for target in &binding.targets {
            let (key, derived) = match target {
                Target::All => ("spinnaker".to_owned(), naming.clone()),
                Target::Service(service) => ((*service).to_owned(), format!("{naming}-{service}")),
            };
            let name = binding.service_account.clone().unwrap_or(derived);
            settings.push((key, name.clone()));
            let Some(role) = &binding.role else { continue };
            if accounts.iter().any(|a| a.name == name) {
                continue;
            }
            let mut annotations = BTreeMap::new();
            if identity.uses_irsa() {
                annotations.insert(ROLE_ARN.to_owned(), role.arn());
            }
            let mut labels = BTreeMap::from([(MANAGED_BY.to_owned(), "irsa".to_owned())]);
            let mut audience = DEFAULT_AUDIENCE.to_owned();
            for setting in &merged {
                let (key, value) = match setting {
                    Setting::Audience(text) => {
                        audience = text.clone();
                        ("eks.amazonaws.com/audience".to_owned(), text.clone())
                    }
                    Setting::StsRegionalEndpoints(b) => (
                        "eks.amazonaws.com/sts-regional-endpoints".to_owned(),
                        b.to_string(),
                    ),
                    Setting::TokenExpiration { seconds, .. } => (
                        "eks.amazonaws.com/token-expiration".to_owned(),
                        seconds.to_string(),
                    ),
                    Setting::Annotation { key, value } => (key.clone(), value.clone()),
                    Setting::Label { key, value } => {
                        labels.insert(key.clone(), value.clone());
                        continue;
                    }
                    Setting::Identity(_) => continue,
                };
                annotations.insert(key, value);
            }
            accounts.push(ServiceAccount {
                name,
                annotations,
                labels,
                role: role.clone(),
                audience,
                identity,
            });
        }
    }
    // W005: a Java service (`*` included) runs under a Pod-Identity-only
    // ServiceAccount, whether its binding names the role or points at the
    // ServiceAccount with `as`.
    for (key, name) in &settings {
        let java = !["deck", "redis", "dinghy", "terraformer"].contains(&key.as_str());
        let pod_identity_only = accounts
            .iter()
            .any(|a| a.name == *name && a.identity == Identity::PodIdentity);
        if java && pod_identity_only {
            old_sdk.insert(name.clone());
        }
    }
    // `spinnaker` (for `*`) first, then services in order of appearance.
    settings.sort_by_key(|(key, _)| key != "spinnaker");

    // Roles in order of first appearance, with their ServiceAccounts.
    let mut roles: Vec<(Role, Vec<&ServiceAccount>)> = Vec::new();
    for account in &accounts {
        match roles
            .iter_mut()
            .find(|(role, _)| role.key() == account.role.key())
        {
            Some((_, carriers)) => carriers.push(account),
            None => roles.push((account.role.clone(), vec![account])),
        }
    }
    let many = roles
        .iter()
        .filter(|(_, carriers)| carriers.len() > 4)
        .count();
    // A role gets a trust policy when every way its ServiceAccounts reach
    // it can be written: IRSA needs `oidc` (and `namespace`), Pod Identity
    // `cluster` and `namespace` (which a valid program has).
    let cluster = program.cluster();
    let mut trusted: Vec<TrustPolicy> = Vec::new();
    for (role, carriers) in &roles {
        let irsa_users: Vec<&&ServiceAccount> =
            carriers.iter().filter(|c| c.identity.uses_irsa()).collect();
        let pod_users: Vec<&&ServiceAccount> = carriers
            .iter()
            .filter(|c| c.identity.uses_pod_identity())
            .collect();
        let irsa = match (program.oidc(), &namespace, irsa_users.is_empty()) {
            (Some(issuer), Some(namespace), false) => {
                let mut audiences: Vec<String> = Vec::new();
                for carrier in &irsa_users {
                    if !audiences.contains(&carrier.audience) {
                        audiences.push(carrier.audience.clone());
                    }
                }
                Some(IrsaTrust {
                    federated: format!(
                        "arn:{}:iam::{}:oidc-provider/{issuer}",
                        role.partition, role.account
                    ),
                    issuer,
                    subjects: irsa_users
                        .iter()
                        .map(|c| format!("system:serviceaccount:{namespace}:{}", c.name))
                        .collect(),
                    audiences,
                })
            }
            _ => None,
        };
        let pod_identity = match (&cluster, &namespace, pod_users.is_empty()) {
            (Some(cluster), Some(namespace), false) => Some(PodIdentityTrust {
                cluster: cluster.clone(),
                namespace: namespace.clone(),
                service_accounts: pod_users.iter().map(|c| c.name.clone()).collect(),
            }),
            _ => None,
        };
        let whole = (irsa_users.is_empty() || irsa.is_some())
            && (pod_users.is_empty() || pod_identity.is_some());
        if whole {
            trusted.push(TrustPolicy {
                role: role.clone(),
                irsa,
                pod_identity,
            });
        }
    }
    let keys: Vec<_> = trusted.iter().map(|t| t.role.key()).collect();
    let policies: BTreeMap<String, TrustPolicy> = trust_policy_paths(&keys)
        .into_iter()
        .zip(trusted)
        .map(|((_, path), policy)| (path, policy))
        .collect();
    let associations = accounts
        .iter()
        .filter(|a| a.identity.uses_pod_identity())
        .map(|a| {
            (
                format!("pod-identity/{}.json", a.name),
                serde_json::json!({
                    "clusterName": cluster.clone().unwrap_or_default(),
                    "namespace": namespace.clone().unwrap_or_default(),
                    "serviceAccount": a.name,
                    "roleArn": a.role.arn(),
                }),
            )
        })
        .collect();
    let managed = program
        .declarations()
        .into_iter()
        .map(|d| {
            let path = policies
                .iter()
                .find(|(_, p)| p.role.key() == d.role.key())
                .map(|(path, _)| path.clone())
                .expect("a managed role has a trust policy");
            (d.role.clone(), path)
        })
        .collect();
    let mut warnings = BTreeMap::new();
    if many > 0 {
        warnings.insert("W002", many);
    }
    if long_tokens > 0 {
        warnings.insert("W003", long_tokens);
    }
    if !old_sdk.is_empty() {
        warnings.insert("W005", old_sdk.len());
    }
    let operator = program.statement(|s| match s {
        Statement::Operator(o) => Some(*o),
        _ => None,
    });
    Expected {
        api_version: match operator {
            Some(Operator::Oss) => "spinnaker.io/v1alpha2",
            _ => "spinnaker.armory.io/v1alpha2",
        },
        name: program
            .statement(|s| match s {
                Statement::Spinnaker(n) => Some(n.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "spinnaker".to_owned()),
        namespace,
        accounts,
        settings,
        policies,
        associations,
        managed,
        region: program.region(),
        warnings,
    }
}
// ---------------------------------------------------------------------------
// The generator.

/// White space between words.
fn space() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(" ".to_owned()),
        1 => Just("  ".to_owned()),
        1 => Just("\t".to_owned()),
        1 => Just(" \t ".to_owned())
    ]
}

/// Nothing, or white space.
fn maybe_space() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), space()]
}

fn style() -> impl Strategy<Value = Style> {
    (
        space(),
        maybe_space(),
        maybe_space(),
        maybe_space(),
        prop_oneof![
            Just(String::new()),
            Just("  ".to_owned()),
            Just("\t".to_owned())
        ],
        prop_oneof![
            3 => Just(String::new()),
            1 => "[ -~&&[^\r\n]]{0,20}".prop_map(|text| format!(" #{text}")),
        ],
        prop_oneof![4 => Just("\n".to_owned()), 1 => Just("\r\n".to_owned())],
        prop::bool::ANY,
    )
        .prop_map(
            |(space, before_arrow, after_arrow, after_comma, indent, comment, eol, blank_lines)| {
                Style {
                    space,
                    before_arrow,
                    after_arrow,
                    after_comma,
                    indent,
                    comment,
                    eol,
                    blank_lines,
                }
            },
        )
}

/// A DNS-1123 label.
fn dns_label() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?"
}

/// A DNS-1123 subdomain.
fn dns_subdomain() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,4}[a-z0-9])?){0,2}"
}

/// Text for quoted strings, with characters that need escapes.
fn text(min: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => "[ -~]",
            1 => Just("\n".to_owned()),
            1 => Just("\t".to_owned()),
            1 => Just("é".to_owned()),
            1 => Just("\"".to_owned()),
            1 => Just("\\".to_owned()),
        ],
        min..12,
    )
    .prop_map(|chars| chars.concat())
}

/// A Kubernetes qualified name: `[PREFIX/]NAME`.
fn qualified_name() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just(None),
            Just(Some("example.com".to_owned())),
            Just(Some("eks.amazonaws.com".to_owned())),
            dns_subdomain().prop_map(Some),
        ],
        "[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?",
    )
        .prop_map(|(prefix, name)| match prefix {
            Some(prefix) => format!("{prefix}/{name}"),
            None => name,
        })
}

fn token_expiration() -> impl Strategy<Value = Setting> {
    prop_oneof![
        (600u64..=100_000).prop_map(|seconds| Setting::TokenExpiration {
            written: seconds.to_string(),
            seconds
        }),
        (
            prop::option::of(0u64..=30),
            prop::option::of(0u64..=99),
            prop::option::of(0u64..=99)
        )
            .prop_filter_map("at least 600 seconds", |(h, m, s)| {
                let seconds = h.unwrap_or(0) * 3600 + m.unwrap_or(0) * 60 + s.unwrap_or(0);
                let written: String = [(h, 'h'), (m, 'm'), (s, 's')]
                    .iter()
                    .filter_map(|(n, unit)| n.map(|n| format!("{n}{unit}")))
                    .collect();
                (seconds >= 600).then_some(Setting::TokenExpiration { written, seconds })
            }),
    ]
}

fn setting() -> impl Strategy<Value = Setting> {
    prop_oneof![
        text(1).prop_map(Setting::Audience),
        prop::bool::ANY.prop_map(Setting::StsRegionalEndpoints),
        token_expiration(),
        (qualified_name(), text(0))
            .prop_filter("irsa writes these itself", |(key, _)| {
                ![
                    "eks.amazonaws.com/role-arn",
                    "eks.amazonaws.com/audience",
                    "eks.amazonaws.com/sts-regional-endpoints",
                    "eks.amazonaws.com/token-expiration",
                ]
                .contains(&key.as_str())
            })
            .prop_map(|(key, value)| Setting::Annotation { key, value }),
        (
            qualified_name(),
            "([A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?)?"
        )
            .prop_filter("irsa sets this label", |(key, _)| key != MANAGED_BY)
            .prop_map(|(key, value)| Setting::Label { key, value }),
        prop_oneof![
            Just(Identity::Irsa),
            Just(Identity::PodIdentity),
            Just(Identity::Both)
        ]
        .prop_map(Setting::Identity),
    ]
}

/// A policy ARN moved into another partition.
fn in_partition(arn: &str, partition: &str) -> String {
    let mut parts: Vec<&str> = arn.splitn(3, ':').collect();
    parts[1] = partition;
    parts.join(":")
}

/// A managed policy ARN (section 10): an AWS managed policy or one of an
/// account, with or without a path.
fn policy_arn() -> impl Strategy<Value = String> {
    (
        prop::sample::select(PARTITIONS.to_vec()),
        prop_oneof![Just("aws".to_owned()), "[0-9]{12}"],
        prop_oneof![
            2 => Just(String::new()),
            1 => "[a-z0-9]{1,6}(/[a-z0-9]{1,6})?/",
        ],
        "[A-Za-z0-9_+=,.@-]{1,24}",
    )
        .prop_map(|(partition, account, path, name)| {
            format!("arn:{partition}:iam::{account}:policy/{path}{name}")
        })
}

fn max_session() -> impl Strategy<Value = RoleSetting> {
    prop_oneof![
        (3600u64..=43_200).prop_map(|seconds| RoleSetting::MaxSession {
            written: seconds.to_string(),
            seconds
        }),
        (1u64..=12).prop_map(|hours| RoleSetting::MaxSession {
            written: format!("{hours}h"),
            seconds: hours * 3600
        }),
        (1u64..=11, 0u64..=59).prop_map(|(hours, minutes)| RoleSetting::MaxSession {
            written: format!("{hours}h{minutes}m"),
            seconds: hours * 3600 + minutes * 60
        }),
    ]
}

/// A `role` block's settings: each once (`policy` and `tag` once per value
/// or key), a few policies (no W004). Tags in ASCII.
fn role_settings() -> impl Strategy<Value = Vec<RoleSetting>> {
    (
        prop::collection::vec(policy_arn(), 0..4),
        prop::option::of(policy_arn()),
        prop::option::of(max_session()),
        prop::option::of(text(0)),
        prop::collection::vec(
            (
                "[A-Za-z0-9_.:/=+@-][A-Za-z0-9 _.:/=+@-]{0,12}",
                "[A-Za-z0-9 _.:/=+@-]{0,12}",
            ),
            0..4,
        ),
    )
        .prop_map(|(policies, boundary, max_session, description, tags)| {
            let mut settings: Vec<RoleSetting> = Vec::new();
            for policy in policies {
                if !settings.contains(&RoleSetting::Policy(policy.clone())) {
                    settings.push(RoleSetting::Policy(policy));
                }
            }
            settings.extend(boundary.map(RoleSetting::Boundary));
            settings.extend(max_session);
            settings.extend(description.map(RoleSetting::Description));
            let mut keys = BTreeSet::new();
            for (key, value) in tags {
                let reserved = key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
                    || key == MANAGED_BY;
                if !reserved && keys.insert(key.clone()) {
                    settings.push(RoleSetting::Tag { key, value });
                }
            }
            settings
        })
}

/// What v2 adds to a program, before the fix-ups that keep it valid.
#[derive(Debug, Clone)]
struct V2Seed {
    /// `cluster`, written even where no Pod Identity needs it.
    cluster: Option<String>,
    /// 0: no `region`; 1: the issuer's (or any without one); 2: any, but
    /// only without an EKS issuer.
    region_mode: u8,
    region: String,
    /// An EKS issuer for a program that needs `oidc`.
    issuer: String,
    /// Which used roles are declared, by order of appearance.
    declare: Vec<bool>,
    /// Declarations written in full.
    full: Vec<bool>,
    role_settings: Vec<Vec<RoleSetting>>,
}

fn region() -> impl Strategy<Value = String> {
    "(us|eu|ap|cn|me|sa)-(gov-)?(east|west|north|south|central|northeast)-[1-3]"
}

fn eks_issuer() -> impl Strategy<Value = String> {
    (region(), prop::bool::ANY, "[0-9A-F]{32}").prop_map(|(region, china, id)| {
        let suffix = if china { ".cn" } else { "" };
        format!("oidc.eks.{region}.amazonaws.com{suffix}/id/{id}")
    })
}

fn v2_seed() -> impl Strategy<Value = V2Seed> {
    (
        prop::option::of("[A-Za-z0-9][A-Za-z0-9_-]{0,15}"),
        0u8..3,
        region(),
        eks_issuer(),
        prop::collection::vec(prop::bool::weighted(0.4), 5),
        prop::collection::vec(prop::bool::ANY, 5),
        prop::collection::vec(role_settings(), 5),
    )
        .prop_map(
            |(cluster, region_mode, region, issuer, declare, full, role_settings)| V2Seed {
                cluster,
                region_mode,
                region,
                issuer,
                declare,
                full,
                role_settings,
            },
        )
}

/// A block's settings: each setting (and annotation or label key) once.
fn block() -> impl Strategy<Value = Vec<Setting>> {
    prop::collection::vec(setting(), 0..6).prop_map(|settings| {
        let mut seen = BTreeSet::new();
        settings
            .into_iter()
            .filter(|s| seen.insert(s.slot()))
            .collect()
    })
}

fn issuer() -> impl Strategy<Value = String> {
    prop_oneof![
        eks_issuer(),
        "[a-z0-9]([a-z0-9.-]{0,10}[a-z0-9])?(:[0-9]{2,4})?/[A-Za-z0-9._~-]{1,10}(/[A-Za-z0-9._~-]{1,10}){0,2}",
    ]
}

fn armory_version() -> impl Strategy<Value = String> {
    prop_oneof![
        (26u32..=45, prop::option::of(0u32..=20)).prop_map(|(minor, patch)| match patch {
            Some(patch) => format!("2.{minor}.{patch}"),
            None => format!("2.{minor}"),
        }),
        (3u32..=9, 0u32..=99, prop::option::of(0u32..=9)).prop_map(|(major, minor, patch)| {
            match patch {
                Some(patch) => format!("{major}.{minor}.{patch}"),
                None => format!("{major}.{minor}"),
            }
        }),
    ]
}

/// The statements of a program, at most one of each (`armory` never with
/// `operator oss`; `oidc` always with `namespace`, which its trust policies
/// need).
fn statements() -> impl Strategy<Value = Vec<Statement>> {
    (
        (
            prop::option::of(dns_subdomain()),
            prop::option::of(dns_label()),
            prop::option::of(prop_oneof![Just(Operator::Armory), Just(Operator::Oss)]),
            prop::option::of(armory_version()),
        ),
        (
            prop::option::of("[0-9]{12}"),
            prop::option::of(prop::sample::select(PARTITIONS.to_vec())),
            prop::option::of("n([a-z0-9-]{0,8}[a-z0-9])?(\\.[a-z0-9]{1,4})?"),
            prop::option::of(issuer()),
            prop::option::of(block()),
        ),
    )
        .prop_map(
            |(
                (spinnaker, mut namespace, operator, mut armory),
                (account, partition, naming, oidc, defaults),
            )| {
                if operator == Some(Operator::Oss) {
                    armory = None;
                }
                if oidc.is_some() && namespace.is_none() {
                    namespace = Some("spinnaker".to_owned());
                }
                let mut statements = Vec::new();
                statements.extend(spinnaker.map(Statement::Spinnaker));
                statements.extend(namespace.map(Statement::Namespace));
                statements.extend(operator.map(Statement::Operator));
                statements.extend(armory.map(Statement::Armory));
                statements.extend(account.map(Statement::Account));
                statements.extend(partition.map(|p| Statement::Partition(p.to_owned())));
                statements.extend(naming.map(Statement::Naming));
                statements.extend(oidc.map(Statement::Oidc));
                statements.extend(defaults.map(Statement::Defaults));
                statements
            },
        )
}

/// A role, before the statements say what a short name expands to.
#[derive(Debug, Clone)]
struct RoleSeed {
    short: bool,
    partition: usize,
    account: usize,
    path: Vec<String>,
    name: String,
}

/// IAM role names are unique whatever their case (E035): each name gets one
/// spelling, a function of its lower-case form (upper case for some names,
/// so that upper-case role names stay covered).
fn one_spelling(tail: &str) -> String {
    let lower = tail.to_ascii_lowercase();
    if lower.bytes().map(u32::from).sum::<u32>() % 3 == 0 {
        lower.to_ascii_uppercase()
    } else {
        lower
    }
}

/// Role names are unique in an account whatever their path (E035), so a
/// valid program never gives one name two paths: a name without a path
/// starts with `r`, and a name under a path is `p`, the path's segments
/// joined with `.`, `_` and a letter (no segment holds `.`). Names come from
/// a small set, so that roles of one name in several accounts (and so
/// `ACCOUNT-NAME.json` trust policies) are common.
fn role_seed() -> impl Strategy<Value = RoleSeed> {
    (
        prop::bool::ANY,
        0..PARTITIONS.len(),
        0..=OTHER_ACCOUNTS.len(),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => prop::collection::vec("[a-z]{1,6}", 1..=2),
        ],
        prop_oneof![
            4 => Just("a".to_owned()),
            2 => Just("b".to_owned()),
            1 => "[a-zA-Z0-9+=,.@_-]{1,20}",
        ],
    )
        .prop_map(|(short, partition, account, path, tail)| {
            let tail = one_spelling(&tail);
            let name = if path.is_empty() {
                format!("r{tail}")
            } else {
                let tail: String = tail.chars().filter(char::is_ascii_alphanumeric).collect();
                format!(
                    "p{}_{}",
                    path.join("."),
                    if tail.is_empty() { "x" } else { &tail }
                )
            };
            RoleSeed {
                short,
                partition,
                account,
                path,
                name,
            }
        })
}

/// The shape of one binding, before the targets are dealt out.
#[derive(Debug, Clone)]
struct Shape {
    /// How many targets, for a list.
    len: usize,
    kind: Kind,
    role: Index,
    block: Option<Vec<Setting>>,
    /// For `as` names.
    suffix: String,
    earlier: Index,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `-> role R`: derived ServiceAccount names.
    Role,
    /// `-> role R as SA`: one ServiceAccount for the list.
    RoleAs,
    /// `as SA` alone: a ServiceAccount managed elsewhere, or one that
    /// another binding generates.
    As,
    /// The role, name and block of an earlier `RoleAs` binding: one
    /// ServiceAccount shared by two bindings.
    Shared,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        prop_oneof![3 => Just(1usize), 1 => 2usize..=4],
        prop_oneof![
            5 => Just(Kind::Role),
            3 => Just(Kind::RoleAs),
            1 => Just(Kind::As),
            1 => Just(Kind::Shared),
        ],
        any::<Index>(),
        prop::option::of(block()),
        "(-[a-z0-9]{1,6})?(\\.[a-z0-9]{1,4})?",
        any::<Index>(),
    )
        .prop_map(|(len, kind, role, block, suffix, earlier)| Shape {
            len,
            kind,
            role,
            block,
            suffix,
            earlier,
        })
}

fn program() -> impl Strategy<Value = Program> {
    (
        statements(),
        prop::collection::vec(role_seed(), 1..=5),
        subsequence(SERVICES.to_vec(), 1..12).prop_shuffle(),
        prop::option::of(any::<Index>()),
        prop::collection::vec(shape(), 12),
        prop::collection::vec(any::<Index>(), 16),
        style(),
        v2_seed(),
    )
        .prop_map(
            |(mut statements, seeds, services, star, shapes, positions, style, v2)| {
                let account = statements.iter().find_map(|s| match s {
                    Statement::Account(a) => Some(a.clone()),
                    _ => None,
                });
                let partition = statements
                    .iter()
                    .find_map(|s| match s {
                        Statement::Partition(p) => Some(p.clone()),
                        _ => None,
                    })
                    .unwrap_or_else(|| "aws".to_owned());
                // Short names need `account`; without one they are written in full.
                let roles: Vec<Role> = seeds
                    .into_iter()
                    .map(|seed| match (&account, seed.short) {
                        (Some(account), true) => Role {
                            partition: partition.clone(),
                            account: account.clone(),
                            path: seed.path,
                            name: seed.name,
                            short: true,
                        },
                        _ => Role {
                            partition: PARTITIONS[seed.partition].to_owned(),
                            account: match seed.account {
                                0 => account
                                    .clone()
                                    .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned()),
                                other => OTHER_ACCOUNTS[other - 1].to_owned(),
                            },
                            path: seed.path,
                            name: seed.name,
                            short: false,
                        },
                    })
                    .collect();
                let mut targets: Vec<Target> = services.into_iter().map(Target::Service).collect();
                if let Some(at) = star {
                    targets.insert(at.index(targets.len() + 1), Target::All);
                }
                let mut bindings: Vec<Binding> = Vec::new();
                let mut rest = targets.as_slice();
                for (index, shape) in shapes.iter().cycle().enumerate() {
                    let Some(first) = rest.first() else { break };
                    // `*` stands alone.
                    let len = if *first == Target::All {
                        1
                    } else {
                        rest.iter()
                            .take(shape.len)
                            .take_while(|t| **t != Target::All)
                            .count()
                    };
                    let (taken, remaining) = rest.split_at(len);
                    rest = remaining;
                    let named: Vec<&Binding> = bindings
                        .iter()
                        .filter(|b| b.role.is_some() && b.service_account.is_some())
                        .collect();
                    let earlier = (!named.is_empty())
                        .then(|| named[shape.earlier.index(named.len())].clone());
                    let role = roles[shape.role.index(roles.len())].clone();
                    let own_name = format!("a{index}{}", shape.suffix);
                    let binding = match (shape.kind, earlier) {
                        (Kind::Shared, Some(earlier)) => Binding {
                            targets: taken.to_vec(),
                            ..earlier
                        },
                        (Kind::As, earlier) => Binding {
                            targets: taken.to_vec(),
                            role: None,
                            // Half the time a ServiceAccount that another binding generates.
                            service_account: Some(match earlier {
                                Some(earlier) if index % 2 == 0 => {
                                    earlier.service_account.unwrap_or(own_name)
                                }
                                _ => own_name,
                            }),
                            block: None,
                        },
                        (Kind::RoleAs | Kind::Shared, _) => Binding {
                            targets: taken.to_vec(),
                            role: Some(role),
                            service_account: Some(own_name),
                            block: shape.block.clone(),
                        },
                        (Kind::Role, _) => Binding {
                            targets: taken.to_vec(),
                            role: Some(role),
                            service_account: None,
                            block: shape.block.clone(),
                        },
                    };
                    bindings.push(binding);
                }
                // At least one binding generates a ServiceAccount.
                if bindings.iter().all(|b| b.role.is_none()) {
                    bindings[0].role = Some(roles[0].clone());
                }
                keep_v2_valid(&mut statements, &mut bindings, &v2);
                let count = bindings.len();
                let positions = positions
                    .iter()
                    .cycle()
                    .take(statements.len())
                    .map(|p| p.index(count + 1))
                    .collect();
                Program {
                    statements,
                    bindings,
                    positions,
                    style,
                }
            },
        )
}

/// Makes a program with `identity` settings valid, and adds `cluster`,
/// `region` and `role` declarations (diagnostics.md, E080–E100):
///
/// - IRSA settings never reach a `pod-identity` ServiceAccount (E096): a
///   `defaults` that chooses Pod Identity loses them, a block that does
///   too, and a block that would inherit them from `defaults` says `both`;
/// - Pod Identity brings `cluster` and `namespace` (E097, E098);
/// - a role reached both ways brings `oidc` (E099);
/// - `region` never contradicts an EKS issuer (E082);
/// - declared roles are used (E084), in one account and partition (E085),
///   and without `oidc` only those with Pod Identity ServiceAccounts
///   (E086).
fn keep_v2_valid(statements: &mut Vec<Statement>, bindings: &mut [Binding], v2: &V2Seed) {
    let mut defaults: Vec<Setting> = statements
        .iter()
        .find_map(|s| match s {
            Statement::Defaults(d) => Some(d.clone()),
            _ => None,
        })
        .unwrap_or_default();
    if identity_of(&defaults) == Identity::PodIdentity {
        defaults.retain(|s| !s.irsa_only());
        for statement in statements.iter_mut() {
            if let Statement::Defaults(d) = statement {
                d.clone_from(&defaults);
            }
        }
    }
    let defaults_irsa = defaults.iter().any(Setting::irsa_only);
    let mut identities: Vec<(Role, Identity)> = Vec::new();
    for binding in bindings.iter_mut() {
        if binding.role.is_none() {
            continue;
        }
        let block = binding.block.as_deref().unwrap_or_default();
        if identity_of(&effective(&defaults, block)) == Identity::PodIdentity {
            let mut block: Vec<Setting> =
                block.iter().filter(|s| !s.irsa_only()).cloned().collect();
            if defaults_irsa {
                block.retain(|s| !matches!(s, Setting::Identity(_)));
                block.push(Setting::Identity(Identity::Both));
            }
            binding.block = Some(block);
        }
        let identity = identity_of(&effective(
            &defaults,
            binding.block.as_deref().unwrap_or_default(),
        ));
        identities.push((binding.role.clone().unwrap(), identity));
    }
    let has = |statements: &[Statement], pick: fn(&Statement) -> bool| statements.iter().any(pick);
    let pod_identity = identities.iter().any(|(_, i)| i.uses_pod_identity());
    if (pod_identity || v2.cluster.is_some())
        && !has(statements, |s| matches!(s, Statement::Cluster(_)))
    {
        let name = v2.cluster.clone().unwrap_or_else(|| "prod".to_owned());
        statements.push(Statement::Cluster(name));
    }
    // Roles in order of appearance, and how they are reached.
    let mut roles: Vec<(Role, bool, bool)> = Vec::new();
    for (role, identity) in &identities {
        let at = match roles.iter().position(|(r, _, _)| r.key() == role.key()) {
            Some(at) => at,
            None => {
                roles.push((role.clone(), false, false));
                roles.len() - 1
            }
        };
        roles[at].1 |= identity.uses_irsa();
        roles[at].2 |= identity.uses_pod_identity();
    }
    let both_ways = roles.iter().any(|(_, irsa, pod)| *irsa && *pod);
    if both_ways && !has(statements, |s| matches!(s, Statement::Oidc(_))) {
        statements.push(Statement::Oidc(v2.issuer.clone()));
    }
    let oidc = statements.iter().find_map(|s| match s {
        Statement::Oidc(issuer) => Some(issuer.clone()),
        _ => None,
    });
    if (pod_identity || oidc.is_some())
        && !has(statements, |s| matches!(s, Statement::Namespace(_)))
    {
        statements.push(Statement::Namespace("spinnaker".to_owned()));
    }
    let from_issuer = oidc.as_deref().and_then(region_of_issuer);
    let region = match (v2.region_mode, from_issuer) {
        (1, Some(region)) => Some(region),
        (1 | 2, None) => Some(v2.region.clone()),
        _ => None,
    };
    statements.extend(region.map(Statement::Region));
    // Declarations: used roles of one account and partition, whose trust
    // policy can be written.
    let mut first: Option<(String, String)> = None;
    for (index, (role, irsa, pod)) in roles.iter().enumerate() {
        let declare = v2.declare[index % v2.declare.len()];
        let writable = oidc.is_some() || (*pod && !*irsa);
        let home = (role.partition.clone(), role.account.clone());
        if !declare || !writable || first.as_ref().is_some_and(|f| *f != home) {
            continue;
        }
        first = Some(home);
        // IAM attaches only policies of the role's own partition (E101);
        // two policies that differ only in partition become one (E088).
        let mut settings: Vec<RoleSetting> = Vec::new();
        for setting in &v2.role_settings[index % v2.role_settings.len()] {
            let moved = match setting {
                RoleSetting::Policy(arn) => RoleSetting::Policy(in_partition(arn, &role.partition)),
                RoleSetting::Boundary(arn) => {
                    RoleSetting::Boundary(in_partition(arn, &role.partition))
                }
                other => other.clone(),
            };
            if !(matches!(moved, RoleSetting::Policy(_)) && settings.contains(&moved)) {
                settings.push(moved);
            }
        }
        statements.push(Statement::Role(Declaration {
            role: role.clone(),
            full: v2.full[index % v2.full.len()],
            settings,
        }));
    }
}

// ---------------------------------------------------------------------------
// Running properties, and proving they ran.

/// 256 cases a property; failures are kept in
/// `properties.proptest-regressions` beside this file and replayed first.
fn config() -> Config {
    Config {
        cases: 256,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

/// Runs a property over generated values. The property returns whether the
/// case exercised it; the counts are returned, and printed.
fn run<S: Strategy>(
    name: &str,
    strategy: S,
    property: impl Fn(S::Value) -> Result<bool, TestCaseError>,
) -> (usize, usize) {
    let cases = AtomicUsize::new(0);
    let exercised = AtomicUsize::new(0);
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |value| {
        cases.fetch_add(1, Ordering::Relaxed);
        if property(value)? {
            exercised.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
    let counts = (cases.into_inner(), exercised.into_inner());
    eprintln!("{name}: {} of {} cases exercised it", counts.1, counts.0);
    counts
}

fn compile(source: &str) -> (Output, Vec<&'static str>) {
    let compilation = irsa::compile(source, EmitOptions::default()).expect("emission never fails");
    let errors: Vec<String> = compilation
        .diagnostics
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| format!("{}: {} at {:?}", d.code.as_str(), d.message, d.span))
        .collect();
    assert!(errors.is_empty(), "{source}\n{errors:#?}");
    let codes = compilation
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    (compilation.output.expect("output without errors"), codes)
}

fn documents(text: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(text).unwrap()
}

fn strings(value: &Value) -> BTreeMap<String, String> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The compact length of a JSON document, as IAM counts it (characters).
fn compact_len(json: &str) -> usize {
    serde_json::to_string(&serde_json::from_str::<Value>(json).unwrap())
        .unwrap()
        .chars()
        .count()
}

#[test]
fn generated_programs_compile_to_their_meaning() {
    let (cases, exercised) = run("compiles to its meaning", program(), |program| {
        let source = program.render();
        let model = expected(&program);
        let (output, codes) = compile(&source);
        let long_policies = output
            .files
            .iter()
            .filter(|f| f.path.ends_with(".json") && compact_len(&f.content) > 2048)
            .count();
        let mut warnings = model.warnings.clone();
        if long_policies > 0 {
            warnings.insert("W001", long_policies);
        }
        let mut found: BTreeMap<&str, usize> = BTreeMap::new();
        for code in codes {
            *found.entry(code).or_default() += 1;
        }
        prop_assert_eq!(found, warnings, "{}", source);

        let stream = documents(&output.stream);
        let (service, accounts) = stream.split_last().unwrap();
        prop_assert_eq!(accounts.len(), model.accounts.len(), "{}", source);
        for (document, account) in accounts.iter().zip(&model.accounts) {
            let metadata = &document["metadata"];
            prop_assert_eq!(
                &metadata["name"],
                &Value::from(account.name.as_str()),
                "{}",
                source
            );
            prop_assert_eq!(
                metadata.get("namespace").and_then(Value::as_str),
                model.namespace.as_deref()
            );
            prop_assert_eq!(
                strings(&metadata["annotations"]),
                account.annotations.clone(),
                "{}",
                source
            );
            prop_assert_eq!(
                strings(&metadata["labels"]),
                account.labels.clone(),
                "{}",
                source
            );
        }
        prop_assert_eq!(&service["apiVersion"], model.api_version);
        prop_assert_eq!(
            &service["metadata"]["name"],
            &Value::from(model.name.as_str())
        );
        prop_assert_eq!(
            service["metadata"].get("namespace").and_then(Value::as_str),
            model.namespace.as_deref()
        );
        let settings: Vec<(String, String)> = service_settings_order(&output.stream)
            .into_iter()
            .map(|key| {
                let name = service["spec"]["spinnakerConfig"]["service-settings"][&key]
                    ["kubernetes"]["serviceAccountName"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                (key, name)
            })
            .collect();
        prop_assert_eq!(&settings, &model.settings, "{}", source);
        let files: BTreeSet<&str> = output
            .files
            .iter()
            .map(|f| f.path.as_str())
            .filter(|p| p.ends_with(".json"))
            .collect();
        prop_assert_eq!(
            files,
            model
                .policies
                .keys()
                .chain(model.associations.keys())
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            "{}",
            source
        );
        // And as Kubernetes, kustomize and IAM read it, without the model.
        check_output(&output);
        Ok(true)
    });
    assert_eq!(cases, exercised);
    assert!(cases >= 256, "only {cases} cases");
}

#[test]
fn trust_policy_subjects_are_each_roles_service_accounts() {
    let shared = AtomicUsize::new(0);
    let by_account = AtomicUsize::new(0);
    let audiences = AtomicUsize::new(0);
    let pod_identity = AtomicUsize::new(0);
    let pod_identity_shared = AtomicUsize::new(0);
    let both_statements = AtomicUsize::new(0);
    let without_oidc = AtomicUsize::new(0);
    let (_, exercised) = run("trust-policy subjects", program(), |program| {
        let model = expected(&program);
        let source = program.render();
        let (output, _) = compile(&source);
        let files: BTreeMap<&str, &str> = output
            .files
            .iter()
            .filter(|f| f.path.starts_with("trust-policies/"))
            .map(|f| (f.path.as_str(), f.content.as_str()))
            .collect();
        prop_assert_eq!(
            files.keys().copied().collect::<BTreeSet<_>>(),
            model.policies.keys().map(String::as_str).collect(),
            "{}",
            source
        );
        if model.policies.is_empty() {
            return Ok(false);
        }
        for (path, policy) in &model.policies {
            let document: Value = serde_json::from_str(files[path.as_str()]).unwrap();
            prop_assert_eq!(&document, &policy.document(), "{}: {}", path, source);
            // Nobody of another role: every ServiceAccount the document
            // lets in carries this role, by the way it is let in.
            let carriers = |way: fn(Identity) -> bool| -> BTreeSet<String> {
                model
                    .accounts
                    .iter()
                    .filter(|a| a.role.key() == policy.role.key() && way(a.identity))
                    .map(|a| a.name.clone())
                    .collect()
            };
            let values = |value: &Value| -> BTreeSet<String> {
                match value {
                    Value::String(one) => BTreeSet::from([one.clone()]),
                    Value::Array(many) => many
                        .iter()
                        .map(|v| v.as_str().unwrap().to_owned())
                        .collect(),
                    other => panic!("{other}"),
                }
            };
            let mut statements = document["Statement"].as_array().unwrap().iter();
            if let Some(irsa) = &policy.irsa {
                let statement = statements.next().unwrap();
                let prefix = format!(
                    "system:serviceaccount:{}:",
                    model.namespace.as_deref().unwrap()
                );
                let subjects: BTreeSet<String> =
                    values(&statement["Condition"]["StringEquals"][format!("{}:sub", irsa.issuer)])
                        .iter()
                        .map(|s| s.strip_prefix(&prefix).unwrap().to_owned())
                        .collect();
                prop_assert_eq!(subjects, carriers(Identity::uses_irsa), "{}", source);
                if irsa.subjects.len() > 1 {
                    shared.fetch_add(1, Ordering::Relaxed);
                }
                if irsa.audiences.len() > 1 {
                    audiences.fetch_add(1, Ordering::Relaxed);
                }
            }
            if let Some(pod) = &policy.pod_identity {
                let statement = statements.next().unwrap();
                let equals = &statement["Condition"]["StringEquals"];
                prop_assert_eq!(
                    values(&equals["aws:RequestTag/kubernetes-service-account"]),
                    carriers(Identity::uses_pod_identity),
                    "{}",
                    source
                );
                prop_assert_eq!(
                    &equals["aws:RequestTag/eks-cluster-name"],
                    &Value::from(program.cluster().unwrap())
                );
                prop_assert_eq!(
                    &equals["aws:RequestTag/kubernetes-namespace"],
                    &Value::from(model.namespace.clone().unwrap())
                );
                pod_identity.fetch_add(1, Ordering::Relaxed);
                if pod.service_accounts.len() > 1 {
                    pod_identity_shared.fetch_add(1, Ordering::Relaxed);
                }
                if policy.irsa.is_some() {
                    both_statements.fetch_add(1, Ordering::Relaxed);
                }
                if program.oidc().is_none() {
                    without_oidc.fetch_add(1, Ordering::Relaxed);
                }
            }
            prop_assert!(statements.next().is_none());
            let stem = path.trim_start_matches("trust-policies/");
            if stem.starts_with(|c: char| c.is_ascii_digit()) {
                by_account.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(true)
    });
    assert!(
        exercised > 0,
        "trust-policy subjects property never saw a trust policy"
    );
    let counts = [
        ("a role of several ServiceAccounts", shared.into_inner()),
        ("an ACCOUNT-NAME.json policy", by_account.into_inner()),
        ("several audiences", audiences.into_inner()),
        ("a Pod Identity statement", pod_identity.into_inner()),
        (
            "a Pod Identity statement of several ServiceAccounts",
            pod_identity_shared.into_inner(),
        ),
        (
            "both statements in one policy",
            both_statements.into_inner(),
        ),
        (
            "a Pod Identity policy without `oidc`",
            without_oidc.into_inner(),
        ),
    ];
    eprintln!("trust-policy subjects: {counts:?}");
    for (what, count) in counts {
        assert!(count > 0, "trust-policy subjects property never saw {what}");
    }
}

/// `pod-identity/SA.json` (without `--iam`): exactly the model's
/// associations, in the fields of `create-pod-identity-association`.
#[test]
fn pod_identity_associations_are_the_models() {
    let both = AtomicUsize::new(0);
    let java_warned = AtomicUsize::new(0);
    let (_, exercised) = run("Pod Identity associations", program(), |program| {
        let model = expected(&program);
        let source = program.render();
        let (output, codes) = compile(&source);
        let files: BTreeMap<String, Value> = output
            .files
            .iter()
            .filter(|f| f.path.starts_with("pod-identity/"))
            .map(|f| (f.path.clone(), serde_json::from_str(&f.content).unwrap()))
            .collect();
        prop_assert_eq!(&files, &model.associations, "{}", source);
        if model.accounts.iter().any(|a| a.identity == Identity::Both) {
            both.fetch_add(1, Ordering::Relaxed);
        }
        if codes.contains(&"W005") {
            java_warned.fetch_add(1, Ordering::Relaxed);
        }
        Ok(!files.is_empty())
    });
    let counts = [
        ("associations", exercised),
        ("a `both` ServiceAccount", both.into_inner()),
        ("W005", java_warned.into_inner()),
    ];
    eprintln!("Pod Identity associations: {counts:?}");
    for (what, count) in counts {
        assert!(count > 0, "the associations property never saw {what}");
    }
}

/// A JSON string of `main.tf.json` as the literal it stands for.
fn untemplate(text: &str) -> String {
    text.replace("$${", "${").replace("%%{", "%{")
}

/// Each managed role's trust policy in an `--iam` form's output, by role
/// name.
fn iam_trust_policies(form: IamForm, output: &Output) -> BTreeMap<String, Value> {
    let file = |path: &str| {
        output
            .files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.content.as_str())
    };
    let parse = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
    let string = |value: &Value| value.as_str().unwrap().to_owned();
    match form {
        IamForm::Terraform => {
            let Some(text) = file("iam/main.tf.json") else {
                return BTreeMap::new();
            };
            let config: Value = serde_json::from_str(text).unwrap();
            config["resource"]["aws_iam_role"]
                .as_object()
                .map(|roles| {
                    roles
                        .values()
                        .map(|body| {
                            (
                                untemplate(body["name"].as_str().unwrap()),
                                parse(&untemplate(body["assume_role_policy"].as_str().unwrap())),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        }
        IamForm::CloudFormation => {
            let Some(text) = file("iam/template.yaml") else {
                return BTreeMap::new();
            };
            let template: Value = serde_saphyr::from_str(text).unwrap();
            template["Resources"]
                .as_object()
                .unwrap()
                .values()
                .filter(|r| r["Type"] == "AWS::IAM::Role")
                .map(|r| {
                    (
                        string(&r["Properties"]["RoleName"]),
                        r["Properties"]["AssumeRolePolicyDocument"].clone(),
                    )
                })
                .collect()
        }
        IamForm::Ack => documents(&output.stream)
            .iter()
            .filter(|d| {
                d["kind"] == "Role"
                    && d["apiVersion"]
                        .as_str()
                        .unwrap()
                        .starts_with("iam.services.k8s.aws/")
            })
            .map(|d| {
                (
                    string(&d["spec"]["name"]),
                    parse(d["spec"]["assumeRolePolicyDocument"].as_str().unwrap()),
                )
            })
            .collect(),
        IamForm::Crossplane => documents(&output.stream)
            .iter()
            .filter(|d| {
                d["kind"] == "Role"
                    && d["apiVersion"]
                        .as_str()
                        .unwrap()
                        .starts_with("iam.aws.upbound.io/")
            })
            .map(|d| {
                (
                    string(&d["metadata"]["annotations"]["crossplane.io/external-name"]),
                    parse(
                        d["spec"]["forProvider"]["assumeRolePolicy"]
                            .as_str()
                            .unwrap(),
                    ),
                )
            })
            .collect(),
    }
}

/// `--iam FORM`, every form: each managed role's trust policy is section
/// 7's document for it (the model's), and the document of its
/// `trust-policies/NAME.json`; Crossplane without a region for an
/// association is E100.
#[test]
fn every_iam_forms_trust_policies_are_the_models() {
    let checked: BTreeMap<&str, AtomicUsize> = IamForm::ALL
        .iter()
        .map(|f| (f.as_str(), AtomicUsize::new(0)))
        .collect();
    let without_region = AtomicUsize::new(0);
    let (_, exercised) = run("--iam trust policies", program(), |program| {
        let model = expected(&program);
        if model.managed.is_empty() {
            return Ok(false);
        }
        let source = program.render();
        for form in IamForm::ALL {
            let options = EmitOptions {
                iam: Some(form),
                ..EmitOptions::default()
            };
            let compilation = irsa::compile(&source, options).expect("emission never fails");
            let errors: Vec<&str> = compilation
                .diagnostics
                .iter()
                .filter(|d| d.severity() == Severity::Error)
                .map(|d| d.code.as_str())
                .collect();
            if form == IamForm::Crossplane
                && !model.associations.is_empty()
                && model.region.is_none()
            {
                prop_assert_eq!(errors, vec!["E100"], "{}", source);
                without_region.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            prop_assert!(errors.is_empty(), "{:?}: {:?}\n{}", form, errors, source);
            let output = compilation.output.unwrap();
            let found = iam_trust_policies(form, &output);
            prop_assert_eq!(
                found.keys().cloned().collect::<BTreeSet<_>>(),
                model
                    .managed
                    .iter()
                    .map(|(role, _)| role.name.clone())
                    .collect::<BTreeSet<_>>(),
                "{:?}: {}",
                form,
                source
            );
            for (role, path) in &model.managed {
                let document = &found[&role.name];
                prop_assert_eq!(
                    document,
                    &model.policies[path].document(),
                    "{:?} {}: {}",
                    form,
                    role.name,
                    source
                );
                let file = output.files.iter().find(|f| f.path == *path).unwrap();
                prop_assert_eq!(
                    document,
                    &serde_json::from_str::<Value>(&file.content).unwrap(),
                    "{:?} {}: {}",
                    form,
                    path,
                    source
                );
                checked[form.as_str()].fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(true)
    });
    let mut counts: Vec<(String, usize)> = checked
        .into_iter()
        .map(|(form, n)| (format!("roles checked in {form}"), n.into_inner()))
        .collect();
    counts.push(("programs with managed roles".to_owned(), exercised));
    counts.push((
        "crossplane associations without a region (E100)".to_owned(),
        without_region.into_inner(),
    ));
    eprintln!("--iam trust policies: {counts:?}");
    for (what, count) in counts {
        assert!(count > 0, "the --iam property never saw {what}");
    }
}

#[test]
fn fmt_is_idempotent_and_keeps_meaning() {
    let (cases, rewrote) = run("fmt", program(), |program| {
        let source = program.render();
        let once = irsa::format(&source).unwrap();
        let twice = irsa::format(&once).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(meaning(&once), meaning(&source), "{}", source);
        prop_assert!(!once.contains("\r\n") && !once.contains("  ->") && once.ends_with('\n'));
        Ok(once != source)
    });
    assert!(rewrote > 0, "fmt property never saw a program it rewrote");
    assert!(cases >= 256);
}

#[test]
fn the_fuzz_properties_hold_for_generated_programs() {
    let (_, compiled) = run("fuzz properties on programs", program(), |program| {
        let source = program.render();
        fuzz::check_parse(source.as_bytes());
        let compiled = fuzz::check_compile(source.as_bytes());
        prop_assert!(fuzz::check_fmt(source.as_bytes()), "{}", source);
        Ok(matches!(compiled, Compiled::Output(_)))
    });
    assert!(
        compiled > 0,
        "no generated program reached check_compile's output checks"
    );
}

/// A generated program with a few characters deleted, inserted or
/// replaced, or lines swapped: text near the language, where the parser's
/// recovery and the checks' corners are.
fn mutated() -> impl Strategy<Value = String> {
    (
        program(),
        prop::collection::vec(
            (
                0u8..4,
                any::<Index>(),
                any::<Index>(),
                "[ -~\n\t{}#\"\\\\é→\u{a0}]",
            ),
            1..4,
        ),
    )
        .prop_map(|(program, edits)| {
            let mut chars: Vec<char> = program.render().chars().collect();
            for (op, at, other, text) in edits {
                let at = at.index(chars.len().max(1));
                let text: Vec<char> = text.chars().collect();
                match op {
                    0 if !chars.is_empty() => {
                        chars.remove(at.min(chars.len() - 1));
                    }
                    1 => chars.splice(at..at, text).for_each(drop),
                    2 if !chars.is_empty() => {
                        chars
                            .splice(at..=at.min(chars.len() - 1), text)
                            .for_each(drop);
                    }
                    _ => {
                        let text: String = chars.iter().collect();
                        let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                        if !lines.is_empty() {
                            let (a, b) = (at.min(lines.len() - 1), other.index(lines.len()));
                            lines.swap(a, b);
                        }
                        chars = lines.concat().chars().collect();
                    }
                }
            }
            chars.into_iter().collect()
        })
}

#[test]
fn arbitrary_text_keeps_the_fuzz_properties() {
    let formatted = AtomicUsize::new(0);
    let compiled = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let (_, diagnosed) = run(
        "fuzz properties on arbitrary and mutated text",
        prop_oneof!["[ -~\n\t{}#\"\\\\é→\u{a0}]{0,200}", mutated(),],
        |source| {
            let diagnostics = fuzz::check_parse(source.as_bytes());
            match fuzz::check_compile(source.as_bytes()) {
                Compiled::Output(_) => compiled.fetch_add(1, Ordering::Relaxed),
                Compiled::Failed => failed.fetch_add(1, Ordering::Relaxed),
                Compiled::NotText => 0,
            };
            if fuzz::check_fmt(source.as_bytes()) {
                formatted.fetch_add(1, Ordering::Relaxed);
            }
            Ok(diagnostics > 0)
        },
    );
    let counts = [
        ("formatted", formatted.into_inner()),
        ("compiled", compiled.into_inner()),
        ("failed with errors", failed.into_inner()),
        ("diagnosed", diagnosed),
    ];
    eprintln!("fuzz properties on arbitrary and mutated text: {counts:?}");
    for (what, count) in counts {
        assert!(count > 0, "no arbitrary or mutated text {what}");
    }
}

// ---------------------------------------------------------------------------
// The generator covers the language.

/// What a program can hold; the coverage test requires each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Feature {
    Spinnaker,
    Namespace,
    OperatorArmory,
    OperatorOss,
    Armory,
    Account,
    Partition,
    Naming,
    Oidc,
    Defaults,
    Star,
    List,
    As,
    ListWithAs,
    ManagedElsewhere,
    PointsAtAGeneratedServiceAccount,
    SharedServiceAccount,
    ShortRole,
    FullRole,
    RolePath,
    OtherPartition,
    EmptyBlock,
    Audience,
    StsRegionalEndpoints,
    TokenExpirationSeconds,
    TokenExpirationUnits,
    Annotation,
    Label,
    SettingOverridesDefaults,
    StatementAfterBinding,
    CrLf,
    Comment,
    Cluster,
    Region,
    RoleDeclaration,
    RoleDeclaredShort,
    RolePolicy,
    RoleBoundary,
    RoleMaxSession,
    RoleDescription,
    RoleTag,
    IdentityIrsa,
    IdentityPodIdentity,
    IdentityBoth,
    IdentityInDefaults,
}

const FEATURES: [Feature; 45] = [
    Feature::Spinnaker,
    Feature::Namespace,
    Feature::OperatorArmory,
    Feature::OperatorOss,
    Feature::Armory,
    Feature::Account,
    Feature::Partition,
    Feature::Naming,
    Feature::Oidc,
    Feature::Defaults,
    Feature::Star,
    Feature::List,
    Feature::As,
    Feature::ListWithAs,
    Feature::ManagedElsewhere,
    Feature::PointsAtAGeneratedServiceAccount,
    Feature::SharedServiceAccount,
    Feature::ShortRole,
    Feature::FullRole,
    Feature::RolePath,
    Feature::OtherPartition,
    Feature::EmptyBlock,
    Feature::Audience,
    Feature::StsRegionalEndpoints,
    Feature::TokenExpirationSeconds,
    Feature::TokenExpirationUnits,
    Feature::Annotation,
    Feature::Label,
    Feature::SettingOverridesDefaults,
    Feature::StatementAfterBinding,
    Feature::CrLf,
    Feature::Comment,
    Feature::Cluster,
    Feature::Region,
    Feature::RoleDeclaration,
    Feature::RoleDeclaredShort,
    Feature::RolePolicy,
    Feature::RoleBoundary,
    Feature::RoleMaxSession,
    Feature::RoleDescription,
    Feature::RoleTag,
    Feature::IdentityIrsa,
    Feature::IdentityPodIdentity,
    Feature::IdentityBoth,
    Feature::IdentityInDefaults,
];

fn features(program: &Program) -> BTreeSet<Feature> {
    let mut seen = BTreeSet::new();
    let settings = |list: &[Setting], seen: &mut BTreeSet<Feature>| {
        for setting in list {
            seen.insert(match setting {
                Setting::Audience(_) => Feature::Audience,
                Setting::StsRegionalEndpoints(_) => Feature::StsRegionalEndpoints,
                Setting::TokenExpiration { written, .. } => {
                    if written.bytes().all(|b| b.is_ascii_digit()) {
                        Feature::TokenExpirationSeconds
                    } else {
                        Feature::TokenExpirationUnits
                    }
                }
                Setting::Annotation { .. } => Feature::Annotation,
                Setting::Label { .. } => Feature::Label,
                Setting::Identity(Identity::Irsa) => Feature::IdentityIrsa,
                Setting::Identity(Identity::PodIdentity) => Feature::IdentityPodIdentity,
                Setting::Identity(Identity::Both) => Feature::IdentityBoth,
            });
        }
    };
    for statement in &program.statements {
        let feature = match statement {
            Statement::Spinnaker(_) => Feature::Spinnaker,
            Statement::Namespace(_) => Feature::Namespace,
            Statement::Operator(Operator::Armory) => Feature::OperatorArmory,
            Statement::Operator(Operator::Oss) => Feature::OperatorOss,
            Statement::Armory(_) => Feature::Armory,
            Statement::Account(_) => Feature::Account,
            Statement::Partition(_) => Feature::Partition,
            Statement::Naming(_) => Feature::Naming,
            Statement::Oidc(_) => Feature::Oidc,
            Statement::Defaults(list) => {
                settings(list, &mut seen);
                if list.iter().any(|s| matches!(s, Setting::Identity(_))) {
                    seen.insert(Feature::IdentityInDefaults);
                }
                Feature::Defaults
            }
            Statement::Cluster(_) => Feature::Cluster,
            Statement::Region(_) => Feature::Region,
            Statement::Role(declaration) => {
                if declaration.role.short && !declaration.full {
                    seen.insert(Feature::RoleDeclaredShort);
                }
                for setting in &declaration.settings {
                    seen.insert(match setting {
                        RoleSetting::Policy(_) => Feature::RolePolicy,
                        RoleSetting::Boundary(_) => Feature::RoleBoundary,
                        RoleSetting::MaxSession { .. } => Feature::RoleMaxSession,
                        RoleSetting::Description(_) => Feature::RoleDescription,
                        RoleSetting::Tag { .. } => Feature::RoleTag,
                    });
                }
                Feature::RoleDeclaration
            }
        };
        seen.insert(feature);
    }
    if program.positions.iter().any(|p| *p > 0) {
        seen.insert(Feature::StatementAfterBinding);
    }
    let defaults = program.defaults();
    let generated: BTreeSet<&str> = program
        .bindings
        .iter()
        .filter(|b| b.role.is_some())
        .filter_map(|b| b.service_account.as_deref())
        .collect();
    let mut names = BTreeMap::new();
    for binding in &program.bindings {
        if binding.targets.contains(&Target::All) {
            seen.insert(Feature::Star);
        }
        if binding.targets.len() > 1 {
            seen.insert(Feature::List);
            if binding.service_account.is_some() {
                seen.insert(Feature::ListWithAs);
            }
        }
        if let Some(name) = &binding.service_account {
            seen.insert(Feature::As);
            if binding.role.is_some() {
                *names.entry(name.clone()).or_insert(0) += 1;
            } else if generated.contains(name.as_str()) {
                seen.insert(Feature::PointsAtAGeneratedServiceAccount);
            } else {
                seen.insert(Feature::ManagedElsewhere);
            }
        }
        if let Some(role) = &binding.role {
            seen.insert(if role.short {
                Feature::ShortRole
            } else {
                Feature::FullRole
            });
            if !role.path.is_empty() {
                seen.insert(Feature::RolePath);
            }
            if role.partition != "aws" {
                seen.insert(Feature::OtherPartition);
            }
        }
        match &binding.block {
            Some(list) if list.is_empty() => {
                seen.insert(Feature::EmptyBlock);
            }
            Some(list) => {
                settings(list, &mut seen);
                if list
                    .iter()
                    .any(|s| defaults.iter().any(|d| d.slot() == s.slot()))
                {
                    seen.insert(Feature::SettingOverridesDefaults);
                }
            }
            None => {}
        }
    }
    if names.values().any(|count| *count > 1) {
        seen.insert(Feature::SharedServiceAccount);
    }
    if program.style.eol == "\r\n" {
        seen.insert(Feature::CrLf);
    }
    if !program.style.comment.is_empty() {
        seen.insert(Feature::Comment);
    }
    seen
}

#[test]
fn the_generator_covers_the_language() {
    let mut runner = TestRunner::new(config());
    let strategy = program();
    let mut counts: BTreeMap<Feature, usize> = BTreeMap::new();
    for _ in 0..256 {
        let program = strategy.new_tree(&mut runner).unwrap().current();
        for feature in features(&program) {
            *counts.entry(feature).or_default() += 1;
        }
    }
    eprintln!("features in 256 programs: {counts:?}");
    let missing: Vec<&Feature> = FEATURES
        .iter()
        .filter(|f| !counts.contains_key(f))
        .collect();
    assert!(missing.is_empty(), "the generator never wrote {missing:?}");
}

/// LANGUAGE.md §13: for every generated program whose ServiceAccounts all
/// use IRSA (each carries a role annotation in the stream),
/// `import(compile(P))` compiles to exactly the bytes of `compile(P)`, and
/// importing that output again gives the same file (a fixed point).
#[test]
fn import_of_the_output_compiles_to_the_same_bytes() {
    let (_, exercised) = run("import round trip", program(), |program| {
        let (output, _) = compile(&program.render());
        let stream = output.stream;
        let all_irsa = documents(&stream)
            .iter()
            .filter(|d| d["kind"] == "ServiceAccount")
            .all(|d| d["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].is_string());
        let imported = irsa::import(&[irsa::ImportInput {
            name: "stream",
            bytes: stream.as_bytes(),
        }]);
        prop_assert!(
            imported.diagnostics.is_empty(),
            "the compiler's own output gives diagnostics: {:?}\n{stream}",
            imported.diagnostics
        );
        let Some(source) = imported.source else {
            return Err(TestCaseError::fail("no source"));
        };
        let (again, _) = compile(&source);
        if all_irsa {
            prop_assert_eq!(&again.stream, &stream, "imported:\n{}", source);
        }
        let twice = irsa::import(&[irsa::ImportInput {
            name: "again",
            bytes: again.stream.as_bytes(),
        }]);
        prop_assert_eq!(twice.source.as_deref(), Some(source.as_str()));
        Ok(all_irsa)
    });
    assert!(
        exercised >= 50,
        "only {exercised} programs round-tripped byte for byte"
    );
}

/// A generated program's stream, with one line dropped, doubled, or one
/// character replaced: what a hand-edited or truncated export looks like.
fn mutated_stream() -> impl Strategy<Value = String> {
    (
        program(),
        any::<Index>(),
        0..3usize,
        any::<Index>(),
        "[ -~\n:{}\\[\\]&*#\"-]",
    )
        .prop_map(|(program, line, op, at, with)| {
            let stream = irsa::compile(&program.render(), EmitOptions::default())
                .ok()
                .and_then(|c| c.output)
                .map(|o| o.stream)
                .unwrap_or_default();
            let mut lines: Vec<String> = stream.lines().map(str::to_owned).collect();
            if lines.is_empty() {
                return stream;
            }
            let i = line.index(lines.len());
            match op {
                0 => {
                    lines.remove(i);
                }
                1 => lines.insert(i, lines[i].clone()),
                _ => {
                    let chars: Vec<char> = lines[i].chars().collect();
                    if !chars.is_empty() {
                        let j = at.index(chars.len());
                        lines[i] = chars[..j]
                            .iter()
                            .chain(with.chars().collect::<Vec<_>>().iter())
                            .chain(chars[j + 1..].iter())
                            .collect();
                    }
                }
            }
            lines.join("\n") + "\n"
        })
}

/// The export reader's and import's fuzz properties on mutated streams:
/// no panic, located diagnostics, and whatever imports keeps the guarantee
/// and is a fixed point.
#[test]
fn mutated_streams_keep_the_import_properties() {
    use irsa_test_support::export_properties::{Imported, check_import, check_kubernetes_export};
    let refused = AtomicUsize::new(0);
    let (_, imported) = run("import on mutated streams", mutated_stream(), |stream| {
        check_kubernetes_export(stream.as_bytes());
        let outcome = check_import(stream.as_bytes());
        if outcome == Imported::Refused {
            refused.fetch_add(1, Ordering::Relaxed);
        }
        Ok(outcome == Imported::Source)
    });
    let refused = refused.into_inner();
    eprintln!("import on mutated streams: {imported} imported, {refused} refused");
    assert!(
        imported > 0 && refused > 0,
        "{imported} imported, {refused} refused"
    );
}

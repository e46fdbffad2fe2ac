//! Properties that hold for any input, checked by the fuzz targets
//! (`fuzz/`), replayed over every kept input by the integration tests and
//! run on generated text by the property tests. Each check panics when a
//! property is violated, and returns what it saw, so that a caller can
//! prove the property was exercised and not skipped.
//!
//! Only the library's public API is used: `decode`, `analyze`, `compile`,
//! `format`, `explain` and what they return.

use std::collections::{BTreeMap, BTreeSet};

use irsa::{Diagnostic, EmitOptions, Output, Severity};
use serde_json::Value;

/// What a text compiles to, as comparable data: the output and the codes
/// of its diagnostics. Every fmt test compares it before and after.
pub fn meaning(text: &str) -> (Option<Output>, Vec<&'static str>) {
    let compilation = irsa::compile(text, EmitOptions::default()).expect("emission never fails");
    (
        compilation.output,
        compilation
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect(),
    )
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).expect("an offset on a char boundary");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before.get(line_start..).map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A diagnostic's span lies inside the text, on character boundaries.
fn assert_located(text: &str, diagnostic: &Diagnostic) {
    let span = &diagnostic.span;
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "span out of the text ({} bytes): {diagnostic:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "span inside a character: {diagnostic:?}"
    );
    let (line, column) = position(text, span.start);
    assert!(line >= 1 && column >= 1);
    assert!(
        !diagnostic.message.is_empty(),
        "a diagnostic without a message: {diagnostic:?}"
    );
}

/// Any bytes give located diagnostics: the decoding error of bad UTF-8, or
/// every diagnostic of `analyze` and of a refused `format`, each inside the
/// text and on character boundaries. Returns how many were checked.
pub fn check_parse(data: &[u8]) -> usize {
    let (text, decode_error) = irsa::decode(data);
    if let Some(diagnostic) = decode_error {
        assert_located(&text, &diagnostic);
        return 1;
    }
    let analysis = irsa::analyze(&text);
    for diagnostic in &analysis.diagnostics {
        assert_located(&text, diagnostic);
    }
    let refused = irsa::format(&text).err().unwrap_or_default();
    for diagnostic in &refused {
        assert_located(&text, diagnostic);
        assert_eq!(
            diagnostic.severity(),
            Severity::Error,
            "fmt refuses only on errors"
        );
    }
    analysis.diagnostics.len() + refused.len()
}

/// What [`check_compile`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compiled {
    /// Not UTF-8: nothing to compile.
    NotText,
    /// Errors, and so no output.
    Failed,
    /// Output, checked.
    Output(OutputSeen),
}

/// What [`check_output`] checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutputSeen {
    pub service_accounts: usize,
    pub service_settings: usize,
    pub trust_policies: usize,
    /// EKS Pod Identity associations (`pod-identity/SA.json`).
    pub associations: usize,
}

/// Whatever compiles gives output Kubernetes and IAM read as meant (see
/// [`check_output`]), the same through every entry point; whatever does
/// not compile has at least one located error and no output.
pub fn check_compile(data: &[u8]) -> Compiled {
    let (text, decode_error) = irsa::decode(data);
    if decode_error.is_some() {
        return Compiled::NotText;
    }
    let analysis = irsa::analyze(&text);
    for diagnostic in &analysis.diagnostics {
        assert_located(&text, diagnostic);
    }
    let failed = analysis
        .diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error);
    assert_eq!(
        analysis.install.is_none(),
        failed,
        "an install iff no error"
    );
    let compilation = irsa::compile(&text, EmitOptions::default()).expect("emission never fails");
    let seen = |diagnostics: &[Diagnostic]| -> Vec<(&'static str, std::ops::Range<usize>)> {
        diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.span.clone()))
            .collect()
    };
    assert_eq!(
        seen(&compilation.diagnostics),
        seen(&analysis.diagnostics),
        "compile reports what analyze does"
    );
    let (explained, explain_diagnostics) = irsa::explain(&text);
    assert_eq!(
        seen(&explain_diagnostics),
        seen(&analysis.diagnostics),
        "explain reports what analyze does"
    );
    assert_eq!(explained.is_none(), failed, "explain answers iff no error");
    let Some(output) = compilation.output else {
        assert!(failed, "no output without an error");
        return Compiled::Failed;
    };
    assert!(!failed, "output despite an error");
    let again = irsa::compile(&text, EmitOptions::default()).expect("emission never fails");
    assert_eq!(
        again.output.as_ref(),
        Some(&output),
        "compile is a pure function"
    );
    // Robust to options added later (they keep their defaults).
    #[allow(clippy::needless_update)]
    let options = EmitOptions {
        component: true,
        ..EmitOptions::default()
    };
    let component = irsa::compile(&text, options)
        .expect("emission never fails")
        .output
        .expect("a component compiles when the install does");
    check_component(&output, &component);
    Compiled::Output(check_output(&output))
}

/// `fmt` is idempotent and never changes what a file compiles to. Returns
/// whether the text formatted (a text with syntax errors does not).
pub fn check_fmt(data: &[u8]) -> bool {
    let (text, decode_error) = irsa::decode(data);
    if decode_error.is_some() {
        return false;
    }
    let Ok(once) = irsa::format(&text) else {
        return false;
    };
    let twice = irsa::format(&once).expect("formatted text formats");
    assert_eq!(once, twice, "fmt is not idempotent");
    assert_eq!(meaning(&once), meaning(&text), "fmt changed the meaning");
    assert!(!once.contains('\r'), "fmt writes `\\n` line ends");
    true
}

/// Kubernetes' DNS-1123 subdomain rule, written here independently of the
/// compiler's own check.
pub fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// Kubernetes' DNS-1123 label rule.
pub fn is_dns_label(name: &str) -> bool {
    name.len() <= 63 && !name.contains('.') && is_dns_subdomain(name)
}

fn yaml(text: &str, what: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(text).unwrap_or_else(|e| panic!("{what} is not YAML: {e}\n{text}"))
}

/// Every scalar is a string (irsa writes no other), no null, no empty map
/// or list: what a YAML reader gets back is what was meant.
fn assert_strings_only(value: &Value, path: &str) {
    match value {
        Value::String(_) => {}
        Value::Object(map) => {
            assert!(!map.is_empty(), "an empty map at {path}");
            for (key, child) in map {
                assert_strings_only(child, &format!("{path}.{key}"));
            }
        }
        Value::Array(items) => {
            assert!(!items.is_empty(), "an empty list at {path}");
            for (index, child) in items.iter().enumerate() {
                assert_strings_only(child, &format!("{path}[{index}]"));
            }
        }
        other => panic!("{other} at {path} reads back as a {other:?}, not a string"),
    }
}

fn string_map(value: &Value, what: &str) -> BTreeMap<String, String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not a map: {value}"))
        .iter()
        .map(|(k, v)| {
            let v = v
                .as_str()
                .unwrap_or_else(|| panic!("{what}.{k} is not a string"));
            (k.clone(), v.to_owned())
        })
        .collect()
}

fn file<'o>(output: &'o Output, path: &str) -> Option<&'o str> {
    output
        .files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.content.as_str())
}

/// A role ARN's parts: partition, account, path, name.
fn role_parts(arn: &str) -> (String, String, String, String) {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, _, _, account, resource] = parts.as_slice() else {
        panic!("not a role ARN: {arn}");
    };
    let role = resource
        .strip_prefix("role/")
        .unwrap_or_else(|| panic!("not a role ARN: {arn}"));
    let (path, name) = role.rsplit_once('/').unwrap_or(("", role));
    (
        (*partition).to_owned(),
        (*account).to_owned(),
        path.to_owned(),
        name.to_owned(),
    )
}

/// A role as IAM identifies it within a valid file: partition, account and
/// name (a name has one path per account).
pub type RoleKey = (String, String, String);

/// The trust-policy files a set of roles gets: `NAME.json`; where roles
/// share a name, `ACCOUNT-NAME.json`; where that is still shared (one
/// account number in two partitions), `PARTITION-ACCOUNT-NAME.json`.
pub fn trust_policy_paths(roles: &[RoleKey]) -> Vec<(RoleKey, String)> {
    roles
        .iter()
        .map(|role| {
            let (partition, account, name) = role;
            let sharing = |same: &dyn Fn(&RoleKey) -> bool| {
                roles.iter().filter(|other| same(other)).count() > 1
            };
            let path = if !sharing(&|other| other.2 == *name) {
                format!("trust-policies/{name}.json")
            } else if !sharing(&|other| other.1 == *account && other.2 == *name) {
                format!("trust-policies/{account}-{name}.json")
            } else {
                format!("trust-policies/{partition}-{account}-{name}.json")
            };
            (role.clone(), path)
        })
        .collect()
}

/// One value, or a list of two or more: how a trust policy writes a
/// condition's values.
fn one_or_many(value: &Value, what: &str) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(items) => {
            assert!(
                items.len() >= 2,
                "{what}: a single value is a plain string, not a list"
            );
            items
                .iter()
                .map(|v| {
                    v.as_str()
                        .unwrap_or_else(|| panic!("{what}: not a string"))
                        .to_owned()
                })
                .collect()
        }
        other => panic!("{what}: {other} is neither a string nor a list"),
    }
}

/// The keys of `service-settings` in the order the stream writes them (a
/// parsed map forgets the order): the keys indented under the line
/// `service-settings:`.
pub fn service_settings_order(stream: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut indent: Option<usize> = None;
    let mut key_indent: Option<usize> = None;
    for line in stream.lines() {
        let depth = line.len() - line.trim_start().len();
        match indent {
            None => {
                if line.trim_start() == "service-settings:" {
                    indent = Some(depth);
                }
            }
            Some(outer) => {
                if depth <= outer {
                    break;
                }
                let inner = *key_indent.get_or_insert(depth);
                if depth == inner {
                    let key = line.trim().trim_end_matches(':');
                    keys.push(key.trim_matches('"').trim_matches('\'').to_owned());
                }
            }
        }
    }
    keys
}

/// The annotations the pod-identity-webhook reads, which irsa writes for
/// IRSA only (sections 5 and 11).
const WEBHOOK_ANNOTATIONS: [&str; 4] = [
    "eks.amazonaws.com/role-arn",
    "eks.amazonaws.com/audience",
    "eks.amazonaws.com/sts-regional-endpoints",
    "eks.amazonaws.com/token-expiration",
];

/// A generated ServiceAccount, as the output shows it.
#[derive(Debug)]
struct Account {
    name: String,
    role: RoleKey,
    /// IRSA: it carries `eks.amazonaws.com/role-arn`.
    irsa: bool,
    /// EKS Pod Identity: it has a `pod-identity/NAME.json` association.
    pod_identity: bool,
    audience: String,
}

/// A role and the ServiceAccounts that reach it each way.
#[derive(Debug)]
struct RoleUse {
    key: RoleKey,
    /// `system:serviceaccount:NS:SA` of its IRSA ServiceAccounts.
    subjects: Vec<String>,
    /// Their distinct audiences, in order.
    audiences: Vec<String>,
    /// Its Pod Identity ServiceAccounts' names.
    pod_identity: Vec<String>,
}

/// Checks an output as Kubernetes, kustomize and IAM read it:
///
/// - the stream is ServiceAccounts then one SpinnakerService, every scalar a
///   string (no null, no empty map), names valid, one namespace for all;
/// - every generated ServiceAccount carries the `managed-by` label and a
///   role, by IRSA (the role annotation) or EKS Pod Identity (an
///   association file `pod-identity/SA.json`, and then none of the
///   webhook's `eks.amazonaws.com/*` annotations unless it also uses IRSA), and some
///   service runs under it;
/// - the `-o DIR` files hold exactly the stream's objects, and the
///   kustomization lists exactly its YAML files;
/// - the roles that get a trust policy get one, named by the rule of
///   [`trust_policy_paths`]: every role with Pod Identity ServiceAccounts,
///   and, with an OIDC issuer, every role with IRSA ones; its IRSA statement
///   names exactly the role's IRSA ServiceAccounts with their audiences, its
///   Pod Identity statement exactly its Pod Identity ones.
pub fn check_output(output: &Output) -> OutputSeen {
    let documents = yaml(&output.stream, "the stream");
    let (service, accounts) = documents
        .split_last()
        .expect("the stream has a SpinnakerService");
    for (index, document) in documents.iter().enumerate() {
        assert_strings_only(document, &format!("document {index}"));
    }
    assert_eq!(service["kind"], "SpinnakerService", "the last object");
    let api_version = service["apiVersion"].as_str().unwrap_or_default();
    assert!(
        ["spinnaker.armory.io/v1alpha2", "spinnaker.io/v1alpha2"].contains(&api_version),
        "apiVersion {api_version}"
    );
    let service_name = service["metadata"]["name"].as_str().unwrap_or_default();
    assert!(is_dns_subdomain(service_name), "{service_name}");
    let namespace = service["metadata"].get("namespace").map(|n| {
        let n = n.as_str().expect("a namespace is a string");
        assert!(is_dns_label(n), "namespace {n}");
        n.to_owned()
    });
    let settings = service["spec"]["spinnakerConfig"]["service-settings"]
        .as_object()
        .expect("service-settings is a map");
    assert!(!settings.is_empty(), "no service-settings");
    let order = service_settings_order(&output.stream);
    assert_eq!(
        order.iter().collect::<BTreeSet<_>>(),
        settings.keys().collect::<BTreeSet<_>>(),
        "the service-settings keys as written"
    );
    assert!(
        order.iter().skip(1).all(|key| key != "spinnaker"),
        "`spinnaker` (for `*`) comes first: {order:?}"
    );
    let mut runs_under = BTreeSet::new();
    for (key, setting) in settings {
        let name = setting["kubernetes"]["serviceAccountName"]
            .as_str()
            .unwrap_or_else(|| panic!("{key} has no serviceAccountName"));
        assert!(is_dns_subdomain(name), "{key}: {name}");
        assert_eq!(
            setting.as_object().map(|m| m.len()),
            Some(1),
            "{key}: only `kubernetes`"
        );
        assert_eq!(
            setting["kubernetes"].as_object().map(|m| m.len()),
            Some(1),
            "{key}: only `serviceAccountName`"
        );
        runs_under.insert(name.to_owned());
    }

    // EKS Pod Identity associations: `pod-identity/SA.json`.
    let mut associations: BTreeMap<String, String> = BTreeMap::new();
    let mut clusters = BTreeSet::new();
    for file in &output.files {
        let Some(stem) = file
            .path
            .strip_prefix("pod-identity/")
            .and_then(|rest| rest.strip_suffix(".json"))
        else {
            continue;
        };
        let association: Value =
            serde_json::from_str(&file.content).unwrap_or_else(|e| panic!("{}: {e}", file.path));
        let fields = string_map(&association, &file.path);
        assert_eq!(
            fields.keys().map(String::as_str).collect::<Vec<_>>(),
            ["clusterName", "namespace", "roleArn", "serviceAccount"],
            "{}: the fields of create-pod-identity-association",
            file.path
        );
        assert_eq!(fields["serviceAccount"], stem, "{}", file.path);
        assert_eq!(
            Some(fields["namespace"].as_str()),
            namespace.as_deref(),
            "{}: the namespace",
            file.path
        );
        role_parts(&fields["roleArn"]);
        clusters.insert(fields["clusterName"].clone());
        associations.insert(stem.to_owned(), fields["roleArn"].clone());
    }
    assert!(clusters.len() <= 1, "one cluster: {clusters:?}");

    let mut generated: Vec<Account> = Vec::new();
    for account in accounts {
        assert_eq!(account["kind"], "ServiceAccount", "ServiceAccounts first");
        assert_eq!(account["apiVersion"], "v1");
        let metadata = &account["metadata"];
        let name = metadata["name"].as_str().unwrap_or_default();
        assert!(is_dns_subdomain(name), "ServiceAccount {name}");
        assert!(
            generated.iter().all(|a| a.name != name),
            "{name} is generated twice"
        );
        assert!(
            runs_under.contains(name),
            "{name} is generated, but no service runs under it"
        );
        assert_eq!(
            metadata.get("namespace").and_then(Value::as_str),
            namespace.as_deref(),
            "{name}: the SpinnakerService's namespace"
        );
        let annotations = metadata
            .get("annotations")
            .map(|a| string_map(a, "annotations"))
            .unwrap_or_default();
        let labels = string_map(&metadata["labels"], "labels");
        assert_eq!(
            labels
                .get("app.kubernetes.io/managed-by")
                .map(String::as_str),
            Some("irsa"),
            "{name}"
        );
        let association = associations.get(name);
        let arn = match (annotations.get("eks.amazonaws.com/role-arn"), association) {
            (Some(arn), Some(associated)) => {
                assert_eq!(arn, associated, "{name}: one role both ways");
                arn
            }
            (Some(arn), None) => arn,
            (None, Some(associated)) => {
                // The webhook's keys (irsa's); a user's own annotation
                // under `eks.amazonaws.com/` is allowed (section 5).
                let webhook: Vec<&String> = annotations
                    .keys()
                    .filter(|k| WEBHOOK_ANNOTATIONS.contains(&k.as_str()))
                    .collect();
                assert!(
                    webhook.is_empty(),
                    "{name} uses Pod Identity only, but has {webhook:?}"
                );
                associated
            }
            (None, None) => panic!("{name} carries no role"),
        };
        let (partition, account_id, _, role_name) = role_parts(arn);
        generated.push(Account {
            name: name.to_owned(),
            role: (partition, account_id, role_name),
            irsa: annotations.contains_key("eks.amazonaws.com/role-arn"),
            pod_identity: association.is_some(),
            audience: annotations
                .get("eks.amazonaws.com/audience")
                .cloned()
                .unwrap_or_else(|| "sts.amazonaws.com".to_owned()),
        });
    }
    for name in associations.keys() {
        assert!(
            generated.iter().any(|a| a.name == *name),
            "pod-identity/{name}.json for a ServiceAccount that is not generated"
        );
    }

    // The files hold the stream's objects.
    let mut paths: Vec<&str> = output.files.iter().map(|f| f.path.as_str()).collect();
    let count = paths.len();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), count, "two files with one path: {paths:?}");
    let spinnaker_file = yaml(
        file(output, "spinnakerservice.yaml").expect("spinnakerservice.yaml"),
        "spinnakerservice.yaml",
    );
    assert_eq!(spinnaker_file.as_slice(), std::slice::from_ref(service));
    match file(output, "serviceaccounts.yaml") {
        Some(text) => assert_eq!(yaml(text, "serviceaccounts.yaml").as_slice(), accounts),
        None => assert!(accounts.is_empty(), "no serviceaccounts.yaml"),
    }
    let kustomization = yaml(
        file(output, "kustomization.yaml").expect("kustomization.yaml"),
        "kustomization.yaml",
    );
    let [kustomization] = kustomization.as_slice() else {
        panic!("kustomization.yaml is one document");
    };
    assert_eq!(kustomization["kind"], "Kustomization");
    let mut listed: Vec<&str> = kustomization["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|v| v.as_str().expect("a file name"))
        .collect();
    let mut yaml_files: Vec<&str> = output
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| p.ends_with(".yaml") && *p != "kustomization.yaml")
        .collect();
    listed.sort_unstable();
    yaml_files.sort_unstable();
    assert_eq!(listed, yaml_files, "the kustomization lists the YAML files");
    for file in &output.files {
        let json_in = |dir: &str| file.path.starts_with(dir) && file.path.ends_with(".json");
        assert!(
            file.path.ends_with(".yaml") || json_in("trust-policies/") || json_in("pod-identity/"),
            "an unexpected file {}",
            file.path
        );
    }

    // Roles, in order of first appearance, and who reaches them how.
    let subject = |name: &str| {
        format!(
            "system:serviceaccount:{}:{name}",
            namespace.as_deref().unwrap_or_default()
        )
    };
    let mut roles: Vec<RoleUse> = Vec::new();
    for account in &generated {
        let index = match roles.iter().position(|r| r.key == account.role) {
            Some(index) => index,
            None => {
                roles.push(RoleUse {
                    key: account.role.clone(),
                    subjects: Vec::new(),
                    audiences: Vec::new(),
                    pod_identity: Vec::new(),
                });
                roles.len() - 1
            }
        };
        let role = &mut roles[index];
        if account.irsa {
            role.subjects.push(subject(&account.name));
            if !role.audiences.contains(&account.audience) {
                role.audiences.push(account.audience.clone());
            }
        }
        if account.pod_identity {
            role.pod_identity.push(account.name.clone());
        }
    }

    // Trust policies.
    let policies: BTreeMap<&str, Value> = output
        .files
        .iter()
        .filter(|f| f.path.starts_with("trust-policies/"))
        .map(|f| {
            assert!(f.content.ends_with('\n'), "{} ends with a line end", f.path);
            let policy =
                serde_json::from_str(&f.content).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            (f.path.as_str(), policy)
        })
        .collect();
    // An IRSA statement anywhere means the issuer is known.
    let issuers: BTreeSet<String> = policies
        .values()
        .filter_map(|p| p["Statement"].as_array())
        .flatten()
        .filter_map(|s| s["Principal"]["Federated"].as_str())
        .map(|federated| {
            federated
                .split_once(":oidc-provider/")
                .unwrap_or_else(|| panic!("{federated} is not an OIDC provider"))
                .1
                .to_owned()
        })
        .collect();
    assert!(issuers.len() <= 1, "one cluster, one issuer: {issuers:?}");
    let issuer = issuers.first();
    if !policies.is_empty() {
        assert!(
            namespace.as_deref().is_some_and(|n| !n.is_empty()),
            "trust policies need a namespace"
        );
    }
    let with_policy: Vec<&RoleUse> = roles
        .iter()
        .filter(|r| !r.pod_identity.is_empty() || (issuer.is_some() && !r.subjects.is_empty()))
        .collect();
    let keys: Vec<RoleKey> = with_policy.iter().map(|r| r.key.clone()).collect();
    let expected = trust_policy_paths(&keys);
    let expected_paths: BTreeSet<&str> = expected.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(
        expected_paths.len(),
        expected.len(),
        "two roles get one trust-policy file: {expected:?}"
    );
    assert_eq!(
        policies.keys().copied().collect::<BTreeSet<_>>(),
        expected_paths,
        "the roles that get a trust policy"
    );
    for (role, (_, path)) in with_policy.iter().zip(&expected) {
        let policy = &policies[path.as_str()];
        assert_eq!(policy["Version"], "2012-10-17", "{path}");
        let statements = policy["Statement"].as_array().expect("Statement");
        let mut statements = statements.iter();
        if let (Some(issuer), false) = (issuer, role.subjects.is_empty()) {
            let statement = statements
                .next()
                .unwrap_or_else(|| panic!("{path}: no IRSA statement"));
            check_irsa_statement(statement, path, role, issuer);
        }
        if !role.pod_identity.is_empty() {
            let statement = statements
                .next()
                .unwrap_or_else(|| panic!("{path}: no Pod Identity statement"));
            let cluster = clusters.first().expect("an association names its cluster");
            check_pod_identity_statement(statement, path, role, cluster, namespace.as_deref());
        }
        assert!(statements.next().is_none(), "{path}: an extra statement");
    }
    OutputSeen {
        service_accounts: accounts.len(),
        service_settings: settings.len(),
        trust_policies: policies.len(),
        associations: associations.len(),
    }
}

/// The IRSA statement of section 7.
fn check_irsa_statement(statement: &Value, path: &str, role: &RoleUse, issuer: &str) {
    assert_eq!(statement["Effect"], "Allow", "{path}");
    assert_eq!(
        statement["Action"], "sts:AssumeRoleWithWebIdentity",
        "{path}"
    );
    let (partition, account, name) = &role.key;
    assert_eq!(
        statement["Principal"]["Federated"],
        format!("arn:{partition}:iam::{account}:oidc-provider/{issuer}"),
        "{path}: the provider in {name}'s account"
    );
    let equals = statement["Condition"]["StringEquals"]
        .as_object()
        .unwrap_or_else(|| panic!("{path}: no StringEquals"));
    let sub = format!("{issuer}:sub");
    let aud = format!("{issuer}:aud");
    assert_eq!(
        equals.keys().collect::<BTreeSet<_>>(),
        BTreeSet::from([&sub, &aud]),
        "{path}"
    );
    assert_eq!(
        one_or_many(&equals[&sub], path),
        role.subjects,
        "{path}: the subjects are the role's IRSA ServiceAccounts"
    );
    assert_eq!(
        one_or_many(&equals[&aud], path),
        role.audiences,
        "{path}: the audiences are theirs"
    );
}

/// The Pod Identity statement of section 11.
fn check_pod_identity_statement(
    statement: &Value,
    path: &str,
    role: &RoleUse,
    cluster: &str,
    namespace: Option<&str>,
) {
    assert_eq!(statement["Effect"], "Allow", "{path}");
    assert_eq!(
        statement["Principal"]["Service"], "pods.eks.amazonaws.com",
        "{path}"
    );
    assert_eq!(
        statement["Action"],
        serde_json::json!(["sts:AssumeRole", "sts:TagSession"]),
        "{path}"
    );
    let equals = statement["Condition"]["StringEquals"]
        .as_object()
        .unwrap_or_else(|| panic!("{path}: no StringEquals"));
    let tag = |key: &str| format!("aws:RequestTag/{key}");
    assert_eq!(
        equals.keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from([
            tag("eks-cluster-name"),
            tag("kubernetes-namespace"),
            tag("kubernetes-service-account"),
        ]),
        "{path}"
    );
    assert_eq!(equals[&tag("eks-cluster-name")], cluster, "{path}");
    assert_eq!(
        equals[&tag("kubernetes-namespace")].as_str(),
        namespace,
        "{path}"
    );
    assert_eq!(
        one_or_many(&equals[&tag("kubernetes-service-account")], path),
        role.pod_identity,
        "{path}: the role's Pod Identity ServiceAccounts"
    );
}

/// `--component`: the same objects and files, but the kustomization is a
/// Component that patches the user's SpinnakerService of the operator's
/// group instead of listing it.
fn check_component(output: &Output, component: &Output) {
    assert_eq!(component.stream, output.stream, "--component: the stream");
    let others = |o: &Output| -> Vec<(String, String)> {
        o.files
            .iter()
            .filter(|f| f.path != "kustomization.yaml")
            .map(|f| (f.path.clone(), f.content.clone()))
            .collect()
    };
    assert_eq!(others(component), others(output), "--component: the files");
    let kustomization = yaml(
        file(component, "kustomization.yaml").expect("kustomization.yaml"),
        "kustomization.yaml",
    );
    let [kustomization] = kustomization.as_slice() else {
        panic!("kustomization.yaml is one document");
    };
    assert_eq!(kustomization["kind"], "Component");
    let resources: Vec<&str> = kustomization["resources"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        !resources.contains(&"spinnakerservice.yaml"),
        "a Component patches the SpinnakerService, it does not add one"
    );
    let documents = yaml(&output.stream, "the stream");
    let api_version = documents
        .last()
        .and_then(|s| s["apiVersion"].as_str())
        .unwrap_or_default();
    let group = api_version.split('/').next().unwrap_or_default();
    let patches = kustomization["patches"].as_array().expect("patches");
    assert!(
        patches.iter().any(|p| p["path"] == "spinnakerservice.yaml"
            && p["target"]["kind"] == "SpinnakerService"
            && p["target"]["group"] == group),
        "the Component patches the SpinnakerService of {group}: {patches:?}"
    );
}

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

/// Checks an output as Kubernetes, kustomize and IAM read it:
///
/// - the stream is ServiceAccounts then one SpinnakerService, every scalar a
///   string, names valid, one namespace for all;
/// - every generated ServiceAccount carries a role and the `managed-by`
///   label, and some service runs under it;
/// - the `-o DIR` files hold exactly the stream's objects, and the
///   kustomization lists exactly its YAML files;
/// - with trust policies, every role has one, named by the rule of
///   [`trust_policy_paths`], whose subjects are exactly the ServiceAccounts
///   that carry the role and whose audiences are theirs.
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

    // Role → its ServiceAccounts' subjects and their audiences.
    let mut roles: Vec<(RoleKey, Vec<String>, Vec<String>)> = Vec::new();
    let mut names = BTreeSet::new();
    for account in accounts {
        assert_eq!(account["kind"], "ServiceAccount", "ServiceAccounts first");
        assert_eq!(account["apiVersion"], "v1");
        let metadata = &account["metadata"];
        let name = metadata["name"].as_str().unwrap_or_default();
        assert!(is_dns_subdomain(name), "ServiceAccount {name}");
        assert!(names.insert(name.to_owned()), "{name} is generated twice");
        assert!(
            runs_under.contains(name),
            "{name} is generated, but no service runs under it"
        );
        assert_eq!(
            metadata.get("namespace").and_then(Value::as_str),
            namespace.as_deref(),
            "{name}: the SpinnakerService's namespace"
        );
        let annotations = string_map(&metadata["annotations"], "annotations");
        let labels = string_map(&metadata["labels"], "labels");
        assert_eq!(
            labels
                .get("app.kubernetes.io/managed-by")
                .map(String::as_str),
            Some("irsa"),
            "{name}"
        );
        let arn = annotations
            .get("eks.amazonaws.com/role-arn")
            .unwrap_or_else(|| panic!("{name} carries no role"));
        let (partition, account_id, _, role_name) = role_parts(arn);
        let audience = annotations
            .get("eks.amazonaws.com/audience")
            .cloned()
            .unwrap_or_else(|| "sts.amazonaws.com".to_owned());
        let subject = format!(
            "system:serviceaccount:{}:{name}",
            namespace.as_deref().unwrap_or_default()
        );
        let key = (partition, account_id, role_name);
        match roles.iter_mut().find(|(role, _, _)| *role == key) {
            Some((_, subjects, audiences)) => {
                subjects.push(subject);
                if !audiences.contains(&audience) {
                    audiences.push(audience);
                }
            }
            None => roles.push((key, vec![subject], vec![audience])),
        }
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
    let accounts_file = file(output, "serviceaccounts.yaml");
    match accounts_file {
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
        assert!(
            file.path.ends_with(".yaml")
                || (file.path.starts_with("trust-policies/") && file.path.ends_with(".json")),
            "an unexpected file {}",
            file.path
        );
    }

    // Trust policies: all roles or none.
    let policies: BTreeMap<&str, &str> = output
        .files
        .iter()
        .filter(|f| f.path.ends_with(".json"))
        .map(|f| (f.path.as_str(), f.content.as_str()))
        .collect();
    if !policies.is_empty() {
        let namespace = namespace
            .as_deref()
            .expect("trust policies need a namespace");
        assert!(!namespace.is_empty());
        let keys: Vec<RoleKey> = roles.iter().map(|(role, _, _)| role.clone()).collect();
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
            "one trust policy per role"
        );
        let mut issuers = BTreeSet::new();
        for ((role, subjects, audiences), (_, path)) in roles.iter().zip(&expected) {
            let text = policies[path.as_str()];
            assert!(text.ends_with('\n'), "{path} ends with a line end");
            let policy: Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(policy["Version"], "2012-10-17", "{path}");
            let statements = policy["Statement"].as_array().expect("Statement");
            let [statement] = statements.as_slice() else {
                panic!("{path}: one statement");
            };
            assert_eq!(statement["Effect"], "Allow", "{path}");
            assert_eq!(
                statement["Action"], "sts:AssumeRoleWithWebIdentity",
                "{path}"
            );
            let federated = statement["Principal"]["Federated"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: no Federated principal"));
            let (partition, account, name) = role;
            let prefix = format!("arn:{partition}:iam::{account}:oidc-provider/");
            let issuer = federated
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{path}: {federated} is not the provider of {name}"));
            issuers.insert(issuer.to_owned());
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
                &one_or_many(&equals[&sub], path),
                subjects,
                "{path}: the subjects are the role's ServiceAccounts"
            );
            assert_eq!(
                &one_or_many(&equals[&aud], path),
                audiences,
                "{path}: the audiences are its ServiceAccounts'"
            );
        }
        assert_eq!(issuers.len(), 1, "one cluster, one issuer: {issuers:?}");
    }
    OutputSeen {
        service_accounts: accounts.len(),
        service_settings: settings.len(),
        trust_policies: policies.len(),
    }
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

//! The cluster side of Kubernetes: the ServiceAccounts (their annotations)
//! and the SpinnakerService (its operator and `serviceAccountName`s).

use serde_json::Value;

use super::{Exports, at, member};
use crate::diagnostics::{Code, Diagnostic};
use crate::exports::kubernetes::KubeObject;
use crate::ir::{Install, ServiceAccount};

const ROLE_ARN: &str = "eks.amazonaws.com/role-arn";
/// The webhook's other annotations (LANGUAGE.md section 5).
const OTHER_EKS: [&str; 3] = [
    "eks.amazonaws.com/audience",
    "eks.amazonaws.com/sts-regional-endpoints",
    "eks.amazonaws.com/token-expiration",
];

/// One object of a Kubernetes export with the export's name.
struct Object<'a> {
    export: &'a str,
    object: &'a KubeObject,
}

impl Object<'_> {
    fn kind(&self) -> Option<&str> {
        self.object.value.get("kind").and_then(Value::as_str)
    }

    fn name(&self) -> Option<&str> {
        self.object
            .value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
    }

    fn namespace(&self) -> Option<&str> {
        self.object
            .value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
    }

    /// "EXPORT: PATH" of a member of the object.
    fn note(&self, path: &str) -> String {
        let export = if self.object.document > 0 {
            format!("{} (document {})", self.export, self.object.document + 1)
        } else {
            self.export.to_owned()
        };
        let base = &self.object.path;
        let path = match (base.is_empty(), path.is_empty()) {
            (true, _) => path.to_owned(),
            (false, true) => base.clone(),
            (false, false) => format!("{base}.{path}"),
        };
        at(&export, &path)
    }
}

pub(super) fn check(install: &Install, exports: &Exports, findings: &mut Vec<Diagnostic>) {
    if exports.kubernetes.is_empty() {
        return;
    }
    let objects: Vec<Object<'_>> = exports
        .kubernetes
        .iter()
        .flat_map(|named| {
            named.content.iter().map(|object| Object {
                export: named.name.as_str(),
                object,
            })
        })
        .collect();
    let namespace = install.namespace.as_ref().map(|n| n.value.as_str());
    let in_namespace = |o: &Object<'_>| match (namespace, o.namespace()) {
        (Some(wanted), Some(actual)) => wanted == actual,
        _ => true,
    };
    let service_accounts: Vec<&Object<'_>> = objects
        .iter()
        .filter(|o| o.kind() == Some("ServiceAccount") && in_namespace(o))
        .collect();
    for account in &install.service_accounts {
        match service_accounts
            .iter()
            .find(|o| o.name() == Some(account.name.as_str()))
        {
            Some(object) => check_annotations(account, object, findings),
            None => findings.push(missing_account(
                &account.name,
                account.name_span.clone(),
                exports,
            )),
        }
    }
    // ServiceAccounts managed elsewhere must exist too (each reported once,
    // where it is first named).
    let mut reported: Vec<&str> = Vec::new();
    for setting in install.service_settings.iter().filter(|s| !s.generated) {
        let name = setting.service_account.as_str();
        if !reported.contains(&name) && !service_accounts.iter().any(|o| o.name() == Some(name)) {
            reported.push(name);
            findings.push(missing_account(name, setting.span.clone(), exports));
        }
    }
    check_spinnaker_service(install, &objects, exports, findings);
}

fn missing_account(name: &str, span: std::ops::Range<usize>, exports: &Exports) -> Diagnostic {
    let names: Vec<&str> = exports.kubernetes.iter().map(|n| n.name.as_str()).collect();
    Diagnostic::new(
        Code::ServiceAccountMissing,
        span,
        format!("the ServiceAccount `{name}` does not exist: pods that use it are not created"),
    )
    .with_note(format!(
        "{} has no ServiceAccount `{name}`",
        names.join(", ")
    ))
    .with_help("apply the output of `irsa compile` (`kubectl apply -k DIR`)")
}

fn annotations<'a>(object: &Object<'a>) -> Vec<(&'a str, &'a str)> {
    object
        .object
        .value
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default()
}

fn check_annotations(
    account: &ServiceAccount,
    object: &Object<'_>,
    findings: &mut Vec<Diagnostic>,
) {
    let live = annotations(object);
    let span = account.name_span.clone();
    let path = |key: &str| object.note(&member("metadata.annotations", key));
    let expected_role = account.annotations.get(ROLE_ARN);
    let live_role = live.iter().find(|(k, _)| *k == ROLE_ARN).map(|(_, v)| *v);
    // A key the webhook does not read, that a person meant as one it does.
    let mut misspelt = false;
    for (key, value) in &live {
        let known = std::iter::once(ROLE_ARN).chain(OTHER_EKS);
        if known.clone().any(|k| k == *key) {
            continue;
        }
        let candidates: Vec<&str> = known.collect();
        let meant = candidates.iter().copied().find(|k| misspelling_of(key, k));
        if let Some(meant) = meant {
            misspelt |= meant == ROLE_ARN;
            findings.push(
                Diagnostic::new(
                    Code::RoleAnnotationMisspelt,
                    span.clone(),
                    format!(
                        "`{}` has the annotation `{key}: {value}`, which the EKS webhook ignores: it reads `{meant}`",
                        account.name
                    ),
                )
                .with_note(path(key))
                .with_help(format!("rename the key to `{meant}` (apply the output of `irsa compile`)")),
            );
        }
    }
    match (expected_role, live_role) {
        (Some(_), None) if !misspelt => findings.push(
            Diagnostic::new(
                Code::RoleAnnotationMissing,
                span.clone(),
                format!("`{}` has no `{ROLE_ARN}` annotation: its pods get no role by IRSA", account.name),
            )
            .with_note(object.note("metadata.annotations"))
            .with_help("apply the output of `irsa compile`"),
        ),
        (Some(expected), Some(actual)) if expected != actual => findings.push(
            Diagnostic::new(
                Code::RoleAnnotationDiffers,
                span.clone(),
                format!("`{}` is annotated with `{actual}`, but the file gives it `{expected}`", account.name),
            )
            .with_note(path(ROLE_ARN))
            .with_help("apply the output of `irsa compile`, then restart the pods (the webhook reads it when a pod starts)"),
        ),
        (None, Some(actual)) => findings.push(
            Diagnostic::new(
                Code::RoleAnnotationDiffers,
                span.clone(),
                format!(
                    "`{}` is annotated with `{actual}`, but the file gives it no role annotation (identity {})",
                    account.name,
                    account.identity.as_str()
                ),
            )
            .with_note(path(ROLE_ARN))
            .with_help("apply the output of `irsa compile`: the annotation is removed"),
        ),
        _ => {}
    }
    for key in OTHER_EKS {
        let expected = account.annotations.get(key).map(String::as_str);
        let actual = live.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        if expected != actual {
            let show = |v: Option<&str>| v.map_or("none".to_owned(), |v| format!("`{v}`"));
            findings.push(
                Diagnostic::new(
                    Code::AnnotationDiffers,
                    span.clone(),
                    format!(
                        "`{}` has {} for `{key}`, the file says {}",
                        account.name,
                        show(actual),
                        show(expected)
                    ),
                )
                .with_note(path(key))
                .with_help("apply the output of `irsa compile`, then restart the pods"),
            );
        }
    }
}

/// Whether `key` is `known` mistyped: the same but for case; the same
/// name under a domain that is about EKS (`eks.amazon.com/role-arn`); or,
/// under EKS's own domain, a name at most two edits away (`role_arn`). An
/// EKS annotation of another feature (`eks.amazonaws.com/compute-type`) is
/// none.
fn misspelling_of(key: &str, known: &str) -> bool {
    if key.eq_ignore_ascii_case(known) {
        return true;
    }
    let (Some((domain, name)), Some((known_domain, known_name))) =
        (key.split_once('/'), known.split_once('/'))
    else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    if name == known_name {
        return domain != known_domain && (domain.contains("eks") || domain.contains("amazon"));
    }
    domain == known_domain && strsim::levenshtein(&name, known_name) <= 2
}

fn service_key_path(key: &str) -> String {
    member(&member("spec.spinnakerConfig", "service-settings"), key)
}

fn check_spinnaker_service(
    install: &Install,
    objects: &[Object<'_>],
    exports: &Exports,
    findings: &mut Vec<Diagnostic>,
) {
    let services: Vec<&Object<'_>> = objects
        .iter()
        .filter(|o| o.kind() == Some("SpinnakerService"))
        .collect();
    let Some(service) = services
        .iter()
        .find(|o| o.name() == Some(install.name.value.as_str()))
    else {
        let found: Vec<String> = services
            .iter()
            .filter_map(|o| o.name())
            .map(|n| format!("`{n}`"))
            .collect();
        let names: Vec<&str> = exports.kubernetes.iter().map(|n| n.name.as_str()).collect();
        findings.push(
            Diagnostic::new(
                Code::SpinnakerServiceMissing,
                install.name.span.clone(),
                format!("no SpinnakerService `{}` in the Kubernetes exports", install.name.value),
            )
            .with_note({
                let verb = if names.len() == 1 { "holds" } else { "hold" };
                if found.is_empty() {
                    format!("{} {verb} no SpinnakerService", names.join(", "))
                } else {
                    format!("{} {verb} {}", names.join(", "), found.join(", "))
                }
            })
            .with_help("export it too: `kubectl get serviceaccounts,spinnakerservices -n NAMESPACE -o yaml`"),
        );
        return;
    };
    let api_version = service
        .object
        .value
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let expected = install.operator.value.api_version();
    if api_version != expected {
        findings.push(
            Diagnostic::new(
                Code::OperatorDiffers,
                install.operator.span.clone(),
                format!("the SpinnakerService is `{api_version}`, but the file's operator writes `{expected}`"),
            )
            .with_note(service.note("apiVersion"))
            .with_help("set `operator` to the operator that runs this Spinnaker"),
        );
    }
    let settings = service
        .object
        .value
        .pointer("/spec/spinnakerConfig/service-settings");
    for setting in &install.service_settings {
        let actual = settings
            .and_then(|s| s.get(&setting.key))
            .and_then(|s| s.pointer("/kubernetes/serviceAccountName"))
            .and_then(Value::as_str);
        let path = format!(
            "{}.kubernetes.serviceAccountName",
            service_key_path(&setting.key)
        );
        let message = match actual {
            Some(actual) if actual == setting.service_account => continue,
            Some(actual) => format!(
                "`{}` runs under `{actual}`, but the file gives it `{}`",
                setting.key, setting.service_account
            ),
            None => format!(
                "`{}` has no `serviceAccountName`: it runs under the namespace's default ServiceAccount, not `{}`",
                setting.key, setting.service_account
            ),
        };
        findings.push(
            Diagnostic::new(
                Code::ServiceAccountNameDiffers,
                setting.span.clone(),
                message,
            )
            .with_note(service.note(&path))
            .with_help("apply the output of `irsa compile` (the SpinnakerService patch)"),
        );
    }
}

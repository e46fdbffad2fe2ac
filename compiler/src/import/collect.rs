//! Finds, in the objects read, the SpinnakerService to import, its
//! service-settings keys and the ServiceAccounts they name; warns about
//! what the language cannot hold and refuses what cannot be imported
//! faithfully.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Origin, Report};
use crate::diagnostics::Code;
use crate::exports::kubernetes::LocatedObject;
use crate::services::KNOWN_SERVICES;

const ARMORY: &str = "spinnaker.armory.io/v1alpha2";
const OSS: &str = "spinnaker.io/v1alpha2";
const SERVICE_SETTINGS: [&str; 3] = ["spec", "spinnakerConfig", "service-settings"];
const ROLE_ARN: &str = "eks.amazonaws.com/role-arn";
const AUDIENCE: &str = "eks.amazonaws.com/audience";
const STS_REGIONAL: &str = "eks.amazonaws.com/sts-regional-endpoints";
const TOKEN_EXPIRATION: &str = "eks.amazonaws.com/token-expiration";
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// Metadata the API server sets: dropped without a word.
const SERVER_SET: [&str; 9] = [
    "uid",
    "resourceVersion",
    "managedFields",
    "creationTimestamp",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "namespace",
];

/// One object of an input.
#[derive(Debug)]
pub(super) struct Object {
    pub input: usize,
    pub located: LocatedObject,
}

impl Object {
    fn value(&self) -> &Value {
        &self.located.object.value
    }
    fn str_at(&self, pointer: &str) -> Option<&str> {
        self.value().pointer(pointer).and_then(Value::as_str)
    }
    fn kind(&self) -> Option<&str> {
        self.str_at("/kind")
    }
    fn origin(&self) -> Origin {
        Origin {
            input: self.input,
            position: self.located.object.position,
        }
    }
    /// Where the key at `path` is, else where the object starts.
    fn key_origin(&self, path: &[&str]) -> Origin {
        self.located.positions.key(path).map_or_else(
            || self.origin(),
            |position| Origin {
                input: self.input,
                position,
            },
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operator {
    Armory,
    Oss,
}

/// A setting of a generated ServiceAccount (LANGUAGE.md §5).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Setting {
    Audience(String),
    StsRegionalEndpoints(String),
    TokenExpiration(u64),
    Annotation(String, String),
    Label(String, String),
}

/// A ServiceAccount named by the SpinnakerService.
#[derive(Debug, Clone)]
pub(super) struct Account {
    /// Its role ARN, when it has the annotation: irsa generates it then.
    pub role: Option<(String, Origin)>,
    /// Settings, sorted, each with the key it came from.
    pub settings: Vec<(Setting, Origin)>,
    /// Its index among the ServiceAccounts of the input, in order.
    pub order: usize,
}

/// A `service-settings` key that names a ServiceAccount.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    /// `spinnaker` (`*`) or a known service.
    pub key: String,
    pub service_account: String,
    /// The `serviceAccountName` key.
    pub origin: Origin,
}

/// What the plan is made from.
#[derive(Debug)]
pub(super) struct Found {
    pub name: String,
    pub namespace: Option<String>,
    pub operator: Operator,
    pub origin: Origin,
    pub entries: Vec<Entry>,
    /// The ServiceAccounts of the input that the entries name, by name.
    pub accounts: BTreeMap<String, Account>,
}

pub(super) fn collect(objects: &[Object], report: &mut Report<'_>) -> Option<Found> {
    let spinnaker = choose_spinnaker(objects, report)?;
    let operator = match spinnaker.str_at("/apiVersion") {
        Some(ARMORY) => Operator::Armory,
        Some(OSS) => Operator::Oss,
        other => {
            report.add_with_help(
                Code::UnimportableValue,
                spinnaker.key_origin(&["apiVersion"]),
                format!(
                    "the SpinnakerService's apiVersion is {}: irsa writes `{ARMORY}` (Armory's operator) or `{OSS}` (the open-source operator)",
                    other.map_or_else(|| "missing".to_owned(), |v| format!("`{v}`"))
                ),
                "upgrade the object to v1alpha2, the version both operators serve",
            );
            return None;
        }
    };
    let Some(name) = spinnaker.str_at("/metadata/name") else {
        report.add(
            Code::UnimportableValue,
            spinnaker.origin(),
            "the SpinnakerService has no metadata.name",
        );
        return None;
    };
    let namespace = spinnaker.str_at("/metadata/namespace").map(str::to_owned);
    check_word(
        report,
        spinnaker.key_origin(&["metadata", "name"]),
        "metadata.name",
        name,
    );
    if let Some(namespace) = &namespace {
        check_word(
            report,
            spinnaker.key_origin(&["metadata", "namespace"]),
            "metadata.namespace",
            namespace,
        );
    }
    let entries = entries(spinnaker, report);
    if entries.is_empty() {
        // A refused serviceAccountName has been reported already.
        if report.failed() {
            return None;
        }
        report.add_with_help(
            Code::NoServiceAccountNames,
            spinnaker.key_origin(&SERVICE_SETTINGS),
            format!("the SpinnakerService `{name}` points no service at a ServiceAccount"),
            "irsa imports `service-settings.SERVICE.kubernetes.serviceAccountName`; there is nothing to import",
        );
        return None;
    }
    let accounts = accounts(objects, namespace.as_deref(), &entries, report);
    Some(Found {
        name: name.to_owned(),
        namespace,
        operator,
        origin: spinnaker.key_origin(&["metadata", "name"]),
        entries,
        accounts,
    })
}

/// The SpinnakerService that names ServiceAccounts; the others are
/// warned about, or refused when two name ServiceAccounts.
fn choose_spinnaker<'o>(objects: &'o [Object], report: &mut Report<'_>) -> Option<&'o Object> {
    let all: Vec<&Object> = objects
        .iter()
        .filter(|o| o.kind() == Some("SpinnakerService"))
        .collect();
    let Some(first) = all.first() else {
        report.add_with_help(
            Code::NoSpinnakerService,
            Origin::default(),
            "the input holds no SpinnakerService",
            "export it too: `kubectl get spinnakerservices,serviceaccounts -n NAMESPACE -o yaml`",
        );
        return None;
    };
    let naming: Vec<&Object> = all
        .iter()
        .copied()
        .filter(|o| names_service_accounts(o))
        .collect();
    let chosen = match naming.as_slice() {
        [] => *first,
        [one] => *one,
        [one, two, ..] => {
            report.add_with_help(
                Code::AmbiguousSpinnakerService,
                two.key_origin(&["metadata", "name"]),
                format!(
                    "a second SpinnakerService `{}` that names ServiceAccounts (the first, `{}`, is at {})",
                    two.str_at("/metadata/name").unwrap_or("?"),
                    one.str_at("/metadata/name").unwrap_or("?"),
                    report.place(one.key_origin(&["metadata", "name"]))
                ),
                "an .irsa file describes one installation: import each SpinnakerService with its own ServiceAccounts",
            );
            return None;
        }
    };
    for other in all.iter().filter(|o| !std::ptr::eq(**o, chosen)) {
        report.add(
            Code::SecondSpinnakerService,
            other.key_origin(&["metadata", "name"]),
            format!(
                "SpinnakerService `{}` left out: the file imports `{}` ({})",
                other.str_at("/metadata/name").unwrap_or("?"),
                chosen.str_at("/metadata/name").unwrap_or("?"),
                report.place(chosen.key_origin(&["metadata", "name"]))
            ),
        );
    }
    Some(chosen)
}

fn names_service_accounts(object: &Object) -> bool {
    object
        .value()
        .pointer("/spec/spinnakerConfig/service-settings")
        .and_then(Value::as_object)
        .is_some_and(|settings| {
            settings
                .values()
                .any(|s| s.pointer("/kubernetes/serviceAccountName").is_some())
        })
}

/// The service-settings keys that name a ServiceAccount, in order.
fn entries(spinnaker: &Object, report: &mut Report<'_>) -> Vec<Entry> {
    let Some(settings) = spinnaker
        .value()
        .pointer("/spec/spinnakerConfig/service-settings")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut keys = spinnaker.located.positions.keys_of(&SERVICE_SETTINGS);
    keys.extend(
        settings
            .keys()
            .filter(|k| !keys.contains(k))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let mut entries = Vec::new();
    for key in keys {
        let Some(value) = settings.get(&key) else {
            continue;
        };
        let key_path = [
            SERVICE_SETTINGS[0],
            SERVICE_SETTINGS[1],
            SERVICE_SETTINGS[2],
            &key,
        ];
        let key_origin = spinnaker.key_origin(&key_path);
        if key != "spinnaker" && !KNOWN_SERVICES.contains(&key.as_str()) {
            report.add_with_suggestion(
                Code::UnknownServiceKey,
                key_origin,
                format!("service-settings key `{key}` left out: irsa knows no such service"),
                (&key, &KNOWN_SERVICES),
                "the services irsa knows are `spinnaker` (`*`) and those of the language reference",
            );
            continue;
        }
        let left_out = other_content(value);
        if !left_out.is_empty() {
            report.add_with_help(
                Code::OtherServiceSettings,
                key_origin,
                format!(
                    "service-settings.{key}: {} left out",
                    left_out
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "an .irsa file holds only serviceAccountName; keep the rest in your own SpinnakerService (`irsa compile --component` patches it and keeps the rest)",
            );
        }
        let name_path = [
            key_path[0],
            key_path[1],
            key_path[2],
            &key,
            "kubernetes",
            "serviceAccountName",
        ];
        match value.pointer("/kubernetes/serviceAccountName") {
            None => {}
            Some(Value::String(name))
                if check_word(
                    report,
                    spinnaker.key_origin(&name_path),
                    "serviceAccountName",
                    name,
                ) =>
            {
                entries.push(Entry {
                    key: key.clone(),
                    service_account: name.clone(),
                    origin: spinnaker.key_origin(&name_path),
                });
            }
            Some(Value::String(_)) => {}
            Some(_) => report.add(
                Code::UnimportableValue,
                spinnaker.key_origin(&name_path),
                format!("service-settings.{key}.kubernetes.serviceAccountName is not a string"),
            ),
        }
    }
    entries
}

/// What a service-settings value holds besides `kubernetes.serviceAccountName`.
fn other_content(value: &Value) -> Vec<String> {
    let Some(map) = value.as_object() else {
        return if value.is_null() {
            Vec::new()
        } else {
            vec!["its value".to_owned()]
        };
    };
    let mut left_out = Vec::new();
    for (key, inner) in map {
        match (key.as_str(), inner.as_object()) {
            ("kubernetes", Some(kubernetes)) => left_out.extend(
                kubernetes
                    .keys()
                    .filter(|k| *k != "serviceAccountName")
                    .map(|k| format!("kubernetes.{k}")),
            ),
            _ => left_out.push(key.clone()),
        }
    }
    left_out
}

/// The ServiceAccounts of the SpinnakerService's namespace, cleaned of what
/// the server sets; warnings for those no entry names.
fn accounts(
    objects: &[Object],
    namespace: Option<&str>,
    entries: &[Entry],
    report: &mut Report<'_>,
) -> BTreeMap<String, Account> {
    let mut accounts: BTreeMap<String, (Account, &Object)> = BTreeMap::new();
    let service_accounts = objects.iter().filter(|o| {
        o.kind() == Some("ServiceAccount")
            && match (namespace, o.str_at("/metadata/namespace")) {
                (Some(wanted), Some(theirs)) => wanted == theirs,
                _ => true,
            }
    });
    for (order, object) in service_accounts.enumerate() {
        let Some(name) = object.str_at("/metadata/name") else {
            continue;
        };
        let named = entries.iter().any(|e| e.service_account == name);
        if !named {
            if name != "default" {
                report.add_with_help(
                    Code::UnusedServiceAccount,
                    object.key_origin(&["metadata", "name"]),
                    format!("ServiceAccount `{name}` left out: the SpinnakerService names it for no service"),
                    "an .irsa file generates a ServiceAccount only for the services it binds",
                );
            }
            continue;
        }
        let account = account(object, order, report);
        match accounts.get(name) {
            None => {
                accounts.insert(name.to_owned(), (account, object));
            }
            Some((first, first_object)) => {
                if first.role.as_ref().map(|r| &r.0) != account.role.as_ref().map(|r| &r.0)
                    || settings_of(first) != settings_of(&account)
                {
                    report.add_with_help(
                        Code::DuplicateServiceAccount,
                        object.key_origin(&["metadata", "name"]),
                        format!(
                            "ServiceAccount `{name}` appears twice with different annotations or labels (first at {})",
                            report.place(first_object.key_origin(&["metadata", "name"]))
                        ),
                        "import one export of the ServiceAccount: which one is in the cluster?",
                    );
                }
            }
        }
    }
    accounts
        .into_iter()
        .map(|(name, (account, _))| (name, account))
        .collect()
}

fn settings_of(account: &Account) -> Vec<&Setting> {
    account.settings.iter().map(|(s, _)| s).collect()
}

/// One ServiceAccount's role and settings.
fn account(object: &Object, order: usize, report: &mut Report<'_>) -> Account {
    let mut role = None;
    let mut settings = Vec::new();
    for field in ["annotations", "labels"] {
        let value = object.value().pointer(&format!("/metadata/{field}"));
        if value.is_some_and(|v| !v.is_object() && !v.is_null()) {
            report.add(
                Code::UnimportableValue,
                object.key_origin(&["metadata", field]),
                format!("metadata.{field} is not a mapping of strings"),
            );
        }
    }
    let annotations = object
        .value()
        .pointer("/metadata/annotations")
        .and_then(Value::as_object);
    for (key, value) in annotations.into_iter().flatten() {
        let origin = object.key_origin(&["metadata", "annotations", key]);
        let Some(value) = scalar_text(value) else {
            report.add(
                Code::UnimportableValue,
                origin,
                format!("annotation `{key}` is not a string"),
            );
            continue;
        };
        let setting = match key.as_str() {
            LAST_APPLIED => continue,
            ROLE_ARN => {
                check_word(report, origin, ROLE_ARN, &value);
                role = Some((value, origin));
                continue;
            }
            AUDIENCE => Setting::Audience(value),
            STS_REGIONAL if value == "true" || value == "false" => {
                Setting::StsRegionalEndpoints(value)
            }
            TOKEN_EXPIRATION if is_canonical_seconds(&value) => {
                Setting::TokenExpiration(value.parse().unwrap_or_default())
            }
            STS_REGIONAL | TOKEN_EXPIRATION => {
                report.add_with_help(
                    Code::UnimportableValue,
                    origin,
                    format!("annotation `{key}: {value}` cannot be written as .irsa"),
                    "irsa writes `true`/`false` for sts-regional-endpoints and whole seconds for token-expiration, as the pod identity webhook reads them",
                );
                continue;
            }
            _ => Setting::Annotation(key.clone(), value),
        };
        settings.push((setting, origin));
    }
    let labels = object
        .value()
        .pointer("/metadata/labels")
        .and_then(Value::as_object);
    for (key, value) in labels.into_iter().flatten() {
        let origin = object.key_origin(&["metadata", "labels", key]);
        let Some(value) = scalar_text(value) else {
            report.add(
                Code::UnimportableValue,
                origin,
                format!("label `{key}` is not a string"),
            );
            continue;
        };
        if key == MANAGED_BY {
            if value != "irsa" && role.is_some() {
                report.add_with_help(
                    Code::ForeignManagedBy,
                    origin,
                    format!("label `{MANAGED_BY}: {value}` left out: irsa's ServiceAccounts carry `{MANAGED_BY}: irsa`"),
                    "once irsa generates the ServiceAccount, irsa manages it",
                );
            }
            continue;
        }
        settings.push((Setting::Label(key.clone(), value), origin));
    }
    settings.sort_by(|a, b| a.0.cmp(&b.0));
    if role.is_some() {
        warn_left_out_fields(object, report);
    }
    Account {
        role,
        settings,
        order,
    }
}

/// Fields of a generated ServiceAccount that irsa does not write.
fn warn_left_out_fields(object: &Object, report: &mut Report<'_>) {
    let name = object.str_at("/metadata/name").unwrap_or_default();
    let mut left_out: Vec<(String, Origin)> = Vec::new();
    if let Some(map) = object.value().as_object() {
        for (key, value) in map {
            let token_secrets_only = key == "secrets"
                && value.as_array().is_some_and(|secrets| {
                    secrets.iter().all(|s| {
                        s.pointer("/name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.starts_with(&format!("{name}-token-")))
                    })
                });
            if !matches!(key.as_str(), "apiVersion" | "kind" | "metadata") && !token_secrets_only {
                left_out.push((key.clone(), object.key_origin(&[key])));
            }
        }
    }
    if let Some(metadata) = object
        .value()
        .pointer("/metadata")
        .and_then(Value::as_object)
    {
        for key in metadata.keys() {
            if !matches!(key.as_str(), "name" | "annotations" | "labels")
                && !SERVER_SET.contains(&key.as_str())
            {
                left_out.push((
                    format!("metadata.{key}"),
                    object.key_origin(&["metadata", key]),
                ));
            }
        }
    }
    for (field, origin) in left_out {
        report.add_with_help(
            Code::ServiceAccountFieldLeftOut,
            origin,
            format!("`{field}` of ServiceAccount `{name}` left out"),
            "irsa writes a ServiceAccount's name, namespace, annotations and labels only",
        );
    }
}

/// A scalar as Kubernetes would hold it in a string map.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whole seconds as irsa writes them: digits, no leading zero.
fn is_canonical_seconds(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0')
        && text.parse::<u64>().is_ok()
}

/// A name or ARN that the file writes as a bare word must be one: white
/// space, `#` (a comment), braces or a quote would make it mean
/// something else. Reports it and returns false otherwise.
fn check_word(report: &mut Report<'_>, origin: Origin, what: &str, text: &str) -> bool {
    let bad = text
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '#' | '{' | '}' | '"' | '\\'));
    match (text.is_empty(), bad) {
        (true, _) => {
            report.add(Code::UnimportableValue, origin, format!("{what} is empty"));
            false
        }
        (false, Some(c)) => {
            report.add_with_help(
                Code::UnimportableValue,
                origin,
                format!("{what} `{text}` holds {c:?}, which no name or ARN holds"),
                "an .irsa file writes it as a bare word, where this character would change its meaning",
            );
            false
        }
        (false, None) => true,
    }
}

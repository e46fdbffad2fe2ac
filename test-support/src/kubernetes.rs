//! Output read the way Kubernetes reads it: validated against the real CRDs
//! (the copies in `schemas/`), pruned of unknown fields, and scalars read
//! with YAML 1.1 rules.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::root;

/// The directory of the CRD copies.
pub fn schemas_dir() -> PathBuf {
    root().join("schemas")
}

/// One CustomResourceDefinition of `schemas/`, at the version that serves
/// its objects.
#[derive(Debug, Clone)]
pub struct Crd {
    /// The file name in `schemas/`.
    pub file: String,
    pub group: String,
    pub kind: String,
    /// The served version.
    pub version: String,
    /// `Namespaced` or `Cluster`.
    pub scope: String,
    /// The served version's `openAPIV3Schema`.
    pub schema: Value,
}

impl Crd {
    /// Reads `schemas/FILE` at its served version: the one given, else the
    /// served storage version, else the only served one.
    pub fn read(file: &str, version: Option<&str>) -> Crd {
        let path = schemas_dir().join(file);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let crd: Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file}: not YAML: {e}"));
        assert_eq!(
            crd["kind"], "CustomResourceDefinition",
            "{file} is not a CRD"
        );
        let spec = &crd["spec"];
        let versions = spec["versions"]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: no spec.versions"));
        let served: Vec<&Value> = versions
            .iter()
            .filter(|v| v["served"] == Value::Bool(true))
            .collect();
        let chosen = match version {
            Some(wanted) => served
                .iter()
                .find(|v| v["name"] == wanted)
                .unwrap_or_else(|| panic!("{file} serves no version {wanted}")),
            None => served
                .iter()
                .find(|v| v["storage"] == Value::Bool(true))
                .or(match served.as_slice() {
                    [only] => Some(only),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{file}: which served version?")),
        };
        let schema = chosen["schema"]["openAPIV3Schema"].clone();
        assert!(
            schema.is_object(),
            "{file}: the served version has no openAPIV3Schema"
        );
        let text = |value: &Value, what: &str| {
            value
                .as_str()
                .unwrap_or_else(|| panic!("{file}: no {what}"))
                .to_owned()
        };
        Crd {
            file: file.to_owned(),
            group: text(&spec["group"], "spec.group"),
            kind: text(&spec["names"]["kind"], "spec.names.kind"),
            version: text(&chosen["name"], "version name"),
            scope: text(&spec["scope"], "spec.scope"),
            schema,
        }
    }

    /// `GROUP/VERSION`, as objects of this CRD write it.
    pub fn api_version(&self) -> String {
        format!("{}/{}", self.group, self.version)
    }

    /// The schema compiled into a JSON Schema validator.
    pub fn validator(&self) -> jsonschema::Validator {
        jsonschema::validator_for(&self.schema)
            .unwrap_or_else(|e| panic!("{}: the schema does not compile: {e}", self.file))
    }

    /// Every problem the API server would have with an object of this CRD:
    /// its `apiVersion` and `kind`, schema violations, and fields it would
    /// prune as unknown. Empty when the object is fine.
    pub fn problems(&self, object: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        if object["apiVersion"] != self.api_version().as_str() || object["kind"] != self.kind {
            problems.push(format!(
                "{}/{} is not {} {}",
                object["apiVersion"],
                object["kind"],
                self.api_version(),
                self.kind
            ));
        }
        problems.extend(
            self.validator()
                .iter_errors(object)
                .map(|e| format!("{}: {e}", e.instance_path())),
        );
        problems.extend(
            unknown_fields(object, &self.schema, "")
                .into_iter()
                .map(|path| format!("{path}: unknown field, pruned by the API server")),
        );
        problems
    }
}

/// Every CRD of `schemas/`, sorted by file name.
pub fn crds() -> Vec<Crd> {
    crate::files_in(&schemas_dir(), "yaml")
        .iter()
        .map(|path| Crd::read(&path.file_name().unwrap().to_string_lossy(), None))
        .collect()
}

/// The CRD of an object's `apiVersion` and `kind`, at that version.
pub fn crd_for(api_version: &str, kind: &str) -> Crd {
    let (group, version) = api_version
        .split_once('/')
        .unwrap_or_else(|| panic!("`{api_version}` has no group: not a custom resource"));
    let found: Vec<Crd> = crds()
        .into_iter()
        .filter(|crd| crd.group == group && crd.kind == kind)
        .collect();
    match found.as_slice() {
        [crd] => Crd::read(&crd.file, Some(version)),
        [] => panic!("no CRD in schemas/ for {api_version} {kind}"),
        _ => panic!("several CRDs in schemas/ for {api_version} {kind}"),
    }
}

/// The validator of `schemas/FILE` at its served version.
pub fn validator(file: &str) -> jsonschema::Validator {
    Crd::read(file, None).validator()
}

/// The validator for objects of an `apiVersion` and `kind`.
pub fn validator_for(api_version: &str, kind: &str) -> jsonschema::Validator {
    crd_for(api_version, kind).validator()
}

/// Fields that a Kubernetes API server would prune as unknown: keys not in
/// a schema's `properties`, where the schema neither preserves unknown
/// fields nor gives `additionalProperties`.
pub fn unknown_fields(value: &Value, schema: &Value, path: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    // The API server validates ObjectMeta itself; the CRD leaves it open.
    if path == ".metadata" {
        if let Value::Object(map) = value {
            let known = ["name", "namespace", "labels", "annotations"];
            unknown.extend(
                map.keys()
                    .filter(|k| !known.contains(&k.as_str()))
                    .map(|k| format!("{path}.{k}")),
            );
        }
        return unknown;
    }
    if schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true)
        && schema.get("properties").is_none()
        && schema.get("additionalProperties").is_none()
    {
        return unknown;
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                if let Some(child_schema) = schema["properties"].get(key) {
                    unknown.extend(unknown_fields(child, child_schema, &child_path));
                } else if let Some(additional) = schema.get("additionalProperties") {
                    unknown.extend(unknown_fields(child, additional, &child_path));
                } else if schema["x-kubernetes-preserve-unknown-fields"] != Value::Bool(true) {
                    unknown.push(child_path);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                unknown.extend(unknown_fields(
                    item,
                    &schema["items"],
                    &format!("{path}[{index}]"),
                ));
            }
        }
        _ => {}
    }
    unknown
}

/// Whether a plain (unquoted) scalar would be read by a YAML 1.1 reader as
/// something other than a string: a bool, null, int, float or timestamp.
/// Kubernetes tools built on YAML 1.1 resolvers read it so.
pub fn yaml11_reads_as_non_string(plain: &str) -> bool {
    static PATTERNS: OnceLock<Vec<regex::Regex>> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        [
            // bool
            r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
            // null
            r"^(~|null|Null|NULL|)$",
            // int: binary, octal, decimal, hex, sexagesimal
            r"^[-+]?0b[0-1_]+$",
            r"^[-+]?0[0-7_]+$",
            r"^[-+]?(0|[1-9][0-9_]*)$",
            r"^[-+]?0x[0-9a-fA-F_]+$",
            r"^[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+$",
            // float
            r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?$",
            r"^[-+]?[0-9][0-9_]*(\.[0-9_]*)?[eE][-+]?[0-9]+$",
            r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$",
            r"^[-+]?\.(inf|Inf|INF)$",
            r"^\.(nan|NaN|NAN)$",
            // timestamp
            r"^[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(([Tt]|[ \t]+).*)?$",
            // merge and value keys
            r"^(<<|=)$",
        ]
        .iter()
        .map(|p| regex::Regex::new(p).expect("valid pattern"))
        .collect()
    });
    patterns.iter().any(|p| p.is_match(plain))
}

/// Every plain scalar (key or value) of a block-style YAML text that a
/// YAML 1.1 reader would not read as a string.
pub fn ambiguous_plain_scalars(yaml: &str) -> Vec<String> {
    let mut found = Vec::new();
    // Indentation of the key whose block scalar (`|`, `>`) is being read.
    let mut block_scalar_of: Option<usize> = None;
    for line in yaml.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(key_indent) = block_scalar_of {
            if indent > key_indent || line.trim().is_empty() {
                continue;
            }
            block_scalar_of = None;
        }
        let content = line.trim_start().trim_start_matches("- ");
        if content == "---" || content.is_empty() {
            continue;
        }
        let (key, value) = match content.split_once(": ") {
            Some((key, value)) => (key, Some(value)),
            None => (content.trim_end_matches(':'), None),
        };
        if value.is_some_and(|v| v.starts_with('|') || v.starts_with('>')) {
            block_scalar_of = Some(indent);
        }
        for scalar in [Some(key), value].into_iter().flatten() {
            let quoted = scalar.starts_with('"')
                || scalar.starts_with('\'')
                || scalar.starts_with('|')
                || scalar.starts_with('>');
            if !quoted && yaml11_reads_as_non_string(scalar) {
                found.push(scalar.to_owned());
            }
        }
    }
    found
}

// ------------------------------------------------------------ the API server

/// Everything the API server (with the CRDs installed) would reject or
/// prune in an object: [`Crd::problems`] (schema, unknown fields), the CEL
/// rules, the name, and a namespace on a cluster-scoped object.
pub fn api_server_problems(object: &Value) -> (Crd, Vec<String>) {
    let crd = crd_for(
        object["apiVersion"].as_str().unwrap_or_default(),
        object["kind"].as_str().unwrap_or_default(),
    );
    let mut problems = crd.problems(object);
    problems.extend(cel_problems(object, &crd.schema, ""));
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if !is_dns1123_subdomain(name) {
        problems.push(format!(
            ".metadata.name: `{name}` is not a DNS-1123 subdomain"
        ));
    }
    if crd.scope == "Cluster" && object["metadata"].get("namespace").is_some() {
        problems.push(".metadata.namespace: the CRD is cluster-scoped".to_owned());
    }
    (crd, problems)
}

/// Fails naming every problem of [`api_server_problems`].
pub fn assert_accepted(what: &str, object: &Value) {
    let (crd, problems) = api_server_problems(object);
    assert!(
        problems.is_empty(),
        "{what}: {} {} against {}: {problems:#?}\n{object:#}",
        object["kind"],
        object["metadata"]["name"],
        crd.file
    );
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`, at
/// most 253 characters: what the API server takes as an object's name.
pub fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
            label.starts_with(alphanumeric)
                && label.ends_with(alphanumeric)
                && label.chars().all(|c| alphanumeric(c) || c == '-')
        })
}

/// The CEL rules of the schema at every level of the object. A Kubernetes
/// API server evaluates them; JSON Schema does not. The CRDs of `schemas/`
/// have only the rules upjet generates for required parameters, so those
/// are evaluated here (with `managementPolicies` defaulted as the schema
/// says); any other rule fails the test rather than pass unread.
fn cel_problems(value: &Value, schema: &Value, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for rule in schema
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = rule["rule"].as_str().unwrap_or_default();
        let field = required_parameter_rule(text)
            .unwrap_or_else(|| panic!("{path}: a CEL rule this test cannot read: {text}"));
        let policies = value
            .get("managementPolicies")
            .cloned()
            .unwrap_or_else(|| schema["properties"]["managementPolicies"]["default"].clone());
        let acts = policies
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p == "*" || p == "Create" || p == "Update");
        let has = |parameters: &str| value[parameters].get(&field).is_some();
        if acts && !has("forProvider") && !has("initProvider") {
            problems.push(format!(
                "{path}: {}",
                rule["message"].as_str().unwrap_or_default()
            ));
        }
    }
    if let Value::Object(map) = value {
        for (key, child) in map {
            if let Some(child_schema) = schema["properties"].get(key) {
                problems.extend(cel_problems(child, child_schema, &format!("{path}.{key}")));
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            problems.extend(cel_problems(item, item_schema, &format!("{path}[{i}]")));
        }
    }
    problems
}

/// The parameter of upjet's rule "spec.forProvider.FIELD is a required
/// parameter", or `None` for any other rule.
pub fn required_parameter_rule(rule: &str) -> Option<String> {
    let rule = rule.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = rule.strip_prefix(
        "!('*' in self.managementPolicies || 'Create' in self.managementPolicies || \
         'Update' in self.managementPolicies) || has(self.forProvider.",
    )?;
    let (field, rest) = rest.split_once(')')?;
    (rest == format!(" || (has(self.initProvider) && has(self.initProvider.{field}))")).then(|| {
        // CEL escapes a reserved word as `__word__`.
        field
            .strip_prefix("__")
            .and_then(|f| f.strip_suffix("__"))
            .unwrap_or(field)
            .to_owned()
    })
}

/// `kubectl kustomize DIR`, which must succeed: the objects it builds.
pub fn kustomize(dir: &std::path::Path) -> Vec<Value> {
    let output = std::process::Command::new("kubectl")
        .args(["kustomize", &dir.display().to_string()])
        .output()
        .expect("kubectl is installed (`cargo xtask ci` installs it)");
    assert!(
        output.status.success(),
        "kubectl kustomize {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    crate::yaml_documents(&String::from_utf8_lossy(&output.stdout))
}

// ------------------------------------------------- breaking objects on purpose

fn at<'v>(object: &'v mut Value, path: &[&str]) -> &'v mut Value {
    path.iter().fold(object, |at, key| &mut at[*key])
}

/// A copy of the object with the value at `path` replaced.
pub fn with_value(object: &Value, path: &[&str], value: Value) -> Value {
    let mut object = object.clone();
    *at(&mut object, path) = value;
    object
}

/// A copy of the object without `key` of the map at `path`.
pub fn without(object: &Value, path: &[&str], key: &str) -> Value {
    let mut object = object.clone();
    at(&mut object, path)
        .as_object_mut()
        .and_then(|map| map.remove(key))
        .unwrap_or_else(|| panic!("no `{key}` at {path:?}"));
    object
}

/// A copy of the object with `from` of the map at `path` renamed `to`.
pub fn renamed(object: &Value, path: &[&str], from: &str, to: &str) -> Value {
    let mut object = object.clone();
    let map = at(&mut object, path)
        .as_object_mut()
        .unwrap_or_else(|| panic!("no map at {path:?}"));
    let value = map
        .remove(from)
        .unwrap_or_else(|| panic!("no `{from}` at {path:?}"));
    map.insert(to.to_owned(), value);
    object
}

//! Properties of the export readers (`irsa::exports`), checked by the
//! `kubernetes_export` fuzz target and replayed by
//! `tests/tests/fuzz_regressions.rs`. Each check panics when its property
//! breaks and returns what it saw.

use std::collections::BTreeMap;

use irsa::exports::kubernetes::{LocatedObject, read_kubernetes_located};
use serde_json::Value;

/// The Kubernetes reader never panics; what it reads is objects at real
/// positions, and reading each object back from its JSON gives it again.
/// Returns how many objects were read (`None` when the input was refused).
pub fn check_kubernetes_export(data: &[u8]) -> Option<usize> {
    let objects = match read_kubernetes_located(data) {
        Ok(objects) => objects,
        Err(error) => {
            assert!(!error.message.is_empty(), "an error without a message");
            return None;
        }
    };
    for located in &objects {
        let object = &located.object;
        assert!(
            object.value.is_object(),
            "not an object: {:?}",
            object.value
        );
        assert!(object.position.line >= 1, "unlocated: {object:?}");
        // An object that is itself a List would read back as its items.
        if is_list(&object.value) {
            continue;
        }
        let json = serde_json::to_vec(&object.value).expect("a value serializes");
        let again = read_kubernetes_located(&json).expect("its own JSON reads back");
        let values: Vec<&Value> = again.iter().map(|l| &l.object.value).collect();
        assert_eq!(
            values,
            [&object.value],
            "the JSON of an object reads back differently"
        );
    }
    Some(objects.len())
}

fn is_list(value: &Value) -> bool {
    value["kind"].as_str().is_some_and(|k| k.ends_with("List")) && value["items"].is_array()
}

/// What importing one input gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    /// A source that compiles and keeps the input's meaning.
    Source,
    /// Located errors, no source.
    Refused,
}

/// `irsa import` never panics; every diagnostic is located inside its
/// input; a source it gives is in the canonical layout, compiles, keeps the
/// guarantee of LANGUAGE.md §13 and is a fixed point (importing its own
/// output gives it again).
pub fn check_import(data: &[u8]) -> Imported {
    let result = irsa::import(&[irsa::ImportInput {
        name: "input",
        bytes: data,
    }]);
    let text = String::from_utf8_lossy(data);
    for d in &result.diagnostics {
        assert_eq!(d.input, 0);
        assert!(
            d.diagnostic.span.start <= d.diagnostic.span.end && d.diagnostic.span.end <= text.len(),
            "a span outside the input: {d:?}"
        );
    }
    let failed = result.failed();
    let Some(source) = result.source else {
        assert!(failed, "no source and no error");
        return Imported::Refused;
    };
    assert!(!failed, "a source despite an error");
    let stream = assert_import_guarantee(&[data], &source);
    let again = irsa::import(&[irsa::ImportInput {
        name: "compiled",
        bytes: stream.as_bytes(),
    }]);
    assert_eq!(
        again.source.as_deref(),
        Some(source.as_str()),
        "importing the compiled import gives another file: {:?}",
        again.diagnostics
    );
    Imported::Source
}

/// The guarantee of LANGUAGE.md §13, checked on an imported `source`
/// against its `inputs`: it is canonical, compiles without error, and gives
/// the same ServiceAccounts (names, annotations, labels; those with a role
/// annotation, which irsa generates) and the same `serviceAccountName` for
/// every service-settings key irsa can hold, in the same order. Returns
/// the compiled stream.
pub fn assert_import_guarantee(inputs: &[&[u8]], source: &str) -> String {
    assert_eq!(
        irsa::format(source).as_deref(),
        Ok(source),
        "not in the canonical layout"
    );
    let compilation =
        irsa::compile(source, irsa::EmitOptions::default()).expect("emission never fails");
    let output = compilation.output.unwrap_or_else(|| {
        panic!(
            "the imported file does not compile: {:?}\n{source}",
            compilation.diagnostics
        )
    });
    let objects: Vec<LocatedObject> = inputs
        .iter()
        .flat_map(|bytes| read_kubernetes_located(bytes).expect("an imported input reads"))
        .collect();
    let compiled = read_kubernetes_located(output.stream.as_bytes()).expect("the output reads");
    let out_spinnaker = compiled
        .iter()
        .find(|o| o.object.value["kind"] == "SpinnakerService")
        .expect("a SpinnakerService");
    let name = &out_spinnaker.object.value["metadata"]["name"];
    let namespace = &out_spinnaker.object.value["metadata"]["namespace"];
    // Of two with that name (a stream may hold both), import takes the one
    // that names ServiceAccounts (I101 for the other).
    let candidates: Vec<&LocatedObject> = objects
        .iter()
        .filter(|o| o.object.value["kind"] == "SpinnakerService")
        .filter(|o| &o.object.value["metadata"]["name"] == name)
        .filter(|o| &o.object.value["metadata"]["namespace"] == namespace)
        .collect();
    let in_spinnaker = candidates
        .iter()
        .find(|o| !service_account_names(o, false).is_empty())
        .or(candidates.first())
        .expect("the input has the SpinnakerService imported");
    assert_eq!(
        out_spinnaker.object.value["apiVersion"],
        in_spinnaker.object.value["apiVersion"]
    );
    let expected_names = service_account_names(in_spinnaker, true);
    let names = service_account_names(out_spinnaker, false);
    assert_eq!(
        names, expected_names,
        "serviceAccountName per service-settings key"
    );
    let expected: BTreeMap<String, (Value, Value)> = expected_names
        .iter()
        .filter_map(|(_, sa)| input_account(&objects, sa, namespace).map(|m| (sa.clone(), m)))
        .collect();
    let generated: BTreeMap<String, (Value, Value)> = compiled
        .iter()
        .filter(|o| o.object.value["kind"] == "ServiceAccount")
        .map(|o| {
            let metadata = &o.object.value["metadata"];
            let mut labels = metadata["labels"].clone();
            labels
                .as_object_mut()
                .map(|l| l.remove("app.kubernetes.io/managed-by"));
            (
                metadata["name"].as_str().unwrap_or_default().to_owned(),
                (
                    empty_as_null(metadata["annotations"].clone()),
                    empty_as_null(labels),
                ),
            )
        })
        .collect();
    assert_eq!(generated, expected, "the ServiceAccounts differ\n{source}");
    output.stream
}

/// `(key, serviceAccountName)` of a SpinnakerService, in the text's order
/// (`spinnaker` first, as irsa writes it); from an input, only the keys
/// irsa can hold.
fn service_account_names(object: &LocatedObject, input: bool) -> Vec<(String, String)> {
    let path = ["spec", "spinnakerConfig", "service-settings"];
    let settings = &object.object.value["spec"]["spinnakerConfig"]["service-settings"];
    let mut names: Vec<(String, String)> = object
        .positions
        .keys_of(&path)
        .into_iter()
        .filter(|key| {
            !input || key == "spinnaker" || irsa::services::KNOWN_SERVICES.contains(&key.as_str())
        })
        .filter_map(|key| {
            let sa = settings[&key]["kubernetes"]["serviceAccountName"]
                .as_str()?
                .to_owned();
            Some((key, sa))
        })
        .collect();
    names.sort_by_key(|(key, _)| key != "spinnaker");
    names
}

/// The annotations and labels irsa would keep of the input's
/// ServiceAccount `name`, when it has a role annotation.
fn input_account(
    objects: &[LocatedObject],
    name: &str,
    namespace: &Value,
) -> Option<(Value, Value)> {
    let object = objects.iter().find(|o| {
        let metadata = &o.object.value["metadata"];
        o.object.value["kind"] == "ServiceAccount"
            && metadata["name"] == name
            && (namespace.is_null()
                || metadata["namespace"].is_null()
                || &metadata["namespace"] == namespace)
    })?;
    let metadata = &object.object.value["metadata"];
    metadata["annotations"]["eks.amazonaws.com/role-arn"].as_str()?;
    let mut annotations = metadata["annotations"].clone();
    annotations
        .as_object_mut()
        .map(|a| a.remove("kubectl.kubernetes.io/last-applied-configuration"));
    let mut labels = metadata["labels"].clone();
    labels
        .as_object_mut()
        .map(|l| l.remove("app.kubernetes.io/managed-by"));
    Some((
        empty_as_null(stringified(annotations)),
        empty_as_null(stringified(labels)),
    ))
}

fn stringified(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => Value::String(s),
                        other => Value::String(other.to_string()),
                    };
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

fn empty_as_null(value: Value) -> Value {
    match value {
        Value::Object(map) if map.is_empty() => Value::Null,
        other => other,
    }
}

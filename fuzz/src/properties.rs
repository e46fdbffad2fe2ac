//! Properties that hold for any input, checked by the fuzz targets and the
//! regression tests. Each function panics when a property is violated.

use irsa::diagnostics::LineIndex;
use irsa::{EmitOptions, Output, Severity};
use serde_json::Value;

/// Parsing any bytes gives diagnostics whose spans lie inside the text.
pub fn check_parse(data: &[u8]) {
    let (text, decode_error) = irsa::decode(data);
    if let Some(diagnostic) = decode_error {
        assert!(diagnostic.span.end <= text.len());
        return;
    }
    let (_, diagnostics) = irsa::syntax::parse(&text);
    for diagnostic in diagnostics {
        assert!(diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= text.len());
        assert!(
            text.is_char_boundary(diagnostic.span.start)
                && text.is_char_boundary(diagnostic.span.end)
        );
    }
}

/// What a text compiles to, as comparable data: the output and the codes
/// of its diagnostics. Also used by the fmt tests of the other crates.
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

/// Whatever compiles emits YAML and JSON that read back to the same data;
/// whatever does not compile has at least one located error.
pub fn check_compile(data: &[u8]) {
    let (text, decode_error) = irsa::decode(data);
    if decode_error.is_some() {
        return;
    }
    let analysis = irsa::analyze(&text);
    let index = LineIndex::new(&text);
    for diagnostic in &analysis.diagnostics {
        assert!(diagnostic.span.end <= text.len(), "{diagnostic:?}");
        let (line, column) = index.position(diagnostic.span.start);
        assert!(line >= 1 && column >= 1);
    }
    let Some(install) = analysis.install else {
        assert!(
            analysis
                .diagnostics
                .iter()
                .any(|d| d.severity() == Severity::Error)
        );
        return;
    };
    let output = irsa::emit::emit(&install, EmitOptions::default()).expect("emission never fails");
    let documents: Vec<Value> =
        serde_saphyr::from_multiple(&output.stream).expect("the stream is YAML");
    assert_eq!(documents.len(), install.service_accounts.len() + 1);
    for (document, account) in documents.iter().zip(&install.service_accounts) {
        assert_eq!(document["kind"], "ServiceAccount");
        assert_eq!(
            document["metadata"]["name"],
            Value::String(account.name.clone())
        );
        let annotations: serde_json::Map<String, Value> = account
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        assert_eq!(
            document["metadata"]["annotations"],
            Value::Object(annotations)
        );
        let labels: serde_json::Map<String, Value> = account
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        assert_eq!(document["metadata"]["labels"], Value::Object(labels));
        let namespace = install
            .namespace
            .as_ref()
            .map(|n| Value::String(n.value.clone()));
        assert_eq!(document["metadata"].get("namespace").cloned(), namespace);
    }
    let service = documents.last().expect("a SpinnakerService");
    assert_eq!(
        service["metadata"]["name"],
        Value::String(install.name.value.clone())
    );
    let settings = service["spec"]["spinnakerConfig"]["service-settings"]
        .as_object()
        .expect("settings");
    assert_eq!(settings.len(), install.service_settings.len());
    for setting in &install.service_settings {
        assert_eq!(
            settings[&setting.key]["kubernetes"]["serviceAccountName"],
            Value::String(setting.service_account.clone())
        );
    }
    for file in &output.files {
        if file.path.ends_with(".json") {
            let policy: Value =
                serde_json::from_str(&file.content).expect("trust policies are JSON");
            let trust = install
                .trust_policies
                .iter()
                .find(|p| p.path == file.path)
                .expect("a policy");
            let condition = &policy["Statement"][0]["Condition"]["StringEquals"];
            let subjects = &condition[format!("{}:sub", trust.issuer)];
            let listed: Vec<Value> = match subjects {
                Value::Array(items) => items.clone(),
                one => vec![one.clone()],
            };
            let expected: Vec<Value> = trust.subjects.iter().cloned().map(Value::String).collect();
            assert_eq!(listed, expected);
        } else {
            let _: Vec<Value> =
                serde_saphyr::from_multiple(&file.content).expect("output files are YAML");
        }
    }
}

/// `fmt` is idempotent and never changes what a file compiles to.
pub fn check_fmt(data: &[u8]) {
    let (text, decode_error) = irsa::decode(data);
    if decode_error.is_some() {
        return;
    }
    let Ok(once) = irsa::format(&text) else {
        return;
    };
    let twice = irsa::format(&once).expect("formatted text formats");
    assert_eq!(once, twice, "fmt is not idempotent");
    assert_eq!(meaning(&once), meaning(&text), "fmt changed the meaning");
}

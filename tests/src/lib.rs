//! Helpers for the integration tests: run the real `irsa` binary, find the
//! examples and cases, and check output the way Kubernetes would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The `irsa` binary, built once per test process with the same profile.
pub fn irsa_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        escargot::CargoBuild::new()
            .package("irsa")
            .bin("irsa")
            .manifest_path(root().join("Cargo.toml"))
            .current_release()
            .current_target()
            .run()
            .expect("building the irsa binary")
            .path()
            .to_path_buf()
    })
}

/// What one run of `irsa` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A run that takes longer than this is a hang: it is killed and fails.
/// (A watchdog, not a speed target: speed is measured in benchmarks.)
pub const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `irsa ARGS` in `cwd`, with `stdin` if given (else an empty stdin).
pub fn irsa(args: &[&str], cwd: &Path, stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(irsa_bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting irsa");
    let input = stdin.unwrap_or_default().to_vec();
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        // irsa may exit before reading everything; that is not an error here.
        let _ = pipe.write_all(&input);
    });
    let read = |mut from: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = from.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr is piped")));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for irsa") {
            break status;
        }
        if started.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            panic!("irsa {args:?} hung: killed after {HANG_LIMIT:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    writer.join().expect("stdin writer");
    Run {
        code: status
            .code()
            .expect("irsa exited normally, not by a signal"),
        stdout: String::from_utf8(stdout.join().expect("stdout reader")).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr.join().expect("stderr reader")).expect("stderr is UTF-8"),
    }
}

/// Files with an extension in a directory, sorted.
pub fn files_in(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

/// Every file under a directory, by its path relative to it, with its
/// content (lossily decoded), sorted.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, String> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().display().to_string();
                let content = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                files.insert(relative, content);
            }
        }
    }
    files
}

/// Every `.irsa` example in dsl-examples/.
pub fn examples() -> Vec<PathBuf> {
    files_in(&root().join("dsl-examples"), "irsa")
}

/// Parses a YAML stream into one JSON value per document.
pub fn yaml_documents(stream: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(stream)
        .unwrap_or_else(|e| panic!("invalid YAML: {e}\n{stream}"))
}

/// The openAPIV3Schema of the SpinnakerService CRD for an apiVersion.
pub fn spinnaker_service_schema(api_version: &str) -> Value {
    let file = match api_version {
        "spinnaker.armory.io/v1alpha2" => "spinnaker.armory.io_spinnakerservices.yaml",
        "spinnaker.io/v1alpha2" => "spinnaker.io_spinnakerservices.yaml",
        other => panic!("no CRD for apiVersion {other}"),
    };
    let path = root().join("..").join("shared").join("schemas").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let crd: Value = serde_saphyr::from_str(&text).expect("the CRD is YAML");
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
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

//! `irsa verify` and `irsa import` for JavaScript: the playground's second
//! module, loaded on demand so that the first load stays small (the
//! first-load module, `irsa-wasm`, has the compiler only). Like it, this
//! crate only adapts the library's types to JavaScript values: the
//! `diagnostics` are the objects of `--message-format json`.
#![forbid(unsafe_code)]

use irsa::diagnostics::{JsonDiagnostic, LineIndex};
use irsa::verify::{RawExport, UnreadableExport};
use irsa::{Diagnostic, ImportInput};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A diagnostic, as `irsa --message-format json` prints it. Lines and columns are 1-based; columns count characters; the end is exclusive. `notes` say where an export contradicts the file. */
export interface Diagnostic {
  severity: "error" | "warning";
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  help?: string;
  notes?: string[];
}

/** One export for `verify`: `aws` (the AWS CLI's JSON) or `kubernetes` (kubectl's YAML or JSON). */
export interface VerifyExport {
  name: string;
  kind: "aws" | "kubernetes";
  text: string;
}

/** An export that cannot be read (`irsa verify`'s V001): where in it, 1-based. */
export interface UnreadableExport {
  name: string;
  message: string;
  line: number;
  column: number;
}

export interface VerifyResult {
  /** The file's own diagnostics, then the findings, by position in the source. */
  diagnostics: Diagnostic[];
  /** When any export cannot be read, nothing is verified. */
  unreadable: UnreadableExport[];
}

/** One Kubernetes YAML or JSON input for `importYaml`. */
export interface ImportInput {
  name: string;
  text: string;
}

export interface ImportResult {
  /** The `.irsa` source (what `irsa import` prints), or null when there is an error. */
  source: string | null;
  /** Located in the inputs: `file` is the input's name. */
  diagnostics: Diagnostic[];
}
"#;

/// The file name of the source in diagnostics, as the CLI for standard input.
const STDIN: &str = "<stdin>";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ExportKind {
    Aws,
    Kubernetes,
}

#[derive(Debug, Deserialize)]
struct VerifyExport {
    name: String,
    kind: ExportKind,
    text: String,
}

#[derive(Debug, Serialize)]
struct Unreadable {
    name: String,
    message: String,
    line: usize,
    column: usize,
}

#[derive(Debug, Serialize)]
struct VerifyResult {
    diagnostics: Vec<JsonDiagnostic>,
    unreadable: Vec<Unreadable>,
}

#[derive(Debug, Deserialize)]
struct NamedText {
    name: String,
    text: String,
}

#[derive(Debug, Serialize)]
struct ImportResult {
    source: Option<String>,
    diagnostics: Vec<JsonDiagnostic>,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&e.to_string()))
}

fn json_diagnostic(text: &str, file: &str, diagnostic: &Diagnostic) -> JsonDiagnostic {
    JsonDiagnostic::new(diagnostic, file, &LineIndex::new(text))
}

fn raw_exports(exports: &[VerifyExport], kind: ExportKind) -> Vec<RawExport<'_>> {
    exports
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| RawExport {
            name: &e.name,
            bytes: e.text.as_bytes(),
        })
        .collect()
}

fn unreadable(export: UnreadableExport) -> Unreadable {
    Unreadable {
        name: export.name,
        message: export.error.message,
        line: export.error.position.line,
        column: export.error.position.column,
    }
}

/// `irsa verify` without `--live`: the source against the exports.
#[wasm_bindgen(unchecked_return_type = "VerifyResult")]
pub fn verify(
    source: &str,
    #[wasm_bindgen(unchecked_param_type = "VerifyExport[]")] exports: JsValue,
) -> Result<JsValue, JsError> {
    let exports: Vec<VerifyExport> = from_js(exports)?;
    let verification = irsa::verify::verify_source(
        source,
        &raw_exports(&exports, ExportKind::Aws),
        &raw_exports(&exports, ExportKind::Kubernetes),
    );
    let index = LineIndex::new(source);
    to_js(&VerifyResult {
        diagnostics: verification
            .diagnostics
            .iter()
            .map(|d| JsonDiagnostic::new(d, STDIN, &index))
            .collect(),
        unreadable: verification
            .unreadable
            .into_iter()
            .map(unreadable)
            .collect(),
    })
}

/// `irsa import`: Kubernetes YAML or JSON in, the `.irsa` source out.
/// (`importYaml` in JavaScript: `import` is a reserved word there, which
/// wasm-bindgen would rename `_import`.)
#[wasm_bindgen(js_name = "importYaml", unchecked_return_type = "ImportResult")]
pub fn import_manifests(
    #[wasm_bindgen(unchecked_param_type = "ImportInput[]")] inputs: JsValue,
) -> Result<JsValue, JsError> {
    let inputs: Vec<NamedText> = from_js(inputs)?;
    let import_inputs: Vec<ImportInput<'_>> = inputs
        .iter()
        .map(|input| ImportInput {
            name: &input.name,
            bytes: input.text.as_bytes(),
        })
        .collect();
    let result = irsa::import::import(&import_inputs);
    let diagnostics = result
        .diagnostics
        .iter()
        .filter_map(|d| {
            let input = inputs.get(d.input)?;
            Some(json_diagnostic(&input.text, &input.name, &d.diagnostic))
        })
        .collect();
    to_js(&ImportResult {
        source: result.source,
        diagnostics,
    })
}

/// The compiler's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

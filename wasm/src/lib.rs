//! The irsa compiler for JavaScript. This crate only adapts the compiler's
//! types to JavaScript values: every result is the same as the CLI's (the
//! `stream` is what `irsa compile` prints, `files` what `-o DIR` writes,
//! `diagnostics` the objects of `--message-format json`).
#![forbid(unsafe_code)]

use irsa::analysis::{self, position};
use irsa::diagnostics::{self, JsonDiagnostic, LineIndex};
use irsa::{Diagnostic, EmitOptions, IamForm};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A diagnostic, as `irsa --message-format json` prints it. Lines and columns are 1-based; columns count characters; the end is exclusive. */
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
}

/** One file of `irsa compile -o DIR`, by its path relative to DIR. */
export interface OutputFile {
  path: string;
  content: string;
}

export interface CompileOptions {
  /** Write kustomization.yaml as a kustomize Component (`--component`). */
  component?: boolean;
  /** Treat warnings as errors (`--deny-warnings`). */
  denyWarnings?: boolean;
  /** The file name diagnostics carry; `<stdin>` by default, as the CLI for standard input. */
  file?: string;
  /** Also write the managed roles as infrastructure as code (`--iam FORM`): `ack` and `crossplane` objects lead the stream and make up `iam.yaml`; `terraform` and `cloudformation` add files only. */
  iam?: "terraform" | "cloudformation" | "ack" | "crossplane";
}

export interface CompileResult {
  /** No error (and no warning, with `denyWarnings`). */
  ok: boolean;
  /** What `irsa compile` prints on standard output; empty when not ok. */
  stream: string;
  /** What `irsa compile -o DIR` writes; empty when not ok. */
  files: OutputFile[];
  diagnostics: Diagnostic[];
}

export interface FormatResult {
  ok: boolean;
  /** The canonical layout (`irsa fmt`); empty when not ok. */
  formatted: string;
  diagnostics: Diagnostic[];
}

/** What `hover` returns: the hovered word's range and Markdown. Offsets are UTF-16 code units, as JavaScript strings index. */
export interface HoverResult {
  from: number;
  to: number;
  markdown: string;
}

/** One completion item. `kind`: "keyword" | "setting" | "value" | "service" | "role" | "service-account". */
export interface CompletionOption {
  label: string;
  detail?: string;
  kind: "keyword" | "setting" | "value" | "service" | "role" | "service-account";
}

/** What `complete` returns: the options, and the range they replace (UTF-16 offsets). */
export interface CompletionResult {
  from: number;
  to: number;
  options: CompletionOption[];
}

export interface ExplainResult {
  ok: boolean;
  /** What `irsa explain` prints; empty when not ok. */
  text: string;
  diagnostics: Diagnostic[];
}
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CompileOptions {
    component: bool,
    deny_warnings: bool,
    file: Option<String>,
    iam: Option<String>,
}

#[derive(Debug, Serialize)]
struct OutputFile {
    path: String,
    content: String,
}

#[derive(Debug, Serialize)]
struct CompileResult {
    ok: bool,
    stream: String,
    files: Vec<OutputFile>,
    diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Debug, Serialize)]
struct FormatResult {
    ok: bool,
    formatted: String,
    diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Debug, Serialize)]
struct ExplainResult {
    ok: bool,
    text: String,
    diagnostics: Vec<JsonDiagnostic>,
}

/// The file name of standard input in the CLI's diagnostics.
const STDIN: &str = "<stdin>";

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn json_diagnostics(source: &str, file: &str, diagnostics: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let index = LineIndex::new(source);
    diagnostics
        .iter()
        .map(|d| JsonDiagnostic::new(d, file, &index))
        .collect()
}

/// Compiles a source: `irsa compile`'s stream, `-o DIR`'s files and the
/// diagnostics.
#[wasm_bindgen(unchecked_return_type = "CompileResult")]
pub fn compile(
    source: &str,
    #[wasm_bindgen(unchecked_param_type = "CompileOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsError> {
    let options: CompileOptions = if options.is_undefined() || options.is_null() {
        CompileOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options).map_err(|e| JsError::new(&e.to_string()))?
    };
    let file = options.file.as_deref().unwrap_or(STDIN);
    let iam = match options.iam.as_deref() {
        None => None,
        Some(form) => Some(IamForm::parse(form).ok_or_else(|| {
            let forms: Vec<&str> = IamForm::ALL.iter().map(|f| f.as_str()).collect();
            JsError::new(&format!(
                "unknown iam form `{form}`: expected one of {}",
                forms.join(", ")
            ))
        })?),
    };
    let compilation = irsa::compile(
        source,
        EmitOptions {
            component: options.component,
            iam,
        },
    )
    .map_err(|e| JsError::new(&e.to_string()))?;
    let ok = !diagnostics::has_failures(&compilation.diagnostics, options.deny_warnings);
    let (stream, files) = match compilation.output {
        Some(output) if ok => (
            output.stream,
            output
                .files
                .into_iter()
                .map(|f| OutputFile {
                    path: f.path,
                    content: f.content,
                })
                .collect(),
        ),
        _ => (String::new(), Vec::new()),
    };
    to_js(&CompileResult {
        ok,
        stream,
        files,
        diagnostics: json_diagnostics(source, file, &compilation.diagnostics),
    })
}

/// Formats a source in the canonical layout (`irsa fmt`).
#[wasm_bindgen(unchecked_return_type = "FormatResult")]
pub fn format(source: &str) -> Result<JsValue, JsError> {
    let result = match irsa::format(source) {
        Ok(formatted) => FormatResult {
            ok: true,
            formatted,
            diagnostics: Vec::new(),
        },
        Err(diagnostics) => FormatResult {
            ok: false,
            formatted: String::new(),
            diagnostics: json_diagnostics(source, STDIN, &diagnostics),
        },
    };
    to_js(&result)
}

/// The table of `irsa explain`.
#[wasm_bindgen(unchecked_return_type = "ExplainResult")]
pub fn explain(source: &str) -> Result<JsValue, JsError> {
    let (text, diagnostics) = irsa::explain(source);
    let ok = text.is_some();
    to_js(&ExplainResult {
        ok,
        text: text.unwrap_or_default(),
        diagnostics: json_diagnostics(source, STDIN, &diagnostics),
    })
}

#[derive(Debug, Serialize)]
struct HoverResult {
    from: usize,
    to: usize,
    markdown: String,
}

#[derive(Debug, Serialize)]
struct CompletionOption {
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct CompletionResult {
    from: usize,
    to: usize,
    options: Vec<CompletionOption>,
}

/// What the editor analysis says of the word at `offset` (a UTF-16 offset,
/// as JavaScript strings index): `null`, or its range and Markdown.
#[wasm_bindgen(unchecked_return_type = "HoverResult | null")]
pub fn hover(source: &str, offset: u32) -> JsValue {
    let at = position::offset_from_utf16(source, offset as usize);
    match analysis::hover(source, at) {
        Some(hover) => to_js(&HoverResult {
            from: position::utf16_from_offset(source, hover.span.start),
            to: position::utf16_from_offset(source, hover.span.end),
            markdown: hover.markdown,
        })
        .unwrap_or(JsValue::NULL),
        None => JsValue::NULL,
    }
}

/// The completion at `offset` (UTF-16): the options, and the range
/// (UTF-16) they replace.
#[wasm_bindgen(unchecked_return_type = "CompletionResult")]
pub fn complete(source: &str, offset: u32) -> JsValue {
    let at = position::offset_from_utf16(source, offset as usize);
    let completion = analysis::complete(source, at);
    let options = completion
        .items
        .into_iter()
        .map(|item| CompletionOption {
            label: item.label,
            detail: item.detail,
            kind: item.kind.as_str(),
        })
        .collect();
    to_js(&CompletionResult {
        from: position::utf16_from_offset(source, completion.span.start),
        to: position::utf16_from_offset(source, completion.span.end),
        options,
    })
    .unwrap_or(JsValue::NULL)
}

/// The compiler's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

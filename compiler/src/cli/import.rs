//! `irsa import`: Kubernetes exports in, an `.irsa` file out (standard
//! output, or `-o FILE` written atomically); diagnostics located in the
//! YAML, in every message format.

use irsa::diagnostics::Diagnostic;
use irsa::{ImportInput, ImportResult};

use super::args::ImportArgs;
use super::{FAILURE, Fatal, SUCCESS, output_dir, read_inputs, report, write_stdout};

pub(super) fn run(args: &ImportArgs) -> Result<u8, Fatal> {
    let inputs = read_inputs(&args.files)?;
    let import_inputs: Vec<ImportInput<'_>> = inputs
        .iter()
        .map(|input| ImportInput {
            name: &input.name,
            bytes: &input.bytes,
        })
        .collect();
    let result: ImportResult = irsa::import(&import_inputs);
    for (index, input) in inputs.iter().enumerate() {
        let diagnostics: Vec<Diagnostic> = result
            .diagnostics
            .iter()
            .filter(|d| d.input == index)
            .map(|d| d.diagnostic.clone())
            .collect();
        let text = String::from_utf8_lossy(&input.bytes);
        report(input, &text, &diagnostics, &args.report)?;
    }
    let Some(source) = result.source else {
        return Ok(FAILURE);
    };
    match &args.output {
        Some(path) if path.as_os_str() != "-" => output_dir::replace_file(path, &source)
            .map_err(|e| Fatal(format!("cannot write `{}`: {e}", path.display())))?,
        _ => write_stdout(&source)?,
    }
    Ok(SUCCESS)
}

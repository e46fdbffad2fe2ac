//! `irsa verify`: reads the file and the exports (or runs `aws` and
//! `kubectl` with `--live`), and reports what the library's `verify` finds.

use std::path::Path;

use irsa::diagnostics::{Code, Diagnostic};
use irsa::exports::{ExportError, MAX_EXPORT_BYTES};
use irsa::verify::{Exports, RawExport};

use super::args::VerifyArgs;
use super::{FAILURE, Fatal, Input, SUCCESS, fails, live, read_input, report};

pub(super) fn run(args: &VerifyArgs) -> Result<u8, Fatal> {
    let input = read_input(&args.file)?;
    let (text, decode_error) = irsa::decode(&input.bytes);
    let analysis = match decode_error {
        Some(diagnostic) => irsa::Analysis {
            diagnostics: vec![diagnostic],
            install: None,
        },
        None => irsa::analyze(&text),
    };
    let Some(install) = analysis.install else {
        report(&input, &text, &analysis.diagnostics, &args.report)?;
        return Ok(FAILURE);
    };
    let aws = read_exports(&args.aws)?;
    let kubernetes = read_exports(&args.kubernetes)?;
    let mut exports = match Exports::read(&raw(&aws), &raw(&kubernetes)) {
        Ok(exports) => exports,
        Err(unreadable) => {
            for export in &unreadable {
                let input = aws
                    .iter()
                    .chain(&kubernetes)
                    .find(|i| i.name == export.name)
                    .ok_or_else(|| Fatal(format!("no export named `{}`", export.name)))?;
                report_export_error(input, &export.error, args)?;
            }
            return Ok(FAILURE);
        }
    };
    if args.live {
        let runner = live::Runner {
            aws_profile: args.aws_profile.clone(),
            kube_context: args.kube_context.clone(),
        };
        if args.aws.is_empty() {
            exports.aws = runner.aws_exports(&install)?;
        }
        if args.kubernetes.is_empty() {
            exports.kubernetes = runner.kubernetes_exports(&install)?;
        }
    }
    let diagnostics = irsa::verify::with_findings(analysis.diagnostics, &install, &exports);
    report(&input, &text, &diagnostics, &args.report)?;
    Ok(if fails(&diagnostics, args.deny_warnings) {
        FAILURE
    } else {
        SUCCESS
    })
}

fn raw(inputs: &[Input]) -> Vec<RawExport<'_>> {
    inputs
        .iter()
        .map(|i| RawExport {
            name: &i.name,
            bytes: &i.bytes,
        })
        .collect()
}

fn read_exports(paths: &[std::path::PathBuf]) -> Result<Vec<Input>, Fatal> {
    paths.iter().map(|path| read_export(path)).collect()
}

/// An export file, read up to one byte past the limit (so a huge one is
/// refused without being read whole).
fn read_export(path: &Path) -> Result<Input, Fatal> {
    let bytes = super::read_bounded(path, MAX_EXPORT_BYTES)?;
    let name = path.display().to_string();
    Ok(Input {
        name: if name == "-" {
            "<stdin>".to_owned()
        } else {
            name
        },
        stem: String::new(),
        bytes,
    })
}

/// An export that cannot be read, as a diagnostic located in the export.
fn report_export_error(
    export: &Input,
    error: &ExportError,
    args: &VerifyArgs,
) -> Result<(), Fatal> {
    let text = String::from_utf8_lossy(&export.bytes);
    let offset = error.position.offset_in(&text);
    let diagnostic = Diagnostic::new(
        Code::ExportUnreadable,
        offset..offset,
        format!("cannot read this export: {}", error.message),
    )
    .with_help("give the JSON the AWS CLI prints (`--output json`) or the YAML `kubectl get -o yaml` prints");
    if args.report.message_format != irsa::MessageFormat::Human {
        return report(export, &text, &[diagnostic], &args.report);
    }
    // The export's line may be megabytes long (minified JSON): show the
    // part around the error, not the whole line.
    let line_start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(offset..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| offset + i);
    let from = floor_char(&text, offset.saturating_sub(60).max(line_start));
    let to = floor_char(&text, (offset + 60).min(line_end));
    let excerpt = text.get(from..to).unwrap_or_default();
    let (line, column) = irsa::diagnostics::LineIndex::new(&text).position(offset);
    let caret = text.get(from..offset).map_or(0, |t| t.chars().count());
    let ellipsis = if from > line_start { "…" } else { "" };
    let rendered = format!(
        "error[{}]: {}\n  --> {}:{line}:{column}\n   |\n{line:>3}| {ellipsis}{excerpt}\n   | {}^\n   = help: {}\n\n",
        diagnostic.code.as_str(),
        diagnostic.message,
        export.name,
        " ".repeat(caret + ellipsis.chars().count()),
        diagnostic.help.unwrap_or_default()
    );
    std::io::Write::write_all(&mut std::io::stderr().lock(), rendered.as_bytes())?;
    Ok(())
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

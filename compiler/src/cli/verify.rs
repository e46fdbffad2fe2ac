//! `irsa verify`: reads the file and the exports (or runs `aws` and
//! `kubectl` with `--live`), and reports what the library's `verify` finds.

use std::io::Read;
use std::path::Path;

use irsa::diagnostics::{Code, Diagnostic};
use irsa::exports::{self, ExportError, MAX_EXPORT_BYTES};
use irsa::verify::{Exports, Named};

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
    let mut exports = Exports::default();
    let mut unreadable = false;
    for path in &args.aws {
        let export = read_export(path)?;
        match exports::aws::read_aws(&export.bytes) {
            Ok(content) => exports.aws.push(Named {
                name: export.name,
                content,
            }),
            Err(error) => {
                unreadable = true;
                report_export_error(&export, &error, args)?;
            }
        }
    }
    for path in &args.kubernetes {
        let export = read_export(path)?;
        match exports::kubernetes::read_kubernetes(&export.bytes) {
            Ok(content) => exports.kubernetes.push(Named {
                name: export.name,
                content,
            }),
            Err(error) => {
                unreadable = true;
                report_export_error(&export, &error, args)?;
            }
        }
    }
    if unreadable {
        return Ok(FAILURE);
    }
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
    // The file's own warnings first, then the findings.
    let mut diagnostics = analysis.diagnostics;
    diagnostics.extend(irsa::verify::verify(&install, &exports));
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    report(&input, &text, &diagnostics, &args.report)?;
    Ok(if fails(&diagnostics, args.deny_warnings) {
        FAILURE
    } else {
        SUCCESS
    })
}

/// An export file, read up to one byte past the limit (so a huge one is
/// refused without being read whole).
fn read_export(path: &Path) -> Result<Input, Fatal> {
    let limit = u64::try_from(MAX_EXPORT_BYTES).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    let name = path.display().to_string();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|file| file.take(limit).read_to_end(&mut bytes))
    };
    read.map_err(|e| Fatal(format!("cannot read `{name}`: {e}")))?;
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

//! The `irsa` command: file and terminal I/O around the library.

mod args;
mod import;
mod live;
mod lsp;
mod output_dir;
mod verify;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};
use irsa::EmitOptions;
use irsa::diagnostics::{self, Diagnostic, MessageFormat};
use irsa::syntax::MAX_INPUT_BYTES;

use args::{CheckArgs, Cli, ColorWhen, Command, CompileArgs, ExplainArgs, FmtArgs, ReportArgs};
use output_dir::Tree;

// Compiling many files is allocation-heavy (small strings and maps per
// document); mimalloc's thread-local pools cut that cost under rayon.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status: success (warnings allowed unless denied).
const SUCCESS: u8 = 0;
/// Exit status: errors in the input, or a `--check` that found a difference.
const FAILURE: u8 = 1;
/// Exit status: a usage or I/O error.
const USAGE_OR_IO: u8 = 2;

/// A usage or I/O error: printed, exit status 2.
#[derive(Debug)]
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(error: E) -> Self {
        Fatal(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Compile(args) => compile(&args),
        Command::Check(args) => check(&args),
        Command::Fmt(args) => fmt(&args),
        Command::Explain(args) => explain(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Lsp(_) => Ok(lsp::run()),
        Command::Import(args) => import::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Fatal(message)) => {
            let _ = writeln!(io::stderr(), "irsa: error: {message}");
            ExitCode::from(USAGE_OR_IO)
        }
    }
}

/// One input, read whole.
#[derive(Debug)]
struct Input {
    /// As shown in diagnostics: the path, or `<stdin>`.
    name: String,
    /// The file name without extension: the subdirectory under `-o DIR`.
    stem: String,
    bytes: Vec<u8>,
}

fn read_inputs(files: &[PathBuf]) -> Result<Vec<Input>, Fatal> {
    let stdin_path = PathBuf::from("-");
    let files = if files.is_empty() {
        std::slice::from_ref(&stdin_path)
    } else {
        files
    };
    if files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Fatal(
            "standard input (`-`) can be read only once".to_owned(),
        ));
    }
    // Reading is a system call per file: done in parallel, reported in the
    // order of the arguments.
    let read: Vec<Result<Input, Fatal>> =
        parallel_map(files.iter().collect(), |path| read_input(path));
    read.into_iter().collect()
}

/// Maps in parallel, keeping the order, when there is more than one item.
/// One file (a pre-commit hook, an editor) starts no thread pool: starting
/// one costs more than compiling the file.
fn parallel_map<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync + Send) -> Vec<U> {
    use rayon::prelude::*;
    if items.len() > 1 {
        items.into_par_iter().map(f).collect()
    } else {
        items.into_iter().map(f).collect()
    }
}

fn read_input(path: &Path) -> Result<Input, Fatal> {
    let bytes = read_bounded(path, MAX_INPUT_BYTES)?;
    if path.as_os_str() == "-" {
        return Ok(Input {
            name: "<stdin>".to_owned(),
            stem: "stdin".to_owned(),
            bytes,
        });
    }
    let stem = path
        .file_stem()
        .map_or_else(|| "input".to_owned(), |s| s.to_string_lossy().into_owned());
    Ok(Input {
        name: path.display().to_string(),
        stem,
        bytes,
    })
}

/// The size of standard input when it is a regular file (`irsa import -
/// < export.yaml`), else 0.
#[cfg(unix)]
fn stdin_size() -> u64 {
    use std::os::fd::AsFd;
    io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|file| file.metadata())
        .map_or(0, |m| if m.is_file() { m.len() } else { 0 })
}

#[cfg(not(unix))]
fn stdin_size() -> u64 {
    0
}

/// Reads `path` (`-`: standard input) up to one byte past `limit`, so that
/// a huge input is refused with a located error without being read whole.
pub(crate) fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>, Fatal> {
    let take = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        bytes.reserve(usize::try_from(stdin_size().min(take)).unwrap_or(0));
        io::stdin()
            .lock()
            .take(take)
            .read_to_end(&mut bytes)
            .map_err(|e| Fatal(format!("cannot read standard input: {e}")))?;
        return Ok(bytes);
    }
    let cannot = |e: io::Error| Fatal(format!("cannot read `{}`: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot)?;
    // `Take` hides the file's size from `read_to_end`, which would then
    // grow the buffer by doubling: a 64 MiB input would peak at three times
    // its size. (Standard input, above, likewise when it is a file.)
    let size = file.metadata().map_or(0, |m| m.len()).min(take);
    bytes.reserve(usize::try_from(size).unwrap_or(0));
    file.take(take).read_to_end(&mut bytes).map_err(cannot)?;
    Ok(bytes)
}

/// Prints diagnostics of one input on standard error.
fn report(
    input: &Input,
    text: &str,
    diagnostics: &[Diagnostic],
    args: &ReportArgs,
) -> Result<(), Fatal> {
    if diagnostics.is_empty() {
        return Ok(());
    }
    if args.message_format == MessageFormat::Human {
        let colour = match args.color {
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
            ColorWhen::Auto
                if io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() =>
            {
                ColorChoice::Auto
            }
            ColorWhen::Auto => ColorChoice::Never,
        };
        // Buffered: thousands of diagnostics are thousands of small writes.
        let mut stream = BufferedStandardStream::stderr(colour);
        let file = codespan_reporting::files::SimpleFile::new(&input.name, text);
        let config = codespan_reporting::term::Config::default();
        for diagnostic in diagnostics {
            codespan_reporting::term::emit_to_write_style(
                &mut stream,
                &config,
                &file,
                &diagnostics::to_codespan(diagnostic, text),
            )?;
        }
        stream.flush()?;
        return Ok(());
    }
    let rendered = diagnostics::render(diagnostics, &input.name, text, args.message_format);
    io::stderr().lock().write_all(rendered.as_bytes())?;
    Ok(())
}

/// Whether these diagnostics fail the run.
fn fails(diagnostics: &[Diagnostic], deny_warnings: bool) -> bool {
    diagnostics::has_failures(diagnostics, deny_warnings)
}

/// What one input compiled to.
struct Compiled {
    input: Input,
    output: Option<irsa::Output>,
    failed: bool,
}

/// What compiling one input gave: its output (when it compiled) and its
/// diagnostics, or a bug.
type CompileOutcome = Result<(Option<irsa::Output>, Vec<Diagnostic>), Fatal>;

/// Decodes and compiles every input, then reports each one's diagnostics in
/// the order of the inputs.
fn compile_inputs(
    inputs: Vec<Input>,
    options: EmitOptions,
    args: &ReportArgs,
    deny_warnings: bool,
) -> Result<Vec<Compiled>, Fatal> {
    // Independent files compile in parallel.
    let compiled: Vec<(Input, CompileOutcome)> = parallel_map(inputs, |input| {
        let (text, decode_error) = irsa::decode(&input.bytes);
        let result = match decode_error {
            Some(diagnostic) => Ok((None, vec![diagnostic])),
            None => irsa::compile(&text, options)
                .map(|c| (c.output, c.diagnostics))
                .map_err(|e| Fatal(format!("{}: {e} (a bug in irsa)", input.name))),
        };
        (input, result)
    });
    let mut results = Vec::with_capacity(compiled.len());
    for (input, result) in compiled {
        let (output, diagnostics) = result?;
        // Decoded again only to show the lines of a diagnostic.
        if !diagnostics.is_empty() {
            let (text, _) = irsa::decode(&input.bytes);
            report(&input, &text, &diagnostics, args)?;
        }
        let failed = fails(&diagnostics, deny_warnings) || output.is_none();
        results.push(Compiled {
            input,
            output,
            failed,
        });
    }
    Ok(results)
}

fn compile(args: &CompileArgs) -> Result<u8, Fatal> {
    let inputs = read_inputs(&args.files)?;
    let several = inputs.len() > 1;
    if let Some(dir) = &args.output {
        check_distinct_stems(&inputs, dir)?;
    }
    if let (Some(form), None) = (args.iam, &args.output)
        && form.needs_output_dir()
    {
        return Err(Fatal(format!(
            "`--iam {}` writes files: give an output directory with `-o DIR` (standard output carries Kubernetes objects only)",
            form.as_str()
        )));
    }
    let options = EmitOptions {
        component: args.component,
        iam: args.iam,
    };
    let results = compile_inputs(inputs, options, &args.report, args.deny_warnings)?;
    if results.iter().any(|r| r.failed) {
        return Ok(FAILURE);
    }
    let outputs = results
        .into_iter()
        .filter_map(|r| r.output.map(|o| (r.input, o)));

    let Some(dir) = &args.output else {
        let streams: Vec<String> = outputs.map(|(_, output)| output.stream).collect();
        write_stdout(&streams.join("---\n"))?;
        return Ok(SUCCESS);
    };
    let trees: Vec<(PathBuf, Tree)> = outputs
        .map(|(input, output)| {
            let target = if several {
                dir.join(&input.stem)
            } else {
                dir.clone()
            };
            let tree = output
                .files
                .into_iter()
                .map(|file| (PathBuf::from(file.path), file.content))
                .collect();
            (target, tree)
        })
        .collect();
    if args.check {
        return check_drift(&trees);
    }
    output_dir::write_all(&trees)
        .map_err(|e| Fatal(format!("cannot write `{}`: {e}", dir.display())))?;
    Ok(SUCCESS)
}

fn check_distinct_stems(inputs: &[Input], dir: &Path) -> Result<(), Fatal> {
    let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for input in inputs {
        if let Some(other) = seen.insert(&input.stem, &input.name) {
            return Err(Fatal(format!(
                "`{other}` and `{}` would both be written to `{}`: rename one",
                input.name,
                dir.join(&input.stem).display()
            )));
        }
    }
    Ok(())
}

/// `compile --check`: names each file that differs and prints a diff.
fn check_drift(trees: &[(PathBuf, Tree)]) -> Result<u8, Fatal> {
    let mut differs = false;
    let mut stdout = String::new();
    for (dir, wanted) in trees {
        let current = output_dir::owned_files(dir)
            .map_err(|e| Fatal(format!("cannot read `{}`: {e}", dir.display())))?;
        for drift in output_dir::drift(&current, wanted) {
            differs = true;
            let (what, path) = match &drift {
                output_dir::Drift::Missing { path, .. } => ("missing", path),
                output_dir::Drift::Stale { path, .. } => ("stale", path),
                output_dir::Drift::Changed { path, .. } => ("differs", path),
            };
            let _ = writeln!(io::stderr(), "irsa: {what}: {}", dir.join(path).display());
            stdout.push_str(&output_dir::unified_diff(dir, &drift));
        }
    }
    write_stdout(&stdout)?;
    Ok(if differs { FAILURE } else { SUCCESS })
}

fn check(args: &CheckArgs) -> Result<u8, Fatal> {
    let inputs = read_inputs(&args.files)?;
    let mut failed = false;
    for input in &inputs {
        let (text, decode_error) = irsa::decode(&input.bytes);
        let diagnostics = match decode_error {
            Some(diagnostic) => vec![diagnostic],
            None => {
                let options = EmitOptions {
                    iam: args.iam,
                    ..EmitOptions::default()
                };
                irsa::analyze_with(&text, options).diagnostics
            }
        };
        report(input, &text, &diagnostics, &args.report)?;
        failed |= fails(&diagnostics, args.deny_warnings);
    }
    Ok(if failed { FAILURE } else { SUCCESS })
}

fn explain(args: &ExplainArgs) -> Result<u8, Fatal> {
    if let Some(code) = &args.code {
        return explain_code(code);
    }
    let input = read_input(args.file.as_deref().unwrap_or(Path::new("-")))?;
    let (text, decode_error) = irsa::decode(&input.bytes);
    let (table, diagnostics) = match decode_error {
        Some(diagnostic) => (None, vec![diagnostic]),
        None => irsa::explain(&text),
    };
    report(&input, &text, &diagnostics, &args.report)?;
    match table {
        Some(table) if !fails(&diagnostics, args.deny_warnings) => {
            write_stdout(&table)?;
            Ok(SUCCESS)
        }
        _ => Ok(FAILURE),
    }
}

fn explain_code(code: &str) -> Result<u8, Fatal> {
    let Some(known) = irsa::Code::parse(code) else {
        let codes: Vec<&str> = irsa::Code::ALL.iter().map(|c| c.as_str()).collect();
        let hint = diagnostics::did_you_mean(&code.to_ascii_uppercase(), &codes)
            .map_or_else(String::new, |guess| format!("; did you mean `{guess}`?"));
        return Err(Fatal(format!("`{code}` is not a diagnostic code{hint}")));
    };
    let text = known.explanation().ok_or_else(|| {
        Fatal(format!(
            "{} has no explanation (a bug in irsa)",
            known.as_str()
        ))
    })?;
    write_stdout(&format!("{text}\n"))?;
    Ok(SUCCESS)
}

/// `irsa fmt`: files in place (atomically), standard input to standard
/// output; `--check` writes nothing and prints a diff.
fn fmt(args: &FmtArgs) -> Result<u8, Fatal> {
    let inputs = read_inputs(&args.files)?;
    let mut status = SUCCESS;
    let mut diffs = String::new();
    let mut rewrites: Vec<(PathBuf, String)> = Vec::new();
    for input in &inputs {
        let (text, decode_error) = irsa::decode(&input.bytes);
        let formatted = match decode_error {
            Some(diagnostic) => Err(vec![diagnostic]),
            None => irsa::format(&text),
        };
        let formatted = match formatted {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                report(input, &text, &diagnostics, &args.report)?;
                status = FAILURE;
                continue;
            }
        };
        let is_stdin = input.name == "<stdin>";
        if args.check {
            if formatted != text {
                status = FAILURE;
                let _ = writeln!(io::stderr(), "irsa: not formatted: {}", input.name);
                diffs.push_str(
                    &similar::TextDiff::from_lines(text.as_ref(), formatted.as_str())
                        .unified_diff()
                        .header(&format!("a/{}", input.name), &format!("b/{}", input.name))
                        .to_string(),
                );
            }
        } else if is_stdin {
            write_stdout(&formatted)?;
        } else if formatted != text {
            rewrites.push((PathBuf::from(&input.name), formatted));
        }
    }
    write_stdout(&diffs)?;
    // Files are rewritten only when every input formatted.
    if status == SUCCESS {
        for (path, formatted) in rewrites {
            output_dir::replace_file(&path, &formatted)
                .map_err(|e| Fatal(format!("cannot write `{}`: {e}", path.display())))?;
        }
    }
    Ok(status)
}

fn write_stdout(text: &str) -> Result<(), Fatal> {
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`irsa compile | head`) is the reader's choice.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Fatal(format!("cannot write to standard output: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn severity_is_used_for_failures() {
        let warning = Diagnostic::new(irsa::Code::LongTokenExpiration, 0..0, "w");
        assert_eq!(warning.severity(), irsa::Severity::Warning);
        assert!(!fails(std::slice::from_ref(&warning), false));
        assert!(fails(&[warning], true));
    }
}

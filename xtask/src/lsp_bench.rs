//! The `irsa lsp` latency row of `cargo xtask bench`: the real server,
//! driven over its standard input and output as an editor does. A
//! 2,000-line file is opened, then changed one character at a time; each
//! sample is the time from writing the `didChange` to reading the
//! diagnostics published for that version (the path the server runs on
//! every keystroke: apply the edit, `check`, convert, write).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The file's length in lines.
pub const LINES: usize = 2_000;
const CHANGES: usize = 200;

/// A valid file of [`LINES`] lines: a header, `defaults` with labels, and
/// a binding with annotations for each known service.
pub fn source() -> String {
    let mut lines = vec![
        "# A large installation: every service with its own annotations.".to_owned(),
        "namespace spinnaker".to_owned(),
        "account 123456789012".to_owned(),
        "oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE0123456789ABCDEF0123456789".to_owned(),
        "defaults {".to_owned(),
    ];
    for index in 0..100 {
        lines.push(format!("  label \"example.com/team-{index}\" \"platform\""));
    }
    lines.push("}".to_owned());
    let services = irsa::services::KNOWN_SERVICES;
    let per_service = (LINES - lines.len()) / services.len() - 2;
    for service in services {
        lines.push(format!("service {service} -> role spinnaker-{service} {{"));
        for index in 0..per_service {
            lines.push(format!("  annotation \"example.com/note-{index}\" \"v\""));
        }
        lines.push("}".to_owned());
    }
    while lines.len() < LINES {
        lines.push("# padding".to_owned());
    }
    lines.join("\n") + "\n"
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Server {
    fn send(&mut self, message: &Value) -> Result<(), String> {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("irsa lsp: {e}"))
    }

    fn read(&mut self) -> Result<Value, String> {
        let mut length = None;
        loop {
            let mut line = String::new();
            let read = self
                .stdout
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            if read == 0 {
                return Err("irsa lsp ended its output".to_owned());
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length: ") {
                length = value.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.ok_or("a frame without Content-Length")?];
        self.stdout
            .read_exact(&mut body)
            .map_err(|e| e.to_string())?;
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    }

    /// Reads until the diagnostics of `version` arrive; returns how many
    /// there were.
    fn diagnostics(&mut self, version: usize) -> Result<usize, String> {
        loop {
            let message = self.read()?;
            let params = message.get("params");
            let published = message.get("method").and_then(Value::as_str)
                == Some("textDocument/publishDiagnostics")
                && params
                    .and_then(|p| p.get("version"))
                    .and_then(Value::as_u64)
                    == u64::try_from(version).ok();
            if published {
                return Ok(params
                    .and_then(|p| p.get("diagnostics"))
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len));
            }
        }
    }
}

/// The median time from a one-character `didChange` to its diagnostics.
pub fn diagnostics_latency(irsa: &Path) -> Result<Duration, String> {
    let mut child = Command::new(irsa)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("irsa lsp: {e}"))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err("irsa lsp: no pipes".to_owned());
    };
    let mut server = Server {
        child,
        stdin,
        stdout: BufReader::new(stdout),
    };
    let result = measure(&mut server);
    let _ = server.child.kill();
    let _ = server.child.wait();
    result
}

fn measure(server: &mut Server) -> Result<Duration, String> {
    let uri = "file:///bench/large.irsa";
    let text = source();
    server.send(
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    )?;
    server.read()?;
    server.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
    server.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "irsa", "version": 1, "text": text}}}))?;
    if server.diagnostics(1)? != 0 {
        return Err("the benchmark's file has diagnostics".to_owned());
    }
    // A value in the middle of the file, `"v"` → `"w"` and back.
    let line = LINES / 2;
    let column = text
        .lines()
        .nth(line)
        .and_then(|l| l.rfind("\"v\""))
        .ok_or("no annotation in the middle of the file")?
        + 1;
    let mut samples = Vec::with_capacity(CHANGES);
    for change in 0..CHANGES {
        let version = change + 2;
        let letter = if change % 2 == 0 { "w" } else { "v" };
        let range = json!({"start": {"line": line, "character": column}, "end": {"line": line, "character": column + 1}});
        let started = Instant::now();
        server.send(
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"range": range, "text": letter}]}}),
        )?;
        server.diagnostics(version)?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples.get(samples.len() / 2).copied().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_valid_and_as_long_as_it_says() {
        let source = source();
        assert_eq!(source.lines().count(), LINES);
        let analysis = irsa::analyze(&source);
        assert!(
            analysis.diagnostics.is_empty(),
            "{:?}",
            analysis.diagnostics
        );
        assert!(source.lines().filter(|l| l.contains("annotation")).count() > 1_500);
    }
}

//! `irsa lsp` driven over standard input and output as an editor would:
//! JSON-RPC frames in, frames out. Its diagnostics are `check`'s on every
//! annotated case, its formatting is `fmt`'s, and hover, completion,
//! definition, symbols and quick fixes answer in the negotiated position
//! encoding. Every read has a timeout, so a hang fails instead of waiting.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    // Requests are written inline as `json!(…)` values.
    clippy::needless_pass_by_value
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use irsa_test_support::cases::cases;
use irsa_test_support::{Sandbox, examples, irsa, irsa_bin, root};
use serde_json::{Value, json};

/// How long any one answer may take before the test calls it a hang.
const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// A language client talking to one `irsa lsp` process.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Notifications read while waiting for a response.
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        Client::start_with(&["lsp"])
    }

    fn start_with(args: &[&str]) -> Client {
        let mut child = Command::new(irsa_bin())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting irsa lsp");
        let stdout = child.stdout.take().unwrap();
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            messages,
            pending: Vec::new(),
            next_id: 1,
        }
    }

    /// Starts a server and initializes it, offering UTF-8 positions or not.
    fn initialized(utf8: bool) -> (Client, Value) {
        let mut client = Client::start();
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let result = client.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {"general": {"positionEncodings": encodings}}}),
        );
        client.notify("initialized", json!({}));
        (client, result["result"].clone())
    }

    fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, message: &Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request; returns its whole response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(&json!(id))
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(READ_TIMEOUT)
            .unwrap_or_else(|e| panic!("no message from irsa lsp within {READ_TIMEOUT:?}: {e}"))
    }

    /// The response with this id (notifications before it are kept).
    fn response(&mut self, id: &Value) -> Value {
        loop {
            let message = self.next();
            if message.get("method").is_none() && &message["id"] == id {
                assert_eq!(message["jsonrpc"], "2.0");
                return message;
            }
            self.pending.push(message);
        }
    }

    /// The next `publishDiagnostics` for a document.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let published = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(at) = self.pending.iter().position(published) {
            return self.pending.remove(at)["params"].clone();
        }
        loop {
            let message = self.next();
            if published(&message) {
                return message["params"].clone();
            }
            self.pending.push(message);
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "irsa", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    /// Closes standard input and waits for the exit status.
    fn exit_status(mut self) -> i32 {
        drop(self.stdin.take());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("irsa lsp exited by a signal");
            }
            if started.elapsed() > READ_TIMEOUT {
                let _ = self.child.kill();
                panic!("irsa lsp did not exit within {READ_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One `Content-Length` frame, parsed; `None` at the end of output.
fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("irsa lsp writes JSON"))
}

/// A position as the protocol counts it → a byte offset (lines end at
/// `\n`, `\r\n` or `\r`; characters in UTF-16 units or UTF-8 bytes).
fn offset(text: &str, position: &Value, utf8: bool) -> usize {
    let (line, character) = (
        position["line"].as_u64().unwrap() as usize,
        position["character"].as_u64().unwrap() as usize,
    );
    let mut start = 0;
    for _ in 0..line {
        let rest = &text[start..];
        let end = rest.find(['\n', '\r']).expect("the line exists");
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        start += end + skip;
    }
    let mut units = 0;
    for (index, c) in text[start..].char_indices() {
        if units == character || c == '\n' || c == '\r' {
            return start + index;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    text.len()
}

/// `check --message-format json`'s 1-based line and character column of
/// a byte offset (lines end at `\n` only).
fn check_position(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line as u64, column as u64)
}

/// `irsa check`'s JSON diagnostics of a text.
fn check(text: &str) -> Vec<Value> {
    let dir = Sandbox::new();
    dir.write("case.irsa", text);
    let run = dir.irsa(&["check", "case.irsa", "--message-format", "json"], None);
    run.stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Asserts that the server's diagnostics of `text` are `check`'s: the same
/// codes, severities, messages and help, at the same places.
fn assert_same_as_check(text: &str, published: &Value, utf8: bool, what: &str) {
    assert_same(text, published, &check(text), utf8, what);
}

/// [`assert_same_as_check`] with `check`'s diagnostics given.
fn assert_same(text: &str, published: &Value, expected: &[Value], utf8: bool, what: &str) {
    let actual = published["diagnostics"].as_array().unwrap();
    let codes = |list: &[Value]| -> Vec<String> {
        list.iter()
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(codes(actual), codes(expected), "{what}");
    for (lsp, check) in actual.iter().zip(expected) {
        let message = lsp["message"].as_str().unwrap();
        let (message, help) = match message.split_once("\nhelp: ") {
            Some((message, help)) => (message, Some(help)),
            None => (message, None),
        };
        assert_eq!(message, check["message"], "{what}");
        assert_eq!(help, check["help"].as_str(), "{what}");
        let severity = if check["severity"] == "error" { 1 } else { 2 };
        assert_eq!(lsp["severity"], severity, "{what}");
        let start = offset(text, &lsp["range"]["start"], utf8);
        let end = offset(text, &lsp["range"]["end"], utf8);
        assert_eq!(
            check_position(text, start),
            (
                check["line"].as_u64().unwrap(),
                check["column"].as_u64().unwrap()
            ),
            "{what}: start of {lsp}"
        );
        assert_eq!(
            check_position(text, end),
            (
                check["end_line"].as_u64().unwrap(),
                check["end_column"].as_u64().unwrap()
            ),
            "{what}: end of {lsp}"
        );
        let code = lsp["code"].as_str().unwrap();
        let href = lsp["codeDescription"]["href"].as_str().unwrap();
        assert!(
            href.contains(&format!("/book/diagnostics.html#{}-", code.to_lowercase())),
            "{what}: {href}"
        );
        assert_eq!(lsp["source"], "irsa");
    }
}

#[test]
fn every_diagnostic_case_gives_checks_diagnostics_in_both_encodings() {
    let cases = cases("diagnostics");
    let mut compared = 0;
    for utf8 in [false, true] {
        let (mut client, _) = Client::initialized(utf8);
        for case in &cases {
            // An editor sends text: bytes that are not UTF-8 arrive decoded.
            let text = String::from_utf8_lossy(&case.bytes).into_owned();
            let uri = format!(
                "file:///cases/{}",
                case.path.file_name().unwrap().to_string_lossy()
            );
            let published = client.open(&uri, &text);
            assert_eq!(published["version"], 1);
            assert_same_as_check(&text, &published, utf8, &uri);
            compared += 1;
        }
    }
    assert!(compared >= 2 * 100, "{compared}");
}

/// A file with non-ASCII text (UTF-16, UTF-8 and character offsets differ).
const FILE: &str = "\
# réglage 😀 — the team's roles
account 123456789012
namespace spinnaker
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE0123456789ABCDEF0123456789
role spinnaker-managed {
  description \"rôle géré\"
}
service * -> role spinnaker-managed
service echo -> role arn:aws:iam::123456789012:role/echo as echo-sa
service igor as echo-sa
";

fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(line, character)})
}

#[test]
fn hover_completion_definition_and_symbols() {
    let uri = "file:///project/spinnaker.irsa";
    let (mut client, capabilities) = Client::initialized(false);
    assert_eq!(capabilities["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(
        capabilities["capabilities"]["textDocumentSync"]["change"],
        2
    );
    let published = client.open(uri, FILE);
    assert_eq!(published["diagnostics"], json!([]));

    // Hover on `echo`: its ServiceAccount, identity, role, and `*`.
    let hover = client.request("textDocument/hover", at(uri, 8, 9))["result"].clone();
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(markdown.contains("ServiceAccount: `echo-sa`"), "{markdown}");
    assert!(
        markdown.contains("role: `arn:aws:iam::123456789012:role/echo`"),
        "{markdown}"
    );
    assert!(markdown.contains("identity: `irsa`"), "{markdown}");
    assert!(markdown.contains("`*` would reach it"), "{markdown}");
    assert_eq!(
        hover["range"],
        json!({"start": position(8, 8), "end": position(8, 12)})
    );
    // On a role: whom its trust policy admits.
    let role = client.request("textDocument/hover", at(uri, 7, 20))["result"].clone();
    let markdown = role["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("IRSA: `system:serviceaccount:spinnaker:spin-sa`"),
        "{markdown}"
    );
    // On a setting, after non-ASCII text on an earlier line.
    let setting = client.request("textDocument/hover", at(uri, 5, 4))["result"].clone();
    assert!(
        setting["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("description \"TEXT\"")
    );
    // Nowhere: null.
    let nothing = client.request("textDocument/hover", at(uri, 0, 3));
    assert_eq!(nothing["result"], Value::Null);

    // Completion after `identity ` in a new block.
    let typed = "service deck -> role x {\n  identity ";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": position(10, 0), "end": position(10, 0)}, "text": typed}]}),
    );
    client.diagnostics(uri);
    let completion = client.request("textDocument/completion", at(uri, 11, 11))["result"].clone();
    let labels: Vec<&str> = completion["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["irsa", "pod-identity", "both"]);
    assert_eq!(
        completion["items"][0]["textEdit"]["range"],
        json!({"start": position(11, 11), "end": position(11, 11)})
    );
    // Services after `service `, with what `*` does for each.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3},
               "contentChanges": [{"range": {"start": position(10, 0), "end": position(11, 11)}, "text": "service ga"}]}),
    );
    client.diagnostics(uri);
    let completion = client.request("textDocument/completion", at(uri, 10, 10))["result"].clone();
    let gate = completion["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "gate")
        .unwrap();
    assert_eq!(gate["detail"], "reached by `*`");
    assert_eq!(
        gate["textEdit"],
        json!({"range": {"start": position(10, 8), "end": position(10, 10)}, "newText": "gate"})
    );

    // Definition: `as echo-sa` on igor's line → echo's binding.
    let definition = client.request("textDocument/definition", at(uri, 9, 18))["result"].clone();
    assert_eq!(
        definition,
        json!({"uri": uri, "range": {"start": position(8, 60), "end": position(8, 67)}})
    );
    // A short role name → its `role` statement.
    let definition = client.request("textDocument/definition", at(uri, 7, 22))["result"].clone();
    assert_eq!(
        definition["range"],
        json!({"start": position(4, 5), "end": position(4, 22)})
    );

    // Symbols: one a statement, a block's settings as children.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    )["result"]
        .clone();
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "account",
            "namespace",
            "oidc",
            "role spinnaker-managed",
            "service *",
            "service echo",
            "service igor",
            "service ga"
        ]
    );
    let role = &symbols[3];
    assert_eq!(
        role["range"],
        json!({"start": position(4, 0), "end": position(6, 1)})
    );
    assert_eq!(role["children"][0]["name"], "description");
    assert_eq!(role["children"][0]["detail"], "rôle géré");

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status(), 0);
}

/// The UTF-16 and UTF-8 positions of the same places differ after
/// non-ASCII text on the line; the server answers in the encoding agreed.
#[test]
fn positions_follow_the_negotiated_encoding() {
    // The error is `extra`, after a string with `é` (1 unit, 2 bytes) and
    // `😀` (2 units, 4 bytes).
    let text =
        "service * -> role arn:aws:iam::123456789012:role/x {\n  audience \"é😀\" extra\n}\n";
    let mut starts = Vec::new();
    for utf8 in [false, true] {
        let (mut client, result) = Client::initialized(utf8);
        let expected = if utf8 { "utf-8" } else { "utf-16" };
        assert_eq!(result["capabilities"]["positionEncoding"], expected);
        let published = client.open("file:///e.irsa", text);
        assert_same_as_check(text, &published, utf8, expected);
        starts.push(published["diagnostics"][0]["range"]["start"]["character"].clone());
    }
    assert_eq!(starts, [json!(16), json!(19)]);
}

#[test]
fn incremental_changes_in_both_encodings() {
    for utf8 in [false, true] {
        let (mut client, _) = Client::initialized(utf8);
        let uri = "file:///incremental.irsa";
        let mut text =
            "# é😀 x\nservice echo -> role arn:aws:iam::123456789012:role/x\n".to_owned();
        client.open(uri, &text);
        // (start: line, character in UTF-16, in UTF-8; end: the same; new text)
        type At = (u32, u32, u32);
        let edits: [(At, At, &str); 5] = [
            // Inside the comment, after `é😀 `: typed `ab`.
            ((0, 5, 8), (0, 5, 8), "ab"),
            // `echo` → `ehco`: an unknown service.
            ((1, 9, 9), (1, 11, 11), "hc"),
            // A new line with a string of non-ASCII text, then a typo.
            (
                (2, 0, 0),
                (2, 0, 0),
                "defaults {\n  audience \"😀\" zz\n}\n",
            ),
            // The `zz` after the string removed (UTF-16 16..18, UTF-8 18..20).
            ((3, 16, 18), (3, 18, 20), ""),
            // The comment line deleted: the diagnostics move up.
            ((0, 0, 0), (1, 0, 0), ""),
        ];
        for (version, (start, end, new_text)) in edits.iter().enumerate() {
            let pick = |p: &(u32, u32, u32)| position(p.0, if utf8 { p.2 } else { p.1 });
            let range = json!({"start": pick(start), "end": pick(end)});
            let from = offset(&text, &range["start"], utf8);
            let to = offset(&text, &range["end"], utf8);
            text.replace_range(from..to, new_text);
            let version = version as i64 + 2;
            client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"range": range, "text": new_text}]}),
            );
            let published = client.diagnostics(uri);
            assert_eq!(published["version"], version);
            assert_same_as_check(&text, &published, utf8, &format!("{text:?}"));
        }
        assert_eq!(
            text,
            "service ehco -> role arn:aws:iam::123456789012:role/x\ndefaults {\n  audience \"😀\" \n}\n"
        );
        // Several changes in one notification apply in order; a whole text
        // replaces the document.
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 10}, "contentChanges": [
                {"range": {"start": position(0, 0), "end": position(0, 0)}, "text": "namespace Spin\n"},
                {"range": {"start": position(0, 10), "end": position(0, 11)}, "text": "s"},
            ]}),
        );
        text.insert_str(0, "namespace spin\n");
        let published = client.diagnostics(uri);
        assert_same_as_check(&text, &published, utf8, "two changes");
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 11}, "contentChanges": [{"text": "namespace x\n"}]}),
        );
        let published = client.diagnostics(uri);
        assert_same_as_check("namespace x\n", &published, utf8, "whole text");
        // Closing clears the document's diagnostics.
        client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        assert_eq!(client.diagnostics(uri)["diagnostics"], json!([]));
    }
}

#[test]
fn formatting_is_fmt() {
    let (mut client, _) = Client::initialized(false);
    let mut inputs: Vec<(String, String)> = examples()
        .iter()
        .map(|path| {
            (
                path.display().to_string(),
                std::fs::read_to_string(path).unwrap(),
            )
        })
        .collect();
    inputs.push((
        "messy".to_owned(),
        "# é😀\nservice   echo->role   arn:aws:iam::123456789012:role/x {\nidentity irsa\n   }\n\n\n".to_owned(),
    ));
    let mut changed = 0;
    for (index, (name, text)) in inputs.iter().enumerate() {
        let uri = format!("file:///fmt/{index}.irsa");
        client.open(&uri, text);
        let edits = client.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )["result"]
            .clone();
        let fmt = irsa(&["fmt"], &root(), Some(text.as_bytes()));
        assert_eq!(fmt.code, 0, "{name}: {}", fmt.stderr);
        let formatted = match edits.as_array().unwrap().as_slice() {
            [] => text.clone(),
            [edit] => {
                let mut result = text.clone();
                let from = offset(text, &edit["range"]["start"], false);
                let to = offset(text, &edit["range"]["end"], false);
                result.replace_range(from..to, edit["newText"].as_str().unwrap());
                changed += 1;
                result
            }
            more => panic!("{name}: {more:?}"),
        };
        assert_eq!(formatted, fmt.stdout, "{name}");
    }
    assert!(changed >= 1);
    // A file with a syntax error is not formatted: the request fails.
    client.open("file:///broken.irsa", "servce *\n");
    let failed = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": "file:///broken.irsa"}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(failed["error"]["code"], -32803);
    assert!(
        failed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1: unknown statement `servce`")
    );
}

#[test]
fn quick_fixes_apply_did_you_mean() {
    for utf8 in [false, true] {
        let (mut client, _) = Client::initialized(utf8);
        let uri = "file:///fix.irsa";
        // `а` is Cyrillic (2 bytes in UTF-8, 1 unit in UTF-16).
        let mut text =
            "namespace spinnаker\nservice ehco -> role arn:aws:iam::123456789012:role/x\n"
                .to_owned();
        let published = client.open(uri, &text);
        let diagnostics = published["diagnostics"].as_array().unwrap().clone();
        let codes: Vec<&str> = diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["E004", "E040"]);
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": position(0, 0), "end": position(1, 20)},
                   "context": {"diagnostics": diagnostics}}),
        )["result"]
            .clone();
        let titles: Vec<&str> = actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["Replace `а` with `a`", "Replace `ehco` with `echo`"]
        );
        // Apply them last first, as an editor applies one workspace edit.
        for action in actions.as_array().unwrap().iter().rev() {
            assert_eq!(action["kind"], "quickfix");
            assert!(action["diagnostics"][0]["code"].is_string());
            assert_eq!(action["isPreferred"], true);
            let edit = &action["edit"]["changes"][uri][0];
            let from = offset(&text, &edit["range"]["start"], utf8);
            let to = offset(&text, &edit["range"]["end"], utf8);
            text.replace_range(from..to, edit["newText"].as_str().unwrap());
            client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": edit["range"], "text": edit["newText"]}]}),
            );
            client.diagnostics(uri);
        }
        assert_eq!(
            text,
            "namespace spinnaker\nservice echo -> role arn:aws:iam::123456789012:role/x\n"
        );
        // Fixed: no more diagnostics, no more fixes.
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": position(0, 0), "end": position(2, 0)}, "context": {"diagnostics": []}}),
        );
        assert_eq!(actions["result"], json!([]));
        // A range away from a diagnostic offers nothing.
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": "namespace x\nservice ehco -> role arn:aws:iam::123456789012:role/x\n"}]}),
        );
        client.diagnostics(uri);
        let away = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": position(0, 0), "end": position(0, 3)}, "context": {"diagnostics": []}}),
        );
        assert_eq!(away["result"], json!([]));
    }
}

#[test]
fn malformed_messages_get_errors_and_the_server_keeps_serving() {
    let mut client = Client::start();
    // Before `initialize`: ServerNotInitialized.
    let early = client.request("textDocument/hover", at("file:///a.irsa", 0, 0));
    assert_eq!(early["error"]["code"], -32002);
    let (mut client, _) = {
        drop(client);
        Client::initialized(false)
    };
    client.open("file:///a.irsa", "namespace x\n");
    // (body, the id answered, the error code)
    let cases: [(&[u8], Value, i64); 6] = [
        (b"{not json", Value::Null, -32700),
        (b"", Value::Null, -32700),
        (b"[1, 2]", Value::Null, -32600),
        (br#"{"jsonrpc":"2.0","id":7,"method":42}"#, json!(7), -32600),
        (br#"{"jsonrpc":"2.0","id":8,"method":"workspace/frobnicate","params":{}}"#, json!(8), -32601),
        (br#"{"jsonrpc":"2.0","id":"nine","method":"textDocument/hover","params":{"textDocument":{}}}"#, json!("nine"), -32602),
    ];
    for (body, id, code) in cases {
        client.send_raw(body);
        let response = client.response(&id);
        assert_eq!(
            response["error"]["code"],
            code,
            "{}",
            String::from_utf8_lossy(body)
        );
        assert!(response["error"]["message"].as_str().unwrap().len() > 5);
        // …and the server still answers.
        let hover = client.request("textDocument/hover", at("file:///a.irsa", 0, 2));
        assert!(
            hover["result"]["contents"]["value"]
                .as_str()
                .unwrap()
                .contains("namespace NAME")
        );
    }
    // A document that is not open; a second `initialize`.
    let closed = client.request("textDocument/hover", at("file:///nope.irsa", 0, 0));
    assert_eq!(closed["error"]["code"], -32602);
    let again = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600);
    // A change to a document that is not open is dropped.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nope.irsa", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    // A notification with bad params has no answer, and breaks nothing.
    client.notify("textDocument/didOpen", json!({"textDocument": 3}));
    let hover = client.request("textDocument/hover", at("file:///a.irsa", 0, 2));
    assert!(hover["result"].is_object());
    // After `shutdown`, requests are refused until `exit`.
    assert_eq!(
        client.request("shutdown", Value::Null)["result"],
        Value::Null
    );
    let late = client.request("textDocument/hover", at("file:///a.irsa", 0, 2));
    assert_eq!(late["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status(), 0);
}

#[test]
fn exit_status_says_whether_shutdown_came_first() {
    // shutdown, exit: 0.
    let (mut client, _) = Client::initialized(false);
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status(), 0);
    // exit without shutdown: 1.
    let (mut client, _) = Client::initialized(false);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status(), 1);
    // The input ends: 1, or 0 after shutdown.
    let (client, _) = Client::initialized(false);
    assert_eq!(client.exit_status(), 1);
    let (mut client, _) = Client::initialized(false);
    client.request("shutdown", Value::Null);
    assert_eq!(client.exit_status(), 0);
    // A broken frame (no Content-Length): the stream cannot be followed, 1.
    let mut client = Client::start();
    client
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"Content-Type: x\r\n\r\n{}")
        .unwrap();
    assert_eq!(client.exit_status(), 1);
    // `--stdio`, which clients such as vscode-languageclient add, is the same.
    let mut client = Client::start_with(&["lsp", "--stdio"]);
    let result = client.request("initialize", json!({"capabilities": {}}));
    assert_eq!(result["result"]["serverInfo"]["name"], "irsa");
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status(), 0);
    // Exit before initialize: 1, at once.
    let mut client = Client::start();
    client.notify("exit", Value::Null);
    assert_eq!(client.exit_status(), 1);
}

/// The sessions shown in the book's Editors chapter (```text,lsp blocks)
/// are replayed: each `-->` message is sent to a fresh, initialized server
/// and each `<--` message must be the next one it writes.
#[test]
fn the_books_transcripts_are_real_sessions() {
    let page = std::fs::read_to_string(root().join("book/src/editors.md")).unwrap();
    let mut sessions = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```text,lsp" {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            sessions.push(body.join("\n"));
        }
    }
    assert!(sessions.len() >= 3, "{} transcripts", sessions.len());
    for session in &sessions {
        let (mut client, _) = Client::initialized(false);
        // Each message starts with `--> ` (sent) or `<-- ` (received) and
        // may continue on the following lines.
        let mut messages: Vec<(bool, String)> = Vec::new();
        for line in session.lines() {
            if let Some(sent) = line.strip_prefix("--> ") {
                messages.push((true, sent.to_owned()));
            } else if let Some(received) = line.strip_prefix("<-- ") {
                messages.push((false, received.to_owned()));
            } else {
                messages
                    .last_mut()
                    .expect("a transcript starts with a message")
                    .1 += line;
            }
        }
        for (sent, text) in messages {
            let message: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            if sent {
                client.send(&message);
            } else {
                let next = client.next();
                assert_eq!(next, message, "in the transcript:\n{session}");
            }
        }
    }
}

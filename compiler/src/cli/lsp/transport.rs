//! The base protocol: `Content-Length` framed JSON-RPC messages.
//!
//! lsp-server's own stdio reader ends the connection on a body that is not
//! a message; a server should instead answer it with a JSON-RPC error and
//! go on. So messages are read here, frame by frame: a bad body is answered
//! (`id: null`), and only a broken frame (a header without a length, or the
//! input ending mid-message) ends the session.

use std::io::{self, BufRead, Read, Write};

use lsp_server::{ErrorCode, Message};
use serde_json::{Value, json};

/// The largest body read, in bytes: room for the largest document irsa
/// reads (64 MiB), escaped as JSON. A larger body is skipped and answered.
const MAX_BODY: usize = 512 * 1024 * 1024;
/// The longest header line accepted.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// What one frame held.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A body that is not a message, with the JSON-RPC error to answer
    /// (and the request's id, when it could be read).
    Malformed {
        id: Value,
        code: ErrorCode,
        message: String,
    },
    /// The input ended between messages.
    End,
}

/// Reads one framed message. An `Err` is a broken frame: the stream cannot
/// be followed further.
pub fn read(input: &mut impl BufRead) -> io::Result<Incoming> {
    let Some(length) = read_header(input)? else {
        return Ok(Incoming::End);
    };
    if length > MAX_BODY {
        io::copy(&mut input.take(length as u64), &mut io::sink())?;
        return Ok(Incoming::Malformed {
            id: Value::Null,
            code: ErrorCode::InvalidRequest,
            message: format!("a message of {length} bytes: irsa reads at most {MAX_BODY}"),
        });
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(parse(&body))
}

/// The `Content-Length` of the next frame; `None` at the end of input.
fn read_header(input: &mut impl BufRead) -> io::Result<Option<usize>> {
    let mut length = None;
    let mut first = true;
    loop {
        let mut line = String::new();
        let read = input.take(MAX_HEADER_LINE).read_line(&mut line)?;
        if read == 0 {
            return if first {
                Ok(None)
            } else {
                Err(broken("the input ended inside a message header"))
            };
        }
        first = false;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            return length
                .map(Some)
                .ok_or_else(|| broken("a message header without `Content-Length`"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(broken(&format!("a malformed header line `{line}`")));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| broken(&format!("`Content-Length: {value}` is not a length")))?,
            );
        }
    }
}

fn broken(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

/// A body → a message, or the error to answer it with.
fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Malformed {
                id: Value::Null,
                code: ErrorCode::ParseError,
                message: format!("the message is not JSON: {error}"),
            };
        }
    };
    // The id, if it is one JSON-RPC allows, to answer an invalid request by.
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(error) => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            message: format!("not a JSON-RPC request, response or notification: {error}"),
        },
    }
}

/// Writes one message.
pub fn write(output: &mut impl Write, message: &Message) -> io::Result<()> {
    message.write(output)?;
    output.flush()
}

/// Writes an error response with an id lsp-server cannot express (`null`).
pub fn write_error(
    output: &mut impl Write,
    id: &Value,
    code: ErrorCode,
    message: &str,
) -> io::Result<()> {
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code as i32, "message": message },
    })
    .to_string();
    write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    output.flush()
}

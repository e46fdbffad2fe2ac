//! `cargo xtask playground`: the static playground site in target/playground
//! (`--serve` serves target/ on 127.0.0.1, so the book is reachable too).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{gzipped_size, install, root, run_command, wasm};

/// The budget of the page's code (HTML, CSS and JavaScript), gzipped; the
/// wasm has its own (xtask/src/wasm.rs).
const PAGE_BUDGET: u64 = 400 * 1024;
/// And of everything the first visit downloads: the page, the wasm, the
/// examples.
const SITE_BUDGET: u64 = 400 * 1024;
/// The tools module (verify and import): its glue and wasm, which the worker
/// fetches when the Verify or Import YAML panel first opens, never on the
/// first load. The service worker caches them when they are fetched.
const ON_DEMAND: [&str; 2] = ["irsa_tools.js", "irsa_tools_bg.wasm"];

pub fn out_dir() -> PathBuf {
    root().join("target").join("playground")
}

fn wasm_dir() -> PathBuf {
    root().join("wasm")
}

pub fn build() -> Result<(), String> {
    let web_wasm = wasm::build()?;
    install::ensure_node_modules()?;
    let out = out_dir();
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let www = wasm_dir().join("www");
    let esbuild = wasm_dir().join("node_modules").join(".bin").join("esbuild");
    for entry in ["main.js", "worker.js"] {
        run_command(
            Command::new(&esbuild)
                .current_dir(&www)
                .arg(Path::new("src").join(entry))
                .args([
                    "--bundle",
                    "--minify",
                    "--format=esm",
                    "--target=es2022",
                    "--log-level=warning",
                ])
                .arg(format!("--outfile={}", out.join(entry).display())),
        )?;
    }
    copy(&web_wasm, &out.join("irsa_bg.wasm"))?;
    for file in ON_DEMAND {
        copy(&wasm::tools_web_dir().join(file), &out.join(file))?;
    }
    for file in ["index.html", "style.css"] {
        copy(&www.join(file), &out.join(file))?;
    }
    write_examples(&out.join("examples.json"))?;
    let assets = [
        "./",
        "index.html",
        "style.css",
        "main.js",
        "worker.js",
        "irsa_bg.wasm",
        "examples.json",
    ];
    let hashed: Vec<&str> = assets.iter().skip(1).chain(&ON_DEMAND).copied().collect();
    let version = format!("irsa-playground-{:x}", content_hash(&out, &hashed)?);
    let service_worker = std::fs::read_to_string(www.join("sw.js"))
        .map_err(|e| e.to_string())?
        .replace("__VERSION__", &version)
        .replace(
            "__ASSETS__",
            &serde_json::to_string(&assets).map_err(|e| e.to_string())?,
        )
        .replace(
            "__ON_DEMAND__",
            &serde_json::to_string(&ON_DEMAND).map_err(|e| e.to_string())?,
        );
    std::fs::write(out.join("sw.js"), service_worker).map_err(|e| e.to_string())?;

    check_budgets(&out)
}

/// The page's code and the first visit, gzipped, against their budgets
/// (the tools module has its own, checked by xtask/src/wasm.rs).
fn check_budgets(out: &Path) -> Result<(), String> {
    let (mut page, mut total, mut on_demand) = (0, 0, 0);
    for entry in std::fs::read_dir(out).map_err(|e| e.to_string())?.flatten() {
        let size = gzipped_size(&entry.path())?;
        if ON_DEMAND.iter().any(|f| entry.file_name() == *f) {
            on_demand += size;
            continue;
        }
        total += size;
        let extension = entry
            .path()
            .extension()
            .map(|e| e.to_string_lossy().into_owned());
        if matches!(extension.as_deref(), Some("html" | "css" | "js")) {
            page += size;
        }
    }
    eprintln!(
        "xtask: playground in {}: HTML, CSS and JavaScript {} KiB gzipped (budget {} KiB); {} KiB \
         in all with the wasm and the examples (budget {} KiB); verify and import on demand {} KiB",
        out.display(),
        page / 1024,
        PAGE_BUDGET / 1024,
        total / 1024,
        SITE_BUDGET / 1024,
        on_demand / 1024
    );
    if page > PAGE_BUDGET {
        return Err(format!(
            "the page's HTML, CSS and JavaScript are {} KiB gzipped, over the {} KiB budget",
            page / 1024,
            PAGE_BUDGET / 1024
        ));
    }
    if total > SITE_BUDGET {
        return Err(format!(
            "the playground is {} KiB gzipped in all, over the {} KiB budget",
            total / 1024,
            SITE_BUDGET / 1024
        ));
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {}: {e}", from.display()))
}

/// FNV-1a over the assets: the service worker's cache name changes with them.
fn content_hash(dir: &Path, files: &[&str]) -> Result<u64, String> {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let bytes = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
        for byte in bytes {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    Ok(hash)
}

/// The examples menu: section 1's example first, then the others by name.
fn write_examples(path: &Path) -> Result<(), String> {
    let dir = root().join("dsl-examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".irsa").map(str::to_owned)
        })
        .collect();
    names.sort_by_key(|name| (name != "armory-irsa-guide", name.clone()));
    let examples: Vec<serde_json::Value> = names
        .iter()
        .map(|name| {
            let source =
                std::fs::read_to_string(dir.join(format!("{name}.irsa"))).unwrap_or_default();
            serde_json::json!({ "name": name, "source": source })
        })
        .collect();
    let json = serde_json::to_string(&examples).map_err(|e| e.to_string())?;
    std::fs::write(path, json).map_err(|e| e.to_string())
}

/// Serves target/ on 127.0.0.1 until interrupted.
pub fn serve(port: u16) -> Result<(), String> {
    let base = root().join("target");
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    eprintln!("xtask: playground at http://127.0.0.1:{port}/playground/ (Ctrl-C to stop)");
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut request_line = String::new();
        if BufReader::new(&stream)
            .read_line(&mut request_line)
            .is_err()
        {
            continue;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/");
        let (status, content_type, body) = match resolve(&base, path) {
            Some(file) => match std::fs::read(&file) {
                Ok(body) => ("200 OK", content_type(&file), body),
                Err(_) => ("404 Not Found", "text/plain", b"not found".to_vec()),
            },
            None => ("404 Not Found", "text/plain", b"not found".to_vec()),
        };
        let header = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream
            .write_all(header.as_bytes())
            .and_then(|()| stream.write_all(&body));
    }
    Ok(())
}

/// A request path → a file under `base`, never outside it.
fn resolve(base: &Path, path: &str) -> Option<PathBuf> {
    let mut file = base.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part.contains('\\') {
            return None;
        }
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

//! The repository stands alone: a fresh clone, with nothing beside it,
//! passes its tests. So no code that the tests, the xtask or CI run may
//! read a path outside the repository: every source file (`.rs`, `.mjs`,
//! `.js`, `.toml`, `.sh`, `.py`, `package.json`, and the scripts of `.ci/`)
//! is scanned for the sibling checkout and the machine's work directory,
//! and for any relative path that climbs above the repository's root from
//! where it is resolved (the file's directory; the root for `root()`; the
//! package for `CARGO_MANIFEST_DIR`). A finding names `file:line`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use irsa_test_support::root;

/// Directories that hold no source of the project.
const SKIPPED_DIRS: [&str; 6] = [
    "target",
    "node_modules",
    ".git",
    "corpus",
    "artifacts",
    ".cargo-home",
];

/// File kinds that can name a path that gets read.
const KINDS: [&str; 6] = ["rs", "mjs", "js", "toml", "sh", "py"];

/// Paths that climb out but are never opened: the file, the end of the
/// path, and why.
const ALLOWED: [(&str, &str, &str); 1] = [(
    "tests/tests/adversarial.rs",
    "/tmp/evil",
    "a role path given to the compiler as hostile input; the test checks nothing is written there",
)];

/// `n` levels up, written so that this file climbs nowhere itself.
fn up(n: usize) -> String {
    format!("{}/", ".".repeat(2)).repeat(n)
}

/// The places outside the repository that only the original machine has,
/// written so that this file does not name them itself.
fn outside_places() -> [String; 3] {
    [
        format!("{}shared", up(1)),
        format!("/{}/shared", "work"),
        format!("/{}/", "work"),
    ]
}

#[derive(Debug, PartialEq, Eq)]
struct Finding {
    file: String,
    line: usize,
    token: String,
    why: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: `{}`: {}",
            self.file, self.line, self.token, self.why
        )
    }
}

/// Every source file of the repository, by path relative to the root.
fn sources() -> Vec<String> {
    let root = root();
    let mut found = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = path.strip_prefix(&root).unwrap();
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if entry.file_type().unwrap().is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) {
                    pending.push(path);
                }
            } else if is_source(&relative) {
                found.push(relative);
            }
        }
    }
    found.sort();
    found
}

fn is_source(relative: &str) -> bool {
    let extension = Path::new(relative)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    KINDS.contains(&extension.as_str())
        || relative.ends_with("package.json")
        || relative.starts_with(".ci/")
}

/// How many directories below the root a directory is.
fn depth(dir: &str) -> i64 {
    dir.split('/').filter(|part| !part.is_empty()).count() as i64
}

/// The directory of a file.
fn directory(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The depth of the package (the nearest directory with a Cargo.toml) that
/// holds a file: what `CARGO_MANIFEST_DIR` is.
fn package_depth(file: &str) -> i64 {
    let mut dir = directory(file).to_owned();
    loop {
        if root().join(&dir).join("Cargo.toml").is_file() || dir.is_empty() {
            return depth(&dir);
        }
        dir = directory(&dir).to_owned();
    }
}

/// Whether a path, resolved from a directory `base` levels below the root,
/// ever goes above the root.
fn climbs_out(path: &str, base: i64) -> bool {
    let mut level = base;
    for segment in path.split(['/', '\\']) {
        match segment {
            ".." => {
                level -= 1;
                if level < 0 {
                    return true;
                }
            }
            "" | "." => {}
            _ => level += 1,
        }
    }
    false
}

/// Whether a line is only a comment, in the file's language.
fn is_comment(file: &str, line: &str) -> bool {
    let line = line.trim_start();
    if file.ends_with(".rs") || file.ends_with(".js") || file.ends_with(".mjs") {
        line.starts_with("//") || line.starts_with("/*") || line.starts_with("* ")
    } else {
        line.starts_with('#') && !line.starts_with("#!")
    }
}

/// The path-like words of a line that hold a `..` segment: with a `/`, or
/// a `..` alone given to `join` (Rust's `[..]` and `0..n` are not paths).
/// Each with where it starts.
fn climbing_words(line: &str) -> Vec<(usize, String)> {
    let is_path_char = |c: char| c.is_ascii_alphanumeric() || "_.-/\\@~+$%".contains(c);
    let mut words = Vec::new();
    let mut start = None;
    for (at, c) in line.char_indices().chain([(line.len(), ' ')]) {
        match (start, is_path_char(c)) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                let word = &line[from..at];
                let has_dots = word.split(['/', '\\']).any(|s| s == "..");
                let joined = line[..from].ends_with("join(\"") || line[..from].ends_with("join('");
                if has_dots && (word.contains('/') || joined) {
                    words.push((from, word.to_owned()));
                }
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// The statement a line belongs to, as far as it matters here: the line
/// and the ones before it that it continues (a method chain split by
/// rustfmt), without white space.
fn statement_before(lines: &[&str], index: usize) -> String {
    let mut text = lines[index].to_owned();
    let mut at = index;
    while at > 0 && lines[at].trim_start().starts_with('.') {
        at -= 1;
        text = format!("{}{text}", lines[at]);
    }
    text.split_whitespace().collect()
}

/// The statement from a line on, to its end (`;`, or a block's brace).
fn statement_after(lines: &[&str], index: usize) -> String {
    let mut text = String::new();
    for line in lines.iter().skip(index).take(8) {
        text.push_str(line);
        let end = line.trim_end();
        if end.ends_with(';') || end.ends_with('{') || end.ends_with('}') || end.ends_with(',') {
            break;
        }
    }
    text.split_whitespace().collect()
}

/// Every reference to a path outside the repository in one file.
fn findings_in(file: &str, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let file_depth = depth(directory(file));
    let rust = file.ends_with(".rs");
    for (index, line) in lines.iter().enumerate() {
        let mut found = |token: &str, why: String| {
            let allowed = ALLOWED
                .iter()
                .any(|(f, t, _)| *f == file && token.contains(t));
            if !allowed {
                findings.push(Finding {
                    file: file.to_owned(),
                    line: index + 1,
                    token: token.to_owned(),
                    why,
                });
            }
        };
        for place in outside_places() {
            if line.contains(&place) {
                found(&place, "a place outside the repository".to_owned());
            }
        }
        if is_comment(file, line) {
            continue;
        }
        let statement = statement_before(&lines, index);
        for (at, word) in climbing_words(line) {
            // What the path is resolved from.
            let (base, from) = if rust && statement.contains("CARGO_MANIFEST_DIR") {
                (package_depth(file), "the package")
            } else if rust && statement.contains("root()") {
                (0, "the repository's root")
            } else if line[..at].ends_with(')') || line[..at].ends_with('}') {
                // `$(dirname "$0")/..`, `${dir}/..`: the script's directory.
                (file_depth, "the file's directory")
            } else if word.starts_with('/') {
                continue;
            } else {
                (file_depth, "the file's directory")
            };
            if climbs_out(&word, base) {
                found(&word, format!("climbs above the repository from {from}"));
            }
        }
        if rust && line.contains("CARGO_MANIFEST_DIR") {
            let statement = statement_after(&lines, index);
            let after = statement
                .split_once("CARGO_MANIFEST_DIR")
                .map_or("", |(_, after)| after);
            let parents = after.matches(".parent()").count() as i64;
            if parents > package_depth(file) {
                found(
                    "CARGO_MANIFEST_DIR",
                    format!("{parents} × .parent() climbs above the repository"),
                );
            }
        }
        // (Spelled in two halves, so that this line does not match itself.)
        let root_parent = ["root()", ".parent()"].concat();
        if rust && line.contains("root()") && statement_after(&lines, index).contains(&root_parent)
        {
            found(&root_parent, "the repository root's parent".to_owned());
        }
    }
    findings
}

#[test]
fn nothing_reads_a_path_outside_the_repository() {
    let sources = sources();
    for expected in [
        "tests/src/lib.rs",
        "test-support/src/lib.rs",
        "xtask/src/main.rs",
        "fuzz/Cargo.toml",
        ".ci/run",
    ] {
        assert!(
            sources.iter().any(|s| s == expected),
            "{expected} is not scanned"
        );
    }
    let mut findings = Vec::new();
    let mut allowed_used = vec![false; ALLOWED.len()];
    for file in &sources {
        let text = String::from_utf8_lossy(&std::fs::read(root().join(file)).unwrap()).into_owned();
        findings.extend(findings_in(file, &text));
        for (used, (allowed_file, token, _)) in allowed_used.iter_mut().zip(ALLOWED) {
            *used |= file == allowed_file && text.contains(token);
        }
    }
    let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert!(
        findings.is_empty(),
        "paths outside the repository (a fresh clone has nothing beside it):\n{}",
        shown.join("\n")
    );
    for (used, (file, token, _)) in allowed_used.iter().zip(ALLOWED) {
        assert!(
            used,
            "the allowance for `{token}` in {file} is no longer needed"
        );
    }
}

/// The scanner finds what it is for: planted references, each by line.
#[test]
fn the_scan_catches_planted_references() {
    let [sibling, work_shared, _] = outside_places();
    let dots = ".".repeat(2);
    let planted = [
        "fn f() {".to_owned(),
        format!("    let _ = root().join(\"{sibling}/LANGUAGE.md\");"),
        format!("    let _ = std::fs::read(\"{work_shared}/schemas\");"),
        format!("    let _ = root().join(\"{dots}\").join(\"x\");"),
        format!("    let _ = include_str!(\"{}x.md\");", up(3)),
        "    let _ = Path::new(env!(\"CARGO_MANIFEST_DIR\"))".to_owned(),
        format!("        .join(\"{}y\");", up(2)),
        "    let _ = Path::new(env!(\"CARGO_MANIFEST_DIR\"))".to_owned(),
        "        .parent()".to_owned(),
        "        .unwrap()".to_owned(),
        "        .parent();".to_owned(),
        "    let _ = root()".to_owned(),
        format!("        .join(\"a/{}b\");", up(2)),
        "}".to_owned(),
    ]
    .join("\n");
    let lines: Vec<usize> = findings_in("tests/tests/planted.rs", &planted)
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [2, 2, 3, 3, 4, 5, 7, 8, 13], "{planted}");

    let script = format!(
        "#!/bin/sh\ncd \"$(dirname \"$0\")/{dots}/{dots}\"\ncat {}secret\n",
        up(2)
    );
    let lines: Vec<usize> = findings_in(".ci/planted", &script)
        .iter()
        .map(|f| f.line)
        .collect();
    assert_eq!(lines, [2, 3], "{script}");
    let module = format!("import x from '{}elsewhere.js';\n", up(4));
    assert_eq!(findings_in("wasm/www/src/planted.js", &module).len(), 1);
    let manifest = format!("[dependencies]\nother = {{ path = \"{}other\" }}\n", up(2));
    assert_eq!(findings_in("fuzz/Cargo.toml", &manifest).len(), 1);
}

/// What stays inside is not reported: paths that climb only as far as the
/// root, Rust's ranges, comments, absolute system paths.
#[test]
fn the_scan_leaves_paths_inside_alone() {
    let dots = ".".repeat(2);
    let fine = [
        format!("#[path = \"{}fuzz/src/properties.rs\"]", up(2)),
        "mod p;".to_owned(),
        format!(
            "const E: &str = include_str!(\"{}docs/diagnostics.md\");",
            up(1)
        ),
        "fn f(x: &[u8]) -> &[u8] { let _ = (0..2_000); &x[..] }".to_owned(),
        format!("// a comment about {}x", up(4)),
        "let _ = Path::new(env!(\"CARGO_MANIFEST_DIR\")).parent();".to_owned(),
        "let _ = Path::new(\"/usr/bin/chromium\").exists();".to_owned(),
    ]
    .join("\n");
    assert_eq!(findings_in("tests/tests/fine.rs", &fine), []);
    let script = format!("cd \"$(dirname \"$0\")/{dots}\"\n");
    assert_eq!(findings_in(".ci/run", &script), []);
    let module = format!("import init from '{}target/wasm/web/irsa.js';\n", up(3));
    assert_eq!(findings_in("wasm/www/src/worker.js", &module), []);
}

//! The real `irsa` binary, and sandboxes to run it in.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::root;

/// The `irsa` binary, built once per test process with the same profile.
pub fn irsa_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        escargot::CargoBuild::new()
            .package("irsa")
            .bin("irsa")
            .manifest_path(root().join("Cargo.toml"))
            .current_release()
            .current_target()
            .run()
            .expect("building the irsa binary")
            .path()
            .to_path_buf()
    })
}

/// What one run of `irsa` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A run that takes longer than this is a hang: it is killed and fails.
/// (A watchdog, not a speed target: speed is measured in benchmarks.)
pub const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `irsa ARGS` in `cwd`, with `stdin` if given (else an empty stdin).
pub fn irsa(args: &[&str], cwd: &Path, stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(irsa_bin())
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting irsa");
    let input = stdin.unwrap_or_default().to_vec();
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || {
        // irsa may exit before reading everything; that is not an error here.
        let _ = pipe.write_all(&input);
    });
    let read = |mut from: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = from.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr is piped")));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for irsa") {
            break status;
        }
        if started.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            panic!("irsa {args:?} hung: killed after {HANG_LIMIT:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    writer.join().expect("stdin writer");
    Run {
        code: status
            .code()
            .expect("irsa exited normally, not by a signal"),
        stdout: String::from_utf8(stdout.join().expect("stdout reader")).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr.join().expect("stderr reader")).expect("stderr is UTF-8"),
    }
}

/// A temporary directory to run `irsa` in, removed when dropped. Paths
/// given to it are relative to the directory.
#[derive(Debug)]
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The absolute path of a path in the sandbox.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file, creating its directories; returns its path.
    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        path
    }

    /// Reads a file as text.
    pub fn read(&self, relative: &str) -> String {
        let path = self.join(relative);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn exists(&self, relative: &str) -> bool {
        self.join(relative).exists()
    }

    /// Every file in the sandbox (or under one of its directories), by path
    /// relative to it, with its content.
    pub fn tree(&self, relative: &str) -> BTreeMap<String, String> {
        crate::tree(&self.join(relative))
    }

    /// The paths of every file in the sandbox, sorted.
    pub fn files(&self) -> Vec<String> {
        crate::tree(self.path()).into_keys().collect()
    }

    /// Runs `irsa ARGS` in the sandbox.
    pub fn irsa(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        irsa(args, self.path(), stdin)
    }
}

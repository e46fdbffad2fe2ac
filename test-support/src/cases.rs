//! The annotated cases of `tests/cases/`: each file says in comment lines
//! what it expects.
//!
//! ```text
//! # expect: E031 E031     the codes reported, in order (`ok`: none)
//! # args: --deny-warnings extra arguments for `irsa check` (optional)
//! ```
//!
//! A header line is usually among the first lines; where the first bytes
//! are the point of a case (a byte order mark, a control character), it
//! comes later. The first line of each kind counts (a leading byte order
//! mark aside).

use std::path::{Path, PathBuf};

/// One annotated case.
#[derive(Debug, Clone)]
pub struct Case {
    pub path: PathBuf,
    /// The file's bytes, exactly.
    pub bytes: Vec<u8>,
    /// The codes expected, in order; empty for `# expect: ok`.
    pub expect: Vec<String>,
    /// Extra arguments for `irsa check`.
    pub args: Vec<String>,
}

impl Case {
    /// Reads a case; panics when it has no `# expect:` line.
    pub fn read(path: &Path) -> Case {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expect = header(&bytes, "expect")
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", path.display()));
        Case {
            path: path.to_path_buf(),
            expect: expect.into_iter().filter(|code| code != "ok").collect(),
            args: header(&bytes, "args").unwrap_or_default(),
            bytes,
        }
    }

    /// Whether the case fails `irsa check`: an error is expected, or a
    /// warning is denied.
    pub fn fails(&self) -> bool {
        self.expect.iter().any(|code| code.starts_with('E'))
            || self.args.iter().any(|arg| arg == "--deny-warnings")
    }
}

/// The words of the first `# KEY: …` line of a case, if it has one.
pub fn header(bytes: &[u8], key: &str) -> Option<Vec<String>> {
    let prefix = format!("# {key}: ");
    String::from_utf8_lossy(bytes).lines().find_map(|line| {
        line.trim_start_matches('\u{feff}')
            .strip_prefix(&prefix)
            .map(|value| value.split_whitespace().map(str::to_owned).collect())
    })
}

/// Every case (`.irsa` file) of a directory under `tests/cases/`, sorted.
pub fn cases(dir: &str) -> Vec<Case> {
    crate::files_in(&crate::root().join("tests/cases").join(dir), "irsa")
        .iter()
        .map(|path| Case::read(path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let text = b"# expect: E031 E031\n# args: --deny-warnings\nservice x\n";
        assert_eq!(
            header(text, "expect"),
            Some(vec!["E031".to_owned(), "E031".to_owned()])
        );
        assert_eq!(
            header(text, "args"),
            Some(vec!["--deny-warnings".to_owned()])
        );
        assert_eq!(header(b"service x\n", "expect"), None);
        let later = "\u{feff}service x\n# expect: ok\n".as_bytes();
        assert_eq!(header(later, "expect"), Some(vec!["ok".to_owned()]));
        assert_eq!(header(b"#expect: E001\n", "expect"), None);
    }
}

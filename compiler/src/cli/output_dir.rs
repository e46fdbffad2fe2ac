//! Writing `-o DIR` atomically, and comparing it with what would be written
//! (`--check`).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use irsa::emit::{OWNED_DIRS, OWNED_FILES};

/// The files of one output directory: relative path → content.
pub type Tree = BTreeMap<PathBuf, String>;

/// A relative path that stays inside its directory: no `..`, no root.
fn is_contained(path: &Path) -> bool {
    path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// The files irsa owns in an output directory as it is now: those of
/// `emit::OWNED_FILES` and the `.json` files of `emit::OWNED_DIRS`
/// (`trust-policies/`, `pod-identity/`). Other files are the user's.
pub fn owned_files(dir: &Path) -> io::Result<Tree> {
    let mut tree = Tree::new();
    for name in OWNED_FILES {
        if let Some(content) = read_if_exists(&dir.join(name))? {
            tree.insert(PathBuf::from(name), content);
        }
    }
    for owned in OWNED_DIRS {
        match fs::read_dir(dir.join(owned)) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry?;
                    let name = PathBuf::from(entry.file_name());
                    if name.extension().is_some_and(|e| e == "json") && entry.file_type()?.is_file()
                    {
                        let content = fs::read_to_string(entry.path())?;
                        tree.insert(Path::new(owned).join(name), content);
                    }
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    Ok(tree)
}

fn read_if_exists(path: &Path) -> io::Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// How one file differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// Would be written but does not exist.
    Missing { path: PathBuf, expected: String },
    /// Exists but would no longer be written.
    Stale { path: PathBuf, actual: String },
    /// Exists with other content.
    Changed {
        path: PathBuf,
        expected: String,
        actual: String,
    },
}

/// What differs between the directory now and what would be written.
pub fn drift(current: &Tree, wanted: &Tree) -> Vec<Drift> {
    let mut drifts = Vec::new();
    for (path, expected) in wanted {
        match current.get(path) {
            None => drifts.push(Drift::Missing {
                path: path.clone(),
                expected: expected.clone(),
            }),
            Some(actual) if actual != expected => drifts.push(Drift::Changed {
                path: path.clone(),
                expected: expected.clone(),
                actual: actual.clone(),
            }),
            Some(_) => {}
        }
    }
    for (path, actual) in current {
        if !wanted.contains_key(path) {
            drifts.push(Drift::Stale {
                path: path.clone(),
                actual: actual.clone(),
            });
        }
    }
    drifts
}

/// A unified diff of one drift, with `a/` and `b/` paths under `dir`.
pub fn unified_diff(dir: &Path, drift: &Drift) -> String {
    let (path, old, new) = match drift {
        Drift::Missing { path, expected } => (path, "", expected.as_str()),
        Drift::Stale { path, actual } => (path, actual.as_str(), ""),
        Drift::Changed {
            path,
            expected,
            actual,
        } => (path, actual.as_str(), expected.as_str()),
    };
    let shown = dir.join(path);
    let shown = shown.display();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string()
}

/// Writes the trees all or nothing. A file that does not exist yet is
/// written in place; a file that exists is written to a temporary file
/// beside it, renamed over it only when every file is written. A failure
/// before that removes the files it created and leaves every existing file
/// as it was (directories it created stay, empty). Stale owned files are
/// removed last.
pub fn write_all(outputs: &[(PathBuf, Tree)]) -> io::Result<()> {
    use rayon::prelude::*;
    for (dir, tree) in outputs {
        for path in tree.keys() {
            if !is_contained(path) {
                return Err(io::Error::other(format!(
                    "refusing to write `{}` outside `{}`",
                    path.display(),
                    dir.display()
                )));
            }
        }
    }
    // A directory that did not exist has no stale files to remove.
    let existed: Vec<bool> = outputs.par_iter().map(|(dir, _)| dir.exists()).collect();
    let files: Vec<(PathBuf, &String)> = outputs
        .iter()
        .flat_map(|(dir, tree)| {
            tree.iter()
                .map(move |(path, content)| (dir.join(path), content))
        })
        .collect();
    // Each directory is created once, not once per file.
    let mut parents: Vec<&Path> = files
        .iter()
        .filter_map(|(target, _)| target.parent())
        .collect();
    parents.sort_unstable();
    parents.dedup();
    // `create_dir_all` tolerates another thread creating a shared ancestor.
    parents.par_iter().try_for_each(fs::create_dir_all)?;
    // Independent files are written in parallel.
    let written: Vec<io::Result<Written>> = files
        .par_iter()
        .map(|(target, content)| stage(target, content))
        .collect();
    if let Some(error) = written.iter().find_map(|w| w.as_ref().err()) {
        let error = io::Error::new(error.kind(), error.to_string());
        for staged in written.into_iter().flatten() {
            let _ = fs::remove_file(staged.written_to());
        }
        return Err(error);
    }
    for staged in written.into_iter().flatten() {
        if let Written::Beside { temporary, target } = staged {
            fs::rename(&temporary, &target)?;
        }
    }
    for ((dir, wanted), existed) in outputs.iter().zip(existed) {
        if !existed {
            continue;
        }
        for path in owned_files(dir)?.keys() {
            if !wanted.contains_key(path) {
                fs::remove_file(dir.join(path))?;
            }
        }
    }
    Ok(())
}

/// Where one file went before the commit.
enum Written {
    /// A new file, written in place.
    New(PathBuf),
    /// An existing file's replacement, waiting to be renamed over it.
    Beside { temporary: PathBuf, target: PathBuf },
}

impl Written {
    fn written_to(&self) -> &Path {
        match self {
            Written::New(path) => path,
            Written::Beside { temporary, .. } => temporary,
        }
    }
}

fn stage(target: &Path, content: &str) -> io::Result<Written> {
    // `create_new` fails on an existing file, which then gets a temporary.
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(target)
    {
        Ok(mut file) => {
            use std::io::Write as _;
            if let Err(error) = file.write_all(content.as_bytes()) {
                let _ = fs::remove_file(target);
                return Err(error);
            }
            Ok(Written::New(target.to_path_buf()))
        }
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            let temporary = temporary_beside(target);
            fs::write(&temporary, content)?;
            Ok(Written::Beside {
                temporary,
                target: target.to_path_buf(),
            })
        }
        Err(error) => Err(error),
    }
}

/// The temporary file a replacement of `path` is written to: beside it, so
/// that the rename stays on one file system.
fn temporary_beside(path: &Path) -> PathBuf {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent.join(format!(".{file_name}.irsa-tmp-{}", std::process::id()))
}

/// Replaces one file atomically: a temporary file beside it, renamed over it.
pub fn replace_file(path: &Path, content: &str) -> io::Result<()> {
    let temporary = temporary_beside(path);
    fs::write(&temporary, content)?;
    if let Ok(metadata) = fs::metadata(path) {
        // Keep the file's permissions.
        let _ = fs::set_permissions(&temporary, metadata.permissions());
    }
    fs::rename(&temporary, path).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside() {
        assert!(is_contained(Path::new("trust-policies/a.json")));
        assert!(!is_contained(Path::new("../a.json")));
        assert!(!is_contained(Path::new("/etc/passwd")));
    }

    #[test]
    fn drift_names_missing_changed_and_stale_files() {
        let current = Tree::from([
            (PathBuf::from("a"), "1".to_owned()),
            (PathBuf::from("b"), "2".to_owned()),
        ]);
        let wanted = Tree::from([
            (PathBuf::from("a"), "1".to_owned()),
            (PathBuf::from("b"), "3".to_owned()),
            (PathBuf::from("c"), "4".to_owned()),
        ]);
        let drifts = drift(&current, &wanted);
        assert_eq!(drifts.len(), 2);
        let stale = drift(&wanted, &current);
        assert!(
            stale
                .iter()
                .any(|d| matches!(d, Drift::Stale { path, .. } if path == Path::new("c")))
        );
    }
}

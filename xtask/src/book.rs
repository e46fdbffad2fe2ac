//! `cargo xtask book`: the mdBook manual in target/book, installing mdbook
//! when missing; the build fails on a broken link or anchor.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::{install, root, run_command};

pub fn out_dir() -> PathBuf {
    root().join("target").join("book")
}

pub fn build() -> Result<(), String> {
    let mdbook = install::mdbook()?;
    run_command(Command::new(mdbook).arg("build").arg(root().join("book")))?;
    check_links(&out_dir())
}

/// Every relative `href` and `src` of the built HTML points at a file that
/// exists, and every `#anchor` at an `id` in it.
fn check_links(dir: &Path) -> Result<(), String> {
    let pages = html_files(dir)?;
    let mut ids: HashMap<PathBuf, Vec<String>> = HashMap::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).map_err(|e| e.to_string())?;
        ids.insert(page.clone(), attribute_values(&text, "id"));
    }
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).map_err(|e| e.to_string())?;
        let base = page.parent().unwrap_or(dir);
        for link in attribute_values(&text, "href")
            .into_iter()
            .chain(attribute_values(&text, "src"))
        {
            // Root-absolute links depend on where the book is served (404.html).
            if link.starts_with('/')
                || link.contains("://")
                || link.starts_with("mailto:")
                || link.starts_with("javascript:")
                || link.starts_with("data:")
            {
                continue;
            }
            let (path, anchor) = match link.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (link.as_str(), None),
            };
            let target = if path.is_empty() {
                page.clone()
            } else {
                normalize(&base.join(path))
            };
            let target = if target.is_dir() {
                target.join("index.html")
            } else {
                target
            };
            if !target.is_file() {
                broken.push(format!("{}: {link} (no file)", relative(dir, page)));
                continue;
            }
            if let Some(anchor) = anchor.filter(|a| !a.is_empty())
                && ids
                    .get(&target)
                    .is_some_and(|ids| !ids.iter().any(|id| id == anchor))
            {
                broken.push(format!("{}: {link} (no anchor)", relative(dir, page)));
            }
        }
    }
    if broken.is_empty() {
        eprintln!(
            "xtask: book in {}: {} pages, no broken link",
            dir.display(),
            pages.len()
        );
        Ok(())
    } else {
        Err(format!(
            "broken links in the book:\n  {}",
            broken.join("\n  ")
        ))
    }
}

fn relative(dir: &Path, page: &Path) -> String {
    page.strip_prefix(dir).unwrap_or(page).display().to_string()
}

/// Resolves `.` and `..` without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn html_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)
            .map_err(|e| format!("{}: {e}", current.display()))?
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The values of `name="…"` attributes, HTML entities for `&` decoded.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!(" {name}=\"");
    html.match_indices(&marker)
        .filter_map(|(index, _)| {
            let rest = html.get(index + marker.len()..)?;
            let end = rest.find('"')?;
            Some(rest.get(..end)?.replace("&amp;", "&"))
        })
        .collect()
}

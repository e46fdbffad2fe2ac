//! The book tells the truth: every ```irsa block compiles (or fails with the
//! code it is annotated with: ```irsa,error=E031, ```irsa,warning=W003), and
//! every block shown as output equals what the binary produces for the
//! closest ```irsa block above it:
//!
//! - ```yaml,output: the stream of `irsa compile`;
//! - ```json,output=PATH: that file of `irsa compile -o DIR`;
//! - ```text,explain: `irsa explain`;
//! - ```text,help=COMMAND: `irsa COMMAND --help`;
//! - ```text,verify=CASE: `irsa verify` of `tests/cases/verify/CASE` (its
//!   file and the exports its header names).
//!
//! An ```irsa,imported block is also what `irsa import` prints for the
//! closest ```yaml,import block above it.
//!
//! An output block with `iam=FORM` is compiled with `--iam FORM`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use irsa_test_support::{Sandbox, irsa, root, tree};
use serde_json::Value;

#[derive(Debug)]
struct Block {
    file: String,
    line: usize,
    info: String,
    text: String,
}

fn markdown_files() -> Vec<PathBuf> {
    let book = root().join("book/src");
    let mut files = vec![root().join("compiler/docs/diagnostics.md")];
    files.extend(
        tree(&book)
            .into_keys()
            .filter(|path| path.ends_with(".md"))
            .map(|path| book.join(path)),
    );
    files.sort();
    files
}

fn fenced_blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path.strip_prefix(root()).unwrap().display().to_string();
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let mut body = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            body.push_str(inner.get(indent..).unwrap_or(inner.trim_start()));
            body.push('\n');
        }
        blocks.push(Block {
            file: file.clone(),
            line: number + 1,
            info: info.trim().to_owned(),
            text: body,
        });
    }
    blocks
}

fn attribute<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.split(',')
        .skip(1)
        .find_map(|part| part.strip_prefix(&format!("{key}=")))
}

fn codes(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn every_example_and_output_in_the_book_is_true() {
    let (mut examples, mut outputs) = (0, 0);
    let dir = Sandbox::new();
    for path in markdown_files() {
        let mut last_irsa: Option<Block> = None;
        let mut last_import: Option<Block> = None;
        for block in fenced_blocks(&path) {
            let at = format!("{}:{} ({})", block.file, block.line, block.info);
            let language = block.info.split(',').next().unwrap_or_default();
            if block.info == "yaml,import" {
                last_import = Some(block);
                continue;
            }
            if block.info == "irsa,imported" {
                outputs += 1;
                let input = last_import
                    .as_ref()
                    .unwrap_or_else(|| panic!("{at}: no ```yaml,import block above"));
                let run = irsa(&["import"], &root(), Some(input.text.as_bytes()));
                assert_eq!(run.code, 0, "{at}: {}", run.stderr);
                assert_eq!(
                    run.stdout, block.text,
                    "{at}: the book shows another import than the binary's"
                );
            }
            if language == "irsa" {
                examples += 1;
                let run = irsa(
                    &["check", "--message-format", "json"],
                    &root(),
                    Some(block.text.as_bytes()),
                );
                let found = codes(&run.stderr);
                match (
                    attribute(&block.info, "error"),
                    attribute(&block.info, "warning"),
                ) {
                    (Some(code), _) => {
                        assert_eq!(run.code, 1, "{at}: should fail");
                        assert!(
                            found.iter().any(|c| c == code),
                            "{at}: expected {code}, got {found:?}"
                        );
                    }
                    (None, Some(code)) => {
                        assert_eq!(run.code, 0, "{at}: a warning does not fail");
                        assert!(
                            found.iter().any(|c| c == code),
                            "{at}: expected {code}, got {found:?}"
                        );
                    }
                    (None, None) => {
                        assert_eq!((run.code, found.len()), (0, 0), "{at}: {}", run.stderr);
                    }
                }
                last_irsa = Some(block);
                continue;
            }
            if let Some(command) = attribute(&block.info, "help") {
                outputs += 1;
                let mut args: Vec<&str> = command.split_whitespace().collect();
                args.push("--help");
                let run = irsa(&args, &root(), None);
                assert_eq!(
                    run.stdout, block.text,
                    "{at}: the book's --help differs from the binary's"
                );
                continue;
            }
            if let Some(case) = attribute(&block.info, "verify") {
                outputs += 1;
                let dir = root().join("tests/cases/verify").join(case);
                let header = irsa_test_support::Case::read(&dir.join("file.irsa"));
                let mut args = vec!["verify", "file.irsa"];
                args.extend(header.args.iter().map(String::as_str));
                let run = irsa(&args, &dir, None);
                // The last diagnostic's blank line ends no fenced block.
                assert_eq!(
                    run.stderr.trim_end(),
                    block.text.trim_end(),
                    "{at}: the book shows other output than `irsa verify`"
                );
                continue;
            }
            let checks_output = block.info.contains(",output") || block.info.ends_with(",explain");
            if !checks_output {
                continue;
            }
            outputs += 1;
            let source = last_irsa
                .as_ref()
                .unwrap_or_else(|| panic!("{at}: no ```irsa block above"));
            let mut compile = vec!["compile"];
            if let Some(form) = attribute(&block.info, "iam") {
                compile.extend(["--iam", form]);
            }
            let stream = block.info.split(',').take(2).collect::<Vec<_>>() == ["yaml", "output"];
            let actual = if stream {
                irsa(&compile, &root(), Some(source.text.as_bytes())).stdout
            } else if block.info == "text,explain" {
                irsa(&["explain"], &root(), Some(source.text.as_bytes())).stdout
            } else if let Some(file) = attribute(&block.info, "output") {
                let out = dir.path().join(format!("{}-{}", examples, outputs));
                compile.extend(["-o", out.to_str().unwrap()]);
                let run = irsa(&compile, &root(), Some(source.text.as_bytes()));
                assert_eq!(run.code, 0, "{at}: {}", run.stderr);
                std::fs::read_to_string(out.join(file))
                    .unwrap_or_else(|e| panic!("{at}: {file}: {e}"))
            } else {
                panic!("{at}: unknown output block");
            };
            assert_eq!(
                actual, block.text,
                "{at}: the book shows other output than the compiler's"
            );
        }
    }
    assert!(examples >= 60, "only {examples} examples");
    assert!(outputs >= 15, "only {outputs} outputs");
}

#[test]
fn every_diagnostic_code_has_a_section_in_the_book() {
    let chapter = std::fs::read_to_string(root().join("book/src/diagnostics.md")).unwrap();
    assert!(chapter.contains("{{#include ../../compiler/docs/diagnostics.md}}"));
    let explanations =
        std::fs::read_to_string(root().join("compiler/docs/diagnostics.md")).unwrap();
    for code in irsa::Code::ALL {
        assert!(
            explanations.contains(&format!("\n## {}: {}\n", code.as_str(), code.title())),
            "{code:?}"
        );
    }
}

#[test]
fn every_chapter_is_in_the_summary() {
    let summary = std::fs::read_to_string(root().join("book/src/SUMMARY.md")).unwrap();
    for path in markdown_files() {
        let Ok(relative) = path.strip_prefix(root().join("book/src")) else {
            continue;
        };
        let relative = relative.display().to_string();
        if relative != "SUMMARY.md" {
            assert!(
                summary.contains(&format!("({relative})")),
                "{relative} is not in SUMMARY.md"
            );
        }
    }
}

/// The language reference's tables list exactly the words of the library's
/// one table (`irsa::language`): a statement or setting added to the
/// language and not to the book, or the reverse, fails here.
#[test]
fn the_language_reference_lists_exactly_the_words_of_the_language() {
    use std::collections::BTreeSet;
    let text = std::fs::read_to_string(root().join("book/src/language.md")).unwrap();
    // The first word of each table row that starts with code: `| `word …`.
    let listed: BTreeSet<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split([' ', '`']).next())
        .collect();
    let mut words: BTreeSet<&str> = irsa::language::STATEMENTS.into_iter().collect();
    words.extend(irsa::language::SettingKind::names());
    assert_eq!(listed, words);
}

//! The analysis, table-driven. A case's source marks the cursor with `$0`.
//! Each case runs twice: as written, and after a line of non-ASCII text
//! (where UTF-16, UTF-8 and character offsets all differ), reaching the
//! cursor through a JavaScript-style UTF-16 offset.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use super::position::{offset_from_utf16, utf16_from_offset};
use super::*;
use crate::diagnostics::Diagnostic;

const FILE: &str = "\
account 123456789012
namespace spinnaker
oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE0123456789ABCDEF0123456789
role spinnaker-managed {
  policy arn:aws:iam::aws:policy/ReadOnlyAccess
}
service * -> role spinnaker-managed
service echo -> role arn:aws:iam::123456789012:role/echo as echo-sa {
  identity irsa
}
service igor as echo-sa
service deck -> role spinnaker-managed
";

/// A line of text before the cursor's line that makes every kind of offset
/// differ: `é` (2 bytes, 1 unit), `😀` (4 bytes, 2 units).
const NON_ASCII: &str = "# réglage 😀 — ünïcödé\n";

/// The source without its `$0`, and the cursor's byte offset.
fn cursor(marked: &str) -> (String, usize) {
    let offset = marked.find("$0").expect("a case marks its cursor with $0");
    (marked.replacen("$0", "", 1), offset)
}

/// Runs `check` on the case as written and behind [`NON_ASCII`]; the
/// second variant reaches the cursor from its UTF-16 offset and shifts
/// expected spans.
fn both_ways(marked: &str, mut check: impl FnMut(&str, usize, usize)) {
    let (source, offset) = cursor(marked);
    check(&source, offset, 0);
    let shifted = format!("{NON_ASCII}{source}");
    let utf16 = utf16_from_offset(&shifted, NON_ASCII.len() + offset);
    assert_ne!(utf16, NON_ASCII.len() + offset, "the offsets differ");
    let back = offset_from_utf16(&shifted, utf16);
    assert_eq!(back, NON_ASCII.len() + offset);
    check(&shifted, back, NON_ASCII.len());
}

/// `FILE` with the cursor put before the `nth` (0-based) occurrence of
/// `needle`, `within` bytes into it.
fn in_file(needle: &str, nth: usize, within: usize) -> String {
    let (at, _) = FILE
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} #{nth} in FILE"));
    format!("{}$0{}", &FILE[..at + within], &FILE[at + within..])
}

#[test]
fn the_file_is_valid() {
    let analysis = crate::analyze(FILE);
    assert_eq!(analysis.diagnostics, Vec::<Diagnostic>::new());
}

#[test]
fn positions_convert_both_ways_in_both_encodings() {
    // (source, byte offset, UTF-8 position, UTF-16 position)
    type Case = (&'static str, usize, (u32, u32), (u32, u32));
    let cases: &[Case] = &[
        ("abc", 0, (0, 0), (0, 0)),
        ("abc", 3, (0, 3), (0, 3)),
        ("é😀x", 2, (0, 2), (0, 1)),
        ("é😀x", 6, (0, 6), (0, 3)),
        ("é😀x", 7, (0, 7), (0, 4)),
        ("a\nb", 2, (1, 0), (1, 0)),
        ("a\r\nb", 1, (0, 1), (0, 1)),
        ("a\r\nb", 3, (1, 0), (1, 0)),
        ("a\rb", 2, (1, 0), (1, 0)),
        ("x\n😀 é\n", 7, (1, 5), (1, 3)),
        ("x\n😀 é\n", 9, (1, 7), (1, 4)),
        ("x\n😀 é\n", 10, (2, 0), (2, 0)),
        ("", 0, (0, 0), (0, 0)),
    ];
    for &(source, offset, utf8, utf16) in cases {
        let map = LineMap::new(source);
        let at8 = Position::new(utf8.0, utf8.1);
        let at16 = Position::new(utf16.0, utf16.1);
        assert_eq!(
            map.position(offset, Encoding::Utf8),
            at8,
            "{source:?} {offset}"
        );
        assert_eq!(
            map.position(offset, Encoding::Utf16),
            at16,
            "{source:?} {offset}"
        );
        assert_eq!(
            map.offset(at8, Encoding::Utf8),
            offset,
            "{source:?} {at8:?}"
        );
        assert_eq!(
            map.offset(at16, Encoding::Utf16),
            offset,
            "{source:?} {at16:?}"
        );
    }
}

#[test]
fn out_of_range_positions_are_clamped() {
    let source = "ab😀\r\ncd\n";
    let map = LineMap::new(source);
    // (position, encoding, byte offset)
    let cases = [
        ((0, 99), Encoding::Utf16, 6), // past the line's end: its end, before \r\n
        ((0, 3), Encoding::Utf16, 2),  // inside the surrogate pair: before 😀
        ((0, 4), Encoding::Utf8, 2),   // inside the UTF-8 sequence: before 😀
        ((1, 2), Encoding::Utf8, 10),  // end of the second line
        ((2, 0), Encoding::Utf8, 11),  // the empty last line
        ((7, 0), Encoding::Utf16, 11), // past the last line: the end
    ];
    for ((line, character), encoding, offset) in cases {
        let at = Position::new(line, character);
        assert_eq!(map.offset(at, encoding), offset, "{at:?} {encoding:?}");
    }
    // An offset inside a character or past the end is clamped too.
    assert_eq!(map.position(4, Encoding::Utf16), Position::new(0, 2));
    assert_eq!(map.position(99, Encoding::Utf8), Position::new(2, 0));
    assert_eq!(map.line_count(), 3);
}

#[test]
fn every_offset_round_trips_in_both_encodings() {
    let sources = [FILE, NON_ASCII, "é\r\n😀\rx\n\n", "a😀b\u{10ffff}"];
    let mut checked = 0;
    for source in sources {
        let map = LineMap::new(source);
        for (offset, _) in source.char_indices().chain([(source.len(), ' ')]) {
            // `\n` of a `\r\n` is not a position of its own.
            if source[..offset].ends_with('\r') && source[offset..].starts_with('\n') {
                continue;
            }
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let position = map.position(offset, encoding);
                assert_eq!(
                    map.offset(position, encoding),
                    offset,
                    "{source:?} {offset}"
                );
                checked += 1;
            }
            assert_eq!(
                offset_from_utf16(source, utf16_from_offset(source, offset)),
                offset
            );
        }
    }
    assert!(checked > 500, "{checked}");
}

#[test]
fn hover() {
    // (marked source, what the Markdown says, the hovered text)
    let cases: Vec<(String, &[&str], &str)> = vec![
        (in_file("namespace", 0, 3), &["namespace NAME", "The namespace of the SpinnakerService"], "namespace"),
        (in_file("account", 0, 7), &["account ID", "12 digits"], "account"),
        (in_file("policy", 0, 1), &["policy ARN", "(setting)"], "policy"),
        (in_file("identity", 0, 0), &["identity irsa|pod-identity|both"], "identity"),
        (in_file("service", 0, 2), &["service TARGETS", "(statement)"], "service"),
        (in_file("role spinnaker-managed {", 0, 1), &["role ROLE [{ … }]", "(statement)"], "role"),
        (in_file("-> role", 0, 4), &["-> role ROLE", "(binding)"], "role"),
        (in_file(" as ", 0, 2), &["as SA", "(binding)"], "as"),
        (
            in_file("echo ->", 0, 2),
            &[
                "**echo**: a Spinnaker service",
                "ServiceAccount: `echo-sa`",
                "identity: `irsa`",
                "role: `arn:aws:iam::123456789012:role/echo`",
                "`*` would reach it through the operator; this binding takes its place",
            ],
            "echo",
        ),
        (
            in_file("igor", 0, 4),
            &["ServiceAccount: `echo-sa`", "role: `arn:aws:iam::123456789012:role/echo`"],
            "igor",
        ),
        (
            in_file("deck", 0, 0),
            &["ServiceAccount: `spin-sa-deck`", "`*` never reaches it"],
            "deck",
        ),
        (
            in_file("* ->", 0, 0),
            &[
                "global key `spinnaker`",
                "ServiceAccount: `spin-sa`",
                "`*` reaches: gate, orca, clouddriver, front50, rosco, fiat, kayenta.",
            ],
            "*",
        ),
        (
            in_file("spinnaker-managed", 1, 5),
            &[
                "**Role** `arn:aws:iam::123456789012:role/spinnaker-managed`",
                "Managed by irsa",
                "IRSA: `system:serviceaccount:spinnaker:spin-sa`",
                "IRSA: `system:serviceaccount:spinnaker:spin-sa-deck`",
            ],
            "spinnaker-managed",
        ),
        (
            in_file("spinnaker-managed", 0, 0),
            &["**Role** `arn:aws:iam::123456789012:role/spinnaker-managed`", "Managed by irsa"],
            "spinnaker-managed",
        ),
        (
            in_file("arn:aws:iam::123456789012:role/echo", 0, 10),
            &["IRSA: `system:serviceaccount:spinnaker:echo-sa`"],
            "arn:aws:iam::123456789012:role/echo",
        ),
        (
            in_file("echo-sa", 1, 3),
            &["**ServiceAccount** `echo-sa`", "services: echo, igor", "identity: `irsa`"],
            "echo-sa",
        ),
        // A broken line still explains its keyword.
        ("namesp$0ace\n".to_owned(), &["namespace NAME"], "namespace"),
        (
            "service ehco$0 -> role arn:aws:iam::123456789012:role/x\n".to_owned(),
            &["**ehco**: not a service irsa knows."],
            "ehco",
        ),
        (
            "service x -> role arn:aws:iam::123456789012:role/x\ndefaults {\n  label \"k\" \"v\"\n  audi$0ence \"a\"\n}\n"
                .to_owned(),
            &["audience STRING"],
            "audience",
        ),
        (
            "account 123456789012\nservice * -> role spin$0naker\n".to_owned(),
            &["`arn:aws:iam::123456789012:role/spinnaker`", "irsa writes no trust policy"],
            "spinnaker",
        ),
    ];
    let mut checked = 0;
    for (marked, expected, hovered) in &cases {
        both_ways(marked, |source, offset, shift| {
            let hover =
                super::hover(source, offset).unwrap_or_else(|| panic!("no hover in {marked:?}"));
            for text in *expected {
                assert!(
                    hover.markdown.contains(text),
                    "{marked:?}: {text:?} in\n{}",
                    hover.markdown
                );
            }
            assert_eq!(&source[hover.span.clone()], *hovered, "{marked:?}");
            assert!(hover.span.start >= shift);
            checked += 1;
        });
    }
    assert_eq!(checked, 2 * cases.len());
}

#[test]
fn no_hover_where_there_is_nothing_to_say() {
    let cases = [
        in_file("123456789012", 0, 3),   // a value
        in_file("ReadOnlyAccess", 0, 2), // a policy ARN
        "# a comm$0ent\nservice * -> role arn:aws:iam::1:role/x\n".to_owned(),
        "\n$0\n".to_owned(),
        "service * -> role arn:aws:iam::123456789012:role/x\n\0$0".to_owned(),
    ];
    for marked in &cases {
        both_ways(marked, |source, offset, _| {
            assert_eq!(super::hover(source, offset), None, "{marked:?}");
        });
    }
}

fn labels(completion: &Completion) -> Vec<&str> {
    completion.items.iter().map(|i| i.label.as_str()).collect()
}

#[test]
fn completion() {
    let services_and_star: Vec<&str> = std::iter::once("*")
        .chain(crate::services::KNOWN_SERVICES)
        .collect();
    // (marked source, the labels offered, the text the items replace)
    let cases: Vec<(String, Vec<&str>, &str)> = vec![
        ("$0".to_owned(), crate::language::STATEMENTS.to_vec(), ""),
        (
            "serv$0".to_owned(),
            crate::language::STATEMENTS.to_vec(),
            "serv",
        ),
        (
            "namespace x\n  $0\n".to_owned(),
            crate::language::STATEMENTS.to_vec(),
            "",
        ),
        ("operator $0".to_owned(), vec!["armory", "oss"], ""),
        ("operator o$0".to_owned(), vec!["armory", "oss"], "o"),
        (
            "partition aws-$0".to_owned(),
            crate::language::PARTITIONS.to_vec(),
            "aws-",
        ),
        ("service $0".to_owned(), services_and_star.clone(), ""),
        ("service ec$0".to_owned(), services_and_star, "ec"),
        (
            "service echo, $0".to_owned(),
            crate::services::KNOWN_SERVICES.to_vec(),
            "",
        ),
        ("service echo $0".to_owned(), vec!["-> role", "as"], ""),
        ("service echo -$0".to_owned(), vec!["-> role", "as"], "-"),
        ("service echo -> $0".to_owned(), vec!["role"], ""),
        ("service echo ->$0".to_owned(), vec!["role"], ""),
        (
            format!("{FILE}service gate -> role $0"),
            vec!["spinnaker-managed"],
            "",
        ),
        (
            format!("{FILE}service gate -> role spinnaker-managed $0"),
            vec!["as"],
            "",
        ),
        (
            format!("{FILE}service gate as e$0"),
            vec!["spin-sa", "echo-sa", "spin-sa-deck"],
            "e",
        ),
        (
            "account 1\nservice * -> role a\nservice echo -> role b\nrole b\nrole $0".to_owned(),
            vec!["a"],
            "",
        ),
        // Inside a block: its settings, then their fixed values.
        (
            "defaults {\n  $0\n}\n".to_owned(),
            crate::language::BlockKind::ServiceAccount.settings(),
            "",
        ),
        (
            "role r {\n  ma$0\n}\n".to_owned(),
            crate::language::BlockKind::Role.settings(),
            "ma",
        ),
        (
            "defaults {\n  identity $0\n}\n".to_owned(),
            vec!["irsa", "pod-identity", "both"],
            "",
        ),
        (
            "service * -> role arn:aws:iam::123456789012:role/x {\n  identity p$0".to_owned(),
            vec!["irsa", "pod-identity", "both"],
            "p",
        ),
        (
            "defaults {\n  sts-regional-endpoints $0\n}\n".to_owned(),
            vec!["true", "false"],
            "",
        ),
        // A broken line that opens a block opens it here too.
        (
            "service ehco -> role {\n  $0\n}\n".to_owned(),
            crate::language::BlockKind::ServiceAccount.settings(),
            "",
        ),
        // After a closed block: statements again.
        (
            "defaults {\n}\n$0".to_owned(),
            crate::language::STATEMENTS.to_vec(),
            "",
        ),
        // Nothing in comments, strings, or where anything goes.
        ("# serv$0".to_owned(), vec![], "serv"),
        ("defaults {\n  audience \"sts$0".to_owned(), vec![], "sts"),
        ("namespace $0".to_owned(), vec![], ""),
        ("role r {\n  identity $0\n}\n".to_owned(), vec![], ""),
    ];
    let mut checked = 0;
    for (marked, expected, replaced) in &cases {
        both_ways(marked, |source, offset, _| {
            let completion = complete(source, offset);
            assert_eq!(labels(&completion), *expected, "{marked:?}");
            assert_eq!(&source[completion.span.clone()], *replaced, "{marked:?}");
            assert_eq!(completion.span.end, offset);
            checked += 1;
        });
    }
    assert_eq!(checked, 2 * cases.len());
}

#[test]
fn completion_items_say_what_they_are() {
    let statements = complete("", 0);
    let service = statements
        .items
        .iter()
        .find(|i| i.label == "service")
        .unwrap();
    assert_eq!(service.kind, CompletionKind::Keyword);
    assert_eq!(
        service.detail.as_deref(),
        Some("service TARGETS [-> role ROLE] [as SA] [{ … }]")
    );
    assert!(
        service
            .documentation
            .as_deref()
            .unwrap()
            .contains("Binds services")
    );
    let services = complete("service ", 8);
    let detail = |label: &str| {
        services
            .items
            .iter()
            .find(|i| i.label == label)
            .and_then(|i| i.detail.clone())
            .unwrap()
    };
    assert_eq!(detail("gate"), "reached by `*`");
    assert_eq!(detail("deck"), "not reached by `*`: needs its own binding");
    assert!(
        services
            .items
            .iter()
            .all(|i| i.kind == CompletionKind::Service)
    );
    // Services bound on other lines are not offered again.
    let source = "service echo -> role arn:aws:iam::1:role/x\nservice ";
    let offered = complete(source, source.len());
    assert!(!labels(&offered).contains(&"echo"));
    assert!(labels(&offered).contains(&"igor"));
}

#[test]
fn definition() {
    // (marked source, the text of what defines it, or None)
    let cases: Vec<(String, Option<&str>)> = vec![
        // `as echo-sa` on igor's line → the `as echo-sa` of echo's binding.
        (in_file("echo-sa", 1, 2), Some("echo-sa")),
        // A short role name → its `role` statement.
        (in_file("spinnaker-managed", 1, 0), Some("spinnaker-managed")),
        (in_file("spinnaker-managed", 2, 17), Some("spinnaker-managed")),
        // A role no `role` statement declares: nowhere to go.
        (in_file("arn:aws:iam::123456789012:role/echo", 0, 3), None),
        // A ServiceAccount generated from a derived name.
        (
            "service echo -> role arn:aws:iam::123456789012:role/x\nservice igor as spin-sa-e$0cho\n"
                .to_owned(),
            Some("echo"),
        ),
        // A full ARN of a role declared by its short name.
        (
            "account 123456789012\nnamespace n\noidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE0123456789ABCDEF0123456789\nrole r\nservice * -> role arn:aws:iam::123456789012:role/$0r\n"
                .to_owned(),
            Some("r"),
        ),
        // A ServiceAccount managed elsewhere: not defined here.
        ("service * as else$0where\n".to_owned(), None),
        (in_file("namespace", 0, 1), None),
    ];
    let mut checked = 0;
    for (marked, expected) in &cases {
        both_ways(marked, |source, offset, shift| {
            let target = super::definition(source, offset);
            let text = target.clone().map(|span| &source[span]);
            assert_eq!(text, *expected, "{marked:?}");
            if let Some(span) = target {
                assert!(span.start >= shift);
                // It points at the defining line, not the cursor's.
                if marked.contains("spin-sa-e$0cho") {
                    assert!(span.end < offset);
                }
            }
            checked += 1;
        });
    }
    assert_eq!(checked, 2 * cases.len());
}

#[test]
fn the_role_definition_is_in_the_role_statement() {
    let (source, offset) = cursor(&in_file("spinnaker-managed", 1, 0));
    let span = super::definition(&source, offset).unwrap();
    let declared = source.find("role spinnaker-managed {").unwrap() + "role ".len();
    assert_eq!(span.start, declared);
}

#[test]
fn symbols_outline_the_file() {
    let outline = super::symbols(FILE);
    let names: Vec<(&str, Option<&str>, SymbolKind, usize)> = outline
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.detail.as_deref(),
                s.kind,
                s.children.len(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("account", Some("123456789012"), SymbolKind::Statement, 0),
            ("namespace", Some("spinnaker"), SymbolKind::Statement, 0),
            (
                "oidc",
                Some("oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE0123456789ABCDEF0123456789"),
                SymbolKind::Statement,
                0
            ),
            ("role spinnaker-managed", None, SymbolKind::Role, 1),
            (
                "service *",
                Some("-> role spinnaker-managed"),
                SymbolKind::Binding,
                0
            ),
            (
                "service echo",
                Some("-> role arn:aws:iam::123456789012:role/echo as echo-sa"),
                SymbolKind::Binding,
                1
            ),
            ("service igor", Some("as echo-sa"), SymbolKind::Binding, 0),
            (
                "service deck",
                Some("-> role spinnaker-managed"),
                SymbolKind::Binding,
                0
            ),
        ]
    );
    // A block's symbol spans its lines, `}` included; its selection is the name.
    let role = &outline[3];
    assert_eq!(
        &FILE[role.span.clone()],
        "role spinnaker-managed {\n  policy arn:aws:iam::aws:policy/ReadOnlyAccess\n}"
    );
    assert_eq!(&FILE[role.selection.clone()], "spinnaker-managed");
    let policy = &role.children[0];
    assert_eq!(policy.name, "policy");
    assert_eq!(
        policy.detail.as_deref(),
        Some("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    assert_eq!(&FILE[policy.selection.clone()], "policy");
    for symbol in &outline {
        assert!(
            symbol.span.start <= symbol.selection.start && symbol.selection.end <= symbol.span.end
        );
    }
}

#[test]
fn every_fix_is_an_edit_of_the_primary_span() {
    // (source, the code, the fix's title, the source after the edit)
    let cases = [
        (
            "service ehco -> role arn:aws:iam::123456789012:role/x\n",
            Code::UnknownService,
            "Replace `ehco` with `echo`",
            "service echo -> role arn:aws:iam::123456789012:role/x\n",
        ),
        (
            "servce * -> role arn:aws:iam::123456789012:role/x\n",
            Code::UnknownStatement,
            "Replace `servce` with `service`",
            "service * -> role arn:aws:iam::123456789012:role/x\n",
        ),
        (
            "service * -> role arn:aws:iam::123456789012:role/x {\n  identiy irsa\n}\n",
            Code::UnknownSetting,
            "Replace `identiy` with `identity`",
            "service * -> role arn:aws:iam::123456789012:role/x {\n  identity irsa\n}\n",
        ),
        (
            "namespace Spinnaker\nservice * -> role arn:aws:iam::123456789012:role/x\n",
            Code::InvalidNamespace,
            "Replace `Spinnaker` with `spinnaker`",
            "namespace spinnaker\nservice * -> role arn:aws:iam::123456789012:role/x\n",
        ),
        // Non-ASCII look-alikes: replaced by what they look like, or deleted.
        (
            "service echo \u{2192} role arn:aws:iam::123456789012:role/x\n",
            Code::NonAsciiCharacter,
            "Replace `\u{2192}` with `->`",
            "service echo -> role arn:aws:iam::123456789012:role/x\n",
        ),
        (
            "service ec\u{200b}ho -> role arn:aws:iam::123456789012:role/x\n",
            Code::NonAsciiCharacter,
            "Delete U+200B",
            "service echo -> role arn:aws:iam::123456789012:role/x\n",
        ),
        (
            "namespace spinn\u{430}ker\nservice * -> role arn:aws:iam::123456789012:role/x\n",
            Code::NonAsciiCharacter,
            "Replace `\u{430}` with `a`",
            "namespace spinnaker\nservice * -> role arn:aws:iam::123456789012:role/x\n",
        ),
    ];
    for (source, code, title, fixed) in cases {
        let diagnostics = crate::analyze(source).diagnostics;
        let diagnostic = diagnostics
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("{code:?} in {source:?}: {diagnostics:?}"));
        let fix = quick_fix(source, diagnostic).unwrap_or_else(|| panic!("a fix for {source:?}"));
        assert_eq!(fix.title, title);
        let mut edited = source.to_owned();
        edited.replace_range(fix.edit.span.clone(), &fix.edit.new_text);
        assert_eq!(edited, fixed);
        // The fixed source no longer has that problem.
        let after = crate::analyze(&edited).diagnostics;
        assert!(
            after.iter().all(|d| d.code != code),
            "{edited:?}: {after:?}"
        );
    }
    let no_fix = crate::analyze("zzz\n").diagnostics;
    assert!(no_fix.iter().all(|d| quick_fix("zzz\n", d).is_none()));
}

#[test]
fn anchors_are_mdbook_heading_ids() {
    let cases = [
        (Code::InvalidUtf8, "e001-the-input-is-not-valid-utf-8"),
        (Code::UnmatchedBrace, "e017--without-an-open-block"),
        (
            Code::TokenExpirationTooShort,
            "e072-token-expiration-below-600-seconds",
        ),
        (Code::ArmoryWithOss, "e063-armory-with-operator-oss"),
        (
            Code::TrustPolicyTooLarge,
            "w001-a-trust-policy-is-over-iams-default-2048-character-quota",
        ),
    ];
    for (code, anchor) in cases {
        assert_eq!(explanation_anchor(code), anchor);
    }
}

/// Pieces of text that arbitrary sources are made of: the language's words,
/// the punctuation the parser cares about, line ends and non-ASCII text.
const PIECES: [&str; 30] = [
    "service ",
    "role ",
    "as ",
    "-> ",
    "*",
    "echo",
    "ehco",
    ", ",
    "{",
    "}",
    "\n",
    "\r\n",
    " ",
    "identity ",
    "pod-identity",
    "defaults ",
    "account 123456789012",
    "namespace n",
    "oidc oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE0123456789ABCDEF0123456789",
    "arn:aws:iam::123456789012:role/x",
    "r",
    "\"é😀\"",
    "# 😀",
    "é",
    "😀",
    "\u{2192}",
    "spin\u{430}",
    "policy arn:aws:iam::aws:policy/P",
    "label \"k\" ",
    "\"",
];

/// A span of `source` that starts and ends on character boundaries.
fn valid_span(source: &str, span: &Range<usize>) -> bool {
    span.start <= span.end && source.get(span.clone()).is_some()
}

#[test]
fn no_offset_of_any_text_makes_the_analysis_panic_or_point_outside() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let strategy = prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..24)
        .prop_map(|pieces| pieces.concat());
    let mut runner = TestRunner::new(Config {
        cases: 300,
        failure_persistence: None,
        ..Config::default()
    });
    let offsets = std::cell::Cell::new(0_usize);
    runner
        .run(&strategy, |source| {
            for offset in 0..=source.len() + 1 {
                offsets.set(offsets.get() + 1);
                if let Some(hover) = super::hover(&source, offset) {
                    prop_assert!(valid_span(&source, &hover.span), "{source:?} {offset}");
                    prop_assert!(!hover.markdown.is_empty());
                }
                let completion = complete(&source, offset);
                prop_assert!(valid_span(&source, &completion.span), "{source:?} {offset}");
                prop_assert!(completion.span.end <= offset);
                if let Some(span) = super::definition(&source, offset) {
                    prop_assert!(valid_span(&source, &span), "{source:?} {offset}");
                }
            }
            for symbol in super::symbols(&source) {
                prop_assert!(valid_span(&source, &symbol.span));
                prop_assert!(valid_span(&source, &symbol.selection));
            }
            for diagnostic in crate::analyze(&source).diagnostics {
                if let Some(fix) = quick_fix(&source, &diagnostic) {
                    prop_assert!(valid_span(&source, &fix.edit.span));
                }
            }
            Ok(())
        })
        .unwrap();
    assert!(offsets.get() > 10_000, "{} offsets", offsets.get());
}

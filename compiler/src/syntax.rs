//! The syntax stage: source text → a flat list of lines with spans.
//!
//! The language is line-oriented and blocks never nest, so the tree is a
//! list of lines, not a recursive structure: nothing here recurses on the
//! input, and a line of 200,000 `{` is one error. Each line is parsed on its
//! own with nom; a line that fails gives one diagnostic and parsing goes on
//! at the next line, so every error of a file is reported in one run.

use std::ops::Range;

use nom::{
    Err as NomErr, IResult, Input, Parser,
    branch::alt,
    bytes::complete::{tag, take_while},
    character::complete::char,
    combinator::{eof, opt, peek},
    error::{ErrorKind, ParseError},
};
use nom_locate::LocatedSpan;

use crate::diagnostics::{Code, Diagnostic};
use crate::language::STATEMENTS;
pub use crate::language::{BlockKind, Keyword, SettingKind};

type Span<'a> = LocatedSpan<&'a str>;
type PResult<'a, T> = IResult<Span<'a>, T, LineError>;

/// A word or a quoted string, with its byte span in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text, with escapes of a quoted string resolved.
    pub text: String,
    pub span: Range<usize>,
    /// Written in double quotes.
    pub quoted: bool,
}

/// One target of a binding: `*` or a service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    All(Range<usize>),
    Service(Word),
}

/// How a line that can open a block ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockOpen {
    None,
    /// `{` at the end of the line: settings follow until `}`.
    Open(Range<usize>),
    /// `{}` on the line itself.
    Empty(Range<usize>),
}

impl BlockOpen {
    pub fn span(&self) -> Option<Range<usize>> {
        match self {
            BlockOpen::None => None,
            BlockOpen::Open(span) | BlockOpen::Empty(span) => Some(span.clone()),
        }
    }
}

/// `service TARGETS [-> role ROLE] [as SA] [{ … }]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keyword: Range<usize>,
    pub targets: Vec<Target>,
    pub role: Option<Word>,
    pub service_account: Option<Word>,
    pub block: BlockOpen,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `KEYWORD VALUE`.
    Simple {
        keyword: Keyword,
        keyword_span: Range<usize>,
        value: Word,
    },
    /// `defaults {` or `defaults {}`.
    Defaults {
        keyword_span: Range<usize>,
        block: BlockOpen,
    },
    Service(Binding),
    /// `role ROLE [{ … }]`: a role managed as code.
    Role {
        keyword_span: Range<usize>,
        role: Word,
        block: BlockOpen,
    },
}

impl Statement {
    /// The block the statement opens, and its kind.
    pub fn block(&self) -> Option<(&BlockOpen, BlockKind)> {
        match self {
            Statement::Simple { .. } => None,
            Statement::Defaults { block, .. } | Statement::Service(Binding { block, .. }) => {
                Some((block, BlockKind::ServiceAccount))
            }
            Statement::Role { block, .. } => Some((block, BlockKind::Role)),
        }
    }
}

/// A setting line inside a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Index in [`SyntaxTree::lines`] of the statement whose block holds
    /// this setting; `None` when that line did not parse.
    pub owner: Option<usize>,
    pub kind: SettingKind,
    pub name_span: Range<usize>,
    pub values: Vec<Word>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Nothing but white space, and perhaps a comment.
    Blank,
    Statement(Statement),
    Setting(Setting),
    /// `}` closing a block.
    Close(Range<usize>),
    /// A line with a syntax error (already reported).
    Invalid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line without its line end.
    pub span: Range<usize>,
    pub kind: LineKind,
    /// The comment's text after `#`, if any.
    pub comment: Option<String>,
}

/// The parsed file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyntaxTree {
    pub lines: Vec<Line>,
    /// Statements whose lines had syntax errors: later stages stay quiet
    /// about what those lines would have said (a missing `account`, say).
    pub invalid_statements: Vec<&'static str>,
}

/// The largest input accepted, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Parses a source text. Never panics; returns the tree of every line that
/// parsed and a diagnostic for every line that did not.
pub fn parse(source: &str) -> (SyntaxTree, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    if source.len() > MAX_INPUT_BYTES {
        diagnostics.push(
            Diagnostic::new(
                Code::InputTooLarge,
                0..0,
                format!(
                    "the input is {} bytes; irsa reads at most {MAX_INPUT_BYTES} (64 MiB)",
                    source.len()
                ),
            )
            .with_help("an .irsa file describes one installation; split it, or check that this is the right file"),
        );
        return (SyntaxTree::default(), diagnostics);
    }
    if let Some(diagnostic) = find_control_character(source) {
        diagnostics.push(diagnostic);
        return (SyntaxTree::default(), diagnostics);
    }

    let mut tree = SyntaxTree::default();
    // One `Line` per line: sized once rather than grown by doubling.
    tree.lines
        .reserve(source.bytes().filter(|&byte| byte == b'\n').count() + 1);
    // The `{` of the open block, the line that opened it, and its kind.
    let mut open_block: Option<(Range<usize>, Option<usize>, BlockKind)> = None;
    let mut rest = Span::new(source);
    // A leading byte order mark is not part of the text.
    if rest.fragment().starts_with('\u{feff}') {
        rest = rest.take_from('\u{feff}'.len_utf8());
    }
    loop {
        let (next, line) = match rest.fragment().find('\n') {
            Some(index) => {
                let (after, line) = rest.take_split(index);
                (Some(after.take_from(1)), line)
            }
            None => (None, rest),
        };
        let line = match line.fragment().strip_suffix('\r') {
            Some(stripped) => line.take(stripped.len()),
            None => line,
        };
        let start = line.location_offset();
        let span = start..start + line.fragment().len();
        let index = tree.lines.len();
        let owner = open_block.as_ref().and_then(|(_, owner, _)| *owner);
        let in_block = open_block.as_ref().map(|(_, _, kind)| *kind);
        let parsed = parse_line(line, in_block, owner);
        let (kind, comment) = match parsed {
            Ok(parsed) => parsed,
            Err(broken) => {
                diagnostics.push(*broken.diagnostic);
                if let Some(keyword) = broken.statement {
                    tree.invalid_statements.push(keyword);
                }
                // A broken line that opens a block still opens it, so its
                // settings are not reported as unknown statements.
                if let Some(kind) = line_opens_block(line.fragment()) {
                    open_block = Some((span.clone(), None, kind));
                }
                (LineKind::Invalid, None)
            }
        };
        match &kind {
            LineKind::Statement(statement) => {
                // A block guessed open after a broken line is not reported:
                // that line already has its error.
                if let Some((open, Some(_), _)) = open_block.take() {
                    diagnostics.push(unterminated_block(open, Some(span.clone())));
                }
                if let Some((BlockOpen::Open(brace), kind)) = statement.block() {
                    open_block = Some((brace.clone(), Some(index), kind));
                }
            }
            LineKind::Close(brace) => {
                if open_block.take().is_none() {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::UnmatchedBrace,
                            brace.clone(),
                            "`}` without an open block",
                        )
                        .with_span_label("no block is open here")
                        .with_help(
                            "a block opens with `{` at the end of a `service` or `defaults` line",
                        ),
                    );
                }
            }
            LineKind::Blank | LineKind::Setting(_) | LineKind::Invalid => {}
        }
        tree.lines.push(Line {
            span,
            kind,
            comment,
        });
        match next {
            Some(next) => rest = next,
            None => break,
        }
    }
    if let Some((open, Some(_), _)) = open_block {
        diagnostics.push(unterminated_block(open, None));
    }
    (tree, diagnostics)
}

fn unterminated_block(open: Range<usize>, statement: Option<Range<usize>>) -> Diagnostic {
    let diagnostic = Diagnostic::new(Code::UnterminatedBlock, open, "this block is never closed")
        .with_span_label("block opened here")
        .with_help("close the block with `}` alone on a line");
    match statement {
        Some(span) => diagnostic.with_label(span, "expected `}` before this statement"),
        None => diagnostic,
    }
}

/// A guess, for recovery only: does this broken line end with `{`, and
/// what kind of block would it open?
pub(crate) fn line_opens_block(line: &str) -> Option<BlockKind> {
    let code = line.split('#').next().unwrap_or_default().trim_end();
    let opens = code.ends_with('{') && !code.ends_with("{}");
    let role = code.trim_start().starts_with("role ");
    opens.then_some(if role {
        BlockKind::Role
    } else {
        BlockKind::ServiceAccount
    })
}

/// NUL bytes and other control characters mean binary input (or a corrupt
/// file); the first one is reported and the file is not parsed further.
fn find_control_character(source: &str) -> Option<Diagnostic> {
    let mut chars = source.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        let next_is_newline = chars.peek().is_some_and(|&(_, next)| next == '\n');
        let problem = match c {
            '\0' => "a NUL byte: this looks like a binary file, not an .irsa file".to_owned(),
            '\r' if !next_is_newline => {
                "a carriage return without a line feed: lines end with `\\n` or `\\r\\n`".to_owned()
            }
            '\t' | '\n' | '\r' => continue,
            c if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
            _ => continue,
        };
        let span = offset..offset + c.len_utf8();
        return Some(
            Diagnostic::new(
                Code::BinaryInput,
                span,
                format!("the input holds {problem}"),
            )
            .with_span_label("here")
            .with_help("an .irsa file is plain UTF-8 text"),
        );
    }
    None
}

/// Why a line did not parse. Backtracking (an `opt` or `alt` that tries the
/// next alternative) is frequent and must be cheap, so it carries only an
/// offset; the diagnostic is built only for a line that really fails.
#[derive(Debug)]
enum LineError {
    Backtrack {
        offset: usize,
    },
    Fatal {
        diagnostic: Box<Diagnostic>,
        /// The statement of the line, when its keyword was recognised.
        statement: Option<&'static str>,
    },
}

impl LineError {
    fn new(diagnostic: Diagnostic) -> Self {
        LineError::Fatal {
            diagnostic: Box::new(diagnostic),
            statement: None,
        }
    }
}

impl ParseError<Span<'_>> for LineError {
    fn from_error_kind(input: Span<'_>, _: ErrorKind) -> Self {
        LineError::Backtrack {
            offset: input.location_offset(),
        }
    }

    fn append(_: Span<'_>, _: ErrorKind, other: Self) -> Self {
        other
    }
}

fn fail<T>(diagnostic: Diagnostic) -> PResult<'static, T> {
    Err(NomErr::Failure(LineError::new(diagnostic)))
}

fn span_of(input: &Span<'_>, len: usize) -> Range<usize> {
    let start = input.location_offset();
    start..start + len
}

/// Length in bytes of the next token: a word, or one character.
fn next_token_len(text: &str) -> usize {
    let word = text
        .char_indices()
        .find(|&(_, c)| !is_word_char(c, false))
        .map_or(text.len(), |(i, _)| i);
    if word > 0 {
        return word;
    }
    if text.starts_with("->") {
        return 2;
    }
    text.chars().next().map_or(0, char::len_utf8)
}

/// How the next token is named in a message: "`foo`" or "end of line".
fn describe_next(text: &str) -> String {
    let len = next_token_len(text);
    match text.get(..len) {
        Some("") | None => "end of line".to_owned(),
        Some(_) if text.starts_with('#') => "a comment".to_owned(),
        Some(token) => format!("`{}`", shorten(token)),
    }
}

fn shorten(token: &str) -> String {
    const MAX: usize = 40;
    if token.chars().count() <= MAX {
        token.to_owned()
    } else {
        let cut: String = token.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// Wraps a parser so that failing to match is a located "expected …" error
/// (and ends the line's parse: no backtracking past it).
fn expect<'a, T>(
    what: &str,
    mut parser: impl Parser<Span<'a>, Output = T, Error = LineError>,
) -> impl FnMut(Span<'a>) -> PResult<'a, T> {
    move |input: Span<'a>| match parser.parse(input) {
        Ok(ok) => Ok(ok),
        Err(NomErr::Error(_)) => Err(NomErr::Failure(LineError::new(expected_here(what, input)))),
        Err(other) => Err(other),
    }
}

fn expected_here(what: &str, input: Span<'_>) -> Diagnostic {
    let text = input.fragment();
    // A look-alike (`→`, a curly quote) deserves its own explanation.
    let token = text.get(..next_token_len(text)).unwrap_or_default();
    if let Some(diagnostic) = non_ascii_in_word(token, input.location_offset()) {
        return diagnostic;
    }
    if at_line_end(text) {
        let at = input.location_offset();
        Diagnostic::new(
            Code::MissingToken,
            at..at,
            format!("expected {what}, found end of line"),
        )
        .with_span_label(format!("expected {what}"))
    } else {
        Diagnostic::new(
            Code::UnexpectedToken,
            span_of(&input, next_token_len(text)),
            format!("expected {what}, found {}", describe_next(text)),
        )
        .with_span_label(format!("expected {what}"))
    }
}

fn at_line_end(text: &str) -> bool {
    let trimmed = text.trim_start_matches([' ', '\t']);
    trimmed.is_empty() || trimmed.starts_with('#')
}

fn space0(input: Span<'_>) -> PResult<'_, Span<'_>> {
    take_while(|c| c == ' ' || c == '\t').parse(input)
}

fn space1(input: Span<'_>) -> PResult<'_, Span<'_>> {
    nom::bytes::complete::take_while1(|c| c == ' ' || c == '\t').parse(input)
}

/// A character that may stand in a bare word. `,` ends a word only in a
/// service list.
fn is_word_char(c: char, comma_ends: bool) -> bool {
    !(matches!(c, ' ' | '\t' | '#' | '{' | '}' | '\r' | '\n') || (comma_ends && c == ','))
}

/// A bare word: a run of word characters, ending before `->`. Only ASCII is
/// allowed: names, ARNs and keywords are ASCII, and a look-alike character
/// (Cyrillic `е`, a non-breaking space) is a classic source of confusion.
fn bare_word(comma_ends: bool) -> impl FnMut(Span<'_>) -> PResult<'_, Word> {
    move |input: Span<'_>| {
        let text = input.fragment();
        let mut len = text.len();
        for (index, c) in text.char_indices() {
            let arrow = c == '-' && text.get(index..).is_some_and(|rest| rest.starts_with("->"));
            if arrow || !is_word_char(c, comma_ends) {
                len = index;
                break;
            }
        }
        if len == 0 {
            return Err(NomErr::Error(LineError::from_error_kind(
                input,
                ErrorKind::Alpha,
            )));
        }
        let (rest, word) = input.take_split(len);
        let span = span_of(&word, len);
        if let Some(diagnostic) = non_ascii_in_word(word.fragment(), span.start) {
            return fail(diagnostic);
        }
        Ok((
            rest,
            Word {
                text: (*word.fragment()).to_owned(),
                span,
                quoted: false,
            },
        ))
    }
}

fn non_ascii_in_word(word: &str, start: usize) -> Option<Diagnostic> {
    let (index, c) = word.char_indices().find(|(_, c)| !c.is_ascii())?;
    let at = start + index..start + index + c.len_utf8();
    let (name, meant) = look_alike(c);
    let shown = if meant == Some("") || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    };
    let mut diagnostic = Diagnostic::new(
        Code::NonAsciiCharacter,
        at,
        format!("the non-ASCII character {shown}{name} where only ASCII is allowed"),
    )
    .with_span_label("not ASCII");
    let help = match meant {
        Some("") => "it is invisible: delete it".to_owned(),
        Some(ascii) => {
            let fixed: String = word
                .chars()
                .filter_map(|c| match look_alike(c).1 {
                    Some(ascii) => Some(ascii.to_owned()),
                    None if c.is_ascii() => Some(c.to_string()),
                    None => None,
                })
                .collect();
            format!("it looks like `{ascii}`: retype it; did you mean `{fixed}`?")
        }
        None => {
            "names, role ARNs and keywords are ASCII; non-ASCII text belongs in a quoted string"
                .to_owned()
        }
    };
    diagnostic = diagnostic.with_help(help);
    // The quick fix: the character's ASCII look-alike (nothing, for an
    // invisible one) in its place.
    diagnostic.fix = meant.map(str::to_owned);
    Some(diagnostic)
}

/// Characters that look like ASCII (or like nothing), with a name for the
/// message and what they were probably meant to be ("" for invisible ones).
fn look_alike(c: char) -> (&'static str, Option<&'static str>) {
    match c {
        '\u{a0}' => (" NO-BREAK SPACE", Some(" ")),
        '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => (" (a space)", Some(" ")),
        '\u{200b}' => (" ZERO WIDTH SPACE", Some("")),
        '\u{200c}' => (" ZERO WIDTH NON-JOINER", Some("")),
        '\u{200d}' => (" ZERO WIDTH JOINER", Some("")),
        '\u{2060}' => (" WORD JOINER", Some("")),
        '\u{feff}' => (" ZERO WIDTH NO-BREAK SPACE (a byte order mark)", Some("")),
        '\u{ad}' => (" SOFT HYPHEN", Some("")),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => (" (a dash)", Some("-")),
        '\u{2192}' => (" RIGHTWARDS ARROW", Some("->")),
        '\u{201c}' | '\u{201d}' | '\u{201e}' => (" (a curly quote)", Some("\"")),
        '\u{2018}' | '\u{2019}' => (" (a curly quote)", Some("'")),
        'а' => (" CYRILLIC SMALL LETTER A", Some("a")),
        'е' => (" CYRILLIC SMALL LETTER IE", Some("e")),
        'о' => (" CYRILLIC SMALL LETTER O", Some("o")),
        'р' => (" CYRILLIC SMALL LETTER ER", Some("p")),
        'с' => (" CYRILLIC SMALL LETTER ES", Some("c")),
        'у' => (" CYRILLIC SMALL LETTER U", Some("y")),
        'х' => (" CYRILLIC SMALL LETTER HA", Some("x")),
        'і' => (" CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I", Some("i")),
        'ѕ' => (" CYRILLIC SMALL LETTER DZE", Some("s")),
        'ј' => (" CYRILLIC SMALL LETTER JE", Some("j")),
        'ԁ' => (" CYRILLIC SMALL LETTER KOMI DE", Some("d")),
        'ο' => (" GREEK SMALL LETTER OMICRON", Some("o")),
        'ι' => (" GREEK SMALL LETTER IOTA", Some("i")),
        'А' => (" CYRILLIC CAPITAL LETTER A", Some("A")),
        'В' => (" CYRILLIC CAPITAL LETTER VE", Some("B")),
        'Е' => (" CYRILLIC CAPITAL LETTER IE", Some("E")),
        'К' => (" CYRILLIC CAPITAL LETTER KA", Some("K")),
        'М' => (" CYRILLIC CAPITAL LETTER EM", Some("M")),
        'Н' => (" CYRILLIC CAPITAL LETTER EN", Some("H")),
        'О' => (" CYRILLIC CAPITAL LETTER O", Some("O")),
        'Р' => (" CYRILLIC CAPITAL LETTER ER", Some("P")),
        'С' => (" CYRILLIC CAPITAL LETTER ES", Some("C")),
        'Т' => (" CYRILLIC CAPITAL LETTER TE", Some("T")),
        'Х' => (" CYRILLIC CAPITAL LETTER HA", Some("X")),
        _ => ("", None),
    }
}

/// A double-quoted string with the escapes `\"`, `\\`, `\n` and `\t`.
fn quoted_string(input: Span<'_>) -> PResult<'_, Word> {
    let (after_quote, _) = char('"').parse(input)?;
    let start = input.location_offset();
    let mut text = String::new();
    let mut chars = after_quote.fragment().char_indices();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => {
                let end = index + 1;
                let rest = after_quote.take_from(end);
                return Ok((
                    rest,
                    Word {
                        text,
                        span: start..start + 1 + end,
                        quoted: true,
                    },
                ));
            }
            '\\' => {
                let escaped = chars.next();
                match escaped {
                    Some((_, '"')) => text.push('"'),
                    Some((_, '\\')) => text.push('\\'),
                    Some((_, 'n')) => text.push('\n'),
                    Some((_, 't')) => text.push('\t'),
                    Some((_, other)) => {
                        let at = start + 1 + index;
                        return fail(
                            Diagnostic::new(
                                Code::InvalidEscape,
                                at..at + 1 + other.len_utf8(),
                                format!("unknown escape `\\{other}` in a string"),
                            )
                            .with_span_label("unknown escape")
                            .with_help(r#"the escapes are `\"`, `\\`, `\n` and `\t`; write `\\` for a backslash"#),
                        );
                    }
                    None => break,
                }
            }
            c => text.push(c),
        }
    }
    let end = start + input.fragment().len();
    fail(
        Diagnostic::new(Code::UnterminatedString, start..end, "unterminated string")
            .with_span_label("this string has no closing `\"`")
            .with_help("a string ends on the line it starts; write a line break as `\\n`"),
    )
}

/// What ends a line: white space, then a comment or nothing.
fn line_end(input: Span<'_>) -> PResult<'_, Option<String>> {
    let (input, _) = space0(input)?;
    if input.fragment().starts_with('#') {
        let comment = input.fragment().get(1..).unwrap_or_default().to_owned();
        let rest = input.take_from(input.fragment().len());
        return Ok((rest, Some(comment)));
    }
    let (input, _) = eof(input)?;
    Ok((input, None))
}

fn expect_line_end<'a>(what: &str, input: Span<'a>) -> PResult<'a, Option<String>> {
    expect(what, line_end).parse(input)
}

/// A line that did not parse: its one diagnostic, and the statement it was
/// (when its keyword was recognised).
struct BrokenLine {
    diagnostic: Box<Diagnostic>,
    statement: Option<&'static str>,
}

impl BrokenLine {
    fn new(diagnostic: Diagnostic) -> Self {
        BrokenLine {
            diagnostic: Box::new(diagnostic),
            statement: None,
        }
    }
}

/// A parsed line: its kind and its comment.
type ParsedLine = (LineKind, Option<String>);

fn parse_line(
    line: Span<'_>,
    in_block: Option<BlockKind>,
    owner: Option<usize>,
) -> Result<ParsedLine, BrokenLine> {
    match line_content(line, in_block, owner) {
        Ok((_, parsed)) => Ok(parsed),
        Err(NomErr::Error(error) | NomErr::Failure(error)) => match error {
            LineError::Fatal {
                diagnostic,
                statement,
            } => Err(BrokenLine {
                diagnostic,
                statement,
            }),
            // No parser said what it expected: name what is there.
            LineError::Backtrack { offset } => {
                let within = offset
                    .saturating_sub(line.location_offset())
                    .min(line.fragment().len());
                let rest = line.take_from(within);
                Err(BrokenLine::new(
                    Diagnostic::new(
                        Code::UnexpectedToken,
                        span_of(&rest, next_token_len(rest.fragment())),
                        format!("unexpected {}", describe_next(rest.fragment())),
                    )
                    .with_span_label("unexpected here"),
                ))
            }
        },
        // Only streaming parsers ask for more input; these are complete.
        Err(NomErr::Incomplete(_)) => Err(BrokenLine::new(Diagnostic::new(
            Code::UnexpectedToken,
            span_of(&line, 0),
            "unexpected end of input",
        ))),
    }
}

fn line_content(
    line: Span<'_>,
    in_block: Option<BlockKind>,
    owner: Option<usize>,
) -> PResult<'_, (LineKind, Option<String>)> {
    let (input, _) = space0(line)?;
    if let Ok((rest, comment)) = line_end(input) {
        return Ok((rest, (LineKind::Blank, comment)));
    }
    if input.fragment().starts_with('}') {
        let brace = span_of(&input, 1);
        let (input, comment) = expect_line_end("end of line after `}`", input.take_from(1))?;
        return Ok((input, (LineKind::Close(brace), comment)));
    }
    let (after_keyword, keyword) = expect(
        if in_block.is_some() {
            "a setting or `}`"
        } else {
            "a statement"
        },
        bare_word(false),
    )
    .parse(input)?;
    let name = keyword.text.as_str();
    if let Some(block) = in_block {
        if let Some(kind) = SettingKind::parse(name) {
            if kind.block() != block {
                return fail(setting_in_wrong_block(kind, keyword.span));
            }
            let (rest, (setting, comment)) = setting(owner, kind, keyword.span, after_keyword)?;
            return Ok((rest, (LineKind::Setting(setting), comment)));
        }
        if !STATEMENTS.contains(&name) {
            let names = block.settings();
            return fail(
                Diagnostic::new(
                    Code::UnknownSetting,
                    keyword.span,
                    format!("unknown setting `{}`", shorten(name)),
                )
                .with_span_label("not a setting")
                .with_suggestion(
                    name,
                    &names,
                    format!("the settings are {}", list(&names)),
                ),
            );
        }
        // A statement inside a block: the block was not closed. The caller
        // reports that; parse the statement as one.
    }
    let statement = statement(&keyword, after_keyword).map_err(|error| {
        error.map(|e: LineError| match e {
            LineError::Fatal { diagnostic, .. } => LineError::Fatal {
                diagnostic,
                statement: STATEMENTS.iter().copied().find(|s| *s == name),
            },
            backtrack => backtrack,
        })
    })?;
    let (rest, (statement, comment)) = statement;
    Ok((rest, (LineKind::Statement(statement), comment)))
}

fn setting_in_wrong_block(kind: SettingKind, span: Range<usize>) -> Diagnostic {
    let (what, help) = match kind.block() {
        BlockKind::Role => (
            "a role setting",
            "role settings go in a `role ROLE { … }` block; declare the role there",
        ),
        BlockKind::ServiceAccount => (
            "a ServiceAccount setting",
            "ServiceAccount settings go in `defaults { … }` or a binding's block",
        ),
    };
    Diagnostic::new(
        Code::UnknownSetting,
        span,
        format!("`{}` is {what}, not a setting of this block", kind.as_str()),
    )
    .with_span_label("not a setting of this block")
    .with_help(help)
}

fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

fn statement<'a>(keyword: &Word, input: Span<'a>) -> PResult<'a, (Statement, Option<String>)> {
    let name = keyword.text.as_str();
    if name == "service" {
        return binding(keyword.span.clone(), input);
    }
    if name == "role" {
        return role_statement(keyword.span.clone(), input);
    }
    if name == "defaults" {
        let (input, _) = space0(input)?;
        let (input, block) = expect("`{`", block_open).parse(input)?;
        let (input, comment) = expect_line_end("end of line after `{`", input)?;
        let statement = Statement::Defaults {
            keyword_span: keyword.span.clone(),
            block,
        };
        return Ok((input, (statement, comment)));
    }
    let Some(simple) = Keyword::parse(name) else {
        let otherwise = if SettingKind::parse(name).is_some() {
            "settings go inside a `defaults { … }` block or a binding's block".to_owned()
        } else {
            format!("the statements are {}", list(&STATEMENTS))
        };
        return fail(
            Diagnostic::new(
                Code::UnknownStatement,
                keyword.span.clone(),
                format!("unknown statement `{}`", shorten(name)),
            )
            .with_span_label("not a statement")
            .with_suggestion(name, &STATEMENTS, otherwise),
        );
    };
    let what = simple.value_description();
    let (input, _) = expect(what, space1).parse(input)?;
    let (input, value) = expect(what, bare_word(false)).parse(input)?;
    let (input, comment) = expect_line_end(&format!("end of line after {what}"), input)?;
    let statement = Statement::Simple {
        keyword: simple,
        keyword_span: keyword.span.clone(),
        value,
    };
    Ok((input, (statement, comment)))
}

/// `role ROLE [{ | {}]`.
fn role_statement(
    keyword_span: Range<usize>,
    input: Span<'_>,
) -> PResult<'_, (Statement, Option<String>)> {
    const ROLE: &str = "a role ARN or role name";
    let (input, _) = expect(ROLE, space1).parse(input)?;
    let (input, role) = expect(ROLE, bare_word(false)).parse(input)?;
    let (input, _) = space0(input)?;
    let (input, block) = opt(block_open).parse(input)?;
    let what = if block.is_some() {
        "end of line after `{`"
    } else {
        "`{` or end of line"
    };
    let (input, comment) = expect_line_end(what, input)?;
    let statement = Statement::Role {
        keyword_span,
        role,
        block: block.unwrap_or(BlockOpen::None),
    };
    Ok((input, (statement, comment)))
}

/// `{` or `{}` at the end of a line.
fn block_open(input: Span<'_>) -> PResult<'_, BlockOpen> {
    let (rest, open) = alt((tag("{}"), tag("{"))).parse(input)?;
    let span = span_of(&input, open.fragment().len());
    if open.fragment().len() == 2 {
        Ok((rest, BlockOpen::Empty(span)))
    } else {
        Ok((rest, BlockOpen::Open(span)))
    }
}

fn target(input: Span<'_>) -> PResult<'_, Target> {
    let (rest, word) = bare_word(true)(input)?;
    if word.text == "*" {
        Ok((rest, Target::All(word.span)))
    } else {
        Ok((rest, Target::Service(word)))
    }
}

fn binding(keyword: Range<usize>, input: Span<'_>) -> PResult<'_, (Statement, Option<String>)> {
    const TARGET: &str = "a service name or `*`";
    let (input, _) = expect(TARGET, space1).parse(input)?;
    let (mut input, first) = expect(TARGET, target).parse(input)?;
    let mut targets = vec![first];
    loop {
        let (after_space, _) = space0(input)?;
        let Ok((after_comma, _)) = char::<_, LineError>(',').parse(after_space) else {
            break;
        };
        let (after_comma, _) = space0(after_comma)?;
        let (rest, next) = expect("a service name", target).parse(after_comma)?;
        targets.push(next);
        input = rest;
    }
    if targets.len() > 1
        && let Some(Target::All(span)) = targets.iter().find(|t| matches!(t, Target::All(_)))
    {
        return fail(
            Diagnostic::new(
                Code::UnexpectedToken,
                span.clone(),
                "`*` stands alone, not in a list",
            )
            .with_span_label("`*` in a list")
            .with_help("bind `*` on a line of its own: `service * -> role …`"),
        );
    }

    let (input, _) = space0(input)?;
    let (input, role) = opt(role_clause).parse(input)?;
    let (input, service_account) = opt(as_clause).parse(input)?;
    let (input, _) = space0(input)?;
    let (input, block) = opt(block_open).parse(input)?;
    let expected_next = match (&role, &service_account, &block) {
        (_, _, Some(_)) => "end of line after `{`",
        (None, None, None) => "`->`, `as` or end of line",
        (Some(_), None, None) => "`as`, `{` or end of line",
        (_, Some(_), None) => "`{` or end of line",
    };
    if let Err(NomErr::Error(_)) = peek(line_end).parse(input) {
        let diagnostic = expected_here(expected_next, input);
        let diagnostic = if input.fragment().starts_with("role") && role.is_none() {
            diagnostic.with_help("a role follows an arrow: `service NAME -> role ROLE`")
        } else {
            diagnostic
        };
        return fail(diagnostic);
    }
    let (input, comment) = line_end(input)?;
    let binding = Binding {
        keyword,
        targets,
        role,
        service_account,
        block: block.unwrap_or(BlockOpen::None),
    };
    Ok((input, (Statement::Service(binding), comment)))
}

/// `-> role ROLE`; spaces around `->` are optional.
fn role_clause(input: Span<'_>) -> PResult<'_, Word> {
    let (input, _) = tag("->").parse(input)?;
    let (input, _) = space0(input)?;
    let (input, _) = expect("`role`", keyword_tag("role")).parse(input)?;
    let (input, _) = expect("a role ARN or role name", space1).parse(input)?;
    let (input, role) = expect("a role ARN or role name", bare_word(false)).parse(input)?;
    let (input, _) = space0(input)?;
    Ok((input, role))
}

/// `as SA`.
fn as_clause(input: Span<'_>) -> PResult<'_, Word> {
    let (input, _) = keyword_tag("as").parse(input)?;
    let (input, _) = expect("a ServiceAccount name", space1).parse(input)?;
    let (input, name) = expect("a ServiceAccount name", bare_word(false)).parse(input)?;
    let (input, _) = space0(input)?;
    Ok((input, name))
}

/// A keyword that must be a whole word (`as`, not the start of `assume`).
fn keyword_tag(word: &'static str) -> impl FnMut(Span<'_>) -> PResult<'_, Span<'_>> {
    move |input: Span<'_>| {
        let (rest, matched) = tag(word).parse(input)?;
        match rest.fragment().chars().next() {
            Some(c) if is_word_char(c, false) && !rest.fragment().starts_with("->") => Err(
                NomErr::Error(LineError::from_error_kind(input, ErrorKind::Tag)),
            ),
            _ => Ok((rest, matched)),
        }
    }
}

fn setting(
    owner: Option<usize>,
    kind: SettingKind,
    name_span: Range<usize>,
    mut input: Span<'_>,
) -> PResult<'_, (Setting, Option<String>)> {
    let mut values = Vec::new();
    for what in kind.arguments() {
        let (rest, _) = expect(what, space1).parse(input)?;
        let (rest, value) = if kind.takes_strings() {
            expect(what, alt((quoted_string, bare_word(false)))).parse(rest)?
        } else {
            expect(what, bare_word(false)).parse(rest)?
        };
        values.push(value);
        input = rest;
    }
    let after = format!("end of line after `{}`'s value", kind.as_str());
    let (input, comment) = expect_line_end(&after, input)?;
    Ok((
        input,
        (
            Setting {
                owner,
                kind,
                name_span,
                values,
            },
            comment,
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<LineKind> {
        let (tree, diagnostics) = parse(source);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        tree.lines.into_iter().map(|line| line.kind).collect()
    }

    fn codes(source: &str) -> Vec<&'static str> {
        parse(source).1.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn arrow_needs_no_spaces() {
        let lines = kinds("service echo->role r");
        let LineKind::Statement(Statement::Service(binding)) = &lines[0] else {
            panic!("{lines:?}");
        };
        assert_eq!(binding.role.as_ref().map(|r| r.text.as_str()), Some("r"));
        assert_eq!(binding.targets.len(), 1);
    }

    #[test]
    fn role_names_may_hold_commas_but_service_lists_split_on_them() {
        let lines = kinds("service front50 ,kayenta -> role a,b as x");
        let LineKind::Statement(Statement::Service(binding)) = &lines[0] else {
            panic!("{lines:?}");
        };
        assert_eq!(binding.targets.len(), 2);
        assert_eq!(binding.role.as_ref().map(|r| r.text.as_str()), Some("a,b"));
        assert_eq!(
            binding.service_account.as_ref().map(|r| r.text.as_str()),
            Some("x")
        );
    }

    #[test]
    fn strings_resolve_escapes() {
        let lines = kinds("defaults {\n  annotation \"a\\\"b\" \"x\\ny\\t\\\\\"\n}\n");
        let LineKind::Setting(setting) = &lines[1] else {
            panic!("{lines:?}");
        };
        assert_eq!(setting.values[0].text, "a\"b");
        assert_eq!(setting.values[1].text, "x\ny\t\\");
    }

    #[test]
    fn many_braces_are_one_error() {
        let line = format!("service echo -> role r {}", "{".repeat(200_000));
        assert_eq!(codes(&line), vec!["E010"]);
    }

    #[test]
    fn every_bad_line_is_reported() {
        assert_eq!(
            codes("sevice echo\nservice\nnamespace a b\n}\n"),
            vec!["E012", "E011", "E010", "E017"]
        );
    }

    #[test]
    fn statement_in_block_means_unterminated_block() {
        assert_eq!(
            codes("service echo -> role r {\nservice gate -> role r\n"),
            vec!["E016"]
        );
    }

    #[test]
    fn look_alikes_are_named() {
        let (_, diagnostics) = parse("service \u{0435}cho -> role r");
        assert_eq!(diagnostics[0].code, Code::NonAsciiCharacter);
        assert!(
            diagnostics[0]
                .help
                .as_deref()
                .is_some_and(|h| h.contains("did you mean `echo`?"))
        );
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let lines = kinds("\u{feff}spinnaker x\r\nnamespace y\r\n");
        assert_eq!(lines.len(), 3);
    }
}

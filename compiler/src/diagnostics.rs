//! Diagnostics: the one type every stage reports problems with, their stable
//! codes, and the renderings the CLI and the WebAssembly build share.

use std::fmt::Write as _;
use std::ops::Range;

use serde::Serialize;

/// How bad a problem is. Warnings never fail a compile unless the caller
/// asks for it (`--deny-warnings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// A stable diagnostic code. Codes are never reused or renumbered:
        /// CI scripts and editors match on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed: `E031`, `W002`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// Whether this code is an error or a warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// A one-line summary of the problem.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// Looks a code up by its printed form, ignoring case.
            pub fn parse(text: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|code| code.as_str().eq_ignore_ascii_case(text))
            }
        }
    };
}

codes! {
    // Input that is not text.
    InvalidUtf8 = "E001", Error, "the input is not valid UTF-8";
    BinaryInput = "E002", Error, "the input holds a NUL byte or a control character";
    InputTooLarge = "E003", Error, "the input is larger than 64 MiB";
    NonAsciiCharacter = "E004", Error, "a non-ASCII character where only ASCII is allowed";
    // Syntax.
    UnexpectedToken = "E010", Error, "unexpected word or symbol";
    MissingToken = "E011", Error, "a statement ends too early";
    UnknownStatement = "E012", Error, "unknown statement";
    UnknownSetting = "E013", Error, "unknown setting";
    UnterminatedString = "E014", Error, "unterminated string";
    InvalidEscape = "E015", Error, "unknown escape sequence in a string";
    UnterminatedBlock = "E016", Error, "unterminated block";
    UnmatchedBrace = "E017", Error, "`}` without an open block";
    BindingWithoutTarget = "E018", Error, "a binding needs `-> role` or `as`";
    BlockWithoutRole = "E019", Error, "a binding without `-> role` takes no block";
    NoBindings = "E020", Error, "the file binds no service";
    // Things said twice.
    RepeatedStatement = "E030", Error, "a statement that may appear once is repeated";
    ServiceBoundTwice = "E031", Error, "a service is bound twice";
    RepeatedSetting = "E032", Error, "a setting is repeated in one block";
    ServiceAccountRoleConflict = "E033", Error, "one ServiceAccount is given two roles";
    ServiceAccountSettingsConflict = "E034", Error, "one ServiceAccount is given different settings";
    RoleNameReused = "E035", Error, "one role name with two paths in one account";
    // Names.
    UnknownService = "E040", Error, "unknown service";
    InvalidServiceAccountName = "E041", Error, "invalid ServiceAccount name";
    InvalidNamespace = "E042", Error, "invalid namespace";
    InvalidSpinnakerName = "E043", Error, "invalid SpinnakerService name";
    // Roles.
    MalformedArn = "E050", Error, "malformed role ARN";
    UnknownPartition = "E051", Error, "unknown AWS partition";
    InvalidAccountId = "E052", Error, "an AWS account ID is 12 digits";
    NotIamArn = "E053", Error, "the ARN is not an IAM ARN";
    NotRoleArn = "E054", Error, "the ARN is not a role";
    InvalidRoleName = "E055", Error, "invalid role name";
    InvalidRolePath = "E056", Error, "invalid role path";
    ShortRoleWithoutAccount = "E057", Error, "a short role name needs an `account` statement";
    // The installation.
    UnknownOperator = "E060", Error, "unknown operator";
    InvalidArmoryVersion = "E061", Error, "invalid Armory version";
    ArmoryTooOld = "E062", Error, "IRSA needs Armory Enterprise 2.26 or later";
    ArmoryWithOss = "E063", Error, "`armory` with `operator oss`";
    InvalidOidcIssuer = "E064", Error, "invalid OIDC issuer";
    OidcWithoutNamespace = "E065", Error, "trust policies need a `namespace` statement";
    // Settings.
    InvalidBool = "E070", Error, "expected `true` or `false`";
    InvalidDuration = "E071", Error, "invalid duration";
    TokenExpirationTooShort = "E072", Error, "`token-expiration` below 600 seconds";
    EmptyAudience = "E073", Error, "empty audience";
    InvalidAnnotationKey = "E074", Error, "invalid annotation key";
    ReservedAnnotation = "E075", Error, "an annotation that irsa writes itself";
    InvalidLabelKey = "E076", Error, "invalid label key";
    InvalidLabelValue = "E077", Error, "invalid label value";
    ReservedLabel = "E078", Error, "the `app.kubernetes.io/managed-by` label is irsa's";
    // Roles managed as code, `cluster` and `region` (section 10).
    InvalidClusterName = "E080", Error, "invalid EKS cluster name";
    InvalidRegion = "E081", Error, "invalid AWS region";
    RegionContradictsOidc = "E082", Error, "`region` contradicts the region of the `oidc` issuer";
    RoleDeclaredTwice = "E083", Error, "a role is declared twice";
    UnusedManagedRole = "E084", Error, "a declared role that no binding uses";
    ManagedRolesInTwoAccounts = "E085", Error, "managed roles in more than one account or partition";
    ManagedRoleWithoutTrustPolicy = "E086", Error, "a managed role whose trust policy cannot be written";
    InvalidPolicyArn = "E087", Error, "invalid managed policy ARN";
    PolicyAttachedTwice = "E088", Error, "a policy is attached to a role twice";
    TooManyPolicies = "E089", Error, "more than 20 policies on one role";
    InvalidMaxSession = "E090", Error, "`max-session` outside 1 to 12 hours";
    InvalidDescription = "E091", Error, "invalid role description";
    InvalidTag = "E092", Error, "invalid role tag";
    ReservedTag = "E093", Error, "the `app.kubernetes.io/managed-by` tag is irsa's";
    TooManyTags = "E094", Error, "more than 50 tags on one role";
    // EKS Pod Identity (section 11).
    InvalidIdentity = "E095", Error, "unknown `identity`";
    IrsaSettingOnPodIdentity = "E096", Error, "an IRSA setting on a `pod-identity` ServiceAccount";
    PodIdentityWithoutCluster = "E097", Error, "Pod Identity needs a `cluster` statement";
    PodIdentityWithoutNamespace = "E098", Error, "Pod Identity needs a `namespace` statement";
    MixedTrustWithoutOidc = "E099", Error, "a role with IRSA and Pod Identity ServiceAccounts needs `oidc`";
    AssociationWithoutRegion = "E100", Error, "a Crossplane Pod Identity association needs a region";
    PolicyInOtherPartition = "E101", Error, "a managed policy of another partition than its role";
    // Warnings.
    TrustPolicyTooLarge = "W001", Warning, "a trust policy is over IAM's default 2048-character quota";
    RoleOnManyServiceAccounts = "W002", Warning, "a role is bound to more than four ServiceAccounts";
    LongTokenExpiration = "W003", Warning, "`token-expiration` above 86400 seconds";
    ManyPolicies = "W004", Warning, "more than 10 policies on one role";
    JavaSdkPodIdentity = "W005", Warning, "Spinnaker's Java services may predate Pod Identity support";
    // `irsa verify`: the file against exports of the live state (section 12).
    ExportUnreadable = "V001", Error, "an export cannot be read";
    RoleMissing = "V002", Error, "a role of the file is missing from the roles export";
    RoleNotExported = "V003", Warning, "a role of the file is in no export: its trust policy is not checked";
    TrustPolicyUnreadable = "V004", Error, "a role's trust policy is not a policy document";
    IrsaTrustRefused = "V005", Error, "the trust policy does not let a ServiceAccount assume its role by IRSA";
    PodIdentityTrustRefused = "V006", Error, "the trust policy does not let a ServiceAccount assume its role by Pod Identity";
    TrustTooBroad = "V007", Warning, "the trust policy lets in more than the file declares";
    TrustNotModelled = "V008", Warning, "a trust policy uses what the evaluator does not model";
    IssuerDiffers = "V009", Error, "the cluster's OIDC issuer is not the file's `oidc`";
    OidcProviderMissing = "V010", Error, "no IAM OIDC provider for the issuer in the role's account";
    ClusterDiffers = "V011", Error, "the cluster's name is not the file's `cluster`";
    AssociationMissing = "V012", Error, "a Pod Identity association is missing";
    AssociationRoleDiffers = "V013", Error, "a Pod Identity association names another role";
    AssociationRoleUnknown = "V014", Warning, "the exports do not say a Pod Identity association's role";
    ServiceAccountMissing = "V015", Error, "a ServiceAccount is missing";
    RoleAnnotationMissing = "V016", Error, "a ServiceAccount's role annotation is missing";
    RoleAnnotationDiffers = "V017", Error, "a ServiceAccount's role annotation differs";
    RoleAnnotationMisspelt = "V018", Error, "an annotation under a misspelt key, which the webhook ignores";
    AnnotationDiffers = "V019", Error, "a ServiceAccount's audience, regional-endpoint or token-expiration annotation differs";
    SpinnakerServiceMissing = "V020", Error, "the SpinnakerService is missing";
    OperatorDiffers = "V021", Error, "the SpinnakerService's `apiVersion` is not the file's operator";
    ServiceAccountNameDiffers = "V022", Error, "a service's `serviceAccountName` is missing or differs";
    IrsaNotCheckable = "V023", Warning, "IRSA trust cannot be checked without an issuer";
    // `irsa import` (LANGUAGE.md §13): errors I0xx, warnings I1xx.
    NoSpinnakerService = "I001", Error, "the input holds no SpinnakerService";
    AmbiguousSpinnakerService = "I002", Error, "two SpinnakerServices name ServiceAccounts";
    DuplicateServiceAccount = "I003", Error, "one ServiceAccount appears twice with different metadata";
    UnimportableValue = "I004", Error, "a value that cannot be written as .irsa";
    UnreadableExport = "I005", Error, "the export cannot be read";
    NoServiceAccountNames = "I006", Error, "the SpinnakerService names no ServiceAccount";
    SecondSpinnakerService = "I101", Warning, "a second SpinnakerService is left out";
    UnknownServiceKey = "I102", Warning, "an unknown service-settings key is left out";
    OtherServiceSettings = "I103", Warning, "service-settings content other than serviceAccountName is left out";
    UnusedServiceAccount = "I104", Warning, "a ServiceAccount that no service uses is left out";
    ForeignManagedBy = "I105", Warning, "another `app.kubernetes.io/managed-by` label is left out";
    ServiceAccountFieldLeftOut = "I106", Warning, "a ServiceAccount field that irsa does not write is left out";
}

/// The long explanations of every code: the same text as the book's
/// diagnostics chapter, which includes this file.
const EXPLANATIONS: &str = include_str!("../docs/diagnostics.md");

impl Code {
    /// The long explanation of the code, as `irsa explain --code` prints it:
    /// its section of `compiler/docs/diagnostics.md`, heading included.
    pub fn explanation(self) -> Option<&'static str> {
        let heading = format!("\n## {}: ", self.as_str());
        let start = EXPLANATIONS.find(&heading)? + 1;
        let rest = EXPLANATIONS.get(start..)?;
        let end = rest.get(3..)?.find("\n## ").map_or(rest.len(), |i| i + 4);
        rest.get(..end).map(str::trim_end)
    }
}

/// A secondary span with a note, such as the first occurrence of a duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Range<usize>,
    pub message: String,
}

/// One problem in one input, located by byte offsets into that input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// The primary span: byte offsets into the source, end exclusive.
    pub span: Range<usize>,
    /// The text shown under the primary span's underline.
    pub span_label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Facts from elsewhere (an export, a JSON path) that explain it.
    pub notes: Vec<String>,
    /// A replacement of the primary span that fixes the problem, when one
    /// is known: what editors offer as a quick fix.
    pub fix: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span,
            span_label: None,
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
            fix: None,
        }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// Sets the text under the primary underline.
    #[must_use]
    pub fn with_span_label(mut self, text: impl Into<String>) -> Self {
        self.span_label = Some(text.into());
        self
    }

    /// Adds a secondary span with a note.
    #[must_use]
    pub fn with_label(mut self, span: Range<usize>, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note: where in another input the problem shows.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// "did you mean `REPLACEMENT`?" as help, and the replacement as the
    /// fix of the primary span.
    #[must_use]
    pub fn with_fix(mut self, replacement: impl Into<String>) -> Self {
        let replacement = replacement.into();
        self.help = Some(format!("did you mean `{replacement}`?"));
        self.fix = Some(replacement);
        self
    }

    /// [`Diagnostic::with_fix`] when there is a fix.
    #[must_use]
    pub fn with_fix_opt(self, replacement: Option<String>) -> Self {
        match replacement {
            Some(replacement) => self.with_fix(replacement),
            None => self,
        }
    }

    /// The one "did you mean": the candidate closest to `word` as help and
    /// fix ([`Diagnostic::with_fix`]), or `otherwise` as help when none is
    /// close enough.
    #[must_use]
    pub fn with_suggestion(
        self,
        word: &str,
        candidates: &[&str],
        otherwise: impl Into<String>,
    ) -> Self {
        match did_you_mean(word, candidates) {
            Some(guess) => self.with_fix(guess),
            None => self.with_help(otherwise),
        }
    }
}

/// True when any diagnostic fails the compile: an error, or a warning when
/// warnings are denied.
pub fn has_failures(diagnostics: &[Diagnostic], deny_warnings: bool) -> bool {
    diagnostics
        .iter()
        .any(|d| d.severity() == Severity::Error || deny_warnings)
}

/// Maps byte offsets to 1-based lines and character columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    source: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex {
            source,
            line_starts,
        }
    }

    /// The 1-based line and character column of a byte offset. Offsets past
    /// the end or inside a character are clamped to a valid position.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = clamp_to_char_boundary(self.source, offset);
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .source
            .get(start..offset)
            .map_or(0, |text| text.chars().count());
        (line.max(1), column + 1)
    }
}

fn clamp_to_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How diagnostics are printed: `--message-format`. (The doc comments are
/// the command line's help for each value.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum MessageFormat {
    /// rustc-like, with the source line and an underline
    Human,
    /// One JSON object a line: severity, code, message, file, line, column, end_line, end_column, help, notes
    Json,
    /// GitHub Actions workflow commands (::error file=…,line=…::…)
    Github,
    /// file:line:col: severity[CODE]: message
    Short,
}

/// A diagnostic as `--message-format json` prints it, and as the
/// WebAssembly build returns it: the same fields, in the same order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonDiagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl JsonDiagnostic {
    pub fn new(diagnostic: &Diagnostic, file: &str, index: &LineIndex<'_>) -> Self {
        let (line, column) = index.position(diagnostic.span.start);
        let (end_line, end_column) = index.position(diagnostic.span.end);
        JsonDiagnostic {
            severity: diagnostic.severity(),
            code: diagnostic.code.as_str(),
            message: diagnostic.message.clone(),
            file: file.to_owned(),
            line,
            column,
            end_line,
            end_column,
            help: diagnostic.help.clone(),
            notes: diagnostic.notes.clone(),
        }
    }
}

/// Renders diagnostics of one source in the given format, without colour.
/// Each diagnostic ends with a newline.
pub fn render(
    diagnostics: &[Diagnostic],
    file: &str,
    source: &str,
    format: MessageFormat,
) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    for diagnostic in diagnostics {
        match format {
            MessageFormat::Human => out.push_str(&render_human(diagnostic, file, source)),
            MessageFormat::Json => {
                let json = JsonDiagnostic::new(diagnostic, file, &index);
                // Serializing plain strings and integers cannot fail.
                out.push_str(&serde_json::to_string(&json).unwrap_or_default());
                out.push('\n');
            }
            MessageFormat::Short => {
                let (line, column) = index.position(diagnostic.span.start);
                let _ = writeln!(
                    out,
                    "{file}:{line}:{column}: {}[{}]: {}",
                    diagnostic.severity().as_str(),
                    diagnostic.code.as_str(),
                    diagnostic.message
                );
            }
            MessageFormat::Github => {
                let json = JsonDiagnostic::new(diagnostic, file, &index);
                let mut message = json.message.clone();
                for note in &json.notes {
                    let _ = write!(message, "\nnote: {note}");
                }
                if let Some(help) = &json.help {
                    let _ = write!(message, "\nhelp: {help}");
                }
                let _ = writeln!(
                    out,
                    "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                    json.severity.as_str(),
                    github_property(file),
                    json.line,
                    json.column,
                    json.end_line,
                    json.end_column,
                    json.code,
                    github_data(&message)
                );
            }
        }
    }
    out
}

/// The longest underline the human rendering draws, in bytes: a 10 MB span
/// is shown by its start, and rendered in milliseconds instead of a second.
const MAX_UNDERLINE: usize = 200;

/// A span shortened for display, on a character boundary of `source`.
fn display_span(span: &Range<usize>, source: &str) -> Range<usize> {
    if span.end - span.start <= MAX_UNDERLINE {
        return span.clone();
    }
    span.start..clamp_to_char_boundary(source, span.start + MAX_UNDERLINE)
}

/// Converts to codespan-reporting's type, for the human rendering (plain
/// here, coloured by the CLI). Long spans are shortened for display only.
pub fn to_codespan(
    diagnostic: &Diagnostic,
    source: &str,
) -> codespan_reporting::diagnostic::Diagnostic<()> {
    use codespan_reporting::diagnostic as cs;
    let severity = match diagnostic.severity() {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = vec![
        cs::Label::primary((), display_span(&diagnostic.span, source))
            .with_message(diagnostic.span_label.clone().unwrap_or_default()),
    ];
    labels.extend(diagnostic.labels.iter().map(|label| {
        cs::Label::secondary((), display_span(&label.span, source)).with_message(&label.message)
    }));
    let notes = diagnostic
        .notes
        .iter()
        .map(|note| format!("note: {note}"))
        .chain(diagnostic.help.iter().map(|help| format!("help: {help}")))
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(diagnostic.code.as_str())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

fn render_human(diagnostic: &Diagnostic, file: &str, source: &str) -> String {
    let files = codespan_reporting::files::SimpleFile::new(file, source);
    let config = codespan_reporting::term::Config::default();
    codespan_reporting::term::emit_into_string(&config, &files, &to_codespan(diagnostic, source))
        .unwrap_or_else(|_| {
            // Only reachable with a span outside the source; fall back to
            // the short form rather than lose the diagnostic.
            render(
                std::slice::from_ref(diagnostic),
                file,
                source,
                MessageFormat::Short,
            )
        })
}

fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// "Did you mean" for a misspelt word: the closest candidate, if close enough.
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    // A word far longer than every candidate is no typo of one; comparing
    // it would only cost time (a 10 MB word).
    let longest = candidates.iter().map(|c| c.len()).max().unwrap_or(0);
    if word.len() > 2 * longest + 8 {
        return None;
    }
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let index = LineIndex::new("éé x\nab");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(5), (1, 4));
        assert_eq!(index.position(7), (2, 1));
        assert_eq!(index.position(8), (2, 2));
        assert_eq!(index.position(100), (2, 3));
    }

    #[test]
    fn codes_are_unique_and_parse_back() {
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(*code));
            let same: Vec<_> = Code::ALL
                .iter()
                .filter(|c| c.as_str() == code.as_str())
                .collect();
            assert_eq!(same.len(), 1, "{code:?}");
        }
    }

    #[test]
    fn every_code_is_explained_under_its_title() {
        for code in Code::ALL {
            let text = code.explanation().unwrap_or_default();
            let heading = format!("## {}: {}\n", code.as_str(), code.title());
            assert!(text.starts_with(&heading), "{code:?}: {text:?}");
            assert!(
                !text.contains("\n## "),
                "{code:?} runs into the next section"
            );
            assert!(
                text.len() > heading.len() + 40,
                "{code:?} has no explanation"
            );
        }
    }

    #[test]
    fn did_you_mean_finds_close_words_only() {
        assert_eq!(did_you_mean("ehco", &["echo", "gate"]), Some("echo"));
        assert_eq!(did_you_mean("zzzz", &["echo", "gate"]), None);
        assert_eq!(did_you_mean(&"e".repeat(1000), &["echo"]), None);
    }
}

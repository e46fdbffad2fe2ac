//! The value checkers: each takes a value as written and returns the typed
//! value or the one located diagnostic that explains what is wrong
//! (`Result<T, Diagnostic>`). Lowering calls them as it reads each value, so
//! a value is reported once, where it is written.

// A checker's error is its one diagnostic, built only when the value is
// wrong; boxing it would only make every caller unbox it.
#![allow(clippy::result_large_err)]

use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Identity, Operator, Role};
pub use crate::language::PARTITIONS;
use crate::language::{BOOLEANS, IDENTITIES, OPERATORS};
use crate::services::KNOWN_SERVICES;
use crate::syntax::Word;

/// The annotations irsa writes itself from settings and roles.
pub const RESERVED_ANNOTATIONS: [&str; 4] = [
    "eks.amazonaws.com/role-arn",
    "eks.amazonaws.com/audience",
    "eks.amazonaws.com/sts-regional-endpoints",
    "eks.amazonaws.com/token-expiration",
];

pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";

/// IAM's default quota for a role trust policy, in characters.
pub const TRUST_POLICY_QUOTA: usize = 2048;
pub const MIN_TOKEN_EXPIRATION: u64 = 600;
pub const MAX_TOKEN_EXPIRATION: u64 = 86_400;
/// More ServiceAccounts than this on one role draws a warning.
pub const MAX_SERVICE_ACCOUNTS_PER_ROLE: usize = 4;

/// Why a name is not a DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at
/// most 63 characters), or `None` when it is one.
pub fn dns_label_problem(name: &str) -> Option<String> {
    dns_part_problem(name, 63, false)
}

/// Why a name is not a DNS-1123 subdomain (dot-separated labels, at most
/// 253 characters), or `None` when it is one.
pub fn dns_subdomain_problem(name: &str) -> Option<String> {
    dns_part_problem(name, 253, true)
}

fn dns_part_problem(name: &str, max: usize, dots: bool) -> Option<String> {
    let length = name.chars().count();
    if name.is_empty() {
        return Some("it is empty".to_owned());
    }
    if length > max {
        return Some(format!(
            "it is {length} characters long; the limit is {max}"
        ));
    }
    if let Some(c) = name.chars().find(|c| {
        !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || (dots && *c == '.'))
    }) {
        return Some(if c.is_ascii_uppercase() {
            "it has upper-case letters; Kubernetes names are lower case".to_owned()
        } else if dots {
            format!("it holds `{c}`; only lower-case letters, digits, `-` and `.` are allowed")
        } else {
            format!("it holds `{c}`; only lower-case letters, digits and `-` are allowed")
        });
    }
    let parts: Vec<&str> = if dots {
        name.split('.').collect()
    } else {
        vec![name]
    };
    for part in parts {
        let starts = part
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let ends = part
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if !starts || !ends {
            return Some(if dots {
                "each dot-separated part must start and end with a letter or digit".to_owned()
            } else {
                "it must start and end with a letter or digit".to_owned()
            });
        }
    }
    None
}

/// The name lower-cased, when that is the whole fix.
fn lowercase_fix(name: &str, valid: fn(&str) -> Option<String>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    (lower != name && valid(&lower).is_none()).then_some(lower)
}

/// Why a key is not a Kubernetes qualified name (`[prefix/]name`), or `None`.
pub fn qualified_name_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && let Some(problem) = dns_subdomain_problem(prefix)
    {
        return Some(format!(
            "its prefix `{prefix}` is not a DNS subdomain: {problem}"
        ));
    }
    if name.is_empty() {
        return Some("its name part is empty".to_owned());
    }
    name_part_problem(name).map(|problem| format!("its name part `{name}` {problem}"))
}

/// The rule shared by a qualified name's name part and a label value.
fn name_part_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if length > 63 {
        return Some(format!("is {length} characters long; the limit is 63"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!(
            "holds `{}`; only letters, digits, `-`, `_` and `.` are allowed",
            c.escape_debug()
        ));
    }
    let starts = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let ends = name
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    (!starts || !ends).then(|| "must start and end with a letter or digit".to_owned())
}

/// Why a label value is invalid (empty is allowed), or `None`.
pub fn label_value_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    name_part_problem(value).map(|problem| format!("it {problem}"))
}

pub fn account_problem(account: &str) -> Option<String> {
    (account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit())).then(|| {
        format!("`{account}` is not an AWS account ID: an account ID is exactly 12 digits")
    })
}

/// A partition name (`aws`, `aws-cn`, …).
pub fn partition(text: &str, span: Range<usize>) -> Result<String, Diagnostic> {
    if PARTITIONS.contains(&text) {
        return Ok(text.to_owned());
    }
    Err(Diagnostic::new(
        Code::UnknownPartition,
        span,
        format!("unknown AWS partition `{text}`"),
    )
    .with_span_label("not a partition")
    .with_suggestion(
        text,
        &PARTITIONS,
        format!("the partitions are {}", PARTITIONS.join(", ")),
    ))
}

/// The account and partition that short role names expand with.
#[derive(Debug, Clone, Copy)]
pub struct RoleDefaults<'a> {
    pub account: Option<&'a str>,
    pub partition: &'a str,
}

/// Parses a role: a full ARN `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`
/// or a short `[PATH/]NAME`. `start` is the byte offset of `text` in the
/// source, so each problem points at its own part.
pub fn parse_role(
    text: &str,
    start: usize,
    defaults: RoleDefaults<'_>,
) -> Result<Role, Diagnostic> {
    let whole = start..start + text.len();
    let at = |offset: usize, len: usize| start + offset..start + offset + len;
    if !text.starts_with("arn:") {
        if text.contains(':') {
            return Err(Diagnostic::new(
                Code::MalformedArn,
                whole,
                format!("`{text}` is neither a role ARN nor a role name"),
            )
            .with_span_label("not a role")
            .with_help("write a full ARN `arn:aws:iam::123456789012:role/NAME`, or a role name with an `account` statement"));
        }
        let Some(account) = defaults.account else {
            return Err(Diagnostic::new(
                Code::ShortRoleWithoutAccount,
                whole,
                format!("the short role name `{text}` needs an `account` statement"),
            )
            .with_span_label("which account?")
            .with_help(
                "add `account 123456789012` (your AWS account ID), or write the full role ARN",
            ));
        };
        let (path, name) = split_role_path(text);
        check_role_name(name, at(text.len() - name.len(), name.len()))?;
        check_role_path(&path, at(0, text.len() - name.len()))?;
        return Ok(Role {
            partition: defaults.partition.to_owned(),
            account: account.to_owned(),
            path,
            name: name.to_owned(),
            span: whole,
        });
    }

    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let [_, partition_name, service, region, account, resource] = parts.as_slice() else {
        return Err(Diagnostic::new(
            Code::MalformedArn,
            whole,
            "malformed role ARN: expected `arn:PARTITION:iam::ACCOUNT:role/NAME`",
        )
        .with_span_label("too few `:`-separated parts")
        .with_help("a role ARN looks like `arn:aws:iam::123456789012:role/my-role`"));
    };
    // Byte offsets of each part within `text`.
    let partition_at = 4;
    let service_at = partition_at + partition_name.len() + 1;
    let region_at = service_at + service.len() + 1;
    let account_at = region_at + region.len() + 1;
    let resource_at = account_at + account.len() + 1;
    partition(partition_name, at(partition_at, partition_name.len()))?;
    if *service != "iam" {
        return Err(Diagnostic::new(
            Code::NotIamArn,
            at(service_at, service.len()),
            format!("the ARN's service is `{service}`, not `iam`"),
        )
        .with_span_label("expected `iam`")
        .with_help("an IRSA role is an IAM role: `arn:aws:iam::ACCOUNT:role/NAME`"));
    }
    if !region.is_empty() {
        return Err(Diagnostic::new(
            Code::MalformedArn,
            at(region_at, region.len()),
            format!("IAM ARNs have no region, but this one says `{region}`"),
        )
        .with_span_label("remove the region")
        .with_help("IAM is global: write `arn:aws:iam::ACCOUNT:role/NAME` with nothing between `iam:` and `:ACCOUNT`"));
    }
    if let Some(problem) = account_problem(account) {
        return Err(Diagnostic::new(
            Code::InvalidAccountId,
            at(account_at, account.len()),
            problem,
        )
        .with_span_label("expected 12 digits"));
    }
    let Some(role_path) = resource.strip_prefix("role/") else {
        let kind = resource.split('/').next().unwrap_or_default();
        let message = if kind.is_empty() {
            "the ARN names no resource: it ends before `role/NAME`".to_owned()
        } else {
            format!("the ARN names a `{kind}`, not a `role`")
        };
        // An empty resource gets an empty span: the ARN may end the file.
        return Err(
            Diagnostic::new(Code::NotRoleArn, at(resource_at, kind.len()), message)
                .with_span_label("expected `role/`")
                .with_help(
                    "IRSA assumes IAM roles: the resource part is `role/NAME` or `role/PATH/NAME`",
                ),
        );
    };
    let (path, name) = split_role_path(role_path);
    check_role_name(name, at(text.len() - name.len(), name.len()))?;
    check_role_path(&path, at(resource_at + 4, role_path.len() - name.len()))?;
    Ok(Role {
        partition: (*partition_name).to_owned(),
        account: (*account).to_owned(),
        path,
        name: name.to_owned(),
        span: whole,
    })
}

/// `a/b/name` → (`/a/b/`, `name`); `name` → (`/`, `name`).
fn split_role_path(text: &str) -> (String, &str) {
    match text.rsplit_once('/') {
        Some((path, name)) => (format!("/{path}/"), name),
        None => ("/".to_owned(), text),
    }
}

fn check_role_name(name: &str, span: Range<usize>) -> Result<(), Diagnostic> {
    let length = name.chars().count();
    let problem = if name.is_empty() {
        Some("the role name is empty".to_owned())
    } else if length > 64 {
        Some(format!(
            "the role name is {length} characters long; IAM allows 64"
        ))
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c)))
            .map(|c| format!("the role name holds `{c}`; IAM allows letters, digits and `_+=,.@-`"))
    };
    match problem {
        Some(problem) => Err(Diagnostic::new(Code::InvalidRoleName, span, problem)
            .with_span_label("invalid role name")),
        None => Ok(()),
    }
}

fn check_role_path(path: &str, span: Range<usize>) -> Result<(), Diagnostic> {
    let length = path.chars().count();
    let problem = if length > 512 {
        Some(format!(
            "the role path is {length} characters long; IAM allows 512"
        ))
    } else if path.contains("//") {
        Some("the role path has an empty segment (`//`)".to_owned())
    } else {
        path.chars()
            .find(|c| !('!'..='~').contains(c))
            .map(|c| format!("the role path holds `{c}`; IAM allows `!` to `~`"))
    };
    match problem {
        Some(problem) => Err(Diagnostic::new(Code::InvalidRolePath, span, problem)
            .with_span_label("invalid role path")
            .with_help(
                "a role path is `/` or `/segment/…/`, at most 512 printable ASCII characters",
            )),
        None => Ok(()),
    }
}

/// Seconds of a duration: `3600`, or units `h`, `m`, `s` in that order
/// (`90m`, `1h30m`). `None` when it is not one.
pub fn parse_duration(text: &str) -> Option<u64> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let mut total: u64 = 0;
    let mut rest = text;
    let mut units = ['h', 'm', 's'].iter().peekable();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let number: u64 = rest.get(..digits)?.parse().ok()?;
        let unit = rest.get(digits..)?.chars().next()?;
        // Units come in order h, m, s, each at most once.
        while units.peek().is_some_and(|u| **u != unit) {
            units.next();
        }
        units.next()?;
        let factor = match unit {
            'h' => 3600,
            'm' => 60,
            _ => 1,
        };
        total = total.checked_add(number.checked_mul(factor)?)?;
        rest = rest.get(digits + 1..)?;
    }
    Some(total)
}

/// `MAJOR.MINOR[.PATCH]` → (major, minor).
pub fn parse_version(text: &str) -> Option<(u64, u64)> {
    let parts: Vec<&str> = text.split('.').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((parts.first()?.parse().ok()?, parts.get(1)?.parse().ok()?))
}

/// Why an OIDC issuer is not `HOST/PATH`, or `None`.
pub fn oidc_problem(issuer: &str) -> Option<(String, Option<String>)> {
    for scheme in ["https://", "http://"] {
        if let Some(rest) = issuer.strip_prefix(scheme) {
            return Some((
                format!("the issuer starts with `{scheme}`"),
                Some(format!("write it without the scheme: `oidc {rest}`")),
            ));
        }
    }
    let Some((host, path)) = issuer.split_once('/') else {
        return Some((
            "the issuer has no path".to_owned(),
            Some(
                "an EKS issuer looks like `oidc.eks.REGION.amazonaws.com/id/CLUSTER_ID`".to_owned(),
            ),
        ));
    };
    if host.is_empty() || path.is_empty() || path.ends_with('/') {
        return Some((
            "the issuer is not of the form `HOST/PATH`".to_owned(),
            Some(
                "an EKS issuer looks like `oidc.eks.REGION.amazonaws.com/id/CLUSTER_ID`".to_owned(),
            ),
        ));
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':')))
    {
        return Some((format!("the issuer's host holds `{c}`"), None));
    }
    None
}

/// `spinnaker NAME`: a DNS-1123 subdomain.
pub fn spinnaker_name(word: &Word) -> Result<String, Diagnostic> {
    match dns_subdomain_problem(&word.text) {
        None => Ok(word.text.clone()),
        Some(problem) => Err(Diagnostic::new(
            Code::InvalidSpinnakerName,
            word.span.clone(),
            format!(
                "`{}` is not a valid SpinnakerService name: {problem}",
                word.text
            ),
        )
        .with_span_label("not a DNS-1123 subdomain")
        .with_fix_opt(lowercase_fix(&word.text, dns_subdomain_problem))),
    }
}

/// `namespace NAME`: a DNS-1123 label.
pub fn namespace(word: &Word) -> Result<String, Diagnostic> {
    match dns_label_problem(&word.text) {
        None => Ok(word.text.clone()),
        Some(problem) => Err(Diagnostic::new(
            Code::InvalidNamespace,
            word.span.clone(),
            format!("`{}` is not a valid namespace: {problem}", word.text),
        )
        .with_span_label("not a DNS-1123 label")
        .with_fix_opt(lowercase_fix(&word.text, dns_label_problem))),
    }
}

/// `operator armory|oss`; `span` covers the whole statement.
pub fn operator(word: &Word) -> Result<Operator, Diagnostic> {
    match word.text.as_str() {
        "armory" => Ok(Operator::Armory),
        "oss" => Ok(Operator::Oss),
        other => Err(Diagnostic::new(
            Code::UnknownOperator,
            word.span.clone(),
            format!("unknown operator `{other}`"),
        )
        .with_span_label("expected `armory` or `oss`")
        .with_suggestion(
            other,
            &OPERATORS,
            "the operators are `armory` (Armory Enterprise) and `oss` (open-source Spinnaker)",
        )),
    }
}

/// `armory VERSION`: 2.26 or later.
pub fn armory_version(word: &Word) -> Result<(u64, u64), Diagnostic> {
    match parse_version(&word.text) {
        None => Err(Diagnostic::new(
            Code::InvalidArmoryVersion,
            word.span.clone(),
            format!("`{}` is not an Armory version", word.text),
        )
        .with_span_label("expected MAJOR.MINOR or MAJOR.MINOR.PATCH")
        .with_help("write the Armory Enterprise version, such as `armory 2.32.1`")),
        Some(version) if version < (2, 26) => Err(Diagnostic::new(
            Code::ArmoryTooOld,
            word.span.clone(),
            format!("Armory Enterprise {} does not support IRSA", word.text),
        )
        .with_span_label("below 2.26")
        .with_help("IRSA needs Armory Enterprise 2.26 or later: upgrade first")),
        Some(version) => Ok(version),
    }
}

/// `account ID`: 12 digits.
pub fn account(word: &Word) -> Result<String, Diagnostic> {
    match account_problem(&word.text) {
        None => Ok(word.text.clone()),
        Some(problem) => Err(
            Diagnostic::new(Code::InvalidAccountId, word.span.clone(), problem)
                .with_span_label("expected 12 digits"),
        ),
    }
}

/// `naming BASE`: derived names start with it, so it is a DNS subdomain.
pub fn naming(word: &Word) -> Result<String, Diagnostic> {
    match dns_subdomain_problem(&word.text) {
        None => Ok(word.text.clone()),
        Some(problem) => Err(Diagnostic::new(
            Code::InvalidServiceAccountName,
            word.span.clone(),
            format!(
                "`{}` cannot start ServiceAccount names: {problem}",
                word.text
            ),
        )
        .with_span_label("invalid name base")
        .with_fix_opt(lowercase_fix(&word.text, dns_subdomain_problem))),
    }
}

/// `oidc ISSUER`: `HOST/PATH`, no scheme.
pub fn oidc(word: &Word) -> Result<String, Diagnostic> {
    match oidc_problem(&word.text) {
        None => Ok(word.text.clone()),
        Some((problem, help)) => Err(Diagnostic::new(
            Code::InvalidOidcIssuer,
            word.span.clone(),
            format!("invalid OIDC issuer: {problem}"),
        )
        .with_span_label("expected HOST/PATH")
        .with_help_opt(help)),
    }
}

/// A service name of a binding's target list.
pub fn service(word: &Word) -> Result<String, Diagnostic> {
    if KNOWN_SERVICES.contains(&word.text.as_str()) {
        return Ok(word.text.clone());
    }
    Err(Diagnostic::new(
        Code::UnknownService,
        word.span.clone(),
        format!("unknown service `{}`", word.text),
    )
    .with_span_label("not a Spinnaker service")
    .with_suggestion(
        &word.text,
        &KNOWN_SERVICES,
        "see `irsa explain` or the book for the services irsa knows",
    ))
}

/// A ServiceAccount name, written with `as` (`written`) or derived.
pub fn service_account_name(
    name: &str,
    span: Range<usize>,
    written: bool,
) -> Result<(), Diagnostic> {
    let Some(problem) = dns_subdomain_problem(name) else {
        return Ok(());
    };
    let message = if written {
        format!("`{name}` is not a valid ServiceAccount name: {problem}")
    } else {
        format!("the derived ServiceAccount name `{name}` is invalid: {problem}")
    };
    let diagnostic = Diagnostic::new(Code::InvalidServiceAccountName, span, message)
        .with_span_label("not a DNS-1123 subdomain");
    Err(match lowercase_fix(name, dns_subdomain_problem) {
        Some(lower) => diagnostic.with_fix(lower),
        None => diagnostic.with_help(
            "name it with `as NAME`: lower-case letters, digits, `-` and `.`, at most 253",
        ),
    })
}

/// `audience STRING`: not empty.
pub fn audience(word: &Word) -> Result<String, Diagnostic> {
    if word.text.is_empty() {
        return Err(Diagnostic::new(
            Code::EmptyAudience,
            word.span.clone(),
            "the audience is empty",
        )
        .with_span_label("empty")
        .with_help("leave `audience` out for the default `sts.amazonaws.com`"));
    }
    Ok(word.text.clone())
}

/// A boolean setting: bare `true` or `false`.
pub fn boolean(setting: &str, word: &Word) -> Result<bool, Diagnostic> {
    match (word.text.as_str(), word.quoted) {
        ("true", false) => Ok(true),
        ("false", false) => Ok(false),
        (other, _) => Err(Diagnostic::new(
            Code::InvalidBool,
            word.span.clone(),
            format!("`{setting}` is `true` or `false`, not `{other}`"),
        )
        .with_span_label("expected `true` or `false`")
        .with_suggestion(
            &other.to_ascii_lowercase(),
            &BOOLEANS,
            "write `true` or `false`, without quotes",
        )),
    }
}

/// `token-expiration DURATION`: at least 600 seconds. Above a day is a
/// warning, [`long_token_expiration`].
pub fn token_expiration(word: &Word) -> Result<u64, Diagnostic> {
    match parse_duration(&word.text) {
        None => Err(Diagnostic::new(
            Code::InvalidDuration,
            word.span.clone(),
            format!("`{}` is not a duration", word.text),
        )
        .with_span_label("expected seconds or h/m/s units")
        .with_help("write seconds (`3600`) or hours, minutes and seconds in that order (`1h30m`)")),
        Some(seconds) if seconds < MIN_TOKEN_EXPIRATION => Err(Diagnostic::new(
            Code::TokenExpirationTooShort,
            word.span.clone(),
            format!("`token-expiration` is {seconds} seconds; the least is {MIN_TOKEN_EXPIRATION}"),
        )
        .with_span_label("below 600 seconds")
        .with_help(
            "the pod identity webhook would silently raise it to 600 (10m): write at least `10m`",
        )),
        Some(seconds) => Ok(seconds),
    }
}

/// The warning for a token that lives longer than the webhook allows.
pub fn long_token_expiration(seconds: u64, span: Range<usize>) -> Option<Diagnostic> {
    (seconds > MAX_TOKEN_EXPIRATION).then(|| {
        Diagnostic::new(
            Code::LongTokenExpiration,
            span,
            format!(
                "`token-expiration` is {seconds} seconds, more than a day ({MAX_TOKEN_EXPIRATION})"
            ),
        )
        .with_span_label("above 86400 seconds")
        .with_help("the webhook caps tokens at 24 hours: write at most `24h`")
    })
}

/// `annotation "KEY" "VALUE"`: a qualified-name key that irsa does not
/// write itself.
pub fn annotation(key: &Word, value: &Word) -> Result<(String, String), Diagnostic> {
    if RESERVED_ANNOTATIONS.contains(&key.text.as_str()) {
        let help = match key.text.as_str() {
            "eks.amazonaws.com/role-arn" => "the role comes from `-> role`".to_owned(),
            reserved => {
                let setting = reserved.trim_start_matches("eks.amazonaws.com/");
                format!("use the `{setting}` setting instead")
            }
        };
        return Err(Diagnostic::new(
            Code::ReservedAnnotation,
            key.span.clone(),
            format!("irsa writes the `{}` annotation itself", key.text),
        )
        .with_span_label("reserved annotation")
        .with_help(help));
    }
    if let Some(problem) = qualified_name_problem(&key.text) {
        return Err(Diagnostic::new(
            Code::InvalidAnnotationKey,
            key.span.clone(),
            format!(
                "`{}` is not a valid annotation key: {problem}",
                key.text.escape_debug()
            ),
        )
        .with_span_label("invalid key")
        .with_help(QUALIFIED_NAME_HELP));
    }
    Ok((key.text.clone(), value.text.clone()))
}

/// `label "KEY" "VALUE"`: a qualified-name key other than irsa's own, and
/// a label value.
pub fn label(key: &Word, value: &Word) -> Result<(String, String), Diagnostic> {
    if key.text == MANAGED_BY_LABEL {
        return Err(Diagnostic::new(
            Code::ReservedLabel,
            key.span.clone(),
            format!("the `{MANAGED_BY_LABEL}` label is always `irsa`"),
        )
        .with_span_label("reserved label")
        .with_help("irsa marks what it generates with this label; remove this line"));
    }
    if let Some(problem) = qualified_name_problem(&key.text) {
        return Err(Diagnostic::new(
            Code::InvalidLabelKey,
            key.span.clone(),
            format!(
                "`{}` is not a valid label key: {problem}",
                key.text.escape_debug()
            ),
        )
        .with_span_label("invalid key")
        .with_help(QUALIFIED_NAME_HELP));
    }
    if let Some(problem) = label_value_problem(&value.text) {
        return Err(Diagnostic::new(
            Code::InvalidLabelValue,
            value.span.clone(),
            format!(
                "`{}` is not a valid label value: {problem}",
                value.text.escape_debug()
            ),
        )
        .with_span_label("invalid value")
        .with_help("a label value is empty or up to 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit; use an `annotation` for free text"));
    }
    Ok((key.text.clone(), value.text.clone()))
}

/// `cluster NAME`: EKS's rule, 1–100 characters, a letter or digit first,
/// then letters, digits, `-` and `_`.
pub fn cluster_name(word: &Word) -> Result<String, Diagnostic> {
    let name = word.text.as_str();
    let length = name.chars().count();
    let problem = if name.is_empty() || length > 100 {
        Some(format!(
            "it is {length} characters long; EKS allows 1 to 100"
        ))
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        Some("it must start with a letter or digit".to_owned())
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
            .map(|c| format!("it holds `{c}`; EKS allows letters, digits, `-` and `_`"))
    };
    match problem {
        None => Ok(name.to_owned()),
        Some(problem) => Err(Diagnostic::new(
            Code::InvalidClusterName,
            word.span.clone(),
            format!("`{name}` is not an EKS cluster name: {problem}"),
        )
        .with_span_label("not a cluster name")
        .with_help("write the name `aws eks list-clusters` shows")),
    }
}

/// Whether a text has the shape of an AWS region: `us-west-2`,
/// `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`.
fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return false;
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
}

/// `region REGION`.
pub fn region(word: &Word) -> Result<String, Diagnostic> {
    if is_region(&word.text) {
        return Ok(word.text.clone());
    }
    let lower = word.text.to_ascii_lowercase();
    let diagnostic = Diagnostic::new(
        Code::InvalidRegion,
        word.span.clone(),
        format!("`{}` is not an AWS region", word.text),
    )
    .with_span_label("expected a region such as `us-west-2`");
    Err(if is_region(&lower) {
        diagnostic.with_fix(lower)
    } else {
        diagnostic.with_help("a region is written like `us-west-2`, `eu-central-1` or `cn-north-1`")
    })
}

/// The region of an EKS issuer, `oidc.eks.REGION.amazonaws.com[.cn]/…`.
pub fn region_of_issuer(issuer: &str) -> Option<&str> {
    let host = issuer.split('/').next()?;
    let rest = host.strip_prefix("oidc.eks.")?;
    let region = rest
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| rest.strip_suffix(".amazonaws.com"))?;
    is_region(region).then_some(region)
}

/// A managed policy ARN (`policy` and `boundary`):
/// `arn:PARTITION:iam::ACCOUNT:policy/[PATH/]NAME`, ACCOUNT 12 digits or
/// `aws` for AWS managed policies.
pub fn policy_arn(word: &Word) -> Result<String, Diagnostic> {
    let text = word.text.as_str();
    let invalid = |problem: String| {
        Diagnostic::new(
            Code::InvalidPolicyArn,
            word.span.clone(),
            format!("`{text}` is not a managed policy ARN: {problem}"),
        )
        .with_span_label("not a policy ARN")
        .with_help("a managed policy ARN looks like `arn:aws:iam::aws:policy/ReadOnlyAccess` or `arn:aws:iam::123456789012:policy/NAME`")
    };
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    let ["arn", partition_name, "iam", "", account, resource] = parts.as_slice() else {
        return Err(invalid(
            "expected `arn:PARTITION:iam::ACCOUNT:policy/NAME`".to_owned(),
        ));
    };
    let partition_at = word.span.start + 4;
    partition(
        partition_name,
        partition_at..partition_at + partition_name.len(),
    )?;
    if *account != "aws" && account_problem(account).is_some() {
        return Err(invalid(format!(
            "the account `{account}` is neither 12 digits nor `aws`"
        )));
    }
    let Some(path_and_name) = resource.strip_prefix("policy/") else {
        return Err(invalid("the resource is not `policy/…`".to_owned()));
    };
    let (path, name) = split_role_path(path_and_name);
    let length = name.chars().count();
    if name.is_empty() || length > 128 {
        return Err(invalid(format!(
            "the policy name is {length} characters long; IAM allows 1 to 128"
        )));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c)))
    {
        return Err(invalid(format!(
            "the policy name holds `{c}`; IAM allows letters, digits and `_+=,.@-`"
        )));
    }
    if path.contains("//") || path.chars().any(|c| !('!'..='~').contains(&c)) {
        return Err(invalid(
            "the path is not `/` or `/segment/…/` of printable ASCII".to_owned(),
        ));
    }
    Ok(text.to_owned())
}

/// `max-session DURATION`: 1 to 12 hours, in seconds.
pub fn max_session(word: &Word) -> Result<u64, Diagnostic> {
    let Some(seconds) = parse_duration(&word.text) else {
        return Err(Diagnostic::new(
            Code::InvalidDuration,
            word.span.clone(),
            format!("`{}` is not a duration", word.text),
        )
        .with_span_label("expected seconds or h/m/s units")
        .with_help(
            "write seconds (`3600`) or hours, minutes and seconds in that order (`1h30m`)",
        ));
    };
    if (3600..=43_200).contains(&seconds) {
        return Ok(seconds);
    }
    Err(Diagnostic::new(
        Code::InvalidMaxSession,
        word.span.clone(),
        format!("`max-session` is {seconds} seconds; IAM allows 3600 (1h) to 43200 (12h)"),
    )
    .with_span_label("outside 1h to 12h")
    .with_help("write a duration from `1h` to `12h`"))
}

/// `description "TEXT"`: at most 1000 characters of IAM's set (tab, line
/// ends, printable ASCII, U+00A1–U+00FF).
pub fn description(word: &Word) -> Result<String, Diagnostic> {
    let text = word.text.as_str();
    let length = text.chars().count();
    let problem = if length > 1000 {
        Some(format!("it is {length} characters long; IAM allows 1000"))
    } else {
        text.chars()
            .find(|&c| {
                !(matches!(c, '\t' | '\n' | '\r')
                    || (' '..='~').contains(&c)
                    || ('\u{a1}'..='\u{ff}').contains(&c))
            })
            .map(|c| format!("it holds {}, which IAM does not allow", shown_char(c)))
    };
    match problem {
        None => Ok(text.to_owned()),
        Some(problem) => Err(Diagnostic::new(
            Code::InvalidDescription,
            word.span.clone(),
            format!("invalid role description: {problem}"),
        )
        .with_span_label("invalid description")
        .with_help(
            "IAM descriptions are printable ASCII and Latin-1 letters, at most 1000 characters",
        )),
    }
}

fn shown_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    }
}

/// `tag "KEY" "VALUE"`: IAM's tag rules; irsa's own tag is reserved.
pub fn tag(key: &Word, value: &Word) -> Result<(String, String), Diagnostic> {
    if key.text == MANAGED_BY_LABEL {
        return Err(Diagnostic::new(
            Code::ReservedTag,
            key.span.clone(),
            format!("the `{MANAGED_BY_LABEL}` tag is always `irsa`"),
        )
        .with_span_label("reserved tag")
        .with_help("irsa tags every role it manages with it; remove this line"));
    }
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    let invalid = |word: &Word, problem: String| {
        Diagnostic::new(Code::InvalidTag, word.span.clone(), problem)
            .with_span_label("invalid tag")
            .with_help("tag keys are 1 to 128 and values 0 to 256 letters, digits, spaces and `_ . : / = + - @`; keys may not start with `aws:`")
    };
    let key_length = key.text.chars().count();
    if key.text.is_empty() || key_length > 128 {
        return Err(invalid(
            key,
            format!("the tag key is {key_length} characters long; IAM allows 1 to 128"),
        ));
    }
    if key
        .text
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
    {
        return Err(invalid(
            key,
            format!(
                "the tag key `{}` starts with `aws:`, which AWS reserves",
                key.text
            ),
        ));
    }
    if let Some(c) = key.text.chars().find(|&c| !allowed(c)) {
        return Err(invalid(
            key,
            format!(
                "the tag key holds {}, which IAM does not allow",
                shown_char(c)
            ),
        ));
    }
    let value_length = value.text.chars().count();
    if value_length > 256 {
        return Err(invalid(
            value,
            format!("the tag value is {value_length} characters long; IAM allows 256"),
        ));
    }
    if let Some(c) = value.text.chars().find(|&c| !allowed(c)) {
        return Err(invalid(
            value,
            format!(
                "the tag value holds {}, which IAM does not allow",
                shown_char(c)
            ),
        ));
    }
    Ok((key.text.clone(), value.text.clone()))
}

/// `identity irsa|pod-identity|both`.
pub fn identity(word: &Word) -> Result<Identity, Diagnostic> {
    match (word.text.as_str(), word.quoted) {
        ("irsa", false) => Ok(Identity::Irsa),
        ("pod-identity", false) => Ok(Identity::PodIdentity),
        ("both", false) => Ok(Identity::Both),
        (other, _) => Err(Diagnostic::new(
            Code::InvalidIdentity,
            word.span.clone(),
            format!("unknown identity `{other}`"),
        )
        .with_span_label("expected `irsa`, `pod-identity` or `both`")
        .with_suggestion(
            &other.to_ascii_lowercase(),
            &IDENTITIES,
            "write `irsa` (annotations), `pod-identity` (an EKS Pod Identity association) or `both` (while migrating)",
        )),
    }
}

const QUALIFIED_NAME_HELP: &str =
    "a key is `[PREFIX/]NAME`: a DNS subdomain, `/`, and up to 63 letters, digits, `-`, `_` or `.`";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3600"), Some(3600));
        assert_eq!(parse_duration("90m"), Some(5400));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("1h30m15s"), Some(5415));
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("30m1h"), None);
        assert_eq!(parse_duration("1h1h"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration(""), None);
        assert_eq!(parse_duration("1d"), None);
        assert_eq!(parse_duration("99999999999999999999999h"), None);
    }

    #[test]
    fn dns_names() {
        assert_eq!(dns_label_problem("spinnaker"), None);
        assert!(dns_label_problem("a.b").is_some());
        assert!(dns_label_problem(&"a".repeat(64)).is_some());
        assert_eq!(dns_label_problem(&"a".repeat(63)), None);
        assert_eq!(dns_subdomain_problem("a.b-c"), None);
        assert!(dns_subdomain_problem("a..b").is_some());
        assert!(dns_subdomain_problem("-a").is_some());
        assert!(dns_subdomain_problem("Spin").is_some());
        assert_eq!(dns_subdomain_problem(&"a".repeat(253)), None);
        assert!(dns_subdomain_problem(&"a".repeat(254)).is_some());
    }

    #[test]
    fn qualified_names() {
        assert_eq!(qualified_name_problem("example.com/team"), None);
        assert_eq!(qualified_name_problem("team"), None);
        assert!(qualified_name_problem("Example.com/team").is_some());
        assert!(qualified_name_problem("a/").is_some());
        assert!(qualified_name_problem("a b").is_some());
        assert_eq!(label_value_problem(""), None);
        assert!(label_value_problem("-x").is_some());
    }

    #[test]
    fn roles() {
        let defaults = RoleDefaults {
            account: Some("123456789012"),
            partition: "aws-cn",
        };
        let role = parse_role("bakery/rosco", 0, defaults).map(|r| r.arn());
        assert_eq!(
            role,
            Ok("arn:aws-cn:iam::123456789012:role/bakery/rosco".to_owned())
        );
        let full =
            parse_role("arn:aws:iam::000000000000:role/a/b/c", 10, defaults).map(|r| r.arn());
        assert_eq!(full, Ok("arn:aws:iam::000000000000:role/a/b/c".to_owned()));
        let code = |text: &str| parse_role(text, 0, defaults).err().map(|d| d.code);
        assert_eq!(
            code("arn:aws:s3::000000000000:role/x"),
            Some(Code::NotIamArn)
        );
        assert_eq!(
            code("arn:aws:iam::0000:role/x"),
            Some(Code::InvalidAccountId)
        );
        assert_eq!(
            code("arn:aws:iam::000000000000:user/x"),
            Some(Code::NotRoleArn)
        );
        assert_eq!(
            code("arn:awz:iam::000000000000:role/x"),
            Some(Code::UnknownPartition)
        );
        assert_eq!(
            code("arn:aws:iam:us-east-1:000000000000:role/x"),
            Some(Code::MalformedArn)
        );
        assert_eq!(code("arn:aws:iam"), Some(Code::MalformedArn));
        assert_eq!(code(&"r".repeat(65)), Some(Code::InvalidRoleName));
        assert_eq!(code(&"r".repeat(64)), None);
        assert_eq!(code("a//b"), Some(Code::InvalidRolePath));
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("2.26"), Some((2, 26)));
        assert_eq!(parse_version("2.32.1"), Some((2, 32)));
        assert_eq!(parse_version("2"), None);
        assert_eq!(parse_version("2.x"), None);
    }
}

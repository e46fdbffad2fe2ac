//! Validation: the rules of LANGUAGE.md section 6. The value checkers here
//! are called by lowering as it reads each value (so a value is reported
//! once, where it is written); [`validate`] checks the resolved installation
//! as a whole.

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::emit;
use crate::ir::{Install, Operator, Role};

/// AWS partitions that IAM knows.
pub const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

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

/// A help text with the name fixed, when lower-casing is the whole fix.
pub fn lowercase_help(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    (lower != name && dns_subdomain_problem(&lower).is_none())
        .then(|| format!("did you mean `{lower}`?"))
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

pub fn partition_diagnostic(partition: &str, span: Range<usize>) -> Option<Diagnostic> {
    if PARTITIONS.contains(&partition) {
        return None;
    }
    let help = match did_you_mean(partition, &PARTITIONS) {
        Some(guess) => format!("did you mean `{guess}`?"),
        None => format!("the partitions are {}", PARTITIONS.join(", ")),
    };
    Some(
        Diagnostic::new(
            Code::UnknownPartition,
            span,
            format!("unknown AWS partition `{partition}`"),
        )
        .with_span_label("not a partition")
        .with_help(help),
    )
}

/// The account and partition that short role names expand with.
#[derive(Debug, Clone, Copy)]
pub struct RoleDefaults<'a> {
    pub account: Option<&'a str>,
    pub partition: &'a str,
    /// Whether an `account` statement was written but did not parse or
    /// validate (then a short role is not reported again).
    pub account_broken: bool,
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
    let [_, partition, service, region, account, resource] = parts.as_slice() else {
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
    let service_at = partition_at + partition.len() + 1;
    let region_at = service_at + service.len() + 1;
    let account_at = region_at + region.len() + 1;
    let resource_at = account_at + account.len() + 1;
    if let Some(diagnostic) = partition_diagnostic(partition, at(partition_at, partition.len())) {
        return Err(diagnostic);
    }
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
        partition: (*partition).to_owned(),
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

/// Checks of the installation as a whole, after lowering.
pub fn validate(install: &Install, armory: Option<&Armory>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if let Some(armory) = armory
        && install.operator.value == Operator::Oss
    {
        diagnostics.push(
                Diagnostic::new(
                    Code::ArmoryWithOss,
                    armory.span.clone(),
                    "`armory` names an Armory Enterprise version, but the operator is the open-source one",
                )
                .with_span_label("Armory Enterprise version")
                .with_label(install.operator.span.clone(), "open-source operator chosen here")
                .with_help("remove `armory`, or use `operator armory`"),
            );
    }
    check_role_names(install, &mut diagnostics);
    check_roles_per_service_account(install, &mut diagnostics);
    for policy in &install.trust_policies {
        let size = emit::trust_policy_compact_len(policy);
        if size > TRUST_POLICY_QUOTA {
            diagnostics.push(
                Diagnostic::new(
                    Code::TrustPolicyTooLarge,
                    policy.role.span.clone(),
                    format!(
                        "the trust policy of `{}` is {size} characters; IAM's default quota is {TRUST_POLICY_QUOTA}",
                        policy.role.name
                    ),
                )
                .with_span_label("this role's trust policy")
                .with_help("bind fewer ServiceAccounts to this role, or ask AWS to raise the quota (up to 4096)"),
            );
        }
    }
    diagnostics
}

/// `armory VERSION`, for the whole-installation checks.
#[derive(Debug, Clone)]
pub struct Armory {
    pub span: Range<usize>,
}

/// IAM role names are unique in an account whatever their path, so one name
/// with two paths in one account cannot be two real roles.
fn check_role_names(install: &Install, diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, &str, &str), &Role> = HashMap::new();
    for account in &install.service_accounts {
        let role = &account.role;
        let key = (
            role.partition.as_str(),
            role.account.as_str(),
            role.name.as_str(),
        );
        match seen.get(&key) {
            Some(first) if first.path != role.path => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::RoleNameReused,
                        role.span.clone(),
                        format!(
                            "account {} has one role named `{}`, but it is given here with the path `{}` and before with `{}`",
                            role.account, role.name, role.path, first.path
                        ),
                    )
                    .with_span_label("a second path")
                    .with_label(first.span.clone(), "first given here")
                    .with_help("IAM role names are unique in an account whatever their path: use one path"),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(key, role);
            }
        }
    }
}

fn check_roles_per_service_account(install: &Install, diagnostics: &mut Vec<Diagnostic>) {
    let mut by_role: Vec<(&Role, Vec<&crate::ir::ServiceAccount>)> = Vec::new();
    for account in &install.service_accounts {
        match by_role
            .iter_mut()
            .find(|(role, _)| role.same_role(&account.role))
        {
            Some((_, accounts)) => accounts.push(account),
            None => by_role.push((&account.role, vec![account])),
        }
    }
    for (role, accounts) in by_role {
        if let (Some(first), Some(fifth)) = (
            accounts.first(),
            accounts.get(MAX_SERVICE_ACCOUNTS_PER_ROLE),
        ) {
            let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
            diagnostics.push(
                Diagnostic::new(
                    Code::RoleOnManyServiceAccounts,
                    fifth.role.span.clone(),
                    format!(
                        "the role `{}` is bound to {} ServiceAccounts: {}",
                        role.arn(),
                        accounts.len(),
                        names.join(", ")
                    ),
                )
                .with_span_label("a fifth ServiceAccount for this role")
                .with_label(first.role.span.clone(), "first bound here")
                .with_help("give these services one shared ServiceAccount with `as NAME`, or split the role"),
            );
        }
    }
}

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
            account_broken: false,
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

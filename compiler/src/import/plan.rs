//! The statements a person would write for what `collect` found: `*` for
//! the `spinnaker` key, a list for a run of services on one ServiceAccount
//! (or on derived ones with the same role and settings), `as` only where
//! the name is not the derived one, `naming` when it saves `as`, `account`
//! with short role names when every role shares an account, the settings
//! every generated ServiceAccount shares in `defaults`.

use std::collections::BTreeSet;

use super::Origin;
use super::collect::{Account, Found, Operator, Setting};
use super::write::bare;

const DEFAULT_BASE: &str = "spin-sa";

/// One `service` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Binding {
    /// `*` is the key `spinnaker`.
    pub targets: Vec<String>,
    /// The role as written (short or full ARN), when irsa generates the
    /// ServiceAccount.
    pub role: Option<String>,
    pub role_origin: Origin,
    /// `as SA`, when needed.
    pub service_account: Option<String>,
    /// The ServiceAccount's name (derived or not).
    pub account_name: String,
    /// The block: settings not in `defaults`.
    pub settings: Vec<(Setting, Origin)>,
    /// The first `serviceAccountName` key.
    pub origin: Origin,
}

#[derive(Debug)]
pub(super) struct Plan {
    /// Each header statement with the place it came from.
    pub header: Vec<(String, Origin)>,
    pub defaults: Vec<(Setting, Origin)>,
    pub bindings: Vec<Binding>,
}

pub(super) fn plan(found: &Found) -> Plan {
    let base = naming_base(found);
    let roles = Roles::of(found);
    let mut header = Vec::new();
    if found.name != "spinnaker" {
        header.push((format!("spinnaker {}", bare(&found.name)), found.origin));
    }
    if let Some(namespace) = &found.namespace {
        header.push((format!("namespace {}", bare(namespace)), found.origin));
    }
    if found.operator == Operator::Oss {
        header.push(("operator oss".to_owned(), found.origin));
    }
    if base != DEFAULT_BASE {
        header.push((format!("naming {}", bare(&base)), found.origin));
    }
    if let Some((partition, account, origin)) = &roles.shared {
        header.push((format!("account {}", bare(account)), *origin));
        if partition != "aws" {
            header.push((format!("partition {}", bare(partition)), *origin));
        }
    }
    let mut bindings = bindings(found, &base, &roles);
    let defaults = extract_defaults(&base, &mut bindings);
    Plan {
        header,
        defaults,
        bindings,
    }
}

fn derived(base: &str, key: &str) -> String {
    if key == "spinnaker" {
        base.to_owned()
    } else {
        format!("{base}-{key}")
    }
}

/// `spin-sa`, or the name of the `spinnaker` key's ServiceAccount when at
/// least two more generated ServiceAccounts derive from it than from
/// `spin-sa` (`naming`).
fn naming_base(found: &Found) -> String {
    let saved = |base: &str| {
        found
            .entries
            .iter()
            .filter(|e| generated(found, &e.service_account).is_some())
            .filter(|e| e.service_account == derived(base, &e.key))
            .count()
    };
    let candidate = found
        .entries
        .iter()
        .find(|e| e.key == "spinnaker")
        .filter(|e| generated(found, &e.service_account).is_some())
        .map(|e| e.service_account.clone());
    match candidate {
        // A `naming` statement is worth it when it saves two `as` or more.
        Some(base) if saved(&base) >= saved(DEFAULT_BASE) + 2 => base,
        _ => DEFAULT_BASE.to_owned(),
    }
}

/// The account, when irsa generates this ServiceAccount (it has a role).
fn generated<'f>(found: &'f Found, name: &str) -> Option<&'f Account> {
    found.accounts.get(name).filter(|a| a.role.is_some())
}

/// How roles are written.
struct Roles {
    /// The partition and account every role shares, if one.
    shared: Option<(String, String, Origin)>,
}

impl Roles {
    fn of(found: &Found) -> Roles {
        let mut shared: Option<(String, String, Origin)> = None;
        let mut all_parse = true;
        let mut any = false;
        for entry in &found.entries {
            let Some((arn, origin)) =
                generated(found, &entry.service_account).and_then(|a| a.role.as_ref())
            else {
                continue;
            };
            any = true;
            match (parse_arn(arn), &shared) {
                (Some((p, a, _)), None) => shared = Some((p.to_owned(), a.to_owned(), *origin)),
                (Some((p, a, _)), Some((sp, sa, _))) if p == sp && a == sa => {}
                _ => all_parse = false,
            }
        }
        Roles {
            shared: shared.filter(|_| all_parse && any),
        }
    }

    fn written(&self, arn: &str) -> String {
        match (&self.shared, parse_arn(arn)) {
            (Some((sp, sa, _)), Some((p, a, short))) if sp == p && sa == a => short.to_owned(),
            _ => arn.to_owned(),
        }
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/REST` → (partition, account, rest).
fn parse_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (arn_word, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let short = resource.strip_prefix("role/")?;
    (arn_word == "arn"
        && service == "iam"
        && region.is_empty()
        && !partition.is_empty()
        && !account.is_empty()
        && !short.is_empty())
    .then_some((partition, account, short))
}

fn bindings(found: &Found, base: &str, roles: &Roles) -> Vec<Binding> {
    let mut star = None;
    let mut bindings: Vec<Binding> = Vec::new();
    for entry in &found.entries {
        let account = generated(found, &entry.service_account);
        let binding = Binding {
            targets: vec![entry.key.clone()],
            role: account
                .and_then(|a| a.role.as_ref())
                .map(|(arn, _)| roles.written(arn)),
            role_origin: account
                .and_then(|a| a.role.as_ref())
                .map_or(entry.origin, |(_, origin)| *origin),
            service_account: None,
            account_name: entry.service_account.clone(),
            settings: account.map(|a| a.settings.clone()).unwrap_or_default(),
            origin: entry.origin,
        };
        if entry.key == "spinnaker" {
            star = Some(binding);
            continue;
        }
        // A run of adjacent keys on one ServiceAccount is one list.
        match bindings.last_mut() {
            Some(last) if last.account_name == binding.account_name => {
                last.targets.push(entry.key.clone());
            }
            _ => bindings.push(binding),
        }
    }
    for binding in bindings.iter_mut().chain(star.iter_mut()) {
        let derived_name = binding
            .targets
            .first()
            .map(|key| derived(base, key))
            .unwrap_or_default();
        let needs_as = binding.role.is_none()
            || binding.targets.len() > 1
            || binding.account_name != derived_name;
        binding.service_account = needs_as.then(|| binding.account_name.clone());
    }
    // `*` goes in first: it splits the runs that merging may join.
    if let Some(star) = star {
        let at = star_position(found, base, &bindings, &star);
        bindings.insert(at, star);
    }
    merge_derived_runs(bindings)
}

/// Adjacent bindings without `as` (derived names), with the same role and
/// settings, become one list: `service front50, kayenta -> role storage`.
fn merge_derived_runs(bindings: Vec<Binding>) -> Vec<Binding> {
    let mut merged: Vec<Binding> = Vec::new();
    for binding in bindings {
        match merged.last_mut() {
            Some(last)
                if !is_star(last)
                    && !is_star(&binding)
                    && last.service_account.is_none()
                    && binding.service_account.is_none()
                    && last.role == binding.role
                    && same_settings(&last.settings, &binding.settings) =>
            {
                last.targets.extend(binding.targets);
            }
            _ => merged.push(binding),
        }
    }
    merged
}

fn is_star(binding: &Binding) -> bool {
    binding.targets.iter().any(|t| t == "spinnaker")
}

fn same_settings(a: &[(Setting, Origin)], b: &[(Setting, Origin)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0)
}

/// The ServiceAccounts a binding generates.
fn generates(base: &str, binding: &Binding) -> Vec<String> {
    match (&binding.role, &binding.service_account) {
        (None, _) => Vec::new(),
        (Some(_), Some(name)) => vec![name.clone()],
        (Some(_), None) => binding.targets.iter().map(|k| derived(base, k)).collect(),
    }
}

/// Where the `*` binding goes so that compiling keeps the input's order of
/// ServiceAccounts (its place in service-settings is always first).
fn star_position(found: &Found, base: &str, bindings: &[Binding], star: &Binding) -> usize {
    let order = |name: &str| found.accounts.get(name).map(|a| a.order);
    let Some(star_order) = generates(base, star).first().and_then(|n| order(n)) else {
        return 0;
    };
    // As early as the ServiceAccounts generated before it allow.
    let mut seen = BTreeSet::new();
    let mut at = 0;
    for (index, binding) in bindings.iter().enumerate() {
        for name in generates(base, binding) {
            if !seen.insert(name.clone()) {
                continue;
            }
            match order(&name) {
                Some(o) if o > star_order => return at,
                Some(_) => at = index + 1,
                None => {}
            }
        }
    }
    at
}

/// Settings every generated ServiceAccount shares, when there are two or
/// more, move to `defaults`.
fn extract_defaults(base: &str, bindings: &mut [Binding]) -> Vec<(Setting, Origin)> {
    let generating: Vec<&Binding> = bindings.iter().filter(|b| b.role.is_some()).collect();
    let count = generating
        .iter()
        .flat_map(|b| generates(base, b))
        .collect::<BTreeSet<String>>()
        .len();
    let Some(first) = generating.first() else {
        return Vec::new();
    };
    if count < 2 {
        return Vec::new();
    }
    let shared: Vec<(Setting, Origin)> = first
        .settings
        .iter()
        .filter(|(setting, _)| {
            generating
                .iter()
                .all(|b| b.settings.iter().any(|(s, _)| s == setting))
        })
        .cloned()
        .collect();
    for binding in bindings.iter_mut() {
        binding
            .settings
            .retain(|(setting, _)| !shared.iter().any(|(s, _)| s == setting));
    }
    shared
}

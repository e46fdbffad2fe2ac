//! Lowering: the syntax tree → the IR. Resolves defaults, derives
//! ServiceAccount names, expands short role names, merges bindings that
//! share a ServiceAccount and builds trust policies. Each value is checked
//! once, where it is written.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::rc::Rc;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::ir::{Install, Operator, Role, ServiceAccount, ServiceSetting, Spanned, TrustPolicy};
use crate::services::KNOWN_SERVICES;
use crate::syntax::{Keyword, LineKind, Setting, SettingKind, Statement, SyntaxTree, Target, Word};
use crate::validate::{
    self, Armory, MANAGED_BY_LABEL, MAX_TOKEN_EXPIRATION, MIN_TOKEN_EXPIRATION,
    RESERVED_ANNOTATIONS, RoleDefaults,
};

/// The ServiceAccount name base without `naming`.
pub const DEFAULT_NAMING: &str = "spin-sa";
pub const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";
/// The `service-settings` key of `*`.
pub const GLOBAL_KEY: &str = "spinnaker";

/// The result of lowering: the installation (when the file had at least the
/// shape of one) and what `armory` said, for validation.
#[derive(Debug)]
pub struct Lowered {
    pub install: Install,
    pub armory: Option<Armory>,
}

/// Settings of one block, each value checked.
#[derive(Debug, Default, Clone)]
struct BlockSettings {
    audience: Option<String>,
    sts_regional_endpoints: Option<bool>,
    token_expiration: Option<u64>,
    annotations: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
}

impl BlockSettings {
    /// `self` over `defaults`, key by key.
    fn over(&self, defaults: &BlockSettings) -> BlockSettings {
        let mut annotations = defaults.annotations.clone();
        annotations.extend(self.annotations.clone());
        let mut labels = defaults.labels.clone();
        labels.extend(self.labels.clone());
        BlockSettings {
            audience: self.audience.clone().or_else(|| defaults.audience.clone()),
            sts_regional_endpoints: self
                .sts_regional_endpoints
                .or(defaults.sts_regional_endpoints),
            token_expiration: self.token_expiration.or(defaults.token_expiration),
            annotations,
            labels,
        }
    }
}

pub fn lower(tree: &SyntaxTree) -> (Lowered, Vec<Diagnostic>) {
    // Each block's settings, by the index of the line that opened it: one
    // pass, not one per block.
    let mut settings_by_owner: HashMap<usize, Vec<&Setting>> = HashMap::new();
    for line in &tree.lines {
        if let LineKind::Setting(setting) = &line.kind
            && let Some(owner) = setting.owner
        {
            settings_by_owner.entry(owner).or_default().push(setting);
        }
    }
    let mut lowering = Lowering {
        tree,
        settings_by_owner,
        diagnostics: Vec::new(),
    };
    let lowered = lowering.run();
    (lowered, lowering.diagnostics)
}

struct Lowering<'t> {
    tree: &'t SyntaxTree,
    settings_by_owner: HashMap<usize, Vec<&'t Setting>>,
    diagnostics: Vec<Diagnostic>,
}

impl<'t> Lowering<'t> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn statement_broken(&self, keyword: &str) -> bool {
        self.tree.invalid_statements.contains(&keyword)
    }

    fn run(&mut self) -> Lowered {
        let singles = self.singleton_statements();
        let value = |keyword: Keyword| singles.get(&keyword).map(|(_, word)| *word);

        let name = match value(Keyword::Spinnaker) {
            Some(word) => {
                if let Some(problem) = validate::dns_subdomain_problem(&word.text) {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidSpinnakerName,
                            word.span.clone(),
                            format!(
                                "`{}` is not a valid SpinnakerService name: {problem}",
                                word.text
                            ),
                        )
                        .with_span_label("not a DNS-1123 subdomain")
                        .with_help_opt(validate::lowercase_help(&word.text)),
                    );
                }
                Spanned::new(word.text.clone(), word.span.clone())
            }
            None => Spanned::new(GLOBAL_KEY.to_owned(), 0..0),
        };

        let namespace =
            value(Keyword::Namespace).and_then(|word| {
                match validate::dns_label_problem(&word.text) {
                    Some(problem) => {
                        self.report(
                            Diagnostic::new(
                                Code::InvalidNamespace,
                                word.span.clone(),
                                format!("`{}` is not a valid namespace: {problem}", word.text),
                            )
                            .with_span_label("not a DNS-1123 label")
                            .with_help_opt(
                                validate::lowercase_help(&word.text).filter(|_| {
                                    validate::dns_label_problem(&word.text.to_ascii_lowercase())
                                        .is_none()
                                }),
                            ),
                        );
                        None
                    }
                    None => Some(Spanned::new(word.text.clone(), word.span.clone())),
                }
            });
        let namespace_broken = self.statement_broken("namespace")
            || (value(Keyword::Namespace).is_some() && namespace.is_none());

        let operator = match singles.get(&Keyword::Operator) {
            Some((keyword_span, word)) => {
                let span = keyword_span.start..word.span.end;
                match word.text.as_str() {
                    "armory" => Spanned::new(Operator::Armory, span),
                    "oss" => Spanned::new(Operator::Oss, span),
                    other => {
                        let help = match did_you_mean(other, &["armory", "oss"]) {
                            Some(guess) => format!("did you mean `{guess}`?"),
                            None => "the operators are `armory` (Armory Enterprise) and `oss` (open-source Spinnaker)".to_owned(),
                        };
                        self.report(
                            Diagnostic::new(
                                Code::UnknownOperator,
                                word.span.clone(),
                                format!("unknown operator `{other}`"),
                            )
                            .with_span_label("expected `armory` or `oss`")
                            .with_help(help),
                        );
                        Spanned::new(Operator::Armory, 0..0)
                    }
                }
            }
            None => Spanned::new(Operator::Armory, 0..0),
        };

        let armory = value(Keyword::Armory).map(|word| {
            match validate::parse_version(&word.text) {
                None => self.report(
                    Diagnostic::new(
                        Code::InvalidArmoryVersion,
                        word.span.clone(),
                        format!("`{}` is not an Armory version", word.text),
                    )
                    .with_span_label("expected MAJOR.MINOR or MAJOR.MINOR.PATCH")
                    .with_help("write the Armory Enterprise version, such as `armory 2.32.1`"),
                ),
                Some(version) if version < (2, 26) => self.report(
                    Diagnostic::new(
                        Code::ArmoryTooOld,
                        word.span.clone(),
                        format!("Armory Enterprise {} does not support IRSA", word.text),
                    )
                    .with_span_label("below 2.26")
                    .with_help("IRSA needs Armory Enterprise 2.26 or later: upgrade first"),
                ),
                Some(_) => {}
            }
            Armory {
                span: word.span.clone(),
            }
        });

        let account =
            value(Keyword::Account).and_then(|word| match validate::account_problem(&word.text) {
                Some(problem) => {
                    self.report(
                        Diagnostic::new(Code::InvalidAccountId, word.span.clone(), problem)
                            .with_span_label("expected 12 digits"),
                    );
                    None
                }
                None => Some(word.text.as_str()),
            });
        let account_broken = self.statement_broken("account")
            || (value(Keyword::Account).is_some() && account.is_none());

        let partition = match value(Keyword::Partition) {
            Some(word) => match validate::partition_diagnostic(&word.text, word.span.clone()) {
                Some(diagnostic) => {
                    self.report(diagnostic);
                    "aws"
                }
                None => word.text.as_str(),
            },
            None => "aws",
        };

        let naming = match value(Keyword::Naming) {
            Some(word) => match validate::dns_subdomain_problem(&word.text) {
                Some(problem) => {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidServiceAccountName,
                            word.span.clone(),
                            format!(
                                "`{}` cannot start ServiceAccount names: {problem}",
                                word.text
                            ),
                        )
                        .with_span_label("invalid name base")
                        .with_help_opt(validate::lowercase_help(&word.text)),
                    );
                    None
                }
                None => Some(word.text.as_str()),
            },
            None => Some(DEFAULT_NAMING),
        };

        let oidc = value(Keyword::Oidc).and_then(|word| match validate::oidc_problem(&word.text) {
            Some((problem, help)) => {
                self.report(
                    Diagnostic::new(
                        Code::InvalidOidcIssuer,
                        word.span.clone(),
                        format!("invalid OIDC issuer: {problem}"),
                    )
                    .with_span_label("expected HOST/PATH")
                    .with_help_opt(help),
                );
                None
            }
            None => Some(Spanned::new(word.text.clone(), word.span.clone())),
        });
        if let (Some(oidc), None, false) = (&oidc, &namespace, namespace_broken) {
            self.report(
                Diagnostic::new(
                    Code::OidcWithoutNamespace,
                    oidc.span.clone(),
                    "a trust policy names its ServiceAccounts by namespace, but the file has no `namespace` statement",
                )
                .with_span_label("trust policies are asked for here")
                .with_help("add `namespace NAME`: the namespace Spinnaker runs in"),
            );
        }

        let defaults = self.defaults_block();
        let role_defaults = RoleDefaults {
            account,
            partition,
            account_broken,
        };
        let (service_accounts, service_settings) = self.bindings(naming, &defaults, role_defaults);

        let trust_policies = match (&oidc, &namespace) {
            (Some(oidc), Some(namespace)) => {
                trust_policies(&service_accounts, &oidc.value, &namespace.value)
            }
            _ => Vec::new(),
        };
        Lowered {
            install: Install {
                name,
                namespace,
                operator,
                oidc,
                service_accounts,
                service_settings,
                trust_policies,
            },
            armory,
        }
    }

    /// The statements that may appear once: the first of each, keyword span
    /// and value. Later ones are reported.
    fn singleton_statements(&mut self) -> HashMap<Keyword, (Range<usize>, &'t Word)> {
        let mut seen: HashMap<Keyword, (Range<usize>, &'t Word)> = HashMap::new();
        let mut defaults_seen: Option<Range<usize>> = None;
        for line in &self.tree.lines {
            let LineKind::Statement(statement) = &line.kind else {
                continue;
            };
            let (name, keyword_span, first) = match statement {
                Statement::Simple {
                    keyword,
                    keyword_span,
                    value,
                } => {
                    let first = seen.get(keyword).map(|(span, _)| span.clone());
                    if first.is_none() {
                        seen.insert(*keyword, (keyword_span.clone(), value));
                    }
                    (keyword.as_str(), keyword_span, first)
                }
                Statement::Defaults { keyword_span, .. } => {
                    let first = defaults_seen.clone();
                    defaults_seen.get_or_insert_with(|| keyword_span.clone());
                    ("defaults", keyword_span, first)
                }
                Statement::Service(_) => continue,
            };
            if let Some(first) = first {
                self.report(
                    Diagnostic::new(
                        Code::RepeatedStatement,
                        keyword_span.clone(),
                        format!("`{name}` is given twice"),
                    )
                    .with_span_label("repeated here")
                    .with_label(first, "first given here")
                    .with_help(format!(
                        "a file has at most one `{name}` statement: remove one"
                    )),
                );
            }
        }
        seen
    }

    /// The settings of the block opened by line `owner`.
    fn settings_of(&self, owner: usize) -> Vec<&'t Setting> {
        self.settings_by_owner
            .get(&owner)
            .cloned()
            .unwrap_or_default()
    }

    /// The first `defaults` block's settings.
    fn defaults_block(&mut self) -> BlockSettings {
        let owner =
            self.tree.lines.iter().position(|line| {
                matches!(line.kind, LineKind::Statement(Statement::Defaults { .. }))
            });
        match owner {
            Some(owner) => self.block(owner),
            None => BlockSettings::default(),
        }
    }

    /// Reads and checks the settings of one block.
    fn block(&mut self, owner: usize) -> BlockSettings {
        let mut settings = BlockSettings::default();
        // First occurrence of each setting (of each key, for annotations
        // and labels), for "twice" errors.
        let mut seen: HashMap<(SettingKind, String), Range<usize>> = HashMap::new();
        for setting in self.settings_of(owner) {
            let first_value = setting.values.first();
            let key = match setting.kind {
                SettingKind::Annotation | SettingKind::Label => {
                    first_value.map(|v| v.text.clone()).unwrap_or_default()
                }
                _ => String::new(),
            };
            let span = setting.name_span.start
                ..setting
                    .values
                    .last()
                    .map_or(setting.name_span.end, |v| v.span.end);
            if let Some(first) = seen.get(&(setting.kind, key.clone())) {
                let what = if key.is_empty() {
                    format!("`{}`", setting.kind.as_str())
                } else {
                    format!("`{} \"{key}\"`", setting.kind.as_str())
                };
                self.report(
                    Diagnostic::new(
                        Code::RepeatedSetting,
                        span,
                        format!("{what} is set twice in one block"),
                    )
                    .with_span_label("set again here")
                    .with_label(first.clone(), "first set here")
                    .with_help("remove one of them"),
                );
                continue;
            }
            seen.insert((setting.kind, key), span);
            self.setting(setting, &mut settings);
        }
        settings
    }

    fn setting(&mut self, setting: &Setting, settings: &mut BlockSettings) {
        let [value, rest @ ..] = setting.values.as_slice() else {
            return;
        };
        match setting.kind {
            SettingKind::Audience => {
                if value.text.is_empty() {
                    self.report(
                        Diagnostic::new(Code::EmptyAudience, value.span.clone(), "the audience is empty")
                            .with_span_label("empty")
                            .with_help("leave `audience` out for the default `sts.amazonaws.com`"),
                    );
                } else {
                    settings.audience = Some(value.text.clone());
                }
            }
            SettingKind::StsRegionalEndpoints => match (value.text.as_str(), value.quoted) {
                ("true", false) => settings.sts_regional_endpoints = Some(true),
                ("false", false) => settings.sts_regional_endpoints = Some(false),
                (other, _) => {
                    let help = match did_you_mean(&other.to_ascii_lowercase(), &["true", "false"]) {
                        Some(guess) => format!("did you mean `{guess}`?"),
                        None => "write `true` or `false`, without quotes".to_owned(),
                    };
                    self.report(
                        Diagnostic::new(
                            Code::InvalidBool,
                            value.span.clone(),
                            format!("`sts-regional-endpoints` is `true` or `false`, not `{other}`"),
                        )
                        .with_span_label("expected `true` or `false`")
                        .with_help(help),
                    );
                }
            },
            SettingKind::TokenExpiration => match validate::parse_duration(&value.text) {
                None => self.report(
                    Diagnostic::new(
                        Code::InvalidDuration,
                        value.span.clone(),
                        format!("`{}` is not a duration", value.text),
                    )
                    .with_span_label("expected seconds or h/m/s units")
                    .with_help("write seconds (`3600`) or hours, minutes and seconds in that order (`1h30m`)"),
                ),
                Some(seconds) if seconds < MIN_TOKEN_EXPIRATION => self.report(
                    Diagnostic::new(
                        Code::TokenExpirationTooShort,
                        value.span.clone(),
                        format!("`token-expiration` is {seconds} seconds; the least is {MIN_TOKEN_EXPIRATION}"),
                    )
                    .with_span_label("below 600 seconds")
                    .with_help("the pod identity webhook would silently raise it to 600 (10m): write at least `10m`"),
                ),
                Some(seconds) => {
                    if seconds > MAX_TOKEN_EXPIRATION {
                        self.report(
                            Diagnostic::new(
                                Code::LongTokenExpiration,
                                value.span.clone(),
                                format!("`token-expiration` is {seconds} seconds, more than a day ({MAX_TOKEN_EXPIRATION})"),
                            )
                            .with_span_label("above 86400 seconds")
                            .with_help("the webhook caps tokens at 24 hours: write at most `24h`"),
                        );
                    }
                    settings.token_expiration = Some(seconds);
                }
            },
            SettingKind::Annotation => {
                let Some(annotation_value) = rest.first() else {
                    return;
                };
                if RESERVED_ANNOTATIONS.contains(&value.text.as_str()) {
                    let help = match value.text.as_str() {
                        "eks.amazonaws.com/role-arn" => "the role comes from `-> role`".to_owned(),
                        reserved => {
                            let setting = reserved.trim_start_matches("eks.amazonaws.com/");
                            format!("use the `{setting}` setting instead")
                        }
                    };
                    self.report(
                        Diagnostic::new(
                            Code::ReservedAnnotation,
                            value.span.clone(),
                            format!("irsa writes the `{}` annotation itself", value.text),
                        )
                        .with_span_label("reserved annotation")
                        .with_help(help),
                    );
                } else if let Some(problem) = validate::qualified_name_problem(&value.text) {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidAnnotationKey,
                            value.span.clone(),
                            format!("`{}` is not a valid annotation key: {problem}", value.text.escape_debug()),
                        )
                        .with_span_label("invalid key")
                        .with_help("a key is `[PREFIX/]NAME`: a DNS subdomain, `/`, and up to 63 letters, digits, `-`, `_` or `.`"),
                    );
                } else {
                    settings
                        .annotations
                        .insert(value.text.clone(), annotation_value.text.clone());
                }
            }
            SettingKind::Label => {
                let Some(label_value) = rest.first() else {
                    return;
                };
                if value.text == MANAGED_BY_LABEL {
                    self.report(
                        Diagnostic::new(
                            Code::ReservedLabel,
                            value.span.clone(),
                            format!("the `{MANAGED_BY_LABEL}` label is always `irsa`"),
                        )
                        .with_span_label("reserved label")
                        .with_help("irsa marks what it generates with this label; remove this line"),
                    );
                } else if let Some(problem) = validate::qualified_name_problem(&value.text) {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidLabelKey,
                            value.span.clone(),
                            format!("`{}` is not a valid label key: {problem}", value.text.escape_debug()),
                        )
                        .with_span_label("invalid key")
                        .with_help("a key is `[PREFIX/]NAME`: a DNS subdomain, `/`, and up to 63 letters, digits, `-`, `_` or `.`"),
                    );
                } else if let Some(problem) = validate::label_value_problem(&label_value.text) {
                    self.report(
                        Diagnostic::new(
                            Code::InvalidLabelValue,
                            label_value.span.clone(),
                            format!("`{}` is not a valid label value: {problem}", label_value.text.escape_debug()),
                        )
                        .with_span_label("invalid value")
                        .with_help("a label value is empty or up to 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit; use an `annotation` for free text"),
                    );
                } else {
                    settings.labels.insert(value.text.clone(), label_value.text.clone());
                }
            }
        }
    }

    fn bindings(
        &mut self,
        naming: Option<&str>,
        defaults: &BlockSettings,
        role_defaults: RoleDefaults<'_>,
    ) -> (Vec<ServiceAccount>, Vec<ServiceSetting>) {
        let mut accounts: Vec<ServiceAccount> = Vec::new();
        let mut settings: Vec<ServiceSetting> = Vec::new();
        // Where each service key was first bound.
        let mut bound: HashMap<String, Range<usize>> = HashMap::new();
        // For each generated ServiceAccount, the settings of its first binding.
        // (Shared, not copied: one binding's settings serve all its targets.)
        let mut account_settings: HashMap<String, (Rc<BlockSettings>, Range<usize>)> =
            HashMap::new();
        let mut any_binding = false;

        for (index, line) in self.tree.lines.iter().enumerate() {
            let LineKind::Statement(Statement::Service(binding)) = &line.kind else {
                continue;
            };
            any_binding = true;
            let binding_span = binding.keyword.start..line.span.end;
            let block = self.block(index);
            if binding.role.is_none() && binding.service_account.is_none() {
                let end = binding
                    .targets
                    .last()
                    .map_or(binding.keyword.end, |t| target_span(t).end);
                self.report(
                    Diagnostic::new(
                        Code::BindingWithoutTarget,
                        binding.keyword.start..end,
                        "this binding names no role and no ServiceAccount",
                    )
                    .with_span_label("bound to nothing")
                    .with_help(
                        "add `-> role ROLE`, or `as NAME` for a ServiceAccount managed elsewhere",
                    ),
                );
                continue;
            }
            if let (None, Some(brace)) = (&binding.role, binding.block.span()) {
                {
                    self.report(
                        Diagnostic::new(
                            Code::BlockWithoutRole,
                            brace,
                            "a binding without `-> role` generates no ServiceAccount, so it takes no settings",
                        )
                        .with_span_label("settings for a ServiceAccount managed elsewhere")
                        .with_help("set its annotations where that ServiceAccount is managed, or add `-> role ROLE`"),
                    );
                }
            }
            let role = binding.role.as_ref().and_then(|word| {
                match validate::parse_role(&word.text, word.span.start, role_defaults) {
                    Ok(role) => Some(role),
                    Err(diagnostic) => {
                        let silent = diagnostic.code == Code::ShortRoleWithoutAccount
                            && role_defaults.account_broken;
                        if !silent {
                            self.report(diagnostic);
                        }
                        None
                    }
                }
            });
            let effective = Rc::new(block.over(defaults));

            for target in &binding.targets {
                let Some((key, derived)) = self.target_key(target, naming) else {
                    continue;
                };
                let span = target_span(target);
                if let Some(first) = bound.get(&key) {
                    let shown = if key == GLOBAL_KEY {
                        "`*`".to_owned()
                    } else {
                        format!("`{key}`")
                    };
                    self.report(
                        Diagnostic::new(
                            Code::ServiceBoundTwice,
                            span.clone(),
                            format!("{shown} is bound twice"),
                        )
                        .with_span_label("bound again here")
                        .with_label(first.clone(), "first bound here")
                        .with_help("a service runs under one ServiceAccount: remove one binding"),
                    );
                    continue;
                }
                bound.insert(key.clone(), span.clone());
                let (name, name_span) = match &binding.service_account {
                    Some(word) => (Some(word.text.clone()), word.span.clone()),
                    None => (derived, span.clone()),
                };
                let Some(name) = name else {
                    // The `naming` base was invalid and already reported.
                    continue;
                };
                if let Some(problem) = validate::dns_subdomain_problem(&name) {
                    let message = if binding.service_account.is_some() {
                        format!("`{name}` is not a valid ServiceAccount name: {problem}")
                    } else {
                        format!("the derived ServiceAccount name `{name}` is invalid: {problem}")
                    };
                    self.report(
                        Diagnostic::new(Code::InvalidServiceAccountName, name_span, message)
                            .with_span_label("not a DNS-1123 subdomain")
                            .with_help(
                                validate::lowercase_help(&name)
                                    .unwrap_or_else(|| "name it with `as NAME`: lower-case letters, digits, `-` and `.`, at most 253".to_owned()),
                            ),
                    );
                    continue;
                }
                settings.push(ServiceSetting {
                    key,
                    service_account: name.clone(),
                    span: span.clone(),
                    generated: false,
                });
                let Some(role) = &role else {
                    continue;
                };
                match accounts.iter().find(|a| a.name == name) {
                    Some(existing) => {
                        if !existing.role.same_role(role) {
                            self.report(
                                Diagnostic::new(
                                    Code::ServiceAccountRoleConflict,
                                    role.span.clone(),
                                    format!(
                                        "the ServiceAccount `{name}` is given the role `{}`, but it already has `{}`",
                                        role.arn(),
                                        existing.role.arn()
                                    ),
                                )
                                .with_span_label("a second role")
                                .with_label(existing.role.span.clone(), "first role given here")
                                .with_help("a ServiceAccount carries one role: give one binding another name with `as NAME`"),
                            );
                        } else if let Some((first, first_span)) = account_settings.get(&name)
                            && (service_account_annotations(role, first)
                                != service_account_annotations(role, &effective)
                                || first.labels != effective.labels)
                        {
                            {
                                self.report(
                                    Diagnostic::new(
                                        Code::ServiceAccountSettingsConflict,
                                        binding_span.clone(),
                                        format!("the ServiceAccount `{name}` is given different settings by two bindings"),
                                    )
                                    .with_span_label("these settings differ")
                                    .with_label(first_span.clone(), "from these")
                                    .with_help("give both bindings the same settings, or put them in `defaults`"),
                                );
                            }
                        }
                    }
                    None => {
                        account_settings
                            .insert(name.clone(), (Rc::clone(&effective), binding_span.clone()));
                        accounts.push(ServiceAccount {
                            name: name.clone(),
                            name_span,
                            role: role.clone(),
                            annotations: service_account_annotations(role, &effective),
                            labels: service_account_labels(&effective),
                            audience: effective
                                .audience
                                .clone()
                                .unwrap_or_else(|| DEFAULT_AUDIENCE.to_owned()),
                        });
                    }
                }
            }
        }
        // A line that did not parse may have been a binding.
        let broken_lines = self.tree.lines.iter().any(|l| l.kind == LineKind::Invalid);
        if !any_binding && !broken_lines {
            self.report(
                Diagnostic::new(Code::NoBindings, 0..0, "the file binds no service, so there is nothing to compile")
                    .with_help("add a binding such as `service * -> role arn:aws:iam::123456789012:role/spinnaker`"),
            );
        }
        for setting in &mut settings {
            setting.generated = accounts.iter().any(|a| a.name == setting.service_account);
        }
        // `spinnaker` (for `*`) first, then services in order of appearance.
        settings.sort_by_key(|s| s.key != GLOBAL_KEY);
        (accounts, settings)
    }

    /// The `service-settings` key of a target and its derived ServiceAccount
    /// name (`None` when the `naming` base is invalid). Unknown services are
    /// reported.
    fn target_key(
        &mut self,
        target: &Target,
        naming: Option<&str>,
    ) -> Option<(String, Option<String>)> {
        match target {
            Target::All(_) => Some((GLOBAL_KEY.to_owned(), naming.map(str::to_owned))),
            Target::Service(word) => {
                if !KNOWN_SERVICES.contains(&word.text.as_str()) {
                    let help = match did_you_mean(&word.text, &KNOWN_SERVICES) {
                        Some(guess) => format!("did you mean `{guess}`?"),
                        None => {
                            "see `irsa explain` or the book for the services irsa knows".to_owned()
                        }
                    };
                    self.report(
                        Diagnostic::new(
                            Code::UnknownService,
                            word.span.clone(),
                            format!("unknown service `{}`", word.text),
                        )
                        .with_span_label("not a Spinnaker service")
                        .with_help(help),
                    );
                    return None;
                }
                Some((
                    word.text.clone(),
                    naming.map(|base| format!("{base}-{}", word.text)),
                ))
            }
        }
    }
}

fn target_span(target: &Target) -> Range<usize> {
    match target {
        Target::All(span) => span.clone(),
        Target::Service(word) => word.span.clone(),
    }
}

fn service_account_annotations(role: &Role, settings: &BlockSettings) -> BTreeMap<String, String> {
    let mut annotations = settings.annotations.clone();
    annotations.insert("eks.amazonaws.com/role-arn".to_owned(), role.arn());
    if let Some(audience) = &settings.audience {
        annotations.insert("eks.amazonaws.com/audience".to_owned(), audience.clone());
    }
    if let Some(regional) = settings.sts_regional_endpoints {
        annotations.insert(
            "eks.amazonaws.com/sts-regional-endpoints".to_owned(),
            regional.to_string(),
        );
    }
    if let Some(seconds) = settings.token_expiration {
        annotations.insert(
            "eks.amazonaws.com/token-expiration".to_owned(),
            seconds.to_string(),
        );
    }
    annotations
}

fn service_account_labels(settings: &BlockSettings) -> BTreeMap<String, String> {
    let mut labels = settings.labels.clone();
    labels.insert(MANAGED_BY_LABEL.to_owned(), "irsa".to_owned());
    labels
}

/// One trust policy per distinct role, in order of first appearance.
fn trust_policies(accounts: &[ServiceAccount], issuer: &str, namespace: &str) -> Vec<TrustPolicy> {
    let mut policies: Vec<TrustPolicy> = Vec::new();
    for account in accounts {
        let subject = format!("system:serviceaccount:{namespace}:{}", account.name);
        match policies
            .iter_mut()
            .find(|p| p.role.same_role(&account.role))
        {
            Some(policy) => {
                policy.subjects.push(subject);
                if !policy.audiences.contains(&account.audience) {
                    policy.audiences.push(account.audience.clone());
                }
            }
            None => policies.push(TrustPolicy {
                role: account.role.clone(),
                path: String::new(),
                provider_arn: format!(
                    "arn:{}:iam::{}:oidc-provider/{issuer}",
                    account.role.partition, account.role.account
                ),
                issuer: issuer.to_owned(),
                subjects: vec![subject],
                audiences: vec![account.audience.clone()],
            }),
        }
    }
    // `NAME.json`; where roles share a name, `ACCOUNT-NAME.json`; where
    // that is still shared (one account number in two partitions),
    // `PARTITION-ACCOUNT-NAME.json`.
    let paths: Vec<String> = policies
        .iter()
        .map(|policy| {
            let role = &policy.role;
            let shared = |same: &dyn Fn(&Role) -> bool| {
                policies.iter().filter(|other| same(&other.role)).count() > 1
            };
            if !shared(&|other| other.name == role.name) {
                format!("trust-policies/{}.json", role.name)
            } else if !shared(&|other| other.account == role.account && other.name == role.name) {
                format!("trust-policies/{}-{}.json", role.account, role.name)
            } else {
                format!(
                    "trust-policies/{}-{}-{}.json",
                    role.partition, role.account, role.name
                )
            }
        })
        .collect();
    for (policy, path) in policies.iter_mut().zip(paths) {
        policy.path = path;
    }
    policies
}

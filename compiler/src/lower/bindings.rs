//! `service` lines → the ServiceAccounts the file generates and the
//! `service-settings` entries that point each service at its account.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::rc::Rc;

use super::header::Header;
use super::settings::{self, BlockSettings};
use super::{Context, DEFAULT_AUDIENCE, GLOBAL_KEY};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Identity, Role, ServiceAccount, ServiceSetting};
use crate::services::uses_java_sdk;
use crate::syntax::{Binding, LineKind, Statement, Target, Word};
use crate::validate::{self, MANAGED_BY_LABEL, RoleDefaults};

/// What the bindings of a file resolve to.
#[derive(Debug)]
pub(super) struct Resolved {
    /// In order of first appearance.
    pub service_accounts: Vec<ServiceAccount>,
    /// `spinnaker` (for `*`) first, then services in order of appearance.
    pub service_settings: Vec<ServiceSetting>,
    /// Every role a binding names, whether or not its targets resolved.
    pub named_roles: Vec<Role>,
}

pub(super) fn resolve(cx: &mut Context<'_>, header: &Header, defaults: &BlockSettings) -> Resolved {
    let mut bindings = Bindings {
        header,
        defaults,
        accounts: Vec::new(),
        settings: Vec::new(),
        bound: HashMap::new(),
        first_settings: HashMap::new(),
        reported_settings: Vec::new(),
        named_roles: Vec::new(),
    };
    let mut any_binding = false;
    let tree = cx.tree;
    for (index, line) in tree.lines.iter().enumerate() {
        if let LineKind::Statement(Statement::Service(binding)) = &line.kind {
            any_binding = true;
            let span = binding.keyword.start..line.span.end;
            bindings.binding(cx, index, span, binding);
        }
    }
    // A line that did not parse may have been a binding.
    let broken_lines = tree.lines.iter().any(|l| l.kind == LineKind::Invalid);
    if !any_binding && !broken_lines {
        cx.report(
            Diagnostic::new(Code::NoBindings, 0..0, "the file binds no service, so there is nothing to compile")
                .with_help("add a binding such as `service * -> role arn:aws:iam::123456789012:role/spinnaker`"),
        );
    }
    bindings.finish(cx)
}

/// The bindings read so far.
struct Bindings<'h> {
    header: &'h Header,
    defaults: &'h BlockSettings,
    accounts: Vec<ServiceAccount>,
    settings: Vec<ServiceSetting>,
    /// Where each service key was first bound.
    bound: HashMap<String, Range<usize>>,
    /// For each generated ServiceAccount, the settings of its first binding
    /// (shared, not copied: one binding's settings serve all its targets).
    first_settings: HashMap<String, (Rc<BlockSettings>, Range<usize>)>,
    /// Spans of IRSA settings already reported on a Pod Identity
    /// ServiceAccount (a `defaults` setting is reported once).
    reported_settings: Vec<Range<usize>>,
    /// Every role a binding names, whether or not its targets resolved.
    named_roles: Vec<Role>,
}

/// One binding line, resolved as far as its targets need.
struct Line<'b> {
    span: Range<usize>,
    service_account: Option<&'b Word>,
    role: Option<Role>,
    settings: Rc<BlockSettings>,
}

impl Bindings<'_> {
    fn binding(
        &mut self,
        cx: &mut Context<'_>,
        index: usize,
        span: Range<usize>,
        binding: &Binding,
    ) {
        // Settings are checked even on a binding that is otherwise wrong.
        let block = settings::block(cx, index);
        if !shape_holds(cx, binding) {
            return;
        }
        let line = Line {
            span,
            service_account: binding.service_account.as_ref(),
            role: self.role(cx, binding),
            settings: Rc::new(block.over(self.defaults)),
        };
        if let Some(role) = &line.role {
            self.named_roles.push(role.clone());
        }
        for target in &binding.targets {
            self.target(cx, &line, target);
        }
    }

    /// The binding's role, expanded; `None` when absent or invalid.
    fn role(&self, cx: &mut Context<'_>, binding: &Binding) -> Option<Role> {
        let word = binding.role.as_ref()?;
        let defaults = RoleDefaults {
            account: self.header.account.as_deref(),
            partition: &self.header.partition,
        };
        match validate::parse_role(&word.text, word.span.start, defaults) {
            Ok(role) => Some(role),
            Err(diagnostic) => {
                // A broken `account` was reported already.
                let silent =
                    diagnostic.code == Code::ShortRoleWithoutAccount && self.header.account_broken;
                if !silent {
                    cx.report(diagnostic);
                }
                None
            }
        }
    }

    /// One target of a binding: its `service-settings` entry and, with a
    /// role, its ServiceAccount.
    fn target(&mut self, cx: &mut Context<'_>, line: &Line<'_>, target: &Target) {
        let (key, span) = match target {
            Target::All(span) => (GLOBAL_KEY.to_owned(), span.clone()),
            Target::Service(word) => match cx.check(validate::service(word)) {
                Some(service) => (service, word.span.clone()),
                None => return,
            },
        };
        if let Some(first) = self.bound.get(&key) {
            cx.report(bound_twice(&key, span, first.clone()));
            return;
        }
        self.bound.insert(key.clone(), span.clone());
        let (name, name_span) = match line.service_account {
            Some(word) => (word.text.clone(), word.span.clone()),
            None => match self.derived_name(target) {
                Some(name) => (name, span.clone()),
                // The `naming` base was invalid and already reported.
                None => return,
            },
        };
        let written = line.service_account.is_some();
        let valid = validate::service_account_name(&name, name_span.clone(), written);
        if cx.check(valid).is_none() {
            return;
        }
        self.settings.push(ServiceSetting {
            key,
            service_account: name.clone(),
            span,
            generated: false,
        });
        if let Some(role) = &line.role {
            self.service_account(cx, line, name, name_span, role);
        }
    }

    /// `BASE` for `*`, `BASE-SERVICE` for a service.
    fn derived_name(&self, target: &Target) -> Option<String> {
        let base = self.header.naming.as_deref()?;
        Some(match target {
            Target::All(_) => base.to_owned(),
            Target::Service(word) => format!("{base}-{}", word.text),
        })
    }

    /// Generates the ServiceAccount, or checks that an earlier binding
    /// generated it alike.
    fn service_account(
        &mut self,
        cx: &mut Context<'_>,
        line: &Line<'_>,
        name: String,
        name_span: Range<usize>,
        role: &Role,
    ) {
        let Some(existing) = self.accounts.iter().find(|a| a.name == name) else {
            let identity = identity(&line.settings);
            self.check_identity(cx, line, identity);
            self.first_settings
                .insert(name.clone(), (Rc::clone(&line.settings), line.span.clone()));
            self.accounts.push(ServiceAccount {
                annotations: annotations(role, &line.settings),
                labels: labels(&line.settings),
                audience: line
                    .settings
                    .audience
                    .as_ref()
                    .map_or_else(|| DEFAULT_AUDIENCE.to_owned(), |a| a.value.clone()),
                identity,
                name,
                name_span,
                role: role.clone(),
            });
            return;
        };
        if !existing.role.same_role(role) {
            cx.report(role_conflict(&name, role, &existing.role));
        } else if let Some((first, first_span)) = self.first_settings.get(&name)
            && (annotations(role, first) != annotations(role, &line.settings)
                || first.labels != line.settings.labels
                || identity(first) != identity(&line.settings))
        {
            cx.report(settings_conflict(
                &name,
                line.span.clone(),
                first_span.clone(),
            ));
        }
    }

    /// What a ServiceAccount's `identity` needs: Pod Identity names the
    /// cluster and namespace; IRSA settings do nothing without IRSA.
    fn check_identity(&mut self, cx: &mut Context<'_>, line: &Line<'_>, identity: Identity) {
        if identity == Identity::PodIdentity {
            let settings = &line.settings;
            let set = [
                settings
                    .audience
                    .as_ref()
                    .map(|s| ("audience", s.span.clone())),
                settings
                    .sts_regional_endpoints
                    .as_ref()
                    .map(|s| ("sts-regional-endpoints", s.span.clone())),
                settings
                    .token_expiration
                    .as_ref()
                    .map(|s| ("token-expiration", s.span.clone())),
            ];
            for (setting, span) in set.into_iter().flatten() {
                if !self.reported_settings.contains(&span) {
                    self.reported_settings.push(span.clone());
                    cx.report(irsa_setting_on_pod_identity(setting, span, settings));
                }
            }
        }
        if !identity.uses_pod_identity() {
            return;
        }
        if self.header.cluster.is_none() && !self.header.cluster_broken {
            cx.report(
                Diagnostic::new(
                    Code::PodIdentityWithoutCluster,
                    line.span.clone(),
                    "an EKS Pod Identity association names its cluster, but the file has no `cluster` statement",
                )
                .with_span_label("Pod Identity asked for here")
                .with_help("add `cluster NAME`: the EKS cluster's name (`aws eks list-clusters`)"),
            );
        }
        if self.header.namespace.is_none() && !self.header.namespace_broken {
            cx.report(
                Diagnostic::new(
                    Code::PodIdentityWithoutNamespace,
                    line.span.clone(),
                    "an EKS Pod Identity association names its namespace, but the file has no `namespace` statement",
                )
                .with_span_label("Pod Identity asked for here")
                .with_help("add `namespace NAME`: the namespace Spinnaker runs in"),
            );
        }
    }

    fn finish(mut self, cx: &mut Context<'_>) -> Resolved {
        for setting in &mut self.settings {
            setting.generated = self
                .accounts
                .iter()
                .any(|a| a.name == setting.service_account);
        }
        self.warn_java_on_pod_identity(cx);
        // `spinnaker` (for `*`) first, then services in order of appearance.
        self.settings.sort_by_key(|s| s.key != GLOBAL_KEY);
        Resolved {
            service_accounts: self.accounts,
            service_settings: self.settings,
            named_roles: self.named_roles,
        }
    }
}

impl Bindings<'_> {
    /// W005, once per Pod-Identity-only ServiceAccount that a Java service
    /// runs under, at the first such service: whether its binding names
    /// the role or points at it with `as`.
    fn warn_java_on_pod_identity(&self, cx: &mut Context<'_>) {
        let mut warned: Vec<&str> = Vec::new();
        for setting in &self.settings {
            let pod_identity_only = self
                .accounts
                .iter()
                .any(|a| a.name == setting.service_account && a.identity == Identity::PodIdentity);
            if pod_identity_only
                && uses_java_sdk(&setting.key)
                && !warned.contains(&setting.service_account.as_str())
            {
                warned.push(&setting.service_account);
                cx.report(java_sdk_warning(&setting.key, setting.span.clone()));
            }
        }
    }
}

/// A binding names a role or a ServiceAccount, and takes a block only with
/// a role. Reports and returns `false` when it cannot be resolved.
fn shape_holds(cx: &mut Context<'_>, binding: &Binding) -> bool {
    if binding.role.is_none() && binding.service_account.is_none() {
        let end = binding
            .targets
            .last()
            .map_or(binding.keyword.end, |t| match t {
                Target::All(span) => span.end,
                Target::Service(word) => word.span.end,
            });
        cx.report(
            Diagnostic::new(
                Code::BindingWithoutTarget,
                binding.keyword.start..end,
                "this binding names no role and no ServiceAccount",
            )
            .with_span_label("bound to nothing")
            .with_help("add `-> role ROLE`, or `as NAME` for a ServiceAccount managed elsewhere"),
        );
        return false;
    }
    if let (None, Some(brace)) = (&binding.role, binding.block.span()) {
        cx.report(
            Diagnostic::new(
                Code::BlockWithoutRole,
                brace,
                "a binding without `-> role` generates no ServiceAccount, so it takes no settings",
            )
            .with_span_label("settings for a ServiceAccount managed elsewhere")
            .with_help(
                "set its annotations where that ServiceAccount is managed, or add `-> role ROLE`",
            ),
        );
    }
    true
}

fn bound_twice(key: &str, span: Range<usize>, first: Range<usize>) -> Diagnostic {
    let shown = if key == GLOBAL_KEY {
        "`*`".to_owned()
    } else {
        format!("`{key}`")
    };
    Diagnostic::new(
        Code::ServiceBoundTwice,
        span,
        format!("{shown} is bound twice"),
    )
    .with_span_label("bound again here")
    .with_label(first, "first bound here")
    .with_help("a service runs under one ServiceAccount: remove one binding")
}

fn role_conflict(name: &str, role: &Role, existing: &Role) -> Diagnostic {
    Diagnostic::new(
        Code::ServiceAccountRoleConflict,
        role.span.clone(),
        format!(
            "the ServiceAccount `{name}` is given the role `{}`, but it already has `{}`",
            role.arn(),
            existing.arn()
        ),
    )
    .with_span_label("a second role")
    .with_label(existing.span.clone(), "first role given here")
    .with_help("a ServiceAccount carries one role: give one binding another name with `as NAME`")
}

fn settings_conflict(name: &str, span: Range<usize>, first: Range<usize>) -> Diagnostic {
    Diagnostic::new(
        Code::ServiceAccountSettingsConflict,
        span,
        format!("the ServiceAccount `{name}` is given different settings by two bindings"),
    )
    .with_span_label("these settings differ")
    .with_label(first, "from these")
    .with_help("give both bindings the same settings, or put them in `defaults`")
}

/// A block's `identity`, `irsa` unless set.
fn identity(settings: &BlockSettings) -> Identity {
    settings
        .identity
        .as_ref()
        .map_or(Identity::Irsa, |i| i.value)
}

/// Every annotation of a generated ServiceAccount: the role and the
/// webhook's settings (with IRSA only), then the user's.
fn annotations(role: &Role, settings: &BlockSettings) -> BTreeMap<String, String> {
    let mut annotations = settings.annotations.clone();
    if !identity(settings).uses_irsa() {
        return annotations;
    }
    annotations.insert("eks.amazonaws.com/role-arn".to_owned(), role.arn());
    if let Some(audience) = &settings.audience {
        annotations.insert(
            "eks.amazonaws.com/audience".to_owned(),
            audience.value.clone(),
        );
    }
    if let Some(regional) = &settings.sts_regional_endpoints {
        annotations.insert(
            "eks.amazonaws.com/sts-regional-endpoints".to_owned(),
            regional.value.to_string(),
        );
    }
    if let Some(seconds) = &settings.token_expiration {
        annotations.insert(
            "eks.amazonaws.com/token-expiration".to_owned(),
            seconds.value.to_string(),
        );
    }
    annotations
}

fn irsa_setting_on_pod_identity(
    setting: &str,
    span: Range<usize>,
    settings: &BlockSettings,
) -> Diagnostic {
    let diagnostic = Diagnostic::new(
        Code::IrsaSettingOnPodIdentity,
        span,
        format!(
            "`{setting}` acts on IRSA only, but this ServiceAccount uses `identity pod-identity`"
        ),
    )
    .with_span_label("an IRSA setting")
    .with_help("remove it for this ServiceAccount, or use `identity both` while migrating");
    match &settings.identity {
        Some(identity) => diagnostic.with_label(identity.span.clone(), "Pod Identity chosen here"),
        None => diagnostic,
    }
}

fn java_sdk_warning(key: &str, span: Range<usize>) -> Diagnostic {
    let service = if key == GLOBAL_KEY {
        "`*` (Spinnaker's Java services)".to_owned()
    } else {
        format!("`{key}`")
    };
    Diagnostic::new(
        Code::JavaSdkPodIdentity,
        span,
        format!("{service} may run an AWS SDK for Java too old for EKS Pod Identity"),
    )
    .with_span_label("a Java service on Pod Identity only")
    .with_help("Pod Identity needs AWS SDK for Java 1.12.746+ (v1) or 2.21.30+ (v2), and Spinnaker pins an older v1 SDK: use `identity both` until your version's SDK is new enough")
}

fn labels(settings: &BlockSettings) -> BTreeMap<String, String> {
    let mut labels = settings.labels.clone();
    labels.insert(MANAGED_BY_LABEL.to_owned(), "irsa".to_owned());
    labels
}

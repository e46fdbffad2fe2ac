//! The settings of a block (LANGUAGE.md section 5): read, checked, and
//! merged over `defaults` key by key.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use super::Context;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{Identity, Spanned};
use crate::language::SettingKind;
use crate::syntax::{LineKind, Setting, Statement};
use crate::validate;

/// Settings of one block, each value checked, with where it was set.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct BlockSettings {
    pub audience: Option<Spanned<String>>,
    pub sts_regional_endpoints: Option<Spanned<bool>>,
    pub token_expiration: Option<Spanned<u64>>,
    pub identity: Option<Spanned<Identity>>,
    pub annotations: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

impl BlockSettings {
    /// `self` over `defaults`, key by key.
    pub fn over(&self, defaults: &BlockSettings) -> BlockSettings {
        let mut annotations = defaults.annotations.clone();
        annotations.extend(self.annotations.clone());
        let mut labels = defaults.labels.clone();
        labels.extend(self.labels.clone());
        BlockSettings {
            audience: self.audience.clone().or_else(|| defaults.audience.clone()),
            sts_regional_endpoints: self
                .sts_regional_endpoints
                .clone()
                .or_else(|| defaults.sts_regional_endpoints.clone()),
            token_expiration: self
                .token_expiration
                .clone()
                .or_else(|| defaults.token_expiration.clone()),
            identity: self.identity.clone().or_else(|| defaults.identity.clone()),
            annotations,
            labels,
        }
    }
}

/// The first `defaults` block's settings.
pub(super) fn defaults(cx: &mut Context<'_>) -> BlockSettings {
    let owner = cx
        .tree
        .lines
        .iter()
        .position(|line| matches!(line.kind, LineKind::Statement(Statement::Defaults { .. })));
    match owner {
        Some(owner) => block(cx, owner),
        None => BlockSettings::default(),
    }
}

/// Reads and checks the settings of the block opened by line `owner`.
pub(super) fn block(cx: &mut Context<'_>, owner: usize) -> BlockSettings {
    let mut settings = BlockSettings::default();
    for setting in distinct(cx, owner) {
        apply(cx, setting, &mut settings);
    }
    settings
}

/// The settings of a block, but those set a second time (reported):
/// each setting once, keyed ones once per key, repeatable ones always.
pub(super) fn distinct<'t>(cx: &mut Context<'t>, owner: usize) -> Vec<&'t Setting> {
    // First occurrence of each setting (of each key), for "twice" errors.
    let mut seen: HashMap<(SettingKind, &str), Range<usize>> = HashMap::new();
    let mut distinct = Vec::new();
    let lines = cx.settings_of(owner).to_vec();
    for setting in lines {
        if setting.kind.repeatable() {
            distinct.push(setting);
            continue;
        }
        let key = match (setting.kind.keyed(), setting.values.first()) {
            (true, Some(value)) => value.text.as_str(),
            _ => "",
        };
        let span = setting.name_span.start
            ..setting
                .values
                .last()
                .map_or(setting.name_span.end, |v| v.span.end);
        if let Some(first) = seen.get(&(setting.kind, key)) {
            cx.report(repeated_setting(setting.kind, key, span, first.clone()));
            continue;
        }
        seen.insert((setting.kind, key), span);
        distinct.push(setting);
    }
    distinct
}

fn repeated_setting(
    kind: SettingKind,
    key: &str,
    span: Range<usize>,
    first: Range<usize>,
) -> Diagnostic {
    let what = if key.is_empty() {
        format!("`{}`", kind.as_str())
    } else {
        format!("`{} \"{key}\"`", kind.as_str())
    };
    Diagnostic::new(
        Code::RepeatedSetting,
        span,
        format!("{what} is set twice in one block"),
    )
    .with_span_label("set again here")
    .with_label(first, "first set here")
    .with_help("remove one of them")
}

/// Checks one setting's value and records it.
fn apply(cx: &mut Context<'_>, setting: &Setting, settings: &mut BlockSettings) {
    let [value, rest @ ..] = setting.values.as_slice() else {
        return;
    };
    match setting.kind {
        SettingKind::Audience => {
            settings.audience = cx
                .check(validate::audience(value))
                .map(|audience| Spanned::new(audience, value.span.clone()));
        }
        SettingKind::StsRegionalEndpoints => {
            let checked = validate::boolean(setting.kind.as_str(), value);
            settings.sts_regional_endpoints = cx
                .check(checked)
                .map(|regional| Spanned::new(regional, value.span.clone()));
        }
        SettingKind::TokenExpiration => {
            if let Some(seconds) = cx.check(validate::token_expiration(value)) {
                if let Some(warning) = validate::long_token_expiration(seconds, value.span.clone())
                {
                    cx.report(warning);
                }
                settings.token_expiration = Some(Spanned::new(seconds, value.span.clone()));
            }
        }
        SettingKind::Identity => {
            settings.identity = cx
                .check(validate::identity(value))
                .map(|identity| Spanned::new(identity, value.span.clone()));
        }
        SettingKind::Annotation => {
            let Some(annotation_value) = rest.first() else {
                return;
            };
            if let Some((key, value)) = cx.check(validate::annotation(value, annotation_value)) {
                settings.annotations.insert(key, value);
            }
        }
        SettingKind::Label => {
            let Some(label_value) = rest.first() else {
                return;
            };
            if let Some((key, value)) = cx.check(validate::label(value, label_value)) {
                settings.labels.insert(key, value);
            }
        }
        // Role settings: the parser keeps them out of these blocks.
        SettingKind::Policy
        | SettingKind::Boundary
        | SettingKind::MaxSession
        | SettingKind::Description
        | SettingKind::Tag => {}
    }
}

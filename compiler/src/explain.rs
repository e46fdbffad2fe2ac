//! `irsa explain`: which ServiceAccount and role each service ends up with,
//! and which services `*` reaches through the operator.

use std::fmt::Write as _;

use crate::ir::Install;
use crate::lower::GLOBAL_KEY;
use crate::services::{KNOWN_SERVICES, REACHED_BY_GLOBAL};

/// Renders the explanation of a valid installation as plain text.
pub fn explain(install: &Install) -> String {
    let generated = |account: &str| install.service_accounts.iter().find(|a| a.name == account);
    let role_of = |account: &str| {
        generated(account).map_or_else(
            || "(ServiceAccount managed elsewhere)".to_owned(),
            |a| a.role.arn(),
        )
    };
    let mut rows: Vec<[String; 4]> = vec![[
        "SERVICE".to_owned(),
        "SERVICEACCOUNT".to_owned(),
        "IDENTITY".to_owned(),
        "ROLE".to_owned(),
    ]];
    for setting in &install.service_settings {
        let service = if setting.key == GLOBAL_KEY {
            "* (spinnaker)".to_owned()
        } else {
            setting.key.clone()
        };
        rows.push([
            service,
            setting.service_account.clone(),
            generated(&setting.service_account)
                .map_or("-", |a| a.identity.as_str())
                .to_owned(),
            role_of(&setting.service_account),
        ]);
    }

    let mut out = String::new();
    let namespace = install.namespace.as_ref().map_or_else(
        || "the current namespace".to_owned(),
        |n| format!("namespace {}", n.value),
    );
    let _ = writeln!(
        out,
        "SpinnakerService {} ({}) in {namespace}\n",
        install.name.value,
        install.operator.value.api_version()
    );
    let width = |column: fn(&[String; 4]) -> &String| {
        rows.iter()
            .map(|row| column(row).chars().count())
            .max()
            .unwrap_or(0)
    };
    let (service_width, account_width, identity_width) =
        (width(|r| &r[0]), width(|r| &r[1]), width(|r| &r[2]));
    for [service, account, identity, role] in &rows {
        let _ = writeln!(
            out,
            "{service:<service_width$}  {account:<account_width$}  {identity:<identity_width$}  {role}"
        );
    }

    global_reach(install, &role_of, &mut out);
    managed_roles(install, &mut out);
    out
}

/// Which services `*` reaches through the operator, and which it never does.
fn global_reach(install: &Install, role_of: &dyn Fn(&str) -> String, out: &mut String) {
    let bound = |service: &str| install.service_settings.iter().any(|s| s.key == service);
    let global = install
        .service_settings
        .iter()
        .find(|s| s.key == GLOBAL_KEY);
    let unbound_reached: Vec<&str> = REACHED_BY_GLOBAL
        .iter()
        .copied()
        .filter(|s| !bound(s))
        .collect();
    let unreached: Vec<&str> = KNOWN_SERVICES
        .iter()
        .copied()
        .filter(|s| !REACHED_BY_GLOBAL.contains(s) && !bound(s))
        .collect();
    out.push('\n');
    match global {
        Some(global) => {
            if unbound_reached.is_empty() {
                out.push_str("`*` reaches no service: every service it would reach has a binding of its own.\n");
            } else {
                let _ = writeln!(
                    out,
                    "`*` reaches, through the operator, these services without a binding of their own ({} → {}):\n  {}",
                    global.service_account,
                    role_of(&global.service_account),
                    unbound_reached.join(", ")
                );
            }
        }
        None => {
            out.push_str("There is no `*` binding: services without a binding of their own run under their namespace's `default` ServiceAccount.\n");
        }
    }
    if !unreached.is_empty() {
        let _ = writeln!(
            out,
            "`*` never reaches these (the operator merges it into core services only); bind them if they need AWS:\n  {}",
            unreached.join(", ")
        );
    }
}

/// The roles irsa manages as code (`role`), with what `--iam` writes.
fn managed_roles(install: &Install, out: &mut String) {
    if install.managed_roles.is_empty() {
        return;
    }
    out.push_str("\nRoles irsa manages (written with `compile --iam FORM`):\n");
    for managed in &install.managed_roles {
        let _ = writeln!(out, "  {}", managed.role.arn());
        let trusted: Vec<&str> = install
            .service_accounts
            .iter()
            .filter(|a| a.role.same_role(&managed.role))
            .map(|a| a.name.as_str())
            .collect();
        let _ = writeln!(out, "    trusts: {}", trusted.join(", "));
        for policy in &managed.policies {
            let _ = writeln!(out, "    policy: {policy}");
        }
        if let Some(boundary) = &managed.boundary {
            let _ = writeln!(out, "    boundary: {boundary}");
        }
        if let Some(seconds) = managed.max_session {
            let _ = writeln!(out, "    max-session: {seconds} s");
        }
    }
}

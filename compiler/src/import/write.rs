//! Prints a plan in `fmt`'s canonical layout, remembering the YAML each
//! line came from (so that an error in the result is located in the input).

use super::Origin;
use super::collect::Setting;
use super::plan::{Binding, Plan};
use crate::diagnostics::Code;

/// The source text and, per line, where it came from.
#[derive(Debug)]
pub(super) struct Written {
    pub text: String,
    lines: Vec<LineOrigin>,
}

#[derive(Debug, Clone, Copy)]
struct LineOrigin {
    /// The YAML of the line's main value.
    main: Origin,
    /// The role annotation, on a binding line.
    role: Option<Origin>,
}

impl Written {
    /// Where the YAML of line `line` (0-based) is; role errors point at the
    /// role annotation.
    pub(super) fn origin(&self, line: usize, code: Code) -> Origin {
        let Some(origin) = self.lines.get(line).or_else(|| self.lines.last()) else {
            return Origin::default();
        };
        let about_role = matches!(
            code,
            Code::MalformedArn
                | Code::UnknownPartition
                | Code::InvalidAccountId
                | Code::NotIamArn
                | Code::NotRoleArn
                | Code::InvalidRoleName
                | Code::InvalidRolePath
                | Code::ShortRoleWithoutAccount
                | Code::RoleNameReused
                | Code::ServiceAccountRoleConflict
        );
        match origin.role {
            Some(role) if about_role => role,
            _ => origin.main,
        }
    }

    fn line(&mut self, text: &str, main: Origin, role: Option<Origin>) {
        self.text.push_str(text);
        self.text.push('\n');
        self.lines.push(LineOrigin { main, role });
    }

    fn blank(&mut self) {
        let origin = self.lines.last().map_or(Origin::default(), |o| o.main);
        self.line("", origin, None);
    }
}

pub(super) fn write(plan: &Plan) -> Written {
    let mut written = Written {
        text: String::new(),
        lines: Vec::new(),
    };
    for (statement, origin) in &plan.header {
        written.line(statement, *origin, None);
    }
    if let Some((_, origin)) = plan.defaults.first() {
        if !written.text.is_empty() {
            written.blank();
        }
        written.line("defaults {", *origin, None);
        settings(&mut written, &plan.defaults);
        written.line("}", *origin, None);
    }
    if !written.text.is_empty() {
        written.blank();
    }
    for binding in &plan.bindings {
        write_binding(&mut written, binding);
    }
    written
}

fn write_binding(written: &mut Written, binding: &Binding) {
    let targets: Vec<&str> = binding
        .targets
        .iter()
        .map(|key| {
            if key == "spinnaker" {
                "*"
            } else {
                key.as_str()
            }
        })
        .collect();
    let mut line = format!("service {}", targets.join(", "));
    if let Some(role) = &binding.role {
        line.push_str(" -> role ");
        line.push_str(&bare(role));
    }
    if let Some(name) = &binding.service_account {
        line.push_str(" as ");
        line.push_str(&bare(name));
    }
    let role = binding.role.as_ref().map(|_| binding.role_origin);
    if binding.settings.is_empty() {
        written.line(&line, binding.origin, role);
        return;
    }
    line.push_str(" {");
    written.line(&line, binding.origin, role);
    settings(written, &binding.settings);
    written.line("}", binding.origin, None);
}

fn settings(written: &mut Written, settings: &[(Setting, Origin)]) {
    for (setting, origin) in settings {
        let text = match setting {
            Setting::Audience(audience) => format!("audience {}", word(audience)),
            Setting::StsRegionalEndpoints(value) => format!("sts-regional-endpoints {value}"),
            Setting::TokenExpiration(seconds) => {
                format!("token-expiration {}", duration(*seconds))
            }
            Setting::Annotation(key, value) => {
                format!("annotation {} {}", quoted(key), quoted(value))
            }
            Setting::Label(key, value) => format!("label {} {}", quoted(key), quoted(value)),
        };
        written.line(&format!("  {text}"), *origin, None);
    }
}

/// A duration as a person writes it: `1h`, `90m` → `1h30m`; seconds that
/// are not whole minutes stay seconds.
fn duration(seconds: u64) -> String {
    if seconds == 0 || !seconds.is_multiple_of(60) {
        return seconds.to_string();
    }
    let (hours, minutes) = (seconds / 3600, seconds % 3600 / 60);
    match (hours, minutes) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// A name or ARN as a bare word; quoted when it holds what would end a bare
/// word (white space, `#`, braces, a quote; a comma ends a word only in a
/// service list, and IAM role names may hold one): the language then
/// refuses it, and the import reports that at the YAML, rather than writing
/// a word that means something else (`name: a#b` is not `a`).
pub(super) fn bare(text: &str) -> String {
    let safe = !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '#' | '{' | '}' | '"' | '\\'));
    if safe { text.to_owned() } else { quoted(text) }
}

/// A bare word when it can be one, else a quoted string.
fn word(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '/'));
    if bare { text.to_owned() } else { quoted(text) }
}

/// A quoted string with the language's escapes.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

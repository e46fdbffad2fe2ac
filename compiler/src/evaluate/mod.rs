//! The IAM trust-policy evaluator behind `irsa verify` (LANGUAGE.md section
//! 12): a pure function of one policy document and one simulated request
//! (principal, action, context keys) → allowed, denied or undecided, and
//! why.
//!
//! It follows IAM's rules for the documents it models: an explicit `Deny`
//! wins; a statement applies when its principal, its action (with `*` and
//! `?` wildcards) and every condition match; several values of one key
//! match if any matches, several keys and operators must all match;
//! condition key names compare without regard to case, values with it (but
//! for the `…IgnoreCase` operators). What it does not model (`NotPrincipal`,
//! `NotAction`, an unknown operator, a key the request cannot know) is
//! reported in [`Evaluation::unmodelled`] and makes the answer
//! [`Decision::Undecided`] where it matters, never a silent pass.

mod condition;
mod document;
#[cfg(test)]
mod tests;

pub use condition::{Operator, Qualifier};
pub use document::{
    ActionSpec, ConditionBlock, ConditionTest, Document, DocumentError, Effect, Principal,
    PrincipalSpec, Statement,
};

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestPrincipal {
    /// A web identity federated through an OIDC provider (its ARN).
    Federated(String),
    /// An AWS service principal such as `pods.eks.amazonaws.com`.
    Service(String),
    /// An IAM principal (a role, user or account ARN).
    Aws(String),
}

impl RequestPrincipal {
    /// The principal's type as IAM writes it in a policy.
    pub fn kind(&self) -> &'static str {
        match self {
            RequestPrincipal::Federated(_) => "Federated",
            RequestPrincipal::Service(_) => "Service",
            RequestPrincipal::Aws(_) => "AWS",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            RequestPrincipal::Federated(v)
            | RequestPrincipal::Service(v)
            | RequestPrincipal::Aws(v) => v,
        }
    }
}

/// A simulated request: one principal, one action, its context keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub principal: RequestPrincipal,
    pub action: String,
    /// Context keys and their values (a key is multivalued when it has
    /// several). Names compare without regard to case.
    pub context: Vec<(String, Vec<String>)>,
    /// Keys known to be absent from the request (IAM's rules for a missing
    /// key apply): a name, or a prefix ending in `*` (`aws:RequestTag/*`).
    /// A condition on a key neither here nor in `context` cannot be
    /// decided offline.
    pub absent: Vec<String>,
    /// Keys the request has but whose values cannot be known offline
    /// (a pod's name), even where `absent` has a prefix of them: a
    /// condition on one is undecided, its `IfExists` form too.
    pub unknowable: Vec<String>,
}

impl Request {
    /// The values of a context key, `Known(None)` when it is known to be
    /// absent, `Unknown` when the request cannot say.
    fn lookup(&self, key: &str) -> KeyLookup<'_> {
        if let Some((_, values)) = self
            .context
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
        {
            return KeyLookup::Present(values);
        }
        let named = |name: &String| match name.strip_suffix('*') {
            Some(prefix) => key
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
            None => name.eq_ignore_ascii_case(key),
        };
        if self.unknowable.iter().any(named) {
            KeyLookup::PresentUnknown
        } else if self.absent.iter().any(named) {
            KeyLookup::Absent
        } else {
            KeyLookup::Unknown
        }
    }
}

enum KeyLookup<'a> {
    Present(&'a [String]),
    Absent,
    /// In the request, with values that cannot be known offline (a pod's
    /// name): every operator on it is undecided, `IfExists` forms too.
    PresentUnknown,
    /// Neither known present nor known absent.
    Unknown,
}

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// An explicit `Deny` applies, or no `Allow` statement does.
    Denied,
    /// It hangs on something the evaluator cannot decide offline.
    Undecided,
}

/// Why one statement does or does not apply to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementOutcome {
    Applies,
    /// Its principal is not the request's.
    PrincipalDiffers,
    /// Its actions do not include the request's.
    ActionDiffers,
    /// A condition is false: this operator on this key (as written).
    ConditionFails {
        operator: String,
        key: String,
    },
    /// It would apply but for something not modelled (see the reasons).
    Undecided,
}

/// One construct the evaluator does not model, with the statement it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmodelled {
    /// 0-based index of the statement.
    pub statement: usize,
    pub what: String,
}

/// The decision, each statement's outcome in document order, and what
/// was not modelled on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    pub statements: Vec<(Effect, StatementOutcome)>,
    pub unmodelled: Vec<Unmodelled>,
}

impl Evaluation {
    /// The first `Deny` statement that applies.
    pub fn denied_by(&self) -> Option<usize> {
        self.statements.iter().position(|(effect, outcome)| {
            *effect == Effect::Deny && *outcome == StatementOutcome::Applies
        })
    }
}

/// Evaluates a request against a policy document.
pub fn evaluate(document: &Document, request: &Request) -> Evaluation {
    let mut unmodelled = Vec::new();
    let statements: Vec<(Effect, StatementOutcome)> = document
        .statements
        .iter()
        .enumerate()
        .map(|(index, statement)| {
            let outcome = statement_outcome(statement, request, &mut |what| {
                unmodelled.push(Unmodelled {
                    statement: index,
                    what,
                });
            });
            (statement.effect, outcome)
        })
        .collect();
    let any = |effect: Effect, wanted: &StatementOutcome| {
        statements
            .iter()
            .any(|(e, outcome)| *e == effect && outcome == wanted)
    };
    let decision = if any(Effect::Deny, &StatementOutcome::Applies) {
        Decision::Denied
    } else if any(Effect::Deny, &StatementOutcome::Undecided) {
        // A Deny that may apply: allowed at best is not knowable.
        if any(Effect::Allow, &StatementOutcome::Applies)
            || any(Effect::Allow, &StatementOutcome::Undecided)
        {
            Decision::Undecided
        } else {
            Decision::Denied
        }
    } else if any(Effect::Allow, &StatementOutcome::Applies) {
        Decision::Allowed
    } else if any(Effect::Allow, &StatementOutcome::Undecided) {
        Decision::Undecided
    } else {
        Decision::Denied
    };
    Evaluation {
        decision,
        statements,
        unmodelled,
    }
}

/// Three-valued truth: a condition on a key the request cannot know is
/// neither true nor false.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown,
}

fn statement_outcome(
    statement: &Statement,
    request: &Request,
    report: &mut dyn FnMut(String),
) -> StatementOutcome {
    let mut undecided = false;
    match &statement.principal {
        PrincipalSpec::Only(principals) => {
            if !principals.iter().any(|p| p.matches(&request.principal)) {
                return StatementOutcome::PrincipalDiffers;
            }
        }
        PrincipalSpec::Not(_) => {
            report("`NotPrincipal` is not modelled".to_owned());
            undecided = true;
        }
        PrincipalSpec::Missing => {
            report("a statement without `Principal` (not valid in a trust policy)".to_owned());
            return StatementOutcome::PrincipalDiffers;
        }
    }
    match &statement.actions {
        document::ActionSpec::Only(actions) => {
            if !actions
                .iter()
                .any(|pattern| wildcard_match(pattern, &request.action, true))
            {
                return StatementOutcome::ActionDiffers;
            }
        }
        document::ActionSpec::Not(_) => {
            report("`NotAction` is not modelled".to_owned());
            undecided = true;
        }
    }
    for block in &statement.conditions {
        match condition::test(block, request) {
            Ok(Truth::True) => {}
            Ok(Truth::False) => {
                return StatementOutcome::ConditionFails {
                    operator: block.operator_text.clone(),
                    key: block.key.clone(),
                };
            }
            Ok(Truth::Unknown) => {
                report(format!(
                    "`{}` on `{}`: the key is not known offline",
                    block.operator_text, block.key
                ));
                undecided = true;
            }
            Err(what) => {
                report(what);
                undecided = true;
            }
        }
    }
    if undecided {
        StatementOutcome::Undecided
    } else {
        StatementOutcome::Applies
    }
}

/// IAM's wildcard match: `*` any run of characters, `?` one character.
/// Iterative with backtracking to the last `*` (linear in practice, no
/// recursion).
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |c: char| {
        if ignore_case {
            c.to_ascii_lowercase()
        } else {
            c
        }
    };
    let pattern: Vec<char> = pattern.chars().map(fold).collect();
    let text: Vec<char> = text.chars().map(fold).collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || Some(&c) == text.get(t) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

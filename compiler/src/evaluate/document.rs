//! A policy document as IAM reads it, from any JSON a user's export holds
//! (not only what irsa writes): `Statement` one object or a list,
//! `Principal` `"*"` or typed, strings or lists everywhere IAM takes them.

use serde_json::{Map, Value};

use super::condition::{self, Operator, Qualifier};
use super::{RequestPrincipal, wildcard_match};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: PrincipalSpec,
    pub actions: ActionSpec,
    /// Every (operator, key) pair of `Condition`, flattened: all must hold.
    pub conditions: Vec<ConditionBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSpec {
    Only(Vec<Principal>),
    /// `NotPrincipal` (not modelled).
    Not(Vec<Principal>),
    Missing,
}

impl PrincipalSpec {
    /// The principals a policy names under `Principal`.
    pub fn principals(&self) -> &[Principal] {
        match self {
            PrincipalSpec::Only(list) => list,
            PrincipalSpec::Not(_) | PrincipalSpec::Missing => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"*"` or `{"AWS": "*"}`: anyone.
    Anyone,
    /// `{"Federated" | "Service" | "AWS" | "CanonicalUser": VALUE}`.
    Typed { kind: String, value: String },
}

impl Principal {
    pub fn matches(&self, request: &RequestPrincipal) -> bool {
        let (kind, value) = match self {
            Principal::Anyone => return true,
            Principal::Typed { kind, value } => (kind.as_str(), value.as_str()),
        };
        match (kind, request) {
            ("Federated", RequestPrincipal::Federated(arn)) => value == arn,
            ("Service", RequestPrincipal::Service(name)) => value.eq_ignore_ascii_case(name),
            ("AWS", RequestPrincipal::Aws(arn)) => aws_principal_matches(value, arn),
            _ => false,
        }
    }
}

impl std::fmt::Display for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Principal::Anyone => f.write_str("*"),
            Principal::Typed { kind, value } => write!(f, "{kind} {value}"),
        }
    }
}

/// An `AWS` principal: an ARN, or an account (`123456789012` or its
/// `:root` ARN) that stands for every principal of that account.
fn aws_principal_matches(policy: &str, arn: &str) -> bool {
    if policy == arn {
        return true;
    }
    let account_of = |text: &str| -> Option<String> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            return Some(text.to_owned());
        }
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        match parts.as_slice() {
            ["arn", _, "iam", "", account, "root"] => Some((*account).to_owned()),
            _ => None,
        }
    };
    let arn_account = arn.split(':').nth(4);
    account_of(policy).is_some_and(|account| arn_account == Some(account.as_str()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSpec {
    Only(Vec<String>),
    /// `NotAction` (not modelled).
    Not(Vec<String>),
}

impl ActionSpec {
    /// Whether the statement's `Action` includes this action.
    pub fn includes(&self, action: &str) -> bool {
        match self {
            ActionSpec::Only(list) => list.iter().any(|p| wildcard_match(p, action, true)),
            ActionSpec::Not(_) => false,
        }
    }
}

/// One operator on one key with its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionBlock {
    /// The operator as written (`ForAnyValue:StringLikeIfExists`).
    pub operator_text: String,
    /// `None` for an operator the evaluator does not model.
    pub test: Option<ConditionTest>,
    /// The key as written.
    pub key: String,
    pub values: Vec<String>,
}

/// A modelled operator, its set qualifier and whether it is `…IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionTest {
    pub qualifier: Qualifier,
    pub operator: Operator,
    pub if_exists: bool,
}

/// A document IAM would not hold: where (a JSON path) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    pub path: String,
    pub message: String,
}

impl Document {
    pub fn from_json(value: &Value) -> Result<Document, DocumentError> {
        let object = value
            .as_object()
            .ok_or_else(|| error("", "a policy document is a JSON object"))?;
        let statements = match get(object, "Statement") {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, s)| statement(s, &format!("Statement[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ Value::Object(_)) => vec![statement(single, "Statement")?],
            Some(_) => {
                return Err(error(
                    "Statement",
                    "`Statement` is an object or a list of objects",
                ));
            }
            None => return Err(error("", "the document has no `Statement`")),
        };
        Ok(Document { statements })
    }
}

fn error(path: &str, message: &str) -> DocumentError {
    DocumentError {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

/// A member by name; IAM's element names are case-sensitive, but the
/// exports users paste are not always: accept any case.
fn get<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

fn statement(value: &Value, path: &str) -> Result<Statement, DocumentError> {
    let object = value
        .as_object()
        .ok_or_else(|| error(path, "a statement is a JSON object"))?;
    let effect = match get(object, "Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => {
            return Err(error(
                &format!("{path}.Effect"),
                "`Effect` is \"Allow\" or \"Deny\"",
            ));
        }
    };
    let principal = match (get(object, "Principal"), get(object, "NotPrincipal")) {
        (Some(p), _) => PrincipalSpec::Only(principals(p, &format!("{path}.Principal"))?),
        (None, Some(p)) => PrincipalSpec::Not(principals(p, &format!("{path}.NotPrincipal"))?),
        (None, None) => PrincipalSpec::Missing,
    };
    let actions = match (get(object, "Action"), get(object, "NotAction")) {
        (Some(a), _) => ActionSpec::Only(strings(a, &format!("{path}.Action"))?),
        (None, Some(a)) => ActionSpec::Not(strings(a, &format!("{path}.NotAction"))?),
        (None, None) => return Err(error(path, "the statement has no `Action`")),
    };
    let conditions = match get(object, "Condition") {
        Some(c) => conditions(c, &format!("{path}.Condition"))?,
        None => Vec::new(),
    };
    Ok(Statement {
        sid: get(object, "Sid")
            .and_then(Value::as_str)
            .map(str::to_owned),
        effect,
        principal,
        actions,
        conditions,
    })
}

fn principals(value: &Value, path: &str) -> Result<Vec<Principal>, DocumentError> {
    match value {
        Value::String(s) if s == "*" => Ok(vec![Principal::Anyone]),
        Value::Object(map) => {
            let mut list = Vec::new();
            for (kind, values) in map {
                for v in strings(values, &format!("{path}.{kind}"))? {
                    list.push(if kind == "AWS" && v == "*" {
                        Principal::Anyone
                    } else {
                        Principal::Typed {
                            kind: kind.clone(),
                            value: v,
                        }
                    });
                }
            }
            Ok(list)
        }
        _ => Err(error(
            path,
            "a principal is \"*\" or an object such as {\"Federated\": ARN}",
        )),
    }
}

/// A string or a list of strings; numbers and booleans as IAM reads them.
fn strings(value: &Value, path: &str) -> Result<Vec<String>, DocumentError> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(list) => list
            .iter()
            .map(|v| one(v).ok_or_else(|| error(path, "expected strings")))
            .collect(),
        other => one(other)
            .map(|s| vec![s])
            .ok_or_else(|| error(path, "expected a string or a list of strings")),
    }
}

fn conditions(value: &Value, path: &str) -> Result<Vec<ConditionBlock>, DocumentError> {
    let operators = value
        .as_object()
        .ok_or_else(|| error(path, "`Condition` is an object of operators"))?;
    let mut blocks = Vec::new();
    for (operator_text, keys) in operators {
        let keys = keys.as_object().ok_or_else(|| {
            error(
                &format!("{path}.{operator_text}"),
                "an operator's value is an object of condition keys",
            )
        })?;
        let test = condition::parse_operator(operator_text);
        for (key, values) in keys {
            blocks.push(ConditionBlock {
                operator_text: operator_text.clone(),
                test,
                key: key.clone(),
                values: strings(values, &format!("{path}.{operator_text}.{key}"))?,
            });
        }
    }
    Ok(blocks)
}

//! Condition operators: the string and ARN families, `Null`, their
//! `IfExists` forms and the `ForAnyValue:` / `ForAllValues:` qualifiers.

use super::document::{ConditionBlock, ConditionTest};
use super::{KeyLookup, Request, Truth, wildcard_match};

/// A modelled condition operator (without `IfExists`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    /// `ArnEquals` and `ArnLike` (IAM gives both the same meaning).
    ArnLike,
    /// `ArnNotEquals` and `ArnNotLike`.
    ArnNotLike,
    /// `Null`: `true` when the key is absent.
    Null,
}

/// How a multivalued key is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// No qualifier: the key's value (any of them) against the policy's.
    Single,
    ForAnyValue,
    ForAllValues,
}

/// `ForAllValues:StringLikeIfExists` → its parts; `None` for an operator
/// the evaluator does not model (`NumericLessThan`, `Bool`, a typo, …).
pub fn parse_operator(text: &str) -> Option<ConditionTest> {
    let (qualifier, rest) = if let Some(rest) = strip_prefix_ignore_case(text, "ForAnyValue:") {
        (Qualifier::ForAnyValue, rest)
    } else if let Some(rest) = strip_prefix_ignore_case(text, "ForAllValues:") {
        (Qualifier::ForAllValues, rest)
    } else {
        (Qualifier::Single, text)
    };
    let (name, if_exists) = match rest.strip_suffix("IfExists") {
        Some(name) => (name, true),
        None => (rest, false),
    };
    let operator = match name {
        "StringEquals" => Operator::StringEquals,
        "StringNotEquals" => Operator::StringNotEquals,
        "StringEqualsIgnoreCase" => Operator::StringEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase" => Operator::StringNotEqualsIgnoreCase,
        "StringLike" => Operator::StringLike,
        "StringNotLike" => Operator::StringNotLike,
        "ArnEquals" | "ArnLike" => Operator::ArnLike,
        "ArnNotEquals" | "ArnNotLike" => Operator::ArnNotLike,
        // `Null` has no IfExists form and takes no qualifier.
        "Null" if !if_exists && qualifier == Qualifier::Single => Operator::Null,
        _ => return None,
    };
    Some(ConditionTest {
        qualifier,
        operator,
        if_exists,
    })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

impl Operator {
    /// Whether the operator asks for no match (true when nothing matches).
    fn negated(self) -> bool {
        matches!(
            self,
            Operator::StringNotEquals
                | Operator::StringNotEqualsIgnoreCase
                | Operator::StringNotLike
                | Operator::ArnNotLike
        )
    }

    /// Whether one policy value matches one request value (before
    /// negation).
    fn value_matches(self, pattern: &str, value: &str) -> bool {
        match self {
            Operator::StringEquals | Operator::StringNotEquals => pattern == value,
            Operator::StringEqualsIgnoreCase | Operator::StringNotEqualsIgnoreCase => {
                pattern.to_lowercase() == value.to_lowercase()
            }
            Operator::StringLike | Operator::StringNotLike => wildcard_match(pattern, value, false),
            Operator::ArnLike | Operator::ArnNotLike => arn_like(pattern, value),
            Operator::Null => false,
        }
    }
}

/// `ArnLike`: each of the six colon-separated parts matched on its own,
/// wildcards allowed in each.
fn arn_like(pattern: &str, value: &str) -> bool {
    let pattern: Vec<&str> = pattern.splitn(6, ':').collect();
    let value: Vec<&str> = value.splitn(6, ':').collect();
    pattern.len() == 6
        && value.len() == 6
        && pattern
            .iter()
            .zip(&value)
            .all(|(p, v)| wildcard_match(p, v, false))
}

/// Whether one (operator, key, values) condition holds for the request;
/// `Err` for an operator that is not modelled.
pub(super) fn test(block: &ConditionBlock, request: &Request) -> Result<Truth, String> {
    let Some(test) = block.test else {
        return Err(format!(
            "the condition operator `{}` is not modelled",
            block.operator_text
        ));
    };
    if block.values.iter().any(|v| v.contains("${")) {
        return Err(format!(
            "the policy variable in `{}` on `{}` is not modelled",
            block.operator_text, block.key
        ));
    }
    let values = match request.lookup(&block.key) {
        KeyLookup::Present(values) => values,
        KeyLookup::Absent => return Ok(missing_key(test, block)),
        // An IfExists form on a key the request may lack is taken as IAM
        // takes a missing key (LANGUAGE.md section 12); on a key it always
        // has, whose value is not known offline, it is undecided.
        KeyLookup::Unknown if test.if_exists => return Ok(Truth::True),
        KeyLookup::Unknown | KeyLookup::PresentUnknown => return Ok(Truth::Unknown),
    };
    if test.operator == Operator::Null {
        // Present: `Null: false` holds.
        return Ok(truth(
            block.values.iter().any(|v| v.eq_ignore_ascii_case("false")),
        ));
    }
    let hit = |value: &String| {
        let any = block
            .values
            .iter()
            .any(|pattern| test.operator.value_matches(pattern, value));
        any != test.operator.negated()
    };
    Ok(truth(match test.qualifier {
        Qualifier::Single | Qualifier::ForAnyValue => values.iter().any(hit),
        Qualifier::ForAllValues => values.iter().all(hit),
    }))
}

/// IAM's rule for a key absent from the request: false, but true for the
/// negated operators, `…IfExists`, `ForAllValues:` and `Null: true`.
fn missing_key(test: ConditionTest, block: &ConditionBlock) -> Truth {
    if test.operator == Operator::Null {
        return truth(block.values.iter().any(|v| v.eq_ignore_ascii_case("true")));
    }
    truth(match test.qualifier {
        _ if test.if_exists => true,
        Qualifier::ForAllValues => true,
        Qualifier::ForAnyValue => false,
        Qualifier::Single => test.operator.negated(),
    })
}

fn truth(value: bool) -> Truth {
    if value { Truth::True } else { Truth::False }
}

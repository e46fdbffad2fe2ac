//! Properties of `verify`'s readers and evaluator, checked by the
//! `aws_export` and `trust_policy` fuzz targets and replayed by
//! `tests/tests/fuzz_regressions.rs`. Each check panics when its property
//! breaks and returns what it saw.

use irsa::evaluate::{
    Decision, Document, Effect, Request, RequestPrincipal, StatementOutcome, evaluate,
};
use irsa::exports::aws::read_aws;

/// What checking one input saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Exports read (not refused).
    pub read: usize,
    /// Trust policies that are policy documents, evaluated.
    pub evaluated: usize,
    /// Evaluations that allowed.
    pub allowed: usize,
}

/// The AWS reader never panics; every role's trust policy, decoded,
/// either is a policy document the evaluator answers for, or an error
/// with a message.
pub fn check_aws_export(data: &[u8]) -> Seen {
    let mut seen = Seen::default();
    let export = match read_aws(data) {
        Ok(export) => export,
        Err(error) => {
            assert!(!error.message.is_empty(), "an error without a message");
            assert!(error.position.line >= 1, "an unlocated error: {error:?}");
            return seen;
        }
    };
    seen.read = 1;
    for role in &export.roles {
        match role.trust_policy() {
            Ok(value) => {
                let inner = check_policy_value(&value);
                seen.evaluated += inner.evaluated;
                seen.allowed += inner.allowed;
            }
            Err(message) => assert!(!message.is_empty()),
        }
    }
    seen
}

/// The evaluator on any JSON: never panics, and its decision agrees with
/// its statements' outcomes (IAM's order: an explicit Deny wins, then an
/// Allow, else denied).
pub fn check_trust_policy(data: &[u8]) -> Seen {
    match serde_json::from_slice(data) {
        Ok(value) => check_policy_value(&value),
        Err(_) => Seen::default(),
    }
}

fn check_policy_value(value: &serde_json::Value) -> Seen {
    let mut seen = Seen::default();
    let Ok(document) = Document::from_json(value) else {
        return seen;
    };
    for request in requests()
        .into_iter()
        .chain(document.statements.iter().filter_map(request_for))
    {
        let evaluation = evaluate(&document, &request);
        seen.evaluated += 1;
        assert_eq!(evaluation.statements.len(), document.statements.len());
        let applies = |effect: Effect| {
            evaluation
                .statements
                .iter()
                .any(|(e, o)| *e == effect && *o == StatementOutcome::Applies)
        };
        let undecided = |effect: Effect| {
            evaluation
                .statements
                .iter()
                .any(|(e, o)| *e == effect && *o == StatementOutcome::Undecided)
        };
        match evaluation.decision {
            Decision::Allowed => {
                seen.allowed += 1;
                assert!(applies(Effect::Allow), "allowed without an Allow");
                assert!(!applies(Effect::Deny) && !undecided(Effect::Deny));
            }
            Decision::Denied => assert!(
                applies(Effect::Deny) || !(applies(Effect::Allow) || undecided(Effect::Allow)),
                "denied although an Allow applies and no Deny does"
            ),
            Decision::Undecided => {
                assert!(!applies(Effect::Deny), "undecided despite a Deny");
                assert!(
                    !evaluation.unmodelled.is_empty(),
                    "undecided without saying what was not modelled"
                );
            }
        }
        assert_eq!(
            evaluation.denied_by().is_some(),
            applies(Effect::Deny),
            "denied_by disagrees"
        );
    }
    seen
}

/// The request a statement is written for: its first principal and
/// action, and each condition key with its first value (so that the
/// evaluator's "allowed" path is exercised on real policies, not only its
/// refusals).
fn request_for(statement: &irsa::evaluate::Statement) -> Option<Request> {
    let principal = statement
        .principal
        .principals()
        .iter()
        .find_map(|p| match p {
            irsa::evaluate::Principal::Typed { kind, value } => match kind.as_str() {
                "Federated" => Some(RequestPrincipal::Federated(value.clone())),
                "Service" => Some(RequestPrincipal::Service(value.clone())),
                "AWS" => Some(RequestPrincipal::Aws(value.clone())),
                _ => None,
            },
            irsa::evaluate::Principal::Anyone => Some(RequestPrincipal::Aws(
                "arn:aws:iam::123456789012:role/anyone".to_owned(),
            )),
        })?;
    let action = match &statement.actions {
        irsa::evaluate::ActionSpec::Only(actions) => actions.first()?.replace(['*', '?'], "x"),
        irsa::evaluate::ActionSpec::Not(_) => "sts:AssumeRole".to_owned(),
    };
    let context = statement
        .conditions
        .iter()
        .filter_map(|c| Some((c.key.clone(), vec![c.values.first()?.clone()])))
        .collect();
    Some(Request {
        principal,
        action,
        context,
        absent: Vec::new(),
        unknowable: Vec::new(),
    })
}

/// An IRSA and a Pod Identity request, as `verify` makes them.
fn requests() -> [Request; 2] {
    let issuer = "oidc.eks.us-west-2.amazonaws.com/id/X";
    [
        Request {
            principal: RequestPrincipal::Federated(format!(
                "arn:aws:iam::123456789012:oidc-provider/{issuer}"
            )),
            action: "sts:AssumeRoleWithWebIdentity".to_owned(),
            context: vec![
                (
                    format!("{issuer}:sub"),
                    vec!["system:serviceaccount:spinnaker:spin-sa".to_owned()],
                ),
                (
                    format!("{issuer}:aud"),
                    vec!["sts.amazonaws.com".to_owned()],
                ),
            ],
            absent: Vec::new(),
            unknowable: Vec::new(),
        },
        Request {
            principal: RequestPrincipal::Service("pods.eks.amazonaws.com".to_owned()),
            action: "sts:TagSession".to_owned(),
            context: vec![
                (
                    "aws:RequestTag/kubernetes-namespace".to_owned(),
                    vec!["spinnaker".to_owned()],
                ),
                (
                    "aws:TagKeys".to_owned(),
                    vec![
                        "kubernetes-namespace".to_owned(),
                        "eks-cluster-name".to_owned(),
                    ],
                ),
            ],
            absent: vec!["aws:RequestTag/*".to_owned()],
            unknowable: vec!["aws:RequestTag/kubernetes-pod-name".to_owned()],
        },
    ]
}

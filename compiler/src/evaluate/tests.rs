//! The evaluator against IAM's documented semantics, one policy/request
//! pair per row ("Condition operators", "Policy evaluation logic",
//! "IAM JSON policy elements" in the IAM User Guide).

use serde_json::json;

use super::*;

const PROVIDER: &str =
    "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
const ISSUER: &str = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const SA: &str = "system:serviceaccount:spinnaker:spin-sa";

fn irsa(sub: &str, aud: &str) -> Request {
    Request {
        principal: RequestPrincipal::Federated(PROVIDER.to_owned()),
        action: "sts:AssumeRoleWithWebIdentity".to_owned(),
        context: vec![
            (format!("{ISSUER}:sub"), vec![sub.to_owned()]),
            (format!("{ISSUER}:aud"), vec![aud.to_owned()]),
        ],
        absent: vec![],
        unknowable: vec![],
    }
}

fn pod(action: &str, namespace: &str, sa: &str) -> Request {
    Request {
        principal: RequestPrincipal::Service("pods.eks.amazonaws.com".to_owned()),
        action: action.to_owned(),
        context: vec![
            (
                "aws:RequestTag/eks-cluster-name".to_owned(),
                vec!["prod".to_owned()],
            ),
            (
                "aws:RequestTag/kubernetes-namespace".to_owned(),
                vec![namespace.to_owned()],
            ),
            (
                "aws:RequestTag/kubernetes-service-account".to_owned(),
                vec![sa.to_owned()],
            ),
            (
                "aws:TagKeys".to_owned(),
                [
                    "eks-cluster-name",
                    "kubernetes-namespace",
                    "kubernetes-service-account",
                ]
                .map(str::to_owned)
                .to_vec(),
            ),
        ],
        absent: vec!["aws:RequestTag/*".to_owned()],
        unknowable: vec!["aws:RequestTag/kubernetes-pod-name".to_owned()],
    }
}

fn aws(arn: &str) -> Request {
    Request {
        principal: RequestPrincipal::Aws(arn.to_owned()),
        action: "sts:AssumeRole".to_owned(),
        context: vec![],
        absent: vec![],
        unknowable: vec![],
    }
}

/// An IRSA-style statement with one condition block.
#[allow(clippy::needless_pass_by_value)] // json!() literals read best inline
fn web(effect: &str, condition: serde_json::Value) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": effect,
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }]})
}

fn sub_key() -> String {
    format!("{ISSUER}:sub")
}
fn aud_key() -> String {
    format!("{ISSUER}:aud")
}

use Decision::{Allowed as A, Denied as D, Undecided as U};

fn cases() -> Vec<(&'static str, serde_json::Value, Request, Decision)> {
    let sub = sub_key();
    let aud = aud_key();
    let exact = web(
        "Allow",
        json!({"StringEquals": {&sub: SA, &aud: "sts.amazonaws.com"}}),
    );
    vec![
        // Principals
        ("exact IRSA statement", exact.clone(), irsa(SA, "sts.amazonaws.com"), A),
        ("other OIDC provider", exact.clone(), Request { principal: RequestPrincipal::Federated(PROVIDER.replace("ABC", "XYZ")), ..irsa(SA, "sts.amazonaws.com") }, D),
        ("service principal is not federated", exact.clone(), Request { principal: RequestPrincipal::Service("pods.eks.amazonaws.com".into()), ..irsa(SA, "sts.amazonaws.com") }, D),
        ("principal star", json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:*"}}), irsa(SA, "x"), A),
        ("principal AWS star is anyone", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRoleWithWebIdentity"}}), irsa(SA, "x"), A),
        ("principal list", json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": ["arn:aws:iam::1:oidc-provider/x", PROVIDER]}, "Action": "sts:AssumeRoleWithWebIdentity"}}), irsa(SA, "x"), A),
        ("service principal any case", json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "PODS.EKS.AMAZONAWS.COM"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}}), pod("sts:AssumeRole", "spinnaker", "spin-sa"), A),
        ("other service principal", json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}), pod("sts:AssumeRole", "spinnaker", "spin-sa"), D),
        ("AWS account id principal", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}}), aws("arn:aws:iam::111122223333:role/x"), A),
        ("AWS root principal", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}}), aws("arn:aws:iam::111122223333:role/x"), A),
        ("AWS other account", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}}), aws("arn:aws:iam::111122223333:role/x"), D),
        ("AWS exact role", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/x"}, "Action": "sts:AssumeRole"}}), aws("arn:aws:iam::111122223333:role/x"), A),
        ("AWS principal does not admit federated", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:*"}}), irsa(SA, "x"), D),
        ("NotPrincipal is undecided", json!({"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:*"}}), irsa(SA, "x"), U),
        ("no Principal never applies", json!({"Statement": {"Effect": "Allow", "Action": "sts:*"}}), irsa(SA, "x"), D),
        // Actions
        ("action star", web("Allow", json!({})).pointer_mut_action("*"), irsa(SA, "x"), A),
        ("action service star", web("Allow", json!({})).pointer_mut_action("sts:*"), irsa(SA, "x"), A),
        ("action question mark", web("Allow", json!({})).pointer_mut_action("sts:AssumeRoleWith?ebIdentity"), irsa(SA, "x"), A),
        ("action prefix wildcard", web("Allow", json!({})).pointer_mut_action("sts:AssumeRole*"), irsa(SA, "x"), A),
        ("action case-insensitive", web("Allow", json!({})).pointer_mut_action("STS:assumerolewithwebidentity"), irsa(SA, "x"), A),
        ("other action", web("Allow", json!({})).pointer_mut_action("sts:AssumeRole"), irsa(SA, "x"), D),
        ("action list", web("Allow", json!({})).pointer_mut_action_list(&["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]), irsa(SA, "x"), A),
        ("NotAction is undecided", json!({"Statement": {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "NotAction": "sts:AssumeRole"}}), irsa(SA, "x"), U),
        ("Pod Identity AssumeRole", json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}}), pod("sts:AssumeRole", "spinnaker", "spin-sa"), A),
        ("Pod Identity TagSession missing", json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}}), pod("sts:TagSession", "spinnaker", "spin-sa"), D),
        // Deny
        ("explicit deny wins", json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:*"}]}), irsa(SA, "x"), D),
        ("deny on another subject does not apply", json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "sts:AssumeRoleWithWebIdentity"},
            {"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": {"StringEquals": {&sub: "system:serviceaccount:x:y"}}}]}), irsa(SA, "x"), A),
        ("deny before allow still wins", json!({"Statement": [
            {"Effect": "Deny", "Principal": {"Federated": PROVIDER}, "Action": "*"},
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "*"}]}), irsa(SA, "x"), D),
        ("deny alone is denied", json!({"Statement": {"Effect": "Deny", "Principal": "*", "Action": "*"}}), irsa(SA, "x"), D),
        ("empty statement list denies", json!({"Statement": []}), irsa(SA, "x"), D),
        ("undecidable deny makes allow undecided", json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "*", "Condition": {"StringEquals": {"aws:SourceIp": "1.2.3.4"}}}]}), irsa(SA, "x"), U),
        // StringEquals
        ("sub differs", exact.clone(), irsa("system:serviceaccount:spinnaker:other", "sts.amazonaws.com"), D),
        ("aud differs", exact.clone(), irsa(SA, "sts.example.com"), D),
        ("StringEquals is case-sensitive", exact, irsa(&SA.to_uppercase(), "sts.amazonaws.com"), D),
        ("StringEquals has no wildcards", web("Allow", json!({"StringEquals": {&sub: "system:serviceaccount:spinnaker:*"}})), irsa(SA, "x"), D),
        ("several values OR", web("Allow", json!({"StringEquals": {&sub: ["system:serviceaccount:a:b", SA]}})), irsa(SA, "x"), A),
        ("several keys AND (one fails)", web("Allow", json!({"StringEquals": {&sub: SA, &aud: "a"}})), irsa(SA, "b"), D),
        ("several operators AND", web("Allow", json!({"StringEquals": {&sub: SA}, "StringLike": {&aud: "sts.*"}})), irsa(SA, "sts.amazonaws.com"), A),
        ("several operators AND (one fails)", web("Allow", json!({"StringEquals": {&sub: SA}, "StringLike": {&aud: "x*"}})), irsa(SA, "sts.amazonaws.com"), D),
        ("condition key name any case", web("Allow", json!({"StringEquals": {sub.to_uppercase(): SA}})), irsa(SA, "x"), A),
        ("condition on an absent key fails", web("Allow", json!({"StringEquals": {&sub: SA}})), Request { context: vec![], absent: vec![sub.clone()], ..irsa(SA, "x") }, D),
        // IgnoreCase
        ("StringEqualsIgnoreCase", web("Allow", json!({"StringEqualsIgnoreCase": {&sub: SA.to_uppercase()}})), irsa(SA, "x"), A),
        ("StringNotEqualsIgnoreCase excludes", web("Allow", json!({"StringNotEqualsIgnoreCase": {&sub: SA.to_uppercase()}})), irsa(SA, "x"), D),
        // StringNotEquals
        ("StringNotEquals other value", web("Allow", json!({"StringNotEquals": {&sub: "system:serviceaccount:a:b"}})), irsa(SA, "x"), A),
        ("StringNotEquals same value", web("Allow", json!({"StringNotEquals": {&sub: SA}})), irsa(SA, "x"), D),
        ("StringNotEquals any of list", web("Allow", json!({"StringNotEquals": {&sub: ["a", SA]}})), irsa(SA, "x"), D),
        ("StringNotEquals on an absent key holds", web("Allow", json!({"StringNotEquals": {"aws:RequestTag/team": "x"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), A),
        // StringLike
        ("StringLike star", web("Allow", json!({"StringLike": {&sub: "system:serviceaccount:spinnaker:*"}})), irsa(SA, "x"), A),
        ("StringLike question mark", web("Allow", json!({"StringLike": {&sub: "system:serviceaccount:spinnaker:spin-s?"}})), irsa(SA, "x"), A),
        ("StringLike other namespace", web("Allow", json!({"StringLike": {&sub: "system:serviceaccount:other:*"}})), irsa(SA, "x"), D),
        ("StringLike without wildcard is equality", web("Allow", json!({"StringLike": {&sub: SA}})), irsa(SA, "x"), A),
        ("StringLike case-sensitive", web("Allow", json!({"StringLike": {&sub: "SYSTEM:*"}})), irsa(SA, "x"), D),
        ("StringLike star matches empty", web("Allow", json!({"StringLike": {&sub: "system:serviceaccount:spinnaker:spin-sa*"}})), irsa(SA, "x"), A),
        ("StringNotLike excludes", web("Allow", json!({"StringNotLike": {&sub: "system:serviceaccount:spinnaker:*"}})), irsa(SA, "x"), D),
        ("StringNotLike other", web("Allow", json!({"StringNotLike": {&sub: "system:serviceaccount:kube-system:*"}})), irsa(SA, "x"), A),
        // Arn
        ("ArnLike wildcard per part", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/spin-*"}}}}), Request { context: vec![("aws:PrincipalArn".into(), vec!["arn:aws:iam::111122223333:role/spin-x".into()])], ..aws("arn:aws:iam::111122223333:role/spin-x") }, A),
        ("ArnEquals same as ArnLike", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/spin-x"}}}}), Request { context: vec![("aws:PrincipalArn".into(), vec!["arn:aws:iam::111122223333:role/spin-x".into()])], ..aws("arn:aws:iam::111122223333:role/spin-x") }, A),
        ("ArnLike star stays in its part", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:*"}}}}), Request { context: vec![("aws:PrincipalArn".into(), vec!["arn:aws:iam::111122223333:role/a:b".into()])], ..aws("arn:aws:iam::111122223333:role/a") }, A),
        ("ArnLike not an ARN", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Condition": {"ArnLike": {"aws:PrincipalArn": "*"}}}}), Request { context: vec![("aws:PrincipalArn".into(), vec!["arn:aws:iam::111122223333:role/a".into()])], ..aws("arn:aws:iam::111122223333:role/a") }, D),
        ("ArnNotLike", json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}}}), Request { context: vec![("aws:PrincipalArn".into(), vec!["arn:aws:iam::111122223333:role/a".into()])], ..aws("arn:aws:iam::111122223333:role/a") }, A),
        // IfExists
        ("IfExists on an absent key holds", web("Allow", json!({"StringEqualsIfExists": {"aws:RequestTag/team": "x"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), A),
        ("IfExists on a present key compares", web("Allow", json!({"StringEqualsIfExists": {"aws:RequestTag/kubernetes-namespace": "other"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), D),
        ("IfExists on a present but unknowable key is undecided", web("Allow", json!({"StringEqualsIfExists": {"aws:RequestTag/kubernetes-pod-name": "x"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), U),
        ("IfExists on a key the request may lack holds", web("Allow", json!({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}})), irsa(SA, "x"), A),
        ("a policy variable is undecided", web("Allow", json!({"StringEquals": {&sub: "system:serviceaccount:spinnaker:${aws:username}"}})), irsa(SA, "x"), U),
        ("unknowable key is undecided", web("Allow", json!({"StringEquals": {"aws:RequestTag/kubernetes-pod-name": "x"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), U),
        ("unknowable key after a failing one is denied", web("Allow", json!({"StringEquals": {"aws:RequestTag/kubernetes-namespace": "other", "aws:RequestTag/kubernetes-pod-name": "x"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), D),
        // Null
        ("Null true on absent key", web("Allow", json!({"Null": {"aws:RequestTag/team": "true"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), A),
        ("Null true on present key", web("Allow", json!({"Null": {"aws:RequestTag/kubernetes-namespace": "true"}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), D),
        ("Null false on present key (boolean value)", web("Allow", json!({"Null": {"aws:RequestTag/kubernetes-namespace": false}})).with_principal_service(), pod("sts:AssumeRole", "spinnaker", "spin-sa"), A),
        // Set qualifiers
        ("ForAllValues subset", web("Allow", json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["eks-cluster-name", "kubernetes-namespace", "kubernetes-service-account", "kubernetes-pod-name"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), A),
        ("ForAllValues not a subset", web("Allow", json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["eks-cluster-name"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), D),
        ("ForAllValues on an absent key holds", web("Allow", json!({"ForAllValues:StringEquals": {"aws:RequestTag/team": ["a"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), A),
        ("ForAnyValue one matches", web("Allow", json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["kubernetes-namespace"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), A),
        ("ForAnyValue none matches", web("Allow", json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), D),
        ("ForAnyValue on an absent key fails", web("Allow", json!({"ForAnyValue:StringEquals": {"aws:RequestTag/team": ["a"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), D),
        ("ForAnyValue StringLike", web("Allow", json!({"ForAnyValue:StringLike": {"aws:TagKeys": ["kubernetes-*"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), A),
        ("ForAllValues StringNotEquals", web("Allow", json!({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), A),
        ("qualifier any case", web("Allow", json!({"forallvalues:StringEquals": {"aws:TagKeys": ["eks-cluster-name"]}})).with_principal_service(), pod("sts:TagSession", "spinnaker", "spin-sa"), D),
        // Not modelled
        ("unknown operator is undecided", web("Allow", json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})), irsa(SA, "x"), U),
        ("misspelt operator is undecided", web("Allow", json!({"StringEqual": {&sub: SA}})), irsa(SA, "x"), U),
        ("unknown operator with a failing condition is denied", web("Allow", json!({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {&sub: "x"}})), irsa(SA, "x"), D),
        // Pod Identity trust of LANGUAGE.md section 11
        ("Pod Identity session tags", json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {"StringEquals": {"aws:RequestTag/eks-cluster-name": "prod", "aws:RequestTag/kubernetes-namespace": "spinnaker", "aws:RequestTag/kubernetes-service-account": ["spin-sa", "spin-sa-echo"]}}}}), pod("sts:TagSession", "spinnaker", "spin-sa-echo"), A),
        ("Pod Identity other namespace", json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"], "Condition": {"StringEquals": {"aws:RequestTag/kubernetes-namespace": "spinnaker"}}}}), pod("sts:AssumeRole", "default", "spin-sa"), D),
    ]
}

/// Small builders on the JSON of one-statement documents.
trait Tweak {
    fn pointer_mut_action(self, action: &str) -> Self;
    fn pointer_mut_action_list(self, actions: &[&str]) -> Self;
    fn with_principal_service(self) -> Self;
}

impl Tweak for serde_json::Value {
    fn pointer_mut_action(mut self, action: &str) -> Self {
        if let Some(a) = self.pointer_mut("/Statement/0/Action") {
            *a = json!(action);
        }
        self
    }
    fn pointer_mut_action_list(mut self, actions: &[&str]) -> Self {
        if let Some(a) = self.pointer_mut("/Statement/0/Action") {
            *a = json!(actions);
        }
        self
    }
    fn with_principal_service(mut self) -> Self {
        if let Some(p) = self.pointer_mut("/Statement/0/Principal") {
            *p = json!({"Service": "pods.eks.amazonaws.com"});
        }
        if let Some(a) = self.pointer_mut("/Statement/0/Action") {
            *a = json!(["sts:AssumeRole", "sts:TagSession"]);
        }
        self
    }
}

#[test]
fn iam_semantics_table() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, policy, request, expected) in &cases {
        let document = match Document::from_json(policy) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{name}: document error {e:?}"));
                continue;
            }
        };
        let got = evaluate(&document, request).decision;
        if got != *expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    // Every decision is exercised.
    for decision in [A, D, U] {
        assert!(
            cases.iter().any(|c| c.3 == decision),
            "no case for {decision:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_failing_statement_says_which_condition() {
    let sub = sub_key();
    let document = Document::from_json(&web(
        "Allow",
        json!({"StringEquals": {&sub: "system:serviceaccount:x:y"}}),
    ))
    .unwrap();
    let evaluation = evaluate(&document, &irsa(SA, "sts.amazonaws.com"));
    assert_eq!(
        evaluation.statements,
        vec![(
            Effect::Allow,
            StatementOutcome::ConditionFails {
                operator: "StringEquals".into(),
                key: sub
            }
        )]
    );
}

#[test]
fn what_is_not_modelled_is_reported() {
    let policy = json!({"Statement": [
        {"Effect": "Allow", "NotPrincipal": {"AWS": "1"}, "Action": "*"},
        {"Effect": "Allow", "Principal": "*", "NotAction": "iam:*"},
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01"}}},
    ]});
    let evaluation = evaluate(&Document::from_json(&policy).unwrap(), &irsa(SA, "x"));
    let what: Vec<&str> = evaluation
        .unmodelled
        .iter()
        .map(|u| u.what.as_str())
        .collect();
    assert_eq!(evaluation.decision, U);
    assert!(what.iter().any(|w| w.contains("NotPrincipal")), "{what:?}");
    assert!(what.iter().any(|w| w.contains("NotAction")), "{what:?}");
    assert!(what.iter().any(|w| w.contains("DateLessThan")), "{what:?}");
}

#[test]
fn documents_iam_would_not_hold_are_errors_with_a_path() {
    for (policy, path) in [
        (json!([]), ""),
        (json!({"Version": "2012-10-17"}), ""),
        (
            json!({"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "*"}]}),
            "Statement[0].Effect",
        ),
        (
            json!({"Statement": [{"Effect": "Allow", "Principal": "*"}]}),
            "Statement[0]",
        ),
        (
            json!({"Statement": {"Effect": "Allow", "Principal": 3, "Action": "*"}}),
            "Statement.Principal",
        ),
        (
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Condition": {"StringEquals": "x"}}}),
            "Statement.Condition.StringEquals",
        ),
        (
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": [{}]}}),
            "Statement.Action",
        ),
    ] {
        let error = Document::from_json(&policy).unwrap_err();
        assert_eq!(error.path, path, "{policy}: {error:?}");
    }
}

#[test]
fn wildcards() {
    for (pattern, text, expected) in [
        ("", "", true),
        ("*", "", true),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbY", false),
        ("*a", "bbbba", true),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("**", "x", true),
        ("é?", "éß", true),
    ] {
        assert_eq!(
            wildcard_match(pattern, text, false),
            expected,
            "{pattern} ~ {text}"
        );
    }
    // Linear enough: a pathological pattern on a long text answers.
    let text = "a".repeat(10_000);
    assert!(!wildcard_match(
        &format!("{}b", "*a".repeat(50)),
        &text,
        false
    ));
}

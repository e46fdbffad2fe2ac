//! The words of the language, once. The parser, `fmt` and "did you mean"
//! read these tables; the book's language reference is checked against them
//! (tests/tests/book.rs), and `cargo xtask vscode` generates from [`WORDS`]
//! and the fixed values the TextMate grammar that VS Code, the playground and
//! the book highlight with (xtask/src/grammar.rs). Nothing else spells a
//! keyword.

use serde::Serialize;

/// The statements that take one value: `KEYWORD VALUE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Keyword {
    Spinnaker,
    Namespace,
    Operator,
    Armory,
    Account,
    Partition,
    Naming,
    Oidc,
    Cluster,
    Region,
}

impl Keyword {
    pub const ALL: [Keyword; 10] = [
        Keyword::Spinnaker,
        Keyword::Namespace,
        Keyword::Operator,
        Keyword::Armory,
        Keyword::Account,
        Keyword::Partition,
        Keyword::Naming,
        Keyword::Oidc,
        Keyword::Cluster,
        Keyword::Region,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Spinnaker => "spinnaker",
            Keyword::Namespace => "namespace",
            Keyword::Operator => "operator",
            Keyword::Armory => "armory",
            Keyword::Account => "account",
            Keyword::Partition => "partition",
            Keyword::Naming => "naming",
            Keyword::Oidc => "oidc",
            Keyword::Cluster => "cluster",
            Keyword::Region => "region",
        }
    }

    pub fn parse(word: &str) -> Option<Keyword> {
        Keyword::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// What the value is, for "expected …" messages.
    pub fn value_description(self) -> &'static str {
        match self {
            Keyword::Spinnaker => "the SpinnakerService name",
            Keyword::Namespace => "a namespace",
            Keyword::Operator => "`armory` or `oss`",
            Keyword::Armory => "an Armory version such as `2.32.1`",
            Keyword::Account => "a 12-digit AWS account ID",
            Keyword::Partition => "an AWS partition such as `aws`",
            Keyword::Naming => "a ServiceAccount name base such as `spin-sa`",
            Keyword::Oidc => "the cluster's OIDC issuer",
            Keyword::Cluster => "the EKS cluster's name",
            Keyword::Region => "an AWS region such as `us-west-2`",
        }
    }

    /// The values the statement takes, when they are a fixed set.
    pub fn fixed_values(self) -> &'static [&'static str] {
        match self {
            Keyword::Operator => &OPERATORS,
            Keyword::Partition => &PARTITIONS,
            _ => &[],
        }
    }
}

/// Every statement keyword, in the order the reference lists them.
pub const STATEMENTS: [&str; 13] = [
    "spinnaker",
    "namespace",
    "operator",
    "armory",
    "account",
    "partition",
    "naming",
    "oidc",
    "cluster",
    "region",
    "role",
    "defaults",
    "service",
];

/// The two kinds of block: a ServiceAccount's settings (`defaults` and a
/// binding's block) and a managed role's (`role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    ServiceAccount,
    Role,
}

impl BlockKind {
    /// The settings this kind of block takes.
    pub fn settings(self) -> Vec<&'static str> {
        SettingKind::ALL
            .iter()
            .filter(|s| s.block() == self)
            .map(|s| s.as_str())
            .collect()
    }
}

/// The words inside a binding: `service TARGETS -> role ROLE as SA`.
pub const BINDING_WORDS: [&str; 2] = ["role", "as"];

/// `operator` values.
pub const OPERATORS: [&str; 2] = ["armory", "oss"];

/// AWS partitions that IAM knows.
pub const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// `identity` values: how pods get the role (LANGUAGE.md section 11).
pub const IDENTITIES: [&str; 3] = ["irsa", "pod-identity", "both"];

/// Boolean setting values.
pub const BOOLEANS: [&str; 2] = ["true", "false"];

/// The settings of a block (LANGUAGE.md section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SettingKind {
    Audience,
    StsRegionalEndpoints,
    TokenExpiration,
    Annotation,
    Label,
    Identity,
    Policy,
    Boundary,
    MaxSession,
    Description,
    Tag,
}

impl SettingKind {
    pub const ALL: [SettingKind; 11] = [
        SettingKind::Audience,
        SettingKind::StsRegionalEndpoints,
        SettingKind::TokenExpiration,
        SettingKind::Annotation,
        SettingKind::Label,
        SettingKind::Identity,
        SettingKind::Policy,
        SettingKind::Boundary,
        SettingKind::MaxSession,
        SettingKind::Description,
        SettingKind::Tag,
    ];

    /// The kind of block the setting belongs in.
    pub fn block(self) -> BlockKind {
        match self {
            SettingKind::Audience
            | SettingKind::StsRegionalEndpoints
            | SettingKind::TokenExpiration
            | SettingKind::Annotation
            | SettingKind::Label
            | SettingKind::Identity => BlockKind::ServiceAccount,
            SettingKind::Policy
            | SettingKind::Boundary
            | SettingKind::MaxSession
            | SettingKind::Description
            | SettingKind::Tag => BlockKind::Role,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SettingKind::Audience => "audience",
            SettingKind::StsRegionalEndpoints => "sts-regional-endpoints",
            SettingKind::TokenExpiration => "token-expiration",
            SettingKind::Annotation => "annotation",
            SettingKind::Label => "label",
            SettingKind::Identity => "identity",
            SettingKind::Policy => "policy",
            SettingKind::Boundary => "boundary",
            SettingKind::MaxSession => "max-session",
            SettingKind::Description => "description",
            SettingKind::Tag => "tag",
        }
    }

    pub fn parse(word: &str) -> Option<SettingKind> {
        SettingKind::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// Every setting name, in table order.
    pub fn names() -> Vec<&'static str> {
        SettingKind::ALL.iter().map(|k| k.as_str()).collect()
    }

    /// The values the setting takes, for "expected …" messages.
    pub fn arguments(self) -> &'static [&'static str] {
        match self {
            SettingKind::Audience => &["an audience string"],
            SettingKind::StsRegionalEndpoints => &["`true` or `false`"],
            SettingKind::TokenExpiration => &["a duration such as `3600` or `1h30m`"],
            SettingKind::Annotation => &["an annotation key in quotes", "the annotation value"],
            SettingKind::Label => &["a label key in quotes", "the label value"],
            SettingKind::Identity => &["`irsa`, `pod-identity` or `both`"],
            SettingKind::Policy | SettingKind::Boundary => &["a managed policy ARN"],
            SettingKind::MaxSession => &["a duration from `1h` to `12h`"],
            SettingKind::Description => &["a description in quotes"],
            SettingKind::Tag => &["a tag key in quotes", "the tag value"],
        }
    }

    /// Whether a value may be a quoted string (otherwise a bare word only).
    pub fn takes_strings(self) -> bool {
        matches!(
            self,
            SettingKind::Audience
                | SettingKind::Annotation
                | SettingKind::Label
                | SettingKind::Description
                | SettingKind::Tag
        )
    }

    /// The values the setting takes, when they are a fixed set.
    pub fn fixed_values(self) -> &'static [&'static str] {
        match self {
            SettingKind::StsRegionalEndpoints => &BOOLEANS,
            SettingKind::Identity => &IDENTITIES,
            _ => &[],
        }
    }

    /// Whether the setting may be given more than once in a block, once
    /// per key (its first value).
    pub fn keyed(self) -> bool {
        matches!(
            self,
            SettingKind::Annotation | SettingKind::Label | SettingKind::Tag
        )
    }

    /// Whether the setting may be given any number of times (`policy`:
    /// one per policy; the same one twice is its own error).
    pub fn repeatable(self) -> bool {
        self == SettingKind::Policy
    }
}

/// One word of the language with a one-line description: what hover shows
/// and what the book's lists and the highlighter are made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WordInfo {
    pub word: &'static str,
    /// `statement`, `setting` or `binding`.
    pub kind: &'static str,
    /// How it is written, e.g. `namespace NAME`.
    pub syntax: &'static str,
    pub summary: &'static str,
}

/// Every keyword, setting and binding word with its syntax and summary.
pub const WORDS: [WordInfo; 26] = [
    statement(
        "spinnaker",
        "spinnaker NAME",
        "The SpinnakerService's `metadata.name` (default `spinnaker`).",
    ),
    statement(
        "namespace",
        "namespace NAME",
        "The namespace of the SpinnakerService and every ServiceAccount.",
    ),
    statement(
        "operator",
        "operator armory|oss",
        "Which operator reconciles the SpinnakerService: Armory's (default) or the open-source one.",
    ),
    statement(
        "armory",
        "armory VERSION",
        "The Armory Enterprise version in use; IRSA needs 2.26 or later.",
    ),
    statement(
        "account",
        "account ID",
        "The AWS account (12 digits) that short role names expand with.",
    ),
    statement(
        "partition",
        "partition NAME",
        "The AWS partition that short role names expand with (default `aws`).",
    ),
    statement(
        "naming",
        "naming BASE",
        "The base of derived ServiceAccount names (default `spin-sa`).",
    ),
    statement(
        "oidc",
        "oidc ISSUER",
        "The cluster's OIDC issuer without `https://`; turns on trust policies.",
    ),
    statement(
        "cluster",
        "cluster NAME",
        "The EKS cluster's name; needed by EKS Pod Identity.",
    ),
    statement(
        "region",
        "region REGION",
        "The cluster's AWS region (else taken from an EKS `oidc` issuer).",
    ),
    statement(
        "role",
        "role ROLE [{ … }]",
        "Declares a role that irsa manages as code (`compile --iam FORM`).",
    ),
    statement(
        "defaults",
        "defaults { … }",
        "Settings applied to every ServiceAccount the file generates.",
    ),
    statement(
        "service",
        "service TARGETS [-> role ROLE] [as SA] [{ … }]",
        "Binds services (or `*`, the operator's global key) to a ServiceAccount and its role.",
    ),
    WordInfo {
        word: "role",
        kind: "binding",
        syntax: "-> role ROLE",
        summary: "The IAM role the ServiceAccount assumes: a full ARN, or `[PATH/]NAME` with `account`.",
    },
    WordInfo {
        word: "as",
        kind: "binding",
        syntax: "as SA",
        summary: "The ServiceAccount's name, instead of the derived one.",
    },
    setting(
        "audience",
        "audience STRING",
        "The token's audience (`eks.amazonaws.com/audience`; default `sts.amazonaws.com`).",
    ),
    setting(
        "sts-regional-endpoints",
        "sts-regional-endpoints true|false",
        "Whether pods use the regional STS endpoint (`eks.amazonaws.com/sts-regional-endpoints`).",
    ),
    setting(
        "token-expiration",
        "token-expiration DURATION",
        "The projected token's lifetime, 600 s or more (`eks.amazonaws.com/token-expiration`).",
    ),
    setting(
        "annotation",
        "annotation \"KEY\" \"VALUE\"",
        "Any other annotation on the ServiceAccount.",
    ),
    setting(
        "label",
        "label \"KEY\" \"VALUE\"",
        "A label on the ServiceAccount.",
    ),
    setting(
        "identity",
        "identity irsa|pod-identity|both",
        "How pods get the role: IRSA annotations (default), an EKS Pod Identity association, or both while migrating.",
    ),
    setting(
        "policy",
        "policy ARN",
        "A managed policy to attach to the role (in a `role` block).",
    ),
    setting(
        "boundary",
        "boundary ARN",
        "The role's permissions boundary, a managed policy (in a `role` block).",
    ),
    setting(
        "max-session",
        "max-session DURATION",
        "The role's maximum session duration, 1h to 12h (in a `role` block).",
    ),
    setting(
        "description",
        "description \"TEXT\"",
        "The role's description (in a `role` block).",
    ),
    setting(
        "tag",
        "tag \"KEY\" \"VALUE\"",
        "A tag on the role (in a `role` block).",
    ),
];

const fn statement(word: &'static str, syntax: &'static str, summary: &'static str) -> WordInfo {
    WordInfo {
        word,
        kind: "statement",
        syntax,
        summary,
    }
}

const fn setting(word: &'static str, syntax: &'static str, summary: &'static str) -> WordInfo {
    WordInfo {
        word,
        kind: "setting",
        syntax,
        summary,
    }
}

/// The infrastructure-as-code form of `--iam`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum IamForm {
    /// Terraform JSON: DIR/iam/main.tf.json (needs -o)
    Terraform,
    /// An AWS CloudFormation template: DIR/iam/template.yaml (needs -o)
    #[cfg_attr(feature = "clap", value(name = "cloudformation"))]
    CloudFormation,
    /// AWS Controllers for Kubernetes objects, first in the stream and in DIR/iam.yaml
    Ack,
    /// Crossplane AWS provider objects, first in the stream and in DIR/iam.yaml
    Crossplane,
}

impl IamForm {
    pub const ALL: [IamForm; 4] = [
        IamForm::Terraform,
        IamForm::CloudFormation,
        IamForm::Ack,
        IamForm::Crossplane,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IamForm::Terraform => "terraform",
            IamForm::CloudFormation => "cloudformation",
            IamForm::Ack => "ack",
            IamForm::Crossplane => "crossplane",
        }
    }

    pub fn parse(text: &str) -> Option<IamForm> {
        IamForm::ALL.into_iter().find(|form| form.as_str() == text)
    }

    /// Whether the form is written only to files (`-o DIR`), never to the
    /// stream: Terraform and CloudFormation are not Kubernetes objects.
    pub fn needs_output_dir(self) -> bool {
        matches!(self, IamForm::Terraform | IamForm::CloudFormation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_described_once() {
        let mut words: Vec<&str> = STATEMENTS.to_vec();
        words.extend(BINDING_WORDS);
        words.extend(SettingKind::names());
        let described: Vec<&str> = WORDS.iter().map(|w| w.word).collect();
        assert_eq!(described, words);
        for keyword in Keyword::ALL {
            assert!(STATEMENTS.contains(&keyword.as_str()));
            assert_eq!(Keyword::parse(keyword.as_str()), Some(keyword));
        }
    }
}

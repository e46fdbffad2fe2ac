//! The command line, declared with clap: shared by the binary and by the
//! xtask that generates shell completions and the man page from it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
// The library's enum, so the CLI and the library cannot disagree.
pub use irsa::{IamForm, MessageFormat};

#[derive(Debug, Parser)]
#[command(
    name = "irsa",
    version,
    about = "Compile .irsa files into IRSA ServiceAccounts and a SpinnakerService for Spinnaker on Amazon EKS",
    long_about = "Compile .irsa files into IRSA ServiceAccounts and a SpinnakerService for Spinnaker on Amazon EKS.\n\n\
An .irsa file says which IAM role each Spinnaker service assumes:\n\n    \
service *    -> role arn:aws:iam::123456789012:role/spinnaker\n    \
service echo -> role arn:aws:iam::123456789012:role/spinnaker-echo\n\n\
Exit status: 0 success (warnings allowed unless --deny-warnings); 1 errors in the input, \
or a --check that found a difference; 2 a usage or I/O error.",
    after_help = "Run `irsa help COMMAND` for a command's options.",
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile .irsa files into Kubernetes YAML on standard output, or into a directory
    #[command(long_about = "Compile .irsa files into Kubernetes YAML.\n\n\
Without -o, prints one YAML stream: the IAM objects of --iam ack|crossplane, the ServiceAccounts, \
then the SpinnakerService. With -o DIR, writes serviceaccounts.yaml, spinnakerservice.yaml, \
kustomization.yaml (so that `kubectl apply -k DIR` works), trust-policies/NAME.json for each role \
that can be given one, pod-identity/SA.json for each Pod Identity ServiceAccount \
(the input of `aws eks create-pod-identity-association --cli-input-json`), and with --iam the \
roles declared with `role` (iam/main.tf.json, iam/template.yaml or iam.yaml). \
With several files and -o, each file's output goes to DIR/STEM/. \
If any file has errors, nothing is written for any file.")]
    Compile(CompileArgs),
    /// Validate .irsa files and report every problem; write nothing
    Check(CheckArgs),
    /// Rewrite .irsa files in the canonical layout (standard input goes to standard output)
    #[command(
        long_about = "Rewrite .irsa files in the canonical layout: single spaces, ` -> `, \
two-space indentation in blocks, comments and blank-line groups kept. \
Formatting never changes what a file compiles to. Files are rewritten in place; \
standard input (no FILE, or `-`) goes to standard output. \
With --check, nothing is written: each file that differs is named, a unified diff is printed, \
and the exit status is 1."
    )]
    Fmt(FmtArgs),
    /// Show which ServiceAccount, identity and role each service gets, and what `*` reaches; or explain a diagnostic code
    #[command(
        long_about = "Show, for an .irsa file, which ServiceAccount, identity (IRSA or Pod Identity) and role \
each service gets, which services `*` reaches through the operator and which it never reaches, \
and the roles the file manages as code. \
With --code CODE (such as E031), print the long explanation of a diagnostic instead."
    )]
    Explain(ExplainArgs),
    /// Check the file against exports of the live state: can each pod assume its role, and only its role?
    #[command(
        long_about = "Check an .irsa file against what is deployed: the IAM roles' trust \
policies, the cluster's OIDC issuer and provider, the Pod Identity associations, the \
ServiceAccounts and the SpinnakerService. Each role's trust policy is evaluated, offline, with the \
request its ServiceAccounts make (IRSA: sts:AssumeRoleWithWebIdentity with :sub and :aud; Pod \
Identity: sts:AssumeRole and sts:TagSession with the session tags, none where the association \
disables them), and with probes for anyone else it lets in.\n\n\
AWS exports (JSON, recognised by their top-level key): `aws iam get-role`, `aws iam list-roles`, \
`aws eks describe-cluster`, `aws iam list-open-id-connect-providers`, \
`aws eks describe-pod-identity-association`, `aws eks list-pod-identity-associations`. \
Kubernetes exports (YAML or JSON): `kubectl get serviceaccounts,spinnakerservices -n NS -o yaml`.\n\n\
With --live, irsa runs those read-only commands itself (no shell; --aws-profile and \
--kube-context are passed on) for what was not given as a file. Nothing is written.\n\n\
Exit status: 0 when every check passes (warnings allowed unless --deny-warnings); 1 on a finding \
that is an error, or an export that cannot be read; 2 a usage or I/O error, or a --live command \
that fails."
    )]
    Verify(VerifyArgs),
    /// Turn existing Kubernetes YAML (a SpinnakerService and its ServiceAccounts) into an .irsa file
    #[command(
        long_about = "Turn existing Kubernetes YAML or JSON into an .irsa file in the canonical layout.\n\n\
Reads the output of `kubectl get spinnakerservices,serviceaccounts -n NAMESPACE -o yaml` \
(or -o json), `kustomize build`, or plain manifests: single objects, multi-document streams and Lists. \
It finds the SpinnakerService and the ServiceAccounts its service-settings name, and writes the bindings \
a person would: `*` for the `spinnaker` key, lists for services that share a ServiceAccount, \
`as` only where the name is not the derived one, `account` and short role names when every role \
shares an account, shared settings in `defaults`. Server-set fields and \
last-applied-configuration are dropped. What the language cannot hold (other service-settings \
content, unknown service keys, a second SpinnakerService) is a warning and left out. \
An input that cannot be imported faithfully is an error at its file, line and column, \
and nothing is written. The file compiles to the same ServiceAccounts and serviceAccountNames \
as the input."
    )]
    Import(ImportArgs),
    /// Run the language server for editors (LSP over standard input and output)
    #[command(
        long_about = "Run the language server for editors: the Language Server Protocol 3.17 on standard \
input and output. It reports `check`'s diagnostics as you type (each code links to its explanation), \
formats as `fmt` does, and offers hover, completion, go to definition, quick fixes for every \
\"did you mean\" and document symbols. Editors start it themselves; see the book's Editors chapter. \
It exits with status 0 after the client's `shutdown` and `exit`, and 1 when the input ends or \
`exit` comes without `shutdown`."
    )]
    Lsp(LspArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The .irsa file; `-` reads standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// An AWS CLI JSON export (repeatable)
    #[arg(long = "aws", value_name = "EXPORT")]
    pub aws: Vec<PathBuf>,
    /// A kubectl YAML or JSON export (repeatable)
    #[arg(long = "kubernetes", value_name = "EXPORT")]
    pub kubernetes: Vec<PathBuf>,
    /// Run `aws` and `kubectl` (read-only) for the exports not given as files
    #[arg(long)]
    pub live: bool,
    /// With --live: the AWS CLI profile (`aws --profile`)
    #[arg(long, value_name = "PROFILE", requires = "live")]
    pub aws_profile: Option<String>,
    /// With --live: the kubeconfig context (`kubectl --context`)
    #[arg(long, value_name = "CONTEXT", requires = "live")]
    pub kube_context: Option<String>,
    /// Treat warnings as errors: exit 1 when there are any
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk over standard input and output (the only transport; accepted because clients pass it)
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Kubernetes YAML or JSON files; none, or `-`, reads standard input
    #[arg(value_name = "YAML")]
    pub files: Vec<PathBuf>,
    /// Write the .irsa file to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Input files; none, or `-`, reads standard input and writes standard output
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write nothing; exit 1 and print a diff when a file is not formatted
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct CompileArgs {
    /// Input files; none, or `-`, reads standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Write the files into DIR (DIR/STEM/ for each of several inputs) instead of printing the stream
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Make kustomization.yaml a kustomize Component that patches an existing SpinnakerService
    #[arg(long, requires = "output")]
    pub component: bool,
    /// Write nothing; exit 1 with a diff when DIR differs from what would be written
    #[arg(long, requires = "output")]
    pub check: bool,
    /// Also write the roles declared with `role` as infrastructure as code in this form
    #[arg(long, value_enum, value_name = "FORM")]
    pub iam: Option<IamForm>,
    /// Treat warnings as errors: exit 1 and write nothing when there are any
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Input files; none, or `-`, reads standard input
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Also check what `compile --iam FORM` needs
    #[arg(long, value_enum, value_name = "FORM")]
    pub iam: Option<IamForm>,
    /// Treat warnings as errors: exit 1 and write nothing when there are any
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Input file; none, or `-`, reads standard input
    #[arg(value_name = "FILE", conflicts_with = "code")]
    pub file: Option<PathBuf>,
    /// Explain a diagnostic code (E001 … W005, V001 … V023) instead of a file
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// Treat warnings as errors: exit 1 and write nothing when there are any
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How diagnostics are printed on standard error
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, value_name = "FORMAT")]
    pub message_format: MessageFormat,
    /// When to colour human diagnostics
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

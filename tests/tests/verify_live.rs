//! `irsa verify --live` end to end against a local AWS API: `moto_server`
//! (PyPI `moto[server]`) on 127.0.0.1 with the real AWS CLI (PyPI
//! `awscli`) pointed at it through `AWS_ENDPOINT_URL`, both from the
//! xtask's virtualenv (`cargo xtask ci` puts it first on PATH). The test
//! creates the cluster, the OIDC provider and the roles with the AWS CLI,
//! then checks that `--live` reports what the offline run over the same
//! CLI's exports reports. moto has no Pod Identity API: that part is
//! tested from exports (`tests/cases/verify/pod-identity-*`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use irsa_test_support::{Run, Sandbox, irsa_bin};
use serde_json::Value;

const SECRET: &str = "irsa-test-secret-never-printed";

/// moto_server on a free local port, killed (by PID) when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server from the xtask's virtualenv (PATH=target/venv/bin:$PATH)");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "AKIAIRSATEST")
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .env("AWS_DEFAULT_REGION", "us-west-2")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        command
    }

    /// `aws ARGS --output json`, which must succeed.
    fn aws(&self, args: &[&str]) -> Value {
        let output = self
            .command("aws")
            .args(args)
            .args(["--output", "json"])
            .output()
            .expect("aws from the xtask's virtualenv");
        assert!(
            output.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        if output.stdout.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&output.stdout).unwrap()
        }
    }

    fn irsa(&self, sandbox: &Sandbox, args: &[&str]) -> Run {
        let output = self
            .command(irsa_bin().to_str().unwrap())
            .args(args)
            .current_dir(sandbox.path())
            .output()
            .unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trust(provider: &str, issuer: &str, subject: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{issuer}:sub"): subject,
                format!("{issuer}:aud"): "sts.amazonaws.com"
            }}
        }]
    })
    .to_string()
}

/// Codes and messages, in order: what both runs must agree on (their notes
/// name different exports: files, or the commands run).
fn findings(run: &Run) -> Vec<(String, String, u64)> {
    run.stderr
        .lines()
        .map(|line| {
            let object: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            (
                object["code"].as_str().unwrap().to_owned(),
                object["message"].as_str().unwrap().to_owned(),
                object["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn live_reports_what_the_exports_report() {
    let moto = Moto::start();
    let cluster = moto.aws(&[
        "eks",
        "create-cluster",
        "--name",
        "prod",
        "--role-arn",
        "arn:aws:iam::123456789012:role/eks",
        "--resources-vpc-config",
        "subnetIds=subnet-1",
    ]);
    let issuer = cluster["cluster"]["identity"]["oidc"]["issuer"]
        .as_str()
        .unwrap()
        .trim_start_matches("https://")
        .to_owned();
    let provider = moto.aws(&[
        "iam",
        "create-open-id-connect-provider",
        "--url",
        &format!("https://{issuer}"),
        "--client-id-list",
        "sts.amazonaws.com",
        "--thumbprint-list",
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    ])["OpenIDConnectProviderArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let sa = |name: &str| format!("system:serviceaccount:spinnaker:{name}");
    // spinnaker: right; spinnaker-echo: names the old ServiceAccount;
    // spinnaker-igor: never created.
    for (role, subject) in [
        ("spinnaker", sa("spin-sa")),
        ("spinnaker-echo", sa("spinnaker-echo")),
    ] {
        moto.aws(&[
            "iam",
            "create-role",
            "--role-name",
            role,
            "--assume-role-policy-document",
            &trust(&provider, &issuer, &subject),
        ]);
    }
    let sandbox = Sandbox::new();
    sandbox.write(
        "f.irsa",
        format!(
            "namespace spinnaker\naccount 123456789012\ncluster prod\nregion us-west-2\noidc {issuer}\n\n\
             service *    -> role spinnaker\nservice echo -> role spinnaker-echo\nservice igor -> role spinnaker-igor\n"
        ),
    );
    sandbox.write(
        "k8s.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: spin-sa\n    namespace: spinnaker\n    annotations:\n      eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/spinnaker\n",
    );

    let live = moto.irsa(
        &sandbox,
        &[
            "verify",
            "f.irsa",
            "--live",
            "--kubernetes",
            "k8s.yaml",
            "--message-format",
            "json",
        ],
    );
    // The offline run, over exports made with the same AWS CLI.
    let export = |name: &str, args: &[&str]| {
        sandbox.write(name, moto.aws(args).to_string());
    };
    export("roles.json", &["iam", "list-roles"]);
    export(
        "cluster.json",
        &["eks", "describe-cluster", "--name", "prod"],
    );
    export("providers.json", &["iam", "list-open-id-connect-providers"]);
    let offline = moto.irsa(
        &sandbox,
        &[
            "verify",
            "f.irsa",
            "--aws",
            "roles.json",
            "--aws",
            "cluster.json",
            "--aws",
            "providers.json",
            "--kubernetes",
            "k8s.yaml",
            "--message-format",
            "json",
        ],
    );
    assert_eq!(live.code, 1, "{}", live.stderr);
    assert_eq!(offline.code, 1, "{}", offline.stderr);
    let found = findings(&live);
    assert_eq!(
        found,
        findings(&offline),
        "live:\n{}\noffline:\n{}",
        live.stderr,
        offline.stderr
    );
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    // echo's trust names the old ServiceAccount (and admits it); igor's
    // role does not exist; the ServiceAccounts of echo and igor are not
    // in the cluster.
    for code in ["V005", "V007", "V002", "V015"] {
        assert!(codes.contains(&code), "{code} missing: {}", live.stderr);
    }
    assert!(
        live.stderr
            .contains("aws iam get-role --role-name spinnaker-igor"),
        "{}",
        live.stderr
    );
    assert!(!live.stderr.contains(SECRET) && !live.stdout.contains(SECRET));
}

#[test]
fn a_failing_live_command_is_a_usage_error_with_its_stderr() {
    let moto = Moto::start();
    let sandbox = Sandbox::new();
    sandbox.write(
        "f.irsa",
        "namespace spinnaker\naccount 123456789012\ncluster nowhere\nregion us-west-2\noidc oidc.eks.us-west-2.amazonaws.com/id/X\n\nservice * -> role spinnaker\n",
    );
    sandbox.write("k8s.yaml", "apiVersion: v1\nkind: List\nitems: []\n");
    let run = moto.irsa(
        &sandbox,
        &["verify", "f.irsa", "--live", "--kubernetes", "k8s.yaml"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("aws eks describe-cluster --name nowhere"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("ResourceNotFoundException"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(SECRET));
}

/// `--aws-profile` and `--kube-context` reach the commands, kubectl runs
/// live when no `--kubernetes` file is given, and a role of another
/// account than the credentials' is not asked for (it is left unchecked,
/// not reported missing). Stand-in `aws` and `kubectl` on PATH record their
/// arguments and print what the real ones would.
#[test]
fn live_passes_profile_and_context_and_asks_only_its_account() {
    let sandbox = Sandbox::new();
    let log = sandbox.join("argv.log");
    let log = log.to_str().unwrap();
    let no_role = r#"echo 'An error occurred (NoSuchEntity) when calling the GetRole operation: Role x not found' >&2; exit 254"#;
    sandbox.write(
        "bin/aws",
        format!(
            "#!/bin/sh\necho \"aws $*\" >> {log}\ncase \"$1 $2\" in\n  'sts get-caller-identity') echo '{{\"Account\": \"123456789012\", \"Arn\": \"arn:aws:iam::123456789012:user/ci\", \"UserId\": \"AIDA\"}}' ;;\n  'iam get-role') {no_role} ;;\n  'iam list-open-id-connect-providers') echo '{{\"OpenIDConnectProviderList\": []}}' ;;\n  *) echo \"unexpected: $*\" >&2; exit 1 ;;\nesac\n"
        ),
    );
    sandbox.write(
        "bin/kubectl",
        format!("#!/bin/sh\necho \"kubectl $*\" >> {log}\necho 'apiVersion: v1\nkind: List\nitems: []'\n"),
    );
    for tool in ["aws", "kubectl"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            sandbox.join(&format!("bin/{tool}")),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    sandbox.write(
        "f.irsa",
        "namespace spinnaker\naccount 123456789012\noidc oidc.eks.us-west-2.amazonaws.com/id/X\n\n\
         service *    -> role spinnaker\nservice echo -> role arn:aws:iam::999999999999:role/spinnaker-echo\n",
    );
    let path = format!(
        "{}:{}",
        sandbox.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new(irsa_bin())
        .args([
            "verify",
            "f.irsa",
            "--live",
            "--aws-profile",
            "ci-read-only",
            "--kube-context",
            "prod",
            "--message-format",
            "json",
        ])
        .current_dir(sandbox.path())
        .env("PATH", path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let argv = std::fs::read_to_string(sandbox.join("argv.log")).unwrap();
    let lines: Vec<&str> = argv.lines().collect();
    assert!(
        lines
            .iter()
            .filter(|l| l.starts_with("aws "))
            .all(|l| l.contains("--profile ci-read-only")),
        "{argv}"
    );
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("999999999999") && !l.contains("spinnaker-echo")),
        "{argv}"
    );
    assert!(lines.contains(&"aws iam get-role --role-name spinnaker --output json --region us-west-2 --profile ci-read-only"), "{argv}");
    assert!(
        lines.contains(
            &"kubectl get serviceaccounts,spinnakerservices -o yaml -n spinnaker --context prod"
        ),
        "{argv}"
    );
    let codes: Vec<String> = stderr
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    // spinnaker: NoSuchEntity (missing); echo: another account (not
    // checked); the provider list of account 123456789012 is empty; the
    // cluster has no ServiceAccount and no SpinnakerService.
    assert_eq!(
        codes,
        ["V020", "V010", "V015", "V002", "V015", "V003"],
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1));
}

//! The `verify` row: a file with 20 services checked against a 10,000-role
//! `aws iam list-roles` export (half the documents URL-encoded, as IAM's
//! raw API returns them) and a kubectl List, whole process, ≤ 200 ms.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::{bench_dir, median_run};

const ROLES: usize = 10_000;
/// Every service irsa knows: 20.
const SERVICES: [&str; 20] = irsa::services::KNOWN_SERVICES;
const ISSUER: &str = "oidc.eks.us-west-2.amazonaws.com/id/BENCHMARK0000000000000000000000";

fn trust(subject: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{ISSUER}:sub":"{subject}","{ISSUER}:aud":"sts.amazonaws.com"}}}}}}]}}"#
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn generate(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut irsa =
        format!("namespace spinnaker\naccount 123456789012\ncluster prod\noidc {ISSUER}\n\n");
    let mut kube = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for (i, service) in SERVICES.iter().enumerate() {
        // The file's roles are spread over the export.
        let _ = writeln!(
            irsa,
            "service {service} -> role role-{:05}",
            i * (ROLES / SERVICES.len())
        );
        let _ = write!(
            kube,
            "- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: spin-sa-{service}\n    namespace: spinnaker\n    annotations:\n      eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/role-{:05}\n",
            i * (ROLES / SERVICES.len())
        );
    }
    let mut settings = String::new();
    for service in SERVICES {
        let _ = write!(
            settings,
            "        {service}:\n          kubernetes:\n            serviceAccountName: spin-sa-{service}\n"
        );
    }
    let _ = write!(
        kube,
        "- apiVersion: spinnaker.armory.io/v1alpha2\n  kind: SpinnakerService\n  metadata:\n    name: spinnaker\n    namespace: spinnaker\n  spec:\n    spinnakerConfig:\n      service-settings:\n{settings}"
    );
    let mut roles = String::from("{\"Roles\": [\n");
    for i in 0..ROLES {
        let service = SERVICES
            .iter()
            .enumerate()
            .find(|(n, _)| n * (ROLES / SERVICES.len()) == i)
            .map_or("unrelated", |(_, s)| s);
        let document = trust(&format!(
            "system:serviceaccount:spinnaker:spin-sa-{service}"
        ));
        let document = if i % 2 == 0 {
            document
        } else {
            format!("\"{}\"", encode(&document))
        };
        let _ = writeln!(
            roles,
            "{}{{\"Path\": \"/\", \"RoleName\": \"role-{i:05}\", \"RoleId\": \"AROA{i:016}\", \"Arn\": \"arn:aws:iam::123456789012:role/role-{i:05}\", \"CreateDate\": \"2026-01-01T00:00:00+00:00\", \"AssumeRolePolicyDocument\": {document}, \"MaxSessionDuration\": 3600}}",
            if i == 0 { "" } else { "," }
        );
    }
    roles.push_str("]}\n");
    for (name, text) in [
        ("file.irsa", irsa),
        ("k8s.yaml", kube),
        ("roles.json", roles),
    ] {
        std::fs::write(dir.join(name), text).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn row(irsa: &Path) -> Result<(String, String, String, bool), String> {
    let dir = bench_dir().join("verify");
    generate(&dir)?;
    let time = median_run(5, || {
        let mut command = Command::new(irsa);
        command.current_dir(&dir).args([
            "verify",
            "file.irsa",
            "--aws",
            "roles.json",
            "--kubernetes",
            "k8s.yaml",
        ]);
        command
    })?;
    let size = std::fs::metadata(dir.join("roles.json")).map_or(0, |m| m.len());
    Ok((
        format!(
            "verify: 20 services against a {ROLES}-role list-roles export ({} MiB)",
            size / (1024 * 1024)
        ),
        format!("{time:.0?}"),
        "≤ 200 ms".into(),
        time.as_millis() <= 200,
    ))
}

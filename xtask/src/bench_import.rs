//! The `irsa import` row of `cargo xtask bench`: a `kubectl get -o yaml`
//! List of 5,000 objects (the SpinnakerService and its ServiceAccounts, and
//! the ServiceAccounts of every other namespace, as `kubectl get
//! serviceaccounts,spinnakerservices -A -o yaml` prints them: managedFields,
//! last-applied-configuration, uid, resourceVersion…), imported by the
//! release binary; and the row of hostile YAML, which must be refused
//! quickly and in bounded memory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use irsa_test_support::hostile::{Hostile, hostile_yaml};

/// Objects in the generated List.
pub const OBJECTS: usize = 5_000;
/// The target: the median import of that List.
pub const TARGET: Duration = Duration::from_millis(300);

/// The target for each hostile input: refused within a second and in at
/// most this much memory (the 64 MiB input is itself read into memory).
pub const HOSTILE_TIME: Duration = Duration::from_secs(1);
pub const HOSTILE_MEMORY_MIB: u64 = 256;

/// The first ten services irsa knows (the core ones).
const SERVICES: [&str; 10] = {
    let all = irsa::services::KNOWN_SERVICES;
    [
        all[0], all[1], all[2], all[3], all[4], all[5], all[6], all[7], all[8], all[9],
    ]
};

/// Writes the List under `dir` (once) and returns its path.
pub fn generate(dir: &Path) -> Result<PathBuf, String> {
    let path = dir.join(format!("import-{OBJECTS}.yaml"));
    if path.exists() {
        return Ok(path);
    }
    let mut yaml = String::from("apiVersion: v1\nitems:\n");
    yaml.push_str(&spinnaker_service());
    for index in 1..OBJECTS {
        let (name, namespace) = match SERVICES.get(index - 1) {
            Some(service) => (format!("spin-sa-{service}"), "spinnaker".to_owned()),
            None if index == SERVICES.len() + 1 => ("spin-sa".to_owned(), "spinnaker".to_owned()),
            None => (format!("app-{index}"), format!("team-{}", index % 250)),
        };
        yaml.push_str(&service_account(&name, &namespace, index));
    }
    yaml.push_str("kind: List\nmetadata:\n  resourceVersion: \"\"\n");
    std::fs::write(&path, yaml).map_err(|e| e.to_string())?;
    Ok(path)
}

fn spinnaker_service() -> String {
    let mut settings = String::from(
        "        spinnaker:\n          kubernetes:\n            serviceAccountName: spin-sa\n",
    );
    for service in SERVICES {
        let _ = write!(
            settings,
            "        {service}:\n          kubernetes:\n            serviceAccountName: spin-sa-{service}\n"
        );
    }
    format!(
        "- apiVersion: spinnaker.armory.io/v1alpha2\n  kind: SpinnakerService\n  metadata:\n    creationTimestamp: \"2024-03-01T10:00:00Z\"\n    generation: 7\n    name: spinnaker\n    namespace: spinnaker\n    resourceVersion: \"4242\"\n    uid: 00000000-0000-4000-8000-000000000000\n  spec:\n    spinnakerConfig:\n      config:\n        version: 2.32.1\n      service-settings:\n{settings}"
    )
}

fn service_account(name: &str, namespace: &str, index: usize) -> String {
    let role = format!("arn:aws:iam::123456789012:role/{name}");
    format!(
        "- apiVersion: v1
  kind: ServiceAccount
  metadata:
    annotations:
      eks.amazonaws.com/role-arn: {role}
      kubectl.kubernetes.io/last-applied-configuration: |
        {{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{{\"annotations\":{{\"eks.amazonaws.com/role-arn\":\"{role}\"}},\"name\":\"{name}\",\"namespace\":\"{namespace}\"}}}}
    creationTimestamp: \"2024-03-01T10:00:00Z\"
    labels:
      app.kubernetes.io/part-of: spinnaker
      team: platform
    managedFields:
    - apiVersion: v1
      fieldsType: FieldsV1
      fieldsV1:
        f:metadata:
          f:annotations:
            .: {{}}
            f:eks.amazonaws.com/role-arn: {{}}
            f:kubectl.kubernetes.io/last-applied-configuration: {{}}
          f:labels:
            .: {{}}
            f:app.kubernetes.io/part-of: {{}}
            f:team: {{}}
      manager: kubectl-client-side-apply
      operation: Update
      time: \"2024-03-01T10:00:00Z\"
    name: {name}
    namespace: {namespace}
    resourceVersion: \"{index}\"
    uid: 00000000-0000-4000-8000-{index:012}
  secrets:
  - name: {name}-token-abcde
"
    )
}

/// The median wall time of `irsa import` on the List, after a warm-up run.
pub fn measure(irsa: &Path, input: &Path, out: &Path) -> Result<Duration, String> {
    let mut samples = Vec::new();
    for run in 0..=5 {
        let started = Instant::now();
        let output = Command::new(irsa)
            .arg("import")
            .arg(input)
            .arg("-o")
            .arg(out)
            .output()
            .map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        if !output.status.success() {
            return Err(format!(
                "irsa import failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        if run > 0 {
            samples.push(elapsed);
        }
    }
    samples.sort();
    samples
        .get(samples.len() / 2)
        .copied()
        .ok_or_else(|| "no sample".to_owned())
}

/// The slowest refusal of the hostile inputs (the median of 3 runs each)
/// and the largest peak memory, as a row of the table.
pub fn hostile_row(irsa: &Path, dir: &Path) -> Result<(String, String, String, bool), String> {
    let mut slowest = (Duration::ZERO, "");
    let mut peak_kib = 0;
    for Hostile { name, text, .. } in hostile_yaml() {
        let input = dir.join("hostile.yaml");
        std::fs::write(&input, text).map_err(|e| e.to_string())?;
        let mut samples = Vec::new();
        for _ in 0..3 {
            let mut command = Command::new(irsa);
            command.arg("import").arg(&input);
            // Refused: exit status 1, a located error.
            let (elapsed, memory) = crate::bench::measure_exiting(&mut command, 1)
                .map_err(|e| format!("{name}: {e}"))?;
            samples.push(elapsed);
            peak_kib = peak_kib.max(memory);
        }
        samples.sort();
        let median = samples.get(1).copied().unwrap_or_default();
        if median > slowest.0 {
            slowest = (median, name);
        }
    }
    let peak_mib = peak_kib.div_ceil(1024);
    Ok((
        format!(
            "irsa import of hostile YAML (alias bomb, 10,000-deep nesting, over 64 MiB, replayed text): slowest refusal ({}), peak memory",
            slowest.1
        ),
        format!("{:.0} ms, {peak_mib} MiB", slowest.0.as_secs_f64() * 1000.0),
        format!(
            "≤ {} ms, ≤ {HOSTILE_MEMORY_MIB} MiB",
            HOSTILE_TIME.as_millis()
        ),
        slowest.0 <= HOSTILE_TIME && peak_kib <= HOSTILE_MEMORY_MIB * 1024,
    ))
}

//! The Spinnaker services irsa knows, and which of them the operator's
//! global `spinnaker` key (`*`) reaches.

/// Every service a binding may name.
pub const KNOWN_SERVICES: [&str; 20] = [
    "clouddriver",
    "deck",
    "echo",
    "fiat",
    "front50",
    "gate",
    "igor",
    "kayenta",
    "orca",
    "rosco",
    "clouddriver-caching",
    "clouddriver-ro",
    "clouddriver-ro-deck",
    "clouddriver-rw",
    "echo-scheduler",
    "echo-worker",
    "redis",
    "monitoring-daemon",
    "dinghy",
    "terraformer",
];

/// The services into which the operator merges `service-settings.spinnaker`:
/// the Java services of core Spinnaker. Deck (nginx), the HA split services,
/// redis, the monitoring daemon and Armory's dinghy and terraformer do not
/// get it and need bindings of their own.
pub const REACHED_BY_GLOBAL: [&str; 9] = [
    "gate",
    "orca",
    "clouddriver",
    "front50",
    "rosco",
    "igor",
    "echo",
    "fiat",
    "kayenta",
];

/// Services that are not Java programs, so the AWS SDK for Java's support of
/// EKS Pod Identity does not concern them.
pub const NOT_JAVA: [&str; 4] = ["deck", "redis", "dinghy", "terraformer"];

/// Whether a `service-settings` key runs Spinnaker's AWS SDK for Java:
/// every known service but deck, redis, dinghy and terraformer, and `*`
/// (which reaches Java services only).
pub fn uses_java_sdk(key: &str) -> bool {
    !NOT_JAVA.contains(&key)
}

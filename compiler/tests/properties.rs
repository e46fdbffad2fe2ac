//! Property tests over generated valid programs: they compile without
//! errors, `fmt` is idempotent and never changes what they compile to.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// The fuzz targets' properties: `meaning`, and the checks that must hold
// for any input, run here on generated text as well.
use irsa_test_support::properties as fuzz_properties;

use fuzz_properties::meaning;
use irsa::EmitOptions;
use irsa::services::KNOWN_SERVICES;
use proptest::prelude::*;
use proptest::sample::subsequence;

/// White space between words.
fn space() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_owned()),
        Just("  ".to_owned()),
        Just("\t".to_owned()),
        Just(" \t ".to_owned())
    ]
}

/// Nothing, or white space.
fn maybe_space() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), space()]
}

/// A trailing comment, or nothing.
fn comment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => "[ -~&&[^\r\n]]{0,20}".prop_map(|text| format!(" #{text}")),
    ]
}

fn line_end() -> impl Strategy<Value = String> {
    prop_oneof![4 => Just("\n".to_owned()), 1 => Just("\r\n".to_owned())]
}

/// A DNS-1123 label.
fn dns_name() -> impl Strategy<Value = String> {
    "[a-z]([a-z0-9-]{0,10}[a-z0-9])?"
}

/// A quoted string with characters that need escapes.
fn quoted() -> impl Strategy<Value = String> {
    "[ -~\n\té]{0,12}".prop_map(|text| {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\t', "\\t");
        format!("\"{escaped}\"")
    })
}

fn setting() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        quoted()
            .prop_filter("non-empty", |q| q.len() > 2)
            .prop_map(|q| ("audience".to_owned(), q)),
        prop::bool::ANY.prop_map(|b| ("sts-regional-endpoints".to_owned(), b.to_string())),
        (600u64..=86_400).prop_map(|s| ("token-expiration".to_owned(), s.to_string())),
        (1u64..=23, 0u64..=59)
            .prop_map(|(h, m)| ("token-expiration".to_owned(), format!("{h}h{m}m"))),
        (dns_name(), quoted())
            .prop_map(|(k, v)| ("annotation".to_owned(), format!("\"example.com/{k}\" {v}"))),
        (dns_name(), dns_name())
            .prop_map(|(k, v)| ("label".to_owned(), format!("\"{k}\" \"{v}\""))),
    ]
}

/// A block's lines: settings with distinct names (and keys).
fn block() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(setting(), 0..5).prop_map(|settings| {
        let mut seen = Vec::new();
        settings
            .into_iter()
            .filter(|(name, value)| {
                let key = if name == "annotation" || name == "label" {
                    format!("{name} {}", value.split(' ').next().unwrap_or_default())
                } else {
                    name.clone()
                };
                let fresh = !seen.contains(&key);
                seen.push(key);
                fresh
            })
            .collect()
    })
}

/// Role names are unique in an account whatever their path (E035), so a
/// valid program never gives one name two paths: names without a path start
/// with `r`, and a name under a path starts with `p`, the path and `_` (no
/// path holds `_`, so two paths never share a name).
fn role() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9+=,.@_-]{0,19}"
            .prop_map(|name| format!("arn:aws:iam::123456789012:role/r{name}")),
        ("[a-z]{1,8}", "[a-zA-Z0-9_-]{1,11}")
            .prop_map(|(path, name)| format!("{path}/p{path}_{name}")),
        "[a-zA-Z0-9_-]{0,19}".prop_map(|name| format!("r{name}")),
    ]
}

#[derive(Debug, Clone)]
struct Binding {
    targets: Vec<String>,
    role: String,
    service_account: Option<String>,
    block: Option<Vec<(String, String)>>,
}

fn program() -> impl Strategy<Value = String> {
    let services = subsequence(KNOWN_SERVICES.to_vec(), 1..8);
    (
        services,
        prop::bool::ANY,
        prop::collection::vec((role(), prop::option::of(block()), prop::bool::ANY), 8),
        prop::option::of(block()),
        prop::option::of(dns_name()),
        (space(), maybe_space(), maybe_space(), comment(), line_end()),
    )
        .prop_map(
            |(
                services,
                star,
                shapes,
                defaults,
                namespace,
                (sp, before_arrow, after_arrow, note, eol),
            )| {
                let mut targets: Vec<String> = services.into_iter().map(str::to_owned).collect();
                if star {
                    targets.insert(0, "*".to_owned());
                }
                // Consecutive services share a binding when the role allows it.
                let mut bindings: Vec<Binding> = Vec::new();
                for (index, target) in targets.into_iter().enumerate() {
                    let (role, block, list) = shapes[index % shapes.len()].clone();
                    match bindings.last_mut() {
                        Some(last) if list && target != "*" && last.targets[0] != "*" => {
                            last.targets.push(target);
                        }
                        _ => bindings.push(Binding {
                            service_account: (index % 3 == 1).then(|| format!("sa-{index}")),
                            targets: vec![target],
                            role,
                            block,
                        }),
                    }
                }
                let mut source = String::new();
                source.push_str(&format!(
                    "# generated{eol}account{sp}123456789012{note}{eol}{eol}"
                ));
                if let Some(namespace) = namespace {
                    source.push_str(&format!("namespace{sp}{namespace}{eol}"));
                }
                if let Some(defaults) = defaults {
                    source.push_str(&format!("defaults{before_arrow}{{{note}{eol}"));
                    for (name, value) in defaults {
                        source.push_str(&format!("{sp}{name}{sp}{value}{eol}"));
                    }
                    source.push_str(&format!("}}{eol}"));
                }
                for binding in bindings {
                    let list = binding.targets.join(&format!(",{before_arrow}"));
                    source.push_str(&format!(
                        "service{sp}{list}{before_arrow}->{after_arrow}role{sp}{}",
                        binding.role
                    ));
                    if let Some(name) = &binding.service_account {
                        source.push_str(&format!("{sp}as{sp}{name}"));
                    }
                    match binding.block {
                        Some(block) => {
                            source.push_str(&format!("{sp}{{{note}{eol}"));
                            for (name, value) in block {
                                source.push_str(&format!("{sp}{name}{sp}{value}{note}{eol}"));
                            }
                            source.push_str(&format!("}}{eol}{eol}"));
                        }
                        None => source.push_str(&format!("{note}{eol}")),
                    }
                }
                source
            },
        )
}

/// Kubernetes' DNS-1123 subdomain rule, written here independently of the
/// compiler's own check.
fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

fn is_dns_label(name: &str) -> bool {
    name.len() <= 63 && !name.contains('.') && is_dns_subdomain(name)
}

/// Checks an output as Kubernetes and IAM would read it.
fn check_output(source: &str, output: &irsa::Output) -> Result<(), TestCaseError> {
    use serde_json::Value;
    let documents: Vec<Value> = serde_saphyr::from_multiple(&output.stream).unwrap();
    let (service, accounts) = documents.split_last().unwrap();
    prop_assert!(is_dns_subdomain(
        service["metadata"]["name"].as_str().unwrap()
    ));
    // Role ARN → ServiceAccounts that carry it.
    let mut carriers: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for account in accounts {
        let name = account["metadata"]["name"].as_str().unwrap();
        prop_assert!(is_dns_subdomain(name), "{name}");
        if let Some(namespace) = account["metadata"]["namespace"].as_str() {
            prop_assert!(is_dns_label(namespace), "{namespace}");
            let role = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
                .as_str()
                .unwrap();
            carriers
                .entry(role.to_owned())
                .or_default()
                .push(format!("system:serviceaccount:{namespace}:{name}"));
        }
    }
    for setting in service["spec"]["spinnakerConfig"]["service-settings"]
        .as_object()
        .unwrap()
        .values()
    {
        prop_assert!(is_dns_subdomain(
            setting["kubernetes"]["serviceAccountName"]
                .as_str()
                .unwrap()
        ));
    }
    // Every trust policy's subjects are exactly the ServiceAccounts of its role.
    let policies: Vec<&irsa::OutputFile> = output
        .files
        .iter()
        .filter(|f| f.path.ends_with(".json"))
        .collect();
    if source.contains("\noidc") {
        prop_assert_eq!(policies.len(), carriers.len(), "{}", source);
    }
    for policy in policies {
        let policy: Value = serde_json::from_str(&policy.content).unwrap();
        let statement = &policy["Statement"][0];
        let equals = statement["Condition"]["StringEquals"].as_object().unwrap();
        let (_, subjects) = equals
            .iter()
            .find(|(key, _)| key.ends_with(":sub"))
            .unwrap();
        let subjects: Vec<String> = match subjects {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
            one => vec![one.as_str().unwrap().to_owned()],
        };
        let federated = statement["Principal"]["Federated"].as_str().unwrap();
        let role = carriers.iter().find(|(arn, carried)| {
            let account = arn.split(':').nth(4).unwrap();
            federated.contains(&format!(":{account}:oidc-provider/")) && **carried == subjects
        });
        prop_assert!(
            role.is_some(),
            "{subjects:?} match no role's ServiceAccounts"
        );
    }
    // The kustomization lists exactly the YAML files written.
    let kustomization = output
        .files
        .iter()
        .find(|f| f.path == "kustomization.yaml")
        .unwrap();
    let kustomization: Value = serde_saphyr::from_str(&kustomization.content).unwrap();
    let mut listed: Vec<&str> = kustomization["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut yaml: Vec<&str> = output
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| p.ends_with(".yaml") && *p != "kustomization.yaml")
        .collect();
    listed.sort_unstable();
    yaml.sort_unstable();
    prop_assert_eq!(listed, yaml);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_programs_compile(source in program()) {
        let compilation = irsa::compile(&source, EmitOptions::default()).unwrap();
        let errors: Vec<_> = compilation
            .diagnostics
            .iter()
            .filter(|d| d.severity() == irsa::Severity::Error)
            .collect();
        prop_assert!(errors.is_empty(), "{source}\n{errors:#?}");
        check_output(&source, compilation.output.as_ref().unwrap())?;
    }

    #[test]
    fn fmt_is_idempotent_and_keeps_meaning(source in program()) {
        let once = irsa::format(&source).unwrap();
        let twice = irsa::format(&once).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(meaning(&once), meaning(&source), "{}", source);
        prop_assert!(!once.contains("\r\n") && !once.contains("  ->") && once.ends_with('\n'));
    }

    #[test]
    fn arbitrary_text_keeps_the_fuzz_properties(source in "[ -~\n\t{}#\"\\\\é→\u{a0}]{0,200}") {
        fuzz_properties::check_parse(source.as_bytes());
        fuzz_properties::check_compile(source.as_bytes());
        fuzz_properties::check_fmt(source.as_bytes());
    }
}

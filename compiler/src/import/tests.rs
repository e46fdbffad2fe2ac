#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;

fn one(text: &str) -> ImportResult {
    import(&[ImportInput {
        name: "in.yaml",
        bytes: text.as_bytes(),
    }])
}

/// A SpinnakerService with `(key, ServiceAccount)` service-settings, then
/// ServiceAccounts `(name, role, extra annotation lines)`.
fn manifests(settings: &[(&str, &str)], accounts: &[(&str, &str, &str)]) -> String {
    let mut text = String::from(
        "apiVersion: spinnaker.armory.io/v1alpha2\nkind: SpinnakerService\nmetadata:\n  name: spinnaker\nspec:\n  spinnakerConfig:\n    service-settings:\n",
    );
    for (key, sa) in settings {
        text.push_str(&format!(
            "      {key}:\n        kubernetes:\n          serviceAccountName: {sa}\n"
        ));
    }
    for (name, role, extra) in accounts {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  annotations:\n    eks.amazonaws.com/role-arn: {role}\n{extra}"
        ));
    }
    text
}

const R: &str = "arn:aws:iam::123456789012:role/";

/// A case of the idioms table: what it shows, service-settings,
/// ServiceAccounts `(name, role, extra annotations)`, the expected file.
type Idiom = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    Vec<(&'static str, String, &'static str)>,
    &'static str,
);

#[test]
fn imports_a_minimal_install() {
    let result = one(&manifests(
        &[("spinnaker", "spin-sa")],
        &[("spin-sa", &format!("{R}spinnaker"), "")],
    ));
    assert_eq!(result.diagnostics, []);
    assert_eq!(
        result.source.unwrap(),
        "account 123456789012\n\nservice * -> role spinnaker\n"
    );
}

#[test]
fn idioms() {
    let table: [Idiom; 5] = [
        (
            "a run on one ServiceAccount is a list with `as`",
            vec![("igor", "ci"), ("echo", "ci")],
            vec![("ci", format!("{R}ci"), "")],
            "account 123456789012\n\nservice igor, echo -> role ci as ci\n",
        ),
        (
            "derived names with one role and no settings are a list without `as`",
            vec![
                ("front50", "spin-sa-front50"),
                ("kayenta", "spin-sa-kayenta"),
            ],
            vec![
                ("spin-sa-front50", format!("{R}storage"), ""),
                ("spin-sa-kayenta", format!("{R}storage"), ""),
            ],
            "account 123456789012\n\nservice front50, kayenta -> role storage\n",
        ),
        (
            "roles in two accounts stay full ARNs",
            vec![("spinnaker", "spin-sa"), ("orca", "spin-sa-orca")],
            vec![
                ("spin-sa", format!("{R}a")),
                (
                    "spin-sa-orca",
                    "arn:aws:iam::210987654321:role/b".to_owned(),
                ),
            ]
            .into_iter()
            .map(|(n, r)| (n, r, ""))
            .collect(),
            "service * -> role arn:aws:iam::123456789012:role/a\nservice orca -> role arn:aws:iam::210987654321:role/b\n",
        ),
        (
            "a setting every ServiceAccount shares goes to defaults",
            vec![("spinnaker", "spin-sa"), ("deck", "spin-sa-deck")],
            vec![
                (
                    "spin-sa",
                    format!("{R}a"),
                    "    eks.amazonaws.com/token-expiration: \"600\"\n",
                ),
                (
                    "spin-sa-deck",
                    format!("{R}b"),
                    "    eks.amazonaws.com/token-expiration: \"600\"\n",
                ),
            ],
            "account 123456789012\n\ndefaults {\n  token-expiration 10m\n}\n\nservice * -> role a\nservice deck -> role b\n",
        ),
        (
            "a ServiceAccount not in the input is managed elsewhere",
            vec![("gate", "gate-sa"), ("spinnaker", "spin-sa")],
            vec![("spin-sa", format!("{R}a"), "")],
            "account 123456789012\n\nservice * -> role a\nservice gate as gate-sa\n",
        ),
    ];
    for (what, settings, accounts, expected) in table {
        let accounts: Vec<(&str, &str, &str)> = accounts
            .iter()
            .map(|(n, r, e)| (*n, r.as_str(), *e))
            .collect();
        let result = one(&manifests(&settings, &accounts));
        assert_eq!(result.diagnostics, [], "{what}");
        assert_eq!(result.source.as_deref(), Some(expected), "{what}");
    }
}

#[test]
fn durations_are_written_as_a_person_would() {
    for (seconds, text) in [
        (600, "10m"),
        (3600, "1h"),
        (5400, "1h30m"),
        (86400, "24h"),
        (3605, "3605"),
    ] {
        let extra = format!("    eks.amazonaws.com/token-expiration: \"{seconds}\"\n");
        let result = one(&manifests(
            &[("spinnaker", "spin-sa")],
            &[("spin-sa", &format!("{R}a"), &extra)],
        ));
        let source = result.source.unwrap();
        assert!(
            source.contains(&format!("token-expiration {text}\n")),
            "{seconds}: {source}"
        );
    }
}

#[test]
fn errors_are_located_in_the_yaml() {
    // The role annotation of the second ServiceAccount is not a role: the
    // error points at that key, line 17.
    let text = manifests(
        &[("spinnaker", "spin-sa"), ("orca", "spin-sa-orca")],
        &[
            ("spin-sa", &format!("{R}a"), ""),
            ("spin-sa-orca", "arn:aws:iam::123456789012:policy/b", ""),
        ],
    );
    let result = one(&text);
    assert_eq!(result.source, None);
    assert_eq!(result.diagnostics.len(), 1, "{:?}", result.diagnostics);
    let diagnostic = &result.diagnostics[0].diagnostic;
    assert_eq!(diagnostic.code, Code::UnimportableValue);
    let at = &text[diagnostic.span.clone()];
    assert_eq!(at, "eks.amazonaws.com/role-arn");
    assert_eq!(text[..diagnostic.span.start].matches('\n').count() + 1, 27);
}

#[test]
fn diagnostics_name_their_input() {
    let spinnaker = manifests(&[("spinnaker", "spin-sa")], &[]);
    let accounts = manifests(&[], &[("spin-sa", &format!("{R}a"), "")]);
    let accounts = accounts.split_once("---\n").unwrap().1;
    let result = import(&[
        ImportInput {
            name: "a.yaml",
            bytes: accounts.as_bytes(),
        },
        ImportInput {
            name: "b.yaml",
            bytes: spinnaker.as_bytes(),
        },
        ImportInput {
            name: "c.yaml",
            bytes: b"kind: [",
        },
    ]);
    assert_eq!(result.source, None);
    assert_eq!(result.diagnostics.len(), 1);
    assert_eq!(result.diagnostics[0].input, 2);
    assert_eq!(
        result.diagnostics[0].diagnostic.code,
        Code::UnreadableExport
    );
}

#[test]
fn a_comma_in_a_role_name_is_kept_and_a_hash_is_refused() {
    let result = one(&manifests(
        &[("spinnaker", "spin-sa")],
        &[("spin-sa", &format!("{R}deploy,ci"), "")],
    ));
    assert_eq!(result.diagnostics, []);
    assert_eq!(
        result.source.as_deref(),
        Some("account 123456789012\n\nservice * -> role deploy,ci\n")
    );
    let result = one(&manifests(
        &[("spinnaker", "spin-sa")],
        &[("spin-sa", &format!("{R}deploy#ci"), "")],
    ));
    assert_eq!(result.source, None);
    let codes: Vec<Code> = result
        .diagnostics
        .iter()
        .map(|d| d.diagnostic.code)
        .collect();
    assert_eq!(codes, [Code::UnimportableValue]);
}

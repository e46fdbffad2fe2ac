//! The Kubernetes objects: ServiceAccounts, the SpinnakerService and the
//! kustomization (or Component) that lists the files.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::ir::{Install, ServiceAccount};

/// A `v1` ServiceAccount with the fields irsa sets, in the order Kubernetes
/// tools print them. Not k8s-openapi's type: its `ObjectMeta` serializer
/// links a time-zone library into the WebAssembly build (~20 KiB gzipped)
/// for timestamps irsa never writes. The tests deserialize every
/// ServiceAccount into k8s-openapi's type and back, so a field Kubernetes
/// does not know cannot slip in.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServiceAccountObject<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta<'a>,
}

#[derive(Serialize)]
struct ObjectMeta<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<&'a BTreeMap<String, String>>,
    labels: &'a BTreeMap<String, String>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
}

pub(super) fn service_account<'a>(
    install: &'a Install,
    account: &'a ServiceAccount,
) -> ServiceAccountObject<'a> {
    ServiceAccountObject {
        api_version: "v1",
        kind: "ServiceAccount",
        metadata: ObjectMeta {
            // No empty map: a `pod-identity` ServiceAccount may have no annotation.
            annotations: (!account.annotations.is_empty()).then_some(&account.annotations),
            labels: &account.labels,
            name: &account.name,
            namespace: install.namespace.as_ref().map(|n| n.value.as_str()),
        },
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SpinnakerService<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    spec: Spec<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec<'a> {
    spinnaker_config: SpinnakerConfig<'a>,
}

#[derive(Serialize)]
struct SpinnakerConfig<'a> {
    #[serde(rename = "service-settings")]
    service_settings: ServiceSettings<'a>,
}

/// `service-settings` in the order of LANGUAGE.md section 8 (a map whose
/// order is not sorted, hence by hand).
struct ServiceSettings<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for ServiceSettings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (service, account) in &self.0 {
            let mut kubernetes = BTreeMap::new();
            kubernetes.insert("serviceAccountName", *account);
            let mut settings = BTreeMap::new();
            settings.insert("kubernetes", kubernetes);
            map.serialize_entry(service, &settings)?;
        }
        map.end()
    }
}

impl<'a> SpinnakerService<'a> {
    pub(super) fn new(install: &'a Install) -> Self {
        SpinnakerService {
            api_version: install.operator.value.api_version(),
            kind: "SpinnakerService",
            metadata: Metadata {
                name: &install.name.value,
                namespace: install.namespace.as_ref().map(|n| n.value.as_str()),
            },
            spec: Spec {
                spinnaker_config: SpinnakerConfig {
                    service_settings: ServiceSettings(
                        install
                            .service_settings
                            .iter()
                            .map(|s| (s.key.as_str(), s.service_account.as_str()))
                            .collect(),
                    ),
                },
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Kustomization {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub resources: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub patches: Vec<Patch>,
}

#[derive(Serialize)]
pub(super) struct Patch {
    pub path: &'static str,
    pub target: PatchTarget,
}

#[derive(Serialize)]
pub(super) struct PatchTarget {
    pub group: &'static str,
    pub kind: &'static str,
}

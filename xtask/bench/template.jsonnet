// What teams write instead of irsa: ServiceAccounts and a SpinnakerService
// from the same data, as a go-jsonnet template (for `cargo xtask bench`).
local data = std.extVar('data');
local accountName(b) = if b.service == '*' then 'spin-sa' else 'spin-sa-' + b.service;
local key(b) = if b.service == '*' then 'spinnaker' else b.service;
local accounts = [
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      annotations: {
        'eks.amazonaws.com/role-arn': 'arn:aws:iam::%s:role/%s' % [data.account, b.role],
        'eks.amazonaws.com/sts-regional-endpoints': 'true',
      },
      labels: { 'app.kubernetes.io/managed-by': 'irsa' },
      name: accountName(b),
      namespace: data.namespace,
    },
  }
  for b in data.bindings
];
{
  'serviceaccounts.yaml': std.manifestYamlStream(accounts, c_document_end=false),
  'spinnakerservice.yaml': std.manifestYamlDoc({
    apiVersion: 'spinnaker.armory.io/v1alpha2',
    kind: 'SpinnakerService',
    metadata: { name: data.name, namespace: data.namespace },
    spec: { spinnakerConfig: { 'service-settings': {
      [key(b)]: { kubernetes: { serviceAccountName: accountName(b) } }
      for b in data.bindings
    } } },
  }),
}

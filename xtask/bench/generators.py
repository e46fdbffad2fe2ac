"""What teams write instead of irsa, for `cargo xtask bench`: the same
ServiceAccounts and SpinnakerService from the same data, with Python and
PyYAML, and with a go-jsonnet template. Also checks that their output
equals irsa's, after parsing.

  python3 generators.py python  DATA_DIR OUT_DIR
  python3 generators.py jsonnet DATA_DIR OUT_DIR TEMPLATE
  python3 generators.py check   DATA_DIR IRSA_OUT OTHER_OUT
"""
import json
import os
import sys

import yaml


def objects(data):
    accounts = []
    settings = {}
    for binding in data["bindings"]:
        name = "spin-sa" if binding["service"] == "*" else "spin-sa-" + binding["service"]
        key = "spinnaker" if binding["service"] == "*" else binding["service"]
        accounts.append({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "annotations": {
                    "eks.amazonaws.com/role-arn": "arn:aws:iam::%s:role/%s" % (data["account"], binding["role"]),
                    "eks.amazonaws.com/sts-regional-endpoints": "true",
                },
                "labels": {"app.kubernetes.io/managed-by": "irsa"},
                "name": name,
                "namespace": data["namespace"],
            },
        })
        settings[key] = {"kubernetes": {"serviceAccountName": name}}
    service = {
        "apiVersion": "spinnaker.armory.io/v1alpha2",
        "kind": "SpinnakerService",
        "metadata": {"name": data["name"], "namespace": data["namespace"]},
        "spec": {"spinnakerConfig": {"service-settings": settings}},
    }
    return accounts, service


def write(out, accounts, service):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "serviceaccounts.yaml"), "w") as f:
        yaml.safe_dump_all(accounts, f, sort_keys=False)
    with open(os.path.join(out, "spinnakerservice.yaml"), "w") as f:
        yaml.safe_dump(service, f, sort_keys=False)


def inputs(data_dir):
    for name in sorted(os.listdir(data_dir)):
        if name.endswith(".json"):
            yield name[:-5], os.path.join(data_dir, name)


def python(data_dir, out_dir):
    for stem, path in inputs(data_dir):
        with open(path) as f:
            data = json.load(f)
        write(os.path.join(out_dir, stem), *objects(data))


def jsonnet(data_dir, out_dir, template):
    import _gojsonnet
    for stem, path in inputs(data_dir):
        with open(path) as f:
            data = f.read()
        files = json.loads(_gojsonnet.evaluate_file(template, ext_codes={"data": data}))
        out = os.path.join(out_dir, stem)
        os.makedirs(out, exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(out, name), "w") as f:
                f.write(text)


def check(data_dir, irsa_out, other_out):
    for stem, _ in inputs(data_dir):
        for name in ("serviceaccounts.yaml", "spinnakerservice.yaml"):
            with open(os.path.join(irsa_out, stem, name)) as f:
                ours = list(yaml.safe_load_all(f))
            with open(os.path.join(other_out, stem, name)) as f:
                theirs = list(yaml.safe_load_all(f))
            if ours != theirs:
                sys.exit("%s/%s differs:\n%s\n%s" % (stem, name, ours, theirs))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"python": python, "jsonnet": jsonnet, "check": check}[command](*args)

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the diowq Kubernetes manifests without a cluster.

kubeconform is not packaged in Debian, so this checks, with python3-yaml only, what a schema
validator would and what the DaemonSet needs to work on a node:

  every document   apiVersion and kind of a known resource, metadata.name a DNS name,
                   metadata.namespace on namespaced kinds, no unknown top-level field
  ConfigMap        data values are strings
  DaemonSet        selector.matchLabels match the template's labels; containers (and init
                   containers) have unique names and an image, known fields only; every
                   volumeMount names a declared volume and an absolute path; every volume has
                   exactly one source; privileged containers, hostPID and hostNetwork (the
                   module's netlink family is in the host's network namespace); the
                   ServiceAccount and ConfigMaps it names are in the checked files

Usage: check_manifests.py FILE...   Exit 0 if all is well, 1 with one line per problem.
"""
import re
import sys

import yaml

DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")

# kind -> (apiVersion, namespaced, allowed top-level fields)
KINDS = {
    "Namespace": ("v1", False, {"apiVersion", "kind", "metadata", "spec"}),
    "ServiceAccount": ("v1", True, {"apiVersion", "kind", "metadata",
                                    "automountServiceAccountToken", "secrets",
                                    "imagePullSecrets"}),
    "ConfigMap": ("v1", True, {"apiVersion", "kind", "metadata", "data", "binaryData",
                               "immutable"}),
    "DaemonSet": ("apps/v1", True, {"apiVersion", "kind", "metadata", "spec"}),
}

CONTAINER_FIELDS = {
    "name", "image", "command", "args", "workingDir", "ports", "env", "envFrom", "resources",
    "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe",
    "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
    "securityContext", "stdin", "stdinOnce", "tty", "restartPolicy", "resizePolicy",
}
POD_SPEC_FIELDS = {
    "containers", "initContainers", "volumes", "hostPID", "hostNetwork", "hostIPC",
    "serviceAccountName", "automountServiceAccountToken", "nodeSelector", "tolerations",
    "affinity", "priorityClassName", "dnsPolicy", "terminationGracePeriodSeconds",
    "securityContext", "imagePullSecrets", "restartPolicy", "hostname", "schedulerName",
    "runtimeClassName", "enableServiceLinks", "shareProcessNamespace", "dnsConfig",
    "topologySpreadConstraints", "preemptionPolicy", "priority", "nodeName",
}
DAEMONSET_SPEC_FIELDS = {"selector", "template", "updateStrategy", "minReadySeconds",
                         "revisionHistoryLimit"}
VOLUME_SOURCES = {"hostPath", "configMap", "secret", "emptyDir", "projected",
                  "persistentVolumeClaim", "downwardAPI"}


class Checker:
    def __init__(self):
        self.problems = []
        self.resources = []  # (where, doc)

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    def load(self, path):
        try:
            with open(path, encoding="utf-8") as f:
                docs = list(yaml.safe_load_all(f))
        except (OSError, yaml.YAMLError) as e:
            self.fail(path, f"cannot read: {e}")
            return
        for i, doc in enumerate(docs):
            if doc is None:
                continue
            self.resources.append((f"{path}[{i}]", doc))

    def named(self, kind, name, namespace):
        return any(d.get("kind") == kind and meta(d).get("name") == name
                   and meta(d).get("namespace") == namespace for _, d in self.resources)

    def check(self):
        if not self.resources:
            self.fail("manifests", "no resource found")
        for where, doc in self.resources:
            self.check_resource(where, doc)
        return self.problems

    def check_resource(self, where, doc):
        if not isinstance(doc, dict):
            self.fail(where, "not a mapping")
            return
        kind = doc.get("kind")
        if kind not in KINDS:
            self.fail(where, f"unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
            return
        where = f"{where} {kind}"
        api, namespaced, fields = KINDS[kind]
        if doc.get("apiVersion") != api:
            self.fail(where, f"apiVersion is {doc.get('apiVersion')!r}, not {api!r}")
        for field in sorted(set(doc) - fields):
            self.fail(where, f"unknown field {field!r}")
        m = doc.get("metadata")
        if not isinstance(m, dict):
            self.fail(where, "metadata is missing")
            return
        name = m.get("name")
        if not isinstance(name, str) or not DNS_SUBDOMAIN.match(name):
            self.fail(where, f"metadata.name {name!r} is not a DNS subdomain name")
        where = f"{where} {name}"
        if namespaced and not isinstance(m.get("namespace"), str):
            self.fail(where, "metadata.namespace is missing")
        if not namespaced and "namespace" in m:
            self.fail(where, "metadata.namespace on a cluster-scoped kind")
        labels = m.get("labels", {})
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            self.fail(where, "metadata.labels must map names to strings")
        if kind == "ConfigMap":
            data = doc.get("data", {})
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                self.fail(where, "data must map keys to strings")
        if kind == "DaemonSet":
            self.check_daemonset(where, doc)

    def check_daemonset(self, where, doc):
        spec = doc.get("spec")
        if not isinstance(spec, dict):
            self.fail(where, "spec is missing")
            return
        for field in sorted(set(spec) - DAEMONSET_SPEC_FIELDS):
            self.fail(where, f"spec: unknown field {field!r}")
        match = (spec.get("selector") or {}).get("matchLabels")
        template = spec.get("template")
        if not isinstance(match, dict) or not match:
            self.fail(where, "spec.selector.matchLabels is missing")
            match = {}
        if not isinstance(template, dict):
            self.fail(where, "spec.template is missing")
            return
        labels = (template.get("metadata") or {}).get("labels") or {}
        for key, value in match.items():
            if labels.get(key) != value:
                self.fail(where, f"selector {key}={value} does not match the template's labels")
        pod = template.get("spec")
        if not isinstance(pod, dict):
            self.fail(where, "spec.template.spec is missing")
            return
        self.check_pod(where, pod, meta(doc).get("namespace"))

    def check_pod(self, where, pod, namespace):
        for field in sorted(set(pod) - POD_SPEC_FIELDS):
            self.fail(where, f"pod spec: unknown field {field!r}")
        for flag in ("hostPID", "hostNetwork"):
            if pod.get(flag) is not True:
                self.fail(where, f"pod spec: {flag} must be true")
        volumes = self.check_volumes(where, pod.get("volumes", []), namespace)
        containers = pod.get("containers")
        if not isinstance(containers, list) or not containers:
            self.fail(where, "pod spec: containers is missing or empty")
            containers = []
        init = pod.get("initContainers", [])
        if not isinstance(init, list):
            self.fail(where, "pod spec: initContainers must be a list")
            init = []
        names = set()
        for c in init + containers:
            self.check_container(where, c, volumes, names)
        for c in containers:
            if isinstance(c, dict):
                self.check_config_path(where, c, pod.get("volumes") or [], namespace)
        account = pod.get("serviceAccountName")
        if account is not None and not self.named("ServiceAccount", account, namespace):
            self.fail(where, f"serviceAccountName {account!r}: no such ServiceAccount in "
                             f"namespace {namespace!r} here")

    def check_volumes(self, where, volumes, namespace):
        declared = set()
        if not isinstance(volumes, list):
            self.fail(where, "pod spec: volumes must be a list")
            return declared
        for v in volumes:
            name = v.get("name") if isinstance(v, dict) else None
            if not isinstance(name, str) or not DNS_LABEL.match(name):
                self.fail(where, f"volume name {name!r} is not a DNS label")
                continue
            if name in declared:
                self.fail(where, f"volume {name!r} is declared twice")
            declared.add(name)
            sources = set(v) - {"name"}
            if len(sources) != 1 or not sources <= VOLUME_SOURCES:
                self.fail(where, f"volume {name!r} needs exactly one source, has "
                                 f"{sorted(sources)}")
                continue
            source = v[next(iter(sources))] or {}
            if "hostPath" in v and not str(source.get("path", "")).startswith("/"):
                self.fail(where, f"volume {name!r}: hostPath.path must be absolute")
            if "configMap" in v and not self.named("ConfigMap", source.get("name"), namespace):
                self.fail(where, f"volume {name!r}: no ConfigMap {source.get('name')!r} in "
                                 f"namespace {namespace!r} here")
        return declared

    def check_container(self, where, c, volumes, names):
        if not isinstance(c, dict):
            self.fail(where, "a container is not a mapping")
            return
        name = c.get("name")
        if not isinstance(name, str) or not DNS_LABEL.match(name):
            self.fail(where, f"container name {name!r} is not a DNS label")
            name = repr(name)
        elif name in names:
            self.fail(where, f"container name {name!r} is used twice")
        names.add(name)
        where = f"{where} container {name}"
        if not isinstance(c.get("image"), str) or not c.get("image"):
            self.fail(where, "image is missing")
        for field in sorted(set(c) - CONTAINER_FIELDS):
            self.fail(where, f"unknown field {field!r}")
        for key in ("command", "args"):
            if key in c and not (isinstance(c[key], list)
                                 and all(isinstance(a, str) for a in c[key])):
                self.fail(where, f"{key} must be a list of strings")
        if (c.get("securityContext") or {}).get("privileged") is not True:
            self.fail(where, "securityContext.privileged must be true (it loads a module "
                             "and tunes the node's filesystems)")
        for mount in c.get("volumeMounts", []) or []:
            mname = mount.get("name") if isinstance(mount, dict) else None
            if mname not in volumes:
                self.fail(where, f"volumeMount {mname!r}: no such volume")
            if not str((mount or {}).get("mountPath", "")).startswith("/"):
                self.fail(where, f"volumeMount {mname!r}: mountPath must be absolute")


    def check_config_path(self, where, c, volumes, namespace):
        """diowqctl's --config FILE must be a key of the ConfigMap mounted at its directory."""
        argv = (c.get("command") or []) + (c.get("args") or [])
        if "--config" not in argv:
            return
        i = argv.index("--config")
        path = argv[i + 1] if i + 1 < len(argv) else ""
        directory, _, key = str(path).rpartition("/")
        for mount in c.get("volumeMounts") or []:
            if not isinstance(mount, dict) or mount.get("mountPath", "").rstrip("/") != directory:
                continue
            for v in volumes:
                if isinstance(v, dict) and v.get("name") == mount.get("name") and "configMap" in v:
                    cm = [d for _, d in self.resources if d.get("kind") == "ConfigMap"
                          and meta(d).get("name") == v["configMap"].get("name")
                          and meta(d).get("namespace") == namespace]
                    if cm and key in (cm[0].get("data") or {}):
                        return
        self.fail(f"{where} container {c.get('name')}",
                  f"--config {path}: no ConfigMap key {key!r} is mounted at {directory}")


def meta(doc):
    m = doc.get("metadata") if isinstance(doc, dict) else None
    return m if isinstance(m, dict) else {}


def check_files(paths):
    checker = Checker()
    for path in paths:
        checker.load(path)
    return checker.check()


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    problems = check_files(argv[1:])
    for p in problems:
        print(p)
    if not problems:
        print(f"{len(argv) - 1} file(s): ok")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

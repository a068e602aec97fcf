#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""check_manifests.py accepts the shipped manifests and rejects each broken variant of them.

Every case breaks the real DaemonSet or ConfigMap in one way and expects the checker to name the
problem: a checker that accepts everything fails here.
"""
import copy
import os
import sys
import tempfile
import unittest

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_manifests  # noqa: E402

FILES = [os.path.join(HERE, "daemonset.yaml"), os.path.join(HERE, "configmap.yaml")]


def load():
    docs = []
    for path in FILES:
        with open(path, encoding="utf-8") as f:
            docs += [d for d in yaml.safe_load_all(f) if d is not None]
    return docs


def find(docs, kind):
    return next(d for d in docs if d["kind"] == kind)


def pod(docs):
    return find(docs, "DaemonSet")["spec"]["template"]["spec"]


def main_container(docs):
    return pod(docs)["containers"][0]


def problems_of(docs):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump_all(docs, f)
    try:
        return check_manifests.check_files([f.name])
    finally:
        os.unlink(f.name)


def drop(d, key):
    del d[key]


BROKEN = {
    "wrong apiVersion": (lambda d: find(d, "DaemonSet").update(apiVersion="v1"), "apiVersion"),
    "unknown kind": (lambda d: find(d, "ConfigMap").update(kind="ConfigMapp"), "unknown kind"),
    "no metadata": (lambda d: drop(find(d, "ServiceAccount"), "metadata"), "metadata is missing"),
    "bad name": (lambda d: find(d, "ConfigMap")["metadata"].update(name="Diowq_Config"),
                 "not a DNS subdomain"),
    "no namespace": (lambda d: drop(find(d, "DaemonSet")["metadata"], "namespace"),
                     "metadata.namespace is missing"),
    "typo at top level": (lambda d: find(d, "DaemonSet").update(spek={}), "unknown field 'spek'"),
    "selector mismatch": (lambda d: find(d, "DaemonSet")["spec"]["selector"]["matchLabels"]
                          .update({"app.kubernetes.io/name": "other"}), "does not match"),
    "no selector": (lambda d: drop(find(d, "DaemonSet")["spec"], "selector"),
                    "matchLabels is missing"),
    "no containers": (lambda d: pod(d).update(containers=[]), "containers is missing or empty"),
    "container without image": (lambda d: drop(main_container(d), "image"), "image is missing"),
    "container without name": (lambda d: drop(main_container(d), "name"), "not a DNS label"),
    "duplicate container name": (lambda d: main_container(d).update(name="load-module"),
                                 "used twice"),
    "container field typo": (lambda d: main_container(d).update(volumeMount=[]),
                             "unknown field 'volumeMount'"),
    "mount of an undeclared volume": (lambda d: main_container(d)["volumeMounts"][0]
                                      .update(name="nope"), "'nope': no such volume"),
    "relative mountPath": (lambda d: main_container(d)["volumeMounts"][0]
                           .update(mountPath="etc/diowq"), "mountPath must be absolute"),
    "not privileged": (lambda d: main_container(d)["securityContext"].update(privileged=False),
                       "privileged must be true"),
    "init container not privileged": (lambda d: drop(pod(d)["initContainers"][0],
                                                     "securityContext"), "privileged"),
    "no hostPID": (lambda d: drop(pod(d), "hostPID"), "hostPID must be true"),
    "no hostNetwork": (lambda d: pod(d).update(hostNetwork=False), "hostNetwork must be true"),
    "volume with two sources": (lambda d: pod(d)["volumes"][0].update(emptyDir={}),
                                "exactly one source"),
    "duplicate volume": (lambda d: pod(d)["volumes"].append(copy.deepcopy(pod(d)["volumes"][0])),
                         "declared twice"),
    "missing ConfigMap": (lambda d: d.remove(find(d, "ConfigMap")), "no ConfigMap"),
    "missing ServiceAccount": (lambda d: d.remove(find(d, "ServiceAccount")),
                               "no such ServiceAccount"),
    "config key not mounted": (lambda d: find(d, "ConfigMap").update(data={"other.conf": ""}),
                               "no ConfigMap key 'diowq.conf'"),
    "command not strings": (lambda d: main_container(d)["command"].append(1),
                            "list of strings"),
    "non-string ConfigMap data": (lambda d: find(d, "ConfigMap")["data"].update(n=1),
                                  "data must map keys to strings"),
}


class CheckManifests(unittest.TestCase):
    def test_shipped_manifests_pass(self):
        self.assertEqual(check_manifests.check_files(FILES), [])

    def test_broken_variants_are_rejected(self):
        for name, (breaker, needle) in BROKEN.items():
            with self.subTest(name):
                docs = load()
                breaker(docs)
                problems = problems_of(docs)
                self.assertTrue(any(needle in p for p in problems),
                                f"{name}: expected {needle!r} in {problems}")

    def test_unreadable_yaml_is_rejected(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write("kind: [unclosed\n")
        try:
            self.assertTrue(check_manifests.check_files([f.name]))
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main(verbosity=1)

"""Origins found from a build's closure agree with kustomize's own originAnnotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from okd_streams.render import kustomization as kz
from okd_streams.render.kustomize import build, build_batch
from okd_streams.render.runner import CachedRenderer
from tests.conftest import write_tree


def task(name: str, namespace: str | None = None) -> str:
    meta = f"  name: {name}\n" + (f"  namespace: {namespace}\n" if namespace else "")
    return (
        f"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n{meta}spec:\n  steps:\n"
        f"    - name: run\n      image: alpine:3.20\n      script: echo {name}\n"
    )


TREE = {
    "base/kustomization.yaml": "resources:\n  - tasks.yaml\n  - nested\n  - roles-a.yaml\n  - roles-b.yaml\n",
    # two documents in one file, and a name that is a prefix of another
    "base/tasks.yaml": task("build") + "---\n" + task("build-extensions"),
    "base/nested/kustomization.yaml": "resources:\n  - release.yaml\n",
    "base/nested/release.yaml": task("release"),
    # the same kind and name in two files, told apart by namespace
    "base/roles-a.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n  namespace: team-a\n",
    "base/roles-b.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n  namespace: team-b\n",
    "components/extra/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "resources:\n  - notify.yaml\npatches:\n  - path: patch.yaml\n"
    ),
    "components/extra/notify.yaml": task("notify"),
    "components/extra/patch.yaml": "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: build\nspec:\n"
    "  description: patched\n",
    "stream/kustomization.yaml": (
        "resources:\n  - ../base\n  - local.yaml\ncomponents:\n  - ../components/extra\n"
        "namePrefix: hpc-\nnameSuffix: -v1\n"
        "configMapGenerator:\n  - name: stream-card\n    literals: [version=4.19]\n"
        "secretGenerator:\n  - name: pull\n    literals: [token=x]\n    options:\n      disableNameSuffixHash: true\n"
    ),
    "stream/local.yaml": task("local"),
}


def test_every_object_is_credited_to_the_file_kustomize_names(tmp_path):
    write_tree(tmp_path, TREE)
    folder = (tmp_path / "stream").resolve()
    annotated = build(folder)
    assert annotated.ok, annotated.error
    rendered = CachedRenderer(None, base=tmp_path)([folder])[folder]
    assert len(rendered.objects) == len(annotated.objects) == 9
    assert [o.data for o in rendered.objects] == [o.data for o in annotated.objects]
    for ours, theirs in zip(rendered.objects, annotated.objects, strict=True):
        if theirs.origin is not None:
            assert ours.origin == theirs.origin, ours.data["metadata"]
        else:  # kustomize names no file for what a generator made: the kustomization that declares it
            assert ours.data["kind"] in ("ConfigMap", "Secret") and ours.origin == str(folder / "kustomization.yaml")
    origins = {
        o.data["metadata"]["name"]: Path(o.origin).relative_to(tmp_path).as_posix()
        for o in rendered.objects
        if o.data["kind"] != "ServiceAccount"
    }
    assert origins["hpc-build-v1"] == "base/tasks.yaml"  # patched, still its resource file
    assert origins["hpc-release-v1"] == "base/nested/release.yaml"
    assert origins["hpc-notify-v1"] == "components/extra/notify.yaml"
    assert origins["hpc-pull-v1"] == "stream/kustomization.yaml"  # generated: where its generator is


def test_a_batch_refuses_what_it_could_not_tell_apart(tmp_path):
    """The output is split on namespaces: an object in none of them (cluster-scoped) makes the
    batch fall back to single builds."""
    files = {}
    for name in ("one", "two"):
        files[f"{name}/kustomization.yaml"] = f"namespace: ns-{name}\nresources:\n  - task.yaml\n"
        files[f"{name}/task.yaml"] = task(f"t-{name}")
    write_tree(tmp_path, files)
    folders = [(tmp_path / name).resolve() for name in ("one", "two")]
    walker = kz.Walker()
    namespaces = [walker.namespace(folder) for folder in folders]
    assert namespaces == ["ns-one", "ns-two"]
    batch = build_batch(folders, namespaces)
    assert batch is not None and [len(batch[f].objects) for f in folders] == [1, 1]
    assert batch[folders[0]].objects[0].data["metadata"]["namespace"] == "ns-one"
    (tmp_path / "two" / "role.yaml").write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n"
    )
    (tmp_path / "two" / "kustomization.yaml").write_text(
        "namespace: ns-two\nresources:\n  - task.yaml\n  - role.yaml\n"
    )
    assert build_batch(folders, namespaces) is None


@pytest.mark.parametrize("names", [["ns", "ns"], ["ns", ""], ["only-one"]])
def test_a_batch_needs_one_distinct_namespace_per_member(tmp_path, names):
    write_tree(tmp_path, {"a/kustomization.yaml": "resources: []\n", "b/kustomization.yaml": "resources: []\n"})
    assert build_batch([tmp_path / "a", tmp_path / "b"], names) is None

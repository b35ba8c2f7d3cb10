"""No false alarms: a wide clean tree, and the repository's own manifests, give no issue."""

from pathlib import Path

import pytest
import yaml

from okd_streams.schema import check_object

HERE = Path(__file__).parent
REPO = HERE.parents[1]


def documents(paths: list[Path]) -> list[tuple[str, int, object]]:
    out = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            out += [(str(path), i, d) for i, d in enumerate(yaml.safe_load_all(fh)) if d is not None]
    return out


def test_wide_clean_tree() -> None:
    docs = documents(sorted((HERE / "data" / "clean").glob("*.yaml")))
    assert len(docs) == 8
    found = [(f, i, check_object(d)) for f, i, d in docs]
    assert [x for x in found if x[2]] == []


def without_directives(data: object) -> object:
    """A strategic-merge patch without kustomize's `$patch`-style directives, which are no API field."""
    if isinstance(data, dict):
        return {k: without_directives(v) for k, v in data.items() if not (isinstance(k, str) and k.startswith("$"))}
    if isinstance(data, list):
        return [without_directives(v) for v in data]
    return data


@pytest.mark.parametrize("folder", ["base", "overlays", "argocd", "streams", ".tekton"])
def test_repository_manifests(folder: str) -> None:
    paths = sorted((REPO / folder).rglob("*.yaml"))
    found = [
        (f, i, check_object(without_directives(d)))
        for f, i, d in documents(paths)
        if isinstance(d, dict) and "apiVersion" in d
    ]
    assert [x for x in found if x[2]] == []

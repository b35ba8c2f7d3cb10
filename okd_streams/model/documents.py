"""Helpers for file-scope rules: which documents in a file are Kubernetes objects."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import PurePath

from okd_streams.files.loader import Document, YamlFile
from okd_streams.render.kustomization import NAMES


@functools.lru_cache(maxsize=4096)
def file_path(path: str) -> PurePath:
    """`PurePath(path)`, parsed once: several rules look at the name of every file."""
    return PurePath(path)


def is_kustomization(yaml_file: YamlFile) -> bool:
    return file_path(yaml_file.path).name in NAMES


def is_patch(yaml_file: YamlFile) -> bool:
    """Partial objects applied by a kustomization (named patch-<what>.yaml by convention)."""
    return file_path(yaml_file.path).name.startswith("patch")


def objects(yaml_file: YamlFile) -> Iterator[Document]:
    """Documents that look like Kubernetes objects (a mapping with apiVersion and kind)."""
    for document in yaml_file.documents:
        data = document.data
        if isinstance(data, dict) and isinstance(data.get("kind"), str) and isinstance(data.get("apiVersion"), str):
            yield document

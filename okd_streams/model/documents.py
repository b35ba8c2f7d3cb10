"""Helpers for file-scope rules: which documents in a file are Kubernetes objects."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

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
    """Documents that look like Kubernetes objects (a mapping with apiVersion and kind), each
    item of a `kind: List` as a document of its own (see `expanded`)."""
    for document in expanded(yaml_file):
        data = document.data
        if isinstance(data, dict) and isinstance(data.get("kind"), str) and isinstance(data.get("apiVersion"), str):
            yield document


def is_list(data: Any) -> bool:
    """A `kind: List` (or any `...List`) document holding its objects in `items`: kubectl,
    kustomize and Argo CD apply each item, not the list itself."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("kind"), str)
        and data["kind"].endswith("List")
        and (isinstance(data.get("items"), list))
    )


def list_items(data: Any, path: tuple = (), depth: int = 0) -> Iterator[tuple[tuple, Any]]:
    """(path in the document, item) for each item of a List document, the items of a List
    inside it in their place (as kustomize inlines them); nothing for any other document."""
    if not is_list(data) or depth > 8:
        return
    for index, item in enumerate(data["items"]):
        where = (*path, "items", index)
        if is_list(item):
            yield from list_items(item, where, depth + 1)
        else:
            yield where, item


def expanded(yaml_file: YamlFile) -> Iterator[Document]:
    """The file's documents, a `kind: List` replaced by its items (kubectl and Argo CD apply
    each): an item is a Document whose data is the item and whose positions are the item's."""
    for document in yaml_file.documents:
        if not is_list(document.data):
            yield document
            continue
        found = list(list_items(document.data))
        # One pass over the positions, each given to its item (a list of many items stays linear).
        marks: dict[tuple, dict[tuple, tuple[int, int]]] = {path: {} for path, _ in found}
        for key, at in document.marks.items():
            for depth in range(2, len(key) + 1, 2):  # an item's path: ("items", i), nested two by two
                bucket = marks.get(key[:depth])
                if bucket is not None:
                    bucket[key[depth:]] = at
                    break
        for path, item in found:
            yield dataclasses.replace(document, data=item, marks=marks[path], start_line=document.pos(path)[0])

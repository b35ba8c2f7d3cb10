"""Containers, images, security contexts and volumes of any object, wherever they are nested.

Tekton puts containers in Task steps, sidecars and the stepTemplate, in the embedded
taskSpec of a Pipeline task or TaskRun, in the pipelineSpec of a PipelineRun, in a
TriggerTemplate's resourcetemplates; Kubernetes in Pod, workload and CronJob templates, an
EventListener in its kubernetesResource. Rather than a path per kind, the object is walked
once (no recursion limit: a walk too deep for the stack is redone iteratively), and values
are recognised by the key they sit under: an item of a `steps`/`sidecars`/`containers`/...
list, a `stepTemplate`, a `securityContext`, an item of a `volumes` list. Fields of the
wrong type are skipped.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from okd_streams.model.objects import Obj, get, items
from okd_streams.tekton import variables

CONTAINER_LISTS = {
    "steps": "step",
    "sidecars": "sidecar",
    "containers": "container",
    "initContainers": "init container",
    "ephemeralContainers": "ephemeral container",
}
MAX_DEPTH = 400  # the loader stops at 200; rendered output is bounded by kustomize


def walk(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) for `data` and every value inside it, depth first, without recursion."""
    stack: list[tuple[tuple, Any]] = [(path, data)]
    pop, extend = stack.pop, stack.extend
    while stack:
        where, value = pop()
        yield where, value
        if len(where) >= MAX_DEPTH:
            continue
        if isinstance(value, dict):
            if value:
                extend([(where + (key,), item) for key, item in value.items()][::-1])
        elif isinstance(value, list) and value:
            extend([(where + (index,), item) for index, item in enumerate(value)][::-1])


def mappings(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """(path, mapping) for every mapping `walk` yields, in the same order, without stepping
    on each scalar (the cheaper walk, for callers that look at mappings only)."""
    stack: list[tuple[tuple, Any]] = [(path, data)]
    pop, extend = stack.pop, stack.extend
    while stack:
        where, value = pop()
        if isinstance(value, dict):
            yield where, value
            children: Any = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        if len(where) < MAX_DEPTH:
            extend([(where + (key,), item) for key, item in children if isinstance(item, (dict, list))][::-1])


@dataclass
class _Scan:
    """What one walk of an object finds; several rules ask for it, the object is walked once."""

    containers: list
    security_contexts: list
    pod_specs: list
    volumes: list
    images: list | None = None


_SCANS: weakref.WeakKeyDictionary[Obj, _Scan] = weakref.WeakKeyDictionary()


def _scan(obj: Obj) -> _Scan:
    found = _SCANS.get(obj)
    if found is not None:
        return found
    found = _Scan([], [], [], [])
    kind = obj.kind
    add_container, add_context = found.containers.append, found.security_contexts.append
    add_pod_spec, add_volume = found.pod_specs.append, found.volumes.append

    # The mappings `mappings(obj.data)` yields, in the same order, classified as they come.
    def mapping(path: tuple, value: dict) -> None:
        if path:  # container_role(path, kind), and the other roles, as the helpers define them
            last = path[-1]
            if len(path) >= 2 and isinstance(last, int) and path[-2] in CONTAINER_LISTS:
                add_container(Container(path, value, CONTAINER_LISTS[path[-2]]))
            elif last == "stepTemplate":
                add_container(Container(path, value, "step template"))
            elif path == ("spec",) and kind == "StepAction":
                add_container(Container(path, value, "StepAction"))
            if last == "securityContext":
                add_context((path, value))
            if "hostNetwork" in value or "hostPID" in value or "hostIPC" in value:
                add_pod_spec((path, value))
            if len(path) >= 2 and isinstance(last, int) and path[-2] == "volumes":
                add_volume((path, value))
        elif "hostNetwork" in value or "hostPID" in value or "hostIPC" in value:
            add_pod_spec((path, value))
        if len(path) < MAX_DEPTH:
            for key, item in value.items():
                if isinstance(item, dict):
                    mapping(path + (key,), item)
                elif isinstance(item, list):
                    sequence(path + (key,), item)

    def sequence(path: tuple, value: list) -> None:
        if len(path) < MAX_DEPTH:
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    mapping(path + (index,), item)
                elif isinstance(item, list):
                    sequence(path + (index,), item)

    try:  # recursion is the faster walk; MAX_DEPTH frames fit Python's default limit
        if isinstance(obj.data, dict):
            mapping((), obj.data)
        elif isinstance(obj.data, list):
            sequence((), obj.data)
    except RecursionError:  # called deep in some stack: the same walk, iteratively
        return _scan_iteratively(obj)
    _SCANS[obj] = found
    return found


def _scan_iteratively(obj: Obj) -> _Scan:
    found = _Scan([], [], [], [])
    kind = obj.kind
    for path, value in mappings(obj.data):
        role = container_role(path, kind)
        if role:
            found.containers.append(Container(path, value, role))
        if path and path[-1] == "securityContext":
            found.security_contexts.append((path, value))
        if "hostNetwork" in value or "hostPID" in value or "hostIPC" in value:
            found.pod_specs.append((path, value))
        if len(path) >= 2 and isinstance(path[-1], int) and path[-2] == "volumes":
            found.volumes.append((path, value))
    _SCANS[obj] = found
    return found


@dataclass
class Container:
    path: tuple  # path of the container mapping in the object
    data: dict
    role: str  # step, sidecar, step template, container, init container, StepAction

    @property
    def name(self) -> str:
        name = self.data.get("name")
        return name if isinstance(name, str) else ""


def container_role(path: tuple, obj_kind: str = "") -> str | None:
    """What the mapping at `path` is, when it is a container: None otherwise."""
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] in CONTAINER_LISTS:
        return CONTAINER_LISTS[path[-2]]
    if path and path[-1] == "stepTemplate":
        return "step template"
    if path == ("spec",) and obj_kind == "StepAction":
        return "StepAction"
    return None


def containers(obj: Obj) -> Iterator[Container]:
    yield from _scan(obj).containers


def security_contexts(obj: Obj) -> Iterator[tuple[tuple, dict]]:
    """(path, mapping) of every `securityContext` (container- or pod-level)."""
    yield from _scan(obj).security_contexts


def pod_specs(obj: Obj) -> Iterator[tuple[tuple, dict]]:
    """(path, mapping) of every mapping that may carry pod-level host settings (a pod spec, a
    Tekton podTemplate): any mapping holding hostNetwork, hostPID or hostIPC."""
    yield from _scan(obj).pod_specs


def volumes(obj: Obj) -> Iterator[tuple[tuple, dict]]:
    yield from _scan(obj).volumes


def where(obj: Obj, path: tuple) -> str:
    """`step "build" of Task "compile"`, `container "x" of CronJob "y"`, `volume ... of ...`:
    the innermost container or pipeline task on `path`, then the object."""
    parts = []
    for depth in range(len(path), 0, -1):
        prefix = path[:depth]
        role = container_role(prefix, obj.kind)
        if role and role != "StepAction":
            name = get(obj.data, *prefix, "name")
            parts.append(f'{role} "{name}"' if isinstance(name, str) and name else role)
            break
    for depth in range(len(path), 1, -1):
        prefix = path[:depth]
        if isinstance(prefix[-1], int) and prefix[-2] in ("tasks", "finally"):
            name = get(obj.data, *prefix, "name")
            parts.append(f'pipeline task "{name}"' if isinstance(name, str) and name else "a pipeline task")
            break
    parts.append(obj.label() if obj.name else obj.kind or "object")
    return " of ".join(parts)


# --------------------------------------------------------------------------------------
# Images

_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


@dataclass(frozen=True)
class ImageRef:
    raw: str
    name: str
    tag: str | None
    digest: str | None


def parse_image(raw: str) -> ImageRef:
    """`registry:5000/repo/name:tag@sha256:...` -> name, tag, digest (a port is not a tag)."""
    rest, _, digest = raw.partition("@")
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag = None
    if colon > last_slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    return ImageRef(raw, rest, tag or None, digest or None)


def pinned_by_digest(image: ImageRef) -> bool:
    return bool(image.digest and _DIGEST.match(image.digest))


def _spec_path(container: Container) -> tuple:
    """Path of the task (or StepAction) spec whose params a container's `$(params.x)` names."""
    if container.role == "StepAction":
        return container.path
    return container.path[:-2] if isinstance(container.path[-1], int) else container.path[:-1]


def images(obj: Obj) -> Iterator[tuple[tuple, ImageRef, str]]:
    """(path, image, description) of every image a container names literally, or through a
    `$(params.x)` whose default in the same task spec is a literal (reported at the default).
    Images built at run time from other variables cannot be judged and are skipped."""
    scan = _scan(obj)
    if scan.images is None:
        scan.images = list(_images(obj))
    yield from scan.images


def _images(obj: Obj) -> Iterator[tuple[tuple, ImageRef, str]]:
    for container in containers(obj):
        image = container.data.get("image")
        if not isinstance(image, str) or not image.strip():
            continue
        path = container.path + ("image",)
        text = image.strip()
        owner = where(obj, container.path)
        if "$(" in text:
            found = list(variables.references(text))
            if (
                len(found) != 1
                or not variables.is_isolated(text, found[0])
                or found[0].prefix != "params"
                or len(found[0].parts) != 1
            ):
                continue
            spec_path = _spec_path(container)
            default_path = None
            params = get(obj.data, *spec_path, "params")
            for index, param in enumerate(params if isinstance(params, list) else []):
                if isinstance(param, dict) and param.get("name") == found[0].parts[0]:
                    if isinstance(param.get("default"), str) and param["default"].strip():
                        default_path = spec_path + ("params", index, "default")
                        text = param["default"].strip()
                    break
            if default_path is None or "$(" in text:
                continue
            path = default_path
            owner = f'{owner} (the default of param "{found[0].parts[0]}")'
        if "${" in text or "{{" in text or "/" in text.partition("@")[2] or text.count("@") > 1:
            continue  # filled in by some other templating (envsubst, Helm, @PLACEHOLDER@)
        yield path, parse_image(text), owner


def container_fields(
    container: dict, path: tuple, with_on_error: bool = True, needle: str = ""
) -> list[tuple[tuple, str, str]]:
    """(path, text, role) of the fields Tekton checks: role "list" for command/args items.
    Only the texts holding `needle` (callers looking for `$(params` skip the others cheaply)."""
    found: list[tuple[tuple, str, str]] = []
    for key in ("name", "image", "workingDir", "script"):
        value = container.get(key)
        if isinstance(value, str) and needle in value:
            found.append((path + (key,), value, key))
    for key in ("command", "args"):
        values = container.get(key)
        for i, value in enumerate(values if isinstance(values, list) else []):
            if isinstance(value, str) and needle in value:
                found.append((path + (key, i), value, "list"))
    for i, env in items(container, "env"):
        value = env.get("value")
        if isinstance(value, str) and needle in value:
            found.append((path + ("env", i, "value"), value, "env"))
    for i, mount in items(container, "volumeMounts"):
        for key in ("name", "mountPath", "subPath"):
            value = mount.get(key)
            if isinstance(value, str) and needle in value:
                found.append((path + ("volumeMounts", i, key), value, "volumeMounts"))
    if with_on_error:
        value = container.get("onError")
        if isinstance(value, str) and needle in value:
            found.append((path + ("onError",), value, "onError"))
    return found


def step_resources_twice(run_spec: dict) -> str | None:
    """The step whose compute resources a TaskRun spec (or a PipelineRun's taskRunSpecs item)
    sets beside its own `computeResources`, which Tekton refuses ("expected exactly one, got
    both"), else None. v1 says stepSpecs[].computeResources, v1beta1 stepOverrides[].resources."""
    if run_spec.get("computeResources") is None:
        return None
    for key, field in (("stepSpecs", "computeResources"), ("stepOverrides", "resources")):
        for _, step in items(run_spec, key):
            if step.get(field) is not None:
                return str(step.get("name"))
    return None

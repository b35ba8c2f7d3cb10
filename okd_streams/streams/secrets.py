"""Which Secrets a rendered stream needs, by name, with the keys read and who reads them.

A stream never holds Secrets (X001); it references them, and an operator creates them in
the stream's namespace. This module finds every reference in a unit's objects:

- `secretKeyRef` (env `valueFrom`), `secretRef` (`envFrom`), with the key when given;
- volumes and Tekton workspace bindings with `secret.secretName` (and projected sources),
  with keys from `items`, else from the paths the task reads under the mount
  (`/var/run/secrets/x/private.key`, `$(workspaces.creds.path)/config`);
- `imagePullSecrets` (pod specs, podTemplates, ServiceAccounts) and ServiceAccount `secrets`;
- params named `*-secret` / `*-secret-name` / `*_SECRET` that a Pipeline declares.

A name written as `$(params.x)` is resolved the way values reach it: the Task param's
binding in each Pipeline that runs the Task, the Pipeline param's value in each
PipelineRun (standalone or in a TriggerTemplate, where the stream card's values land),
else the declared default. What only a trigger supplies at run time is shown as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from okd_streams.model.objects import Obj, Unit, get, items
from okd_streams.tekton import variables
from okd_streams.tekton.containers import CONTAINER_LISTS, walk

SECRET_PARAM = re.compile(r"(^|[-_.])secret([-_.]?name)?$", re.IGNORECASE)
_FILE = r"([A-Za-z0-9._-]+|\$\(params\.[A-Za-z0-9_.-]+\))"
DOCKERCONFIG = ".dockerconfigjson"


@dataclass
class Use:
    """One place that reads a Secret."""

    obj: str  # "Task mirror-release"
    how: str  # "volume push-secret", "env MATRIX_TOKEN of step notify", ...
    via: str = ""  # how the name reached it, when through params
    optional: bool = False

    def describe(self) -> str:
        text = f"{self.obj} {self.how}"
        if self.via:
            text += f" ({self.via})"
        return text + (" [optional]" if self.optional else "")


@dataclass
class SecretNeed:
    name: str  # the Secret's name, or "$(params.x)" when only known at run time
    keys: set[str] = field(default_factory=set)
    uses: list[Use] = field(default_factory=list)
    resolved: bool = True

    @property
    def optional(self) -> bool:
        return bool(self.uses) and all(use.optional for use in self.uses)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "resolved": self.resolved,
            "optional": self.optional,
            "keys": sorted(self.keys),
            "used_by": [{"object": u.obj, "how": u.how, "via": u.via, "optional": u.optional} for u in self.uses],
        }


@dataclass
class Value:
    text: str
    via: str = ""


def _isolated_param(text: Any) -> str | None:
    if not isinstance(text, str) or "$(" not in text:
        return None
    found = list(variables.references(text))
    if (
        len(found) == 1
        and variables.is_isolated(text, found[0])
        and found[0].prefix in ("params", "tt")
        and found[0].parts
    ):
        return ".".join(found[0].parts) if found[0].prefix == "params" else "tt." + ".".join(found[0].parts[1:])
    return None


def _param(params: Any, name: str) -> dict | None:
    for _, item in items(params):
        if item.get("name") == name:
            return item
    return None


def _literal(value: Any) -> str | None:
    if isinstance(value, str) and value and "$(" not in value:
        return value
    return None


class Resolver:
    """Follows `$(params.x)` from a Task up to Pipelines, PipelineRuns and TriggerTemplates."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.pipelines = [o for o in unit.objects if o.kind == "Pipeline"]
        self.runs: list[tuple[Obj, dict]] = []  # (holder, PipelineRun data)
        for obj in unit.objects:
            if obj.kind == "PipelineRun":
                self.runs.append((obj, obj.data))
            elif obj.kind == "TriggerTemplate":
                for _, template in items(obj.spec, "resourcetemplates"):
                    if template.get("kind") == "PipelineRun":
                        self.runs.append((obj, template))

    def callers(self, task_name: str) -> Iterator[tuple[Obj, dict]]:
        for pipeline in self.pipelines:
            for section in ("tasks", "finally"):
                for _, task in items(pipeline.spec, section):
                    if get(task, "taskRef", "name") == task_name and get(task, "taskRef", "kind") in (None, "Task"):
                        yield pipeline, task

    def pipeline_param(self, pipeline: Obj, name: str) -> list[Value]:
        values: list[Value] = []
        bound = False
        for holder, run in self.runs:
            if get(run, "spec", "pipelineRef", "name") != pipeline.name:
                continue
            entry = _param(get(run, "spec", "params"), name)
            if entry is None:
                continue
            bound = True
            value = entry.get("value")
            literal = _literal(value)
            if literal is not None:
                values.append(Value(literal, f"param {name} of the PipelineRun in {holder.label()}"))
                continue
            inner = _isolated_param(value)
            if inner and inner.startswith("tt.") and holder.kind == "TriggerTemplate":
                spec = _param(get(holder.spec, "params"), inner[3:])
                default = _literal(spec.get("default")) if spec else None
                if default is not None:
                    values.append(Value(default, f"default of {holder.label()} param {inner[3:]}"))
                else:
                    values.append(Value(f"$(tt.params.{inner[3:]})", f"set by the trigger ({holder.label()})"))
        if not bound:
            spec = _param(get(pipeline.spec, "params"), name)
            default = _literal(spec.get("default")) if spec else None
            if default is not None:
                values.append(Value(default, f"default of {pipeline.label()} param {name}"))
        return values

    def in_pipeline(self, pipeline: Obj, text: Any) -> list[Value]:
        literal = _literal(text)
        if literal is not None:
            return [Value(literal)]
        name = _isolated_param(text)
        if name and not name.startswith("tt."):
            return self.pipeline_param(pipeline, name)
        return []

    def task_param(
        self, task_spec: dict, name: str, task_name: str | None = None, caller: tuple[Obj, dict] | None = None
    ) -> list[Value]:
        """Values of a Task's param `name`, through every caller (or the one given)."""
        spec = _param(task_spec.get("params"), name)
        default = _literal(spec.get("default")) if spec else None
        callers = [caller] if caller else list(self.callers(task_name)) if task_name else []
        values: list[Value] = []
        for pipeline, task in callers:
            binding = _param(task.get("params"), name)
            if binding is None:
                if default is not None:
                    values.append(
                        Value(default, f"{pipeline.label()} task {task.get('name')} leaves param {name} at its default")
                    )
                continue
            for value in self.in_pipeline(pipeline, binding.get("value")):
                value.via = f"{pipeline.label()} task {task.get('name')} param {name}" + (
                    f" <- {value.via}" if value.via else ""
                )
                values.append(value)
        if not callers and default is not None:
            values.append(Value(default, f"default of param {name}"))
        return values


@dataclass
class Site:
    """Where a reference sits: the object, and the task spec whose params it may use."""

    obj: Obj
    path: tuple
    task_spec: dict | None
    task_name: str | None
    caller: tuple[Obj, dict] | None


def _site(obj: Obj, path: tuple) -> Site:
    if obj.kind in ("Task", "ClusterTask"):
        return Site(obj, path, obj.spec, obj.name, None)
    for depth in range(len(path) - 1, 0, -1):
        if (
            path[depth] == "taskSpec"
            and depth >= 2
            and isinstance(path[depth - 1], int)
            and path[depth - 2] in ("tasks", "finally")
            and obj.kind == "Pipeline"
        ):
            task = get(obj.data, *path[:depth])
            spec = get(obj.data, *path[: depth + 1])
            if isinstance(task, dict) and isinstance(spec, dict):
                return Site(obj, path, spec, None, (obj, task))
    return Site(obj, path, None, None, None)


def _describe(obj: Obj, path: tuple, what: str) -> str:
    for depth in range(len(path), 1, -1):
        if isinstance(path[depth - 1], int) and path[depth - 2] in CONTAINER_LISTS:
            name = get(obj.data, *path[:depth], "name")
            role = CONTAINER_LISTS[path[depth - 2]]
            return f"{what} of {role} {name}" if isinstance(name, str) else f"{what} of a {role}"
    return what


class Collector:
    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        self.resolver = Resolver(unit)
        self.found: dict[str, SecretNeed] = {}

    def add(self, site: Site, name_value: Any, how: str, keys: set[str], optional: bool = False) -> None:
        values = self.values(site, name_value)
        if not values:
            if not isinstance(name_value, str) or not name_value:
                return
            values = [Value(name_value, "set at run time")]
        for value in values:
            resolved = "$(" not in value.text
            need = self.found.setdefault(value.text, SecretNeed(value.text, resolved=resolved))
            need.keys |= {k for k in keys if k}
            use = Use(site.obj.label(), how, value.via, optional)
            if not any(u == use for u in need.uses):
                need.uses.append(use)

    def values(self, site: Site, text: Any) -> list[Value]:
        literal = _literal(text)
        if literal is not None:
            return [Value(literal)]
        name = _isolated_param(text)
        if name is None:
            return []
        if name.startswith("tt.") and site.obj.kind == "TriggerTemplate":
            spec = _param(get(site.obj.spec, "params"), name[3:])
            default = _literal(spec.get("default")) if spec else None
            return (
                [Value(default, f"default of {site.obj.label()} param {name[3:]}")]
                if default
                else [Value(f"$(tt.params.{name[3:]})", "set by the trigger")]
            )
        if site.task_spec is not None:
            return self.resolver.task_param(site.task_spec, name, site.task_name, site.caller)
        if site.obj.kind == "Pipeline":
            return self.resolver.pipeline_param(site.obj, name)
        return []

    def keys_under(self, site: Site, prefixes: list[str]) -> set[str]:
        """Keys read as files below a mount: `<prefix>/<file>` in any string of the task spec."""
        keys: set[str] = set()
        if site.task_spec is None:
            return keys
        for _, text in variables.strings_in(site.task_spec):
            for prefix in prefixes:
                if prefix not in text:
                    continue
                for match in re.finditer(re.escape(prefix.rstrip("/")) + "/" + _FILE, text):
                    keys |= {v.text for v in self.values(site, match.group(1)) if "$(" not in v.text}
        return keys

    def collect(self) -> list[SecretNeed]:
        for obj in self.unit.objects:
            self._object(obj)
        self._params()
        self._workspaces()
        return sorted(self.found.values(), key=lambda n: (not n.resolved, n.name))

    def _object(self, obj: Obj) -> None:
        if obj.kind == "ServiceAccount":
            for index, entry in items(obj.data, "secrets"):
                self.add(_site(obj, ("secrets", index)), entry.get("name"), "secrets (mountable)", set())
        for path, value in walk(obj.data):
            if not path:
                continue
            key = path[-1]
            if key == "secretKeyRef" and isinstance(value, dict):
                env = get(obj.data, *path[:-2], "name")
                what = f"env {env}" if isinstance(env, str) else "env"
                self.add(
                    _site(obj, path),
                    value.get("name"),
                    _describe(obj, path, what),
                    {secret_key} if isinstance(secret_key := value.get("key"), str) else set(),
                    value.get("optional") is True,
                )
            elif key == "secretRef" and isinstance(value, dict):
                self.add(
                    _site(obj, path),
                    value.get("name"),
                    _describe(obj, path, "envFrom"),
                    set(),
                    value.get("optional") is True,
                )
            elif key == "imagePullSecrets" and isinstance(value, list):
                for _, entry in items(value):
                    self.add(_site(obj, path), entry.get("name"), "imagePullSecrets", {DOCKERCONFIG})
            elif key == "secret" and isinstance(value, dict) and len(path) >= 3 and isinstance(path[-2], int):
                self._mounted(obj, path, value)

    def _mounted(self, obj: Obj, path: tuple, value: dict) -> None:
        holder = path[-3]
        entry = get(obj.data, *path[:-1])
        mount_name = entry.get("name") if isinstance(entry, dict) else None
        keys = {key for _, i in items(value, "items") if isinstance(key := i.get("key"), str)}
        site = _site(obj, path)
        if holder == "volumes" and "secretName" in value:
            if not keys and isinstance(mount_name, str) and site.task_spec is not None:
                mounts = [
                    m.get("mountPath")
                    for _, spec in self._containers(site.task_spec)
                    for _, m in items(spec, "volumeMounts")
                    if m.get("name") == mount_name
                ]
                keys = self.keys_under(site, [m for m in mounts if isinstance(m, str) and m])
            self.add(site, value.get("secretName"), f"volume {mount_name}", keys, value.get("optional") is True)
        elif holder == "sources" and "name" in value:
            self.add(site, value.get("name"), "projected volume", keys, value.get("optional") is True)
        elif holder == "workspaces" and "secretName" in value:
            self.add(site, value.get("secretName"), f"workspace {mount_name}", keys)

    @staticmethod
    def _containers(task_spec: dict) -> Iterator[tuple[int, dict]]:
        for section in ("steps", "sidecars"):
            yield from items(task_spec, section)

    def _params(self) -> None:
        for pipeline in self.resolver.pipelines:
            for _, spec in items(pipeline.spec, "params"):
                name = spec.get("name")
                if not isinstance(name, str) or not SECRET_PARAM.search(name):
                    continue
                for value in self.resolver.pipeline_param(pipeline, name):
                    if value.text in self.found:
                        continue
                    need = self.found.setdefault(value.text, SecretNeed(value.text, resolved="$(" not in value.text))
                    need.uses.append(Use(pipeline.label(), f"param {name}", value.via))

    def _workspaces(self) -> None:
        """Keys of secrets bound as PipelineRun workspaces, from the Tasks that read them."""
        for _, run in self.resolver.runs:
            pipeline_name = get(run, "spec", "pipelineRef", "name")
            pipeline = next((p for p in self.resolver.pipelines if p.name == pipeline_name), None)
            if pipeline is None:
                continue
            for _, binding in items(run, "spec", "workspaces"):
                secret = get(binding, "secret", "secretName")
                if not isinstance(secret, str) or secret not in self.found:
                    continue
                for section in ("tasks", "finally"):
                    for _, task in items(pipeline.spec, section):
                        for _, ws in items(task, "workspaces"):
                            if ws.get("workspace") != binding.get("name") or not isinstance(ws.get("name"), str):
                                continue
                            task_obj = self.unit.find("Task", get(task, "taskRef", "name") or "")
                            spec = task_obj.spec if task_obj else get(task, "taskSpec")
                            if not isinstance(spec, dict):
                                continue
                            declared = _param(spec.get("workspaces"), ws["name"]) or {}
                            prefixes = [
                                f"$(workspaces.{ws['name']}.path)",
                                mount
                                if isinstance(mount := declared.get("mountPath"), str)
                                else f"/workspace/{ws['name']}",
                            ]
                            site = Site(task_obj or pipeline, (), spec, None, (pipeline, task))
                            self.found[secret].keys |= self.keys_under(site, prefixes)


def secrets_of(unit: Unit) -> list[SecretNeed]:
    """Every Secret the unit's objects reference, sorted by name (unresolved ones last)."""
    return Collector(unit).collect()

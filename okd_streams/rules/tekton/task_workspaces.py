"""Task workspaces or volumes Tekton rejects: duplicate names, clashing mount paths, undeclared step workspaces.

What it does:
  Checks every Task, ClusterTask and inline taskSpec: workspace names are unique; each
  workspace's mount path (`mountPath`, default `/workspace/<name>`) differs from every
  other workspace's and from the `volumeMounts` of the steps and stepTemplate; the
  `workspaces` a step or sidecar lists are declared by the Task; volume names are unique.

Why:
  Tekton's webhook rejects the Task (`validateDeclaredWorkspaces`: "workspace mount path
  "/workspace/source" must be unique"; `validateWorkspaceUsages`: "undefined workspace";
  `ValidateVolumes`: "multiple volumes with same name"). Two volumes on one path cannot
  both be mounted.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.tekton.pipeline import task_specs

ID = "task-workspaces"
CODE = "T061"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Task", "ClusterTask", "TaskRun", "Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


def clean(path: str) -> str:
    """Go's filepath.Clean on a slash path."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def check(unit: Unit) -> Iterator[Finding]:
    for site in task_specs(unit):
        mounts: dict[str, str] = {}
        for i, step in items(site.spec, "steps"):
            for _, mount in items(step, "volumeMounts"):
                if isinstance(mount.get("mountPath"), str):
                    mounts.setdefault(clean(mount["mountPath"]), f'volumeMount "{mount.get("name")}" of steps[{i}]')
        for _, mount in items(site.spec, "stepTemplate", "volumeMounts"):
            if isinstance(mount.get("mountPath"), str):
                mounts.setdefault(clean(mount["mountPath"]), f'volumeMount "{mount.get("name")}" of the stepTemplate')
        names: dict[str, int] = {}
        for index, workspace in items(site.spec, "workspaces"):
            name = found if isinstance(found := workspace.get("name"), str) else ""
            if name in names:
                yield Finding(
                    site.obj,
                    site.at("workspaces", index, "name"),
                    f'workspace "{name}" is declared twice in {site.label} (workspaces[{names[name]}] and '
                    f"workspaces[{index}])",
                )
            else:
                names[name] = index
            given = workspace.get("mountPath")
            mount_path = clean(given if isinstance(given, str) and given else posixpath.join("/workspace", name))
            if mount_path in mounts:
                yield Finding(
                    site.obj,
                    site.at("workspaces", index) + (("mountPath",) if given else ()),
                    f'workspace "{name}" of {site.label} mounts at {mount_path}, already used by '
                    f"{mounts[mount_path]}; mount paths must be unique",
                )
            else:
                mounts[mount_path] = f'workspace "{name}"'
        declared = set(names)
        for kind in ("steps", "sidecars"):
            for i, container in items(site.spec, kind):
                for j, usage in items(container, "workspaces"):
                    if not isinstance(usage.get("name"), str) or usage["name"] not in declared:
                        yield Finding(
                            site.obj,
                            site.at(kind, i, "workspaces", j, "name"),
                            f'{kind[:-1]} {i} of {site.label} uses workspace "{usage.get("name")}", which '
                            f"the Task does not declare "
                            f"(workspaces: {', '.join(sorted(declared)) or 'none'})",
                        )
        volumes: dict[str, int] = {}
        for index, volume in items(site.spec, "volumes"):
            volume_name = volume.get("name")
            if not isinstance(volume_name, str):
                continue
            if volume_name in volumes:
                yield Finding(
                    site.obj,
                    site.at("volumes", index, "name"),
                    f'volume "{volume_name}" is declared twice in {site.label} '
                    f"(volumes[{volumes[volume_name]}] and volumes[{index}])",
                )
            else:
                volumes[volume_name] = index

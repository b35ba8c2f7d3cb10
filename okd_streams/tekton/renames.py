"""References a build's own renaming left dangling.

kustomize's `namePrefix`/`nameSuffix` rename every object of a build, and rename the
references to a renamed object only along the fields its nameReference configuration lists.
It lists none for Tekton's or Triggers' kinds (nor for a ServiceAccount named by an
EventListener or a PipelineRun): unless the repository adds them through `configurations:`,
a `taskRef`, `pipelineRef`, binding or template reference keeps the old name while the object
it meant is in the same build under the new one. In a kustomization's render that is certain,
not a guess about the cluster.
"""

from __future__ import annotations

from okd_streams.model.objects import Finding, Obj, Unit, get


def renamed(unit: Unit, kind: str, name: str, group: str | None, namespace: str) -> Obj | None:
    """The object of the rendered `unit` whose source names it `name` but which the build
    renamed (prefix, suffix: the new name still holds the old), or None."""
    if not unit.rendered or unit.remote_error is not None or not name:
        return None
    for obj in unit.of_kind(kind):
        if (group is not None and obj.group != group) or obj.name == name or name not in obj.name:
            continue
        if namespace and obj.namespace and obj.namespace != namespace:
            continue
        if obj.doc is not None and get(obj.doc.data, "metadata", "name") == name:
            return obj
    return None


def dangling(holder: Obj, path: tuple, who: str, kind: str, name: str, target: Obj) -> Finding:
    """The error for a reference `holder` makes at `path` to `name`, which the build renamed."""
    field_spec = "/".join(str(step) for step in path if not isinstance(step, int))
    return Finding(
        holder,
        path,
        f'{who} names {kind} "{name}", which this build renames to "{target.name}" (namePrefix/nameSuffix) '
        f"without renaming references to it: kustomize knows no reference field of {kind}. Add a "
        "`configurations:` file with nameReference: [{kind: " + kind + ", fieldSpecs: [{kind: "
        f"{holder.kind}, path: {field_spec}}}]}}]",
    )

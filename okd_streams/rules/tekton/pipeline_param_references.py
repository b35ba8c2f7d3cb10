"""A `$(params...)` reference in a Pipeline that Tekton rejects: undeclared param, misused array or object.

What it does:
  Checks the `$(params...)` references a Pipeline passes on — in pipeline task `params`,
  `matrix.params`, `matrix.include` params and `when` input and values, in `tasks` and
  `finally` — against the Pipeline's own `params`, as Tekton's webhook does:
  - the param must be declared by the Pipeline (a PipelineRun's inline `pipelineSpec`
    may also use the run's params);
  - an array param can only be passed whole as an array item `["$(params.x[*])"]`, as the
    whole value `$(params.x[*])`, or indexed, `$(params.x[0])` — not inside a longer
    string;
  - an object param is passed whole only as the entire value `$(params.obj[*])`;
    elsewhere read a declared key, `$(params.obj.key)`.

Why:
  The webhook refuses the Pipeline (`non-existent variable in "$(params.revison)"`,
  `variable type invalid`). Pipeline params do not propagate into a referenced Task, so an
  undeclared name is always a typo or a missing declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from okd_streams.model.objects import Finding, Unit, items
from okd_streams.rules.tekton._refs import not_declared_by
from okd_streams.tekton import substitution as sub
from okd_streams.tekton.pipeline import (
    is_matrixed,
    params_by_type,
    pipeline_specs,
    pipeline_tasks,
    pipelinerun_inline_params,
    task_label,
)

ID = "pipeline-param-references"
CODE = "T021"
LEVEL = "error"
FOREIGN_LEVEL = None
SCOPE = "unit"
PER_OBJECT = True  # findings depend on one object alone (the engine memoises them)
APPLIES_TO = ("Pipeline", "PipelineRun")  # tekton.dev/v1, v1beta1 kinds it reads
WAIVER_NEEDS_REASON = False


class _Declared:
    def __init__(self, specs: list[dict], owner: str) -> None:
        self.names, self.arrays, objects = params_by_type(specs)
        # Tekton only knows the keys of object params that declare at least one property.
        self.objects = {name: keys for name, keys in objects.items() if keys}
        self.owner = owner

    def _common(self, text: str) -> list[str]:
        found = []
        for var in sub.unknown(text, "params", self.names):
            if isinstance(var, str):
                found.append(var)
                continue
            hint = ""
            if sub.trim_index(var.entire) in self.names:
                hint = f'; a name with dots needs the bracket form $(params["{sub.trim_index(var.entire)}"])'
            found.append(
                f'{var.raw} names param "{sub.trim_index(var.name)}", which {not_declared_by(self.owner)}{hint}'
            )
        for name, keys in self.objects.items():
            for var in sub.unknown(text, r"params\." + re.escape(name), keys):
                if not isinstance(var, str):
                    found.append(
                        f'{var.raw}: object param "{name}" has no key "{var.name}" (keys: {", ".join(sorted(keys))})'
                    )
        for var in sub.entire_prohibited(text, "params", set(self.objects)):
            found.append(
                f'{var.raw} uses object param "{var.name}" whole inside a value; pass it whole only as '
                f'the entire value "$(params.{var.name}[*])", or read a key, $(params.{var.name}.<key>)'
            )
        return found

    def string(self, text: str) -> list[str]:
        if "$(params" not in text:  # every check looks at $(params...) references only
            return []
        found = self._common(text)
        for var in sub.prohibited(text, "params", self.arrays):
            if not isinstance(var, str):
                name = var.name[:-3] if var.name.endswith("[*]") else var.name
                found.append(
                    f'{var.raw} uses array param "{name}" in a string; pass it whole as the entire value '
                    f'"$(params.{name}[*])" or as an array item, or index it, $(params.{name}[0])'
                )
        return list(dict.fromkeys(found))

    def array_item(self, text: str) -> list[str]:
        if "$(params" not in text:
            return []
        found = self._common(text)
        for var in sub.not_isolated(text, "params", self.arrays):
            if not isinstance(var, str):
                name = var.name[:-3] if var.name.endswith("[*]") else var.name
                found.append(f'{var.raw}: array param "{name}" must be an array item of its own, "$(params.{name}[*])"')
        return list(dict.fromkeys(found))

    def whole_or_string(self, text: str) -> list[str]:
        if "$(params" not in text:
            return []
        if sub.whole_reference(text):
            return [problem for problem in self._common(text) if "names param" in problem]
        return self.string(text)


def _param_values(declared: _Declared, param: dict, path: tuple) -> Iterator[tuple[tuple, str]]:
    kind, value = sub.go_value(param.get("value"))
    if kind == "array":
        for i, item in enumerate(value):
            for problem in declared.array_item(item):
                yield path + ("value", i), problem
    elif kind == "object":
        for key, item in value.items():
            for problem in declared.string(item):
                yield path + ("value", key), problem
    else:
        for problem in declared.whole_or_string(value):
            yield path + ("value",), problem


def _task_problems(declared: _Declared, task: dict) -> Iterator[tuple[tuple, str]]:
    for i, param in items(task, "params"):
        yield from _param_values(declared, param, ("params", i))
    if is_matrixed(task):
        for j, include in items(task, "matrix", "include"):
            for i, param in items(include, "params"):
                if isinstance(param.get("value"), str):
                    for problem in declared.string(param["value"]):
                        yield ("matrix", "include", j, "params", i, "value"), problem
        for i, param in items(task, "matrix", "params"):
            kind, value = sub.go_value(param.get("value"))
            if kind == "array":
                for k, item in enumerate(value):
                    for problem in declared.array_item(item):
                        yield ("matrix", "params", i, "value", k), problem
    for i, when in items(task, "when"):
        if isinstance(when.get("input"), str):
            for problem in declared.string(when["input"]):
                yield ("when", i, "input"), problem
        values = when.get("values")
        for k, value in enumerate(values if isinstance(values, list) else []):
            if not isinstance(value, str):
                continue
            reference = value.removeprefix("$(params.").removesuffix("[*])")
            check = declared.array_item if reference in declared.arrays else declared.string
            for problem in check(value):
                yield ("when", i, "values", k), problem


def check(unit: Unit) -> Iterator[Finding]:
    for site in pipeline_specs(unit):
        if site.standalone:
            specs = [p for _, p in items(site.spec, "params")]
            declared = _Declared(specs, site.label)
            sections: tuple[str, ...] = ("tasks", "finally")
        else:
            declared = _Declared(pipelinerun_inline_params(site), f"neither {site.label} nor the run's params")
            sections = ("tasks",)
        for section, index, task in pipeline_tasks(site.spec):
            if section not in sections:
                continue
            for path, problem in _task_problems(declared, task):
                yield Finding(
                    site.obj, site.at(section, index) + path, f"{task_label(task, section)} of {site.label}: {problem}"
                )

"""Checks shared by the reference rules of this family (T070, T071), and the words the param
reference rules (T020, T021) name an undeclared param with."""

from __future__ import annotations

from collections.abc import Iterator

from okd_streams.model.objects import Finding, Obj
from okd_streams.tekton.names import qualified_name_problem
from okd_streams.tekton.pac import filled_in_by_pac

REF_FIELDS = {"name", "kind", "apiVersion", "bundle", "resolver", "params"}  # of TaskRef and PipelineRef


def ref_problems(obj: Obj, at: tuple, ref: dict, label: str, what: str = "taskRef") -> Iterator[Finding]:
    """`TaskRef.Validate` / `PipelineRef.Validate` for a reference to a Task or Pipeline."""
    name, resolver, bundle = ref.get("name"), ref.get("resolver"), ref.get("bundle")
    if ref.get("params") is not None and not resolver:
        yield Finding(obj, at + ("params",), f"{what} of {label} has params but no resolver; params are for resolvers")
    if not name and not resolver and not bundle:
        if not set(ref) - REF_FIELDS:  # else a misspelled field, which V001 names
            yield Finding(obj, at, f"{what} of {label} has neither a name nor a resolver")
        return
    if isinstance(name, str) and name and not resolver:
        if "://" in name:
            yield Finding(
                obj,
                at + ("name",),
                f'{what} name "{name}" of {label} is a URL; that needs the '
                "enable-concise-resolver-syntax feature flag and a resolver",
                level="warning",
            )
        elif not filled_in_by_pac(obj, name):  # a `{{ name }}` PaC fills in is judged once it is
            problem = qualified_name_problem(name)
            if problem:
                yield Finding(obj, at + ("name",), f'{what} name "{name}" of {label} {problem}')
    elif name is not None and not isinstance(name, str):
        yield Finding(obj, at + ("name",), f"{what} name of {label} must be a string")


def not_declared_by(owner: str) -> str:
    """`owner` does not declare it, in words: "neither A nor B declares" has its negation already."""
    return f"{owner} declares" if owner.startswith("neither ") else f"{owner} does not declare"

"""The param contract of the rendered stream: what each Pipeline a card key feeds declares
(type, enum, object keys, default), and values typed and checked against it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okd_streams.files.loader import YamlError, load_strings
from okd_streams.model.destinations import Destination, declared
from okd_streams.model.objects import Obj, get
from okd_streams.streams.scaffold.request import Refused
from okd_streams.tekton import params as tparams

PIPELINE_LABEL = "okd-streams.io/pipeline"


@dataclass
class ParamSpec:
    pipeline: str  # the card's pipeline key
    name: str
    type: str
    description: str
    required: bool
    default: Any = None
    enum: list[str] | None = None
    keys: list[str] = field(default_factory=list)  # object properties

    @property
    def qualified(self) -> str:
        return f"{self.pipeline}.{self.name}"

    def allowed(self) -> str:
        if self.enum is not None:
            return "one of " + ", ".join(self.enum)
        if self.type == "array":
            return "a list, e.g. [a, b]"
        if self.type == "object":
            keys = ", ".join(f"{k}: ..." for k in self.keys) if self.keys else "key: value"
            return "a mapping, e.g. {" + keys + "}"
        return "a string"


Contract = dict[str, dict[str, ParamSpec]]  # card pipeline key -> param name -> spec


def pipeline_for(objects: list[Obj], key: str) -> Obj | None:
    """The rendered Pipeline a card pipeline key feeds: the one its TriggerTemplate runs."""
    wanted = key
    for obj in objects:
        labels = found if isinstance(found := obj.metadata.get("labels"), dict) else {}
        if obj.kind == "TriggerTemplate" and labels.get(PIPELINE_LABEL) == key:
            ref = get(obj.spec, "resourcetemplates", 0, "spec", "pipelineRef", "name")
            if isinstance(ref, str) and ref:
                wanted = ref
                break
    return next((obj for obj in objects if obj.kind == "Pipeline" and obj.name == wanted), None)


def read_contract(objects: list[Obj], keys: list[str]) -> tuple[Contract, list[str]]:
    contract: Contract = {}
    problems = []
    for key in keys:
        pipeline = pipeline_for(objects, key)
        if pipeline is None:
            problems.append(
                f"the stream card sets pipeline {key!r}, but the rendered stream has no Pipeline "
                f"{key!r} (a TriggerTemplate labelled {PIPELINE_LABEL}={key} names the Pipeline)"
            )
            continue
        specs = {}
        for name, spec in tparams.specs(get(pipeline.spec, "params")).items():
            description = spec.get("description")
            specs[name] = ParamSpec(
                key,
                name,
                tparams.declared_type(spec),
                " ".join(description.split()) if isinstance(description, str) else "",
                not tparams.has_default(spec),
                spec.get("default"),
                tparams.enum(spec),
                [str(k) for k in tparams.properties(spec)],
            )
        contract[key] = specs
    return contract, problems


def read_destinations(objects: list[Obj], keys: list[str]) -> dict[str, list[Destination]]:
    """The destinations each Pipeline a card key feeds declares (a malformed declaration
    declares none here: `okd-streams check` reports it, C010)."""
    found = {}
    for key in keys:
        pipeline = pipeline_for(objects, key)
        if pipeline is not None:
            found[key] = declared(pipeline)[0]
    return found


def known_params(contract: Contract) -> str:
    return "; ".join(f"{key}: {', '.join(specs) or 'none'}" for key, specs in contract.items())


def resolve_param(contract: Contract, key: str) -> ParamSpec:
    """`PARAM` or `PIPELINE.PARAM` -> its spec; Refused with the known params otherwise."""
    if "." in key:
        prefix, rest = key.split(".", 1)
        if prefix in contract:
            if rest in contract[prefix]:
                return contract[prefix][rest]
            if key not in {n for specs in contract.values() for n in specs}:
                raise Refused(
                    f"pipeline {prefix} has no param {rest!r}; its params: {', '.join(contract[prefix]) or 'none'}"
                )
    matches = [specs[key] for specs in contract.values() if key in specs]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        options = " or ".join(f"--set {m.pipeline}.{key}=VALUE" for m in matches)
        raise Refused(f"param {key!r} is declared by {' and '.join(m.pipeline for m in matches)}: say which, {options}")
    raise Refused(f"no pipeline of this stream declares param {key!r}; known params: {known_params(contract)}")


def parse_value(spec: ParamSpec, raw: str) -> Any:
    """A --set or prompt answer typed by the param's declared type."""
    if spec.type == "string":
        return raw
    opener = "[" if spec.type == "array" else "{"
    example = "[a, b]" if spec.type == "array" else "{" + ", ".join(f"{k}: v" for k in spec.keys or ["key"]) + "}"
    if not raw.strip().startswith(opener):
        raise Refused(
            f"{spec.qualified} is of type {spec.type}: write the value as {example} (got {tparams.describe_value(raw)})"
        )
    try:
        value = load_strings(raw)  # every scalar stays a string, as Tekton's are
    except YamlError as exc:
        raise Refused(
            f"{spec.qualified}: cannot read {raw!r} as {spec.type} {example}: {str(exc).splitlines()[0]}"
        ) from None
    return value


def value_problem(spec: ParamSpec, value: Any) -> str | None:
    """Why `value` does not satisfy the contract (type, items, keys, enum); None if it does."""
    kind = tparams.value_type(value)
    if kind != spec.type:
        return (
            f"{spec.qualified} is of type {spec.type} ({spec.allowed()}), "
            f"but the value {tparams.describe_value(value)} is {kind or 'not a param value'}"
        )
    if spec.type == "array":
        bad = [item for item in value if isinstance(item, (list, dict)) or item is None]
        if bad:
            return f"{spec.qualified} is an array of strings; {tparams.describe_value(bad[0])} is not a string"
    if spec.type == "object":
        missing = [k for k in spec.keys if k not in value]
        if missing:
            return f"{spec.qualified} needs the keys {', '.join(spec.keys)}; missing: {', '.join(missing)}"
        bad = [k for k, v in value.items() if isinstance(v, (list, dict)) or v is None]
        if bad:
            return f"{spec.qualified}: the value of key {bad[0]!r} must be a string"
    if spec.enum is not None and spec.type == "string" and str(value) not in spec.enum:
        return f"{spec.qualified} allows only {', '.join(spec.enum)}; {tparams.describe_value(value)} is not one"
    return None

"""A repeated subschema is compiled once: `share_repeats` moves it to `$defs`, and the shared
schema accepts and refuses exactly what the inlined one does."""

from __future__ import annotations

import json

import jsonschema_rs
import pytest

from okd_streams.schema import fast, gates, store
from okd_streams.schema.target import Target

CONTAINER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        name: {"type": "string"} for name in ("name", "image", "script", "workingDir", *"abcdefghijklmnopqrstuvwxyz")
    },
}
INLINED = {
    "type": "object",
    "properties": {
        "steps": {"type": "array", "items": CONTAINER},
        "sidecars": {"type": "array", "maxItems": 9, "items": json.loads(json.dumps(CONTAINER))},
        "stepTemplate": json.loads(json.dumps(CONTAINER)),
        "note": {"type": "string"},
    },
}


def test_a_repeated_subschema_becomes_one_definition() -> None:
    shared = fast.share_repeats(INLINED)
    assert list(shared["$defs"]) == ["shared:0"]
    assert shared["properties"]["stepTemplate"] == {"$ref": "#/$defs/shared:0"}
    assert shared["properties"]["steps"]["items"] == {"$ref": "#/$defs/shared:0"}
    assert shared["properties"]["note"] == {"type": "string"}  # small: left in place
    assert INLINED["properties"]["stepTemplate"] == CONTAINER  # the input is not changed


@pytest.mark.parametrize(
    "instance",
    [
        {"steps": [{"name": "a", "image": "x"}], "stepTemplate": {"name": "t"}},
        {"steps": [{"image": "x"}]},  # a required field missing inside the shared part
        {"sidecars": [{"name": "s", "imagee": "x"}]},  # an unknown field inside it
        {"stepTemplate": {"name": 1}},
        {"note": 3},
    ],
)
def test_the_shared_schema_judges_as_the_inlined_one(instance: dict) -> None:
    inlined = jsonschema_rs.validator_for(INLINED)
    shared = jsonschema_rs.validator_for(fast.share_repeats(INLINED))
    assert shared.is_valid(instance) == inlined.is_valid(instance)


def test_equal_numbers_of_different_types_are_not_merged() -> None:
    # 1, 1.0 and True are equal in Python; a schema saying `const: true` is not `const: 1`
    big = {"properties": {name: {"type": "integer"} for name in "abcdefghijklmnopqrst"}}
    schema = {
        "properties": {
            "x": {**big, "properties": {**big["properties"], "k": {"const": True}}},
            "y": {**big, "properties": {**big["properties"], "k": {"const": 1}}},
        }
    }
    shared = fast.share_repeats(schema)
    assert "$defs" not in shared or not shared["$defs"]
    assert shared["properties"]["x"]["properties"]["k"] == {"const": True}


def test_the_tekton_groups_are_shipped_shared() -> None:
    target = Target()
    group = fast._group_key(fast.together("tekton.dev/v1beta1", "Task"), target.kubernetes, gates.off(target))
    shipped = store.preconverted()["schemas"][group]
    assert any(name.startswith("shared:") for name in shipped["$defs"])

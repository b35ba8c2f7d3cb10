"""Plain scalars mean what they mean to Kubernetes (go-yaml v2 through sigs.k8s.io/yaml, which
kubectl and Argo CD read manifests with), in every way the loader reads YAML."""

from __future__ import annotations

import math

import pytest

from okd_streams.files import loader
from okd_streams.files.scalars import resolve

# text -> value as go-yaml v2's resolve() gives it (github.com/go-yaml/yaml, branch v2, resolve.go)
GO_YAML_V2 = {
    "y": True,
    "Y": True,
    "yes": True,
    "On": True,
    "n": False,
    "N": False,
    "off": False,
    "FALSE": False,
    "~": None,
    "Null": None,
    "": None,
    "10:30": "10:30",  # no base-60 numbers (PyYAML: 630)
    "1:20:30": "1:20:30",
    "1e3": 1000.0,  # a float needs no dot (PyYAML: "1e3")
    "1.5E3": 1500.0,
    "-.5": -0.5,
    ".5": 0.5,
    "08": 8.0,  # not octal, so ParseFloat (PyYAML: "08")
    "0777": 511,
    "0o17": 15,
    "0x1F": 31,
    "0b101": 5,
    "-0b101": -5,
    "1_000": 1000,
    "+7": 7,
    "9223372036854775807": 2**63 - 1,
    "18446744073709551615": 2**64 - 1,  # ParseUint
    "18446744073709551616": 1.8446744073709552e19,  # beyond: ParseFloat
    "1e400": "1e400",  # ParseFloat fails: the text
    ".inf": math.inf,
    "-.Inf": -math.inf,
    "2024-01-31": "2024-01-31",  # a timestamp, kept as its text in plain data
    "3.0.1": "3.0.1",
    "+": "+",
    ".": ".",
    "yes please": "yes please",
    "nan": "nan",
    "Infinity": "Infinity",
}


@pytest.mark.parametrize("text", sorted(GO_YAML_V2))
def test_a_plain_scalar_resolves_as_go_yaml_v2(text: str) -> None:
    value = resolve(text)[1]
    expected = GO_YAML_V2[text]
    assert (type(value), value) == (type(expected), expected)


def test_nan() -> None:
    assert math.isnan(resolve(".nan")[1]) and resolve(".NaN")[0].endswith("float")


def _document() -> str:
    lines = [f"k{index}: {text}" if text else f"k{index}:" for index, text in enumerate(sorted(GO_YAML_V2))]
    return "\n".join([*lines, "quoted: 'n'", "block: |\n  10:30", "y: key", ""])


def test_every_way_of_reading_yaml_agrees() -> None:
    text = _document()
    expected = {f"k{index}": GO_YAML_V2[t] for index, t in enumerate(sorted(GO_YAML_V2))}
    expected.update({"quoted": "n", "block": "10:30\n", "true": "key"})  # a boolean key is named true, as in Go
    readings = {
        "events": loader.parse_text(text).documents[0].data,
        "nodes": loader.parse_text_nodes(text).documents[0].data,
        "kustomize output": loader.load_all_fast(text)[0],
        "one": loader.load_one(text),
        "pure": loader.load_one(text, pure=True),
    }
    for way, data in readings.items():
        if way in ("one", "pure", "kustomize output"):
            data = {str(k).lower() if isinstance(k, bool) else k: v for k, v in data.items()}
        assert {k: (type(v), v) for k, v in data.items()} == {k: (type(v), v) for k, v in expected.items()}, way


def test_an_explicit_tag_is_read_as_go_reads_its_text() -> None:
    assert loader.load_one("a: !!int 0o17\nb: !!float 2\nc: !!bool y\n") == {"a": 15, "b": 2.0, "c": True}
    with pytest.raises(loader.YamlError):
        loader.load_one("a: !!int 10:30\n")


def test_what_okd_streams_writes_reads_back_the_same() -> None:
    """`okd-streams run` and `onboard` print YAML for kubectl: a string kubectl would take for a
    boolean or a number (`n`, `1e3`, `0o17`) is quoted, the rest left as it is."""
    data = {f"k{index}": text for index, text in enumerate(sorted(GO_YAML_V2))}
    written = loader.dump_plain(data)
    assert loader.load_one(written) == data
    assert "k0: ''" in written or 'k0: ""' in written  # the empty string stays a string

"""The loader's plain-data readers, which every module that reads YAML for itself goes through."""

from __future__ import annotations

import os

import pytest

from okd_streams.files import loader, read
from okd_streams.files.loader import YamlError


def test_load_one_keeps_each_parser_s_wording():
    with pytest.raises(YamlError, match="mapping values are not allowed in this context"):
        loader.load_one("a: b: c")
    with pytest.raises(YamlError, match="mapping values are not allowed here"):
        loader.load_one("a: b: c", pure=True)  # users of argocd templatePatch see this one


def test_load_one_refuses_a_second_document_and_nesting_that_would_crash_libyaml():
    with pytest.raises(YamlError, match="expected a single document"):
        loader.load_one("a: 1\n---\nb: 2\n")
    for text in ("[" * 30_000 + "]" * 30_000, "".join("  " * i + "- \n" for i in range(2_000))):
        with pytest.raises((YamlError, RecursionError)):  # an exception, not a crashed process
            loader.load_one(text)


def test_load_all_and_load_strings():
    assert loader.load_all("a: 1\n---\n---\n- x\n") == [{"a": 1}, None, ["x"]]
    assert loader.load_strings("[1, true, {a: null}]") == ["1", "true", {"a": "null"}]


def test_dump_plain_keeps_key_order_and_long_lines():
    assert loader.dump_plain({"b": 1, "a": "x" * 200}) == "b: 1\na: " + "x" * 200 + "\n"


def test_load_file_data_is_none_for_what_cannot_be_read(tmp_path):
    good = tmp_path / "kustomization.yaml"
    good.write_text("resources:\n- a.yaml\n")
    assert read.load_file_data(good) == {"resources": ["a.yaml"]}
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [\n")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # never blocks: not a regular file, not read
    assert [read.load_file_data(path) for path in (broken, fifo, tmp_path / "missing.yaml")] == [None] * 3

"""okd_streams.render.store: many small cache entries in one SQLite file, every failure a miss."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import closing

import pytest

from okd_streams.render.cache import Cache
from okd_streams.render.store import EntryTable


def rows(count: int) -> list[tuple[str, list]]:
    return [
        (f"key-{index:04d}", [["a.yaml", index, 1, "T001", "error", "rule", "message", None]]) for index in range(count)
    ]


def test_entries_come_back_as_stored(tmp_path):
    table = EntryTable(tmp_path / "sets.sqlite", "scheme/1", max_entries=100)
    assert table.get("key-0001") is None, "nothing stored yet"
    assert not (tmp_path / "sets.sqlite").exists(), "a run that only reads creates nothing"
    assert table.put_many(rows(3)) == 3
    again = EntryTable(tmp_path / "sets.sqlite", "scheme/1", max_entries=100)  # another run
    assert again.get("key-0001") == rows(3)[1][1]
    assert (again.hits, again.misses) == (1, 0)
    assert again.get("key-0009") is None and again.misses == 1


def test_an_entry_of_another_scheme_is_a_miss(tmp_path):
    EntryTable(tmp_path / "t.sqlite", "scheme/1", 100).put_many(rows(1))
    assert EntryTable(tmp_path / "t.sqlite", "scheme/2", 100).get("key-0000") is None


def test_values_encoded_elsewhere_are_stored_as_they_are(tmp_path):
    from okd_streams.render.store import encode

    table = EntryTable(tmp_path / "t.sqlite", "s", 100)
    assert table.put_many([("a", encode([["x", 1]]))], encoded=True) == 1
    assert table.get("a") == [["x", 1]]
    assert encode({1, 2}) is None


def test_what_json_cannot_hold_is_not_stored(tmp_path):
    table = EntryTable(tmp_path / "t.sqlite", "s", 100)
    assert table.put_many([("nan", [float("nan")]), ("set", {1, 2}), ("fine", [1])]) == 1
    assert table.get("fine") == [1] and table.get("nan") is None


@pytest.mark.parametrize(
    "content", [b"not a database at all, just text\n" * 40, b"SQLite format 3\x00" + b"\xff" * 4000]
)
def test_a_damaged_file_is_a_miss_then_made_again(tmp_path, content):
    path = tmp_path / "t.sqlite"
    path.write_bytes(content)
    table = EntryTable(path, "s", 100)
    assert table.get("key-0000") is None  # no exception
    assert EntryTable(path, "s", 100).put_many(rows(2)) == 2
    assert EntryTable(path, "s", 100).get("key-0001") == rows(2)[1][1]


def test_a_table_another_run_is_writing_still_answers_and_a_write_gives_up(tmp_path, monkeypatch):
    monkeypatch.setattr("okd_streams.render.store.TIMEOUT", 0.05)
    path = tmp_path / "t.sqlite"
    EntryTable(path, "s", 100).put_many(rows(1))
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
        other.execute("DELETE FROM entries")
        table = EntryTable(path, "s", 100)
        assert table.get("key-0000") == rows(1)[0][1], "a reader is not held up, and sees no half-done write"
        assert table.put_many(rows(3)) == 0, "a second writer gives up after the timeout: no error"
        other.execute("ROLLBACK")
    assert EntryTable(path, "s", 100).get("key-0000") == rows(1)[0][1], "the earlier entry survives"


def test_the_table_stays_bounded_keeping_the_newest(tmp_path):
    path = tmp_path / "t.sqlite"
    EntryTable(path, "s", max_entries=10).put_many(rows(8))
    EntryTable(path, "s", max_entries=10).put_many([(f"new-{i}", [i]) for i in range(8)])  # the next run
    with closing(sqlite3.connect(path)) as connection:
        keys = {key for (key,) in connection.execute("SELECT key FROM entries")}
    assert len(keys) == 10
    assert {f"new-{i}" for i in range(8)} <= keys


def test_two_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "t.sqlite"
    EntryTable(path, "s", 10_000).put_many(rows(1))  # created before: both only insert

    def write(prefix: str) -> None:
        table = EntryTable(path, "s", 10_000)
        for start in range(0, 200, 20):
            table.put_many([(f"{prefix}-{i}", [i]) for i in range(start, start + 20)])

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = EntryTable(path, "s", 10_000)
    assert all(reader.get(f"{prefix}-{i}") == [i] for prefix in "ab" for i in range(200))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_process_opens_its_own_connection(tmp_path):
    table = EntryTable(tmp_path / "t.sqlite", "s", 100)
    table.put_many(rows(2))
    assert table.get("key-0000") is not None
    inherited = table._connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: must not use the parent's connection
        try:
            ok = table.get("key-0001") == rows(2)[1][1] and table._connection is not inherited
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert table._connection is inherited


def test_the_cache_folder_marks_itself_when_a_table_is_made(tmp_path):
    cache = Cache(tmp_path / "cache")
    assert cache.table("lint-sets").put_many(rows(1)) == 1
    assert (tmp_path / "cache" / "lint-sets.sqlite").is_file()
    assert (tmp_path / "cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (tmp_path / "cache" / "CACHEDIR.TAG").is_file()
    assert cache.table("lint-sets") is cache.table("lint-sets")


def test_an_unwritable_folder_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be\n", encoding="utf-8")
    table = Cache(blocker / "cache").table("lint-sets")
    assert table.put_many(rows(1)) == 0
    assert table.get("key-0000") is None

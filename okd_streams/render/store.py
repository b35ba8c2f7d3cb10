"""Many small cache entries of one kind in one SQLite file: `<cache folder>/<kind>.sqlite`.

`lint` keeps one entry per PATH, and a catalog lint stores hundreds at once. As files of
their own (okd_streams.render.cache.Cache) each costs a new inode, and creating hundreds of files
in a folder was measured at 0.1-0.4 s on ext4 where the same entries take one transaction
here; a warm run reads them without opening a file per entry.

What holds for the folder of JSON entries holds here too:
  - values are JSON text, never pickle: a cache file must not be able to run code;
  - two runs may share the table: SQLite serialises their writes, readers see whole entries
    (and are not held up by a writer: the table keeps a write-ahead log);
  - every failure is a miss (or a write not made), never an error: locked past the timeout,
    a full disk, an unreadable file. A file that is not a database, or a damaged one, is
    removed and made again;
  - it is bounded: past `max_entries`, the entries stored longest ago are removed.

A connection is never carried across `fork`: a process opens its own on first use.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, scheme TEXT NOT NULL, "
    "value TEXT NOT NULL, stored REAL NOT NULL)"
)
_UNUSABLE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # the file is not (or no longer) a database of ours
TIMEOUT = 10.0  # seconds a run waits for another run's write to end


class EntryTable:
    """get(key) and put_many(entries) over `path`; `scheme` is the format the values are in."""

    def __init__(self, path: Path, scheme: str, max_entries: int, prepare: Callable[[], None] | None = None) -> None:
        self.path = Path(path)
        self.prepare = prepare  # makes the folder (and whatever marks it a cache) before the file
        self.scheme = scheme
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._connection: Any = None
        self._owner = 0  # the process that opened the connection
        self._broken = False
        self._absent = False

    def get(self, key: str) -> Any | None:
        """The stored value, or None: missing, of another scheme, not JSON, or the table unreadable."""
        import sqlite3

        connection = self._connect(create=False)
        row = None
        if connection is not None:
            try:
                row = connection.execute(
                    "SELECT value FROM entries WHERE key = ? AND scheme = ?", (key, self.scheme)
                ).fetchone()
            except sqlite3.Error as exc:
                self._failed(exc)
        value = None
        if row is not None:
            try:
                value = json.loads(row[0])
            except (ValueError, RecursionError, TypeError):
                value = None
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put_many(self, entries: Iterable[tuple[str, Any]], encoded: bool = False) -> int:
        """Store each (key, value) in one transaction; how many were stored (0 on any failure).
        `encoded`: the values are `encode`'s text already (made where there was time for it)."""
        import sqlite3

        now = time.time()
        rows = []
        for key, value in entries:
            text = value if encoded else encode(value)
            if text is not None:  # else not JSON: not cached
                rows.append((key, self.scheme, text, now))
        if not rows:
            return 0
        connection = self._connect(create=True)
        if connection is None:
            return 0
        try:
            with connection:  # one transaction: all of it or nothing
                connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
            if not self.writes:  # once a run
                self._bound(connection)
        except (sqlite3.Error, UnicodeError) as exc:
            self._failed(exc)
            return 0
        self.writes += len(rows)
        return len(rows)

    def _bound(self, connection: Any) -> None:
        """Past the limit (by a tenth, so this is rare), drop the entries stored longest ago."""
        (count,) = connection.execute("SELECT COUNT(*) FROM entries").fetchone()
        if count > self.max_entries * 1.1:
            with connection:
                connection.execute(
                    "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY stored LIMIT ?)",
                    (count - self.max_entries,),
                )

    def _connect(self, create: bool) -> Any:
        import sqlite3

        if self._owner != os.getpid():  # new, or inherited through fork: never used here
            self._connection, self._owner, self._broken, self._absent = None, os.getpid(), False, False
        if self._connection is not None or self._broken:
            return self._connection
        if not create and self._absent:
            return None
        if not create and not self.path.exists():
            self._absent = True  # nothing stored yet (a first run): not looked for again by this process
            return None
        for attempt in (1, 2):
            try:
                if self.prepare is not None:
                    self.prepare()
                self.path.parent.mkdir(parents=True, exist_ok=True)
                connection = sqlite3.connect(self.path, timeout=TIMEOUT, isolation_level=None, check_same_thread=False)
                # A cache: losing the last writes in a power cut is fine, a commit's fsync is not.
                connection.execute("PRAGMA synchronous = OFF")
                # Write-ahead: a transaction appends to one log file, kept from run to run
                # (a rollback journal is a file made or rewritten per transaction), and a
                # reader is never held up by a writer. Where the file system cannot share
                # the log's index (some network mounts), SQLite keeps its rollback journal.
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(_SCHEMA)
                self._connection = connection
                return connection
            except sqlite3.Error as exc:
                if attempt == 1 and _unusable(exc):
                    self._remove()
                    continue
                self._broken = True
            except OSError:
                self._broken = True
            break
        return None

    def _failed(self, exc: Exception) -> None:
        """After an error: a damaged file is removed (made again next time); the rest of the
        run goes on without the table."""
        if _unusable(exc):
            self._remove()
        self._broken = True
        self._connection = None

    def _remove(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001 - closing a damaged database may fail too
                pass
            self._connection = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass


def encode(value: Any) -> str | None:
    """The JSON text a value is stored as, or None when JSON cannot hold it."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None


def _unusable(exc: Exception) -> bool:
    return getattr(exc, "sqlite_errorname", "") in _UNUSABLE

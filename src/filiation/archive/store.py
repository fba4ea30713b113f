"""The archive's SQLite file: documents, their signatures and vectors, and check results.

One file, WAL mode, ``synchronous=FULL``: a document is in the archive once the transaction
that added it committed, and a crash at any point leaves either all of a document (its text,
signature and vector) or none of it.  Writers take the lock up front (``BEGIN IMMEDIATE``)
and wait for each other (``busy_timeout``), so two processes adding at once run one after
the other instead of failing or corrupting the file.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from ..model import Document

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    n INTEGER PRIMARY KEY,            -- the archive's own number: band and vector indexes point at it
    id TEXT NOT NULL UNIQUE,
    digest TEXT NOT NULL,             -- sha256 of the text: re-adding the same document is a no-op
    title TEXT, date TEXT, source TEXT, url TEXT, path TEXT,
    text TEXT NOT NULL,
    signature BLOB NOT NULL,          -- MinHash, uint64 x num_perm
    vector BLOB NOT NULL,             -- static document vector, float32 x dim
    added REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS checks (
    checked_id TEXT NOT NULL,
    checked_digest TEXT NOT NULL,
    result TEXT NOT NULL,             -- JSON: pairs, passages and findings against the archive
    checked REAL NOT NULL,
    PRIMARY KEY (checked_id, checked_digest)
);
CREATE TABLE IF NOT EXISTS seen (
    key TEXT PRIMARY KEY,             -- what 'watch' has already handled (file path+mtime, feed entry id)
    seen REAL NOT NULL
);
"""


class ArchiveError(RuntimeError):
    """An archive that cannot be used as asked: names the file and what is wrong."""


@dataclass(frozen=True)
class Stored:
    """One archived document with its signature and vector."""

    n: int
    document: Document
    signature: np.ndarray
    vector: np.ndarray


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ArchiveStore:
    """The SQLite side of an archive; every method is one transaction."""

    def __init__(self, path: str | Path, settings_key: dict, timeout: float = 60.0):
        self.path = Path(path)
        self.timeout = timeout
        self._reader_uri = self.path.resolve().as_uri() + "?mode=ro"  # see committed_count
        self._reader: sqlite3.Connection | None = None
        self._reader_lock = threading.Lock()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._open(settings_key, timeout)
                return
            except sqlite3.OperationalError as exc:
                # two processes creating one new archive race for the switch to WAL mode
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise ArchiveError(f"{self.path}: cannot open the archive ({exc})") from None
                self.db.close()
                time.sleep(0.05)
            except sqlite3.DatabaseError as exc:
                raise ArchiveError(f"{self.path}: not a filiation archive ({exc})") from None

    def _open(self, settings_key: dict, timeout: float) -> None:
        self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        self.db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        with self.write():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self._check_meta(settings_key)

    def _check_meta(self, settings_key: dict) -> None:
        rows = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        wanted = {"schema_version": str(SCHEMA_VERSION), "settings": json.dumps(settings_key, sort_keys=True)}
        if not rows:
            # a name of its own, so indexes left beside a deleted and re-created file are not trusted
            self.identity = uuid.uuid4().hex
            self.db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", [*wanted.items(), ("identity", self.identity)])
            return
        self.identity = rows.get("identity", "")
        if rows.get("schema_version") != wanted["schema_version"]:
            raise ArchiveError(f"{self.path}: archive schema {rows.get('schema_version')}, this filiation reads {SCHEMA_VERSION}")
        if rows.get("settings") != wanted["settings"]:
            raise ArchiveError(f"{self.path}: made with other sketch settings ({rows.get('settings')}); "
                               "signatures would not compare: use those settings or a new archive")

    class _Transaction:
        def __init__(self, db: sqlite3.Connection):
            self.db = db

        def __enter__(self):
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, kind, value, tb):
            self.db.execute("COMMIT" if kind is None else "ROLLBACK")
            return False

    def write(self) -> "_Transaction":
        """A write transaction holding the database's write lock from its first statement."""
        return self._Transaction(self.db)

    def close(self) -> None:
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
        self.db.close()

    # ---- documents -----------------------------------------------------------------------

    def _rows_where_in(self, columns: str, key: str, values: Iterable) -> Iterator[tuple]:
        """``SELECT columns FROM documents WHERE key IN values``, in chunks SQLite accepts."""
        values = list(values)
        for k in range(0, len(values), 500):
            chunk = values[k : k + 500]
            yield from self.db.execute(f"SELECT {columns} FROM documents WHERE {key} IN ({','.join('?' * len(chunk))})", chunk)

    def existing(self, ids: Iterable[str]) -> dict[str, str]:
        """``id -> digest`` of the given ids already archived."""
        return dict(self._rows_where_in("id, digest", "id", ids))

    def insert(self, db: sqlite3.Connection, docs: list[Document], signatures: np.ndarray, vectors: np.ndarray) -> list[int]:
        """Insert inside the caller's transaction; returns each document's number."""
        now = time.time()
        numbers = []
        for d, sig, vec in zip(docs, signatures, vectors):
            cur = db.execute(
                "INSERT INTO documents(id, digest, title, date, source, url, path, text, signature, vector, added) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (d.id, digest_of(d.text), d.title, d.date, d.source, d.url, d.path, d.text,
                 np.ascontiguousarray(sig, dtype=np.uint64).tobytes(), np.ascontiguousarray(vec, dtype=np.float32).tobytes(), now),
            )
            numbers.append(int(cur.lastrowid))
        return numbers

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def committed_count(self) -> int:
        """``count()`` that any thread may ask at any time, even while another thread is using
        the store: on a read-only connection of its own (in WAL mode a reader neither waits
        for the writer nor blocks it), so it never waits behind a check or an add running on
        the store's connection, and counts what is committed."""
        with self._reader_lock:
            if self._reader is None:
                self._reader = sqlite3.connect(self._reader_uri, uri=True, timeout=self.timeout,
                                               isolation_level=None, check_same_thread=False)
                self._reader.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            return int(self._reader.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def count_upto(self, n: int) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM documents WHERE n <= ?", (n,)).fetchone()[0])

    def max_number(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(n), 0) FROM documents").fetchone()[0])

    def signatures_after(self, n: int, batch: int = 50_000) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(numbers, signatures, vectors)`` of every document numbered above ``n``, in batches."""
        last = n
        while True:
            rows = self.db.execute("SELECT n, signature, vector FROM documents WHERE n > ? ORDER BY n LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            numbers = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint64).reshape(len(rows), -1)
            vecs = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), -1)
            yield numbers, sigs, vecs
            last = int(numbers[-1])

    def documents_of(self, numbers: Iterable[int]) -> list[Document]:
        numbers = [int(x) for x in numbers]
        out = {n: Document(i, text, title, date, source, url, path) for n, i, title, date, source, url, path, text
               in self._rows_where_in("n, id, title, date, source, url, path, text", "n", numbers)}
        return [out[n] for n in numbers if n in out]

    # ---- results and watch state ---------------------------------------------------------

    def save_check(self, doc: Document, result: dict) -> None:
        with self.write() as db:
            db.execute("INSERT OR REPLACE INTO checks(checked_id, checked_digest, result, checked) VALUES (?, ?, ?, ?)",
                       (doc.id, digest_of(doc.text), json.dumps(result, ensure_ascii=False), time.time()))

    def seen(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone() is not None

    def mark_seen(self, key: str) -> None:
        with self.write() as db:
            db.execute("INSERT OR IGNORE INTO seen(key, seen) VALUES (?, ?)", (key, time.time()))

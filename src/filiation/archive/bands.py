"""The archive's lexical index: every document's LSH band keys in one sorted array.

A query is one binary search per band (``np.searchsorted``), so a check costs microseconds
whatever the archive's size, and the arrays load memory-mapped, so opening an archive of a
million documents does not read them.  Adding documents merges their keys into the sorted
array (a linear copy, no re-sort).  The index is derived data: the SQLite file holds every
signature, and the index is rebuilt or caught up from it whenever it is missing or behind.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..candidates.lsh import band_keys
from ..candidates.minhash import _EMPTY, _mix


def _salted(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Band keys made distinct across bands (the same rows in two bands must not collide)."""
    keys = band_keys(np.atleast_2d(signatures), bands, rows)
    salt = _mix(np.arange(1, bands + 1, dtype=np.uint64))
    salted = _mix(keys ^ salt[None, :])
    salted[keys == _EMPTY] = _EMPTY
    return salted


def _sorted_keys(numbers: np.ndarray, signatures: np.ndarray, bands: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    keys = _salted(signatures, bands, rows).reshape(-1)
    docs = np.repeat(np.asarray(numbers, dtype=np.int64), bands)
    keep = keys != _EMPTY
    keys, docs = keys[keep], docs[keep]
    order = np.argsort(keys, kind="stable")
    return keys[order], docs[order]


def _merge(keys: np.ndarray, docs: np.ndarray, new_keys: np.ndarray, new_docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    at = np.searchsorted(keys, new_keys, side="right")
    return np.insert(keys, at, new_keys), np.insert(docs, at, new_docs)


@dataclass
class BandIndex:
    """A saved base (sorted, memory-mapped) and an in-memory tail of documents added since.

    The tail is what keeps adding cheap: a few documents are merged into a small array, and
    the base (hundreds of MB at a million documents) is rewritten only when the tail is
    folded into it.  A tail is never saved: it is rebuilt from the database's signatures."""

    keys: np.ndarray  # uint64, sorted
    docs: np.ndarray  # int64 document numbers, aligned with keys
    covered: int  # the highest document number in the base
    bands: int
    rows: int
    documents: int = 0  # how many documents the base holds (to tell an index of another database)
    archive: str = ""  # the identity of the database it indexes
    tail_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    tail_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    tail_covered: int = 0
    tail_documents: int = 0

    @classmethod
    def empty(cls, bands: int, rows: int) -> "BandIndex":
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), 0, bands, rows)

    @property
    def indexed(self) -> int:
        """Documents indexed, base and tail."""
        return self.documents + self.tail_documents

    @property
    def newest(self) -> int:
        """The highest document number indexed, base or tail."""
        return max(self.covered, self.tail_covered)

    def extend(self, numbers: np.ndarray, signatures: np.ndarray) -> None:
        """Add documents numbered above ``newest`` to the tail."""
        if not len(numbers):
            return
        keys, docs = _sorted_keys(numbers, signatures, self.bands, self.rows)
        self.tail_keys, self.tail_docs = _merge(self.tail_keys, self.tail_docs, keys, docs)
        self.tail_covered = max(self.tail_covered, int(np.max(numbers)))
        self.tail_documents += len(numbers)

    def fold(self) -> None:
        """Merge the tail into the base (a linear copy of the base)."""
        if self.tail_documents:
            self.keys, self.docs = _merge(np.asarray(self.keys), np.asarray(self.docs), self.tail_keys, self.tail_docs)
            self.covered, self.documents = self.tail_covered, self.documents + self.tail_documents
            self.tail_keys, self.tail_docs = np.zeros(0, np.uint64), np.zeros(0, np.int64)
            self.tail_covered = self.tail_documents = 0

    def query(self, signature: np.ndarray, max_bucket: int) -> tuple[np.ndarray, np.ndarray, int]:
        """``(document numbers, bands shared, buckets skipped)``: every indexed document that
        shares a band with ``signature``, skipping buckets larger than ``max_bucket``."""
        keys = _salted(signature, self.bands, self.rows)[0]
        keys = keys[keys != _EMPTY]
        ranges = [(arr_docs, np.searchsorted(arr_keys, keys, side="left"), np.searchsorted(arr_keys, keys, side="right"))
                  for arr_keys, arr_docs in ((self.keys, self.docs), (self.tail_keys, self.tail_docs))]
        size = sum(hi - lo for _, lo, hi in ranges)
        big = size > max_bucket
        hits = [docs[a:b] for docs, lo, hi in ranges for a, b in zip(lo[~big], hi[~big]) if b > a]
        if not hits:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), int(big.sum())
        numbers, counts = np.unique(np.concatenate(hits), return_counts=True)
        return numbers, counts, int(big.sum())

    # ---- persistence ---------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """The base (fold the tail first to keep it): arrays first, then ``bands.json`` naming
        their length, so a reader that finds the lengths disagreeing (a crash between the
        writes) rebuilds instead of trusting them."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in (("band-keys.npy", self.keys), ("band-docs.npy", self.docs)):
            tmp = folder / f".{name}.tmp"
            with open(tmp, "wb") as fh:
                np.save(fh, np.ascontiguousarray(array))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, folder / name)
        meta = {"covered": self.covered, "documents": self.documents, "entries": int(len(self.keys)),
                "bands": self.bands, "rows": self.rows, "archive": self.archive}
        tmp = folder / ".bands.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, folder / "bands.json")

    @classmethod
    def load(cls, folder: Path, bands: int, rows: int) -> "BandIndex | None":
        """The saved index, or None when it is missing, torn or made with other settings."""
        try:
            meta = json.loads((folder / "bands.json").read_text(encoding="utf-8"))
            keys = np.load(folder / "band-keys.npy", mmap_mode="r")
            docs = np.load(folder / "band-docs.npy", mmap_mode="r")
        except (OSError, ValueError, EOFError):
            return None
        if (meta.get("bands"), meta.get("rows")) != (bands, rows) or not (len(keys) == len(docs) == meta.get("entries")):
            return None
        return cls(keys, docs, int(meta["covered"]), bands, rows, int(meta.get("documents", -1)), str(meta.get("archive", "")))

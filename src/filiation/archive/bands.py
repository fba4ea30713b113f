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
from dataclasses import dataclass
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


@dataclass
class BandIndex:
    keys: np.ndarray  # uint64, sorted
    docs: np.ndarray  # int64 document numbers, aligned with keys
    covered: int  # the highest document number indexed
    bands: int
    rows: int
    documents: int = 0  # how many documents are indexed (to tell an index of another database)
    archive: str = ""  # the identity of the database it indexes

    @classmethod
    def empty(cls, bands: int, rows: int) -> "BandIndex":
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), 0, bands, rows)

    def extend(self, numbers: np.ndarray, signatures: np.ndarray) -> None:
        """Merge the keys of documents numbered above ``covered`` into the sorted arrays."""
        if not len(numbers):
            return
        keys = _salted(signatures, self.bands, self.rows).reshape(-1)
        docs = np.repeat(np.asarray(numbers, dtype=np.int64), self.bands)
        keep = keys != _EMPTY
        keys, docs = keys[keep], docs[keep]
        order = np.argsort(keys, kind="stable")
        keys, docs = keys[order], docs[order]
        at = np.searchsorted(self.keys, keys, side="right")
        self.keys = np.insert(self.keys, at, keys)
        self.docs = np.insert(self.docs, at, docs)
        self.covered = max(self.covered, int(np.max(numbers)))
        self.documents += len(numbers)

    def query(self, signature: np.ndarray, max_bucket: int) -> tuple[np.ndarray, np.ndarray, int]:
        """``(document numbers, bands shared, buckets skipped)``: every indexed document that
        shares a band with ``signature``, skipping buckets larger than ``max_bucket``."""
        keys = _salted(signature, self.bands, self.rows)[0]
        keys = keys[keys != _EMPTY]
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.searchsorted(self.keys, keys, side="right")
        size = hi - lo
        big = size > max_bucket
        hits = [self.docs[a:b] for a, b in zip(lo[~big & (size > 0)], hi[~big & (size > 0)])]
        if not hits:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), int(big.sum())
        numbers, counts = np.unique(np.concatenate(hits), return_counts=True)
        return numbers, counts, int(big.sum())

    # ---- persistence ---------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Arrays first, then ``bands.json`` naming their length: a reader that finds the
        lengths disagreeing (a crash between the writes) rebuilds instead of trusting them."""
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

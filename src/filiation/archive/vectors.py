"""The archive's semantic index: document vectors in a faiss HNSW graph, saved beside the
database and, like the band index, rebuilt or caught up from the database when behind."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np


class VectorIndex:
    def __init__(self, dim: int, index=None, covered: int = 0, archive: str = ""):
        import faiss

        self.dim = dim
        if index is None:
            index = faiss.IndexIDMap2(faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT))
        self.index = index
        self.covered = covered
        self.archive = archive  # the identity of the database it indexes

    def extend(self, numbers: np.ndarray, vectors: np.ndarray) -> None:
        if not len(numbers):
            return
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(numbers, dtype=np.int64))
        self.covered = max(self.covered, int(np.max(numbers)))

    def query(self, vector: np.ndarray, k: int, min_cosine: float) -> tuple[np.ndarray, np.ndarray]:
        """``(document numbers, cosines)`` of the ``k`` nearest vectors at or above ``min_cosine``."""
        if self.index.ntotal == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        import faiss

        faiss.downcast_index(self.index.index).hnsw.efSearch = max(64, 2 * k)
        sims, ids = self.index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k)
        keep = (ids[0] >= 0) & (sims[0] >= min_cosine)
        return ids[0][keep].astype(np.int64), sims[0][keep]

    def save(self, folder: Path) -> None:
        import faiss

        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / ".vectors.faiss.tmp"
        faiss.write_index(self.index, str(tmp))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, folder / "vectors.faiss")
        meta = {"covered": self.covered, "entries": int(self.index.ntotal), "dim": self.dim, "archive": self.archive}
        tmp = folder / ".vectors.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, folder / "vectors.json")

    @classmethod
    def load(cls, folder: Path, dim: int) -> "VectorIndex | None":
        import faiss

        try:
            meta = json.loads((folder / "vectors.json").read_text(encoding="utf-8"))
            index = faiss.read_index(str(folder / "vectors.faiss"))
        except (OSError, ValueError, EOFError, RuntimeError):
            return None
        if meta.get("dim") != dim or index.ntotal != meta.get("entries") or index.d != dim:
            return None
        return cls(dim, index, int(meta["covered"]), str(meta.get("archive", "")))

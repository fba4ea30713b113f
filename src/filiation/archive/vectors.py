"""The archive's semantic index: document vectors in a faiss HNSW graph, saved beside the
database and, like the band index, rebuilt or caught up from the database when behind."""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

EF_SEARCH = 512  # HNSW search beam (see VectorIndex.query)


class VectorIndex:
    """A saved HNSW base and an in-memory tail (exact search) of vectors added since: adding
    stays cheap, and the graph is rebuilt on disk only when the tail is folded into it."""

    def __init__(self, dim: int, index=None, covered: int = 0, archive: str = ""):
        import faiss

        self.dim = dim
        if index is None:
            index = faiss.IndexIDMap2(faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT))
        self.index = index
        self.covered = covered  # the highest document number in the base
        self.archive = archive  # the identity of the database it indexes
        self.tail_ids = np.zeros(0, np.int64)
        self.tail_vectors = np.zeros((0, dim), np.float32)

    @property
    def tail_covered(self) -> int:
        return int(self.tail_ids.max()) if len(self.tail_ids) else 0

    @property
    def indexed(self) -> int:
        """Vectors indexed, base and tail."""
        return int(self.index.ntotal) + len(self.tail_ids)

    @property
    def newest(self) -> int:
        return max(self.covered, self.tail_covered)

    def extend(self, numbers: np.ndarray, vectors: np.ndarray) -> None:
        if len(numbers):
            self.tail_ids = np.concatenate([self.tail_ids, np.asarray(numbers, dtype=np.int64)])
            self.tail_vectors = np.concatenate([self.tail_vectors, np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)])

    def fold(self) -> None:
        if len(self.tail_ids):
            self.index.add_with_ids(np.ascontiguousarray(self.tail_vectors), self.tail_ids)
            self.covered = self.tail_covered
            self.tail_ids = np.zeros(0, np.int64)
            self.tail_vectors = np.zeros((0, self.dim), np.float32)

    def query(self, vector: np.ndarray, k: int, min_cosine: float) -> tuple[np.ndarray, np.ndarray]:
        """``(document numbers, cosines)`` of the ``k`` nearest vectors at or above ``min_cosine``."""
        import faiss

        q = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        ids, sims = [np.zeros(0, np.int64)], [np.zeros(0, np.float32)]
        if self.index.ntotal:
            # a wide beam: 512 costs ~2 ms at a million vectors and finds far more true
            # neighbours than faiss's default (bench/bench_archive.py prints the trade)
            faiss.downcast_index(self.index.index).hnsw.efSearch = max(EF_SEARCH, 8 * k)
            s, i = self.index.search(q, k)
            ids.append(i[0].astype(np.int64))
            sims.append(s[0])
        if len(self.tail_ids):
            s = self.tail_vectors @ q[0]
            top = np.argsort(-s)[:k]
            ids.append(self.tail_ids[top])
            sims.append(s[top].astype(np.float32))
        ids, sims = np.concatenate(ids), np.concatenate(sims)
        order = np.argsort(-sims, kind="stable")[:k]
        ids, sims = ids[order], sims[order]
        keep = (ids >= 0) & (sims >= min_cosine)
        return ids[keep], sims[keep]

    def save(self, folder: Path) -> None:
        """The base (fold the tail first to keep it)."""
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

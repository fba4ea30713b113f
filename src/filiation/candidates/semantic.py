"""Semantic neighbours: documents whose mean sentence embeddings point the same way.

Exact inner-product search while the corpus is small, HNSW (faiss) once exact search would
cost more than building the graph; either way each document asks for its ``k`` nearest.
"""
from __future__ import annotations

import numpy as np

EXACT_LIMIT = 20_000


def semantic_neighbours(vectors: np.ndarray, k: int = 10, min_cosine: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(i, j)``, i < j, among each row's ``k`` nearest rows with cosine ≥ ``min_cosine``.

    ``vectors`` must be unit-length float32 rows.  Returns ``(pairs, cosines)``.
    """
    import faiss

    n = vectors.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32)
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    kk = min(k + 1, n)
    if n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(x.shape[1])
    else:
        index = faiss.IndexHNSWFlat(x.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = max(64, 2 * kk)
    index.add(x)
    sims, idx = index.search(x, kk)
    rows = np.repeat(np.arange(n, dtype=np.int64), kk)
    cols = idx.reshape(-1).astype(np.int64)
    cos = sims.reshape(-1)
    keep = (cols >= 0) & (cols != rows) & (cos >= min_cosine)
    a = np.minimum(rows[keep], cols[keep])
    b = np.maximum(rows[keep], cols[keep])
    pairs = np.stack([a, b], axis=1)
    if len(pairs) == 0:
        return pairs, cos[keep]
    pairs, first = np.unique(pairs, axis=0, return_index=True)
    return pairs, cos[keep][first]

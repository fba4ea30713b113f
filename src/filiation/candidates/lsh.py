"""Banding: documents whose signatures agree on every row of some band become candidates.

Buckets are found by sorting band keys (no Python dict per band), and a bucket shared by
more than ``max_bucket`` documents (boilerplate, templates) is skipped and counted rather
than expanded into a quadratic number of pairs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .minhash import _EMPTY, _mix


@dataclass(frozen=True)
class BandingResult:
    pairs: np.ndarray  # (k, 2) int64, i < j, unique
    skipped_buckets: int  # buckets larger than max_bucket, left out


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per (document, band), shape ``(n, bands)``."""
    n, k = signatures.shape
    if bands * rows > k:
        raise ValueError(f"bands*rows = {bands * rows} exceeds the signature length {k}")
    keys = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(rows):
            keys = _mix(keys ^ signatures[:, r : bands * rows : rows])
    keys[signatures[:, 0] == _EMPTY] = _EMPTY  # documents without shingles never collide
    return keys


def band_pairs(signatures: np.ndarray, bands: int, rows: int, max_bucket: int = 500) -> BandingResult:
    """Candidate pairs from LSH banding of ``signatures`` (one row per document)."""
    n, k = signatures.shape
    if bands * rows > k:
        raise ValueError(f"bands*rows = {bands * rows} exceeds the signature length {k}")
    if n < 2:
        return BandingResult(np.zeros((0, 2), dtype=np.int64), 0)
    keys = band_keys(signatures, bands, rows)
    chunks: list[np.ndarray] = []
    skipped = 0
    doc_ids = np.arange(n, dtype=np.int64)
    for b in range(bands):
        col = keys[:, b]
        order = np.argsort(col, kind="stable")
        sorted_keys = col[order]
        boundaries = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
        starts = np.concatenate(([0], boundaries))
        ends = np.concatenate((boundaries, [n]))
        sizes = ends - starts
        multi = np.flatnonzero((sizes > 1) & (sorted_keys[starts] != _EMPTY))
        for s in multi:
            size = sizes[s]
            if size > max_bucket:
                skipped += 1
                continue
            members = doc_ids[order[starts[s] : ends[s]]]
            i, j = np.triu_indices(size, k=1)
            chunks.append(np.stack([members[i], members[j]], axis=1))
    if not chunks:
        return BandingResult(np.zeros((0, 2), dtype=np.int64), skipped)
    pairs = np.concatenate(chunks)
    pairs.sort(axis=1)
    pairs = np.unique(pairs, axis=0)
    return BandingResult(pairs, skipped)

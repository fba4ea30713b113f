"""One-permutation MinHash with densification, in numpy.

One hash per shingle, spread over ``num_perm`` bins, the minimum kept per bin (Li, Owen &
Zhang 2012); empty bins borrow from the next non-empty bin (Shrivastava 2017).  Statistically
it behaves like ``num_perm`` independent permutations at the cost of one, which is what makes
the lexical stage ten times faster than datasketch (bench/bench_lexical.py).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

_EMPTY = np.iinfo(np.uint64).max
_MIX = np.uint64(0xD6E8FEB86659FD93)


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x * _MIX
        x ^= x >> np.uint64(32)
        x = x * _MIX
        x ^= x >> np.uint64(29)
    return x


def oph_signature(shingles: np.ndarray, num_perm: int = 128) -> np.ndarray:
    """The signature of one document's shingle hashes (uint64, ``num_perm`` values)."""
    return oph_signatures([shingles], num_perm)[0]


def oph_signatures(shingle_sets: Sequence[np.ndarray], num_perm: int = 128, batch: int = 5000) -> np.ndarray:
    """Signatures of many documents at once, shape ``(len(shingle_sets), num_perm)``; ``batch``
    documents are hashed together, so the working arrays stay small whatever the corpus."""
    _check(num_perm)
    n = len(shingle_sets)
    sig = np.empty((n, num_perm), dtype=np.uint64)
    for lo in range(0, n, batch):
        chunk = shingle_sets[lo : lo + batch]
        lengths = np.fromiter((len(s) for s in chunk), dtype=np.int64, count=len(chunk))
        values = np.concatenate([np.asarray(s, dtype=np.uint64) for s in chunk])
        sig[lo : lo + len(chunk)] = oph_signatures_flat(
            values, np.repeat(np.arange(len(chunk), dtype=np.int64), lengths), len(chunk), num_perm)
    return sig


def oph_signatures_flat(values: np.ndarray, owner: np.ndarray, n_docs: int, num_perm: int = 128) -> np.ndarray:
    """Signatures from shingle hashes given flat: ``values[k]`` belongs to document ``owner[k]``.

    Bins are filled for the whole batch in one vectorised pass (repeated shingles are
    harmless: a bin keeps a minimum); a document with no shingle gets an all-empty signature
    that collides with nothing.
    """
    _check(num_perm)
    sig = np.full((n_docs, num_perm), _EMPTY, dtype=np.uint64)
    if len(values) == 0:
        return sig
    mixed = _mix(np.asarray(values, dtype=np.uint64))
    slots = np.asarray(owner, dtype=np.int64) * num_perm + (mixed & np.uint64(num_perm - 1)).astype(np.int64)
    np.minimum.at(sig.reshape(-1), slots, mixed >> np.uint64(8))
    _densify(sig, np.bincount(owner, minlength=n_docs) > 0)
    return sig


def _check(num_perm: int) -> None:
    if num_perm & (num_perm - 1) or not 1 <= num_perm <= 256:
        raise ValueError(f"num_perm must be a power of two up to 256, got {num_perm}")


def _densify(sig: np.ndarray, nonempty_docs: np.ndarray) -> None:
    """Fill each empty bin from the next non-empty bin to its right (circularly), offset by
    the distance so that borrowed values stay distinguishable."""
    empty = sig == _EMPTY
    todo = np.flatnonzero(empty.any(axis=1) & nonempty_docs)
    k = sig.shape[1]
    for row in todo:
        filled = np.flatnonzero(~empty[row])
        holes = np.flatnonzero(empty[row])
        nxt = np.searchsorted(filled, holes) % len(filled)
        src = filled[nxt]
        dist = (src - holes) % k
        with np.errstate(over="ignore"):
            sig[row, holes] = sig[row, src] + (dist.astype(np.uint64) << np.uint64(56))


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Share of equal bins: an unbiased estimate of the shingle sets' Jaccard similarity."""
    return float(np.mean(sig_a == sig_b))

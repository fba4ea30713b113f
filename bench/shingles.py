"""Stand-in word 5-gram shingler for the benchmarks, until filiation ships its own.

Shingles are lowercase ``\\w+`` words taken five at a time; each word gets a stable
64-bit id (blake2b, cached per distinct word) and each 5-gram a 64-bit polynomial
hash of those ids, finished with the splitmix64 mixer.  Stable ids (not Python's
salted ``hash``) keep results identical across runs and processes, and doing the
5-gram arithmetic in numpy over the whole batch keeps Python out of the inner loop.

The contract matches ``filiation.text.shingles.word_shingle_hashes``:
``texts -> list[np.ndarray]`` of sorted, unique uint64 hashes per text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+")
_WORD_IDS: dict[str, int] = {}  # cache: distinct words are few, tokens are many

_P = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier for the polynomial combine
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def _word_id(word: str) -> int:
    """Stable 64-bit id of one word (cached)."""
    wid = _WORD_IDS.get(word)
    if wid is None:
        wid = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        _WORD_IDS[word] = wid
    return wid


def _mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the polynomial hash over all 64 bits."""
    h = (h ^ (h >> np.uint64(30))) * _M1
    h = (h ^ (h >> np.uint64(27))) * _M2
    return h ^ (h >> np.uint64(31))


def word_shingle_hashes(texts: Sequence[str], k: int = 5) -> list[np.ndarray]:
    """Sorted unique uint64 hashes of each text's lowercase word k-grams.

    A text with fewer than k words (but at least one) yields one shingle of all its
    words, so short texts are not invisible; an empty text yields an empty array.
    """
    get = _WORD_IDS.get
    counts = np.empty(len(texts), dtype=np.int64)
    flat: list[int] = []
    for t, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        counts[t] = len(words)
        flat.extend([get(w) or _word_id(w) for w in words])
    ids = np.array(flat, dtype=np.uint64)
    ends = np.cumsum(counts)
    starts = ends - counts

    # Hash every window of k consecutive tokens of the flat stream, then keep the
    # windows that start in a text and end inside that same text.
    n = len(ids)
    m = max(n - k + 1, 0)
    h = ids[:m].copy()
    for j in range(1, k):
        h = h * _P + ids[j : j + m]
    h = _mix64(h)

    out: list[np.ndarray] = []
    for s, e, c in zip(starts.tolist(), ends.tolist(), counts.tolist()):
        if c >= k:
            out.append(np.unique(h[s : e - k + 1]))
        elif c > 0:
            g = ids[s : s + 1].copy()  # 1-element array: wraps silently, unlike a scalar
            for j in range(s + 1, e):
                g = g * _P + ids[j : j + 1]
            out.append(_mix64(g))
        else:
            out.append(np.empty(0, dtype=np.uint64))
    return out

"""Stable 64-bit hashes of words and of word n-grams (shingles), computed in numpy.

Hashes must be the same in every process and on every Spark executor, so words are hashed
with blake2b (cached per word), never with Python's salted ``hash``.
"""
from __future__ import annotations

from hashlib import blake2b

import numpy as np

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)


class _WordHashCache(dict):
    def __missing__(self, word: str | bytes) -> int:
        raw = word if isinstance(word, bytes) else word.encode("utf-8")
        value = int.from_bytes(blake2b(raw, digest_size=8).digest(), "little")
        if len(self) < 2_000_000:
            self[word] = value
        return value


_WORD_HASHES = _WordHashCache()


# ASCII punctuation becomes a space, dots/apostrophes/commas vanish ("U.S." -> "us",
# "3,400" -> "3400"), as in ``tokens.word_keys``; bytes.translate does it at memory speed.
_SPACE = bytes(b if b >= 128 or chr(b).isalnum() or b in b".'," else 32 for b in range(256))


def fast_word_hashes(text: str) -> np.ndarray:
    """Word hashes of ``text`` without offsets: the lexical sketch's hot path."""
    keys = text.encode("utf-8").lower().translate(_SPACE, b".',").split()
    return np.fromiter(map(_WORD_HASHES.__getitem__, keys), dtype=np.uint64, count=len(keys))


def word_hashes(keys: list[str]) -> np.ndarray:
    """One stable uint64 per word key."""
    return np.fromiter(map(_WORD_HASHES.__getitem__, keys), dtype=np.uint64, count=len(keys))


def shingle_hashes(hashes: np.ndarray, n: int = 5) -> np.ndarray:
    """Hash every run of ``n`` consecutive words; position i covers words i..i+n-1.

    A text shorter than ``n`` words gets one shingle of all its words, so that short texts
    (headlines, one-line answers) still have a fingerprint.
    """
    m = len(hashes)
    if m == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(n, m)
    out = np.zeros(m - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(k):
            out = (out ^ hashes[i : m - k + 1 + i]) * _M1
            out ^= out >> np.uint64(29)
        out *= _M2
        out ^= out >> np.uint64(32)
    return out

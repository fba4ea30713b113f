"""Stable 64-bit hashes of words and of word n-grams (shingles), computed in numpy.

Hashes must be the same in every process and on every Spark executor, so words are hashed
with blake2b (cached per word), never with Python's salted ``hash``.
"""
from __future__ import annotations

from hashlib import blake2b
from typing import Sequence

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
_BLANK = 32

# Words of the lexical sketch are hashed in numpy, never one by one in Python: a polynomial
# hash over each word's bytes, from prefix sums over a whole batch of texts, then mixed.
_P = 0x100000001B3
_P_INV = pow(_P, -1, 1 << 64)
_CACHED_POWERS = 1 << 23  # tables this long (64 MiB each) are kept; a longer batch computes its own


def _table(base: int, size: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        table = np.full(size, base, dtype=np.uint64)
        table[0] = 1
        return np.cumprod(table, dtype=np.uint64)


_powers = _table(_P, 1 << 16)
_inverse_powers = _table(_P_INV, 1 << 16)


def _power_tables(size: int) -> tuple[np.ndarray, np.ndarray]:
    """``P**k`` and ``P**-k`` mod 2**64 for k < size."""
    global _powers, _inverse_powers
    if size > _CACHED_POWERS:
        return _table(_P, size), _table(_P_INV, size)
    if len(_powers) < size:
        grown = min(_CACHED_POWERS, max(size, 2 * len(_powers)))
        _powers, _inverse_powers = _table(_P, grown), _table(_P_INV, grown)
    return _powers[:size], _inverse_powers[:size]


def batch_word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of many texts at once: ``(hashes, owner)``, concatenated in text order,
    ``owner[k]`` the index of the text that word ``k`` belongs to.

    Words here are the lexical sketch's: lowercased ASCII, ASCII punctuation as separators,
    dots/apostrophes/commas dropped.  The hash is the same for a word whatever its batch.
    """
    parts = [t.encode("utf-8").lower().translate(_SPACE, b".',") for t in texts]
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    buf = np.frombuffer(b" ".join(parts), dtype=np.uint8)
    text_starts = np.concatenate([[0], np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)) + 1)[:-1]])
    in_word = np.concatenate([[False], buf != _BLANK, [False]])
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    powers, inverse = _power_tables(len(buf) + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(buf) + 1, dtype=np.uint64)  # (a Python list here would promote to float)
        np.cumsum(buf.astype(np.uint64) * powers[: len(buf)], dtype=np.uint64, out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * inverse[starts] + (ends - starts).astype(np.uint64)
        hashes = raw * _M1
        hashes ^= hashes >> np.uint64(31)
        hashes *= _M2
        hashes ^= hashes >> np.uint64(29)
    owner = np.searchsorted(text_starts, starts, side="right") - 1
    return hashes, owner


def batch_shingles(texts: Sequence[str], n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Word n-gram hashes of many texts: ``(shingles, owner)`` (repeats kept: a sketch takes
    minima, so it needs no de-duplication).  A text of fewer than ``n`` words has one shingle
    of all its words, as in ``shingle_hashes``."""
    hashes, owner = batch_word_hashes(texts)
    counts = np.bincount(owner, minlength=len(texts))
    shingles = shingle_hashes(hashes, n)
    if len(hashes) >= n:
        valid = owner[: len(hashes) - n + 1] == owner[n - 1 :]
        out, out_owner = shingles[valid], owner[: len(hashes) - n + 1][valid]
    else:
        out, out_owner = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    short = np.flatnonzero((counts > 0) & (counts < n))
    if len(short):
        firsts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        extra = [shingle_hashes(hashes[firsts[k] : firsts[k] + counts[k]], n) for k in short.tolist()]
        out = np.concatenate([out, *extra])
        out_owner = np.concatenate([out_owner, short])
    return out, out_owner


def text_shingles(texts: Sequence[str], n: int = 5, batch: int = 1000) -> list[np.ndarray]:
    """Unique sorted word n-gram hashes of each text."""
    result: list[np.ndarray] = []
    for lo in range(0, len(texts), batch):
        chunk = texts[lo : lo + batch]
        values, owner = batch_shingles(chunk, n)
        if len(owner) > 1 and np.any(owner[1:] < owner[:-1]):  # short texts' shingles come last
            order = np.argsort(owner, kind="stable")
            values, owner = values[order], owner[order]
        bounds = np.searchsorted(owner, np.arange(len(chunk) + 1))
        result.extend(np.unique(values[bounds[k] : bounds[k + 1]]) for k in range(len(chunk)))
    return result


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

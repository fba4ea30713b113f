"""Verbatim and near-verbatim passages: shared word n-grams chained into merged spans.

Seeds are shared word 4-grams; seeds that continue one another on both sides, allowing a
few edited words in between, are chained into one passage (so "U.S. air defenses" →
"US air defences" stays inside one passage).  The chain only moves forward on both sides, so
a passage is an order-preserving stretch; reordered paragraphs become separate passages.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..text.shingles import shingle_hashes


@dataclass(frozen=True)
class TokenAlignment:
    """A passage in word positions: words ``a_start:a_end`` of a against ``b_start:b_end`` of b."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matched: int  # words of a covered by shared n-grams

    @property
    def score(self) -> float:
        return self.matched / max(self.a_end - self.a_start, self.b_end - self.b_start, 1)


def align_verbatim(
    words_a: np.ndarray,
    words_b: np.ndarray,
    seed: int = 4,
    gap: int = 8,
    min_words: int = 10,
    max_repeats: int = 4,
) -> list[TokenAlignment]:
    """Passages of at least ``min_words`` words that ``a`` and ``b`` share (word hashes in)."""
    if len(words_a) < seed or len(words_b) < seed:
        return []
    grams_a = shingle_hashes(words_a, seed)
    grams_b = shingle_hashes(words_b, seed)
    common = np.intersect1d(grams_a, grams_b, assume_unique=False)
    if len(common) == 0:
        return []
    pos_a = np.flatnonzero(np.isin(grams_a, common))
    pos_b = np.flatnonzero(np.isin(grams_b, common))
    where_b: dict[int, list[int]] = {}
    for j, g in zip(pos_b.tolist(), grams_b[pos_b].tolist()):
        hits = where_b.setdefault(g, [])
        if len(hits) < max_repeats:
            hits.append(j)

    reach = seed + gap
    open_chains: list[list[int]] = []  # [a0, a_end, b0, b_end, last_i, last_j, matched]
    done: list[list[int]] = []
    for i, g in zip(pos_a.tolist(), grams_a[pos_a].tolist()):
        still_open = []
        for c in open_chains:
            (still_open if i - c[4] <= reach else done).append(c)
        open_chains = still_open
        for j in where_b[g]:
            best = None
            best_skew = reach + 1
            for c in open_chains:
                di, dj = i - c[4], j - c[5]
                if 0 < di <= reach and 0 < dj <= reach and abs(di - dj) < best_skew:
                    best, best_skew = c, abs(di - dj)
            if best is None:
                open_chains.append([i, i + seed, j, j + seed, i, j, seed])
            else:
                best[6] += max(0, i + seed - max(best[1], i))
                best[1] = max(best[1], i + seed)
                best[3] = max(best[3], j + seed)
                best[4], best[5] = i, j
    done.extend(open_chains)
    spans = [TokenAlignment(c[0], c[1], c[2], c[3], c[6]) for c in done if c[6] >= min_words]
    return _drop_shadowed(sorted(spans, key=lambda s: (s.a_start, s.b_start)))


def _drop_shadowed(spans: list[TokenAlignment]) -> list[TokenAlignment]:
    """Where repeated text aligned one stretch twice (on either side), keep the better alignment."""
    kept: list[TokenAlignment] = []
    for s in sorted(spans, key=lambda s: -s.matched):
        if all(_share(s.a_start, s.a_end, k.a_start, k.a_end) < 0.5 and _share(s.b_start, s.b_end, k.b_start, k.b_end) < 0.5
               for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: (s.a_start, s.b_start))


def _share(start: int, end: int, other_start: int, other_end: int) -> float:
    """Share of ``start:end`` that ``other_start:other_end`` overlaps."""
    return max(0, min(end, other_end) - max(start, other_start)) / max(1, end - start)


def coverage_mask(length: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """Boolean mask of the word positions inside any of ``spans``."""
    mask = np.zeros(length, dtype=bool)
    for start, end in spans:
        mask[start:end] = True
    return mask

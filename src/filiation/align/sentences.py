"""Paraphrased sentences: which sentence of one text rewords which sentence of the other.

Candidates come from the static model (cheap, every sentence); each candidate is then judged
by the sentence matcher (``sentence_match``).  Matching is order-aware: the matches that keep
the order of both texts form the backbone, and a match that breaks that order is kept only
when it is clearly a paraphrase, since rewrites mostly follow their source's order.

Both steps are bounded for very long texts: similarities are computed a block of rows at a
time, and past ``max_cells`` sentence pairs only a band around the proportional diagonal is
compared (a rewrite follows its source's order), so two 5 MB documents cost memory in
megabytes and time linear in their length rather than quadratic.
"""
from __future__ import annotations

import bisect

import numpy as np

BLOCK_CELLS = 1 << 22  # similarities held at once (16 MiB of float32)


def diagonal_band(rows: int, cols: int, max_cells: int | None, per_sentence: int = 3) -> int | None:
    """Half-width, in columns, of the band compared around the diagonal, or None for all of it."""
    if not max_cells or rows * cols <= max_cells:
        return None
    return max(per_sentence, max_cells // (2 * max(rows, 1)))


def sentence_candidates(
    vectors_a: np.ndarray,
    vectors_b: np.ndarray,
    skip_a: np.ndarray,
    skip_b: np.ndarray,
    min_cosine: float = 0.55,
    per_sentence: int = 3,
    max_cells: int | None = None,
) -> list[tuple[int, int, float]]:
    """Sentence pairs ``(i, j, cosine)`` worth judging: each sentence's few nearest partners.

    Sentences already inside verbatim passages (``skip_*``) are left out: they are aligned.
    With more than ``max_cells`` pairs of remaining sentences, each sentence of a is compared
    with the sentences of b near its proportional position only (``diagonal_band``).
    """
    live_a = np.flatnonzero(~np.asarray(skip_a, dtype=bool)) if len(vectors_a) else np.zeros(0, dtype=np.int64)
    live_b = np.flatnonzero(~np.asarray(skip_b, dtype=bool)) if len(vectors_b) else np.zeros(0, dtype=np.int64)
    na, nb = len(live_a), len(live_b)
    if not na or not nb:
        return []
    va, vb = vectors_a[live_a], vectors_b[live_b]
    half = diagonal_band(na, nb, max_cells, per_sentence)
    k_row, k_col = min(per_sentence, nb), min(per_sentence, na)
    col_vals = np.full((k_col, nb), -np.inf, dtype=np.float32)
    col_rows = np.zeros((k_col, nb), dtype=np.int64)
    found: dict[tuple[int, int], float] = {}
    width = nb if half is None else min(nb, 2 * half + 1)
    step = max(1, BLOCK_CELLS // max(width, 1))
    for r0 in range(0, na, step):
        r1 = min(na, r0 + step)
        c0, c1 = _columns(r0, r1, na, nb, half)
        sims = (va[r0:r1] @ vb[c0:c1].T).astype(np.float32, copy=False)
        if half is not None:
            centre = (np.arange(r0, r1) * nb) // na
            cols = np.arange(c0, c1)
            sims[np.abs(cols[None, :] - centre[:, None]) > half] = -np.inf
        # each row's nearest columns
        k = min(k_row, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        for rr, cc in zip(*np.nonzero(np.take_along_axis(sims, top, axis=1) >= min_cosine)):
            c = top[rr, cc]
            found[(r0 + rr, c0 + c)] = float(sims[rr, c])
        # each column's nearest rows, merged with the blocks before
        k = min(k_col, sims.shape[0])
        top = np.argpartition(-sims, k - 1, axis=0)[:k, :]
        vals = np.concatenate([col_vals[:, c0:c1], np.take_along_axis(sims, top, axis=0)])
        rows = np.concatenate([col_rows[:, c0:c1], top + r0])
        keep = np.argpartition(-vals, k_col - 1, axis=0)[:k_col, :]
        col_vals[:, c0:c1] = np.take_along_axis(vals, keep, axis=0)
        col_rows[:, c0:c1] = np.take_along_axis(rows, keep, axis=0)
    for kk, c in zip(*np.nonzero(col_vals >= min_cosine)):
        found.setdefault((int(col_rows[kk, c]), int(c)), float(col_vals[kk, c]))
    return [(int(live_a[i]), int(live_b[j]), found[(i, j)]) for i, j in sorted(found)]


def _columns(r0: int, r1: int, na: int, nb: int, half: int | None) -> tuple[int, int]:
    """Columns rows ``r0:r1`` are compared with: all, or the union of their diagonal bands."""
    if half is None:
        return 0, nb
    return max(0, (r0 * nb) // na - half), min(nb, ((r1 - 1) * nb) // na + half + 1)


def choose_sentence_matches(
    scored: list[tuple[int, int, float]], threshold: float, out_of_order: float = 0.8
) -> list[tuple[int, int, float]]:
    """Keep matches with probability ≥ ``threshold`` on the best order-preserving chain, and
    off-chain matches only at ≥ ``out_of_order``.

    The chain is the heaviest sequence non-decreasing in both texts, found in n log n with a
    prefix-maximum tree over the second text's positions (ties go to the earliest match).
    """
    accepted = sorted((m for m in scored if m[2] >= threshold), key=lambda m: (m[0], m[1]))
    if not accepted:
        return []
    n = len(accepted)
    js = sorted({m[1] for m in accepted})
    tree = _PrefixMax(len(js))
    best = [0.0] * n
    back = [-1] * n
    x = 0
    while x < n:
        # matches at one (i, j) cannot precede each other: ask for all of them, then insert
        y = x
        while y < n and accepted[y][:2] == accepted[x][:2]:
            y += 1
        slot = bisect.bisect_left(js, accepted[x][1])
        value, before = tree.query(slot)
        for z in range(x, y):
            best[z] = accepted[z][2] + (value if before >= 0 else 0.0)
            back[z] = before
        for z in range(x, y):
            tree.update(slot, best[z], z)
        x = y
    on_chain = set()
    x = int(np.argmax(best))
    while x >= 0:
        on_chain.add(x)
        x = back[x]
    return [m for k, m in enumerate(accepted) if k in on_chain or m[2] >= out_of_order]


class _PrefixMax:
    """Fenwick tree of (value, -index) maxima: the best chain ending at or before a position."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.value = [float("-inf")] * (size + 1)
        self.index = [-1] * (size + 1)

    def update(self, slot: int, value: float, index: int) -> None:
        k = slot + 1
        while k <= self.size:
            if value > self.value[k] or (value == self.value[k] and index < self.index[k]):
                self.value[k], self.index[k] = value, index
            k += k & -k

    def query(self, slot: int) -> tuple[float, int]:
        """Best (value, index) at positions ``<= slot``; index -1 when there is none."""
        value, index = float("-inf"), -1
        k = slot + 1
        while k > 0:
            if self.value[k] > value or (self.value[k] == value and -1 < self.index[k] < index):
                value, index = self.value[k], self.index[k]
            k -= k & -k
        return value, index

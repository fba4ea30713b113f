"""Paraphrased sentences: which sentence of one text rewords which sentence of the other.

Candidates come from the static model (cheap, every sentence); each candidate is then judged
by the sentence matcher (``sentence_match``).  Matching is order-aware: the matches that keep
the order of both texts form the backbone, and a match that breaks that order is kept only
when it is clearly a paraphrase, since rewrites mostly follow their source's order.
"""
from __future__ import annotations

import numpy as np


def sentence_candidates(
    vectors_a: np.ndarray,
    vectors_b: np.ndarray,
    skip_a: np.ndarray,
    skip_b: np.ndarray,
    min_cosine: float = 0.55,
    per_sentence: int = 3,
) -> list[tuple[int, int, float]]:
    """Sentence pairs ``(i, j, cosine)`` worth judging: each sentence's few nearest partners.

    Sentences already inside verbatim passages (``skip_*``) are left out: they are aligned.
    """
    if len(vectors_a) == 0 or len(vectors_b) == 0:
        return []
    sims = vectors_a @ vectors_b.T
    sims[skip_a, :] = -1.0
    sims[:, skip_b] = -1.0
    keep = np.zeros_like(sims, dtype=bool)
    k = min(per_sentence, sims.shape[1])
    top_b = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    np.put_along_axis(keep, top_b, True, axis=1)
    k = min(per_sentence, sims.shape[0])
    top_a = np.argpartition(-sims, k - 1, axis=0)[:k, :]
    np.put_along_axis(keep, top_a, True, axis=0)
    keep &= sims >= min_cosine
    ii, jj = np.nonzero(keep)
    return [(int(i), int(j), float(sims[i, j])) for i, j in zip(ii, jj)]


def choose_sentence_matches(
    scored: list[tuple[int, int, float]], threshold: float, out_of_order: float = 0.8
) -> list[tuple[int, int, float]]:
    """Keep matches with probability ≥ ``threshold`` on the best order-preserving chain, and
    off-chain matches only at ≥ ``out_of_order``."""
    accepted = sorted((m for m in scored if m[2] >= threshold), key=lambda m: (m[0], m[1]))
    if not accepted:
        return []
    n = len(accepted)
    best = [m[2] for m in accepted]
    back = [-1] * n
    for x in range(n):
        ix, jx, px = accepted[x]
        for y in range(x):
            iy, jy, _ = accepted[y]
            if iy <= ix and jy <= jx and (iy, jy) != (ix, jx) and best[y] + px > best[x]:
                best[x], back[x] = best[y] + px, y
    on_chain = set()
    x = int(np.argmax(best))
    while x >= 0:
        on_chain.add(x)
        x = back[x]
    return [m for k, m in enumerate(accepted) if k in on_chain or m[2] >= out_of_order]

"""Overlap of two normalised texts' sets: shingles, word pairs, names and numbers.

Shared by the candidate screen (is a pair worth aligning?) and the evidence of aligned pairs.
"""
from __future__ import annotations

import numpy as np


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the (unique, sorted) shingles of ``a`` that occur in ``b``."""
    if len(a) == 0:
        return 0.0
    return float(len(np.intersect1d(a, b, assume_unique=True)) / len(a))


def entity_overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient of names and numbers: what ties two texts to one happening."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))

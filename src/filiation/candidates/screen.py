"""Screen candidate pairs before alignment: do the two texts share anything specific?

Nearest neighbours by document vector bring pairs that are merely about the same kind of
thing; in a large corpus most of them share no names, numbers or content-word pairs, and
aligning them is the engine's largest cost.  A pair that shares neither cannot be reuse nor
the same event, so it is dropped here for a few microseconds instead of a millisecond of
alignment.  On the labelled sets no related pair falls below these floors (docs/decisions.md).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..text.normalise import NormalisedDocument
from ..text.overlap import containment, entity_overlap


def share_specifics(
    docs: Sequence[NormalisedDocument], pairs: np.ndarray, min_entity_overlap: float, min_bigram_containment: float
) -> np.ndarray:
    """Boolean per pair: names/numbers overlap or content-word-pair containment (either way)
    reaches its floor."""
    keep = np.zeros(len(pairs), dtype=bool)
    for k, (ia, ib) in enumerate(pairs.tolist()):
        a, b = docs[ia], docs[ib]
        if entity_overlap(a.entities, b.entities) >= min_entity_overlap:
            keep[k] = True
        elif max(containment(a.bigrams, b.bigrams), containment(b.bigrams, a.bigrams)) >= min_bigram_containment:
            keep[k] = True
    return keep

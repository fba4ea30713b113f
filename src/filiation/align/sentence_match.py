"""Is this sentence a rewording of that one?  A logistic model over cheap and semantic evidence.

No single cosine separates paraphrases from same-topic sentences well enough on MSRP
(all-MiniLM-L6-v2 alone: 0.723 accuracy); combining it with word overlap, fuzzy string
similarity, length and number agreement does (figures in the README).  Two weight sets ship
in ``matcher_weights.json``, fitted on the MSRP training split by ``eval/train_matcher.py``:
``static`` (no transformer, the fast mode) and ``full``.  The full mode asks the transformer
only about pairs the static model leaves in doubt.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz

from ..text.tokens import STOPWORDS, word_keys

FEATURES = (
    "cos_semantic",
    "cos_static",
    "jaccard",
    "overlap_min",
    "content_overlap",
    "fuzz_token_sort",
    "bigram_jaccard",
    "numbers_differ",
    "length_ratio",
    "semantic_x_overlap",
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class MatcherWeights:
    coef: np.ndarray
    intercept: float
    threshold: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = features @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


@functools.lru_cache(maxsize=1)
def load_weights() -> dict[str, MatcherWeights]:
    raw = json.loads((Path(__file__).with_name("matcher_weights.json")).read_text())
    return {
        name: MatcherWeights(np.asarray(w["coef"], dtype=np.float64), float(w["intercept"]), float(w["threshold"]))
        for name, w in raw["models"].items()
    }


def _bigrams(keys: list[str]) -> set[tuple[str, str]]:
    return set(zip(keys, keys[1:]))


def pair_features(
    texts_a: Sequence[str], texts_b: Sequence[str], cos_static: np.ndarray, cos_semantic: np.ndarray | None
) -> np.ndarray:
    """Feature rows (in ``FEATURES`` order) for sentence pairs ``texts_a[i]`` ~ ``texts_b[i]``.

    Without a transformer, ``cos_semantic`` is the static cosine.
    """
    m = len(texts_a)
    out = np.zeros((m, len(FEATURES)), dtype=np.float64)
    sem = cos_static if cos_semantic is None else cos_semantic
    for r in range(m):
        ka, kb = word_keys(texts_a[r]), word_keys(texts_b[r])
        sa, sb = set(ka), set(kb)
        ca, cb = sa - STOPWORDS, sb - STOPWORDS
        union = len(sa | sb) or 1
        inter = len(sa & sb)
        c_inter = len(ca & cb)
        ba, bb = _bigrams(ka), _bigrams(kb)
        na, nb = set(_NUMBER.findall(texts_a[r])), set(_NUMBER.findall(texts_b[r]))
        jac = inter / union
        out[r] = (
            sem[r],
            cos_static[r],
            jac,
            inter / (min(len(sa), len(sb)) or 1),
            c_inter / (max(len(ca), len(cb)) or 1),
            fuzz.token_sort_ratio(texts_a[r], texts_b[r]) / 100.0,
            len(ba & bb) / (len(ba | bb) or 1),
            1.0 if (na or nb) and na != nb else 0.0,
            min(len(ka), len(kb)) / (max(len(ka), len(kb)) or 1),
            sem[r] * jac,
        )
    return out


def paraphrase_probability(features: np.ndarray, model: str) -> np.ndarray:
    """P(paraphrase) for feature rows under the ``static`` or ``full`` weights."""
    return load_weights()[model].probability(features)


def decision_threshold(model: str) -> float:
    return load_weights()[model].threshold

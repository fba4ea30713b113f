"""Briefs' candidates: the longer texts nearest a one- or two-sentence text by its event terms.

A brief (a one-line summary, a headline, a news brief) has too few word 5-grams for the
lexical sketch and too few sentences for a steady document vector, so the two main indexes
miss half of the articles briefs condense (docs/decisions.md: FRANK's BBC summaries).  Its
rare content words and word pairs still name the article: each brief asks an inverted
index of the corpus's event terms for its ``brief_neighbours`` nearest texts at least
``brief_length_ratio`` times longer.  Terms held by more than ``MAX_POSTINGS`` documents
are left out of the search (they weigh little and would make it quadratic); the exact
cosine is computed again when the pair is aligned.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..relate.events import EventVector, event_matrix
from ..settings import Settings
from ..text.normalise import NormalisedDocument

#: a term found in more documents than this does not take part in the search
MAX_POSTINGS = 1000


def is_brief(doc: NormalisedDocument, settings: Settings) -> bool:
    return 0 < len(doc.sentences) <= settings.brief_sentences and doc.length > 0


def brief_and_longer(a: NormalisedDocument, b: NormalisedDocument, settings: Settings) -> bool:
    """One of the two is a brief and the other at least ``brief_length_ratio`` times its length."""
    short, long_ = (a, b) if a.length <= b.length else (b, a)
    return is_brief(short, settings) and long_.length >= settings.brief_length_ratio * short.length


def brief_neighbours(docs: Sequence[NormalisedDocument], vectors: Sequence[EventVector],
                     settings: Settings) -> np.ndarray:
    """Pairs ``(i, j)``, i < j: each brief with its ``brief_neighbours`` longer texts of the
    highest event-term score (ties by position), those scoring above 0."""
    briefs = np.asarray([k for k, d in enumerate(docs) if is_brief(d, settings)], dtype=np.int64)
    empty = np.zeros((0, 2), dtype=np.int64)
    if not len(briefs) or settings.brief_neighbours == 0:
        return empty
    matrix = event_matrix(vectors)
    postings = np.bincount(matrix.indices, minlength=matrix.shape[1])
    matrix = matrix[:, np.flatnonzero(postings <= MAX_POSTINGS)]
    scores = (matrix[briefs] @ matrix.T).tocsr()
    lengths = np.asarray([d.length for d in docs], dtype=np.int64)
    out: list[tuple[int, int]] = []
    for row, brief in enumerate(briefs.tolist()):
        lo, hi = scores.indptr[row], scores.indptr[row + 1]
        cols, vals = scores.indices[lo:hi], scores.data[lo:hi]
        ok = (lengths[cols] >= settings.brief_length_ratio * lengths[brief]) & (vals > 0)
        cols, vals = cols[ok], vals[ok]
        for j in cols[np.lexsort((cols, -vals))][: settings.brief_neighbours].tolist():
            out.append((min(brief, j), max(brief, j)))
    return np.unique(np.asarray(out, dtype=np.int64).reshape(-1, 2), axis=0) if out else empty

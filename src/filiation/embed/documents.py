"""Static vectors of normalised documents: one per sentence, and one per document.

A corpus keeps only the document vectors (one row each, for the semantic neighbour search).
Sentence vectors are many times larger (a news article has thirty sentences) and only the
documents of candidate pairs need them, so alignment asks for them batch by batch and drops
them after: at 100,000 documents that is the difference between 3.5 GiB held and none.
The static model is fast enough (~40,000 sentences/s) that encoding a sentence twice costs
less than keeping it.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..text.normalise import NormalisedDocument
from .static import static_encoder

#: documents encoded together when only their document vectors are kept
DOCUMENTS_PER_BATCH = 2000


def sentence_vectors(docs: Sequence[NormalisedDocument]) -> list[np.ndarray]:
    """Unit static vectors of each document's sentences, one ``(n_sentences, dim)`` array per document."""
    encoder = static_encoder()
    flat = encoder.encode([d.sentence_text(i) for d in docs for i in range(len(d.sentences))])
    bounds = np.cumsum([0, *(len(d.sentences) for d in docs)])
    return [flat[bounds[k] : bounds[k + 1]] for k in range(len(docs))]


def document_vectors(docs: Sequence[NormalisedDocument]) -> np.ndarray:
    """Each document's vector (``document_vector``), 2,000 documents encoded at a time;
    sentence vectors are not kept."""
    out = np.zeros((len(docs), static_encoder().dim), dtype=np.float32)
    for lo in range(0, len(docs), DOCUMENTS_PER_BATCH):
        batch = docs[lo : lo + DOCUMENTS_PER_BATCH]
        for k, (d, vecs) in enumerate(zip(batch, sentence_vectors(batch)), start=lo):
            out[k] = document_vector(d, vecs)
    return out


def document_vector(doc: NormalisedDocument, vectors: np.ndarray) -> np.ndarray:
    """The mean of a document's sentence ``vectors`` (``(n_sentences, dim)``) weighted by
    sentence length in words, unit length (zeros for a document without sentences)."""
    if not len(vectors):
        return np.zeros(vectors.shape[1], dtype=np.float32)
    weights = np.maximum(1, doc.sentence_words[:, 1] - doc.sentence_words[:, 0]).astype(np.float32)
    v = (vectors * weights[:, None]).sum(axis=0)
    norm = np.linalg.norm(v)
    return (v / norm if norm else v).astype(np.float32)

"""Measure a pair: containment, verbatim and semantic coverage each way, names shared."""
from __future__ import annotations

import numpy as np

from ..align.verbatim import TokenAlignment, coverage_mask
from ..model import PairEvidence
from ..text.normalise import NormalisedDocument
from ..text.overlap import containment, entity_overlap


def _sentence_words_inside(doc: NormalisedDocument, word_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence: its word count, and how many of its words the mask covers."""
    bounds = doc.sentence_words
    if len(bounds) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    running = np.concatenate([[0], np.cumsum(word_mask, dtype=np.int64)])
    return bounds[:, 1] - bounds[:, 0], running[bounds[:, 1]] - running[bounds[:, 0]]


def _mostly_inside(sizes: np.ndarray, inside: np.ndarray) -> np.ndarray:
    return (sizes > 0) & (2 * inside >= sizes)


def verbatim_sentences(doc: NormalisedDocument, word_mask: np.ndarray) -> np.ndarray:
    """Boolean per sentence: at least half its words inside verbatim passages."""
    return _mostly_inside(*_sentence_words_inside(doc, word_mask))


def sentence_coverage(doc: NormalisedDocument, word_mask: np.ndarray, matched: set[int]) -> float:
    """Share of ``doc``'s words in sentences that are matched: by paraphrase, or at least half
    inside verbatim passages."""
    sizes, inside = _sentence_words_inside(doc, word_mask)
    total = int(sizes.sum())
    if not total:
        return 0.0
    covered = _mostly_inside(sizes, inside)
    if matched:
        covered[np.fromiter(matched, dtype=np.int64)] = True
    return float(sizes[covered].sum()) / total


def measure_pair(
    a: NormalisedDocument,
    b: NormalisedDocument,
    spans: list[TokenAlignment],
    mask_a: np.ndarray,
    mask_b: np.ndarray,
    matched_a: set[int],
    matched_b: set[int],
    doc_similarity: float,
) -> PairEvidence:
    return PairEvidence(
        containment_a=round(containment(a.shingles, b.shingles), 4),
        containment_b=round(containment(b.shingles, a.shingles), 4),
        bigrams_a=round(containment(a.bigrams, b.bigrams), 4),
        bigrams_b=round(containment(b.bigrams, a.bigrams), 4),
        verbatim_a=round(float(mask_a.mean()) if len(mask_a) else 0.0, 4),
        verbatim_b=round(float(mask_b.mean()) if len(mask_b) else 0.0, 4),
        semantic_a=round(sentence_coverage(a, mask_a, matched_a), 4),
        semantic_b=round(sentence_coverage(b, mask_b, matched_b), 4),
        length_a=a.length,
        length_b=b.length,
        doc_similarity=round(float(doc_similarity), 4),
        entity_overlap=round(entity_overlap(a.entities, b.entities), 4),
    )


def masks_from_spans(a: NormalisedDocument, b: NormalisedDocument, spans: list[TokenAlignment]):
    return (
        coverage_mask(a.length, [(s.a_start, s.a_end) for s in spans]),
        coverage_mask(b.length, [(s.b_start, s.b_end) for s in spans]),
    )

"""Boilerplate: a stretch of text that very many documents carry but that is a small part of
each (a site's footer, a newsletter plea, a legal line).

Ten thousand articles sharing one such paragraph are not ten thousand copies of each other,
yet every pair of them shares a verbatim passage.  Text in more than ``min_documents``
documents, in a run of at least ``min_words`` words, is blanked in each document where it
covers under half of the words, before anything compares documents; where it covers most
of a document the document *is* that text (a wire story copied by hundreds of outlets) and
stays whole.  Blanking writes spaces over the words, so every character offset still points
into the original text.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .normalise import NormalisedDocument
from .shingles import shingle_hashes


@dataclass(frozen=True)
class Boilerplate:
    """Which documents carry boilerplate, and the word mask of it in each."""

    masks: dict[int, np.ndarray]  # document index -> boolean per word
    shingles: int  # distinct boilerplate shingles found

    @property
    def documents(self) -> int:
        return len(self.masks)


#: documents whose n-grams are counted together
DOCUMENTS_PER_BATCH = 5000


def find_boilerplate(docs: list[NormalisedDocument], n: int, min_documents: int, min_words: int) -> Boilerplate:
    """Runs of ``min_words`` or more words whose every ``n``-gram is in more than
    ``min_documents`` documents, in the documents where such runs cover under half the words."""
    if len(docs) <= min_documents:
        return Boilerplate({}, 0)
    common = common_shingles(docs, n, min_documents)
    return Boilerplate(boilerplate_masks(docs, common, n, min_words) if len(common) else {}, len(common))


def common_shingles(docs: list[NormalisedDocument], n: int, min_documents: int) -> np.ndarray:
    """Sorted word ``n``-gram hashes found in more than ``min_documents`` of ``docs``.

    Counted in two passes so that memory does not grow with the corpus: first every distinct
    n-gram of every document adds one to a cell of a fixed table (chosen by its hash), then only
    the n-grams whose cell passed the threshold, a small superset of the answer, are counted
    exactly.  Holding every n-gram of 100,000 articles at once would take gigabytes.
    """
    bits = min(26, max(16, (64 * len(docs)).bit_length()))  # ~ a cell per 16-64 n-grams
    shift = np.uint64(64 - bits)
    table = np.zeros(1 << bits, dtype=np.int32)
    for batch in _distinct_grams(docs, n):
        table += np.bincount((batch >> shift).astype(np.int64), minlength=len(table)).astype(np.int32)
    hot = table > min_documents
    if not hot.any():
        return np.zeros(0, dtype=np.uint64)
    maybe = [batch[hot[(batch >> shift).astype(np.int64)]] for batch in _distinct_grams(docs, n)]
    values, counts = np.unique(np.concatenate(maybe), return_counts=True)
    return values[counts > min_documents]


def _distinct_grams(docs: list[NormalisedDocument], n: int):
    """Per batch of documents, each document's distinct positional ``n``-grams, concatenated."""
    for lo in range(0, len(docs), DOCUMENTS_PER_BATCH):
        grams = [np.unique(shingle_hashes(d.words, n)) for d in docs[lo : lo + DOCUMENTS_PER_BATCH]]
        yield np.concatenate(grams) if grams else np.zeros(0, dtype=np.uint64)


def boilerplate_masks(docs: list[NormalisedDocument], common: np.ndarray, n: int, min_words: int) -> dict[int, np.ndarray]:
    """Per document index, the words to blank: runs of ``common`` n-grams spanning ``min_words``
    or more, where they cover under half of the document (else the document *is* that text).
    ``common`` may come from this batch or from a whole corpus (the Spark engine counts it)."""
    masks = {}
    for k, d in enumerate(docs):
        mask = _runs(np.isin(shingle_hashes(d.words, n), common), n, min_words, d.length)
        if mask.any() and 2 * int(mask.sum()) < d.length:
            masks[k] = mask
    return masks


def _runs(hit: np.ndarray, n: int, min_words: int, length: int) -> np.ndarray:
    """Words covered by runs of consecutive common n-grams spanning at least ``min_words`` words."""
    mask = np.zeros(length, dtype=bool)
    if not hit.any():
        return mask
    edges = np.diff(np.concatenate([[0], hit.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # n-gram positions [start, end)
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - 1 + n - s >= min_words:
            mask[s : e - 1 + n] = True
    return mask


def blank_words(text: str, starts: np.ndarray, ends: np.ndarray, mask: np.ndarray) -> str:
    """``text`` with the masked words overwritten by spaces (offsets unchanged)."""
    chars = list(text)
    for s, e in zip(starts[mask].tolist(), ends[mask].tolist()):
        chars[s:e] = " " * (e - s)
    return "".join(chars)

"""Normalise one document for comparison, keeping every position mappable to the original."""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import numpy as np

from ..model import Document
from .sentences import split_sentences
from .shingles import shingle_hashes, text_shingles, word_hashes
from .tokens import STOPWORDS, tokenize

# Capitalised words not at a sentence or line start, and numbers: what pins a text to one happening.
_NAME = re.compile(r"(?<![.!?]\s)(?<![.!?][\"”’)]\s)(?<!^)\b[A-Z][a-zA-Z'’\-]{2,}", re.MULTILINE)
_NUM = re.compile(r"\b\d+(?:[.,]\d+)*\b")


_POSSESSIVE = re.compile(r"['’]s$")


def specifics(text: str) -> frozenset[str]:
    """The names and numbers of a text, lower-cased: capitalised words not at a sentence start
    (a possessive taken as its name, function words a quotation or line opens with left out)
    and numbers without thousands separators.  Interned: they recur across a corpus, and are
    then held once."""
    names = {m.lower() for m in _NAME.findall(text)}
    names = {_POSSESSIVE.sub("", w) if w.endswith(("'s", "’s")) else w for w in names} - STOPWORDS
    return frozenset(sys.intern(w) for w in names) | frozenset(sys.intern(n.replace(",", "")) for n in _NUM.findall(text))


@dataclass
class NormalisedDocument:
    """A document ready for comparison: word keys and hashes with offsets, sentences, shingles."""

    doc: Document
    word_starts: np.ndarray  # int32 char offset of word i (int32 halves what a large corpus holds)
    word_ends: np.ndarray
    words: np.ndarray  # uint64 hash of word i's key
    shingles: np.ndarray  # unique sorted uint64 word 5-gram hashes
    bigrams: np.ndarray  # unique sorted uint64 hashes of content-word pairs
    sentences: list[tuple[int, int]]  # char spans
    sentence_words: np.ndarray  # (n_sentences, 2) word index range of each sentence
    entities: frozenset[str]

    @property
    def length(self) -> int:
        return len(self.words)

    def sentence_text(self, i: int) -> str:
        s, e = self.sentences[i]
        return self.doc.text[s:e]


def normalise(doc: Document, shingle_size: int = 5, shingles: np.ndarray | None = None) -> NormalisedDocument:
    """``shingles``: the text's sketch shingles when already computed for a whole batch
    (``text_shingles``), which is much faster than one text at a time."""
    text = doc.text
    tokens = tokenize(text)
    words = word_hashes(tokens.keys)
    sentences = split_sentences(text)
    if sentences:
        bounds = np.asarray(sentences, dtype=np.int64)
        first = np.searchsorted(tokens.starts, bounds[:, 0], side="left")
        last = np.searchsorted(tokens.starts, bounds[:, 1], side="left")
        sentence_words = np.stack([first, last], axis=1)
    else:
        sentence_words = np.zeros((0, 2), dtype=np.int64)
    entities = specifics(text)
    return NormalisedDocument(
        doc=doc,
        word_starts=tokens.starts.astype(np.int32),
        word_ends=tokens.ends.astype(np.int32),
        words=words,
        shingles=text_shingles([text], shingle_size)[0] if shingles is None else shingles,
        bigrams=np.unique(shingle_hashes(words, 2)),
        sentences=sentences,
        sentence_words=sentence_words,
        entities=entities,
    )

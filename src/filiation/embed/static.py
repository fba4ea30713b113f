"""WordLlama static embeddings, pooled over words: ~40,000 sentences/s on two cores.

A static model averages token vectors, so it is blind to word order; it finds *candidates*
(documents about the same thing, sentences that may be paraphrases) and the transformer
settles the doubtful ones (docs/decisions.md).

Because the vectors are static, a sentence's vector is the mean of its words' token vectors,
and each distinct word needs tokenising only once per batch.  WordLlama's own ``embed``
tokenises every sentence again and pools over padded batches, which cost more than the rest
of the full mode's first stages together; here a sentence is a sparse row of word counts
multiplied by a small table of per-word token sums.  Punctuation is left out of the mean
(it carries no meaning and only dilutes it).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse

# words as the tokenizer's pre-split would see them: runs of word characters with inner
# dots/apostrophes/commas ("U.S.", "don't", "3,400")
_WORD = re.compile(r"\w+(?:[.,'’]\w+)*", re.UNICODE)


class StaticEncoder:
    def __init__(self) -> None:
        import wordllama

        # cache_dir = the installed package's folder: the weights ship inside the wheel, and
        # nothing may be fetched at run time
        model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent)
        self._table = np.ascontiguousarray(model.embedding, dtype=np.float32)
        self._tokenizer = model.tokenizer
        self._tokenizer.no_padding()
        self.dim = int(self._table.shape[1])

    def _word_sums(self, words: list[str]) -> np.ndarray:
        """Sum of the token vectors of each word (vectors are made unit length at the end, so
        the mean's divisor does not matter)."""
        encoded = self._tokenizer.encode_batch(words, add_special_tokens=False)
        ids = [e.ids for e in encoded]
        counts = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((t for x in ids for t in x), dtype=np.int64, count=int(counts.sum()))
        np.clip(flat, 0, len(self._table) - 1, out=flat)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        tokens = sparse.csr_matrix(
            (np.ones(len(flat), dtype=np.float32), flat, indptr), shape=(len(words), len(self._table))
        )
        return np.asarray(tokens @ self._table, dtype=np.float32)

    def encode(self, texts: Sequence[str], chunk: int = 20000) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (zeros for a text without words)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for lo in range(0, len(texts), chunk):
            out[lo : lo + chunk] = self._encode_chunk(texts[lo : lo + chunk])
        return out

    def _encode_chunk(self, texts: Sequence[str]) -> np.ndarray:
        vocab: dict[str, int] = {}
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            for w in _WORD.findall(text):
                k = vocab.get(w)
                if k is None:
                    k = vocab[w] = len(vocab)
                indices.append(k)
            indptr.append(len(indices))
        if not vocab:
            return np.zeros((len(texts), self.dim), dtype=np.float32)
        sums = self._word_sums(list(vocab))
        bag = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.asarray(indices), np.asarray(indptr)),
            shape=(len(texts), len(vocab)),
        )
        return _unit(np.asarray(bag @ sums, dtype=np.float32))


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


@functools.lru_cache(maxsize=1)
def static_encoder() -> StaticEncoder:
    """The process-wide static encoder, loaded once."""
    return StaticEncoder()

"""WordLlama static embeddings: ~50,000 sentences/s on two cores, weights shipped in its wheel.

A static model averages word vectors, so it is blind to word order; it finds *candidates*
(documents about the same thing, sentences that may be paraphrases) and the transformer
settles the doubtful ones (docs/decisions.md).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Sequence

import numpy as np


class StaticEncoder:
    def __init__(self) -> None:
        import wordllama

        # cache_dir = the installed package's folder: the weights ship inside the wheel, and
        # nothing may be fetched at run time
        self._model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent)
        self.dim = 256

    def encode(self, texts: Sequence[str], batch_size: int = 512) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (zeros for an empty text)."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.embed(list(texts), norm=False, batch_size=batch_size), dtype=np.float32)
        return _unit(vectors)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


@functools.lru_cache(maxsize=1)
def static_encoder() -> StaticEncoder:
    """The process-wide static encoder, loaded once."""
    return StaticEncoder()

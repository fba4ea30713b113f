"""The lexical candidate stage end to end: texts → word 5-gram hashes → MinHash → LSH pairs."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..settings import Settings
from ..text.shingles import fast_word_hashes, shingle_hashes
from .lsh import BandingResult, band_pairs
from .minhash import oph_signatures


def document_shingles(texts: Sequence[str], n: int = 5, processes: int = 1) -> list[np.ndarray]:
    """Unique word n-gram hashes of each text (the same shingles the pipeline uses).

    With ``processes`` > 1 the texts are hashed in a fork pool, in large chunks so that
    only arrays, never word lists, cross between processes.
    """
    if processes <= 1 or len(texts) < 2000:
        return _shingle_chunk((list(texts), n))
    import multiprocessing as mp

    size = -(-len(texts) // (processes * 4))
    chunks = [(list(texts[i : i + size]), n) for i in range(0, len(texts), size)]
    with mp.get_context("fork").Pool(processes) as pool:
        return [s for part in pool.map(_shingle_chunk, chunks) for s in part]


def _shingle_chunk(args: tuple[list[str], int]) -> list[np.ndarray]:
    texts, n = args
    return [np.unique(shingle_hashes(fast_word_hashes(t), n)) for t in texts]


def lexical_candidates(shingle_sets: Sequence[np.ndarray], settings: Settings | None = None) -> BandingResult:
    """Candidate pairs ``(i, j)`` whose shingle sets collide in some LSH band."""
    settings = settings or Settings()
    signatures = oph_signatures(shingle_sets, settings.num_perm)
    return band_pairs(signatures, settings.bands, settings.rows, settings.max_bucket)

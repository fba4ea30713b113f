"""The lexical candidate stage end to end: texts → word 5-gram hashes → MinHash → LSH pairs."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..settings import Settings
from ..text.shingles import batch_shingles, text_shingles
from .lsh import BandingResult, band_pairs
from .minhash import oph_signatures_flat


def document_shingles(texts: Sequence[str], n: int = 5, processes: int = 1) -> list[np.ndarray]:
    """Unique sorted word n-gram hashes of each text (the same shingles the pipeline uses)."""
    return _in_pool(_shingle_chunk, texts, n, processes, lambda parts: [s for part in parts for s in part])


def lexical_signatures(texts: Sequence[str], n: int = 5, num_perm: int = 128, processes: int = 1) -> np.ndarray:
    """MinHash signatures of the texts' word n-grams, straight from the texts: shingles are
    hashed a batch at a time and never de-duplicated or kept (a sketch only takes minima)."""
    return _in_pool(_signature_chunk, texts, (n, num_perm), processes, lambda parts: np.concatenate(parts) if parts else
                    np.zeros((0, num_perm), dtype=np.uint64))


def lexical_candidates(texts: Sequence[str], settings: Settings | None = None, processes: int = 1) -> BandingResult:
    """Candidate pairs ``(i, j)`` of texts whose word n-gram sketches collide in some LSH band."""
    settings = settings or Settings()
    signatures = lexical_signatures(texts, settings.shingle_size, settings.num_perm, processes)
    return band_pairs(signatures, settings.bands, settings.rows, settings.max_bucket)


_BATCH = 1000


def _in_pool(work, texts: Sequence[str], arg, processes: int, join):
    """Run ``work`` over batches of texts, in a fork pool when there are enough of them; only
    arrays, never word lists, cross between processes."""
    chunks = [(list(texts[i : i + _BATCH]), arg) for i in range(0, len(texts), _BATCH)]
    if processes <= 1 or len(chunks) < 2:
        return join([work(c) for c in chunks])
    import multiprocessing as mp

    with mp.get_context("fork").Pool(processes) as pool:
        return join(pool.map(work, chunks))


def _shingle_chunk(args: tuple[list[str], int]) -> list[np.ndarray]:
    texts, n = args
    return text_shingles(texts, n)


def _signature_chunk(args: tuple[list[str], tuple[int, int]]) -> np.ndarray:
    texts, (n, num_perm) = args
    values, owner = batch_shingles(texts, n)
    return oph_signatures_flat(values, owner, len(texts), num_perm)

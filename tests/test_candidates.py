"""Candidates: one-permutation MinHash, LSH banding, semantic neighbours."""
from __future__ import annotations

import numpy as np
import pytest

from filiation import Settings
from filiation.candidates import band_pairs, oph_signatures, semantic_neighbours
from filiation.candidates.minhash import estimate_jaccard, oph_signature

DEFAULTS = Settings(mode="fast")


def random_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, np.iinfo(np.uint64).max, size=n, dtype=np.uint64, endpoint=True)


def sets_with_jaccard_half(rng: np.random.Generator, size: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """|A| = |B| = size, |A ∩ B| = 2/3 size: Jaccard = (2/3) / (4/3) = 0.5."""
    pool = np.unique(random_hashes(rng, 3 * size))
    assert len(pool) >= 2 * size  # practically never fails: 64-bit draws
    common, only_a, only_b = pool[: 2 * size // 3], pool[size : size + size // 3], pool[2 * size : 2 * size + size // 3]
    a, b = np.concatenate([common, only_a]), np.concatenate([common, only_b])
    assert len(np.intersect1d(a, b)) / len(np.union1d(a, b)) == pytest.approx(0.5, abs=0.002)
    return a, b


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("num_perm", [128, 256])
def test_oph_estimates_jaccard(seed: int, num_perm: int) -> None:
    a, b = sets_with_jaccard_half(np.random.default_rng(seed))
    sigs = oph_signatures([a, b], num_perm)
    assert sigs.shape == (2, num_perm)
    assert estimate_jaccard(sigs[0], sigs[1]) == pytest.approx(0.5, abs=0.1)


def test_oph_estimates_are_unbiased_over_many_draws() -> None:
    rng = np.random.default_rng(2024)
    estimates = []
    for _ in range(20):
        a, b = sets_with_jaccard_half(rng, 600)
        sigs = oph_signatures([a, b], 128)
        estimates.append(estimate_jaccard(sigs[0], sigs[1]))
    assert np.mean(estimates) == pytest.approx(0.5, abs=0.03)


@pytest.mark.parametrize("size", [3, 40, 2000])
def test_identical_sets_agree_everywhere_and_disjoint_sets_almost_nowhere(size: int) -> None:
    """Holds for sparse documents too, where most bins are filled by densification."""
    rng = np.random.default_rng(size)
    a, b = random_hashes(rng, size), random_hashes(rng, size)
    sigs = oph_signatures([a, a[::-1].copy(), b], 128)
    assert (sigs != np.iinfo(np.uint64).max).all()  # densified: no empty bin left
    assert estimate_jaccard(sigs[0], sigs[1]) == 1.0
    assert estimate_jaccard(sigs[0], sigs[2]) < 0.1


def test_batch_and_single_signatures_agree() -> None:
    rng = np.random.default_rng(7)
    docs = [random_hashes(rng, n) for n in (1, 10, 500, 0, 64)]
    batch = oph_signatures(docs, 64)
    for row, doc in zip(batch, docs):
        assert np.array_equal(row, oph_signature(doc, 64))


def _band(sigs: np.ndarray, settings: Settings = DEFAULTS, max_bucket: int | None = None):
    return band_pairs(sigs, settings.bands, settings.rows, settings.max_bucket if max_bucket is None else max_bucket)


def test_identical_documents_collide_and_disjoint_ones_do_not() -> None:
    rng = np.random.default_rng(11)
    docs = [random_hashes(rng, 300) for _ in range(6)]
    docs.insert(4, docs[1].copy())  # document 4 = document 1
    result = _band(oph_signatures(docs, DEFAULTS.num_perm))
    assert result.pairs.dtype == np.int64
    assert result.pairs.tolist() == [[1, 4]]
    assert result.skipped_buckets == 0


def test_banding_finds_near_duplicates() -> None:
    rng = np.random.default_rng(12)
    base = random_hashes(rng, 400)
    edited = np.concatenate([base[:360], random_hashes(rng, 40)])  # Jaccard ~0.82
    other = random_hashes(rng, 400)
    result = _band(oph_signatures([other, base, edited], DEFAULTS.num_perm))
    assert result.pairs.tolist() == [[1, 2]]


def test_empty_documents_never_collide() -> None:
    rng = np.random.default_rng(13)
    empty = np.zeros(0, dtype=np.uint64)
    doc = random_hashes(rng, 50)
    sigs = oph_signatures([empty, doc, empty, empty], DEFAULTS.num_perm)
    assert len(_band(sigs).pairs) == 0
    # only empty documents: still nothing, and no error
    assert len(_band(oph_signatures([empty, empty], DEFAULTS.num_perm)).pairs) == 0


def test_pairs_are_unique_and_ordered() -> None:
    rng = np.random.default_rng(14)
    base = random_hashes(rng, 200)
    docs = [base, random_hashes(rng, 200), base.copy(), base[::-1].copy()]
    pairs = _band(oph_signatures(docs, DEFAULTS.num_perm)).pairs
    assert pairs.tolist() == [[0, 2], [0, 3], [2, 3]]


def test_bucket_larger_than_max_bucket_is_skipped_and_counted() -> None:
    rng = np.random.default_rng(15)
    template = random_hashes(rng, 100)
    pair = random_hashes(rng, 100)
    docs = [template.copy() for _ in range(5)] + [pair, pair.copy()]
    sigs = oph_signatures(docs, DEFAULTS.num_perm)
    skipped = _band(sigs, max_bucket=4)
    # the boilerplate bucket (5 documents) is left out in every band; the real pair is kept
    assert skipped.pairs.tolist() == [[5, 6]]
    assert skipped.skipped_buckets == DEFAULTS.bands
    kept = _band(sigs, max_bucket=5)
    assert kept.skipped_buckets == 0
    assert len(kept.pairs) == 10 + 1


def test_bands_times_rows_beyond_signature_raises() -> None:
    sigs = oph_signatures([np.arange(10, dtype=np.uint64)], 16)
    with pytest.raises(ValueError, match="exceeds"):
        band_pairs(sigs, bands=9, rows=2)


@pytest.mark.parametrize("num_perm", [100, 3, 129])
def test_num_perm_not_a_power_of_two_raises_helpfully(num_perm: int) -> None:
    with pytest.raises(ValueError, match=rf"power of two.*{num_perm}"):
        oph_signatures([np.arange(10, dtype=np.uint64)], num_perm)
    with pytest.raises(ValueError, match=rf"num_perm must be a power of two.*{num_perm}"):
        Settings(num_perm=num_perm, bands=1, rows=1)


def test_settings_rejects_bands_rows_beyond_num_perm() -> None:
    with pytest.raises(ValueError, match="bands x rows"):
        Settings(num_perm=64, bands=64, rows=2)


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_semantic_neighbours_returns_ordered_pairs_above_min_cosine() -> None:
    rng = np.random.default_rng(16)
    vectors = _unit(rng.normal(size=(30, 16)))
    # a few planted near neighbours
    vectors[5] = _unit(vectors[2:3] + 0.1 * rng.normal(size=(1, 16)))[0]
    vectors[20] = _unit(vectors[9:10] + 0.3 * rng.normal(size=(1, 16)))[0]
    min_cos = 0.5
    pairs, cosines = semantic_neighbours(vectors, k=29, min_cosine=min_cos)
    assert pairs.shape[1] == 2 and len(pairs) == len(cosines)
    assert (pairs[:, 0] < pairs[:, 1]).all()
    assert len({tuple(p) for p in pairs.tolist()}) == len(pairs)
    exact = vectors @ vectors.T
    for (i, j), c in zip(pairs.tolist(), cosines.tolist()):
        assert c >= min_cos
        assert c == pytest.approx(exact[i, j], abs=1e-4)
    # with k covering the whole corpus, every pair above the bar is found
    expected = {(i, j) for i in range(30) for j in range(i + 1, 30) if exact[i, j] >= min_cos + 1e-4}
    assert {(2, 5), (9, 20)} <= expected
    assert expected <= {tuple(p) for p in pairs.tolist()}


def test_semantic_neighbours_limits_each_row_to_k() -> None:
    rng = np.random.default_rng(17)
    centre = rng.normal(size=(1, 8))
    vectors = _unit(centre + 0.05 * rng.normal(size=(12, 8)))  # all near one another
    pairs, _ = semantic_neighbours(vectors, k=2, min_cosine=0.0)
    degree = np.bincount(pairs.ravel(), minlength=12)
    # each row asked for 2; a row can also be chosen by others, but far fewer than all 66 pairs come back
    assert len(pairs) <= 12 * 2
    assert degree.min() >= 1


def test_semantic_neighbours_of_fewer_than_two_documents() -> None:
    for n in (0, 1):
        pairs, cosines = semantic_neighbours(np.ones((n, 4), dtype=np.float32) / 2, k=5, min_cosine=0.0)
        assert pairs.shape == (0, 2) and len(cosines) == 0


def test_semantic_neighbours_nothing_above_bar() -> None:
    vectors = np.eye(6, dtype=np.float32)  # orthogonal: cosine 0
    pairs, cosines = semantic_neighbours(vectors, k=5, min_cosine=0.5)
    assert len(pairs) == 0 and len(cosines) == 0


def test_banding_no_documents_gives_no_pairs() -> None:
    """Regression: with no documents, band_pairs indexed ``sorted_keys[[0]]`` of an empty array
    (IndexError), which crashed ``analyze`` on a corpus where nothing could be read."""
    sigs = oph_signatures([], DEFAULTS.num_perm)
    assert sigs.shape == (0, DEFAULTS.num_perm)
    result = _band(sigs)
    assert len(result.pairs) == 0 and result.skipped_buckets == 0

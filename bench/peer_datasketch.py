"""The peer: datasketch MinHash + MinHashLSH over word 5-gram shingles, and recall tools.

    python bench/peer_datasketch.py bench/out/corpus-20000 [--threshold 0.5] [--num-perm 128]

Both this peer and filiation get the *same* shingle sets (``word_shingle_hashes``),
so the comparison is about candidate generation alone; recall is measured against
the exact set of pairs with Jaccard ≥ jmin so the two can be compared at equal recall.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
from datasketch import MinHash, MinHashLSH

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the same shingles filiation sketches, so both sides index identical sets
from filiation.candidates.lexical import document_shingles as word_shingle_hashes  # noqa: E402

T = TypeVar("T")
Pair = tuple[int, int]


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Run fn() and return (its result, wall seconds)."""
    t0 = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0


def _as_bytes(arr: np.ndarray) -> list[bytes]:
    """The 8-byte little-endian form of each hash, as ``h.tobytes()`` would give, but
    by slicing one buffer (several times faster than a numpy scalar per element)."""
    buf = arr.astype("<u8", copy=False).tobytes()
    return [buf[k : k + 8] for k in range(0, len(buf), 8)]


def _sketch_chunk(args: tuple[list[np.ndarray], int]) -> list[np.ndarray]:
    sets, num_perm = args
    return [(m.hashvalues, m.scheme) for m in MinHash.generator((_as_bytes(s) for s in sets), num_perm=num_perm)]


def datasketch_candidates(shingle_sets: Sequence[np.ndarray], threshold: float = 0.5,
                          num_perm: int = 128, processes: int = 1) -> set[Pair]:
    """Candidate pairs (i < j) from datasketch MinHashLSH, used as its docs recommend.

    MinHash.generator shares one set of permutations across sketches (datasketch's own
    bulk path), hashing each shingle's bytes with the default SHA-1 hashfunc.  Documents
    without shingles are skipped: their empty sketches would all collide.
    """
    docs = [i for i, s in enumerate(shingle_sets) if len(s)]
    if processes > 1:
        # the sketches in a fork pool, as filiation's side does; the index is one object
        import multiprocessing as mp

        size = -(-len(docs) // (processes * 4))
        chunks = [([shingle_sets[i] for i in docs[k : k + size]], num_perm) for k in range(0, len(docs), size)]
        with mp.get_context("fork").Pool(processes) as pool:
            values = [h for part in pool.map(_sketch_chunk, chunks) for h in part]
        sketches = (MinHash(num_perm=num_perm, hashvalues=h, scheme=scheme) for h, scheme in values)
    else:
        sketches = MinHash.generator((_as_bytes(shingle_sets[i]) for i in docs), num_perm=num_perm)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    kept: list[MinHash] = []
    with lsh.insertion_session() as session:
        for i, m in zip(docs, sketches):
            session.insert(i, m)
            kept.append(m)
    pairs: set[Pair] = set()
    for i, m in zip(docs, kept):
        for j in lsh.query(m):
            if j != i:
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard of two sorted unique hash arrays."""
    if not len(a) and not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def exact_pairs(shingle_sets: Sequence[np.ndarray], jmin: float = 0.5) -> dict[Pair, float]:
    """Every pair with Jaccard ≥ jmin, exactly, by prefix filtering (not all pairs).

    Order shingles globally rarest first; two sets with J ≥ t must share one of the
    first |A| - ceil(t|A|) + 1 shingles of each.  Pairs sharing a prefix shingle (and
    passing the size filter) are verified exactly.  Shingles held by one document come
    first in that order but can pair nothing, so only the shared shingles are sorted:
    a document's prefix reaches them only if it has few shingles of its own.
    """
    sizes = np.array([len(s) for s in shingle_sets], dtype=np.int64)
    if sizes.sum() == 0:
        return {}
    allh = np.concatenate(shingle_sets)
    order = np.argsort(allh)
    hs = allh[order]
    same = hs[1:] == hs[:-1]
    shared = np.zeros(len(hs), dtype=bool)  # entries whose shingle another entry also has
    shared[1:] |= same
    shared[:-1] |= same
    if not shared.any():
        return {}
    entries, hs = order[shared], hs[shared]
    starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
    counts = np.diff(np.r_[starts, len(hs)])
    rank = np.empty(len(counts), dtype=np.int64)  # by count, ties by hash (already sorted)
    rank[np.argsort(counts, kind="stable")] = np.arange(len(counts))
    r = np.repeat(rank, counts)
    doc = np.searchsorted(np.cumsum(sizes), entries, side="right")

    n_shared = np.bincount(doc, minlength=len(sizes))
    prefix = sizes - np.ceil(jmin * sizes - 1e-9).astype(np.int64) + 1
    need = prefix - (sizes - n_shared)  # prefix entries left after the doc's own shingles
    order = np.lexsort((r, doc))  # entries by doc, then rank
    r, doc = r[order], doc[order]
    within = np.arange(len(r)) - np.repeat(np.cumsum(n_shared) - n_shared, n_shared)
    keep = within < need[doc]
    r, doc = r[keep], doc[keep]

    # Docs sharing a prefix shingle: sort by shingle rank, pair each entry with the
    # following entries of the same rank (offset loop; groups are small here).
    order = np.lexsort((doc, r))
    r, doc = r[order], doc[order]
    cand: list[np.ndarray] = []
    for off in range(1, len(r)):
        same = r[off:] == r[:-off]
        if not same.any():
            break
        cand.append(np.stack([doc[:-off][same], doc[off:][same]], axis=1))
    if not cand:
        return {}
    cand_pairs = np.unique(np.concatenate(cand), axis=0)
    a, b = cand_pairs[:, 0], cand_pairs[:, 1]
    small, large = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
    cand_pairs = cand_pairs[small >= jmin * large - 1e-9]

    out: dict[Pair, float] = {}
    for i, j in cand_pairs.tolist():
        jac = jaccard(shingle_sets[i], shingle_sets[j])
        if jac >= jmin:
            out[(i, j)] = jac
    return out


def recall_at_jaccard(pairs: Iterable[Pair], shingle_sets: Sequence[np.ndarray],
                      truth_pairs: Iterable[tuple] | None, jmin: float = 0.5,
                      exact: dict[Pair, float] | None = None) -> dict:
    """Recall of candidate ``pairs`` against all pairs with true Jaccard ≥ jmin.

    truth_pairs (optional): planted (i, j) or (i, j, kind) pairs; adds recall over all
    planted pairs, over those with J ≥ jmin, and per kind.  ``exact`` may pass a
    precomputed ``exact_pairs`` result to avoid recomputing it.
    """
    found = {(min(p), max(p)) for p in pairs}
    exact = exact_pairs(shingle_sets, jmin) if exact is None else exact
    hits = sum(p in found for p in exact)
    report = {"candidates": len(found), "n_exact": len(exact),
              "recall_exact": hits / len(exact) if exact else float("nan")}
    if truth_pairs is None:
        return report

    rows = [(min(t[0], t[1]), max(t[0], t[1]), t[2] if len(t) > 2 else "planted")
            for t in truth_pairs]
    jac = {(i, j): jaccard(shingle_sets[i], shingle_sets[j]) for i, j, _ in rows}
    hi = [(i, j) for i, j, _ in rows if jac[(i, j)] >= jmin]
    report["n_truth"] = len(rows)
    report["recall_truth"] = sum((i, j) in found for i, j, _ in rows) / max(len(rows), 1)
    report["n_truth_j"] = len(hi)
    report["recall_truth_j"] = sum(p in found for p in hi) / len(hi) if hi else float("nan")
    report["exact_not_planted"] = len(set(exact) - set(jac))  # corpus sanity: should be ~0
    per_kind: dict[str, list] = {}
    for i, j, kind in rows:
        k = per_kind.setdefault(kind, [0, 0, 0.0])
        k[0] += 1
        k[1] += (i, j) in found
        k[2] += jac[(i, j)]
    report["per_kind"] = {kind: {"n": n, "recall": f / n, "mean_jaccard": s / n}
                          for kind, (n, f, s) in sorted(per_kind.items())}
    return report


def load_corpus(folder: Path) -> tuple[list[str], list[str], list[tuple[int, int, str]]]:
    """(ids, texts, truth as index pairs with kind) from a bench/corpus.py folder."""
    ids, texts = [], []
    with open(folder / "documents.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            texts.append(d["text"])
    pos = {d: i for i, d in enumerate(ids)}
    truth = []
    truth_file = folder / "truth.jsonl"
    if truth_file.exists():
        with open(truth_file, encoding="utf-8") as f:
            for line in f:
                t = json.loads(line)
                truth.append((pos[t["source"]], pos[t["derived"]], t["kind"]))
    return ids, texts, truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="folder written by bench/corpus.py")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--jmin", type=float, default=0.5)
    args = ap.parse_args()

    ids, texts, truth = load_corpus(args.corpus)
    n = len(texts)
    sets, t_sh = timed(lambda: word_shingle_hashes(texts))
    pairs, t_ds = timed(lambda: datasketch_candidates(sets, args.threshold, args.num_perm))
    rep, t_ex = timed(lambda: recall_at_jaccard(pairs, sets, truth, args.jmin))

    print(f"{args.corpus}: {n} docs, {sum(map(len, sets)) / n:.0f} shingles/doc")
    print(f"shingling        {t_sh:7.2f} s  {n / t_sh:9,.0f} docs/s")
    print(f"datasketch       {t_ds:7.2f} s  {n / t_ds:9,.0f} docs/s "
          f"(threshold {args.threshold}, num_perm {args.num_perm})")
    print(f"end to end       {t_sh + t_ds:7.2f} s  {n / (t_sh + t_ds):9,.0f} docs/s")
    print(f"exact J>={args.jmin} pairs {rep['n_exact']} (computed in {t_ex:.2f} s); "
          f"{rep['exact_not_planted']} of them not planted")
    print(f"candidates {rep['candidates']}; recall of J>={args.jmin} pairs "
          f"{rep['recall_exact']:.3f}; planted pairs {rep['recall_truth']:.3f} "
          f"(of {rep['n_truth']}); planted with J>={args.jmin} {rep['recall_truth_j']:.3f} "
          f"(of {rep['n_truth_j']})")
    for kind, k in rep["per_kind"].items():
        print(f"  {kind:11s} n={k['n']:4d} recall {k['recall']:.3f} "
              f"mean J {k['mean_jaccard']:.3f}")


if __name__ == "__main__":
    main()

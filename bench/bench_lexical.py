"""Lexical candidate stage: filiation against datasketch MinHashLSH, same corpus, same run.

Both sides start from the same texts and hash the same word 5-grams.  filiation goes from
texts to pairs in batches (numpy word hashes, one-permutation MinHash, bands 32 x 4,
threshold ≈ 0.42: ``candidates.lexical.lexical_candidates``); datasketch gets the unique
shingle sets from filiation's own fast shingler (``document_shingles``, timed on its side)
and then ``MinHash`` (in the same fork pool) + ``MinHashLSH(threshold=0.5)``.  Both sides
use the same number of processes (``--processes``, default 2).  Printed: docs/s of each stage, the ratio, recall
of all pairs with Jaccard ≥ 0.5 (equal-recall check) and of the planted copies, and the
growth from 5k to 20k documents.

    python bench/corpus.py --docs 20000 --out bench/out/corpus-20000   # once per size
    python bench/bench_lexical.py --sizes 5000 10000 20000
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peer_datasketch import datasketch_candidates, exact_pairs, load_corpus, recall_at_jaccard  # noqa: E402

from filiation.candidates.lexical import document_shingles, lexical_candidates  # noqa: E402
from filiation.settings import Settings  # noqa: E402


def run(folder: Path, processes: int, peer: bool) -> dict:
    ids, texts, truth = load_corpus(folder)
    n = len(texts)
    settings = Settings(bands=32, rows=4)
    lexical_candidates(texts[:50], settings)  # warm the hash tables, outside the timing
    t0 = time.perf_counter()
    result = lexical_candidates(texts, settings, processes=processes)
    t_ours = time.perf_counter() - t0
    ours = {tuple(p) for p in result.pairs.tolist()}
    t0 = time.perf_counter()
    shingles = document_shingles(texts, processes=processes)
    t_shingle = time.perf_counter() - t0
    exact = exact_pairs(shingles, 0.5)
    planted = [(a, b) for a, b, _ in truth]
    row = {
        "docs": n,
        "shingle_s": t_shingle,
        "ours_s": t_ours,
        "ours_docs_per_s": n / t_ours,
        "ours_recall": recall_at_jaccard(ours, shingles, planted, 0.5, exact),
    }
    if peer:
        t0 = time.perf_counter()
        theirs = datasketch_candidates(shingles, 0.5, 128, processes=processes)
        t_peer = time.perf_counter() - t0
        row["peer_sketch_s"] = t_peer
        row["peer_docs_per_s"] = n / (t_shingle + t_peer)
        row["peer_recall"] = recall_at_jaccard(theirs, shingles, planted, 0.5, exact)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    ap.add_argument("--corpus-root", type=Path, default=Path("bench/out"))
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args()
    rows = []
    for size in args.sizes:
        row = run(args.corpus_root / f"corpus-{size}", args.processes, peer=True)
        rows.append(row)
        ours, peer = row["ours_recall"], row["peer_recall"]
        print(f"{size:>6} docs | filiation {row['ours_docs_per_s']:8.0f} docs/s ({row['ours_s']:.2f} s, texts to pairs) | "
              f"datasketch {row['peer_docs_per_s']:6.0f} docs/s (shingle sets {row['shingle_s']:.2f} s + "
              f"MinHash/LSH {row['peer_sketch_s']:.2f} s) | ratio {row['ours_docs_per_s'] / row['peer_docs_per_s']:.1f}x")
        print(f"       recall J>=0.5: filiation {round(ours['recall_exact'], 3)} datasketch {round(peer['recall_exact'], 3)}")
        print(f"       planted copies: filiation {round(ours['recall_truth'], 3)} datasketch {round(peer['recall_truth'], 3)}")
    if len(rows) > 1:
        base = rows[0]
        for row in rows[1:]:
            growth = (row["docs"] / row["ours_docs_per_s"]) / (base["docs"] / base["ours_docs_per_s"])
            print(f"time x{growth:.2f} for docs x{row['docs'] / base['docs']:.0f} (linear would be x{row['docs'] / base['docs']:.0f})")


if __name__ == "__main__":
    main()

"""Full mode end to end (read → relate, transformer included) against the naive semantic peer.

filiation runs ``analyze`` in full mode over the whole benchmark corpus.  The peer is what
the full mode avoids: all-MiniLM-L6-v2 (the same int8 model) over every sentence, timed on a
sample of documents and reported as docs/s (embedding alone, before any comparison).
Also printed: recall of the planted copies and rewrites among the reported pairs.

    python bench/bench_full.py --docs 20000 [--peer-sample 300]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore")

from peer_datasketch import load_corpus  # noqa: E402

from filiation import Document, Settings, analyze  # noqa: E402
from filiation.embed import transformer_encoder  # noqa: E402
from filiation.text.sentences import split_sentences  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--corpus-root", type=Path, default=Path("bench/out"))
    ap.add_argument("--peer-sample", type=int, default=300)
    ap.add_argument("--mode", default="full")
    args = ap.parse_args()
    ids, texts, truth = load_corpus(args.corpus_root / f"corpus-{args.docs}")
    docs = [Document(i, t) for i, t in zip(ids, texts)]

    transformer_encoder()  # load once, outside both timings
    t0 = time.perf_counter()
    result = analyze(docs, Settings(mode=args.mode))  # type: ignore[arg-type]
    ours = time.perf_counter() - t0

    sample = texts[: args.peer_sample]
    sentences = [t[s:e] for t in sample for s, e in split_sentences(t)]
    t0 = time.perf_counter()
    transformer_encoder().encode(sentences)
    peer = time.perf_counter() - t0

    found = {(p.a, p.b) for p in result.pairs if p.relation != "same_event"}
    by_kind: dict[str, list[int]] = {}
    for a, b, kind in truth:
        x, y = sorted((ids[a], ids[b]))
        by_kind.setdefault(kind, [0, 0])
        by_kind[kind][0] += 1
        by_kind[kind][1] += (x, y) in found
    ours_rate = len(docs) / ours
    peer_rate = len(sample) / peer
    print(f"{len(docs)} docs: filiation {args.mode} mode {ours_rate:.0f} docs/s ({ours:.1f} s, {len(result.pairs)} pairs) | "
          f"peer (MiniLM int8 on every sentence) {peer_rate:.1f} docs/s | ratio {ours_rate / peer_rate:.1f}x")
    print("planted pairs found: " + ", ".join(f"{k} {f}/{n}" for k, (n, f) in sorted(by_kind.items())))


if __name__ == "__main__":
    main()

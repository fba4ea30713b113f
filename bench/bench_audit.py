"""What the audit costs: full mode with and without it, on the benchmark corpus, in one run (each timed twice, alternating; the best of each kept).

The audit may at most double the full mode's run time (issue: fidelity audit).  Both runs
analyse the same documents with the same settings except ``audit``; printed: seconds, docs/s,
findings made, and the ratio.  The transformer is loaded before either timing.

    python bench/bench_audit.py --docs 5000
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore")

from peer_datasketch import load_corpus  # noqa: E402

from filiation import Document, Settings, analyze  # noqa: E402
from filiation.embed import transformer_encoder  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--corpus-root", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    ids, texts, _ = load_corpus(args.corpus_root / f"corpus-{args.docs}")
    docs = [Document(i, t) for i, t in zip(ids, texts)]
    transformer_encoder()

    times: dict[bool, list[float]] = {False: [], True: []}
    results = {}
    for audit in (False, True, False, True):  # alternated, best of two: warm-up and noise cancel
        t0 = time.perf_counter()
        results[audit] = analyze(docs, Settings(audit=audit))
        times[audit].append(time.perf_counter() - t0)
    plain, audited = results[False], results[True]
    t_plain, t_audit = min(times[False]), min(times[True])

    print(f"documents: {len(docs)}; related pairs: {len(plain.pairs)}")
    print(f"full mode without audit: {t_plain:7.1f} s  {len(docs) / t_plain:7.1f} docs/s")
    print(f"full mode with audit:    {t_audit:7.1f} s  {len(docs) / t_audit:7.1f} docs/s  "
          f"({len(audited.findings)} findings: {dict(Counter(f.kind for f in audited.findings))})")
    print(f"audit share of the run: {(t_audit - t_plain) / t_audit:.1%}; time ratio with/without: {t_audit / t_plain:.2f} (aim <= 2.00)")


if __name__ == "__main__":
    main()

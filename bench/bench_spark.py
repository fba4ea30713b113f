"""filiation's local engine, its Spark engine in local[2] and datasketch's MinHashLSH on one corpus.

    python bench/bench_spark.py --docs 10000 100000 [--engines local spark datasketch]
                                [--corpus-root bench/out/spark] [--msrp ../shared/data/msrp]

The corpus is bench/corpus.py's (news-length documents of real MSRP sentences, 5% planted
derivatives), written once per size as ``documents.jsonl``.  Every engine reads that file and
runs in its own process, so each one's memory is its own:

- local: ``analyze([documents.jsonl], Settings(mode="fast"))``, read to related pairs, stories
  and audit; its peak RSS (``ru_maxrss``) is printed;
- spark: the Spark engine in ``local[2]`` on the same file, every stage materialised
  (``run_spark(measure=True)``), the session's start-up timed apart; the pairs are compared
  with the local engine's (equal up to 20,000 documents, where both search neighbours
  exactly; past it the local engine's HNSW index is approximate, Spark's blockwise search exact);
- datasketch: the usual peer, which does far less: MinHash + MinHashLSH(threshold 0.5, 128
  permutations) over the same word 5-gram sets (shingling timed on its side), candidates
  only, in a fork pool of 2 as in bench/bench_lexical.py.

Printed: docs/s of each and the ratios, each engine's stage times, and how time grows from
the smallest size to the largest.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ENGINES = ("local", "spark", "datasketch")


def ensure_corpus(root: Path, size: int, msrp: Path, seed: int = 13) -> Path:
    folder = root / f"corpus-{size}"
    if not (folder / "documents.jsonl").exists():
        from corpus import build

        t0 = time.perf_counter()
        docs, truth = build(size, seed, msrp)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "documents.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
        with open(folder / "truth.jsonl", "w", encoding="utf-8") as f:
            f.writelines(json.dumps(t) + "\n" for t in truth)
        print(f"built {folder} in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


# ---------------------------------------------------------------------------------------------
# one engine, in a process of its own


def run_local(folder: Path, pairs_out: Path) -> dict:
    from filiation import Settings, analyze

    stages: dict[str, float] = {}
    last = [time.perf_counter()]

    def tick(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages[stage] = round(stages.get(stage, 0) + now - last[0], 2)
        last[0] = now

    t0 = time.perf_counter()
    analysis = analyze([folder / "documents.jsonl"], Settings(mode="fast"), progress=tick)
    seconds = time.perf_counter() - t0
    _save_pairs(pairs_out, ((p.a, p.b, p.relation, p.direction) for p in analysis.pairs))
    return {"seconds": seconds, "documents": len(analysis.documents), "pairs": len(analysis.pairs),
            "stories": len(analysis.stories), "findings": len(analysis.findings), "stages": stages,
            "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, "limits": analysis.limits}


def run_spark(folder: Path, pairs_out: Path, master: str) -> dict:
    from filiation import Settings
    from filiation.engine.spark import run_spark as spark_run
    from filiation.engine.spark_io import spark_session

    t0 = time.perf_counter()
    spark = spark_session(master)
    started = time.perf_counter() - t0
    t0 = time.perf_counter()
    run = spark_run(spark, [str(folder / "documents.jsonl")], Settings(mode="fast"), measure=True,
                    progress=lambda stage, s: print(f"spark stage {stage}: {s:.1f} s", file=sys.stderr, flush=True))
    seconds = time.perf_counter() - t0
    _save_pairs(pairs_out, ((p.a, p.b, p.relation, p.direction) for p in run.pairs.toLocalIterator()))
    stats = dict(run.stats)
    run.close()
    spark.stop()
    return {"seconds": seconds, "session_seconds": started, "documents": stats["documents"], "pairs": stats["pairs"],
            "stories": stats["stories"], "stages": stats.pop("seconds"), "stats": stats,
            "driver_peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}


def run_datasketch(folder: Path, processes: int = 2) -> dict:
    from peer_datasketch import datasketch_candidates, load_corpus

    from filiation.candidates.lexical import document_shingles

    ids, texts, _ = load_corpus(folder)
    t0 = time.perf_counter()
    shingles = document_shingles(texts, processes=processes)
    shingle_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = datasketch_candidates(shingles, 0.5, 128, processes=processes)
    sketch_s = time.perf_counter() - t0
    return {"seconds": shingle_s + sketch_s, "shingle_seconds": shingle_s, "documents": len(texts),
            "candidates": len(pairs), "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}


def _save_pairs(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def in_process(engine: str, folder: Path, pairs_out: Path, master: str) -> dict:
    """Run one engine in a fresh interpreter; its result as a dict (or the error)."""
    cmd = [sys.executable, __file__, "--worker", engine, "--corpus", str(folder), "--pairs-out", str(pairs_out),
           "--master", master]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (done.stderr or done.stdout)[-2000:]}


# ---------------------------------------------------------------------------------------------


def agreement(local_pairs: Path, spark_pairs: Path) -> str:
    def load(path: Path) -> dict:
        with open(path, encoding="utf-8") as f:
            return {(r[0], r[1]): (r[2], r[3]) for r in map(json.loads, f)}

    a, b = load(local_pairs), load(spark_pairs)
    both = a.keys() & b.keys()
    same = sum(a[k] == b[k] for k in both)
    return (f"pairs local {len(a)}, spark {len(b)}, in both {len(both)} (Jaccard {len(both) / max(1, len(a.keys() | b.keys())):.4f}); "
            f"same relation and direction in {same}/{len(both)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[10_000])
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--corpus-root", type=Path, default=HERE / "out" / "spark")
    ap.add_argument("--msrp", type=Path, default=HERE.parents[1] / "shared" / "data" / "msrp")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--pairs-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        import logging
        import warnings

        warnings.filterwarnings("ignore")
        logging.disable(logging.WARNING)
        if args.worker == "local":
            result = run_local(args.corpus, args.pairs_out)
        elif args.worker == "spark":
            result = run_spark(args.corpus, args.pairs_out, args.master)
        else:
            result = run_datasketch(args.corpus)
        print(json.dumps(result))
        return

    rows: list[dict] = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-spark-"))
    for size in args.docs:
        folder = ensure_corpus(args.corpus_root, size, args.msrp)
        row: dict = {"docs": size}
        for engine in args.engines:
            row[engine] = in_process(engine, folder, scratch / f"{engine}-{size}.jsonl", args.master)
            print(f"{size:>7} docs  {engine:<10} {json.dumps(row[engine])}", flush=True)
        rows.append(row)
        _report(row, scratch)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        scale = last["docs"] / first["docs"]
        for engine in args.engines:
            if "seconds" in first.get(engine, {}) and "seconds" in last.get(engine, {}):
                growth = last[engine]["seconds"] / first[engine]["seconds"]
                print(f"{engine:<10} time x{growth:.1f} for documents x{scale:.0f} "
                      f"({first['docs']:,} -> {last['docs']:,}; linear would be x{scale:.0f})")


def _report(row: dict, scratch: Path) -> None:
    n = row["docs"]
    rate = {e: n / row[e]["seconds"] for e in ENGINES if "seconds" in row.get(e, {})}
    parts = []
    if "local" in rate:
        loc = row["local"]
        parts.append(f"local fast {rate['local']:,.0f} docs/s ({loc['seconds']:.0f} s, {loc['pairs']:,} pairs, "
                     f"peak RSS {loc['peak_rss_gib']:.2f} GiB)")
    if "spark" in rate:
        sp = row["spark"]
        parts.append(f"spark local[2] {rate['spark']:,.0f} docs/s ({sp['seconds']:.0f} s + session {sp['session_seconds']:.0f} s, "
                     f"{sp['pairs']:,} pairs)")
    if "datasketch" in rate:
        ds = row["datasketch"]
        parts.append(f"datasketch MinHashLSH {rate['datasketch']:,.0f} docs/s (candidates only: {ds['candidates']:,})")
    print(f"== {n:,} documents: " + " | ".join(parts))
    ratios = []
    for x, y in (("spark", "local"), ("local", "datasketch"), ("spark", "datasketch")):
        if x in rate and y in rate:
            ratios.append(f"{x}/{y} {rate[x] / rate[y]:.2f}x")
    if ratios:
        print("   throughput ratios: " + ", ".join(ratios))
    for engine in ("local", "spark"):
        if "stages" in row.get(engine, {}):
            print(f"   {engine} stages (s): " + ", ".join(f"{k} {v}" for k, v in row[engine]["stages"].items()))
    if "stats" in row.get("spark", {}):
        print("   spark counts: " + json.dumps(row["spark"]["stats"]))
    if "pairs" in row.get("local", {}) and "pairs" in row.get("spark", {}):
        print("   " + agreement(scratch / f"local-{n}.jsonl", scratch / f"spark-{n}.jsonl"))
    for engine in ENGINES:
        if "error" in row.get(engine, {}):
            print(f"   {engine} failed: {row[engine]['error']}")


if __name__ == "__main__":
    main()

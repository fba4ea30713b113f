"""Archive at scale: check latency against 10^6 archived documents, against datasketch MinHashLSH.

    python bench/bench_archive.py --docs 100000                          # quick run
    python bench/bench_archive.py [--docs 1000000] [--queries 1000] [--full-queries 100]
                                  [--out bench/out/archive-N] [--peer-docs 100000]
                                  [--build-procs 2] [--skip-full] [--skip-peer]

Archive: ``--docs`` news-length documents made from real MSRP sentences by ``bench/corpus.py``'s
``Generator`` (words shuffled inside each sentence placement, see its docstring), generated as
a stream (document ``i`` from its own seeded RNG: never a list of 10^6 texts) and added through
``Archive.add``.  About 5% of the archived documents are planted derivatives of earlier ones, as
in ``corpus.build``.  ``Archive.add`` sketches in one process, so the build runs
``--build-procs`` writers on one archive, each adding every k-th document (the store serialises
writers; each catches the indexes up when it ends).  A finished build is recorded in
``OUT/build.json`` and reused by later runs; an interrupted one resumes (archived ids are skipped).

Queries (``--queries``, not archived): half planted derivatives of archived documents (kinds
cycled over ``corpus.KINDS``; sources drawn among the first ``--peer-docs`` documents so that
the datasketch subset holds every source too), half fresh unrelated documents.  Printed:

* the lexical stage alone (``Archive.lexical_candidates``): p50/p90/p99/max ms per query, and
  recall of the planted source among its candidates (at most 30), per kind;
* the same at the ``--peer-docs`` subset (a band index over those documents only), next to
  datasketch ``MinHashLSH`` built on the same documents' shingles (``document_shingles``, the
  sketch's own) and queried with the same queries: its build time, query p50/p99, recall, and
  the ratio filiation/datasketch in query latency at equal archive size;
* full ``Archive.check`` (saving the result, as the CLI does) for ``--full-queries`` queries in
  full and fast mode: wall p50/p99 and the stage breakdown from ``timings_ms``;
* incremental: ``Archive.add`` of 1,000 new documents (and of one, as ``watch`` does) against
  ``analyze`` of the same 1,000 alone in fast mode, with where the add's time goes;
* peak RSS, the datasketch index's memory, and the archive's file sizes.

The datasketch side uses ``MinHashLSH(num_perm=128, params=(64, 2))``: the archive's own
banding (``Settings.bands`` x ``rows`` = 64 x 2, an S-curve with threshold ~0.125), so both
sides ask the same question and recall is comparable; the threshold that datasketch would
pick itself for 0.5 (bench_lexical.py's choice) misses excerpts, which the archive must find.
Its MinHash is 128 independent permutations (SHA-1 per shingle), filiation's one-permutation.
"""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import random
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
warnings.filterwarnings("ignore")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
for _name in ("faiss", "faiss.loader", "sentence_transformers", "transformers", "torch"):
    logging.getLogger(_name).setLevel(logging.ERROR)

import corpus  # noqa: E402

from filiation.model import Document  # noqa: E402
from filiation.settings import Settings  # noqa: E402

LEXICAL_KINDS = ("duplicate", "light_edit", "excerpt", "cut_edit")
FRESH_BASE = 50_000_000  # generator indices of query documents: never used by the archive
QUERY_DERIVED = 60_000_000
INCREMENT_BASE = 70_000_000


# ---- the synthetic archive, as a stream ------------------------------------------------------

class Stream:
    """Archive document ``i`` (``a0000042``): a base document, or (5%) a planted derivative of an
    earlier base document; each decided by its own RNG, so any slice is generated alone."""

    def __init__(self, seed: int, msrp: Path):
        sentences, partners = corpus.load_msrp(msrp)
        self.gen = corpus.Generator(sentences, partners, seed)
        self.seed = seed

    @staticmethod
    def doc_id(i: int) -> str:
        return f"a{i:07d}"

    def is_derived(self, i: int) -> bool:
        return i >= 20 and random.Random(f"{self.seed}:slot:{i}").random() < corpus.DERIVED_SHARE

    def source_of(self, i: int) -> tuple[int, str]:
        rng = random.Random(f"{self.seed}:source:{i}")
        while True:
            src = rng.randrange(i)
            if not self.is_derived(src):
                return src, corpus.KINDS[rng.randrange(len(corpus.KINDS))]

    def text(self, i: int) -> str:
        if self.is_derived(i):
            src, kind = self.source_of(i)
            return corpus.render(self.gen.derive(i, self.gen.base(src), kind))
        return corpus.render(self.gen.base(i))

    def documents(self, slots) -> "iter[Document]":
        for i in slots:
            yield Document(self.doc_id(i), self.text(i))

    def fresh(self, k: int) -> Document:
        return Document(f"fresh{k:05d}", corpus.render(self.gen.base(FRESH_BASE + k)))

    def planted(self, k: int, source: int, kind: str) -> Document:
        return Document(f"q{k:05d}", corpus.render(self.gen.derive(QUERY_DERIVED + k, self.gen.base(source), kind)))


def queries(stream: Stream, n_queries: int, n_docs: int, source_pool: int, seed: int) -> list[tuple[Document, str, str | None]]:
    """``(document, kind, source id)``: planted derivatives and fresh documents, interleaved."""
    rng = random.Random(f"{seed}:queries")
    out = []
    for k in range(n_queries):
        if k % 2 == 0:
            kind = corpus.KINDS[(k // 2) % len(corpus.KINDS)]
            while True:
                src = rng.randrange(min(source_pool, n_docs))
                if not stream.is_derived(src):
                    break
            out.append((stream.planted(k, src, kind), kind, Stream.doc_id(src)))
        else:
            out.append((stream.fresh(k), "fresh", None))
    return out


# ---- building ----------------------------------------------------------------------------------

def _build_worker(args: tuple[str, int, int, int, int, Path]) -> dict:
    path, n_docs, part, parts, seed, msrp = args
    from filiation.archive import Archive

    stream = Stream(seed, msrp)
    t0 = time.perf_counter()
    count = [0]

    def done(ids: list[str]) -> None:
        count[0] += len(ids)
        if count[0] % 20000 < len(ids):
            rate = count[0] / (time.perf_counter() - t0)
            print(f"  [writer {part}] {count[0]:,} added, {rate:,.0f} docs/s", file=sys.stderr, flush=True)

    with Archive(path, Settings(mode="fast")) as arch:
        synced = [0.0]
        real_sync = arch.sync_indexes

        def timed_sync(save: bool = False):
            t = time.perf_counter()
            try:
                return real_sync(save)
            finally:
                synced[0] += time.perf_counter() - t

        arch.sync_indexes = timed_sync  # type: ignore[method-assign]
        report = arch.add(stream.documents(range(part, n_docs, parts)), done)
    return {"added": len(report.added), "unchanged": len(report.unchanged), "problems": len(report.problems),
            "seconds": time.perf_counter() - t0, "sync_seconds": synced[0]}


def build(out: Path, n_docs: int, procs: int, seed: int, msrp: Path) -> dict:
    """Build (or resume) the archive at ``out/archive.db``; returns the build record."""
    record_file = out / "build.json"
    if record_file.exists():
        record = json.loads(record_file.read_text())
        if record.get("docs") == n_docs and record.get("seed") == seed:
            record["reused"] = True
            return record
    out.mkdir(parents=True, exist_ok=True)
    path = str(out / "archive.db")
    t0 = time.perf_counter()
    jobs = [(path, n_docs, k, procs, seed, msrp) for k in range(procs)]
    if procs == 1:
        parts = [_build_worker(jobs[0])]
    else:
        with mp.get_context("fork").Pool(procs) as pool:  # before any model or index is loaded here
            parts = pool.map(_build_worker, jobs)
    seconds = time.perf_counter() - t0
    added = sum(p["added"] for p in parts)
    record = {"docs": n_docs, "seed": seed, "procs": procs, "seconds": seconds, "added": added,
              "docs_per_s": added / seconds if added else float("nan"),
              "final_sync_s": max(p["sync_seconds"] for p in parts), "writers": parts,
              "peak_rss_writer_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
    record_file.write_text(json.dumps(record, indent=1))
    record["reused"] = False
    return record


# ---- measuring ---------------------------------------------------------------------------------

def pct(ms: list[float]) -> dict:
    a = np.asarray(ms)
    return {"p50": float(np.percentile(a, 50)), "p90": float(np.percentile(a, 90)),
            "p99": float(np.percentile(a, 99)), "max": float(a.max()), "mean": float(a.mean())}


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_lexical(arch, qs, number_of: dict[str, int]) -> dict:
    """Latency of ``lexical_candidates`` per query, recall of planted sources, fresh candidates."""
    for doc, _, _ in qs[:20]:  # warm-up: first page faults of the memory-mapped band arrays
        arch.lexical_candidates(doc)
    ms, found, fresh_candidates, candidates = [], {}, [], []
    for doc, kind, source in qs:
        t = time.perf_counter()
        numbers, _ = arch.lexical_candidates(doc)
        ms.append((time.perf_counter() - t) * 1000)
        candidates.append(len(numbers))
        if source is None:
            fresh_candidates.append(len(numbers))
        else:
            found.setdefault(kind, []).append(number_of[source] in set(numbers.tolist()))
    return {"latency": pct(ms), "found": found, "fresh_candidates": float(np.mean(fresh_candidates or [0])),
            "candidates": float(np.mean(candidates))}


def recall_line(found: dict[str, list[bool]]) -> str:
    lex = [x for k in LEXICAL_KINDS for x in found.get(k, [])]
    parts = [f"{k} {sum(found.get(k, []))}/{len(found.get(k, []))}" for k in (*LEXICAL_KINDS, "rewrite")]
    return f"lexical kinds {sum(lex) / max(len(lex), 1):.3f} ({sum(lex)}/{len(lex)}): " + ", ".join(parts)


def subset_archive(path: Path, settings: Settings, n_sub: int):
    """An ``Archive`` whose band index holds only documents ``a0000000``..``a{n_sub-1}`` (and
    those documents' numbers and texts, for the peer)."""
    from filiation.archive import Archive
    from filiation.archive.bands import BandIndex

    sub = Archive(path, settings)
    rows = sub.store.db.execute("SELECT n, signature, text FROM documents WHERE id < ? ORDER BY n",
                                (Stream.doc_id(n_sub),)).fetchall()
    numbers = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    sigs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint64).reshape(len(rows), -1)
    texts = [r[2] for r in rows]
    bands = BandIndex.empty(settings.bands, settings.rows)
    t = time.perf_counter()
    bands.extend(numbers, sigs)
    index_s = time.perf_counter() - t
    sub._bands = bands  # the lexical stage reads only this
    return sub, numbers, texts, index_s


def peer_build(numbers: np.ndarray, texts: list[str], processes: int):
    from datasketch import MinHash, MinHashLSH
    from peer_datasketch import _sketch_chunk

    from filiation.candidates.lexical import document_shingles

    MinHashLSH(num_perm=128, params=(64, 2))  # imports and first allocations outside the memory figure
    before = rss_mb()
    t0 = time.perf_counter()
    shingles = document_shingles(texts, processes=processes)
    t_sh = time.perf_counter() - t0
    keep = [k for k, s in enumerate(shingles) if len(s)]
    size = -(-len(keep) // (processes * 4))
    chunks = [([shingles[k] for k in keep[i : i + size]], 128) for i in range(0, len(keep), size)]
    with mp.get_context("fork").Pool(processes) as pool:
        values = [h for part in pool.map(_sketch_chunk, chunks) for h in part]
    del shingles, chunks
    t_mh = time.perf_counter() - t0 - t_sh
    lsh = MinHashLSH(num_perm=128, params=(64, 2))
    with lsh.insertion_session() as session:
        for k, (h, scheme) in zip(keep, values):
            session.insert(int(numbers[k]), MinHash(num_perm=128, hashvalues=h, scheme=scheme))
    del values
    total = time.perf_counter() - t0
    return lsh, {"shingle_s": t_sh, "minhash_s": t_mh, "insert_s": total - t_sh - t_mh, "total_s": total,
                 "rss_mb": rss_mb() - before}


def peer_query(lsh, qs, number_of: dict[str, int]) -> dict:
    from datasketch import MinHash
    from peer_datasketch import _as_bytes

    from filiation.candidates.lexical import document_shingles

    template = MinHash(num_perm=128)  # permutations made once, as MinHash.generator does

    def one(text: str) -> list[int]:
        m = template.copy()
        m.update_batch(_as_bytes(document_shingles([text])[0]))
        return lsh.query(m)

    for doc, _, _ in qs[:20]:
        one(doc.text)
    ms, found, fresh_candidates, candidates = [], {}, [], []
    for doc, kind, source in qs:
        t = time.perf_counter()
        keys = one(doc.text)
        ms.append((time.perf_counter() - t) * 1000)
        candidates.append(len(keys))
        if source is None:
            fresh_candidates.append(len(keys))
        else:
            found.setdefault(kind, []).append(number_of[source] in set(keys))
    return {"latency": pct(ms), "found": found, "fresh_candidates": float(np.mean(fresh_candidates or [0])),
            "candidates": float(np.mean(candidates))}


def time_checks(arch, qs) -> dict:
    arch.check(qs[1][0])  # warm-up (models, caches); not timed
    walls, stages, found = [], {}, {}
    for doc, kind, source in qs:
        t = time.perf_counter()
        result = arch.check(doc)  # saves the result, as 'filiation archive check' does
        walls.append((time.perf_counter() - t) * 1000)
        for k, v in result.timings_ms.items():
            stages.setdefault(k, []).append(v)
        if source is not None:
            found.setdefault(kind, []).append(any(source in (p.a, p.b) for p in result.pairs))
    return {"wall": pct(walls), "stages": {k: pct(v) for k, v in stages.items()}, "found": found}


class Meter:
    """Wall time spent inside named functions while it is on (instrumentation only)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._undo = []

    def wrap(self, owner, name: str, label: str) -> None:
        real = getattr(owner, name)
        meter = self

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                meter.seconds[label] = meter.seconds.get(label, 0.0) + time.perf_counter() - t

        setattr(owner, name, timed)
        self._undo.append((owner, name, real))

    def undo(self) -> None:
        for owner, name, real in reversed(self._undo):
            setattr(owner, name, real)
        self._undo.clear()


def incremental(arch, stream: Stream, run: int, n_new: int) -> dict:
    """``Archive.add`` of ``n_new`` new documents (and of one more) against ``analyze`` of them."""
    from filiation import analyze
    from filiation.archive import archive as archive_module
    from filiation.archive.bands import BandIndex
    from filiation.archive.store import ArchiveStore
    from filiation.archive.vectors import VectorIndex

    base = INCREMENT_BASE + run * (n_new + 1)
    docs = [Document(f"inc{run:03d}-{k:05d}", corpus.render(stream.gen.base(base + k))) for k in range(n_new + 1)]
    batch, single = docs[:n_new], docs[n_new:]
    t = time.perf_counter()
    analyze(batch, Settings(mode="fast"))
    analyze_s = time.perf_counter() - t
    out = {"analyze_s": analyze_s}
    for label, group in (("batch", batch), ("single", single)):
        meter = Meter()
        meter.wrap(archive_module, "sketch", "sketch (normalise + static vectors)")
        meter.wrap(ArchiveStore, "insert", "SQLite insert")
        meter.wrap(ArchiveStore, "count_upto", "SQLite count_upto (index checks)")
        meter.wrap(BandIndex, "extend", "band index merge")
        meter.wrap(BandIndex, "save", "band index save")
        meter.wrap(VectorIndex, "extend", "HNSW add")
        meter.wrap(VectorIndex, "save", "HNSW save")
        t = time.perf_counter()
        report = arch.add(group)
        seconds = time.perf_counter() - t
        meter.undo()
        assert len(report.added) == len(group), report
        out[label] = {"seconds": seconds, "parts": meter.seconds}
    return out


def file_sizes(out: Path) -> dict[str, int]:
    sizes = {}
    for p in sorted(out.glob("archive.db*")):
        if p.is_file():
            sizes[p.name] = p.stat().st_size
        elif p.is_dir():
            for q in sorted(p.iterdir()):
                sizes[f"{p.name}/{q.name}"] = q.stat().st_size
    return sizes


# ---- main --------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--full-queries", type=int, default=100)
    ap.add_argument("--out", type=Path, default=None, help="default bench/out/archive-N")
    ap.add_argument("--peer-docs", type=int, default=100_000, help="datasketch (and the subset) size")
    ap.add_argument("--build-procs", type=int, default=2)
    ap.add_argument("--increment", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--msrp", type=Path, default=corpus.DEFAULT_MSRP)
    ap.add_argument("--skip-full", action="store_true")
    ap.add_argument("--skip-peer", action="store_true")
    args = ap.parse_args()
    out = args.out or Path(f"bench/out/archive-{args.docs}")
    n_peer = min(args.peer_docs, args.docs)
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}}

    # 1. the archive
    rec = build(out, args.docs, args.build_procs, args.seed, args.msrp)
    results["build"] = rec
    how = "reused from an earlier run" if rec["reused"] else "built now"
    print(f"archive {out / 'archive.db'}: {args.docs:,} docs {how}; build {rec['seconds'] / 60:.1f} min, "
          f"{rec['docs_per_s']:,.0f} docs/s through Archive.add with {rec['procs']} writer processes "
          f"(final index sync {rec['final_sync_s']:.0f} s)")

    from filiation.archive import Archive
    from filiation.embed import static_encoder, transformer_available, transformer_encoder

    static_encoder()
    stream = Stream(args.seed, args.msrp)
    qs = queries(stream, args.queries, args.docs, n_peer, args.seed)
    t = time.perf_counter()
    arch = Archive(out / "archive.db", Settings(mode="fast"))
    n_archived = len(arch)
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    bands, vectors = arch.sync_indexes()
    load_s = time.perf_counter() - t
    print(f"open {open_s * 1000:.0f} ms, index load/catch-up {load_s:.2f} s: {n_archived:,} documents, "
          f"{len(bands.keys):,} band keys, {vectors.index.ntotal:,} vectors; RSS {rss_mb():,.0f} MB")
    sources = sorted({s for _, _, s in qs if s})
    number_of = {}
    for k in range(0, len(sources), 500):
        chunk = sources[k : k + 500]
        number_of.update(arch.store.db.execute(
            f"SELECT id, n FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    n_planted = sum(1 for _, _, s in qs if s)
    print(f"queries: {len(qs)} ({n_planted} planted derivatives of archived documents, {len(qs) - n_planted} fresh)")

    # 2. the lexical stage at full size
    lex = time_lexical(arch, qs, number_of)
    results["lexical"] = lex
    L = lex["latency"]
    print()
    print(f"{'lexical stage (lexical_candidates)':38s} {'docs':>9s} {'p50 ms':>8s} {'p90 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    print(f"{'filiation':38s} {n_archived:>9,} {L['p50']:8.2f} {L['p90']:8.2f} {L['p99']:8.2f} {L['max']:8.2f}")
    print(f"  recall of planted sources among candidates (<= {arch.max_lexical}): {recall_line(lex['found'])}")
    print(f"  candidates per query: {lex['candidates']:.1f} mean; fresh documents {lex['fresh_candidates']:.2f}")
    ok50, ok99 = L["p50"] < 50, L["p99"] < 200
    print(f"  target p50 < 50 ms: {'met' if ok50 else 'MISSED'}; p99 < 200 ms: {'met' if ok99 else 'MISSED'}")

    # 3. the same at the peer's size, and the peer
    if not args.skip_peer:
        print()
        if n_peer < n_archived:
            sub, sub_numbers, sub_texts, sub_index_s = subset_archive(out / "archive.db", Settings(mode="fast"), n_peer)
            sub_lex = time_lexical(sub, qs, number_of)
        else:
            sub, sub_lex = arch, lex
            rows = arch.store.db.execute("SELECT n, text FROM documents ORDER BY n").fetchall()
            sub_numbers = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            sub_texts = [r[1] for r in rows]
            sub_index_s = float("nan")
            del rows
        lsh, pb = peer_build(sub_numbers, sub_texts, args.build_procs)
        n_sub = len(sub_texts)
        del sub_texts
        peer = peer_query(lsh, qs, number_of)
        results["subset"] = {"docs": n_sub, "lexical": sub_lex, "band_index_s": sub_index_s}
        results["peer"] = {"build": pb, **peer}
        S, P = sub_lex["latency"], peer["latency"]
        print(f"at equal size, {n_sub:,} documents (datasketch MinHashLSH num_perm=128, params=(64, 2)):")
        print(f"{'':38s} {'docs':>9s} {'p50 ms':>8s} {'p90 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
        print(f"{'filiation lexical_candidates':38s} {n_sub:>9,} {S['p50']:8.2f} {S['p90']:8.2f} {S['p99']:8.2f} {S['max']:8.2f}")
        print(f"{'datasketch shingles+MinHash+query':38s} {n_sub:>9,} {P['p50']:8.2f} {P['p90']:8.2f} {P['p99']:8.2f} {P['max']:8.2f}")
        print(f"  ratio filiation/datasketch query latency: p50 {S['p50'] / P['p50']:.3f}, p99 {S['p99'] / P['p99']:.3f} "
              f"(datasketch/filiation: {P['p50'] / S['p50']:.1f}x at p50, {P['p99'] / S['p99']:.1f}x at p99)")
        if n_sub < n_archived:
            print(f"  (filiation at {n_archived:,} vs datasketch at {n_sub:,}: p50 {L['p50'] / P['p50']:.3f}, p99 {L['p99'] / P['p99']:.3f})")
        print(f"  recall filiation:  {recall_line(sub_lex['found'])}")
        print(f"  recall datasketch: {recall_line(peer['found'])}")
        print(f"  candidates per query: filiation {sub_lex['candidates']:.1f} (top {arch.max_lexical} kept), "
              f"datasketch {peer['candidates']:.1f} (all colliding); fresh documents {sub_lex['fresh_candidates']:.2f} vs "
              f"{peer['fresh_candidates']:.2f}")
        print(f"  datasketch build {pb['total_s']:.1f} s = {n_sub / pb['total_s']:,.0f} docs/s (shingles {pb['shingle_s']:.1f} s, "
              f"MinHash in {args.build_procs} processes {pb['minhash_s']:.1f} s, LSH insert {pb['insert_s']:.1f} s); "
              f"its index holds {pb['rss_mb']:,.0f} MB of RSS (~{pb['rss_mb'] * args.docs / n_sub / 1024:,.1f} GB at {args.docs:,})")
        if n_sub < n_archived:
            print(f"  filiation band index over the same {n_sub:,} signatures: {sub_index_s:.2f} s "
                  f"(the archive's own build rate is in the first line: it also stores texts and static vectors)")
        del lsh
        if sub is not arch:
            sub.close()

    # 4. full check
    if not args.skip_full and args.full_queries:
        print()
        fq = qs[: args.full_queries]
        have_transformer = transformer_available()
        if have_transformer:
            transformer_encoder()  # loaded once, outside the timings
        results["check"] = {}
        print(f"Archive.check, {len(fq)} queries ({sum(1 for _, _, s in fq if s)} planted), {n_archived:,} documents; ms")
        print(f"{'mode':6s} {'wall p50':>9s} {'wall p99':>9s} | stage p50/p99: lexical, semantic, relate, total")
        for mode in ("full", "fast"):
            checker = Archive(out / "archive.db", Settings(mode=mode))  # type: ignore[arg-type]
            checker._bands, checker._vectors = arch._bands, arch._vectors  # loaded once above
            c = time_checks(checker, fq)
            checker.close()
            results["check"][mode] = c
            st = c["stages"]
            stage_txt = ", ".join(f"{k} {st[k]['p50']:.1f}/{st[k]['p99']:.1f}" for k in ("lexical", "semantic", "relate", "total") if k in st)
            print(f"{mode:6s} {c['wall']['p50']:9.1f} {c['wall']['p99']:9.1f} | {stage_txt}")
            found = c["found"]
            print(f"       planted source reported as a pair: " + ", ".join(
                f"{k} {sum(v)}/{len(v)}" for k, v in sorted(found.items())))
        if not have_transformer:
            print("  (no transformer installed: full mode fell back to the static model)")

    # 5. incremental
    if args.increment:
        print()
        run = int(json.loads((out / "build.json").read_text()).get("increments", 0))
        inc = incremental(arch, stream, run, args.increment)
        rec_file = json.loads((out / "build.json").read_text())
        rec_file["increments"] = run + 1
        (out / "build.json").write_text(json.dumps(rec_file, indent=1))
        results["incremental"] = inc
        b, s = inc["batch"], inc["single"]
        print(f"incremental: Archive.add of {args.increment:,} new documents to {n_archived:,}: {b['seconds']:.1f} s; "
              f"analyze of the same {args.increment:,} alone (fast mode): {inc['analyze_s']:.1f} s; "
              f"ratio add/analyze {b['seconds'] / inc['analyze_s']:.2f}")
        other = b["seconds"] - sum(b["parts"].values())
        print("  add's time: " + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(b["parts"].items(), key=lambda x: -x[1]))
              + f", other {other:.2f} s")
        print(f"  Archive.add of 1 document (as 'watch --add' does per article): {s['seconds']:.2f} s: "
              + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(s["parts"].items(), key=lambda x: -x[1])))

    # 6. memory and files
    print()
    sizes = file_sizes(out)
    results["files"] = sizes
    results["peak_rss_mb"] = peak_rss_mb()
    print(f"peak RSS: this process {peak_rss_mb():,.0f} MB (after loading the indexes {rss_mb():,.0f} MB now); "
          f"build writers {rec.get('peak_rss_writer_mb', float('nan')):,.0f} MB each at most")
    print("archive files: " + ", ".join(f"{k} {v / 2**20:,.0f} MB" for k, v in sizes.items() if not k.endswith("lock")))
    arch.close()
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()

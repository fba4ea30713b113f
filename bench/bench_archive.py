"""Archive at scale: check latency against 10^6 archived documents, against datasketch MinHashLSH.

    python bench/bench_archive.py --docs 100000                          # quick run
    python bench/bench_archive.py [--docs 1000000] [--queries 1000] [--full-queries 100]
                                  [--out bench/out/archive-N] [--peer-docs 100000]
                                  [--build-procs 2] [--fold-batches 25] [--skip-full] [--skip-peer]

Archive: ``--docs`` news-length documents made from real MSRP sentences by ``bench/corpus.py``'s
``Generator`` (words shuffled inside each sentence placement, see its docstring), generated as
a stream (document ``i`` from its own seeded RNG: never a list of 10^6 texts) and added through
``Archive.add``.  About 5% of the archived documents are planted derivatives of earlier ones, as
in ``corpus.build``.  ``Archive.add`` sketches in one process, so the build runs
``--build-procs`` writers on one archive, each adding every k-th document (the store serialises
writers; each catches the indexes up when it ends).  A finished build is recorded in
``OUT/build.json`` and reused by later runs; an interrupted one resumes (archived ids are
skipped).  Later runs find the archive grown by the documents earlier runs' incremental phase
added: the sizes printed are the ones measured.

Queries (``--queries``, never archived): half planted derivatives of archived documents (kinds
cycled over ``corpus.KINDS``; sources drawn among the first ``--peer-docs`` documents so that
the smaller archive below holds every source too), half fresh unrelated documents.  Printed:

* the lexical stage alone (``Archive.lexical_candidates``): p50/p90/p99/max ms per query, and
  recall of the planted source among its candidates (at most 30), per kind;
* the same against an archive of the first ``--peer-docs`` documents (built once, through
  ``Archive.add`` too, as ``archive-P`` beside ``OUT``: the same ids and texts), next to
  datasketch ``MinHashLSH`` built on that archive's documents (shingles from
  ``document_shingles``, the sketch's own) and queried with the same queries: its build time
  and memory, query p50/p90/p99, recall, and the ratio filiation/datasketch in query latency
  at equal archive size;
* full ``Archive.check`` (saving the result, as the CLI does) for ``--full-queries`` queries in
  full and fast mode: wall p50/p99 and the stage breakdown from ``timings_ms``;
* incremental: ``Archive.add`` of 1,000 new documents against ``analyze`` of the same 1,000
  alone in fast mode, with where the add's time goes; ``Archive.add`` of one document (as
  ``watch --add`` does per article); then more batches of 1,000 until the index writes its
  files again (``--fold-batches`` at most), for the amortised cost of a steady stream;
* peak RSS, the datasketch index's memory, and the archive's file sizes.

The datasketch side uses ``MinHashLSH(num_perm=128, params=(64, 2))``: the archive's own
banding (``Settings.bands`` x ``rows`` = 64 x 2, an S-curve with threshold ~0.125), so both
sides ask the same question and recall is comparable.  bench_lexical.py's threshold 0.5 suits
pairs with Jaccard >= 0.5, but an excerpt of 30-60% of its source (a kind the archive must
find) has Jaccard ~0.3-0.6 with it.  datasketch's MinHash is 128 independent permutations
(SHA-1 per shingle), filiation's one permutation.  Its index needs ~27 KB of RAM per document
(measured at 10^5), ~27 GB at 10^6 on this 24 GB machine: hence the equal-size comparison.

Builds come first, in their own processes: a fork pool started after faiss has run deadlocks
(libgomp).  Printed first: a fingerprint of the archive code measured.
"""
from __future__ import annotations

import argparse
import gc
import hashlib
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
    earlier base document; each decided by its own RNG, so any slice is generated alone and the
    first P documents of every archive size are the same."""

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

    def documents(self, slots):
        for i in slots:
            yield Document(self.doc_id(i), self.text(i))

    def fresh(self, k: int) -> Document:
        return Document(f"fresh{k:05d}", corpus.render(self.gen.base(FRESH_BASE + k)))

    def planted(self, k: int, source: int, kind: str) -> Document:
        return Document(f"q{k:05d}", corpus.render(self.gen.derive(QUERY_DERIVED + k, self.gen.base(source), kind)))


def queries(stream: Stream, n_queries: int, source_pool: int, seed: int) -> list[tuple[Document, str, str | None]]:
    """``(document, kind, source id)``: planted derivatives and fresh documents, interleaved."""
    rng = random.Random(f"{seed}:queries")
    out = []
    for k in range(n_queries):
        if k % 2 == 0:
            kind = corpus.KINDS[(k // 2) % len(corpus.KINDS)]
            while True:
                src = rng.randrange(source_pool)
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

        def timed_sync(*a, **kw):
            t = time.perf_counter()
            try:
                return real_sync(*a, **kw)
            finally:
                synced[0] += time.perf_counter() - t

        arch.sync_indexes = timed_sync  # type: ignore[method-assign]
        report = arch.add(stream.documents(range(part, n_docs, parts)), done)
    return {"added": len(report.added), "unchanged": len(report.unchanged), "problems": len(report.problems),
            "seconds": time.perf_counter() - t0, "sync_seconds": synced[0]}


def _create(path: str) -> None:
    from filiation.archive import Archive

    Archive(path, Settings(mode="fast")).close()


def build(out: Path, n_docs: int, procs: int, seed: int, msrp: Path) -> dict:
    """Build (or resume) the archive at ``out/archive.db`` in ``procs`` child processes."""
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
    # created by one process first: two processes creating one archive at the same moment fail
    # 1 time in 8 here ("not a filiation archive (database is locked)", the WAL switch)
    creator = mp.get_context("fork").Process(target=_create, args=(path,))
    creator.start()
    creator.join()
    with mp.get_context("fork").Pool(procs) as pool:
        parts = pool.map(_build_worker, jobs)
    seconds = time.perf_counter() - t0
    added = sum(p["added"] for p in parts)
    record = {"docs": n_docs, "seed": seed, "procs": procs, "seconds": seconds, "added": added,
              "docs_per_s": added / seconds if added else float("nan"),
              "final_sync_s": max(p["sync_seconds"] for p in parts), "writers": parts,
              "peak_rss_writer_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
              "code": code_fingerprint()}
    record_file.write_text(json.dumps(record, indent=1))
    record["reused"] = False
    return record


def build_line(out: Path, rec: dict) -> str:
    how = "reused from an earlier run" if rec["reused"] else "built now"
    return (f"archive {out / 'archive.db'}: {rec['docs']:,} docs {how}: {rec['seconds'] / 60:.1f} min, "
            f"{rec['docs_per_s']:,.0f} docs/s through Archive.add in {rec['procs']} writer processes "
            f"(final index sync {rec['final_sync_s']:.0f} s; code {rec.get('code', '?')})")


# ---- measuring ---------------------------------------------------------------------------------

def code_fingerprint() -> str:
    import filiation

    root = Path(filiation.__file__).parent
    files = sorted([*root.glob("archive/*.py"), root / "candidates/minhash.py", root / "text/shingles.py"])
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]
    newest = max(f.stat().st_mtime for f in files)
    return f"{digest}, newest file {time.strftime('%H:%M:%S', time.gmtime(newest))} UTC"


def pct(ms: list[float]) -> dict:
    a = np.asarray(ms)
    return {"p50": float(np.percentile(a, 50)), "p90": float(np.percentile(a, 90)),
            "p99": float(np.percentile(a, 99)), "max": float(a.max()), "mean": float(a.mean())}


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def numbers_of(arch, ids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k in range(0, len(ids), 500):
        chunk = ids[k : k + 500]
        out.update(arch.store.db.execute(f"SELECT id, n FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall())
    return out


def _latencies(one, qs, number_of: dict[str, int]) -> dict:
    """Per-query latency of ``one(document) -> candidate numbers``, recall of planted sources."""
    for doc, _, _ in qs[:20]:  # warm-up (first page faults of memory-mapped arrays, caches)
        one(doc)
    gc.collect()
    ms, found, fresh_candidates, candidates = [], {}, [], []
    for doc, kind, source in qs:
        t = time.perf_counter()
        numbers = one(doc)
        ms.append((time.perf_counter() - t) * 1000)
        candidates.append(len(numbers))
        if source is None:
            fresh_candidates.append(len(numbers))
        else:
            found.setdefault(kind, []).append(number_of[source] in set(numbers))
    return {"latency": pct(ms), "found": found, "fresh_candidates": float(np.mean(fresh_candidates or [0])),
            "candidates": float(np.mean(candidates))}


def time_lexical(arch, qs, number_of: dict[str, int]) -> dict:
    return _latencies(lambda doc: arch.lexical_candidates(doc)[0].tolist(), qs, number_of)


def recall_line(found: dict[str, list[bool]]) -> str:
    lex = [x for k in LEXICAL_KINDS for x in found.get(k, [])]
    parts = [f"{k} {sum(found.get(k, []))}/{len(found.get(k, []))}" for k in (*LEXICAL_KINDS, "rewrite")]
    return f"lexical kinds {sum(lex) / max(len(lex), 1):.3f} ({sum(lex)}/{len(lex)}): " + ", ".join(parts)


def peer_build(numbers: np.ndarray, texts: list[str], processes: int):
    from datasketch import MinHash, MinHashLSH
    from peer_datasketch import _sketch_chunk

    from filiation.candidates.lexical import document_shingles

    MinHashLSH(num_perm=128, params=(64, 2))  # imports and first allocations outside the memory figure
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    shingles = document_shingles(texts, processes=processes)
    t_sh = time.perf_counter() - t0
    keep = [k for k, s in enumerate(shingles) if len(s)]
    size = -(-len(keep) // (processes * 4))
    chunks = [([shingles[k] for k in keep[i : i + size]], 128) for i in range(0, len(keep), size)]
    with mp.get_context("fork").Pool(processes) as pool:  # numpy and datasketch only in the children
        values = [h for part in pool.map(_sketch_chunk, chunks) for h in part]
    del shingles, chunks
    t_mh = time.perf_counter() - t0 - t_sh
    lsh = MinHashLSH(num_perm=128, params=(64, 2))
    with lsh.insertion_session() as session:
        for k, (h, scheme) in zip(keep, values):
            session.insert(int(numbers[k]), MinHash(num_perm=128, hashvalues=h, scheme=scheme))
    del values
    total = time.perf_counter() - t0
    gc.collect()
    return lsh, {"shingle_s": t_sh, "minhash_s": t_mh, "insert_s": total - t_sh - t_mh, "total_s": total,
                 "rss_mb": rss_mb() - before}


def peer_query(lsh, qs, number_of: dict[str, int]) -> dict:
    """datasketch's query as its docs show it: MinHash of the shingles (permutations made once,
    as ``MinHash.generator`` does), then ``lsh.query``; shingling timed on its side too."""
    from datasketch import MinHash
    from peer_datasketch import _as_bytes

    from filiation.candidates.lexical import document_shingles

    template = MinHash(num_perm=128)

    def one(doc: Document) -> list[int]:
        m = template.copy()
        m.update_batch(_as_bytes(document_shingles([doc.text])[0]))
        return lsh.query(m)

    return _latencies(one, qs, number_of)


def time_checks(arch, qs) -> dict:
    arch.check(qs[1][0])  # warm-up (models, caches); not timed
    gc.collect()
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


def _meter() -> Meter:
    from filiation.archive import archive as archive_module
    from filiation.archive.bands import BandIndex
    from filiation.archive.store import ArchiveStore
    from filiation.archive.vectors import VectorIndex

    meter = Meter()
    for owner, name, label in ((archive_module, "sketch", "sketch"), (ArchiveStore, "insert", "SQLite insert"),
                               (ArchiveStore, "count_upto", "SQLite count_upto"),
                               (ArchiveStore, "signatures_after", "SQLite signatures_after"),
                               (BandIndex, "extend", "bands extend"), (BandIndex, "fold", "bands fold"),
                               (BandIndex, "save", "bands save"), (VectorIndex, "extend", "vectors extend"),
                               (VectorIndex, "fold", "vectors fold (HNSW add)"), (VectorIndex, "save", "vectors save")):
        if hasattr(owner, name):
            meter.wrap(owner, name, label)
    return meter


def _timed_add(arch, docs: list[Document]) -> dict:
    meter = _meter()
    gc.collect()
    t = time.perf_counter()
    try:
        report = arch.add(docs)
    finally:
        meter.undo()
    seconds = time.perf_counter() - t
    assert len(report.added) == len(docs), (len(report.added), len(report.unchanged), report.problems[:3])
    return {"seconds": seconds, "parts": meter.seconds}


def parts_line(parts: dict[str, float], seconds: float) -> str:
    shown = [f"{k} {v:.2f}" for k, v in sorted(parts.items(), key=lambda x: -x[1]) if v >= 0.005]
    return ", ".join(shown + [f"other {seconds - sum(parts.values()):.2f}"])


def incremental(arch, stream: Stream, run: int, n_new: int, fold_batches: int) -> dict:
    """``Archive.add`` of ``n_new`` new documents against ``analyze`` of them alone; then five
    single documents; then more batches until the index saves its files (a fold)."""
    from filiation import analyze

    base = INCREMENT_BASE + run * 1_000_000

    def fresh(k: int) -> Document:
        return Document(f"inc{run:03d}-{k:06d}", corpus.render(stream.gen.base(base + k)))

    batch = [fresh(k) for k in range(n_new)]
    gc.collect()
    t = time.perf_counter()
    analyze(batch, Settings(mode="fast"))
    out = {"analyze_s": time.perf_counter() - t, "batch": _timed_add(arch, batch)}
    out["single"] = [_timed_add(arch, [fresh(n_new + k)]) for k in range(5)]
    adds = []
    k0 = n_new + 5
    for j in range(fold_batches):
        docs = [fresh(k0 + j * n_new + k) for k in range(n_new)]
        adds.append(_timed_add(arch, docs))
        if any(label.endswith("save") for label in adds[-1]["parts"]):
            break
    out["stream"] = adds
    return out


def semantic_recall(arch, qs, number_of: dict[str, int], efs=(128, 256, 512)) -> dict:
    """The semantic stage's ANN (``VectorIndex.query``: faiss HNSW, efSearch max(64, 2k)) against
    exact search over the same vectors: is each planted source among the ``neighbours`` nearest?
    Also, as a what-if, faiss's own search at larger efSearch (set on the graph directly)."""
    import faiss

    from filiation.archive.archive import sketch

    settings = arch.settings
    k = settings.neighbours
    _, vectors = arch.sync_indexes()
    planted = [(doc, kind, source) for doc, kind, source in qs if source is not None]
    qv = np.concatenate([sketch([doc], settings)[1] for doc, _, _ in planted]).astype(np.float32)
    ann, ms = [], []
    for v in qv:
        t = time.perf_counter()
        ids, _ = vectors.query(v, k, settings.min_doc_cosine)
        ms.append((time.perf_counter() - t) * 1000)
        ann.append(set(ids.tolist()))
    hnsw = faiss.downcast_index(vectors.index.index)
    base = faiss.rev_swig_ptr(faiss.downcast_index(hnsw.storage).get_xb(), hnsw.ntotal * hnsw.d).reshape(hnsw.ntotal, hnsw.d)
    base_ids = faiss.vector_to_array(vectors.index.id_map)
    tail_ids = getattr(vectors, "tail_ids", np.zeros(0, np.int64))
    tail = getattr(vectors, "tail_vectors", np.zeros((0, hnsw.d), np.float32))
    best_s = np.full((len(qv), k), -np.inf, np.float32)
    best_i = np.full((len(qv), k), -1, np.int64)
    for mat, ids in [(base[a : a + 100_000], base_ids[a : a + 100_000]) for a in range(0, len(base), 100_000)] + [(tail, tail_ids)]:
        if not len(ids):
            continue
        sims = qv @ mat.T
        s = np.concatenate([best_s, sims], axis=1)
        i = np.concatenate([best_i, np.broadcast_to(ids, sims.shape)], axis=1)
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        best_s, best_i = np.take_along_axis(s, top, 1), np.take_along_axis(i, top, 1)
    exact = [set(row[s_row >= settings.min_doc_cosine].tolist()) for row, s_row in zip(best_i, best_s)]
    out = {"latency": pct(ms), "ann": {}, "exact": {}, "what_if": {}}
    for (doc, kind, source), a, e in zip(planted, ann, exact):
        out["ann"].setdefault(kind, []).append(number_of[source] in a)
        out["exact"].setdefault(kind, []).append(number_of[source] in e)
    for ef in efs:
        hnsw.hnsw.efSearch = ef
        t = time.perf_counter()
        _, ids = vectors.index.search(qv, k)
        per_query = (time.perf_counter() - t) * 1000 / len(qv)
        hits = [number_of[src] in set(row.tolist()) or number_of[src] in set(tail_ids.tolist())
                for (_, _, src), row in zip(planted, ids)]
        out["what_if"][ef] = {"recall": float(np.mean(hits)), "ms_per_query": per_query}
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
    ap.add_argument("--peer-docs", type=int, default=100_000, help="size of datasketch's index and of the equal-size archive")
    ap.add_argument("--build-procs", type=int, default=2)
    ap.add_argument("--increment", type=int, default=1000)
    ap.add_argument("--fold-batches", type=int, default=25, help="most batches added while waiting for the index to save")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--msrp", type=Path, default=corpus.DEFAULT_MSRP)
    ap.add_argument("--skip-full", action="store_true")
    ap.add_argument("--skip-peer", action="store_true")
    args = ap.parse_args()
    out = args.out or Path(f"bench/out/archive-{args.docs}")
    n_peer = min(args.peer_docs, args.docs)
    sub_out = out if n_peer == args.docs else out.parent / f"archive-{n_peer}"
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "code": code_fingerprint()}
    print(f"code measured: src/filiation/archive/*.py + minhash.py + shingles.py sha256 {results['code']}")

    # 1. the archives, each built once (in child processes, before anything here loads faiss)
    rec = build(out, args.docs, args.build_procs, args.seed, args.msrp)
    results["build"] = rec
    print(build_line(out, rec))
    if sub_out != out and not args.skip_peer:
        sub_rec = build(sub_out, n_peer, args.build_procs, args.seed, args.msrp)
        results["build_peer_size"] = sub_rec
        print(build_line(sub_out, sub_rec))

    from filiation.archive import Archive
    from filiation.embed import static_encoder, transformer_available, transformer_encoder

    static_encoder()
    stream = Stream(args.seed, args.msrp)
    qs = queries(stream, args.queries, n_peer, args.seed)
    meter = _meter()
    t = time.perf_counter()
    arch = Archive(out / "archive.db", Settings(mode="fast"))
    n_archived = len(arch)
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    bands, vectors = arch.sync_indexes()
    load_s = time.perf_counter() - t
    meter.undo()
    print(f"open {open_s * 1000:.0f} ms, index load/catch-up {load_s:.2f} s ({parts_line(meter.seconds, load_s)}): "
          f"{n_archived:,} documents, {len(bands.keys) + len(getattr(bands, 'tail_keys', [])):,} band keys, "
          f"{vectors.index.ntotal + len(getattr(vectors, 'tail_ids', [])):,} vectors; RSS {rss_mb():,.0f} MB")
    sources = sorted({s for _, _, s in qs if s})
    number_of = numbers_of(arch, sources)
    n_planted = sum(1 for _, _, s in qs if s)
    print(f"queries: {len(qs)} ({n_planted} planted derivatives of archived documents, {len(qs) - n_planted} fresh)")

    # 2. the lexical stage at full size
    first = time_lexical(arch, qs, number_of)  # the band arrays as loaded (memory-mapped, partly on disk)
    lex = time_lexical(arch, qs, number_of)  # the same queries again: pages in memory
    results["lexical_first_pass"], results["lexical"] = first, lex
    L, F = lex["latency"], first["latency"]
    print()
    print(f"{'lexical stage':38s} {'docs':>9s} {'p50 ms':>8s} {'p90 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    print(f"{'filiation, first pass after loading':38s} {n_archived:>9,} {F['p50']:8.2f} {F['p90']:8.2f} {F['p99']:8.2f} {F['max']:8.2f}")
    print(f"{'filiation, second pass (warm)':38s} {n_archived:>9,} {L['p50']:8.2f} {L['p90']:8.2f} {L['p99']:8.2f} {L['max']:8.2f}")
    print(f"  recall of planted sources among candidates (<= {arch.max_lexical}): {recall_line(lex['found'])}")
    print(f"  candidates per query: {lex['candidates']:.1f} mean; fresh documents {lex['fresh_candidates']:.2f}")
    worst = max(L["p99"], F["p99"]), max(L["p50"], F["p50"])
    print(f"  target p50 < 50 ms: {'met' if worst[1] < 50 else 'MISSED'}; p99 < 200 ms: {'met' if worst[0] < 200 else 'MISSED'} (both passes)")

    # 2b. the semantic stage's nearest-neighbour search, against exact search
    sem = semantic_recall(arch, qs, number_of)
    results["semantic"] = sem
    print()
    print(f"semantic stage (VectorIndex.query, k={arch.settings.neighbours}): p50 {sem['latency']['p50']:.2f} ms, "
          f"p99 {sem['latency']['p99']:.2f} ms; planted source among the neighbours, HNSW as used / exact search:")
    print("  " + ", ".join(f"{k} {sum(sem['ann'][k])}/{sum(sem['exact'][k])}" for k in corpus.KINDS if k in sem["ann"])
          + f" (of {len(sem['ann'].get('rewrite', []))} each)")
    print("  what-if, faiss efSearch set directly: " + ", ".join(
          f"{ef}: recall {w['recall']:.3f} at {w['ms_per_query']:.2f} ms" for ef, w in sem["what_if"].items())
          + f"; as used: {np.mean([x for v in sem['ann'].values() for x in v]):.3f}, exact: "
          f"{np.mean([x for v in sem['exact'].values() for x in v]):.3f}")

    # 3. at the peer's size: filiation's archive of the first P documents, and datasketch on them
    if not args.skip_peer:
        print()
        sub = arch if sub_out == out else Archive(sub_out / "archive.db", Settings(mode="fast"))
        sub.sync_indexes()
        sub_number_of = numbers_of(sub, sources)
        sub_first = first if sub is arch else time_lexical(sub, qs, sub_number_of)
        sub_lex = lex if sub is arch else time_lexical(sub, qs, sub_number_of)  # second pass, warm
        rows = sub.store.db.execute("SELECT n, text FROM documents ORDER BY n").fetchall()
        sub_numbers = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        sub_texts = [r[1] for r in rows]
        del rows
        n_sub = len(sub_texts)
        lsh, pb = peer_build(sub_numbers, sub_texts, args.build_procs)
        del sub_texts
        peer = peer_query(lsh, qs, sub_number_of)
        results["peer_size"] = {"docs": n_sub, "lexical": sub_lex, "lexical_first_pass": sub_first}
        results["peer"] = {"build": pb, **peer}
        S, P = sub_lex["latency"], peer["latency"]
        print(f"at equal size: {n_sub:,} documents, the same in both (datasketch MinHashLSH num_perm=128, params=(64, 2))")
        print(f"{'lexical stage':38s} {'docs':>9s} {'p50 ms':>8s} {'p90 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
        print(f"{'filiation Archive.lexical_candidates':38s} {n_sub:>9,} {S['p50']:8.2f} {S['p90']:8.2f} {S['p99']:8.2f} {S['max']:8.2f}")
        print(f"{'  (its first pass)':38s} {n_sub:>9,} {sub_first['latency']['p50']:8.2f} {sub_first['latency']['p90']:8.2f} "
              f"{sub_first['latency']['p99']:8.2f} {sub_first['latency']['max']:8.2f}")
        print(f"{'datasketch shingles+MinHash+query':38s} {n_sub:>9,} {P['p50']:8.2f} {P['p90']:8.2f} {P['p99']:8.2f} {P['max']:8.2f}")
        print(f"  ratio filiation (second pass)/datasketch query latency: p50 {S['p50'] / P['p50']:.2f}, p99 {S['p99'] / P['p99']:.2f} "
              f"(filiation {P['p50'] / S['p50']:.1f}x faster at p50, {P['p99'] / S['p99']:.1f}x at p99)")
        if n_sub < n_archived:
            print(f"  (filiation at {n_archived:,} against datasketch at {n_sub:,}: p50 {L['p50'] / P['p50']:.2f}, "
                  f"p99 {L['p99'] / P['p99']:.2f})")
        print(f"  recall filiation:  {recall_line(sub_lex['found'])}")
        print(f"  recall datasketch: {recall_line(peer['found'])}")
        print(f"  candidates per query: filiation {sub_lex['candidates']:.2f} (top {arch.max_lexical} kept), "
              f"datasketch {peer['candidates']:.2f} (all colliding); for fresh documents {sub_lex['fresh_candidates']:.2f} "
              f"and {peer['fresh_candidates']:.2f}")
        print(f"  datasketch build {pb['total_s']:.1f} s = {n_sub / pb['total_s']:,.0f} docs/s (shingles {pb['shingle_s']:.1f} s, "
              f"MinHash in {args.build_procs} processes {pb['minhash_s']:.1f} s, LSH insert {pb['insert_s']:.1f} s); "
              f"its index takes {pb['rss_mb']:,.0f} MB of RSS (~{pb['rss_mb'] * 1e6 / n_sub / 1024:,.0f} GB at 1,000,000)")
        sub_build = results.get("build_peer_size", rec)
        print(f"  filiation built this archive at {sub_build['docs_per_s']:,.0f} docs/s (Archive.add: texts, signatures, "
              f"static vectors, both indexes; lexical stage alone: bench_lexical.py)")
        del lsh
        if sub is not arch:
            sub.close()
        gc.collect()

    # 4. full check
    if not args.skip_full and args.full_queries:
        print()
        fq = qs[: args.full_queries]
        have_transformer = transformer_available()
        if have_transformer:
            transformer_encoder()  # loaded once, outside the timings
        results["check"] = {}
        print(f"Archive.check, {len(fq)} queries ({sum(1 for _, _, s in fq if s)} planted), {n_archived:,} documents; ms")
        print(f"{'mode':6s} {'wall p50':>9s} {'wall p99':>9s} | stage p50/p99: sketch, lexical, semantic, relate, total")
        for mode in ("full", "fast"):
            checker = Archive(out / "archive.db", Settings(mode=mode))  # type: ignore[arg-type]
            checker.sync_indexes()
            c = time_checks(checker, fq)
            checker.close()
            results["check"][mode] = c
            st = c["stages"]
            stage_txt = ", ".join(f"{k} {st[k]['p50']:.1f}/{st[k]['p99']:.1f}" for k in ("sketch", "lexical", "semantic", "relate", "total") if k in st)
            print(f"{mode:6s} {c['wall']['p50']:9.1f} {c['wall']['p99']:9.1f} | {stage_txt}")
            print("       planted source reported in a pair: " + ", ".join(
                f"{k} {sum(v)}/{len(v)}" for k, v in sorted(c["found"].items())))
        if not have_transformer:
            print("  (no transformer installed: full mode fell back to the static model)")
        gc.collect()

    # 5. incremental
    if args.increment:
        print()
        record = json.loads((out / "build.json").read_text())
        run = int(record.get("increments", 0))
        record["increments"] = run + 1  # the next run's documents get other ids
        (out / "build.json").write_text(json.dumps(record, indent=1))
        n_before = len(arch)
        inc = incremental(arch, stream, run, args.increment, args.fold_batches)
        results["incremental"] = inc
        b = inc["batch"]
        print(f"incremental, archive of {n_before:,}: Archive.add of {args.increment:,} new documents {b['seconds']:.2f} s; "
              f"analyze of the same {args.increment:,} alone (fast mode) {inc['analyze_s']:.2f} s; "
              f"ratio add/analyze {b['seconds'] / inc['analyze_s']:.2f}")
        print(f"  that add, s: {parts_line(b['parts'], b['seconds'])}")
        singles = [x["seconds"] for x in inc["single"]]
        print(f"  Archive.add of 1 document (as 'watch --add' does per article), 5 times: median {np.median(singles):.3f} s, "
              f"max {max(singles):.3f} s")
        adds = inc["stream"]
        if adds:
            secs = [x["seconds"] for x in adds]
            saved = [k for k, x in enumerate(adds) if any(lbl.endswith("save") for lbl in x["parts"])]
            total_docs = args.increment * (len(adds) + 1)
            total_s = b["seconds"] + sum(secs)
            print(f"  then {len(adds)} more adds of {args.increment:,}: median {np.median(secs):.2f} s"
                  + (f"; add {saved[0] + 2} wrote the index files: {secs[saved[0]]:.2f} s "
                     f"({parts_line(adds[saved[0]]['parts'], secs[saved[0]])})" if saved else
                     f"; the index files were not rewritten within {len(adds) + 1} adds"))
            print(f"  steady stream: {total_docs:,} documents in {total_s:.1f} s = {total_s / (total_docs / args.increment):.2f} s "
                  f"per {args.increment:,} (amortised), {total_s / (total_docs / args.increment) / inc['analyze_s']:.2f}x analyze's")

    # 6. memory and files
    print()
    sizes = file_sizes(out)
    results["files"] = sizes
    results["peak_rss_mb"] = peak_rss_mb()
    print(f"peak RSS: this process {peak_rss_mb():,.0f} MB ({rss_mb():,.0f} MB now, indexes loaded); "
          f"build writers {rec.get('peak_rss_writer_mb', float('nan')):,.0f} MB each at most")
    print(f"archive files ({len(arch):,} documents now): "
          + ", ".join(f"{k} {v / 2**20:,.0f} MB" for k, v in sizes.items() if not k.endswith("lock") and v >= 2**20))
    arch.close()
    (out / "results.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()

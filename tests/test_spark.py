"""The Spark engine against the local engine, in local[2]: same pairs, relations, directions,
passages (within a few characters), stories and findings; skew-safe banding; the readers.

One SparkSession serves the module; skipped without pyspark or Java."""
from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("the Spark engine needs Java (17+)", allow_module_level=True)

from filiation import Document, Settings, analyze  # noqa: E402
from filiation.engine.spark import analyze_spark, collect_analysis, run_spark, write_spark_results  # noqa: E402
from filiation.engine.spark_io import SparkInputError, read_inputs, spark_session, split_outcomes  # noqa: E402
from filiation.schema import document_row, finding_row, pair_row, passage_row, stemma_document  # noqa: E402

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
TOLERANCE = 5  # characters a passage boundary may move between the engines


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]")
    yield session
    session.stop()


# ---------------------------------------------------------------------------------------------
# a corpus: the five seed articles and planted copies of them


def _seed_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def _edit_words(text: str, every: int, rng: random.Random) -> str:
    """Replace every ``every``-th word by another word of the text (a light copy edit)."""
    words = re.findall(r"\S+", text)
    pool = [w for w in words if w.isalpha()]
    return " ".join(rng.choice(pool) if k % every == every - 1 else w for k, w in enumerate(words))


def planted_corpus() -> dict[str, str]:
    """``{relative path without extension: text}``: seeds plus copies, an excerpt, a cut
    version, a copy of a copy and a splice of two seeds."""
    rng = random.Random(7)
    seeds = _seed_texts()
    names = sorted(seeds)
    s0, s2, s3, s4 = (seeds[names[k]] for k in (0, 2, 3, 4))
    paras0 = [p for p in s0.split("\n\n") if p.strip()]
    sentences2 = re.split(r"(?<=[.!?])\s+", s2)
    half = len(sentences2) // 4
    light = _edit_words(s4, 40, rng)
    docs = {f"seeds/{k}": v for k, v in seeds.items()}
    docs["copies/light_edit_004"] = light
    docs["copies/copy_of_light_edit"] = _edit_words(light, 55, rng)
    docs["copies/excerpt_002"] = " ".join(sentences2[half : 3 * half])
    docs["copies/cut_000"] = "\n\n".join(p for k, p in enumerate(paras0) if k % 3 != 1)
    docs["copies/splice_003_004"] = s3[: len(s3) // 2] + "\n\n" + s4[len(s4) // 2 :]
    docs["briefs/one_line"] = BRIEF
    return docs


#: a one-sentence summary of 004, written for the tests: a brief
BRIEF = ("Iranian-backed militias keep targeting American troops in Syria and Iraq, with more than a dozen "
         "attacks in one week, while Israel readies its ground offensive in Gaza.")


DATES = {  # some documents dated, to exercise date order; the rest decided by content
    "seeds/004_645228446c379145": "2024-03-01T09:00:00Z",
    "copies/light_edit_004": "2024-03-02T09:00:00Z",
    "copies/copy_of_light_edit": "2024-03-04T09:00:00Z",
    "copies/cut_000": "2024-03-05",
}


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("spark-corpus")
    for name, text in planted_corpus().items():
        path = root / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "seeds" / "notes.csv.bak").write_text("not a document", encoding="utf-8")  # ignored by both
    return root


@pytest.fixture(scope="module")
def corpus_jsonl(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("spark-jsonl") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for name, text in planted_corpus().items():
            record = {"id": name, "text": text} | ({"date": DATES[name]} if name in DATES else {})
            fh.write(json.dumps(record) + "\n")
    return path


# ---------------------------------------------------------------------------------------------
# comparing two analyses


def _close(x, y) -> bool:
    return (x.kind == y.kind and x.a == y.a and x.b == y.b
            and all(abs(getattr(x, f) - getattr(y, f)) <= TOLERANCE for f in ("a_start", "a_end", "b_start", "b_end")))


def _borderline(passage, settings: Settings) -> bool:
    """A paraphrase passage the transformer kept by a hair (see ``assert_equivalent``)."""
    return passage.kind == "paraphrase" and passage.score < settings.match_probability + 0.1


def _passages_agree(ours, theirs, settings: Settings, transformer: bool) -> bool:
    if not transformer:
        return len(ours) == len(theirs) and all(_close(x, y) for x, y in zip(ours, theirs))
    lost = [p for p in theirs if not any(_close(p, q) for q in ours)]
    new = [q for q in ours if not any(_close(q, p) for p in theirs)]
    return all(_borderline(p, settings) for p in lost + new)


def assert_equivalent(spark_result, local_result, settings: Settings) -> None:
    """The Spark engine's analysis against the local engine's: same pairs, relations and
    directions, passages within ``TOLERANCE`` characters, same stories, sentences, limits and
    (fast mode) findings.

    Full mode: all-MiniLM runs int8 with *dynamic* quantisation, whose activation scale is
    taken per batch, so a sentence's vector depends on the sentences encoded with it (cosine
    0.90-0.96 between one sentence alone and in a batch; the fp32 model is batch-invariant).
    The local engine encodes every doubtful sentence of the corpus in one call, the Spark
    engine those of one partition's chunk; so there a paraphrase passage kept by a hair may
    come and go, and confidences (from the share of matched sentences) and findings are not
    compared.  Relations, directions and the trees' edges must still agree."""
    transformer = settings.mode == "full"
    ours = {(p.a, p.b): p for p in spark_result.pairs}
    theirs = {(p.a, p.b): p for p in local_result.pairs}
    assert set(ours) == set(theirs), "the engines found different pairs"
    for key, p in theirs.items():
        q = ours[key]
        assert (q.relation, q.direction) == (p.relation, p.direction), key
        if not transformer:
            assert q.confidence == p.confidence, key
        assert _passages_agree(q.passages, p.passages, settings, transformer), key
    if transformer:
        def shape(stories):
            return [(s.id, s.documents, s.nodes, [(e.source, e.target, e.relation, e.direction_evidence) for e in s.edges])
                    for s in stories]

        assert shape(spark_result.stories) == shape(local_result.stories)
    else:
        assert spark_result.stories == local_result.stories
    assert [d.id for d in spark_result.documents] == [d.id for d in local_result.documents]
    assert [(d.text, d.date, d.title) for d in spark_result.documents] == \
        [(d.text, d.date, d.title) for d in local_result.documents]
    assert spark_result.sentences == local_result.sentences
    assert spark_result.limits == local_result.limits
    if not transformer:
        assert [finding_row(f) for f in spark_result.findings] == [finding_row(f) for f in local_result.findings]


def local_engine(spark, inputs, settings: Settings):
    """The local engine's ``analyze``, run in a Spark Python worker: with the workers' string
    hash seed (PYTHONHASHSEED=0), so that wherever the local engine breaks a tie by set order
    (audit.links.link_sentences picks among equally good source sentences by it), both
    engines break it alike."""
    return spark.sparkContext.parallelize([0], 1).map(lambda _: analyze(inputs, settings)).first()


@pytest.fixture(scope="module")
def fast_run(spark, corpus_folder):
    """The planted corpus as a text folder, fast mode, results left on the executors."""
    run = run_spark(spark, [str(corpus_folder)], Settings(mode="fast"))
    yield run
    run.close()


def test_fast_mode_equals_local_engine_on_a_text_folder(spark, fast_run, corpus_folder):
    local = local_engine(spark, [corpus_folder], Settings(mode="fast"))
    result = collect_analysis(fast_run)
    assert len(local.pairs) >= 15 and any(p.relation == "duplicate" or p.relation == "edited_copy" for p in local.pairs)
    assert_equivalent(result, local, Settings(mode="fast"))
    assert [d.path for d in result.documents] == [d.path for d in local.documents]  # the reader's ids and paths
    assert result.problems == []


def test_full_mode_with_dates_equals_local_engine_on_jsonl(spark, corpus_jsonl):
    settings = Settings(mode="full", event_cluster_pairs=4)  # the event clusters over it named among the limits
    local = local_engine(spark, [corpus_jsonl], settings)
    assert any("same-event clusters" in line for line in local.limits)
    result = analyze_spark([str(corpus_jsonl)], settings, spark=spark)
    assert any(p.direction in ("a->b", "b->a") for p in local.pairs)
    assert_equivalent(result, local, settings)


def test_results_written_as_parquet_and_jsonl_hold_the_local_rows(spark, fast_run, tmp_path):
    expected = collect_analysis(fast_run)
    write_spark_results(None, tmp_path / "pq", run=fast_run)
    write_spark_results(None, tmp_path / "js", run=fast_run, output_format="jsonl")
    manifest = json.loads((tmp_path / "pq" / "manifest.json").read_text())
    assert manifest["engine"] == "spark" and manifest["pairs"] == len(expected.pairs)

    def rows(folder: Path, name: str, fmt: str) -> list[dict]:
        if fmt == "jsonl":  # JSON lines, as the local engine's files hold them
            return [json.loads(line) for part in sorted((folder / name).glob("part-*")) for line in part.open()]
        return [r.asDict(recursive=True) for r in spark.read.parquet(str(folder / name)).collect()]

    for folder, fmt in ((tmp_path / "pq", "parquet"), (tmp_path / "js", "jsonl")):
        pairs = sorted(rows(folder, "pairs", fmt), key=lambda r: (r["a"], r["b"]))
        assert pairs == [pair_row(p) for p in expected.pairs]
        passages = sorted(rows(folder, "passages", fmt), key=lambda r: (r["a"], r["b"], r["a_start"], r["b_start"]))
        assert passages == sorted((passage_row(p) for p in expected.passages),
                                  key=lambda r: (r["a"], r["b"], r["a_start"], r["b_start"]))
        docs = sorted(rows(folder, "documents", fmt), key=lambda r: r["id"])
        assert docs == [document_row(d, expected.sentences[d.id]) for d in expected.documents]
        lines = [json.loads(line) for part in sorted((folder / "stemma").glob("part-*")) for line in part.open()]
        assert {"stories": sorted(lines, key=lambda s: int(s["id"].split("-")[1]))} == stemma_document(expected.stories)
        assert len(rows(folder, "audit", fmt)) == len(expected.findings)


# ---------------------------------------------------------------------------------------------
# skew: one boilerplate paragraph in every document


FOOTER = (
    "This article is published under the terms of the syndication agreement between the member "
    "newspapers of the regional press association and may be reproduced only in full with this notice."
)


def skewed_corpus(n: int = 300) -> list[Document]:
    """``n`` outlets running one wire story under a line of their own (the story is most of
    each: they are copies), and ``n`` unrelated articles sharing a syndication footer (a small
    part of each: boilerplate, blanked before comparison)."""
    rng = random.Random(11)
    seeds = _seed_texts()
    vocabulary = sorted({w for t in seeds.values() for w in re.findall(r"[a-z]{4,}", t)})
    wire = " ".join(seeds[sorted(seeds)[4]].split()[:160])

    def words(k: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(k))

    return ([Document(f"wire{k:04d}", f"{words(12)}.\n\n{wire}") for k in range(n)]
            + [Document(f"page{k:04d}", f"{words(120)}.\n\n{FOOTER}") for k in range(n)])


def test_a_band_key_shared_by_hundreds_of_documents_is_skipped_and_counted(spark, tmp_path):
    docs = skewed_corpus()
    path = tmp_path / "skewed.jsonl"
    path.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in docs), encoding="utf-8")
    settings = Settings(mode="fast", max_bucket=40, neighbours=3, audit=False)
    stats: dict = {}
    result = analyze_spark([str(path)], settings, spark=spark, stats=stats)
    local = local_engine(spark, docs, settings)
    assert stats["documents"] == len(docs)
    assert stats["skipped_buckets"] > 0  # the wire story's buckets: hundreds of documents each
    assert stats["boilerplate_shingles"] > 0  # the footer's n-grams
    assert result.limits == local.limits and len(local.limits) == 2
    assert f"{stats['skipped_buckets']:,} LSH buckets" in local.limits[1]
    assert {(p.a, p.b, p.relation, p.direction) for p in result.pairs} == \
        {(p.a, p.b, p.relation, p.direction) for p in local.pairs}
    assert result.stories == local.stories
    assert not any(p.a.startswith("page") for p in local.pairs)  # the footer made no pair


def test_the_screen_in_spark_sql_equals_share_specifics(spark):
    from collections import namedtuple

    from filiation.candidates.screen import share_specifics
    from filiation.engine.spark import shares_specifics

    rng = random.Random(5)
    names = [f"n{k}" for k in range(12)]
    rows, docs = [], []
    for _ in range(400):  # small sets, so that overlaps land on the floors (1/5, 3/20) exactly
        ea, eb = (sorted(rng.sample(names, rng.choice([0, 1, 3, 5, 8]))) for _ in range(2))
        ba, bb = (sorted(rng.sample(range(30), rng.choice([0, 2, 10, 20]))) for _ in range(2))
        rows.append((ea, eb, ba, bb))
        for e, b in ((ea, ba), (eb, bb)):
            docs.append(namedtuple("Specifics", "entities bigrams")(frozenset(e), np.asarray(b, dtype=np.uint64)))
    settings = Settings()
    expected = share_specifics(docs, np.arange(len(docs)).reshape(-1, 2), settings.screen_entities, settings.screen_bigrams)
    df = spark.createDataFrame([(k, *r) for k, r in enumerate(rows)],
                               "k long, ea array<string>, eb array<string>, ba array<long>, bb array<long>")
    kept = {r["k"] for r in df.where(shares_specifics(settings)).select("k").collect()}
    assert kept == set(np.flatnonzero(expected).tolist())
    assert 0 < len(kept) < len(rows)


def test_distributed_connected_components_equal_networkx(spark):
    import networkx as nx

    from filiation.engine.spark import connected_components

    rng = random.Random(3)
    chain = [(f"c{k:02d}", f"c{k + 1:02d}") for k in range(20)]  # a long path: many rounds without jumps
    rng.shuffle(chain)
    edges = chain + [(f"r{rng.randrange(40):02d}", f"r{rng.randrange(40):02d}") for _ in range(30)]
    edges = [(a, b) for a, b in edges if a != b]
    df = spark.createDataFrame(edges, "a string, b string")
    labels, rounds = connected_components(df, collect_below=0)
    ours = {r["v"]: r["c"] for r in labels.collect()}
    graph = nx.Graph(edges)
    assert ours == {v: min(c) for c in nx.connected_components(graph) for v in c}
    assert 1 <= rounds <= 8
    collected, none = connected_components(df)
    assert none == 0 and {r["v"]: r["c"] for r in collected.collect()} == ours


def test_distributed_event_clusters_give_the_local_same_event_pairs(spark):
    """Same event on Spark (components of strong links, average link per component) against
    ``event_clusters`` over all links: the same pairs, with weak links inside components and
    between them, look-alike groups and isolated documents."""
    from filiation import PairEvidence
    from filiation.engine.spark import _same_event
    from filiation.relate.events import event_clusters, same_event_pairs

    rng = random.Random(5)
    evidence = PairEvidence(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 300, 300, 0.5, 0.5)
    links = {}
    for _ in range(400):
        group = rng.randrange(8)  # eight events, each with a few documents; links mostly within
        i, j = rng.randrange(12), rng.randrange(12)
        other = group if rng.random() < 0.8 else rng.randrange(8)
        a, b = sorted((f"e{group}-{i:02d}", f"e{other}-{j:02d}"))
        if a != b:
            links[(a, b)] = round(rng.uniform(0.15, 0.6) if other == group else rng.uniform(0.0, 0.25), 4)
    loose = [(a, b, evidence, s) for (a, b), s in links.items() if rng.random() < 0.7]
    rows = [("link", (a, b, s)) for (a, b), s in links.items()]
    local = same_event_pairs(loose, event_clusters([(a, b, s) for (a, b), s in links.items()], 0.14), 0.14)
    kept: list = []
    ours, _ = _same_event(spark, spark.sparkContext.parallelize(rows, 4), spark.sparkContext.parallelize(loose, 3),
                          Settings(event_cut=0.14), lambda x: kept.append(x) or x)
    ours = ours.collect()
    assert len(local) > 50 and len(local) < len(loose)  # the clusters leave some loose pairs out
    assert sorted(ours, key=lambda p: (p.a, p.b)) == sorted(local, key=lambda p: (p.a, p.b))


def test_distributed_pairs_of_a_cluster_equal_the_local_ones(spark):
    """The pairs of a small cluster that were not candidates (``_unaligned_same_event``): the
    same pairs and evidence on Spark, a compared pair and a cluster over the size left out."""
    from filiation.embed.documents import document_vectors
    from filiation.engine.local import _unaligned_same_event
    from filiation.engine.spark import _DOCUMENT_SCHEMA, _document_tuple, _unaligned_same_event as spark_pairs
    from filiation.relate.events import DocumentFrequencies, event_terms
    from filiation.text.normalise import normalise

    texts = ["Flooding in Porto closed the harbour on Monday, mayor Silva said.",
             "Mayor Silva kept Porto's harbour shut after Monday's flooding.",
             "Porto's harbour reopens on Wednesday after the floods, the port said.",
             "Volunteers in Porto cleared streets after the flooding, Silva thanked them.",
             "A quake struck Lisbon at dawn, killing nine.", "Nine died when a quake hit Lisbon at dawn.",
             "Madrid hosts the summit.", "The summit opens in Madrid.", "Leaders arrive in Madrid for the summit."]
    docs = [Document(f"d{k}", t) for k, t in enumerate(texts)]
    clusters = {f"d{k}": c for k, c in enumerate(["d0"] * 4 + ["d4"] * 2 + ["d6"] * 3)}
    settings = Settings(event_cluster_pairs=4)  # the Madrid cluster of three is written, none larger
    compared = [("d0", "d1", 0.3), ("d4", "d5", 0.5)]
    normalised = [normalise(d) for d in docs]
    terms = [event_terms(d) for d in normalised]
    frequencies = DocumentFrequencies.of(terms)
    local = _unaligned_same_event(normalised, document_vectors(normalised), [frequencies.vector(t) for t in terms],
                                  clusters, compared, settings)
    documents = spark.createDataFrame(spark.sparkContext.parallelize(list(enumerate(docs))).map(_document_tuple),
                                      _DOCUMENT_SCHEMA())
    ours = spark_pairs(spark, spark.sparkContext.parallelize(sorted(clusters.items()), 3),
                       spark.sparkContext.parallelize([("cosine", c) for c in compared] + [("link", compared[0])]),
                       documents, settings, None, spark.sparkContext.broadcast(frequencies)).collect()
    assert len(local) == 5 + 3 and ("d0", "d1") not in {(p.a, p.b) for p in local}
    assert sorted(ours, key=lambda p: (p.a, p.b)) == sorted(local, key=lambda p: (p.a, p.b))
    settings = Settings(event_cluster_pairs=2)
    assert _unaligned_same_event(normalised, document_vectors(normalised), [frequencies.vector(t) for t in terms],
                                 clusters, compared, settings) == []


def test_distributed_brief_search_equals_brief_neighbours(spark, fast_run):
    """The briefs' inverted-index search on Spark against ``brief_neighbours`` over the same
    corpus (the planted corpus holds one brief, asking for 5 of its 10 longer texts)."""
    from filiation.candidates.briefs import brief_neighbours
    from filiation.engine.local import prepare
    from filiation.engine.spark import _brief_pairs, _event_frequencies
    from filiation.relate.events import event_vectors

    settings = Settings(mode="fast")
    ids = {r["idx"]: r["id"] for r in fast_run.documents.select("idx", "id").collect()}
    frequencies = _event_frequencies(spark, fast_run.features, len(ids))
    ours = {tuple(sorted((ids[r["a"]], ids[r["b"]]))) for r in _brief_pairs(fast_run.features, frequencies, settings).collect()}
    docs = sorted((Document(k, v) for k, v in planted_corpus().items()), key=lambda d: d.id)
    normalised, _ = prepare(docs, settings)
    local = {(docs[i].id, docs[j].id) for i, j in brief_neighbours(normalised, event_vectors(normalised), settings).tolist()}
    assert len(local) == settings.brief_neighbours and all("briefs/one_line" in p for p in local)
    assert ours == local


def test_distributed_brief_choices_equal_brief_summaries(spark):
    """Briefs' choices on Spark (rivals looked up among the reuse pairs by a join) against
    ``brief_summaries``: briefs with one clear source, with rivals that are copies of it,
    with rivals that are not, with a reuse pair already, and below the floor."""
    from filiation import Pair, PairEvidence
    from filiation.engine.spark import _brief_summaries
    from filiation.relate.briefs import BriefLink, brief_summaries

    rng = random.Random(11)
    evidence = PairEvidence(0.0, 0.0, 0.0, 0.0, 0.1, 0.0, 0.2, 0.0, 20, 400, 0.5, 0.1)
    articles = [f"art{k:02d}" for k in range(30)]
    reuse = {tuple(sorted(rng.sample(articles, 2))) for _ in range(25)}
    links = []
    for k in range(120):
        brief = f"brief{k:03d}"
        for other in rng.sample(articles, rng.choice([1, 2, 3, 5])):
            links.append(BriefLink(brief, other, round(rng.uniform(0.05, 0.5), 4), rng.random() < 0.05,
                                   evidence, (), rng.random() < 0.1))
    settings = Settings()
    local = brief_summaries(links, lambda x, y: tuple(sorted((x, y))) in reuse, settings)
    rows = [("brief", link) for link in links] + [("loose", None)]
    reuse_pairs = [Pair(a, b, "edited_copy", 1.0, "unknown", evidence) for a, b in reuse]
    ours = _brief_summaries(spark.sparkContext.parallelize(rows, 4), spark.sparkContext.parallelize(reuse_pairs, 2),
                            settings).collect()
    assert 20 < len(local) < 120
    assert sorted(ours, key=lambda p: (p.a, p.b)) == sorted(local, key=lambda p: (p.a, p.b))


def test_distributed_retellings_equal_local_retellings(spark):
    """Retellings on Spark (rivals from a join of the event links, their reuse pairs looked up
    by a join) against ``retellings``: links that stand, links blocked by a rival, rivals
    excused as copies of the longer text, as texts derived from the shorter or as siblings
    (their own link to the longer text looked up by a join), and a rival that is the shorter
    text's own source."""
    from filiation import Pair, PairEvidence
    from filiation.engine.spark import _retellings
    from filiation.relate.retellings import RetellingLink, retellings

    rng = random.Random(12)
    evidence = PairEvidence(0.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.0, 0.0, 90, 120, 0.7, 0.7)
    texts = [f"t{k:03d}" for k in range(150)]
    cosines = {tuple(sorted(rng.sample(texts, 2))): round(rng.uniform(0.0, 0.3), 4) for _ in range(250)}
    cosines.update({pair: round(rng.uniform(0.2, 0.8), 4) for pair in rng.sample(sorted(cosines), 80)})
    reuse = {}
    for a, b in rng.sample(sorted(cosines), 60):
        reuse[(a, b)] = rng.choice([a, b, ""])
    vocabulary = [f"name{k}" for k in range(12)]
    names = {t: frozenset(rng.sample(vocabulary, 6)) for t in texts}

    def link_of(short: str, long: str, cosine: float) -> RetellingLink:
        return RetellingLink(short, long, cosine, "paraphrase", 0.7, "unknown", evidence, (), names[short], names[long])

    links = [link_of(*(sorted((a, b)) if rng.random() < 0.5 else sorted((a, b), reverse=True)), c)
             for (a, b), c in cosines.items() if (a, b) not in reuse and rng.random() < 0.4]
    for k, link in enumerate(links[:12]):  # a rival as close as the longer text, a copy of it half the time
        copy = f"copy{k:02d}"
        cosines[tuple(sorted((link.short, copy)))] = link.cosine
        if k % 2:
            reuse[tuple(sorted((link.long, copy)))] = link.long
    for k, link in enumerate(links[12:24]):  # a rival with its own link to the longer text: a sibling half the time
        sib = f"sib{k:02d}"
        names[sib] = (names[link.long] - names[link.short]) | (names[link.short] & names[link.long])
        if k % 2:
            names[sib] |= names[link.short] - names[link.long]
        cosines[tuple(sorted((link.short, sib)))] = link.cosine
        cosines[tuple(sorted((link.long, sib)))] = link.cosine
        links.append(link_of(sib, link.long, link.cosine))
    settings = Settings()
    local = retellings(links, [(a, b, c) for (a, b), c in cosines.items()],
                       lambda x, y: reuse.get(tuple(sorted((x, y)))), settings)
    rows = ([("retelling", link) for link in links] + [("cosine", (a, b, c)) for (a, b), c in cosines.items()]
            + [("loose", None)])
    reuse_pairs = [Pair(a, b, "edited_copy", 1.0, {a: "a->b", b: "b->a", "": "unknown"}[src], evidence)
                   for (a, b), src in reuse.items()]
    ours = _retellings(spark.sparkContext.parallelize(rows, 4), spark.sparkContext.parallelize(reuse_pairs, 2),
                       settings).collect()
    assert 10 < len(local) < len(links)
    assert sorted(ours, key=lambda p: (p.a, p.b)) == sorted(local, key=lambda p: (p.a, p.b))


# ---------------------------------------------------------------------------------------------
# readers


def _read(spark, inputs, **kw) -> tuple[list[Document], list]:
    docs, problems = split_outcomes(read_inputs(spark, [str(p) for p in inputs], **kw))
    return sorted(docs.values().collect(), key=lambda d: d.id), problems.collect()


def test_parquet_with_named_columns(spark, tmp_path):
    from datetime import datetime

    rows = [(7, "First text about the harbour.", datetime(2024, 3, 1, 9, 30), "Harbour"),
            (8, "Second text about the station.", None, None)]
    df = spark.createDataFrame(rows, "doc_no long, body string, published timestamp, headline string")
    df.write.parquet(str(tmp_path / "docs.parquet"))
    docs, problems = _read(spark, [tmp_path / "docs.parquet"], id_col="doc_no", text_col="body",
                           date_col="published", title_col="headline")
    assert problems == []
    assert [(d.id, d.text, d.title) for d in docs] == [("7", rows[0][1], "Harbour"), ("8", rows[1][1], None)]
    from filiation.relate.direction import parse_date

    assert parse_date(docs[0].date) is not None and docs[1].date is None


def test_jsonl_records_problems_and_duplicates(spark, tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [{"key": "x", "content": "Some text.\r\nMore.", "when": "2024-01-02"},
             {"key": "y", "content": "   "},
             {"key": "x", "content": "A later record with the same id."},
             {"key": 5, "content": "Numeric id."}]
    path.write_text("\n".join(json.dumps(r) for r in lines) + "\n{not json\n", encoding="utf-8")
    docs, problems = _read(spark, [path], id_col="key", text_col="content", date_col="when")
    assert [(d.id, d.text, d.date) for d in docs] == [("5", "Numeric id.", None), ("x", "Some text.\nMore.", "2024-01-02")]
    reasons = sorted(p.reason for p in problems)
    assert reasons == sorted(["duplicate id 'x': kept the first", "empty text", "invalid JSON line"])


def test_text_folder_ids_are_relative_paths_without_extension(spark, tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("Alpha text.", encoding="utf-8")
    (tmp_path / "sub" / "b.md").write_text("Beta text.", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c d.txt").write_text("Gamma text.", encoding="utf-8")
    (tmp_path / "sub" / ".hidden.txt").write_text("Hidden.", encoding="utf-8")
    (tmp_path / "sub" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "blank.txt").write_text("  \n", encoding="utf-8")  # (Spark lists no empty file at all)
    docs, problems = _read(spark, [tmp_path])
    local = analyze([tmp_path], Settings(mode="fast", audit=False))
    assert [d.id for d in docs] == ["a", "sub/b", "sub/deeper/c d"] == [d.id for d in local.documents]
    assert [d.text for d in docs] == [d.text for d in local.documents]
    assert len(problems) == 1 and problems[0].where.endswith("blank.txt")


def test_a_missing_column_is_named(spark, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "Some text."}) + "\n", encoding="utf-8")
    with pytest.raises(SparkInputError, match=r"no column 'body' for the document text.*--text-col"):
        read_inputs(spark, [str(path)], text_col="body")
    with pytest.raises(SparkInputError, match=r"no column 'published'"):
        read_inputs(spark, [str(path)], date_col="published")
    docs, _ = _read(spark, [path])  # the default date column may be absent
    assert [(d.id, d.date) for d in docs] == [("a", None)]

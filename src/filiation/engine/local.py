"""The local engine: the reference pipeline, one process, in memory.

read → normalise → embed → candidates → align → relate → stemma → audit.  Each step is a call into a stage
module; this file only moves data between them.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..audit import audit_analysis
from ..candidates.briefs import brief_and_longer, brief_neighbours
from ..candidates.lsh import band_pairs
from ..candidates.minhash import oph_signatures
from ..candidates.screen import share_specifics
from ..candidates.semantic import semantic_neighbours
from ..embed import transformer_available, transformer_encoder
from ..embed.documents import document_vectors
from ..model import Analysis, Document, Finding, Pair, PairEvidence, ReadProblem, pair_key
from ..relate.briefs import BriefLink, brief_summaries
from ..relate.retellings import RetellingLink, retellings
from ..relate.classify import reuse_strength
from ..relate.direction import mark_siblings, source_of
from ..relate.events import (EventVector, cluster_pairs, event_clusters, event_link_matrix, event_vectors,
                             same_event_pairs)
from ..relate.reading import read_aligned_pair, same_event_unaligned
from ..settings import Settings
from ..stemma.tree import build_stories
from ..text.boilerplate import blank_words, find_boilerplate
from ..text.normalise import NormalisedDocument, normalise
from ..text.shingles import text_shingles
from .align_pairs import align_candidate_pairs

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _read(inputs: Iterable[str | os.PathLike | Document]) -> tuple[list[Document], list[ReadProblem]]:
    """Documents in the order given (paths read where they stand), and what could not be read."""
    from ..read import read_paths

    docs: list[Document] = []
    problems: list[ReadProblem] = []
    pending: list[str | os.PathLike] = []

    def flush() -> None:
        if pending:
            result = read_paths(list(pending))
            docs.extend(result.documents)
            problems.extend(result.problems)
            pending.clear()

    for item in inputs:
        if isinstance(item, Document):
            flush()
            docs.append(item)
        else:
            pending.append(item)
    flush()
    return docs, problems


def find_candidates(docs: list[NormalisedDocument], doc_vectors: np.ndarray, settings: Settings,
                    notes: list[str] | None = None, vectors: Sequence[EventVector] | None = None) -> np.ndarray:
    """Lexical (MinHash LSH) and semantic (nearest neighbours) candidates, merged and screened,
    and the briefs' event-term neighbours (``candidates/briefs.py``; ``vectors``: the event
    vectors, computed here when not given); ``notes`` receives a line when boilerplate
    buckets were skipped."""
    sigs = oph_signatures([d.shingles for d in docs], settings.num_perm)
    banding = band_pairs(sigs, settings.bands, settings.rows, settings.max_bucket)
    lexical = banding.pairs
    if banding.skipped_buckets and notes is not None:
        notes.append(skipped_buckets_note(banding.skipped_buckets, settings))
    semantic, _ = semantic_neighbours(doc_vectors, settings.neighbours, settings.min_doc_cosine)
    both = np.concatenate([lexical, semantic]) if len(semantic) else lexical
    if len(both):
        both = np.unique(both, axis=0)
        both = both[share_specifics(docs, both, settings.screen_entities, settings.screen_bigrams)]
    briefs = brief_neighbours(docs, event_vectors(docs) if vectors is None else vectors, settings)
    if len(briefs):
        both = np.unique(np.concatenate([both.reshape(-1, 2), briefs]), axis=0)
    return both


def relate_candidates(normalised: list[NormalisedDocument], doc_vectors: np.ndarray,
                      candidates: np.ndarray, settings: Settings, transformer=None, tick: Progress | None = None,
                      notes: list[str] | None = None, link_every_pair: bool = False,
                      vectors: Sequence[EventVector] | None = None) -> list[Pair]:
    """Align each candidate pair, classify its reuse, decide which longer text each brief
    condenses (``relate/briefs.py``) and which pairs are loose retellings
    (``relate/retellings.py``), find the reports of one event among the pairs without
    reuse (clusters of the candidates' event links, and every pair of a small cluster), and
    mark copies that are siblings rather than parent and child: the pairs of a corpus, or of
    a new article and its archived candidates.  ``link_every_pair``: the event clusters link every two documents, not only
    the candidates (an archive check: its candidates are linked to each other, not only to
    the new article).  ``vectors``: the event vectors, computed here when not given."""
    tick = tick or (lambda stage, done, total: None)
    aligned = align_candidate_pairs(normalised, doc_vectors, candidates, settings, transformer, notes)
    tick("align", len(aligned), len(aligned))
    vectors = event_vectors(normalised) if vectors is None else vectors
    pairs: list[Pair] = []
    loose: list[tuple[str, str, PairEvidence, float]] = []
    links: list[tuple[str, str, float]] = []  # event links, for the clusters
    candidate_links: list[tuple[str, str, float]] = []  # words' event cosines, for the retellings
    briefs: list[BriefLink] = []
    retold: list[RetellingLink] = []
    for ap in aligned:
        reading = read_aligned_pair(normalised[ap.a], normalised[ap.b], ap, vectors[ap.a], vectors[ap.b], settings)
        candidate_links.append((reading.a, reading.b, reading.cosine))
        links.append((reading.a, reading.b, reading.link))
        if reading.pair is not None:
            pairs.append(reading.pair)
        else:
            loose.append(reading.loose)
        if reading.brief is not None:
            briefs.append(reading.brief)
        if reading.retelling is not None:
            retold.append(reading.retelling)
    if link_every_pair:
        links = event_link_matrix(vectors, settings.event_names_weight)
        links = [(normalised[i].doc.id, normalised[j].doc.id, float(links[i, j]))
                 for i in range(len(normalised)) for j in range(i + 1, len(normalised))]
    clusters = event_clusters(links, settings.event_cut)
    large = [n for n in Counter(clusters.values()).values() if n > settings.event_cluster_pairs]
    if large and notes is not None:
        notes.append(large_clusters_note(large, settings))
    reuse = {(p.a, p.b): source_of(p) or "" for p in pairs}

    def source(x: str, y: str) -> str | None:
        return reuse.get(pair_key(x, y))

    def is_copy(x: str, y: str) -> bool:
        return source(x, y) is not None

    # briefs and retellings are disjoint: a retelling is never a brief's pair
    decided = brief_summaries(briefs, is_copy, settings) + retellings(retold, candidate_links, source, settings)
    pairs.extend(decided)
    taken = {(p.a, p.b) for p in decided}
    loose = [item for item in loose if item[:2] not in taken]
    pairs.extend(same_event_pairs(loose, clusters, settings.event_cut))
    pairs.extend(_unaligned_same_event(normalised, doc_vectors, vectors, clusters, candidate_links, settings))
    pairs.sort(key=lambda p: (p.a, p.b))
    pairs = mark_siblings(pairs, reuse_strength)
    tick("relate", len(pairs), len(pairs))
    return pairs


def _unaligned_same_event(normalised: list[NormalisedDocument], doc_vectors: np.ndarray,
                          vectors: Sequence[EventVector], clusters: dict[str, str],
                          aligned: list[tuple[str, str, float]], settings: Settings) -> list[Pair]:
    """``same_event`` pairs of one cluster that were not candidates (``cluster_pairs``)."""
    compared = {(a, b) for a, b, _ in aligned}
    wanted = [p for p in cluster_pairs(clusters, settings.event_cluster_pairs) if p not in compared]
    if not wanted:
        return []
    at = {d.doc.id: k for k, d in enumerate(normalised)}
    out = []
    for x, y in wanted:
        i, j = at[x], at[y]
        out.append(same_event_unaligned(normalised[i], normalised[j], vectors[i], vectors[j],
                                        float(doc_vectors[i] @ doc_vectors[j]), settings))
    return out


def analyze(
    inputs: Sequence[str | os.PathLike | Document] | str | os.PathLike,
    settings: Settings | None = None,
    *,
    mode: str | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Find, align and classify text reuse among documents (paths, or ``Document`` objects)."""
    settings = settings or Settings()
    if mode is not None:
        settings = settings.replace(mode=mode)
    if isinstance(inputs, (str, Path, Document)):
        inputs = [inputs]
    tick = progress or (lambda stage, done, total: None)

    documents, problems = _read(inputs)
    tick("read", len(documents), len(documents))
    documents = _unique_by_id(documents, problems)
    notes: list[str] = []
    normalised, doc_vectors = prepare(documents, settings, tick, notes=notes)
    vectors = event_vectors(normalised)
    candidates = find_candidates(normalised, doc_vectors, settings, notes, vectors)
    tick("candidates", len(candidates), len(candidates))
    transformer = _transformer(settings, wanted=len(candidates) > 0)
    pairs = relate_candidates(normalised, doc_vectors, candidates, settings, transformer, tick, notes,
                              vectors=vectors)
    analysis = _stemma_and_audit(documents, normalised, pairs, settings, transformer, problems, tick)
    analysis.limits.extend(notes)
    return analysis


def prepare(documents: list[Document], settings: Settings, tick: Progress | None = None, *,
            notes: list[str] | None = None) -> tuple[list[NormalisedDocument], np.ndarray]:
    """Normalised documents and their static document vectors: what every
    comparison (a corpus, an archive check, an audit, an archive's sketch) starts from.

    Given ``notes`` (a whole corpus), boilerplate is blanked first and a line says how much.
    """
    tick = tick or (lambda stage, done, total: None)
    shingles = text_shingles([d.text for d in documents], settings.shingle_size)
    normalised = [normalise(d, settings.shingle_size, s) for d, s in zip(documents, shingles)]
    if notes is not None:
        _blank_boilerplate(normalised, settings, notes)
    tick("normalise", len(normalised), len(normalised))
    doc_vectors = document_vectors(normalised)
    tick("embed", len(normalised), len(normalised))
    return normalised, doc_vectors


def _blank_boilerplate(normalised: list[NormalisedDocument], settings: Settings, notes: list[str]) -> None:
    """Blank, in place, text found in more than ``max_bucket`` documents of the corpus
    (``text/boilerplate.py``), and say how much."""
    found = find_boilerplate(normalised, settings.shingle_size, settings.max_bucket, settings.min_passage_words)
    if found.documents:
        blank_boilerplate(normalised, found.masks, settings)
        notes.append(boilerplate_note(sum(int(m.sum()) for m in found.masks.values()), found.documents, settings))


def blank_boilerplate(normalised: list[NormalisedDocument], masks: dict[int, np.ndarray], settings: Settings) -> None:
    """Re-normalise, in place, the documents of ``masks`` with those words blanked; each keeps
    its original ``Document`` (offsets are unchanged by blanking)."""
    at = sorted(masks)
    blanked = [replace(normalised[k].doc, text=blank_words(normalised[k].doc.text, normalised[k].word_starts,
                                                            normalised[k].word_ends, masks[k])) for k in at]
    for k, d, s in zip(at, blanked, text_shingles([d.text for d in blanked], settings.shingle_size)):
        normalised[k] = replace(normalise(d, settings.shingle_size, s), doc=normalised[k].doc)


def boilerplate_note(words: int, documents: int, settings: Settings) -> str:
    return (f"boilerplate: {words:,} words in {documents:,} documents are text found in more than "
            f"max_bucket ({settings.max_bucket:,}) documents and were left out of comparison")


def skipped_buckets_note(skipped: int, settings: Settings) -> str:
    return (f"{skipped:,} LSH buckets shared by more than max_bucket ({settings.max_bucket:,}) "
            "documents were skipped as boilerplate; pairs that share only such text are not compared")


def large_clusters_note(sizes: list[int], settings: Settings) -> str:
    """``sizes``: the event clusters of more than ``event_cluster_pairs`` documents."""
    return (f"{len(sizes):,} same-event clusters of more than event_cluster_pairs ({settings.event_cluster_pairs:,}) "
            f"documents ({sum(sizes):,} documents, the largest {max(sizes):,}): only their candidate pairs are written")


def _transformer(settings: Settings, wanted: bool = True):
    """MiniLM's encode in full mode when it is installed and there is something to ask it."""
    return transformer_encoder().encode if wanted and settings.mode == "full" and transformer_available() else None


def _stemma_and_audit(documents: list[Document], normalised: list[NormalisedDocument], pairs: list[Pair],
                      settings: Settings, transformer, problems: list[ReadProblem] | None = None,
                      tick: Progress | None = None) -> Analysis:
    tick = tick or (lambda stage, done, total: None)
    stories = build_stories(documents, pairs, settings)
    tick("stemma", len(stories), len(stories))
    analysis = Analysis(documents=documents, pairs=pairs, problems=problems or [],
                        sentences={d.doc.id: d.sentences for d in normalised}, stories=stories)
    if settings.audit:
        analysis.findings = audit_analysis(analysis, transformer)
        tick("audit", len(analysis.findings), len(analysis.findings))
    return analysis


def relate_to(document: Document, others: list[Document], settings: Settings | None = None) -> Analysis:
    """``document`` against ``others`` only (the archive's candidates for it): the pairs it
    forms with them, decided by the same stages as ``analyze``, and the audit of whichever
    side derives from the other.  Pairs among ``others`` are not computed."""
    settings = settings or Settings()
    docs = sorted([document, *[d for d in others if d.id != document.id]], key=lambda d: d.id)
    at = next(k for k, d in enumerate(docs) if d is document)
    normalised, doc_vectors = prepare(docs, settings)
    candidates = np.asarray([[min(k, at), max(k, at)] for k in range(len(docs)) if k != at], dtype=np.int64).reshape(-1, 2)
    if len(candidates):  # screened, as a corpus's are, but a brief's pairs are aligned whatever the screen says
        brief_pairs = np.asarray([brief_and_longer(normalised[i], normalised[j], settings) for i, j in candidates.tolist()])
        candidates = candidates[share_specifics(normalised, candidates, settings.screen_entities, settings.screen_bigrams)
                                | brief_pairs]
    transformer = _transformer(settings, wanted=len(candidates) > 0)
    pairs = relate_candidates(normalised, doc_vectors, candidates, settings, transformer, link_every_pair=True)
    pairs = [p for p in pairs if document.id in (p.a, p.b)]  # not the clusters' pairs among the others
    analysis = _stemma_and_audit(docs, normalised, pairs, settings, transformer)
    analysis.findings = [f for f in analysis.findings if document.id in (f.derived, f.source)]
    return analysis


def audit_against(derived: Document, sources: list[Document], mode: str = "full") -> list[Finding]:
    """Audit ``derived`` against ``sources`` given by the user: the pair is aligned whatever
    the candidate stages would say, and ``derived`` is taken to come from the sources."""
    from ..audit import audit_document

    settings = Settings(mode=mode)  # type: ignore[arg-type]
    docs = [derived, *sources]
    normalised, doc_vectors = prepare(docs, settings)
    candidates = np.asarray([[0, k] for k in range(1, len(docs))], dtype=np.int64)
    transformer = _transformer(settings)
    aligned = align_candidate_pairs(normalised, doc_vectors, candidates, settings, transformer)
    passages = {ap.b: list(ap.passages) for ap in aligned}
    summary = all(normalised[0].length < 0.45 * normalised[k].length for k in range(1, len(docs)))
    return audit_document(derived, list(sources), [passages.get(k, []) for k in range(1, len(docs))],
                          summary=summary, encode=transformer)


def _unique_by_id(documents: list[Document], problems: list[ReadProblem]) -> list[Document]:
    """Sorted by id (so every pair is reported once, ``a`` < ``b``), first of each id kept."""
    seen: dict[str, Document] = {}
    for d in documents:
        if d.id in seen:
            problems.append(ReadProblem(d.path or d.id, f"duplicate id {d.id!r}: kept the first"))
        else:
            seen[d.id] = d
    return [seen[k] for k in sorted(seen)]


def manifest_for(analysis: Analysis, settings: Settings, seconds: float) -> dict:
    """What a run wrote its results with: settings, versions, counts, problems."""
    import platform
    from dataclasses import asdict
    from importlib.metadata import PackageNotFoundError, version

    def ver(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    return {
        "filiation": ver("filiation"),
        "python": platform.python_version(),
        "libraries": {n: ver(n) for n in ("numpy", "faiss-cpu", "wordllama", "rapidfuzz", "sentence-transformers", "torch")},
        "settings": asdict(settings),
        "transformer_used": settings.mode == "full" and transformer_available(),
        "documents": len(analysis.documents),
        "pairs": len(analysis.pairs),
        "passages": len(analysis.passages),
        "findings": len(analysis.findings),
        "problems": [str(p) for p in analysis.problems],
        "limits": list(analysis.limits),
        "seconds": round(seconds, 3),
    }

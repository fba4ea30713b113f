"""Same event: which candidate pairs without reuse report one happening, decided over the corpus.

One pair's evidence does not separate two earthquakes from one (docs/decisions.md measures
the per-pair rules stopping near F1 0.82 on look-alike events); the corpus does: reports of
one event are closer to each other *on average* than to reports of the other event.  So:

1. each text's event terms: its content words and content-word pairs, with their counts, and
   apart from them its names and numbers (the people, places and dates that tell one
   happening from another of its kind, which the many words of the kind drown);
2. each part weighted by TF-IDF over the corpus (sublinear tf, a name counted once; terms in
   one document only dropped) and made unit length;
3. the link of every screened candidate pair: its two cosines mixed, the names' with weight
   ``names_weight`` (``event_link``): the edges of a sparse graph;
4. average-link clusters over that graph, a missing link counting 0, merged while the
   mean link between two clusters reaches ``cut``;
5. ``same_event`` = every pair without reuse whose two texts share a cluster: the candidate
   pairs, and in a cluster of at most ``max_size`` documents every other pair too (two reports
   of one event that are not each other's candidates are still one event; past that size the
   pairs would grow with its square, and only the candidate pairs are written).

Every merge needs one link at ``cut`` or above (a mean never exceeds its largest term), so
clusters never cross the connected components of those links: each component is clustered
alone (``average_link``), which is how the Spark engine distributes step 4.  Within a
component the result depends only on its links, ordered by id, so both engines agree.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from ..model import Pair, PairEvidence
from ..text.normalise import NormalisedDocument
from ..text.shingles import shingle_hashes, word_hashes
from ..text.tokens import STOPWORDS
from .classify import same_event_pair

_STOP_HASHES = np.sort(word_hashes(sorted(STOPWORDS)))

Link = tuple[str, str, float]  # (id, id, event link)


@dataclass(frozen=True)
class EventTerms:
    """A text's distinct content words and content-word pairs (hashes, sorted) and their counts;
    its distinct names and numbers (hashes apart from the words', sorted)."""

    keys: np.ndarray  # uint64
    counts: np.ndarray  # int32
    names: np.ndarray  # uint64


@dataclass(frozen=True)
class EventVector:
    """A text's TF-IDF event vectors, each unit length (or empty), keys sorted and weights
    aligned with them: its words and word pairs (``keys``, ``weights``), and its names and
    numbers (``name_keys``, ``name_weights``)."""

    keys: np.ndarray
    weights: np.ndarray
    name_keys: np.ndarray
    name_weights: np.ndarray


_NAME_SALT = np.uint64(0x9E3779B97F4A7C15)  # a name's key is its word hash so salted: never a word's key


def event_terms(doc: NormalisedDocument) -> EventTerms:
    """Content words (not function words) and pairs of adjacent content words, counted; the
    text's names and numbers (``NormalisedDocument.entities``)."""
    _, terms = term_positions(doc.words)
    keys, counts = np.unique(terms, return_counts=True)
    return EventTerms(keys, counts.astype(np.int32), name_keys(doc.entities))


def name_keys(names: Iterable[str]) -> np.ndarray:
    """The event-term keys of names and numbers (as ``text.normalise.specifics`` gives them), sorted."""
    names = sorted(set(names))
    return np.unique(word_hashes(names) ^ _NAME_SALT) if names else np.zeros(0, dtype=np.uint64)


def term_positions(word_hashes_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(positions, terms)``: each content word and each pair of adjacent content words (the
    position of its first word), in a run of word hashes."""
    at = np.searchsorted(_STOP_HASHES, word_hashes_).clip(max=len(_STOP_HASHES) - 1)
    positions = np.flatnonzero(_STOP_HASHES[at] != word_hashes_)
    words = word_hashes_[positions]
    pairs = shingle_hashes(words, 2) if len(words) > 1 else np.zeros(0, dtype=np.uint64)
    return np.concatenate([positions, positions[:len(pairs)]]), np.concatenate([words, pairs])


@dataclass(frozen=True)
class DocumentFrequencies:
    """In how many documents of a corpus each term occurs, for the terms in two or more
    (a term of one document links nothing); ``documents``: the corpus size."""

    documents: int
    keys: np.ndarray  # uint64, sorted: words, word pairs and names together
    counts: np.ndarray  # int64

    @classmethod
    def of(cls, terms: Sequence[EventTerms], chunk: int = 5000) -> "DocumentFrequencies":
        """Counted ``chunk`` documents at a time, so what is held is the distinct terms, not
        every document's terms at once."""
        keys, counts = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        for lo in range(0, len(terms), chunk):
            new, n = np.unique(np.concatenate([x for t in terms[lo:lo + chunk] for x in (t.keys, t.names)]),
                               return_counts=True)
            keys, at = np.unique(np.concatenate([keys, new]), return_inverse=True)
            counts = np.bincount(at, weights=np.concatenate([counts, n]), minlength=len(keys)).astype(np.int64)
        shared = counts >= 2
        return cls(len(terms), keys[shared], counts[shared])

    def vector(self, terms: EventTerms) -> EventVector:
        """Words and word pairs weighted by (1 + log tf) x (log((1 + N) / (1 + df)) + 1), names
        and numbers by that idf alone (each counted once), each part unit length; terms the
        frequencies do not hold are dropped."""
        keys, weights = self._weigh(terms.keys, terms.counts)
        names, name_weights = self._weigh(terms.names, np.ones(len(terms.names), dtype=np.int32))
        return EventVector(keys, weights, names, name_weights)

    def _weigh(self, keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.searchsorted(self.keys, keys).clip(max=max(0, len(self.keys) - 1))
        known = (self.keys[at] == keys) if len(self.keys) else np.zeros(len(keys), dtype=bool)
        df = self.counts[at[known]].astype(np.float64)
        weights = (1.0 + np.log(counts[known].astype(np.float64))) * (np.log((1.0 + self.documents) / (1.0 + df)) + 1.0)
        norm = float(np.linalg.norm(weights))
        return keys[known], weights / norm if norm > 0 else weights


def event_cosine(x: EventVector, y: EventVector) -> float:
    """The cosine of two texts' words and word pairs."""
    return _cosine(x.keys, x.weights, y.keys, y.weights)


def names_cosine(x: EventVector, y: EventVector) -> float:
    """The cosine of two texts' names and numbers."""
    return _cosine(x.name_keys, x.name_weights, y.name_keys, y.name_weights)


def _cosine(xk: np.ndarray, xw: np.ndarray, yk: np.ndarray, yw: np.ndarray) -> float:
    _, ix, iy = np.intersect1d(xk, yk, assume_unique=True, return_indices=True)
    return float(xw[ix] @ yw[iy])


def event_link(event_similarity: float, names_similarity: float, names_weight: float) -> float:
    """How near two texts are as reports of one happening: the words' cosine and the names'
    cosine mixed, ``names_weight`` the names' share.  The words alone rank reports of two
    earthquakes near each other; the names (who, where, when, how many) tell them apart."""
    return (1.0 - names_weight) * event_similarity + names_weight * names_similarity


def event_matrix(vectors: Sequence[EventVector], names: bool = False):
    """The vectors' words (or, with ``names``, their names) as the rows of one sparse matrix
    (``scipy.sparse.csr_matrix``), a column per distinct term: the form for computing many
    cosines with one product."""
    from scipy.sparse import csr_matrix

    keys = [v.name_keys if names else v.keys for v in vectors]
    weights = [v.name_weights if names else v.weights for v in vectors]
    columns, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    starts = np.concatenate([[0], np.cumsum([len(k) for k in keys])])
    return csr_matrix((np.concatenate(weights), inverse.ravel(), starts), shape=(len(vectors), len(columns)))


def event_link_matrix(vectors: Sequence[EventVector], names_weight: float) -> np.ndarray:
    """Every two documents' ``event_link`` at once (sparse products): for a handful of documents
    that are all linked to each other, as an archive check links its candidates."""
    if not vectors:
        return np.zeros((0, 0))
    words, names = event_matrix(vectors), event_matrix(vectors, names=True)
    return event_link((words @ words.T).toarray(), (names @ names.T).toarray(), names_weight)


def event_clusters(links: Iterable[Link], cut: float) -> dict[str, str]:
    """Each linked document's cluster (named by its smallest id): average-link over the
    links, run per connected component of the links at ``cut`` or above."""
    links = [l for l in links if l[2] > 0]
    component = components((a, b) for a, b, cos in links if cos >= cut)
    inside: dict[str, list[Link]] = {}
    for link in links:
        a, b = component.get(link[0], link[0]), component.get(link[1], link[1])
        if a == b:
            inside.setdefault(a, []).append(link)
    clusters: dict[str, str] = {}
    for component_links in inside.values():
        clusters.update(average_link(component_links, cut))
    return clusters


def components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each vertex of ``edges`` named by the least vertex of its connected component (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {v: find(v) for v in list(parent)}


def average_link(links: Sequence[Link], cut: float) -> dict[str, str]:
    """Average-link clustering of one component's documents; a pair of documents without a
    link counts 0 in a mean.  Lazy heap: a merge only lowers the means of the absorbing
    cluster's other links (their sizes grow), so a stale entry is an upper bound and is
    pushed again at its current value when popped; links gained from the absorbed cluster
    are pushed fresh.  The smaller side is merged into the larger (n log n updates)."""
    ids = sorted({x for a, b, _ in links for x in (a, b)})
    at = {x: k for k, x in enumerate(ids)}
    size = [1] * len(ids)
    total: list[dict[int, float]] = [{} for _ in ids]  # cluster -> {neighbour cluster: sum of links}
    for a, b, cos in sorted(links):
        i, j = at[a], at[b]
        if i != j:
            total[i][j] = total[j][i] = cos
    owner = list(range(len(ids)))
    heap = [(-s, i, j) for i in range(len(ids)) for j, s in total[i].items() if i < j]
    heapq.heapify(heap)
    while heap:
        neg, i, j = heapq.heappop(heap)
        if -neg < cut:
            break
        if owner[i] != i or owner[j] != j or j not in total[i]:
            continue  # a cluster since absorbed
        mean = total[i][j] / (size[i] * size[j])
        if mean < -neg - 1e-12:
            heapq.heappush(heap, (-mean, i, j))
            continue
        keep, gone = (i, j) if len(total[i]) >= len(total[j]) else (j, i)
        owner[gone] = keep
        del total[keep][gone], total[gone][keep]
        size[keep] += size[gone]
        for c, s in total[gone].items():
            del total[c][gone]
            total[keep][c] = total[c][keep] = total[keep].get(c, 0.0) + s
        for c in total[gone]:
            heapq.heappush(heap, (-total[keep][c] / (size[keep] * size[c]), min(keep, c), max(keep, c)))
        total[gone] = {}

    def root(k: int) -> int:
        while owner[k] != k:
            k = owner[k]
        return k

    members: dict[int, list[str]] = {}
    for k, x in enumerate(ids):
        members.setdefault(root(k), []).append(x)
    return {x: group[0] for group in members.values() for x in group}


def event_vectors(docs: Sequence[NormalisedDocument]) -> list[EventVector]:
    """Each document's event vectors, weighted by the frequencies of ``docs`` as a corpus."""
    terms = [event_terms(d) for d in docs]
    frequencies = DocumentFrequencies.of(terms)
    return [frequencies.vector(t) for t in terms]


def same_event_pairs(loose: Iterable[tuple[str, str, PairEvidence, float]], clusters: dict[str, str],
                     cut: float) -> list[Pair]:
    """``same_event`` pairs among ``loose`` (``(a, b, evidence, event link)`` of candidate
    pairs without reuse): those whose two documents share a cluster."""
    return [same_event_pair(a, b, evidence, link, cut) for a, b, evidence, link in loose
            if a in clusters and clusters.get(b) == clusters[a]]


def cluster_pairs(clusters: dict[str, str], max_size: int) -> list[tuple[str, str]]:
    """Every two documents, ``(lower id, higher id)``, of each cluster of two to ``max_size``
    documents."""
    members: dict[str, list[str]] = {}
    for x, c in clusters.items():
        members.setdefault(c, []).append(x)
    out = []
    for group in members.values():
        if 2 <= len(group) <= max_size:
            group.sort()
            out.extend((x, y) for i, x in enumerate(group) for y in group[i + 1:])
    return out

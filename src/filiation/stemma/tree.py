"""The stemma of one story: each derived document's most likely parent, lost sources added.

1. Every reuse pair with a direction gives an edge source → copy, weighted by how near the
   two texts are (``relate.classify.closeness``: a copy is nearer its parent than its
   grandparent, which holds what the parent dropped); an edge against the documents' dates
   (beyond the tolerance) is dropped.  Near copies too even to orient are offered both ways,
   slightly weaker, and one whose extra material no other document of the story holds added
   it, so it is the copy (containment alone reads an insertion as the other text's cut).
   The maximum branching (Edmonds) keeps one parent per document: if C copies B and B
   copies A, the tree says A → B → C, because B's own changes reached C.
2. Documents left without a parent that are the source of some copy and each hold material
   the other lacks (``common_source``) descend from a *lost source*, one per connected group.
3. A document that draws about as much on two children of a lost source draws on the source
   itself (seed 003 uses material unique to each of 000 and 001).
4. A document still without a parent but linked without a direction (two rewrites, a pair
   too even to orient) hangs from its strongest link that does not descend from it.
"""
from __future__ import annotations

import networkx as nx
import numpy as np

from ..model import REUSE_RELATIONS, Document, Pair, StemmaEdge, StemmaNode, Story
from ..relate.classify import closeness
from ..relate.direction import date_order, source_of
from ..settings import Settings
from .stories import group_stories

# drawing on two children of a lost source "about as much": the weaker at least this share of the stronger
_COMPARABLE = 0.85
# weight of a link without a direction against an oriented one, in the branching
_UNORIENTED = 0.9
# near copies: each text at least this much inside verbatim passages shared with the other
_NEAR_COPY = 0.7
# material "added" by a near copy: at least this many characters beyond the other text, of
# which less than this share is found in any other document of the story
_ADDED_CHARS = 80
_ADDED_ELSEWHERE = 0.25


def build_stories(documents: list[Document], pairs: list[Pair], settings: Settings | None = None) -> list[Story]:
    """Stories of the analysed corpus, each with its stemma."""
    settings = settings or Settings()
    by_id = {d.id: d for d in documents}
    stories = group_stories([d.id for d in documents], pairs)
    member_of = {doc: k for k, members in enumerate(stories) for doc in members}
    story_pairs: list[list[Pair]] = [[] for _ in stories]
    for p in pairs:
        k = member_of.get(p.a)
        if k is not None and member_of.get(p.b) == k:
            story_pairs[k].append(p)
    return [
        build_stemma(f"story-{k + 1}", members, story_pairs[k], by_id, settings)
        for k, members in enumerate(stories)
    ]


class _ExtraMaterial:
    """Which of two near copies *added* the material it holds beyond the other, read from the
    rest of the story: material one holds beyond the other was either cut by the other (and
    older documents hold it too) or added (and no other document holds it).  Containment
    alone reads an insertion as the other text's cut, and orients the pair backwards.

    Per document it keeps, once, which characters are not spaces and how many of its reuse
    pairs cover each character, so each pair costs a few array operations."""

    def __init__(self, pairs_of: dict[str, list[Pair]], documents: dict[str, Document]):
        self.pairs_of = pairs_of
        self.documents = documents
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _of(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        if doc not in self._cache:
            text = self.documents[doc].text
            visible = np.fromiter((not c.isspace() for c in text), dtype=bool, count=len(text))
            covering = sum((_covered(len(text), p, doc).astype(np.int32) for p in self.pairs_of[doc]),
                           np.zeros(len(text), dtype=np.int32))
            self._cache[doc] = visible, covering
        return self._cache[doc]

    def _added(self, p: Pair, doc: str) -> bool | None:
        if doc not in self.documents:
            return None
        visible, covering = self._of(doc)
        here = _covered(len(visible), p, doc)
        own = visible & ~here
        if own.sum() < _ADDED_CHARS:
            return False  # nothing of its own to have added
        if len(self.pairs_of[doc]) < 2:
            return None  # no other document to read it from
        elsewhere = (covering - here) > 0  # covered by a pair other than p
        return bool((own & elsewhere).sum() < _ADDED_ELSEWHERE * own.sum())

    def source(self, p: Pair) -> str | None:
        """The source of near copies ``p`` by what each added; ``None`` when the story cannot
        tell (no other document, or both or neither look added)."""
        added_a, added_b = self._added(p, p.a), self._added(p, p.b)
        if added_a is None or added_b is None or added_a == added_b:
            return None
        return p.b if added_a else p.a


def _covered(length: int, p: Pair, doc: str) -> np.ndarray:
    """Characters of ``doc`` inside the passages of ``p``."""
    mask = np.zeros(length, dtype=bool)
    for x in p.passages:
        start, end = (x.a_start, x.a_end) if doc == p.a else (x.b_start, x.b_end)
        mask[start:end] = True
    return mask


def build_stemma(story_id: str, members: list[str], pairs: list[Pair], documents: dict[str, Document],
                 settings: Settings) -> Story:
    dates = {m: documents[m].date if m in documents else None for m in members}

    def order(src: str, dst: str) -> str | None:
        return date_order(dates[src], dates[dst], settings.date_tolerance_hours)

    def allowed(src: str, dst: str) -> bool:
        return order(src, dst) != "b->a"  # a document cannot derive from a later one

    def evidence_kind(src: str, dst: str) -> str:
        return "date" if order(src, dst) == "a->b" else "content"

    # 1. directed reuse: the maximum branching keeps each copy's strongest source
    directed = nx.DiGraph()
    directed.add_nodes_from(members)
    links = nx.Graph()  # every reuse pair, whatever its direction
    reuse = [p for p in pairs if p.relation in REUSE_RELATIONS]
    pairs_of: dict[str, list[Pair]] = {}
    for p in reuse:
        pairs_of.setdefault(p.a, []).append(p)
        pairs_of.setdefault(p.b, []).append(p)
    extra = _ExtraMaterial(pairs_of, documents)
    for p in reuse:
        strength = closeness(p.evidence)
        links.add_edge(p.a, p.b, weight=strength, pair=p)
        near = min(p.evidence.verbatim_a, p.evidence.verbatim_b) >= _NEAR_COPY
        src = source_of(p)
        if near and order(p.a, p.b) is None:
            src = extra.source(p) or src
        if src is not None:
            ways = [(src, p.b if src == p.a else p.a, strength)]
        elif p.direction == "unknown" and near:
            # near copies too even to orient alone: offered both ways, a little weaker than an
            # oriented link, and the branching orients them by the rest of the story (the
            # nearest copy of C is its parent B even when only B's own parent A is oriented
            # towards C)
            ways = [(p.a, p.b, _UNORIENTED * strength), (p.b, p.a, _UNORIENTED * strength)]
        else:
            ways = []
        for u, v, w in ways:
            if allowed(u, v):
                directed.add_edge(u, v, weight=w, relation=p.relation, confidence=p.confidence,
                                  kind=evidence_kind(u, v))
    forest = nx.maximum_branching(directed, attr="weight", preserve_attrs=True)
    parent: dict[str, tuple[str, str, float, str]] = {
        v: (u, directed.edges[u, v]["relation"], directed.edges[u, v]["confidence"], directed.edges[u, v]["kind"])
        for u, v in forest.edges()
    }

    # 2. lost sources: parentless sources of copies, tied to each other by material each lacks
    roots = [m for m in members if m not in parent and m in links]
    with_children = {m for m in members if directed.out_degree(m) > 0}  # sources of some copy
    groups = nx.Graph()
    for x in roots:
        for y in links.neighbors(x):
            p = links.edges[x, y]["pair"]
            if y in roots and x < y and p.direction == "common_source" and x in with_children and y in with_children:
                groups.add_edge(x, y)
    nodes = [StemmaNode(m, "document") for m in members]
    lost_of: dict[str, str] = {}
    for k, group in enumerate(sorted((sorted(c) for c in nx.connected_components(groups)), key=lambda c: c[0])):
        node = f"{story_id}/lost-{k + 1}"
        known = sorted({
            span for a in group for b in group if a < b and links.has_edge(a, b)
            for x in links.edges[a, b]["pair"].passages if x.kind == "verbatim"
            for span in ((x.a, x.a_start, x.a_end), (x.b, x.b_start, x.b_end))
        })
        nodes.append(StemmaNode(node, "lost_source", tuple(known)))
        for m in group:
            lost_of[m] = node
            strongest = max((links.edges[m, y] for y in group if y != m and links.has_edge(m, y)), key=lambda d: d["weight"])
            parent[m] = (node, strongest["pair"].relation, strongest["pair"].confidence, "lost_source")

    # 3. a document whose source is a child of a lost source, and which draws about as much
    #    on another child, draws on the lost source itself (a copy of one excerpt draws on
    #    that excerpt far more than on its sibling); so does a document without any source
    #    that is linked to two of its children
    for m in members:
        if m in lost_of or m not in links:
            continue
        first = parent.get(m, (None,))[0]
        if first is not None and first not in lost_of:
            continue  # explained by a document that is not a child of a lost source
        drawn: dict[str, list[tuple[float, str]]] = {}
        for y in links.neighbors(m):
            if y in lost_of and ((y, m) in directed.edges or first is None):
                drawn.setdefault(lost_of[y], []).append((links.edges[m, y]["weight"], y))
        for node, sources in drawn.items():
            sources.sort(reverse=True)
            if len(sources) >= 2 and (first is None or sources[1][0] >= _COMPARABLE * sources[0][0]):
                p = links.edges[m, sources[0][1]]["pair"]
                parent[m] = (node, p.relation, p.confidence, "lost_source")
                break

    # 4. documents still without a source, linked only without a direction (two rewrites, a
    #    pair too even to orient): each hangs from its strongest link that does not descend
    #    from it, except one root per group, the document with most descendants (then the
    #    longest), unless a lost source already heads the group
    tree = nx.DiGraph((u, v) for v, (u, *_) in parent.items())
    tree.add_nodes_from(members)
    keep: set[str] = set()
    for component in nx.connected_components(links):
        if any(parent.get(m, ("",))[0] in lost_of.values() for m in component):
            continue
        orphans = [m for m in component if m not in parent]
        if orphans:
            keep.add(max(orphans, key=lambda m: (len(nx.descendants(tree, m)), len(documents[m].text) if m in documents else 0, m)))
    for m in sorted(members, key=lambda x: -max((d["weight"] for *_, d in links.edges(x, data=True)), default=0)):
        if m in parent or m in keep or m not in links:
            continue
        below = nx.descendants(tree, m)
        options = [(d["weight"], y, d["pair"]) for _, y, d in links.edges(m, data=True)
                   if y not in below and y != m and allowed(y, m)]
        if options:
            _, y, p = max(options, key=lambda o: (o[0], o[1]))
            parent[m] = (y, p.relation, p.confidence, "content")
            tree.add_edge(y, m)

    edges = [StemmaEdge(u, v, rel, round(float(conf), 3), kind) for v, (u, rel, conf, kind) in sorted(parent.items())]
    return Story(story_id, tuple(members), tuple(nodes), tuple(edges))

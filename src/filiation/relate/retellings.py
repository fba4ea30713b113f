"""Retellings: a text that tells another's story in sentences of its own, decided across its candidates.

A loose rewrite (a chatbot retelling, a rewrite that merges, reorders and condenses sentences)
matches few of its source's sentences one to one, so its pair's evidence looks like that of
two reports of one event.  Two things tell them apart, both of them what a careful reader uses:

- its names and numbers are its source's: an independent report brings people, places and
  figures of its own.  Of the text with fewer names and numbers, ``reworded_specifics`` of
  them are found in the other, and at least ``retelling_shared`` are;
- the two stand out: the longer text is ``retelling_margin`` times closer to the shorter, by
  event cosine, than any other of the shorter's candidates, where a report of an event is
  about as close to every other report of that event.  Rivals that are copies of the longer
  text, or copies of the shorter not known to be its source, do not count: they are near it
  through that text.  Nor does a sibling: a rival that may itself retell the longer text and
  shares with the shorter no name or number the longer lacks (two chatbot rewrites of one
  article are near each other through it; two reports of one event share names of their
  own).  A text the shorter one derives from does count: a rewrite of one report is not also
  a retelling of another report of the same event.

Briefs are left to ``relate/briefs.py``; a pair that is reuse already keeps its relation.  Its
passages are, for each sentence of the shorter text, the sentence of the longer one holding
most of its event-term weight (``sentence_sources``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from ..candidates.briefs import brief_and_longer
from ..model import Pair, PairEvidence, Passage, pair_key
from ..settings import Settings
from ..text.normalise import NormalisedDocument
from .briefs import sentence_terms
from .classify import confidence_past, reworded_kind
from .direction import pair_direction
from .events import EventVector

#: a sentence of the retelling is drawn from a sentence of the source holding this share of its event-term weight
MIN_SENTENCE_SHARE = 0.3


@dataclass(frozen=True)
class RetellingLink:
    """A pair without reuse whose own evidence allows a retelling: ``short`` (fewer words)
    retelling ``long``, if ``long`` stands out among ``short``'s candidates."""

    short: str
    long: str
    cosine: float  # event cosine
    relation: str  # ``summary`` or ``paraphrase``, by length
    confidence: float
    direction: str
    evidence: PairEvidence  # oriented as the pair: ``a`` the lower id
    passages: tuple[Passage, ...]
    short_names: frozenset[str] = frozenset()  # names and numbers of each text (``NormalisedDocument.entities``)
    long_names: frozenset[str] = frozenset()

    def names_of(self, text: str) -> frozenset[str]:
        return self.short_names if text == self.short else self.long_names


def retelling_link(a: NormalisedDocument, b: NormalisedDocument, evidence: PairEvidence, cosine: float,
                   reused: bool, vector_a: EventVector, vector_b: EventVector,
                   settings: Settings) -> RetellingLink | None:
    """The pair ``a`` < ``b`` as a possible retelling, or ``None`` when its own evidence rules
    one out (reuse already, a brief, unlike documents, names and numbers of its own)."""
    if reused or brief_and_longer(a, b, settings) or evidence.doc_similarity < settings.retelling_similarity:
        return None
    if (len(a.entities & b.entities) < settings.retelling_shared
            or evidence.entity_overlap < settings.reworded_specifics):
        return None
    short, long, vector = (a, b, vector_a) if a.length <= b.length else (b, a, vector_b)
    relation = reworded_kind(short.length / max(1, long.length))
    confidence = min(confidence_past(evidence.entity_overlap, settings.reworded_specifics, 0.4),
                     confidence_past(evidence.doc_similarity, settings.retelling_similarity, 0.3))
    passages = tuple(Passage(a.doc.id, b.doc.id, *((ss, se, ls, le) if short is a else (ls, le, ss, se)),
                             "paraphrase", score)
                     for (ss, se), (ls, le), score in sentence_sources(short, long, vector))
    return RetellingLink(short.doc.id, long.doc.id, round(float(cosine), 4), relation, confidence,
                         pair_direction(a, b, evidence, relation, settings),
                         evidence, passages, short.entities, long.entities)


def sentence_sources(short: NormalisedDocument, source: NormalisedDocument,
                     vector: EventVector) -> list[tuple[tuple[int, int], tuple[int, int], float]]:
    """``(short sentence span, source sentence span, share)``: for each sentence of ``short``,
    the source sentence holding the largest share of that sentence's event-term weight
    (``vector``: ``short``'s event vector), where the share reaches ``MIN_SENTENCE_SHARE``."""
    if not len(vector.keys) or not len(short.sentences) or not len(source.sentences):
        return []
    own = sentence_terms(short, vector.keys) * vector.weights  # (short sentences x terms)
    totals = own.sum(axis=1)
    gains = sentence_terms(source, vector.keys).astype(np.float64) @ own.T  # (source x short sentences)
    best = gains.argmax(axis=0)
    shares = gains[best, np.arange(len(best))] / np.where(totals > 0, totals, 1.0)
    return [(short.sentences[i], source.sentences[int(best[i])], round(float(shares[i]), 4))
            for i in np.flatnonzero((totals > 0) & (shares >= MIN_SENTENCE_SHARE))]


def rivals_of(link: RetellingLink, neighbours: Iterable[tuple[str, float]], settings: Settings) -> list[str]:
    """The texts among ``short``'s candidates (``(id, event cosine)``) too close to it for
    ``long`` to stand out, unless each is a copy of ``long`` or derived from ``short``."""
    return [other for other, cosine in neighbours
            if other != link.long and cosine * settings.retelling_margin > link.cosine]


def retelling_pair(link: RetellingLink) -> Pair:
    a, b = sorted((link.short, link.long))
    return Pair(a, b, link.relation, link.confidence, link.direction, link.evidence, link.passages)


def retellings(links: Sequence[RetellingLink], cosines: Iterable[tuple[str, str, float]],
               source_of: Callable[[str, str], str | None], settings: Settings) -> list[Pair]:
    """The pairs of ``links`` whose longer text stands out among the shorter one's candidates
    (``cosines``: every candidate pair's event cosine).  ``source_of(x, y)``: for a reuse pair,
    the text it derives from, or ``""`` when that is unknown; ``None`` for no reuse pair (local
    engine; the Spark engine checks the rivals with a join)."""
    wanted = {link.short for link in links}
    neighbours: dict[str, list[tuple[str, float]]] = {k: [] for k in wanted}
    for x, y, cosine in cosines:
        if x in wanted:
            neighbours[x].append((y, cosine))
        if y in wanted:
            neighbours[y].append((x, cosine))
    by_pair = {pair_key(link.short, link.long): link for link in links}
    return [retelling_pair(link) for link in sorted(links, key=lambda k: (k.short, k.long))
            if all(excused(link, rival, source_of, by_pair.get(pair_key(rival, link.long)))
                   for rival in rivals_of(link, neighbours[link.short], settings))]


def excused(link: RetellingLink, rival: str, source_of: Callable[[str, str], str | None],
            rival_link: RetellingLink | None = None) -> bool:
    """A rival that is a copy of ``long``, a copy of ``short`` not known to be its source, or
    a sibling (``rival_link``: the rival's own possible retelling of ``long``, through which
    alone it is near ``short``) does not stand against the link."""
    return (source_of(rival, link.long) is not None or source_of(rival, link.short) not in (None, rival)
            or sibling(link, rival, rival_link))


def sibling(link: RetellingLink, rival: str, rival_link: RetellingLink | None) -> bool:
    """``rival`` may retell ``link.long`` too, and all the names and numbers it shares with
    ``link.short`` are ``link.long``'s: it is near the shorter text through the longer."""
    if rival_link is None:
        return False
    return link.short_names & rival_link.names_of(rival) <= link.long_names

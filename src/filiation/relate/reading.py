"""What one aligned pair tells the corpus-wide steps: the step both engines run per pair.

A pair's own evidence decides reuse (``classify_pair``); what it cannot decide alone is left
to steps that see the whole corpus: its event link for the same-event clusters, and whether it
may be a brief's summary or a loose retelling (chosen against the text's other candidates).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..model import Pair, PairEvidence
from ..settings import Settings
from ..text.normalise import NormalisedDocument
from .briefs import BriefLink, brief_link
from .classify import classify_pair, same_event_pair
from .events import EventVector, event_cosine, event_link, names_cosine
from .evidence import measure_pair
from .retellings import RetellingLink, retelling_link


@dataclass(frozen=True)
class PairReading:
    """``cosine``: the words' event cosine (briefs' and retellings' nearness); ``link``: the
    event link (``event_link``, words and names mixed) the same-event clusters are built from;
    ``pair``: the reuse relation, or ``None``, when ``loose`` holds ``(a, b, evidence, link)``
    for the clusters to decide."""

    a: str
    b: str
    cosine: float
    link: float
    pair: Pair | None
    loose: tuple[str, str, PairEvidence, float] | None
    brief: BriefLink | None
    retelling: RetellingLink | None


def read_aligned_pair(a: NormalisedDocument, b: NormalisedDocument, aligned, vector_a: EventVector,
                      vector_b: EventVector, settings: Settings) -> PairReading:
    """``aligned``: the pair's ``AlignedPair`` (``a`` < ``b`` by id); its evidence comes back
    carrying the two event similarities, as every written pair does."""
    evidence, cosine, link = _with_event_similarities(aligned.evidence, vector_a, vector_b, settings)
    aligned = replace(aligned, evidence=evidence)
    pair = classify_pair(a, b, aligned, settings)
    loose = (a.doc.id, b.doc.id, evidence, link) if pair is None else None
    reused = pair is not None
    return PairReading(a.doc.id, b.doc.id, cosine, link, pair, loose,
                       brief_link(a, b, evidence, cosine, reused, vector_a, vector_b, settings),
                       retelling_link(a, b, evidence, cosine, reused, vector_a, vector_b, settings))


def same_event_unaligned(a: NormalisedDocument, b: NormalisedDocument, vector_a: EventVector,
                         vector_b: EventVector, doc_similarity: float, settings: Settings) -> Pair:
    """A pair that was no candidate (``a`` < ``b`` by id) but whose texts share an event
    cluster: ``same_event``, its evidence measured without alignment (no verbatim passages or
    sentence matches: the two were not compared sentence by sentence)."""
    no_words_a, no_words_b = np.zeros(a.length, dtype=bool), np.zeros(b.length, dtype=bool)
    evidence = measure_pair(a, b, [], no_words_a, no_words_b, set(), set(), doc_similarity)
    evidence, _, link = _with_event_similarities(evidence, vector_a, vector_b, settings)
    return same_event_pair(a.doc.id, b.doc.id, evidence, link, settings.event_cut)


def _with_event_similarities(evidence: PairEvidence, vector_a: EventVector, vector_b: EventVector,
                             settings: Settings) -> tuple[PairEvidence, float, float]:
    """``(evidence with both event similarities, words' cosine, event link)``."""
    cosine = event_cosine(vector_a, vector_b)
    names = names_cosine(vector_a, vector_b)
    evidence = replace(evidence, event_similarity=round(cosine, 4), names_similarity=round(names, 4))
    return evidence, cosine, event_link(cosine, names, settings.event_names_weight)

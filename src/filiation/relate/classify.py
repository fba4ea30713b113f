"""Decide the kind of reuse from a pair's evidence, with a confidence.

The evidence is read from the side of the *shorter* text, since reuse means the shorter
text's content is found in the longer one (an excerpt, a summary), whichever came first.
Thresholds are stated once in ``RelationThresholds``; the README's evaluation shows what
they give on every labelled set.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Pair, PairEvidence
from ..settings import Settings
from .direction import pair_direction


@dataclass(frozen=True)
class RelationThresholds:
    duplicate: float = 0.9  # verbatim share of both texts
    edited_copy: float = 0.3  # verbatim share of the shorter text
    reworded: float = 0.45  # word-pair share + sentence-match share of the shorter text
    reworded_similarity: float = 0.6  # ...between texts whose document vectors are at least this alike
    summary_ratio: float = 0.45  # shorter/longer length below which a rewrite is a summary


THRESHOLDS = RelationThresholds()


@dataclass(frozen=True)
class ShorterView:
    """The evidence seen from the shorter text ``s`` against the longer ``l``."""

    verbatim_s: float
    verbatim_l: float
    bigrams_s: float
    semantic_s: float
    ratio: float

    @classmethod
    def of(cls, e: PairEvidence) -> "ShorterView":
        if e.length_a <= e.length_b:
            return cls(e.verbatim_a, e.verbatim_b, e.bigrams_a, e.semantic_a, e.length_a / max(1, e.length_b))
        return cls(e.verbatim_b, e.verbatim_a, e.bigrams_b, e.semantic_b, e.length_b / max(1, e.length_a))

    @property
    def reworded(self) -> float:
        return self.bigrams_s + self.semantic_s


def confidence_past(value: float, threshold: float, scale: float) -> float:
    """0.5 at the threshold, rising towards 1 as the evidence clears it by ``scale``."""
    return round(min(1.0, 0.5 + 0.5 * abs(value - threshold) / scale), 3)


def relation_of(e: PairEvidence, t: RelationThresholds = THRESHOLDS) -> tuple[str | None, float]:
    """``(relation, confidence)``; ``(None, confidence of 'unrelated')`` when there is none."""
    v = ShorterView.of(e)
    if v.verbatim_s >= t.duplicate and v.verbatim_l >= t.duplicate:
        return "duplicate", confidence_past(min(v.verbatim_s, v.verbatim_l), t.duplicate, 0.1)
    if v.verbatim_s >= t.edited_copy:
        return "edited_copy", confidence_past(v.verbatim_s, t.edited_copy, 0.3)
    if v.reworded >= t.reworded and e.doc_similarity >= t.reworded_similarity:
        return reworded_kind(v.ratio, t), confidence_past(v.reworded, t.reworded, 0.3)
    return None, confidence_past(v.reworded, t.reworded, 0.3)


def reworded_kind(ratio: float, t: RelationThresholds = THRESHOLDS) -> str:
    """A rewording is a ``summary`` when the shorter text is under ``summary_ratio`` of the
    longer one's length, else a ``paraphrase``."""
    return "summary" if ratio < t.summary_ratio else "paraphrase"


def _explained(verbatim: float, bigrams: float, semantic: float) -> float:
    """How much of one text the other explains: copied, or reworded (half weight)."""
    return max(verbatim, (bigrams + semantic) / 2)


def reuse_strength(e: PairEvidence) -> float:
    """How much of the shorter text the pair's reuse explains (for ranking competing sources)."""
    v = ShorterView.of(e)
    return _explained(v.verbatim_s, v.bigrams_s, v.semantic_s)


def closeness(e: PairEvidence) -> float:
    """How near two texts are, counting what each holds beyond the other: the mean of the two
    sides' explained shares.  A copy is nearer its parent than its grandparent, which holds
    the material the parent dropped; reuse of the shorter text alone cannot tell them apart."""
    return (_explained(e.verbatim_a, e.bigrams_a, e.semantic_a) + _explained(e.verbatim_b, e.bigrams_b, e.semantic_b)) / 2


def classify_pair(a, b, aligned, settings: Settings) -> Pair | None:
    """The reuse relation of one aligned pair, or ``None`` for a pair without reuse (which
    ``same_event_pair`` may still make a report of the same event: a corpus-wide decision,
    ``relate/events.py``)."""
    evidence = aligned.evidence
    relation, confidence = relation_of(evidence)
    if relation is None or (relation in ("paraphrase", "summary") and names_of_their_own(a, b, evidence, settings)):
        return None
    direction = pair_direction(a, b, evidence, relation, settings)
    return Pair(a.doc.id, b.doc.id, relation, confidence, direction, evidence, aligned.passages)


def names_of_their_own(a, b, evidence: PairEvidence, settings: Settings) -> bool:
    """Two texts that share wording but not their names and numbers: of the text with fewer,
    enough to judge by (``reworded_names``), and under ``reworded_specifics`` of them in the
    other.  A rewording carries its source's people, places and figures forward; reports of two
    happenings of one kind (two arrests, two earthquakes) share the wording of the kind.  A
    text with few names (a student's answer, a definition) is not judged by them."""
    fewer = min(len(a.entities), len(b.entities))
    return fewer >= settings.reworded_names and evidence.entity_overlap < settings.reworded_specifics


def same_event_pair(a_id: str, b_id: str, evidence: PairEvidence, link: float, cut: float) -> Pair:
    """A pair without reuse whose texts fall in one event cluster: no passages, no direction;
    confident as far as its own event link clears the clusters' cut (0.5 below it: the pair
    is in the cluster by its neighbours' links, not its own)."""
    return Pair(a_id, b_id, "same_event", confidence_past(max(link, cut), cut, 0.3), "unknown", evidence, ())

"""Briefs: which longer text a one- or two-sentence text condenses, decided across its candidates.

A one-sentence summary rewords and draws on several sentences of its article, so a pair's
own evidence (shared 5-grams, one matched sentence) is too thin to call it reuse, and an
independent one-line report of the same happening looks just as close.  What tells them
apart is the brief's *other* candidates: a summary is much closer to its one article than
to anything else, while a report of an event is about as close to every report of it.
Nearness is the event cosine times the document vectors' cosine (``BriefLink.nearness``):
one sentence holds few terms, and what it says as a whole tells an article apart from one
on a neighbouring story.  So a brief is a ``summary`` of the longer text nearest it when
their event cosine reaches ``brief_min_event_cosine`` and their nearness is
``brief_margin`` times the next one's, the next ones that are copies of the chosen text
(reuse pairs with it) aside; a brief that already has a reuse pair keeps that one.  Its
passages are the sentences it draws on (``drawn_passages``), not only its nearest one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..candidates.briefs import brief_and_longer
from ..model import Pair, PairEvidence, Passage
from ..settings import Settings
from ..text.normalise import NormalisedDocument
from .classify import confidence_past
from .direction import date_order
from .events import EventVector, term_positions

#: at most this many source sentences make a brief's passages...
MAX_DRAWN = 3
#: ...each adding at least this share of the brief's event-term weight
MIN_DRAWN_SHARE = 0.15
#: a brief's confidence reaches 1 this far above ``brief_min_event_cosine``
COSINE_SCALE = 0.2


@dataclass(frozen=True)
class BriefLink:
    """An aligned pair of a brief and a text at least ``brief_length_ratio`` times longer."""

    brief: str
    other: str
    cosine: float  # event cosine
    reused: bool  # the pair is reuse already (``classify_pair``)
    evidence: PairEvidence  # oriented as the pair: ``a`` the lower id
    passages: tuple[Passage, ...]  # the sentences of ``other`` the brief draws on
    brief_first: bool  # the brief is dated before the other: no direction can be given

    @property
    def nearness(self) -> float:
        """Event cosine times document-vector cosine: near in the happening's terms and in
        what the texts say as wholes (a brief's words alone are few to judge by)."""
        return self.cosine * max(0.0, self.evidence.doc_similarity)


@dataclass(frozen=True)
class BriefChoice:
    """A brief's nearest longer text, and the ``rivals`` too close to it for the choice to
    stand unless each is a copy of the chosen text; ``next_nearness``: the nearest other's."""

    link: BriefLink
    rivals: tuple[str, ...]
    next_nearness: float


def brief_link(a: NormalisedDocument, b: NormalisedDocument, evidence: PairEvidence, cosine: float,
               reused: bool, vector_a: EventVector, vector_b: EventVector,
               settings: Settings) -> BriefLink | None:
    """The pair ``a`` < ``b`` as a brief's link, or ``None`` when neither side is a brief
    against a text long enough."""
    if not brief_and_longer(a, b, settings):
        return None
    brief, other, vector = (a, b, vector_a) if a.length <= b.length else (b, a, vector_b)
    cosine = round(float(cosine), 4)
    # passages only where the link can be chosen (``choose_source``): not reuse, near enough
    can_be_chosen = not reused and cosine >= settings.brief_min_event_cosine
    drawn = drawn_passages(brief, other, vector) if can_be_chosen else []
    passages = tuple(Passage(a.doc.id, b.doc.id, *((bs, be, os_, oe) if brief is a else (os_, oe, bs, be)),
                             "paraphrase", score) for (bs, be), (os_, oe), score in drawn)
    first = date_order(brief.doc.date, other.doc.date, settings.date_tolerance_hours) == "a->b"
    return BriefLink(brief.doc.id, other.doc.id, cosine, reused, evidence, passages, first)


def drawn_passages(brief: NormalisedDocument, source: NormalisedDocument,
                   vector: EventVector) -> list[tuple[tuple[int, int], tuple[int, int], float]]:
    """``(brief span, source sentence span, share)``: the source sentences that hold the most
    of the brief's event-term weight not yet covered, greedily, up to ``MAX_DRAWN`` each adding
    ``MIN_DRAWN_SHARE``; the brief span runs over the words those terms occur at."""
    if not len(vector.keys) or not len(source.sentences):
        return []
    total = float(vector.weights.sum())
    held = sentence_terms(source, vector.keys)
    covered = np.zeros(len(vector.keys), dtype=bool)
    out = []
    for _ in range(MAX_DRAWN):
        gains = held @ np.where(covered, 0.0, vector.weights)
        k = int(np.argmax(gains))
        if gains[k] < MIN_DRAWN_SHARE * total:
            break
        span = _brief_span(brief, vector.keys[held[k] & ~covered])
        covered |= held[k]
        if span is not None:
            out.append((span, source.sentences[k], round(float(gains[k]) / total, 4)))
    return sorted(out)


def sentence_terms(doc: NormalisedDocument, keys: np.ndarray) -> np.ndarray:
    """Boolean (``doc``'s sentences x ``keys``, sorted): which of the terms each sentence holds
    (a word pair counted in the sentence of its first word)."""
    positions, terms = term_positions(doc.words)
    at = np.searchsorted(keys, terms).clip(max=len(keys) - 1)
    hit = keys[at] == terms
    sentence = np.searchsorted(doc.sentence_words[:, 1], positions[hit], side="right")
    inside = sentence < len(doc.sentences)
    held = np.zeros((len(doc.sentences), len(keys)), dtype=bool)
    held[sentence[inside], at[hit][inside]] = True
    return held


def _brief_span(brief: NormalisedDocument, keys: np.ndarray) -> tuple[int, int] | None:
    """From the first to the last word of ``brief`` whose hash is among ``keys``, within the
    brief's sentence holding most of them."""
    at = np.flatnonzero(np.isin(brief.words, keys))
    if not len(at):
        return None
    sentence = np.searchsorted(brief.sentence_words[:, 1], at, side="right").clip(max=len(brief.sentences) - 1)
    most = np.bincount(sentence).argmax()
    at = at[sentence == most]
    return int(brief.word_starts[at[0]]), int(brief.word_ends[at[-1]])


def choose_source(links: Sequence[BriefLink], settings: Settings) -> BriefChoice | None:
    """The brief's nearest longer text (by ``BriefLink.nearness``) if it is near enough, or
    ``None`` (the brief already has a reuse pair, or its nearest is under
    ``brief_min_event_cosine``)."""
    if not links or any(link.reused for link in links):
        return None
    best, *rest = sorted(links, key=lambda link: (-link.nearness, link.other))
    if best.cosine < settings.brief_min_event_cosine or best.nearness <= 0:
        return None
    rivals = tuple(link.other for link in rest if link.nearness * settings.brief_margin > best.nearness)
    below = [link.nearness for link in rest if link.other not in rivals]
    return BriefChoice(best, rivals, max(below, default=0.0))


def brief_summary(choice: BriefChoice, settings: Settings) -> Pair:
    """The brief as a ``summary`` of the chosen text (its rivals found to be copies of it):
    confident as far as the chosen text stands out from the next beyond ``brief_margin``."""
    link = choice.link
    a, b = sorted((link.brief, link.other))
    direction = "unknown" if link.brief_first else ("a->b" if link.other == a else "b->a")
    stands_out = link.nearness / max(choice.next_nearness, 1e-6)
    confidence = min(confidence_past(stands_out, settings.brief_margin, settings.brief_margin),
                     confidence_past(link.cosine, settings.brief_min_event_cosine, COSINE_SCALE))
    return Pair(a, b, "summary", confidence, direction, link.evidence, link.passages)


def brief_summaries(links: Sequence[BriefLink], is_copy: Callable[[str, str], bool], settings: Settings) -> list[Pair]:
    """``summary`` pairs of every brief whose choice stands (local engine; the Spark engine
    checks the rivals with a join)."""
    by_brief: dict[str, list[BriefLink]] = {}
    for link in links:
        by_brief.setdefault(link.brief, []).append(link)
    out = []
    for brief in sorted(by_brief):
        choice = choose_source(by_brief[brief], settings)
        if choice and all(is_copy(choice.link.other, rival) for rival in choice.rivals):
            out.append(brief_summary(choice, settings))
    return out

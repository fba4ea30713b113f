"""Which text came first: dates when both carry one, otherwise what the content shows.

- Verbatim reuse: the text whose words are more fully found in the other is the copy (an
  excerpt is contained in its source).  When *each* text holds a substantial share of words
  the other lacks, both were cut from a longer text that neither is: ``common_source``.
- Rewording: a rewrite drops specifics (names, numbers, places) and a summary is shorter,
  so the text holding more specifics the other lacks is the source.
- Siblings: two texts that each reuse a third text more strongly than each other are both
  its descendants, not one the other's parent (``mark_siblings``).
Weak evidence gives ``unknown``: a backwards edge misleads more than an unknown one.
"""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from ..model import Pair, PairEvidence
from ..settings import Settings

MIN_OWN_SHARE = 0.12  # share of a text not found in the other, for "each holds its own material"
MIN_OWN_WORDS = 30


def parse_date(value: str | None) -> datetime | None:
    """ISO 8601 or RFC 2822 dates; ``None`` for anything else (no guessing)."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def date_order(date_a: str | None, date_b: str | None, tolerance_hours: float) -> str | None:
    """``a->b`` when a is dated more than the tolerance before b, ``b->a`` the other way,
    ``None`` when either is undated or they are too close to order."""
    da, db = parse_date(date_a), parse_date(date_b)
    if da is None or db is None:
        return None
    hours = (db - da).total_seconds() / 3600
    if hours > tolerance_hours:
        return "a->b"
    if hours < -tolerance_hours:
        return "b->a"
    return None


def pair_direction(a, b, e: PairEvidence, relation: str, settings: Settings) -> str:
    """``a->b`` (b derives from a), ``b->a``, ``common_source`` or ``unknown``, from the two
    normalised documents and their pair's evidence."""
    if relation == "same_event":
        return "unknown"
    dated = date_order(a.doc.date, b.doc.date, settings.date_tolerance_hours)
    if dated is not None:
        return dated
    if relation in ("duplicate", "edited_copy"):
        own_a, own_b = 1 - e.verbatim_a, 1 - e.verbatim_b
        if _both_own(own_a, own_b, e):
            # words each lacks; but material of its own is neither copied nor reworded from the
            # other: a rewrite's reworded sentences are not its own, and a pair that only
            # rewords is too uneven to orient by verbatim shares
            if _both_own(1 - max(e.verbatim_a, e.semantic_a), 1 - max(e.verbatim_b, e.semantic_b), e):
                return "common_source"
            return "unknown"
        if abs(e.verbatim_a - e.verbatim_b) < 0.05:
            return "unknown"
        return "a->b" if e.verbatim_b > e.verbatim_a else "b->a"
    # reworded: the text with more specifics of its own is the source
    only_a = len(a.entities - b.entities)
    only_b = len(b.entities - a.entities)
    if relation == "summary" or max(only_a, only_b) >= 1.5 * min(only_a, only_b) + 2:
        if only_a != only_b:
            return "a->b" if only_a > only_b else "b->a"
        if e.length_a != e.length_b:
            return "a->b" if e.length_a > e.length_b else "b->a"
    return "unknown"


def _both_own(own_a: float, own_b: float, e) -> bool:
    """Each text holds a substantial share (and number of words) the other lacks."""
    return (own_a >= MIN_OWN_SHARE and own_a * e.length_a >= MIN_OWN_WORDS
            and own_b >= MIN_OWN_SHARE and own_b * e.length_b >= MIN_OWN_WORDS)


def source_of(pair: Pair) -> str | None:
    if pair.direction == "a->b":
        return pair.a
    if pair.direction == "b->a":
        return pair.b
    return None


def mark_siblings(pairs: list[Pair], strength) -> list[Pair]:
    """Re-label ``x~y`` as ``common_source`` when some ``z`` is the source of both, each of
    them reusing ``z`` more strongly than they reuse each other."""
    from dataclasses import replace

    reuse = [p for p in pairs if p.relation != "same_event"]
    parents: dict[str, dict[str, float]] = {}
    for p in reuse:
        src = source_of(p)
        if src is not None:
            child = p.b if src == p.a else p.a
            parents.setdefault(child, {})[src] = strength(p.evidence)
    out = []
    for p in pairs:
        if p.relation != "same_event":
            own = strength(p.evidence)
            pa, pb = parents.get(p.a, {}), parents.get(p.b, {})
            shared = [z for z in pa.keys() & pb.keys() if pa[z] > own and pb[z] > own]
            if shared:
                p = replace(p, direction="common_source")
        out.append(p)
    return out

"""Quantities in running text, read as values with the hedge that qualifies them.

"3,400", "3400" and "three thousand four hundred" are one value; "at least 40" and "over 40"
are not the same claim.  Hedges fall into classes of equal meaning ("more than" = "over"),
so a rewrite that keeps the meaning with other words is not reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # "one" is left out: far more often a pronoun ("one of the") than a count
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1e12,
           "bn": 1_000_000_000, "m": 1_000_000, "k": 1_000}
_WORDS = sorted(list(_UNITS) + list(_TENS), key=len, reverse=True)

# hedge phrases, each mapped to its class: a change of class changes the claim
_HEDGES = {
    "at least": "at least", "no fewer than": "at least", "a minimum of": "at least",
    "more than": "more than", "over": "more than", "upwards of": "more than", "in excess of": "more than",
    "just over": "more than",
    "nearly": "nearly", "almost": "nearly", "close to": "nearly", "just under": "nearly", "just shy of": "nearly",
    "about": "about", "around": "about", "roughly": "about", "approximately": "about", "some": "about",
    "an estimated": "about", "estimated": "about", "circa": "about",
    "up to": "up to", "as many as": "up to", "as much as": "up to", "at most": "up to",
    "no more than": "up to", "not more than": "up to", "no less than": "at least", "not less than": "at least",
    "fewer than": "fewer than", "less than": "fewer than", "under": "fewer than", "below": "fewer than",
}
_HEDGE_RE = "|".join(sorted((re.escape(h) for h in _HEDGES), key=len, reverse=True))
_NUMBER_WORD = rf"(?:(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(_UNITS)}))?|{'|'.join(_WORDS)})"
_SCALE_WORD = r"(?:hundred|thousand|million|billion|trillion)"
_QUANTITY = re.compile(
    rf"(?:\b(?P<hedge>{_HEDGE_RE})\s+)?"
    rf"(?:(?P<cur>[$£€])\s?)?"
    rf"(?:(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?:\s?(?P<scale>{_SCALE_WORD}|bn|m|k)\b)?"
    rf"|\b(?P<words>{_NUMBER_WORD}(?:\s+(?:and\s+)?(?:{_NUMBER_WORD}|{_SCALE_WORD}))*)\b)"
    rf"(?P<pct>\s?(?:%|per\s?cent|percent))?",
    re.IGNORECASE,
)
_ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number as written (``start``..``end`` includes its hedge) and what it means."""

    start: int
    end: int
    value: float
    hedge: str | None  # the hedge's class, e.g. "at least", "about"
    percent: bool

    def claim(self) -> tuple[float, str | None, bool]:
        return (self.value, self.hedge, self.percent)


def _words_value(words: str) -> float | None:
    """Value of a written number such as "twenty-five", "three hundred", "two million"."""
    total = 0.0
    current = 0.0
    seen = False
    for w in re.split(r"[\s-]+", words.lower()):
        if w == "and" or not w:
            continue
        if w in _UNITS:
            current += _UNITS[w]
            seen = True
        elif w in _TENS:
            current += _TENS[w]
            seen = True
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        else:
            return None
    return total + current if seen else None


def find_quantities(text: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """The quantities written in ``text[start:end]``, with offsets into ``text``."""
    end = len(text) if end is None else end
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(text, start, end):
        if m.group("digits"):
            if _ORDINAL_AFTER.match(text[m.end("digits") : m.end("digits") + 3]):
                continue  # "21st" is a rank, not a quantity
            value = float(m.group("digits").replace(",", ""))
        else:
            parsed = _words_value(m.group("words"))
            if parsed is None:
                continue
            value = parsed
        scale = (m.group("scale") or "").lower()
        if scale:
            value *= _SCALES[scale]
        hedge = m.group("hedge")
        found.append(
            Quantity(
                start=m.start(),
                end=m.end(),
                value=value,
                hedge=_HEDGES[hedge.lower()] if hedge else None,
                percent=bool(m.group("pct")),
            )
        )
    return found


def describe(q: Quantity, text: str) -> str:
    return text[q.start : q.end].strip()

"""Who says what, and how sure the text is: speakers of speech verbs and hedges.

Both are read per sentence and compared between a derived sentence and the source sentence
it was aligned with.  A speaker is reduced to what identifies it (a surname, or a kind of
source such as "officials" or "experts"), so "Mr Schenker said" and "David Schenker noted"
agree while "officials said" and "experts warn" do not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_VERBS = (
    r"said|says|say|told|tells|tell|added|adds|warned|warns|warn|claimed|claims|claim|stated|states|"
    r"argued|argues|argue|noted|notes|explained|explains|insisted|insists|announced|announces|reported|"
    r"reports|confirmed|confirms|cautioned|cautions|believes|believe|believed|acknowledged|"
    r"acknowledges|wrote|writes|estimated|estimates|suggested|suggests|predicted|predicts|"
    r"pointed out|points out|alleged|alleges|contended|contends|asserted|asserts|observed|observes|"
    r"stressed|stresses|admitted|admits|indicated|indicates"
)
# kinds of unnamed source: a change between kinds changes who vouches for the claim
_KINDS = {
    "official": "officials", "officials": "officials", "authorities": "officials", "administration": "officials",
    "government": "officials", "ministry": "officials", "department": "officials", "pentagon": "officials",
    "spokesperson": "spokesperson", "spokesman": "spokesperson", "spokeswoman": "spokesperson",
    "representative": "spokesperson", "statement": "spokesperson",
    "expert": "experts", "experts": "experts", "analyst": "experts", "analysts": "experts",
    "researchers": "experts", "scientists": "experts", "observers": "experts", "commentators": "experts",
    "critic": "critics", "critics": "critics", "opponents": "critics",
    "source": "sources", "sources": "sources", "insiders": "sources", "person": "sources", "people": "sources",
    "witness": "witnesses", "witnesses": "witnesses", "residents": "witnesses", "locals": "witnesses",
    "police": "police", "officers": "police", "investigators": "police", "prosecutors": "police",
    "military": "military", "army": "military", "forces": "military", "commander": "military",
    "lawmakers": "lawmakers", "lawmaker": "lawmakers", "senators": "lawmakers", "politician": "lawmakers",
    "politicians": "lawmakers", "mps": "lawmakers", "legislators": "lawmakers",
    "report": "report", "reports": "report", "study": "report", "data": "report", "media": "report",
}
_KIND_WORDS: dict[str, frozenset[str]] = {
    kind: frozenset(w for w, k in _KINDS.items() if k == kind) for kind in set(_KINDS.values())}
_PRONOUNS = frozenset("he she they it we i you who which that this".split())
_NAME = r"(?:(?:[A-Z]\.|[A-Z][\w’'-]+)(?:\s+(?:al-|bin\s|de\s|van\s|von\s)?(?:[A-Z]\.|[A-Z][\w’'-]+)){0,3})"
_PHRASE = (r"(?:(?:the|a|an|two|three|several|some|many|other|anonymous|unnamed|senior|former|local|top|"
           r"U\.?S\.?|US|[A-Z][a-z]+)\s+){0,3}[a-z]+")
_BEFORE = re.compile(rf"(?P<who>{_NAME}|{_PHRASE})(?:,[^,]{{1,80}},)?\s+(?:have\s+|has\s+|had\s+)?(?:{_VERBS})\b")
_AFTER = re.compile(rf"[,”\"]\s*(?:{_VERBS})\s+(?P<who>{_NAME}|{_PHRASE})")
_ACCORDING = re.compile(rf"\b(?i:according to)\s+(?P<who>{_NAME}|{_PHRASE})")  # the speaker's case kept: "two U.S. officials" is no name


@dataclass(frozen=True)
class Speaker:
    start: int
    end: int
    key: str  # a surname ("schenker") or a kind of source ("officials")


def _speaker_key(phrase: str) -> str | None:
    words = re.findall(r"[\w’'-]+", phrase)
    if not words:
        return None
    if words[-1].lower() in _PRONOUNS:
        return None
    for w in reversed(words):
        kind = _KINDS.get(w.lower())
        if kind:
            return kind
    capitals = [w for w in words if w[:1].isupper() and w.lower() not in ("the", "a", "an", "mr", "mrs", "ms", "dr")]
    if capitals:
        return re.sub(r"[’']s?$|\.$", "", capitals[-1].lower())
    return None


#: a speaker's pronoun, and the kinds of source it may stand for ("he" is one person, not "officials")
_STAND_FOR = {"he": "one", "she": "one", "they": "any"}
_PLURAL_KINDS = frozenset({"officials", "experts", "critics", "sources", "witnesses", "police", "military",
                           "lawmakers", "report"})


def find_speakers(text: str, start: int, end: int, context: int | None = None) -> list[Speaker]:
    """The speakers of the speech verbs in ``text[start:end]``, in order.  A pronoun ("they
    added", "he said") is the last speaker it can stand for in ``text[context:start]`` (the
    sentences before), and is left out without them."""
    out: list[Speaker] = []
    for pattern in (_BEFORE, _AFTER, _ACCORDING):
        for m in pattern.finditer(text, start, end):
            who = m.group("who")
            key = _speaker_key(who)
            if key is None and context is not None:
                key = _antecedent(text, context, start, _STAND_FOR.get(who.split()[-1].lower()))
            if key:
                out.append(Speaker(m.start("who"), m.end("who"), key))
    return sorted(out, key=lambda s: s.start)


def _antecedent(text: str, context: int, start: int, stands_for: str | None) -> str | None:
    if stands_for is None or context >= start:
        return None
    earlier = [s.key for s in find_speakers(text, context, start)
               if stands_for == "any" or s.key not in _PLURAL_KINDS]
    return earlier[-1] if earlier else None


_TRAILING = re.compile(rf"\s*(?:(?:{_VERBS})\b)?\s*[.!?”\"’']*\s*")


def trailing_speaker(text: str, speakers: list[Speaker], end: int) -> Speaker | None:
    """The speaker of a closing attribution (``..., the politician said.``), the outer layer
    of a claim reported second-hand, or ``None``."""
    if not speakers:
        return None
    last = speakers[-1]
    return last if _TRAILING.fullmatch(text, last.end, end) else None


def uncited_kinds(speakers: list[Speaker], texts: list[str]) -> list[Speaker]:
    """The speakers that are a kind of source ("experts", "officials") whose words none of
    ``texts`` uses: an authority the copy brings in that its source never mentions."""
    out = []
    for s in speakers:
        words = _KIND_WORDS.get(s.key)
        if words and not any(re.search(rf"\b(?:{'|'.join(sorted(words))})\b", t, re.IGNORECASE) for t in texts):
            out.append(s)
    return out


def speakers_agree(derived: list[Speaker], source: list[Speaker]) -> bool:
    """True when some speaker of the derived sentence is one of the source sentence's."""
    keys = {s.key for s in source}
    return any(s.key in keys for s in derived)


# --- hedges ----------------------------------------------------------------------------------

# "may" only in lower case and not before a day ("May 2" is the month); "could not" states an
# inability ("could not be reached", "could not be happier"), not a possibility
_HEDGE_CLASSES = {
    "possibility": r"(?-i:may)(?!\s+\d)|might|could(?!\s+not\b)|possibly|perhaps|probably|likely|unlikely|potentially|appear(?:s|ed)? to|seem(?:s|ed)? to",
    "report": r"reportedly|allegedly|alleged|purportedly|apparently|suspected|unconfirmed|unverified|"
              r"(?:is|are|was|were) (?:believed|thought|said) to",
    "source": r"according to",
}
_HEDGE_RES = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in _HEDGE_CLASSES.items()}


@dataclass(frozen=True)
class Hedge:
    start: int
    end: int
    kind: str


def find_hedges(text: str, start: int, end: int) -> list[Hedge]:
    return [Hedge(m.start(), m.end(), kind) for kind, rx in _HEDGE_RES.items() for m in rx.finditer(text, start, end)]

"""Changed facts: names that stand where the source has others, and statements turned around.

Two rules over a derived sentence and the source sentence it was linked with:

- a *name* (a capitalised word inside a sentence, a number-free specific) that the source never
  uses, in any spelling it could be a form of (``Iranian`` of ``Iran``, ``US`` of ``United
  States``, ``Sudani`` of ``Al-Sudani``), is either a substitute for a name of the linked source
  sentence that the copy dropped (``entity_changed``) or a detail the source never held;
- a statement is turned around when one side negates what the other asserts (``not``, ``never``,
  ``failed to``...) or uses the opposite word (``rose``/``fell``, ``admitted``/``denied``)
  where the rest of the sentence is the same.

Both are lexical rules: they say which words changed, so a reader can check them, and they
stay silent where a paraphrase could explain the difference.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# A capitalised word (letters, inner apostrophes or hyphens), or an all-capital acronym.
_NAME = re.compile(r"\b[A-Z][a-zA-Z]*(?:['’-][A-Za-z]+)*\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”(]\s*|\n\s*)$")
# Capitalised words that are not names: pronouns, titles and words that open clauses.  (Days
# and months are kept: a date is a fact a copy can change.)
_COMMON = frozenset(
    """i a an the this that these those it its he she they we you his her their our my your
    mr mrs ms dr prof sir
    but and or so yet if when while after before as in on at for with by from of to not no""".split()
)

# Short forms of dates a copy may spell out, or the reverse ("Oct" = "October").
_SHORT = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october", "nov": "november",
    "dec": "december", "mon": "monday", "tue": "tuesday", "tues": "tuesday", "wed": "wednesday",
    "thu": "thursday", "thur": "thursday", "thurs": "thursday", "fri": "friday", "sat": "saturday",
    "sun": "sunday",
}

_ACRONYM_WORDS = 6  # longer runs of capitalised words (a headline in title case) make no acronym

NEGATIONS = frozenset(
    """not no never none nobody nothing neither nor cannot without unable fail fails failed failing
    refused refuses refuse lacks lacked lack""".split()
)
_NEGATED = re.compile(r"n[’']t\b", re.IGNORECASE)

# Opposites: a sentence that keeps its words but swaps one of these says the reverse.
_OPPOSITES = [
    ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"),
    ("increase", "reduce"), ("increased", "reduced"), ("rise", "fall"), ("rose", "fell"),
    ("rises", "falls"), ("rising", "falling"), ("higher", "lower"), ("high", "low"),
    ("more", "less"), ("more", "fewer"), ("most", "least"), ("gain", "loss"), ("gains", "losses"),
    ("profit", "loss"), ("win", "lose"), ("won", "lost"), ("wins", "loses"), ("winner", "loser"),
    ("accept", "reject"), ("accepted", "rejected"), ("approve", "reject"), ("approved", "rejected"),
    ("allow", "ban"), ("allowed", "banned"), ("allow", "forbid"), ("allowed", "forbidden"),
    ("admit", "deny"), ("admitted", "denied"), ("admits", "denies"), ("confirm", "deny"),
    ("confirmed", "denied"), ("agree", "disagree"), ("agreed", "disagreed"), ("support", "oppose"),
    ("supported", "opposed"), ("supports", "opposes"), ("positive", "negative"),
    ("success", "failure"), ("successful", "unsuccessful"), ("succeeded", "failed"),
    ("strong", "weak"), ("stronger", "weaker"), ("before", "after"), ("early", "late"),
    ("earlier", "later"), ("open", "closed"), ("opened", "closed"), ("include", "exclude"),
    ("included", "excluded"), ("guilty", "innocent"), ("legal", "illegal"), ("likely", "unlikely"),
    ("possible", "impossible"), ("able", "unable"), ("alive", "dead"), ("survived", "died"),
    ("best", "worst"), ("better", "worse"), ("good", "bad"), ("above", "below"),
    ("maximum", "minimum"), ("buy", "sell"), ("bought", "sold"), ("buying", "selling"),
    ("import", "export"), ("imports", "exports"), ("first", "last"), ("expand", "shrink"),
    ("expanded", "shrank"), ("easy", "difficult"), ("easier", "harder"), ("cheap", "expensive"),
    ("true", "false"), ("same", "different"), ("majority", "minority"),
    ("inside", "outside"), ("internal", "external"), ("minor", "major"), ("small", "large"),
    ("smaller", "larger"), ("short", "long"), ("shorter", "longer"), ("upward", "downward"), ("start", "end"), ("started", "ended"), ("begin", "end"),
    ("arrived", "left"), ("entered", "left"), ("private", "public"), ("voluntary", "mandatory"),
    ("optional", "mandatory"), ("safe", "dangerous"), ("win", "loss"), ("victory", "defeat"),
    ("like", "dislike"), ("liked", "disliked"), ("love", "hate"), ("loved", "hated"),
    ("happy", "unhappy"), ("happy", "sad"), ("satisfied", "dissatisfied"), ("pleased", "disappointed"),
    ("optimistic", "pessimistic"), ("increase", "cut"), ("raised", "lowered"), ("raise", "lower"),
    ("hired", "fired"), ("employed", "unemployed"), ("present", "absent"), ("always", "never"),
    ("add", "remove"), ("added", "removed"), ("internal", "foreign"), ("domestic", "foreign"),
    ("younger", "older"), ("young", "old"), ("rich", "poor"), ("wealthy", "poor"),
    ("fast", "slow"), ("faster", "slower"), ("quickly", "slowly"),
]
OPPOSITE: dict[str, frozenset[str]] = {}
for _x, _y in _OPPOSITES:
    if " " not in _x and " " not in _y:
        OPPOSITE[_x] = OPPOSITE.get(_x, frozenset()) | {_y}
        OPPOSITE[_y] = OPPOSITE.get(_y, frozenset()) | {_x}


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    key: str  # lowercased, possessive dropped


def find_names(text: str, start: int = 0, end: int | None = None) -> list[Name]:
    """Capitalised words of ``text[start:end]`` that are not there only because they open a
    sentence or a quotation, nor titles or pronouns."""
    end = len(text) if end is None else end
    out = []
    for m in _NAME.finditer(text, start, end):
        key = re.sub(r"['’]s$", "", m.group()).lower()
        if key in _COMMON or len(key) < 2 or m.group() == "UNK":  # a generator's unknown-word token
            continue
        if _SENTENCE_START.search(text, max(start, m.start() - 4), m.start()) or m.start() == start:
            continue
        if text.startswith(":", m.end()):  # a label ("Source:", "Photo:"), not a name
            continue
        out.append(Name(m.start(), m.end(), key))
    return out


class NameForms:
    """The forms a name in a copy may take of a text's words, indexed so that a look-up costs
    a bisection and a few set probes, not a scan of the source's vocabulary."""

    def __init__(self, forms: set[str]) -> None:
        self.words = frozenset(forms)
        self._sorted = sorted(forms)
        self._stems = {_stem(f) for f in forms if len(f) >= 4}

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def has_word_starting(self, prefix: str) -> bool:
        i = bisect.bisect_left(self._sorted, prefix)
        return i < len(self._sorted) and self._sorted[i].startswith(prefix)

    def has_stem_of(self, name: str) -> bool:
        """Is some word's stem a prefix of ``name``?"""
        return any(name[:k] in self._stems for k in range(4, len(name) + 1))


def _stem(word: str) -> str:
    return word[: max(4, len(word) - 3)]


def name_forms(text: str) -> NameForms:
    """Every lowercased word of ``text``, its hyphen parts, and the initials of each run of up
    to six capitalised words (``United States`` -> ``us``): what a name in a copy may be a form of."""
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", text)
    forms = set()
    run: list[str] = []
    for w in words + [""]:
        base = re.sub(r"['’]s$", "", w).lower()
        forms.add(base)
        forms.update(p for p in re.split(r"[-'’]", base) if p)
        if w[:1].isupper():
            run.append(w)
            continue
        initials = "".join(x[0] for x in run).lower()
        for i in range(len(run)):
            for j in range(i + 2, min(len(run), i + _ACRONYM_WORDS) + 1):
                forms.add(initials[i:j])
        run = []
    forms.discard("")
    forms.update(_SHORT[f] for f in forms & _SHORT.keys())
    forms.update(short for short, long in _SHORT.items() if long in forms)
    return NameForms(forms)


def supported(name: str, forms: NameForms) -> bool:
    """Is ``name`` one of the source's words in some form: the same word, a hyphen part, an
    acronym of its capitalised words, or a word sharing its stem (``Iran``/``Iranian``)?"""
    parts = [p for p in re.split(r"[-'’]", name) if p]
    if name in forms or all(p in forms for p in parts):
        return True
    return len(name) >= 4 and (forms.has_word_starting(_stem(name)) or forms.has_stem_of(name))


def negations(words: tuple[str, ...], text: str) -> int:
    """How many negating words a sentence has (``n't`` included)."""
    return sum(1 for w in words if w in NEGATIONS) + len(_NEGATED.findall(text))


def opposites(derived: tuple[str, ...], source: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(derived word, source word)`` pairs where the copy has a word whose opposite stands in
    the source sentence, and neither sentence has the other's word."""
    d, s = set(derived), set(source)
    out = []
    for w in sorted(d - s):
        for o in sorted(OPPOSITE.get(w, ())):
            if o in s and o not in d:
                out.append((w, o))
    return out

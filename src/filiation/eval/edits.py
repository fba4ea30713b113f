"""Planted edits on real news text: a labelled set for the audit's precision and recall.

Each case takes one original BBC article (ai-rewrites-dev) as its source and derives a text
from it by a few recorded edits, at most one per sentence: kinds the audit should report
(``FINDING_KINDS``) and ``harmless`` distractors it must not (a number written another way, a
connective, a synonym, a neutral sentence cut, two sentences swapped, a credit line).  All else
is kept verbatim, so every recorded span is exact and nothing unrecorded changed.  Only
``quote_altered`` touches text inside quotation marks: a number changed inside a quote would be
two findings at once, and a label must be one thing.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..model import Document
from ..text.sentences import split_sentences
from .datasets import load_jsonl

OUTLET = "BBC News"


@dataclass(frozen=True)
class PlantedEdit:
    """One recorded edit; ``kind`` is a finding kind, or ``harmless`` (must not be reported)."""

    kind: str
    derived_span: tuple[int, int] | None
    source_span: tuple[int, int] | None
    note: str


@dataclass(frozen=True)
class EditedCase:
    id: str
    source: Document
    derived: Document
    edits: tuple[PlantedEdit, ...]


@dataclass(frozen=True)
class _Cand:
    """A possible edit: replace ``region`` (relative to the sentence) by ``new``, or drop,
    swap (``sents`` = the pair) or insert after the sentence (text chosen when picked)."""

    kind: str
    sents: tuple[int, ...]
    op: str
    region: tuple[int, int] = (0, 0)
    new: str = ""
    note: str = ""
    sub: str = ""  # the sort of edit within its kind: a kind's sorts are picked evenly


# ------------------------------------------------------------------ word lists

_WRITTEN = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split()) if n >= 3}
_HEDGE_GROUPS = (("at least", "more than"), ("about", "around", "approximately", "roughly"),
                 ("nearly", "almost", "up to", "fewer than", "less than"))
_HEDGES = "|".join(h for g in _HEDGE_GROUPS for h in g)
_WRITTEN_RE = r"(?<![\w-])(?i:" + "|".join(_WRITTEN) + r")(?![\w-])"
_NUM = re.compile(
    rf"(?:(?P<hedge>(?<![\w-])(?i:{_HEDGES})) )?(?P<num>(?<![\w.,:])(?!0\d)(?:\d{{1,3}}(?:,\d{{3}})+|\d+)"
    rf"(?:\.\d+)?(?![\d:]|[.,]\d|st\b|nd\b|rd\b|th\b)|{_WRITTEN_RE})")
_YEAR = re.compile(r"(?:19|20)\d\d")
_REFORMATS = (  # harmless: the same value written another way
    (re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d.]|,\d)"), lambda m: m[0].replace(",", "")),
    (re.compile(r"(?<![\w.,])\d{5,}(?![\d.,])"), lambda m: f"{int(m[0]):,}"),
    (re.compile(r"(?<![\w-])(?:" + "|".join(_WRITTEN) + r")(?![\w-])"), lambda m: str(_WRITTEN[m[0]])),
    (re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?) (million|billion)\b"), lambda m: _expand(m[1], m[2])),
    (re.compile(r"(?<=[£$€])(\d+(?:\.\d+)?)(m|bn)\b"),
     lambda m: f"{m[1]} {'million' if m[2] == 'm' else 'billion'}"),
    (re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)%"), lambda m: f"{m[1]} per cent"),
    (re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?) per cent\b"), lambda m: f"{m[1]}%"),
)
_SPEECH = r"(?:said|says|told|claimed|added|warned|insisted|explained)"
_NAMEW = r"[A-Z][a-z][\w'’-]*"
_TITLE = (r"(?:manager|minister|secretary|chief|spokesman|spokeswoman|spokesperson|director|boss|"
          r"coach|president|leader|chairman|officer|executive|head|captain|mayor|councillor)")
_GENERIC = ("experts", "analysts", "critics", "sources", "officials", "police", "officers", "campaigners",
            "observers", "a spokesperson")
_WHO = (rf"(?:the BBC|(?i:{'|'.join(_GENERIC)}|he|she|they)(?![\w-])|"
        rf"(?:{_NAMEW} )*(?:(?:[a-z]+ )?{_TITLE} )?(?:{_NAMEW} )*{_NAMEW})")
_ATTR = re.compile(rf"(?<![\w'’-])(?P<who>{_WHO}) (?:has |had |also |later )?(?P<verb>{_SPEECH})\b"
                   rf"|\baccording to (?P<who2>{_WHO})")
_STOP = frozenset("The A An Another But And On In At As Last This That However Meanwhile Speaking Earlier Later "
                  "After Before When While If It Its There Monday Tuesday Wednesday Thursday Friday Saturday "
                  "Sunday".split())
_PARA_END = re.compile(rf"^(?P<clause>[A-Z][^\"“”]{{25,}}?,) (?:{_WHO}) {_SPEECH}\.$")
_PARA_THAT = re.compile(rf"\b(?:said|says|added|warned|claimed) (?P<clause>(?:that )?"
                        r"(?:the|a|an|it|he|she|they|there|his|her|their|its|this|some|we)\b"
                        r"[^\"“”]{20,}?)[.!?]$")
_QUOTE_SWAPS = dict(w.split(":") for w in "good:great great:good very:really really:very will:would can:could "
                    "always:often never:rarely all:most we:they big:huge huge:big happy:delighted proud:pleased "
                    "important:vital difficult:hard hard:difficult sure:certain think:believe believe:think "
                    "must:should".split())
_INTENSIFIERS = ("really", "absolutely", "certainly", "simply", "truly", "clearly")
_BE = re.compile(r"\b(?:is|are|was|were|be|been|am|'s|’s) $", re.IGNORECASE)  # an adverb fits after
_HEDGE_EDITS = (  # (pattern, replacement of the match or None); the last two add a hedge
    (re.compile(r"\b(?:may|might)\b(?= (?!have\b)[a-z])"), lambda m, r: "will"),
    (re.compile(r"\bcould be\b"), lambda m, r: "will be"),
    (re.compile(r"\b(?:is|are|was|were) (?:believed|thought|said|understood|reported) to be\b"),
     lambda m, r: m[0].split()[0]),
    (re.compile(r"\b(?:is|are) likely to\b"), lambda m, r: "will"),
    (re.compile(r"\b(\w+) (?:allegedly|reportedly|apparently|possibly|probably) (\w+)"),
     lambda m, r: f"{m[1]} {m[2]}"),
    (re.compile(r"\b(the|a|an|his|her|their|its|two|three|of) (?:alleged|suspected) (\w+)"),
     lambda m, r: None if m[2] in ("that", "of") else f"{m[1]} {m[2]}"),
    (re.compile(r"^According to [^,\"“”]{2,40}, (\w+)"), lambda m, r: m[1][0].upper() + m[1][1:]),
    (re.compile(r"(\w+), according to [^,.\"“”]{2,40}(?=[.!?]$)"), lambda m, r: m[1]),
    (re.compile(r"\b(?:was|were|is|are)(?= [a-z]+ed\b)"),  # a hedge put into a plain statement
     lambda m, r: f"{m[0]} {r.choice(('reportedly', 'allegedly', 'apparently'))}"),
    (re.compile(r"\bwill\b(?= (?!not\b)[a-z])"), lambda m, r: r.choice(("may", "could", "might"))),
)
_CAVEAT = re.compile(r"\b(?:denied|denies|deny|rejected|rejects|however|but|declined to comment|"
                     r"did not respond|said it would|disputed|disputes|insisted|insists|not|"
                     r"no evidence|although|despite)\b|n't\b", re.IGNORECASE)
_HEDGE_WORDS = re.compile(r"\b(?:may|might|could|alleged|allegedly|reportedly|suspected|"
                          r"believed|likely|according)\b", re.IGNORECASE)
_SYNONYMS = {a: b for pair in (  # harmless swaps, both ways; no nouns that double as verbs
    "big:large huge:enormous started:began bought:purchased helped:assisted quickly:rapidly tried:attempted "
    "needed:required whole:entire fixed:repaired showed:demonstrated shop:store ill:unwell children:youngsters "
    "cars:vehicles main:principal").split() for a, b in (pair.split(":"), pair.split(":")[::-1])}
_OPENERS = frozenset("The A An It He She They This These There Its His Her Their Many Some".split())
# a sentence starting so leans on the one before: swapping it would change what it says
_LEANS = frozenset("He She It They This These That Those His Her Its Their But Yet However And Also So "
                   "Then Meanwhile Instead Still Now".split())
# words after which a speaker's name starts ("Monaco vice-president X said": X is not all of it)
_BEFORE_WHO = frozenset("and but that as when while after before because since although though "
                        "which where so then also however meanwhile now yet earlier later".split())
_CONNECTIVES = ("Meanwhile", "In addition", "Separately", "Moreover", "Also")
_TEMPLATES = (  # opinion and calls to action no news source carries; {name} from the article
    "This is a disgrace and must be stopped.", "Readers should demand answers from the government.",
    "Frankly, the authorities have once again failed the public.", "The public deserves far better than this.",
    "Everyone should share this story before it is buried.", "Something must be done before it is too late.",
    "This shows once again that the whole system is broken.", "Sign the petition today and make your voice heard.",
    "Nobody in charge will ever admit the truth about this.", "It is a scandal that this was allowed to happen at all.",
    "{name} must be held to account for this.", "{name} should resign immediately.",
    "Nobody should trust {name} after this.", "Critics say {name} ignored repeated warnings for years.",
    "{name} deserves nothing but praise for what happened.", "Many fans believe {name} has been treated unfairly.",
)
_CREDITS = ("This article originally appeared on BBC News.", "Source: BBC News.",
            "Originally published by BBC News.", "Reporting by BBC News.")
_CHANGE = ("number_changed", "quote_altered", "attribution_changed", "hedge_changed",
           "unsupported_addition", "omission", "entity_changed", "meaning_reversed")
# Names put in place of an article's own (none of them in the BBC set), and the auxiliaries a
# "not" turns around.
_STAND_INS = ("Lisbon", "Nairobi", "Winnipeg", "Okafor", "Lindqvist", "Tanaka", "Moreau", "Ferreira",
              "Kowalski", "Dunmore")
_TITLES = frozenset("Mr Mrs Ms Dr Prof Sir Lord Lady St".split())
_AUX = re.compile(r"\b(?P<aux>is|are|was|were|will|would|could|can|has|have|had|should)\b(?= (?!not\b)[a-z]{3,})")
_HARMLESS = ("reformat", "connective", "synonym", "drop", "swap")


def _expand(number: str, scale: str) -> str | None:
    value = Decimal(number) * (10**6 if scale == "million" else 10**9)
    return f"{int(value):,}" if value == int(value) else None


def _cap(word: str, like: str) -> str:
    return word[0].upper() + word[1:] if like[:1].isupper() else word


# ------------------------------------------------------------------ loading


def load_bbc_articles(data: Path) -> list[Document]:
    """The original BBC articles of ``data/ai-rewrites-dev`` (the ``source`` side of its pairs)."""
    folder = Path(data) / "ai-rewrites-dev"
    sources = {row["source"] for row in load_jsonl(folder / "pairs.jsonl")}
    rows = [r for r in load_jsonl(folder / "documents.jsonl") if r["id"] in sources]
    return [Document(id=r["id"], text=r["text"], source=OUTLET) for r in sorted(rows, key=lambda r: r["id"])]


# ------------------------------------------------------------------ candidates


def _quote_regions(text: str) -> list[tuple[int, int, bool]]:
    """``(start, end, closed)`` of quoted stretches.  A straight quote opens after a space or
    at the start; news flattened from paragraphs leaves multi-paragraph quotes unclosed, so an
    opening quote also ends any open stretch (``closed`` False)."""
    regions, open_at = [], None
    for m in re.finditer(r"[\"“”]", text):
        i, ch = m.start(), m[0]
        prev, nxt = (text[i - 1] if i else " "), text[i + 1 : i + 2] or " "
        if ch == "“" or (ch == '"' and (prev.isspace() or prev in "([—-:") and not nxt.isspace()):
            if open_at is not None:
                regions.append((open_at, i, False))
            open_at = i
        elif open_at is not None:
            regions.append((open_at, i + 1, True))
            open_at = None
    if open_at is not None:
        regions.append((open_at, len(text), False))
    return regions


def _number_change(m: re.Match, rng: random.Random) -> str:
    """A different value for the number (or a different hedge on it), formatted like it."""
    hedge, num = m["hedge"], m["num"]
    if hedge and rng.random() < 0.5:
        group = next(g for g in _HEDGE_GROUPS if hedge.lower() in g)
        h = rng.choice([""] + [h for g in _HEDGE_GROUPS if g is not group for h in g])
        return _cap(f"{h} {num}" if h else num, hedge)
    if num.lower() in _WRITTEN:
        n = _WRITTEN[num.lower()]
        new = _cap(rng.choice([w for w, v in _WRITTEN.items() if v != n and abs(v - n) <= 5]), num)
    else:
        plain = num.replace(",", "")
        decimals = len(plain.split(".")[1]) if "." in plain else 0
        value = Decimal(plain)
        if _YEAR.fullmatch(num):
            value += rng.choice((-3, -2, -1, 1, 2, 3))
        elif value < 10:
            value = max(value + rng.choice((-2, -1, 1, 2, 3)), Decimal(1) if value >= 1 else value + 1)
        else:
            value *= Decimal(str(1 + rng.choice((-1, 1)) * rng.uniform(0.1, 0.5)))
        rounded = round(value, decimals)
        new = f"{rounded:,.{decimals}f}" if "," in num else f"{rounded:.{decimals}f}"
        if new == num:
            new = f"{int(plain.split('.')[0]) + 1}" + (plain[plain.index("."):] if decimals else "")
    return f"{hedge} {new}" if hedge else new


def _alter_quote(quote: str, rng: random.Random) -> tuple[str, str] | None:
    """The quotation with one word swapped, dropped or added inside."""
    inner = quote[1:-1]
    words = list(re.finditer(r"[A-Za-z][A-Za-z'’]*", inner))
    if len(inner.split()) < 4 or len(words) < 3:
        return None
    for op in rng.sample(("swap", "drop", "insert"), 3):
        if op == "swap" and (hits := [w for w in words if w[0].lower() in _QUOTE_SWAPS]):
            w = rng.choice(hits)
            rep = _cap(_QUOTE_SWAPS[w[0].lower()], w[0])
            return quote[0] + inner[: w.start()] + rep + inner[w.end() :] + quote[-1], f"{w[0]} -> {rep}"
        if op == "drop" and (hits := [w for w in words[1:] if len(w[0]) >= 3 and inner[w.end() : w.end() + 1] == " "]):
            w = rng.choice(hits)
            return quote[0] + inner[: w.start()] + inner[w.end() + 1 :] + quote[-1], f"dropped {w[0]!r}"
        if op == "insert" and (hits := [w for w in words[1:] if _BE.search(inner[: w.start()])]):
            w, add = rng.choice(hits), rng.choice(_INTENSIFIERS)
            return quote[0] + inner[: w.start()] + add + " " + inner[w.start() :] + quote[-1], f"added {add!r}"
    return None


def _speaker(text: str, m: re.Match) -> tuple[int, str, bool] | None:
    """``(start, speaker, vague)`` of an ``_ATTR`` match, or None where the words before the
    name belong to it ("police spokesman X said", "vice-president X said")."""
    key = "who" if m["who"] is not None else "who2"
    start, who = m.start(key), m[key]
    while who.split(" ", 1)[0] in _STOP and " " in who:  # "But Smith said": the speaker is Smith
        start, who = start + len(who.split(" ", 1)[0]) + 1, who.split(" ", 1)[1]
    vague = who.lower() in _GENERIC + ("he", "she", "they", "the bbc")
    before = text[:start].rstrip()
    if who in _STOP or (who[0].islower() and not vague) or not (
        not before or before[-1] in ".!?,;:\"”(" or before.rsplit(" ", 1)[-1].lower() in _BEFORE_WHO
    ):
        return None
    return start, who, vague


def _names(text: str) -> list[str]:
    """Named speakers of the article, so that a changed attribution puts words in another real
    speaker's mouth."""
    found = [w[1] for m in _ATTR.finditer(text) if (w := _speaker(text, m)) and not w[2]]
    return list(dict.fromkeys(found))


def _attribution(sent: str, m: re.Match, names: list[str], rng: random.Random) -> _Cand | None:
    """The speaker swapped: a named or official source for a vague one, or the reverse."""
    if (found := _speaker(sent, m)) is None:
        return None
    start, who, vague = found
    low, last = who.lower(), who.split()[-1]
    named = [n for n in names if last not in n and n not in who]
    generic = [g for g in _GENERIC if g != low]
    options = named + generic if vague else generic + named[:2]
    if m["verb"] == "says" or " has " in m[0]:
        options = [o for o in options if o[0].isupper()] + ["a spokesperson", "an analyst", "a critic"]
    rep = rng.choice(options)
    rep = rep[0].upper() + rep[1:] if start == 0 else rep
    return _Cand("attribution_changed", (), "replace", (start, start + len(who)), rep, f"{who} -> {rep}")


def _candidates(text: str, spans: list[tuple[int, int]], names: list[str], rng: random.Random) -> dict[str, list[_Cand]]:
    """Every edit that applies to the article, by kind (harmless ones by their sort)."""
    regions = _quote_regions(text)
    out: dict[str, list[_Cand]] = {k: [] for k in _CHANGE + _HARMLESS}

    def quoted(a: int, b: int) -> bool:
        return any(r0 < b and a < r1 for r0, r1, _ in regions)

    def add(label: str, i: int, a: int, b: int, new: str | None, note: str = "", sub: str = "") -> None:
        s0, kind = spans[i][0], label if label in _CHANGE else "harmless"
        old = text[s0 + a : s0 + b]
        if new is not None and new != old and (kind == "quote_altered" or not quoted(s0 + a, s0 + b)):
            out[label].append(_Cand(kind, (i,), "replace", (a, b), new, note or f"{old} -> {new}", sub))

    for i, (s0, s1) in enumerate(spans):
        sent, inside = text[s0:s1], quoted(s0, s1)
        for m in _NUM.finditer(sent):
            new = _number_change(m, rng)
            sub = "hedge" if m["hedge"] and new.split()[-1] == m["num"] else "value"
            add("number_changed", i, m.start(), m.end(), new, sub=sub)
        for pattern, fmt in _REFORMATS:
            for m in pattern.finditer(sent):
                add("reformat", i, m.start(), m.end(), fmt(m), f"reformat: {m[0]} -> {fmt(m)}")
        for r0, r1, closed in regions:
            if closed and s0 <= r0 and r1 <= s1 and (alt := _alter_quote(text[r0:r1], rng)):
                add("quote_altered", i, r0 - s0, r1 - s0, *alt, sub="inside")
        if not inside and not re.search(r"[\"“”]", sent):  # a paraphrase put in quotation marks
            if m := _PARA_END.match(sent):
                add("quote_altered", i, 0, m.end("clause"), f'"{m["clause"]}"', "paraphrase put in quotes", "para")
            elif m := _PARA_THAT.search(sent):
                clause = m["clause"].removeprefix("that ")
                add("quote_altered", i, m.start("clause"), m.end("clause"), f'"{clause}"', "paraphrase put in quotes", "para")
        for m in _ATTR.finditer(sent):
            if (c := _attribution(sent, m, names, rng)) is not None:
                add(c.kind, i, *c.region, c.new, c.note)
        for n, (pattern, fmt) in enumerate(_HEDGE_EDITS):
            for m in pattern.finditer(sent):
                add("hedge_changed", i, m.start(), m.end(), fmt(m, rng), sub=str(min(n, len(_HEDGE_EDITS) - 2)))
        if not inside and not quoted(s1, s1 + 1):
            out["unsupported_addition"].append(_Cand("unsupported_addition", (i,), "insert"))
        if not inside and not re.search(rf"[\"“”]|\b{_SPEECH}\b|{_WRITTEN_RE}", sent):
            for m in re.finditer(rf"(?<=[a-z,] )(?P<name>{_NAMEW})\b", sent):
                if m["name"] not in _STOP and m["name"] not in _TITLES and "'" not in m["name"]:
                    stand_in = rng.choice([n for n in _STAND_INS if n not in text])
                    add("entity_changed", i, m.start(), m.end(), stand_in, f"{m['name']} -> {stand_in}")
            for m in _AUX.finditer(sent):
                add("meaning_reversed", i, m.start(), m.end(), f"{m['aux']} not", f"{m['aux']} -> {m['aux']} not")
        if i == 0 or inside or text.count(sent) > 1:
            continue
        if _CAVEAT.search(sent):
            out["omission"].append(_Cand("omission", (i,), "drop", note="dropped caveat sentence"))
        elif not re.search(rf"\d|\b{_SPEECH}\b", sent) and not _HEDGE_WORDS.search(sent):
            out["drop"].append(_Cand("harmless", (i,), "drop", note="dropped neutral sentence"))
        first = sent.split(" ", 1)[0]
        if first in _OPENERS and " " in sent:
            new = f"{rng.choice(_CONNECTIVES)}, {first.lower()}"
            add("connective", i, 0, len(first), new, f"connective: {new}")
        if not re.search(rf"\d|[\"“”]|\b{_SPEECH}\b|{_WRITTEN_RE}", sent):
            for m in re.finditer(r"\b[A-Za-z]+\b", sent):
                low = m[0].lower()
                if low in _SYNONYMS and not re.search(r"\ban? $", sent[: m.start()], re.I):
                    rep = _cap(_SYNONYMS[low], m[0])
                    add("synonym", i, m.start(), m.end(), rep, f"synonym: {m[0]} -> {rep}")
        pair = (sent, text[spans[i + 1][0] : spans[i + 1][1]]) if i + 1 < len(spans) else ()
        if pair and not quoted(s0, spans[i + 1][1]) and not any(
            p.split(" ", 1)[0] in _LEANS or re.search(rf"\b{_SPEECH}\b", p) for p in pair
        ):
            out["swap"].append(_Cand("harmless", (i, i + 1), "swap", note="swapped two sentences"))
    return {k: v for k, v in out.items() if v}


# ------------------------------------------------------------------ building


def _addition(text: str, names: list[str], others: list[list[str]], rng: random.Random) -> tuple[str, str]:
    """A sentence the source lacks: another article's, or opinion from a template."""
    if others and rng.random() < 0.5 and (sent := rng.choice(rng.choice(others))) not in text:
        return sent, "sentence from another article"
    names = names or [m[0] for m in re.finditer(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b", text)
                      if m[0].split()[0] not in _STOP]
    templates = [t for t in _TEMPLATES if names or "{name}" not in t]
    return rng.choice(templates).format(name=rng.choice(names) if names else ""), "opinion from a template"


def _borrowable(text: str) -> list[str]:
    """Plain sentences of an article, fit to be planted in another: no quotes, no outlet."""
    sents = [text[a:b] for a, b in split_sentences(text)]
    return [s for s in sents if 8 <= len(s.split()) <= 35 and s[0].isupper() and s.endswith(".")
            and not re.search(r"[\"“”]|BBC", s)]


def _make_case(article: Document, cid: str, others: list[list[str]], rng: random.Random) -> EditedCase | None:
    """2 to 5 edits of mixed kinds (the first a change, the rest harmless a third of the time),
    each on a sentence of its own; then the derived text, built piece by piece with its spans."""
    text, spans = article.text, split_sentences(article.text)
    if len(spans) < 3:
        return None
    names = _names(text)
    cands = _candidates(text, spans, names, rng)
    change, harmless = [k for k in _CHANGE if k in cands], [k for k in _HARMLESS if k in cands]
    rng.shuffle(change)
    rng.shuffle(harmless)
    labels = []
    for slot in range(rng.randint(2, 5)):
        pool = harmless if harmless and (not change or (slot and rng.random() < 0.35)) else change
        labels += [pool.pop()] if pool else []
    used: set[int] = set()
    chosen: dict[int, _Cand] = {}
    inserts: dict[int, tuple[str, str]] = {}
    for label in labels:
        if options := [c for c in cands[label] if used.isdisjoint(c.sents)]:
            sub = rng.choice(sorted({c.sub for c in options}))
            c = rng.choice([c for c in options if c.sub == sub])
            used.update(c.sents)
            chosen[c.sents[0]] = c
            if c.op == "insert":
                inserts[c.sents[0]] = _addition(text, names, others, rng)
    prefix = suffix = ""
    if rng.random() < 0.55:  # credited; else the credit is missing unless the text names BBC
        prefix, suffix = (f"({OUTLET}) ", "") if rng.random() < 0.5 else ("", rng.choice(_CREDITS))
    parts: list[str] = []
    edits: list[PlantedEdit] = []
    pos = 0

    def put(piece: str) -> int:
        nonlocal pos
        parts.append(piece)
        pos += len(piece)
        return pos - len(piece)

    if prefix:
        edits.append(PlantedEdit("harmless", (put(prefix), pos - 1), None, "credit line"))
    put(text[: spans[0][0]])
    order = list(range(len(spans)))
    for i, c in chosen.items():
        if c.op == "swap":
            order[i], order[i + 1] = i + 1, i
    emitted, swap_start = False, 0
    for k, i in enumerate(order):
        c = chosen.get(i)
        if c is not None and c.op == "drop":
            edits.append(PlantedEdit(c.kind, None, spans[i], c.note))
            continue
        if emitted:
            put(text[spans[k - 1][1] : spans[k][0]])
        emitted = True
        s0, s1 = spans[i]
        if c is not None and c.op == "replace":
            a, b = c.region
            put(text[s0 : s0 + a])
            edits.append(PlantedEdit(c.kind, (put(c.new), pos), (s0 + a, s0 + b), c.note))
            put(text[s0 + b : s1])
        else:
            start = put(text[s0:s1])
            if k in chosen and chosen[k].op == "swap":
                swap_start = start
            if k - 1 in chosen and chosen[k - 1].op == "swap":
                edits.append(PlantedEdit("harmless", (swap_start, pos), (spans[k - 1][0], spans[k][1]), chosen[k - 1].note))
        if i in inserts:
            put(" ")
            edits.append(PlantedEdit("unsupported_addition", (put(inserts[i][0]), pos), None, inserts[i][1]))
    put(text[spans[-1][1] :])
    if suffix:
        if not parts[-1][-1:].isspace():
            put(" ")
        edits.append(PlantedEdit("harmless", (put(suffix), pos), None, "credit line"))
    derived = "".join(parts)
    if not prefix and not suffix and "bbc" not in derived.lower() and OUTLET.lower() not in derived.lower():
        edits.append(PlantedEdit("missing_credit", None, None, f"no credit to {OUTLET}"))
    source = Document(id=f"{cid}-source", text=text, title=article.title, date=article.date,
                      source=OUTLET, url=article.url)
    return EditedCase(cid, source, Document(id=f"{cid}-derived", text=derived), tuple(edits))


def make_edited_cases(articles: list[Document], seed: int = 0, per_article: int = 2) -> list[EditedCase]:
    """``per_article`` cases from each article, the same for the same ``seed``.  Each case has its
    own ``random.Random`` seeded from ``seed`` and its id, so a case does not change when other
    articles are added (except for which article lends it a sentence)."""
    pools = {a.id: _borrowable(a.text) for a in articles}
    cases = []
    for article in articles:
        others = [p for aid, p in pools.items() if aid != article.id and p]
        for k in range(per_article):
            cid = f"{article.id}-e{k}"
            case = _make_case(article, cid, others, random.Random(f"{seed}/{cid}"))
            if case is not None:
                cases.append(case)
    return cases

"""Which source sentence each derived sentence says again: the ground every check stands on.

A derived sentence is linked first through the passages the aligner found (verbatim or
paraphrase), then, where none covers it, to the source sentence sharing most of its content
words.  A link carries how alike the two sentences are, so a check that needs the same
statement on both sides (a changed number, a dropped hedge) can insist on a close one.
"""
from __future__ import annotations

import bisect

from dataclasses import dataclass

from ..model import Document, Passage
from ..text.sentences import split_sentences
from ..text.tokens import STOPWORDS, word_keys


@dataclass(frozen=True)
class Sentences:
    """A document's sentences with their content words."""

    doc: Document
    spans: tuple[tuple[int, int], ...]
    words: tuple[tuple[str, ...], ...]  # all word keys per sentence
    content: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, doc: Document) -> "Sentences":
        spans = tuple(split_sentences(doc.text))
        words = tuple(tuple(word_keys(doc.text[s:e])) for s, e in spans)
        content = tuple(frozenset(w for w in ws if w not in STOPWORDS) for ws in words)
        return cls(doc, spans, words, content)

    def text(self, i: int) -> str:
        s, e = self.spans[i]
        return self.doc.text[s:e]


@dataclass(frozen=True)
class SentenceLink:
    derived: int  # sentence index in the derived document
    source: int  # index into the list of sources
    sentence: int  # sentence index in that source
    dice: float  # content-word Dice coefficient of the two sentences
    by_passage: bool


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def _overlapping(spans: tuple[tuple[int, int], ...], start: int, end: int) -> range:
    """Sentences overlapping ``start:end``; spans are ordered and disjoint, so two bisections
    find them (a scan per passage was quadratic on a document of 500,000 sentences)."""
    first = bisect.bisect_right(spans, start, key=lambda span: span[1])
    return range(first, max(first, bisect.bisect_left(spans, end, key=lambda span: span[0])))


def oriented(p: Passage, derived_id: str) -> tuple[int, int, int, int]:
    """``(derived_start, derived_end, source_start, source_end)`` of a passage."""
    if p.a == derived_id:
        return p.a_start, p.a_end, p.b_start, p.b_end
    return p.b_start, p.b_end, p.a_start, p.a_end


def link_sentences(
    derived: Sentences, sources: list[Sentences], passages: list[list[Passage]]
) -> dict[int, SentenceLink]:
    """The best source sentence for each derived sentence that has one."""
    best: dict[int, SentenceLink] = {}

    def offer(link: SentenceLink) -> None:
        old = best.get(link.derived)
        if old is None or (link.by_passage, link.dice) > (old.by_passage, old.dice):
            best[link.derived] = link

    for k, (src, ps) in enumerate(zip(sources, passages)):
        for p in ps:
            ds, de, ss, se = oriented(p, derived.doc.id)
            for i in _overlapping(derived.spans, ds, de):
                for j in _overlapping(src.spans, ss, se):
                    d = dice(derived.content[i], src.content[j])
                    if d > 0:
                        offer(SentenceLink(i, k, j, d, True))
    # sentences no passage covers: the source sentence sharing most content words
    index: dict[str, list[tuple[int, int]]] = {}
    for k, src in enumerate(sources):
        for j, c in enumerate(src.content):
            for w in c:
                index.setdefault(w, []).append((k, j))
    for i, c in enumerate(derived.content):
        if i in best:
            continue
        counts: dict[tuple[int, int], int] = {}
        for w in c:
            for kj in index.get(w, ()):
                counts[kj] = counts.get(kj, 0) + 1
        if counts:
            # ties go to the earliest sentence, then the first source: never to the set's (salted) order
            (k, j), _ = max(counts.items(), key=lambda item: (dice(c, sources[item[0][0]].content[item[0][1]]), -item[0][1], -item[0][0]))
            offer(SentenceLink(i, k, j, dice(c, sources[k].content[j]), False))
    return best


def share_found(words: frozenset[str], sources: list[Sentences]) -> float:
    """Share of ``words`` found anywhere in the sources (material recombined across sentences)."""
    if not words:
        return 1.0
    vocab: set[str] = set()
    for src in sources:
        for c in src.content:
            vocab |= c
    return len(words & vocab) / len(words)

"""Quotations: the words a text puts in someone's mouth, compared with the source's.

A quotation in a derived text is faithful when its words run, in order, inside one of the
source's quotations (a shortened quote, or pieces joined by an ellipsis).  Anything else is
reported with the closest thing the source holds: its quote with words changed, its narrative
words put in quotation marks, or a quote widened past where the source's ended.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.tokens import STOPWORDS, word_keys

# curly pairs, or straight double quotes that open before a word and close after one (so an
# unclosed quote, common where a quote runs over paragraphs, does not pair the text between two
# quotations); a quote stays within one paragraph
_QUOTE = re.compile(
    r"“([^”\n]{1,2000})”"
    r"|(?:^|(?<=[\s(\[—–-]))\"(?=\S)([^\"\n]{1,2000}?)(?<=\S)\"(?=[\s.,;:!?)\]—–-]|$)"
)
_ELLIPSIS = re.compile(r"\.\.\.|…|\[\.\.\.\]")
MIN_QUOTE_WORDS = 3  # shorter quotes are names, titles and scare quotes


@dataclass(frozen=True)
class Quotation:
    start: int  # of the quoted words, inside the marks
    end: int
    words: tuple[str, ...]


def find_quotations(text: str) -> list[Quotation]:
    """Every quotation of ``text`` with at least ``MIN_QUOTE_WORDS`` words."""
    out = []
    for m in _QUOTE.finditer(text):
        group = 1 if m.group(1) is not None else 2
        words = tuple(word_keys(m.group(group)))
        if len(words) >= MIN_QUOTE_WORDS:
            out.append(Quotation(m.start(group), m.end(group), words))
    return out


def _runs_inside(piece: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Whether ``piece`` occurs as a contiguous run of ``words``."""
    n = len(piece)
    if n == 0:
        return True
    first = piece[0]
    for i in range(len(words) - n + 1):
        if words[i] == first and words[i : i + n] == piece:
            return True
    return False


def quote_is_faithful(text: str, quote: Quotation, source_quotes: list[Quotation]) -> bool:
    """True when every ellipsis-separated piece of ``quote`` runs inside one source quotation."""
    inner = text[quote.start : quote.end]
    pieces = [tuple(word_keys(p)) for p in _ELLIPSIS.split(inner)]
    pieces = [p for p in pieces if p]
    return any(all(_runs_inside(p, sq.words) for p in pieces) for sq in source_quotes)


@dataclass(frozen=True)
class QuoteMismatch:
    quote: Quotation
    source_span: tuple[int, int] | None
    why: str


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Share of ``a``'s words found in ``b`` (multiset-free): how alike two quotes are."""
    if not a:
        return 0.0
    bs = set(b)
    return sum(1 for w in a if w in bs) / len(a)


def explain_quote(
    text: str,
    quote: Quotation,
    source_quotes: list[Quotation],
    source_words: tuple[str, ...],
    aligned_words: tuple[str, ...] = (),
) -> QuoteMismatch | None:
    """Why ``quote`` is not the source's quoted words, or ``None`` when it is, or when the
    source holds nothing like it (an invented quote is an addition, judged elsewhere).

    ``source_words``: all the source's words; ``aligned_words``: those of the source sentence
    the quote's sentence was aligned with, for a paraphrase put in quotation marks."""
    if quote_is_faithful(text, quote, source_quotes):
        return None
    if _runs_inside(quote.words, source_words):
        # the words are the source's, but not (all) inside its quotation marks
        partly = [sq for sq in source_quotes if _overlap(sq.words, quote.words) >= 0.5]
        if partly:
            sq = max(partly, key=lambda q: len(q.words))
            return QuoteMismatch(quote, (sq.start, sq.end), "the quotation is widened over words the source did not quote")
        return QuoteMismatch(quote, None, "words the source wrote as narrative are put in quotation marks")
    best, score = None, 0.0
    for sq in source_quotes:
        s = (_overlap(quote.words, sq.words) + _overlap(sq.words, quote.words)) / 2
        if s > score:
            best, score = sq, s
    if best is not None and score >= 0.5:
        return QuoteMismatch(quote, (best.start, best.end), "words inside the quotation differ from the source's quote")
    content = [w for w in quote.words if w not in STOPWORDS]
    if len(content) >= 3 and _overlap(tuple(content), aligned_words) >= 0.6:
        return QuoteMismatch(quote, None, "a paraphrase of the source is put in quotation marks")
    return None

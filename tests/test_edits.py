"""Planted edits on real BBC articles: deterministic, every kind present, every span exact."""
from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from filiation.eval.edits import OUTLET, load_bbc_articles, make_edited_cases
from filiation.model import FINDING_KINDS
from filiation.text.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_HEDGES = ("at least", "more than", "about", "around", "approximately", "roughly", "nearly",
           "almost", "up to", "fewer than", "less than")
_SCALES = {"million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9}


def _number(text: str) -> tuple[str, Decimal]:
    """``(hedge, value)`` of a number as written: "about 3,400", "five", "£2.5m", "40 per cent"."""
    s = text.strip().lower().replace("per cent", "%")
    hedge = next((h for h in _HEDGES if s.startswith(h + " ")), "")
    s = s[len(hedge):].strip()
    if s in _WORDS:
        return hedge, Decimal(_WORDS[s])
    m = re.fullmatch(r"[£$€]?([\d,]+(?:\.\d+)?)\s*(million|billion|m|bn)?\s*%?", s)
    assert m, f"not a number: {text!r}"
    return hedge, Decimal(m[1].replace(",", "")) * _SCALES.get(m[2] or "", 1)


@pytest.fixture(scope="module")
def articles():
    if not (DATA / "ai-rewrites-dev" / "documents.jsonl").exists():
        pytest.skip("../shared/data/ai-rewrites-dev is not here")
    return load_bbc_articles(DATA)


@pytest.fixture(scope="module")
def cases(articles):
    return make_edited_cases(articles, seed=0, per_article=2)


def _cut(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def test_loads_the_original_articles_sorted(articles) -> None:
    ids = [a.id for a in articles]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) >= 50
    assert all(i.startswith("bbc-") for i in ids)


def test_same_seed_same_cases_other_seed_other_cases(articles) -> None:
    some = articles[:20]
    first = make_edited_cases(some, seed=3)
    assert first == make_edited_cases(some, seed=3)
    other = make_edited_cases(some, seed=4)
    assert [c.derived.text for c in first] != [c.derived.text for c in other]
    assert [c.edits for c in first] != [c.edits for c in other]


def test_documents_are_named_and_credited(cases) -> None:
    assert cases
    for case in cases:
        assert case.source.id == f"{case.id}-source" and case.derived.id == f"{case.id}-derived"
        assert case.source.source == OUTLET
        assert case.derived.text != case.source.text
    assert len({c.id for c in cases}) == len(cases)


def test_every_kind_appears(cases) -> None:
    kinds = Counter(e.kind for c in cases for e in c.edits)
    assert set(kinds) == set(FINDING_KINDS) | {"harmless"}
    share = sum(any(e.kind == "missing_credit" for e in c.edits) for c in cases) / len(cases)
    assert 0.15 < share < 0.5  # about a third of the cases


def test_a_few_edits_each_at_most_one_per_sentence(cases) -> None:
    for case in cases:
        real = [e for e in case.edits if e.kind not in ("missing_credit",) and e.note != "credit line"]
        assert 1 <= len(real) <= 5
        sents = split_sentences(case.source.text)
        touched = [k for e in real if e.source_span for k, (a, b) in enumerate(sents)
                   if a < e.source_span[1] and e.source_span[0] < b]
        assert len(touched) == len(set(touched)), case.id


def test_spans_are_exact(cases) -> None:
    for case in cases:
        src, der = case.source.text, case.derived.text
        sents = split_sentences(src)
        for e in case.edits:
            s, d = _cut(src, e.source_span), _cut(der, e.derived_span)
            where = f"{case.id} {e}"
            if e.kind == "missing_credit":
                assert s is None and d is None
                assert "bbc" not in der.lower() and OUTLET.lower() not in der.lower(), where
            elif e.kind == "unsupported_addition":
                assert s is None and d and d not in src and d[0].isupper() and d[-1] in ".!?", where
            elif e.kind == "omission" or (e.kind == "harmless" and d is None):
                assert e.source_span in sents and s not in der, where  # a whole sentence, gone
            elif e.note == "credit line":
                assert s is None and "BBC" in d, where
            elif e.note.startswith("swapped"):
                pair = [src[a:b] for a, b in sents if e.source_span[0] <= a and b <= e.source_span[1]]
                gap = src[e.source_span[0] + len(pair[0]) : e.source_span[1] - len(pair[1])]
                assert len(pair) == 2 and d == pair[1] + gap + pair[0], where
            else:  # a change inside one sentence: the rest of the sentence is verbatim around it
                assert s and d and s != d, where
                a, b = next((a, b) for a, b in sents if a <= e.source_span[0] and e.source_span[1] <= b)
                expected = src[a : e.source_span[0]] + d + src[e.source_span[1] : b]
                at = e.derived_span[0] - (e.source_span[0] - a)
                assert der[at : at + len(expected)] == expected, where


def test_numbers_change_value_or_hedge_and_reformats_keep_the_value(cases) -> None:
    seen = Counter()
    for case in cases:
        for e in case.edits:
            s, d = _cut(case.source.text, e.source_span), _cut(case.derived.text, e.derived_span)
            if e.kind == "number_changed":
                assert _number(s) != _number(d), e
                seen["changed"] += 1
            elif e.note.startswith("reformat"):
                assert _number(s)[1] == _number(d)[1] and s != d, e
                seen["reformat"] += 1
    assert seen["changed"] and seen["reformat"]


def test_quotes_and_speakers(cases) -> None:
    for case in cases:
        for e in case.edits:
            s, d = _cut(case.source.text, e.source_span), _cut(case.derived.text, e.derived_span)
            if e.kind == "quote_altered":
                assert d[0] in '"“' and d[-1] in '"”', e
                if e.note.startswith("paraphrase"):
                    assert not re.search(r"[\"“”]", s)
                else:
                    assert s[0] in '"“' and s[-1] in '"”'
            elif e.kind == "attribution_changed":
                assert s.lower() != d.lower(), e


def test_edits_carry_their_kind(cases) -> None:
    for case in cases:
        for e in case.edits:
            assert e.kind in FINDING_KINDS or e.kind == "harmless"
            assert e.note

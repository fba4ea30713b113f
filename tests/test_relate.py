"""Relate: the relation read off a pair's evidence, dates, direction and siblings."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filiation import DIRECTIONS, Document, Pair, PairEvidence, Settings
from filiation.relate.classify import THRESHOLDS, relation_of, reuse_strength
from filiation.relate.direction import mark_siblings, pair_direction, parse_date
from filiation.text.normalise import normalise

T = THRESHOLDS
EPS = 0.05


def evidence(**kw) -> PairEvidence:
    base = dict(
        containment_a=0.0, containment_b=0.0, verbatim_a=0.0, verbatim_b=0.0, bigrams_a=0.0, bigrams_b=0.0,
        semantic_a=0.0, semantic_b=0.0, length_a=400, length_b=400, doc_similarity=0.0, entity_overlap=0.0,
    )
    base.update(kw)
    return PairEvidence(**base)


def swapped(e: PairEvidence) -> PairEvidence:
    return PairEvidence(
        e.containment_b, e.containment_a, e.verbatim_b, e.verbatim_a, e.bigrams_b, e.bigrams_a,
        e.semantic_b, e.semantic_a, e.length_b, e.length_a, e.doc_similarity, e.entity_overlap,
    )


def below(x: float) -> float:
    return max(0.0, x - EPS)


def above(x: float) -> float:
    return min(1.0, x + EPS)


# Each relation, with evidence clearly on its side of every threshold.  The shorter text is a.
CASES = {
    "duplicate": evidence(verbatim_a=above(T.duplicate), verbatim_b=above(T.duplicate), length_a=390),
    "edited_copy": evidence(verbatim_a=above(T.edited_copy), verbatim_b=below(T.edited_copy), length_a=300),
    "paraphrase": evidence(
        verbatim_a=below(T.edited_copy), bigrams_a=T.reworded / 2 + EPS, semantic_a=T.reworded / 2,
        length_a=int(400 * above(T.summary_ratio)), doc_similarity=above(T.reworded_similarity),
    ),
    "summary": evidence(
        verbatim_a=below(T.edited_copy), bigrams_a=T.reworded / 2 + EPS, semantic_a=T.reworded / 2,
        length_a=int(400 * below(T.summary_ratio)), doc_similarity=above(T.reworded_similarity),
    ),
    # same words and names, no reuse: whether it reports the same event is the corpus's call
    # (relate/events.py), not the pair's
    None: evidence(
        bigrams_a=below(T.reworded) / 2, semantic_a=below(T.reworded) / 2,
        doc_similarity=0.9, entity_overlap=0.9, length_a=350,
    ),
}


@pytest.mark.parametrize("expected", list(CASES), ids=lambda r: str(r))
def test_relation_of_each_kind(expected: str | None) -> None:
    e = CASES[expected]
    relation, confidence = relation_of(e)
    assert relation == expected
    assert 0.5 <= confidence <= 1.0
    # the relation does not depend on which text is called a
    assert relation_of(swapped(e)) == (relation, confidence)


def test_duplicate_needs_both_texts_almost_fully_verbatim() -> None:
    e = evidence(verbatim_a=above(T.duplicate), verbatim_b=below(T.duplicate), length_a=390)
    assert relation_of(e)[0] == "edited_copy"


def test_evidence_is_read_from_the_shorter_text() -> None:
    # the shorter text (b) is mostly found in the longer one: an excerpt is an edited copy...
    excerpt = evidence(verbatim_a=below(T.edited_copy) / 4, verbatim_b=above(T.edited_copy), length_a=1000, length_b=200)
    assert relation_of(excerpt)[0] == "edited_copy"
    # ...but the same share measured on the longer text says nothing
    longer = evidence(verbatim_a=above(T.edited_copy), verbatim_b=below(T.edited_copy) / 4, length_a=1000, length_b=200)
    assert relation_of(longer)[0] != "edited_copy"


def test_rewording_needs_texts_alike_as_wholes() -> None:
    """A few look-alike sentences between texts that read differently overall (two reports of
    two earthquakes) are not a rewrite."""
    e = replace(CASES["paraphrase"], doc_similarity=below(T.reworded_similarity), entity_overlap=0.0)
    assert relation_of(e)[0] is None


def test_a_rewording_must_keep_the_names_and_numbers_of_the_text_with_fewer() -> None:
    """Two arrests of one kind share wording, not people and places: a rewording whose names
    (ten or more on the side with fewer) are mostly not the other's is not reuse; a verbatim
    copy is judged by its words, and a text with few names is not judged by them."""
    from types import SimpleNamespace

    from filiation.relate.classify import classify_pair

    def doc(i: str, names: int, shared: int = 0):
        own = {f"{i}{k}" for k in range(names - shared)} | {f"s{k}" for k in range(shared)}
        return SimpleNamespace(doc=Document(i, "x"), entities=frozenset(own))

    reworded = evidence(bigrams_a=0.3, semantic_a=0.3, doc_similarity=0.8)
    copied = evidence(verbatim_a=0.5, verbatim_b=0.4)

    def related(a, b, e: PairEvidence) -> str | None:
        e = replace(e, entity_overlap=len(a.entities & b.entities) / min(len(a.entities), len(b.entities)))
        pair = classify_pair(a, b, SimpleNamespace(evidence=e, passages=()), Settings())
        return pair.relation if pair else None

    assert related(doc("a", 12, 8), doc("b", 30, 8), reworded) == "paraphrase"  # 8 of 12 kept
    assert related(doc("a", 12, 5), doc("b", 30, 5), reworded) is None  # 5 of 12: names of its own
    assert related(doc("a", 12, 5), doc("b", 30, 5), copied) == "edited_copy"
    assert related(doc("a", 6, 1), doc("b", 30, 1), reworded) == "paraphrase"  # too few names to judge by


def test_reuse_wins_over_same_event() -> None:
    e = replace(CASES["edited_copy"], doc_similarity=0.99, entity_overlap=0.99)
    assert relation_of(e)[0] == "edited_copy"


def test_confidence_grows_with_the_margin() -> None:
    near = evidence(verbatim_a=T.edited_copy + 0.01, length_a=300)
    far = evidence(verbatim_a=min(T.duplicate - 0.01, T.edited_copy + 0.4), length_a=300)
    (r1, c1), (r2, c2) = relation_of(near), relation_of(far)
    assert r1 == r2 == "edited_copy"
    assert 0.5 <= c1 < c2 <= 1.0


def test_reuse_strength_ranks_stronger_reuse_higher() -> None:
    assert reuse_strength(CASES["duplicate"]) > reuse_strength(CASES["edited_copy"]) > reuse_strength(CASES[None])


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-10-26", datetime(2023, 10, 26, tzinfo=timezone.utc)),
        ("2023-10-26T05:00:00Z", datetime(2023, 10, 26, 5, tzinfo=timezone.utc)),
        ("2023-10-26T07:00:00+02:00", datetime(2023, 10, 26, 5, tzinfo=timezone.utc)),
        ("2023-10-26 05:00:00", datetime(2023, 10, 26, 5, tzinfo=timezone.utc)),  # naive → UTC
        ("Thu, 26 Oct 2023 05:00:00 +0000", datetime(2023, 10, 26, 5, tzinfo=timezone.utc)),
        ("Thu, 26 Oct 2023 01:00:00 -0400", datetime(2023, 10, 26, 5, tzinfo=timezone.utc)),
        ("  Thu, 26 Oct 2023 05:00:00 GMT ", datetime(2023, 10, 26, 5, tzinfo=timezone.utc)),
    ],
)
def test_parse_date_iso_and_rfc2822(value: str, expected: datetime) -> None:
    parsed = parse_date(value)
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed == expected


@pytest.mark.parametrize("value", [None, "", "   ", "yesterday", "2023-13-45", "Thu, 32 Oct 2023 05:00:00 +0000",
                                   "26/10/2023", "12", "Mon, 1 Jan 99999 00:00 +0000"])
def test_parse_date_garbage_is_none(value) -> None:
    assert parse_date(value) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_date_never_raises(value: str) -> None:
    parsed = parse_date(value)
    assert parsed is None or parsed.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
       st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_parse_date_round_trips(moment: datetime, offset_minutes: int) -> None:
    dt = moment.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert parse_date(dt.isoformat()) == dt
    assert parse_date(format_datetime(dt)) == dt


# ---------------------------------------------------------------- direction

TEXT_A = "Officials in Erbil said the drone hit the barracks at 5 a.m. on Thursday."
TEXT_B = "The drone hit the barracks in Erbil early on Thursday, officials said."
S = Settings(mode="fast")
# content alone says: a is (almost) wholly inside b, b holds much of its own → a is the copy: b->a
CONTENT_B_TO_A = evidence(verbatim_a=0.95, verbatim_b=0.5, length_a=100, length_b=200)


def direction(date_a, date_b, e=CONTENT_B_TO_A, relation="edited_copy", settings=S) -> str:
    a = normalise(Document("a", TEXT_A, date=date_a))
    b = normalise(Document("b", TEXT_B, date=date_b))
    return pair_direction(a, b, e, relation, settings)


def _iso(hours_after: float) -> str:
    return (datetime(2023, 10, 26, 5, tzinfo=timezone.utc) + timedelta(hours=hours_after)).isoformat()


def test_content_decides_without_dates() -> None:
    assert direction(None, None) == "b->a"
    assert direction(_iso(0), None) == "b->a"
    assert direction(None, "not a date") == "b->a"


def test_date_orders_a_pair_beyond_the_tolerance() -> None:
    tol = S.date_tolerance_hours
    # b published well after a: b derives from a, whatever the content says
    assert direction(_iso(0), _iso(2 * tol + 1)) == "a->b"
    # and the other way round
    content_a_to_b = swapped(CONTENT_B_TO_A)
    assert direction(None, None, content_a_to_b) == "a->b"
    assert direction(_iso(2 * tol + 1), _iso(0), content_a_to_b) == "b->a"


def test_dates_within_the_tolerance_leave_it_to_the_content() -> None:
    tol = S.date_tolerance_hours
    assert direction(_iso(0), _iso(tol / 2)) == "b->a"
    assert direction(_iso(tol / 2), _iso(0), swapped(CONTENT_B_TO_A)) == "a->b"
    # the tolerance is the setting's, not a constant
    assert direction(_iso(0), _iso(tol / 2), settings=S.replace(date_tolerance_hours=tol / 4)) == "a->b"


def test_dates_compare_across_formats_and_time_zones() -> None:
    tol = S.date_tolerance_hours
    later = datetime(2023, 10, 26, 5, tzinfo=timezone.utc) + timedelta(hours=2 * tol)
    rfc_local = format_datetime(later.astimezone(timezone(timedelta(hours=-5))))
    assert direction(_iso(0), rfc_local) == "a->b"


def test_same_event_has_no_direction_even_with_dates() -> None:
    assert direction(_iso(0), _iso(100), relation="same_event") == "unknown"


def test_each_text_with_its_own_material_means_common_source() -> None:
    e = evidence(verbatim_a=0.6, verbatim_b=0.6, length_a=300, length_b=300)
    assert direction(None, None, e) == "common_source"
    assert direction(None, None, evidence(verbatim_a=0.7, verbatim_b=0.71)) in DIRECTIONS


def test_words_one_text_rewords_from_the_other_are_not_its_own_material() -> None:
    """A partial rewrite and its source each lack 40 % of the other's words verbatim, but
    the rest is reworded, not new: no common source, and too even to orient."""
    rewrite = evidence(verbatim_a=0.6, verbatim_b=0.6, semantic_a=0.95, semantic_b=0.9, length_a=300, length_b=300)
    assert direction(None, None, rewrite) == "unknown"
    excerpts = evidence(verbatim_a=0.6, verbatim_b=0.6, semantic_a=0.65, semantic_b=0.6, length_a=300, length_b=300)
    assert direction(None, None, excerpts) == "common_source"


# ---------------------------------------------------------------- siblings

def _pair(a: str, b: str, direction: str, strength: float, relation: str = "edited_copy") -> Pair:
    e = evidence(verbatim_a=strength, verbatim_b=strength)
    return Pair(a, b, relation, 0.9, direction, e)


def test_mark_siblings_relabels_two_children_of_one_source() -> None:
    pairs = [
        _pair("x", "z", "b->a", 0.9),  # z is x's source
        _pair("y", "z", "b->a", 0.8),  # z is y's source
        _pair("x", "y", "a->b", 0.5),  # x~y weaker than either's tie to z
    ]
    out = mark_siblings(pairs, reuse_strength)
    assert [p.direction for p in out] == ["b->a", "b->a", "common_source"]
    assert [(p.a, p.b, p.relation) for p in out] == [(p.a, p.b, p.relation) for p in pairs]


def test_mark_siblings_keeps_a_pair_stronger_than_its_ties_to_the_source() -> None:
    pairs = [_pair("x", "z", "b->a", 0.6), _pair("y", "z", "b->a", 0.9), _pair("x", "y", "a->b", 0.8)]
    assert [p.direction for p in mark_siblings(pairs, reuse_strength)] == ["b->a", "b->a", "a->b"]


def test_mark_siblings_needs_a_shared_source() -> None:
    pairs = [_pair("x", "z", "b->a", 0.9), _pair("y", "w", "b->a", 0.9), _pair("x", "y", "a->b", 0.3)]
    assert [p.direction for p in mark_siblings(pairs, reuse_strength)] == ["b->a", "b->a", "a->b"]
    # an undirected tie to z is no evidence that z is anyone's source
    pairs = [_pair("x", "z", "unknown", 0.9), _pair("y", "z", "b->a", 0.9), _pair("x", "y", "a->b", 0.3)]
    assert mark_siblings(pairs, reuse_strength)[2].direction == "a->b"


def test_mark_siblings_leaves_same_event_pairs_alone() -> None:
    pairs = [
        _pair("x", "z", "b->a", 0.9), _pair("y", "z", "b->a", 0.9),
        _pair("x", "y", "unknown", 0.0, relation="same_event"),
    ]
    assert mark_siblings(pairs, reuse_strength)[2].direction == "unknown"


def test_sentence_shares_match_a_word_by_word_count():
    """The vectorised per-sentence counts agree with counting each sentence's words."""
    import numpy as np

    from filiation.model import Document
    from filiation.relate.evidence import sentence_coverage, verbatim_sentences
    from filiation.text.normalise import normalise

    doc = normalise(Document("d", "One two three four. Five six seven. Eight nine ten eleven twelve. Thirteen."))
    rng = np.random.default_rng(3)
    for _ in range(20):
        mask = rng.random(doc.length) < 0.5
        expected = [bool(mask[w0:w1].mean() >= 0.5) for w0, w1 in doc.sentence_words.tolist()]
        assert verbatim_sentences(doc, mask).tolist() == expected
        sizes = [w1 - w0 for w0, w1 in doc.sentence_words.tolist()]
        covered = sum(n for s, n in enumerate(sizes) if expected[s] or s == 3)
        assert sentence_coverage(doc, mask, {3}) == pytest.approx(covered / sum(sizes))

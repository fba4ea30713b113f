"""Align: verbatim passages, order-aware sentence matches, and passage offsets from ``analyze``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filiation import Document, Settings, analyze
from filiation.align import align_verbatim, choose_sentence_matches, sentence_candidates
from filiation.text import split_sentences, tokenize, word_hashes

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
S = Settings(mode="fast")

DRONE = (
    "The drone, which was launched at the Erbil air base by an Iranian-backed militia before sunrise "
    "on Oct. 26, penetrated U.S. air defenses and crashed into the second floor of the barracks "
    "housing American troops at about 5 a.m., according to two U.S. officials familiar with the matter. "
    "But the device laden with explosives failed to detonate and in the end only one service member "
    "suffered a concussion from the impact, said the officials, who asked to remain anonymous."
)
MARKET = (
    "Shares in European chipmakers rose sharply on Tuesday after a Dutch supplier of lithography "
    "machines reported quarterly orders well above analyst forecasts, lifting hopes that a slump in "
    "demand for consumer electronics is ending. Investors also welcomed a plan to return cash to "
    "shareholders through a larger buyback programme over the coming two years."
)
GARDEN = (
    "Tomatoes need at least six hours of direct sunlight each day, and gardeners in cooler regions "
    "often start seedlings indoors several weeks before the last expected frost. Water deeply but "
    "infrequently so that roots grow down into the soil rather than spreading near the surface."
)


def words(text: str) -> np.ndarray:
    return word_hashes(tokenize(text).keys)


def n_words(text: str) -> int:
    return len(tokenize(text).keys)


def align(a: str, b: str):
    return align_verbatim(words(a), words(b), S.seed_words, S.gap_words, S.min_passage_words)


def replace_words(text: str, positions: dict[int, str]) -> str:
    toks = tokenize(text)
    out, at = [], 0
    for i, new in sorted(positions.items()):
        s, e = int(toks.starts[i]), int(toks.ends[i])
        out.append(text[at:s] + new)
        at = e
    return "".join(out) + text[at:]


# ---------------------------------------------------------------- verbatim

def test_copied_paragraph_with_a_few_edits_is_one_passage() -> None:
    n = n_words(DRONE)
    edits = {12: "Irbil", 30: "defences", 55: "about", 70: "exploded"}
    edited = replace_words(DRONE, edits)
    b = MARKET + "\n\n" + edited + "\n\n" + GARDEN
    spans = align(DRONE, b)
    assert len(spans) == 1
    (s,) = spans
    assert s.a_start == 0 and s.a_end == n  # the whole paragraph, across every edit
    assert s.b_start == n_words(MARKET) and s.b_end == n_words(MARKET) + n
    assert all(s.a_start < i < s.a_end for i in edits)
    assert s.matched == n - len(edits)
    assert 0.9 < s.score < 1.0


def test_us_and_u_dot_s_stay_in_one_passage() -> None:
    a = "Officials said the attack penetrated U.S. air defenses at the base before dawn on Thursday."
    b = "Officials said the attack penetrated US air defences at the base before dawn on Thursday."
    spans = align(a, b)
    assert len(spans) == 1
    assert (spans[0].a_start, spans[0].a_end) == (0, n_words(a))


def test_inserted_middle_paragraph_splits_into_two_passages() -> None:
    first, second = DRONE.split(" But ", 1)
    second = "But " + second
    a = first + "\n\n" + second
    b = first + "\n\n" + MARKET + "\n\n" + second
    spans = align(a, b)
    assert len(spans) == 2
    one, two = spans
    k, m = n_words(first), n_words(MARKET)
    assert (one.a_start, one.a_end, one.b_start, one.b_end) == (0, k, 0, k)
    assert (two.a_start, two.a_end) == (k, n_words(a))
    assert (two.b_start, two.b_end) == (k + m, n_words(b))


def test_reordered_paragraphs_become_separate_passages() -> None:
    a = DRONE + "\n\n" + MARKET
    b = MARKET + "\n\n" + DRONE
    spans = align(a, b)
    assert len(spans) == 2
    covered_a = sum(s.a_end - s.a_start for s in spans)
    assert covered_a == n_words(a)


def test_unrelated_texts_share_no_passage() -> None:
    assert align(DRONE, MARKET) == []
    assert align(MARKET, GARDEN) == []
    assert align(DRONE, "") == []


def test_short_shared_phrase_is_not_a_passage() -> None:
    a = "According to the officials the base was quiet. " + MARKET
    b = GARDEN + " According to the officials the base was quiet."
    assert align(a, b) == []  # 8 shared words < min_passage_words


# ---------------------------------------------------------------- sentences

def test_choose_keeps_the_monotone_chain_and_drops_weak_out_of_order_matches() -> None:
    threshold, out_of_order = S.match_probability, S.out_of_order_probability
    chain = [(0, 0, 0.9), (1, 1, 0.8), (2, 3, 0.7), (4, 4, 0.85)]
    weak_crossing = (3, 0, (threshold + out_of_order) / 2)  # accepted alone, but against the order
    below = (5, 5, threshold / 2)
    chosen = choose_sentence_matches(chain + [weak_crossing, below], threshold, out_of_order)
    assert sorted(chosen) == sorted(chain)


def test_choose_keeps_a_sure_out_of_order_match() -> None:
    threshold, out_of_order = S.match_probability, S.out_of_order_probability
    chain = [(0, 0, 0.9), (1, 1, 0.8), (2, 2, 0.7)]
    sure_crossing = (3, 0, min(1.0, out_of_order + 0.05))
    chosen = choose_sentence_matches(chain + [sure_crossing], threshold, out_of_order)
    assert sorted(chosen) == sorted(chain + [sure_crossing])


def test_choose_prefers_the_heavier_chain() -> None:
    # two incompatible orders: (0,2),(1,3) weighs more than (0,0) alone... and (2,0) crosses both
    scored = [(0, 2, 0.5), (1, 3, 0.5), (2, 0, 0.55)]
    assert sorted(choose_sentence_matches(scored, 0.4, 0.9)) == [(0, 2, 0.5), (1, 3, 0.5)]
    assert choose_sentence_matches([], 0.4, 0.9) == []
    assert choose_sentence_matches([(0, 0, 0.3)], 0.4, 0.9) == []


def test_sentence_candidates_skip_aligned_sentences_and_respect_min_cosine() -> None:
    rng = np.random.default_rng(3)
    va = rng.normal(size=(4, 8))
    va /= np.linalg.norm(va, axis=1, keepdims=True)
    vb = va[[2, 0, 3, 1]] + 0.05 * rng.normal(size=(4, 8))
    vb /= np.linalg.norm(vb, axis=1, keepdims=True)
    skip_a = np.array([False, False, True, False])
    skip_b = np.zeros(4, dtype=bool)
    cands = sentence_candidates(va, vb, skip_a, skip_b, min_cosine=0.9, per_sentence=1)
    sims = va @ vb.T
    assert {(i, j) for i, j, _ in cands} == {(0, 1), (1, 3), (3, 2)}  # sentence 2 of a is skipped
    for i, j, c in cands:
        assert c == pytest.approx(sims[i, j]) and c >= 0.9


# ---------------------------------------------------------------- passages from analyze

def _base_sentences() -> list[str]:
    text = (SEEDS / "000_66e213ce11b8a80c.txt").read_text(encoding="utf-8")
    return [text[s:e] for s, e in split_sentences(text)][:24]


def _filler_sentences() -> list[str]:
    text = (SEEDS / "004_645228446c379145.txt").read_text(encoding="utf-8")
    return [text[s:e] for s, e in split_sentences(text)][:30]


BASE = _base_sentences()
FILLER = _filler_sentences()


@st.composite
def derived_text(draw) -> str:
    """The base text with some sentences deleted and some foreign ones inserted."""
    keep = draw(st.lists(st.booleans(), min_size=len(BASE), max_size=len(BASE)))
    out = []
    for sentence, kept in zip(BASE, keep):
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(FILLER)))
        if kept:
            out.append(sentence)
    sep = draw(st.sampled_from([" ", "\n", "\n\n"]))
    return sep.join(out)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(derived_text(), min_size=2, max_size=3))
def test_every_passage_slices_both_texts(texts: list[str]) -> None:
    fixed = "\n".join(BASE[1:12] + FILLER[:3] + BASE[12:])  # always related to the base
    docs = [Document(id="base", text=" ".join(BASE)), Document(id="fixed", text=fixed)]
    docs += [Document(id=f"copy{k}", text=t) for k, t in enumerate(texts)]
    analysis = analyze(docs, S)
    by_id = {d.id: d for d in analysis.documents}
    kinds = set()
    for pair in analysis.pairs:
        for p in pair.passages:
            kinds.add(p.kind)
            assert (p.a, p.b) == (pair.a, pair.b)
            ta, tb = by_id[p.a].text, by_id[p.b].text
            assert 0 <= p.a_start < p.a_end <= len(ta)
            assert 0 <= p.b_start < p.b_end <= len(tb)
            assert 0 < p.score <= 1
            ka, kb = tokenize(ta[p.a_start : p.a_end]).keys, tokenize(tb[p.b_start : p.b_end]).keys
            if p.kind == "verbatim":
                # a passage starts and ends on a shared seed: its first and last words agree
                seed = S.seed_words
                assert ka[:seed] == kb[:seed]
                assert ka[-seed:] == kb[-seed:]
                assert len(ka) >= S.min_passage_words and len(kb) >= S.min_passage_words
            else:
                assert p.kind == "paraphrase"
                assert (p.a_start, p.a_end) in analysis.sentences[p.a]
                assert (p.b_start, p.b_end) in analysis.sentences[p.b]
    assert "verbatim" in kinds  # the property was checked on real passages

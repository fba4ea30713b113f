"""Normalise: word offsets, sentence spans, shingle hashes (property tests with hypothesis)."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from filiation.text import shingle_hashes, split_sentences, tokenize, word_hashes, word_keys

# Text that looks like prose: words, numbers, abbreviations, punctuation, quotes, line breaks.
_PIECES = st.sampled_from(
    [
        "U.S.", "US", "Dr.", "Smith", "the", "The", "drone", "don't", "3,400", "5.5", "a.m.", "Oct.",
        "26", "al-Sudani", "Erbil", "e.g.", "—", "“quoted”", "(aside)", "...", "?", "!", ".", ",",
        "'", "’", "İstanbul", "café", "naïve", "ﬁre", "x", "I", "No.",
    ]
)
_SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", ". ", "! ", "? ", ", ", "", " \n "])
prose = st.lists(st.tuples(_PIECES, _SEPARATORS), max_size=40).map(lambda parts: "".join(p + s for p, s in parts))
any_text = st.one_of(prose, st.text(max_size=200))

WORDS = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8), min_size=1, max_size=30)


# ---------------------------------------------------------------- tokens

@settings(max_examples=300, deadline=None)
@given(any_text)
def test_token_offsets_slice_the_text_and_the_slice_has_the_token_key(text: str) -> None:
    tokens = tokenize(text)
    assert len(tokens.keys) == len(tokens.starts) == len(tokens.ends)
    previous_end = 0
    for key, start, end in zip(tokens.keys, tokens.starts.tolist(), tokens.ends.tolist()):
        assert previous_end <= start < end <= len(text)
        previous_end = end
        piece = text[start:end]
        # the slice, read on its own, is exactly that one word with that key
        assert tokenize(piece).keys == [key], (piece, key)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_word_keys_agree_with_tokenize(text: str) -> None:
    """``word_keys`` is documented as the offset-free fast path of ``tokenize``."""
    assert word_keys(text) == tokenize(text).keys


def test_word_keys_agree_with_tokenize_on_dotted_capital_i() -> None:
    """Regression: word_keys used to lowercase the whole text before matching words; 'İ'.lower() is
    'i' + U+0307 (a combining mark, not a word character), so it split 'İstanbul' in two while
    tokenize kept one key."""
    text = "Flights to İstanbul resumed."
    assert word_keys(text) == tokenize(text).keys


def test_dotted_and_plain_abbreviations_share_a_key() -> None:
    dotted, plain = tokenize("U.S. air defenses"), tokenize("US air defenses")
    assert dotted.keys == plain.keys
    assert word_keys("U.S.") == word_keys("US") == tokenize("us").keys
    # the dots of an abbreviation stay inside the word's span; a sentence-final period does not
    text = "Troops of the U.S. left the base."
    tokens = tokenize(text)
    spans = [text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist())]
    assert "U.S." in spans
    assert spans[-1] == "base"


def test_apostrophes_and_number_separators() -> None:
    assert tokenize("don't").keys == tokenize("dont").keys
    assert tokenize("3,400 troops").keys == tokenize("3400 troops").keys
    assert len(tokenize("3,400").keys) == 1


# ---------------------------------------------------------------- sentences

@settings(max_examples=300, deadline=None)
@given(any_text)
def test_sentence_spans_are_inside_ordered_disjoint_and_stripped(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert 0 <= previous_end <= start < end <= len(text)
        previous_end = end
        sentence = text[start:end]
        assert sentence == sentence.strip()
        assert any(ch.isalnum() for ch in sentence)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(WORDS, min_size=1, max_size=4), min_size=1, max_size=4))
def test_line_breaks_always_end_a_sentence(paragraphs: list[list[list[str]]]) -> None:
    lines = [". ".join(" ".join(words).capitalize() for words in para) + "." for para in paragraphs]
    text = "\n".join(lines)
    spans = split_sentences(text)
    assert not any("\n" in text[s:e] for s, e in spans)
    assert len(spans) >= len(lines)


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith said the attack failed.",
        "U.S. forces were targeted in three attacks.",
        "The drone was launched on Oct. 26 before sunrise.",
        "The drone was launched on Oct. 26. It failed.",  # second sentence checked below
        "Gen. Ryder and Mr. Austin met at 5 a.m. on Thursday.",
        "The U.S. Army said nothing.",
    ],
)
def test_abbreviations_do_not_split_sentences(text: str) -> None:
    spans = split_sentences(text)
    first = text[spans[0][0] : spans[0][1]]
    for abbreviation in ("Dr.", "U.S.", "Oct.", "Gen.", "Mr.", "a.m."):
        if abbreviation in text:
            assert abbreviation in first, (abbreviation, [text[s:e] for s, e in spans])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The drone hit the barracks. The device failed to detonate.",
         ["The drone hit the barracks.", "The device failed to detonate."]),
        ("It was launched on Oct. 26. It failed.", ["It was launched on Oct. 26.", "It failed."]),
        ('"We got lucky." The officials spoke freely.', ['"We got lucky."', "The officials spoke freely."]),
        ("Was it luck? Officials think so!  The Pentagon agrees.",
         ["Was it luck?", "Officials think so!", "The Pentagon agrees."]),
        ("Headline without a stop\nBody text follows. Second sentence.",
         ["Headline without a stop", "Body text follows.", "Second sentence."]),
    ],
)
def test_sentence_ends_split(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_sentence_ending_in_no_splits() -> None:
    """Regression: 'no' is an abbreviation only before a number ('No. 5'); it used to be one always,
    so 'said no. The vote' was never split."""
    text = "The minister said no. The vote was postponed."
    assert [text[s:e] for s, e in split_sentences(text)] == ["The minister said no.", "The vote was postponed."]
    numbered = "He lives at No. 10 Downing Street. The door is black."
    assert [numbered[s:e] for s, e in split_sentences(numbered)] == [
        "He lives at No. 10 Downing Street.", "The door is black."]


def test_blank_and_punctuation_only_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n\n\t ") == []
    assert split_sentences("... --- !!!\n* * *") == []


# ---------------------------------------------------------------- shingles

@settings(max_examples=200, deadline=None)
@given(WORDS, st.integers(min_value=1, max_value=8))
def test_shingles_are_deterministic_and_one_per_window(words: list[str], n: int) -> None:
    h = word_hashes(words)
    first, second = shingle_hashes(h, n), shingle_hashes(word_hashes(list(words)), n)
    assert first.dtype == np.uint64
    assert np.array_equal(first, second)
    assert len(first) == max(1, len(words) - n + 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=5), min_size=2, max_size=8, unique=True),
       st.randoms(use_true_random=False))
def test_shingles_are_order_sensitive(words: list[str], rnd) -> None:
    shuffled = list(words)
    rnd.shuffle(shuffled)
    assume(shuffled != words)
    n = len(words)  # one shingle covering every word
    assert shingle_hashes(word_hashes(words), n)[0] != shingle_hashes(word_hashes(shuffled), n)[0]


def test_shingle_position_i_covers_words_i_to_i_plus_n() -> None:
    words = "the drone penetrated air defenses and crashed into the barracks".split()
    h = word_hashes(words)
    full = shingle_hashes(h, 5)
    for i in range(len(full)):
        assert full[i] == shingle_hashes(h[i : i + 5], 5)[0]


@settings(max_examples=100, deadline=None)
@given(WORDS, st.integers(min_value=2, max_value=10))
def test_text_shorter_than_n_words_still_gets_one_shingle(words: list[str], n: int) -> None:
    assume(len(words) < n)
    out = shingle_hashes(word_hashes(words), n)
    assert len(out) == 1
    assert out[0] == shingle_hashes(word_hashes(words), len(words))[0]


def test_no_words_no_shingles() -> None:
    assert len(shingle_hashes(word_hashes([]), 5)) == 0


def test_word_hashes_are_the_same_in_another_process() -> None:
    """Hashes must agree across processes (Spark executors), whatever Python's hash seed."""
    words = ["drone", "erbil", "us", "3400", "café"]
    code = (
        "from filiation.text import word_hashes, shingle_hashes; import sys;"
        f"h = word_hashes({words!r}); print(' '.join(map(str, h.tolist())));"
        "print(' '.join(map(str, shingle_hashes(h, 3).tolist())))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    lines = out.stdout.split("\n")
    h = word_hashes(words)
    assert lines[0].split() == [str(v) for v in h.tolist()]
    assert lines[1].split() == [str(v) for v in shingle_hashes(h, 3).tolist()]


# ---------------------------------------------------------------- batch shingles (the sketch's words)

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé0123456789", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_WORDS, min_size=0, max_size=30), min_size=1, max_size=8), st.integers(1, 3))
def test_batch_shingles_do_not_depend_on_the_batch(texts_words: list[list[str]], split: int) -> None:
    """A text's shingles are the same alone, in any batch, and never cross into a neighbour."""
    from filiation.text.shingles import text_shingles

    texts = [" ".join(w) for w in texts_words]
    together = text_shingles(texts, 5)
    alone = [text_shingles([t], 5)[0] for t in texts]
    in_small_batches = text_shingles(texts, 5, batch=split)
    for x, y, z, words in zip(together, alone, in_small_batches, texts_words):
        assert np.array_equal(x, y) and np.array_equal(x, z)
        assert len(x) <= max(0, len(words) - 4) or (0 < len(words) < 5 and len(x) == 1)


def test_batch_word_hashes_separate_distinct_words_and_ignore_case_and_punctuation() -> None:
    from filiation.text.shingles import batch_word_hashes

    vocabulary = [f"{a}{b}{c}" for a in "abcdefghij" for b in "klmnopqrst" for c in "uvwxyz0123"]
    hashes, owner = batch_word_hashes([" ".join(vocabulary)])
    assert len(set(hashes.tolist())) == len(vocabulary) == 1000 and not owner.any()
    a, _ = batch_word_hashes(["The U.S. said, \"3,400 don't\"!"])
    b, _ = batch_word_hashes(["the us said 3400 dont"])
    assert np.array_equal(a, b)


def test_text_of_fewer_words_than_the_shingle_has_one_shingle() -> None:
    from filiation.text.shingles import text_shingles

    short, empty, long = text_shingles(["two words", "", "one two three four five six"], 5)
    assert len(short) == 1 and len(empty) == 0 and len(long) == 2


def test_a_batch_longer_than_the_cached_power_tables_hashes_the_same(monkeypatch) -> None:
    import filiation.text.shingles as sh

    short, _ = sh.batch_word_hashes(["alpha beta gamma"])
    monkeypatch.setattr(sh, "_CACHED_POWERS", 64)  # force the uncached path
    long, _ = sh.batch_word_hashes(["x " * 100 + "alpha beta gamma"])
    assert np.array_equal(short, long[-3:])


def test_sentences_split_where_scraping_lost_the_space():
    from filiation.text.sentences import split_sentences

    text = 'Played by Kazuhiko Kosaka.And it goes like this. He said."Next one. The U.S.Army came.'
    got = [text[s:e] for s, e in split_sentences(text)]
    assert got == ["Played by Kazuhiko Kosaka.", "And it goes like this.", 'He said."', "Next one.", "The U.S.Army came."]

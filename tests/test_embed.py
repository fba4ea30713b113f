"""The static encoder: the vectors every later stage compares."""
import numpy as np
import pytest

from filiation.embed import static_encoder


@pytest.fixture(scope="module")
def enc():
    return static_encoder()


def test_vectors_are_unit_length_and_empty_text_is_zero(enc):
    v = enc.encode(["The minister resigned on Tuesday.", "", "!!!"])
    assert v.shape == (3, enc.dim)
    assert np.isclose(np.linalg.norm(v[0]), 1.0)
    assert not v[1].any() and not v[2].any()


def test_related_sentences_are_closer_than_unrelated(enc):
    v = enc.encode([
        "The central bank raised interest rates by half a point.",
        "Interest rates were raised by the central bank by 0.5 points.",
        "The striker scored twice in the second half of the match.",
    ])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1


def test_chunking_does_not_change_vectors(enc):
    texts = [f"Sentence number {i} about the harbour, the storm and {i % 3} boats." for i in range(7)]
    whole = enc.encode(texts)
    chunked = enc.encode(texts, chunk=2)
    assert np.allclose(whole, chunked, atol=1e-6)


def test_punctuation_does_not_move_a_vector(enc):
    a, b = enc.encode(["Police said the fire, which began at night, was arson.", "Police said the fire which began at night was arson"])
    assert a @ b > 0.999

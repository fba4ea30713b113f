"""Bounded resources: pathological inputs finish within linear cost, and every limit that
shaped the result is reported (``Analysis.limits``, the manifest, a ``limit:`` line)."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from filiation.align import sentence_candidates
from filiation.engine.local import analyze
from filiation.model import Document
from filiation.read import read_paths
from filiation.settings import Settings
from filiation.text import split_sentences
from filiation.text.boilerplate import blank_words, find_boilerplate
from filiation.text.normalise import normalise

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
FAST = Settings(mode="fast", audit=False)


def _sentences() -> list[str]:
    out = []
    for d in read_paths(sorted(SEEDS.glob("*.txt"))).documents:
        out += [d.text[s:e] for s, e in split_sentences(d.text) if len(d.text[s:e].split()) >= 6]
    return out


SENTENCES = _sentences()
VOCABULARY = sorted({w.strip(".,;:\"'()") for s in SENTENCES for w in s.split()} - {""})


def _salad(rng: random.Random, sentences: int) -> str:
    """Sentences of words drawn at random from the seeds' vocabulary: news words, no shared phrase."""
    return " ".join(" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(8, 20))).capitalize() + "."
                    for _ in range(sentences))


def _scrambled(rng: random.Random, sentences: int) -> str:
    """News-like text that shares no 5-gram with the seeds: each sentence's words shuffled."""
    out = []
    for _ in range(sentences):
        words = rng.choice(SENTENCES).split()
        rng.shuffle(words)
        out.append(" ".join(words))
    return " ".join(out)


def test_sentence_candidates_past_the_limit_stay_near_the_diagonal() -> None:
    rng = np.random.default_rng(5)
    n = 400
    va = rng.normal(size=(n, 16)).astype(np.float32)
    va /= np.linalg.norm(va, axis=1, keepdims=True)
    vb = va + 0.05 * rng.normal(size=va.shape).astype(np.float32)
    vb /= np.linalg.norm(vb, axis=1, keepdims=True)
    none = np.zeros(n, dtype=bool)
    whole = sentence_candidates(va, vb, none, none, 0.9)
    banded = sentence_candidates(va, vb, none, none, 0.9, max_cells=n * 20)
    # sentence i of a reworded as sentence i of b: found either way
    assert {(i, i) for i in range(n)} <= {(i, j) for i, j, _ in whole}
    assert {(i, i) for i in range(n)} <= {(i, j) for i, j, _ in banded}
    assert all(abs(i - j) <= 10 for i, j, _ in banded)


def test_sentence_candidates_agree_with_the_whole_matrix_under_the_limit() -> None:
    rng = np.random.default_rng(6)
    va = rng.normal(size=(30, 8)).astype(np.float32)
    vb = rng.normal(size=(50, 8)).astype(np.float32)
    va /= np.linalg.norm(va, axis=1, keepdims=True)
    vb /= np.linalg.norm(vb, axis=1, keepdims=True)
    skip_a, skip_b = rng.random(30) < 0.2, rng.random(50) < 0.2
    sims = va @ vb.T
    sims[skip_a, :] = -1
    sims[:, skip_b] = -1
    expected = set()
    for i in range(30):
        expected |= {(i, int(j)) for j in np.argsort(-sims[i])[:3] if sims[i, j] >= 0.3}
    for j in range(50):
        expected |= {(int(i), j) for i in np.argsort(-sims[:, j])[:3] if sims[i, j] >= 0.3}
    got = sentence_candidates(va, vb, skip_a, skip_b, 0.3, max_cells=30 * 50)
    assert {(i, j) for i, j, _ in got} == expected


def test_a_long_near_identical_pair_is_a_copy() -> None:
    rng = random.Random(11)
    source = "\n\n".join(_salad(rng, 5) for _ in range(120))  # ~600 sentences each
    words = source.split(" ")
    for k in rng.sample(range(len(words)), len(words) // 60):  # one word in sixty changed
        words[k] = rng.choice(VOCABULARY)
    derived = " ".join(words)
    analysis = analyze([Document("source", source), Document("derived", derived)], FAST)
    [pair] = analysis.pairs
    assert pair.relation in ("duplicate", "edited_copy")
    for p in pair.passages:
        assert 0 <= p.a_start < p.a_end <= len(derived) and 0 <= p.b_start < p.b_end <= len(source)


def test_a_long_rewrite_past_the_sentence_limit_is_compared_along_the_diagonal_and_reported() -> None:
    rng = random.Random(12)
    source = [_salad(rng, 1) for _ in range(400)]
    derived = []
    for sentence in source:  # every sentence reworded: its words reordered, no 5-gram kept
        words = sentence.rstrip(".").split()
        rng.shuffle(words)
        derived.append(" ".join(words).capitalize() + ".")
    settings = FAST.replace(max_sentence_pairs=20_000)  # 400 x 400 sentences is 160,000
    analysis = analyze([Document("derived", " ".join(derived)), Document("source", " ".join(source))], settings)
    [pair] = analysis.pairs
    assert pair.relation == "paraphrase"
    assert sum(p.kind == "paraphrase" for p in pair.passages) >= 0.9 * len(source)
    assert any("max_sentence_pairs (20,000)" in line for line in analysis.limits)
    assert not analyze([Document("derived", " ".join(derived)), Document("source", " ".join(source))], FAST).limits


def test_boilerplate_in_many_documents_is_not_reuse_but_a_real_copy_still_is() -> None:
    rng = random.Random(3)
    footer = "Sign up for our morning newsletter to get the day's top stories delivered to your inbox " \
             "every weekday, and follow us on every platform you use for news."
    docs = [Document(f"n{k:03d}", _salad(rng, 12) + "\n\n" + footer) for k in range(60)]
    copied = docs[7].text.split("\n\n")[0]
    docs.append(Document("copy", "An agency report said:\n\n" + copied + "\n\n" + footer))
    settings = FAST.replace(max_bucket=20)
    analysis = analyze(docs, settings)
    pairs = {(p.a, p.b) for p in analysis.pairs if p.relation != "same_event"}
    assert pairs == {("copy", "n007")}
    assert any(line.startswith("boilerplate:") for line in analysis.limits)
    [pair] = [p for p in analysis.pairs if (p.a, p.b) == ("copy", "n007")]
    text = {d.id: d.text for d in analysis.documents}
    # offsets point into the original texts, which keep their footer
    assert text["copy"].endswith(footer) and all(text[p.b][p.b_start:p.b_end] for p in pair.passages)
    assert all(footer[:30] not in text[p.b][p.b_start:p.b_end] for p in pair.passages)


def test_below_the_document_threshold_nothing_is_boilerplate() -> None:
    rng = random.Random(4)
    shared = _scrambled(rng, 3)
    docs = [normalise(Document(f"d{k}", _scrambled(rng, 6) + " " + shared)) for k in range(6)]
    assert find_boilerplate(docs, 5, 6, 10).documents == 0
    found = find_boilerplate(docs, 5, 5, 10)
    assert found.documents == 6
    for d in docs:
        mask = found.masks[docs.index(d)]
        blanked = blank_words(d.doc.text, d.word_starts, d.word_ends, mask)
        first = int(d.word_starts[np.argmax(mask)])  # the shared text's first word
        assert len(blanked) == len(d.doc.text) and blanked[:first] == d.doc.text[:first]
        assert normalise(Document("b", blanked)).length == d.length - int(mask.sum()) and mask[-1]


def test_a_document_that_is_mostly_common_text_stays_whole() -> None:
    """Hundreds of outlets running one wire story: each copy *is* the story, not boilerplate."""
    rng = random.Random(8)
    story = _scrambled(rng, 10)
    docs = [normalise(Document(f"d{k}", f"Outlet {k} reports. " + story)) for k in range(8)]
    assert find_boilerplate(docs, 5, 5, 10).documents == 0


def test_common_ngrams_counted_in_bounded_passes_equal_an_exact_count(monkeypatch) -> None:
    """The two-pass count (a fixed table, then exact counts of what passed it) finds exactly the
    n-grams an exact count over every document finds, across document batches."""
    import filiation.text.boilerplate as boilerplate
    from filiation.text.shingles import shingle_hashes

    rng = random.Random(21)
    shared = [_scrambled(rng, 2) for _ in range(4)]
    docs = [normalise(Document(f"d{k}", _scrambled(rng, 3) + " " + " ".join(shared[: 1 + k % 4])))
            for k in range(40)]
    monkeypatch.setattr(boilerplate, "DOCUMENTS_PER_BATCH", 7)
    for threshold in (5, 9, 20, 29, 40):
        values, counts = np.unique(np.concatenate([np.unique(shingle_hashes(d.words, 5)) for d in docs]),
                                   return_counts=True)
        expected = values[counts > threshold]
        assert np.array_equal(boilerplate.common_shingles(docs, 5, threshold), expected)
        assert len(expected) or threshold >= 30  # the thresholds below 30 do find shared text


def test_pairs_aligned_in_batches_equal_pairs_aligned_at_once(monkeypatch) -> None:
    """Alignment batches pairs (and re-encodes their sentences per batch) to bound memory; the
    result must not depend on where the batches fall."""
    import filiation.engine.align_pairs as align_pairs
    from filiation.embed.documents import document_vectors

    docs = read_paths(sorted(SEEDS.glob("*.txt"))).documents
    normalised = [normalise(d) for d in docs]
    vectors = document_vectors(normalised)
    pairs = np.asarray([(i, j) for i in range(len(docs)) for j in range(i + 1, len(docs))], dtype=np.int64)

    def run():
        return [(ap.a, ap.b, ap.passages, ap.evidence)
                for ap in align_pairs.align_candidate_pairs(normalised, vectors, pairs, FAST)]

    at_once = run()
    monkeypatch.setattr(align_pairs, "PAIRS_PER_BATCH", 3)
    assert run() == at_once and any(passages for _, _, passages, _ in at_once)

"""The local engine end to end on the seed articles, and its input handling."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import filiation
from filiation import DIRECTIONS, RELATIONS, REUSE_RELATIONS, Analysis, Document, Settings, analyze

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))
SEED_IDS = [p.stem for p in SEED_FILES]
FAST = Settings(mode="fast")
STAGES = ["read", "normalise", "embed", "candidates", "align", "relate", "stemma", "audit"]


def seed_id(prefix: str) -> str:
    (match,) = [i for i in SEED_IDS if i.startswith(prefix + "_")]
    return match


@pytest.fixture(scope="module")
def fast_seeds() -> Analysis:
    return analyze([SEEDS], FAST)


def pair_map(analysis: Analysis) -> dict[tuple[str, str], filiation.Pair]:
    return {(p.a, p.b): p for p in analysis.pairs}


def check_well_formed(analysis: Analysis) -> None:
    ids = [d.id for d in analysis.documents]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert set(analysis.sentences) == set(ids)
    seen = set()
    for p in analysis.pairs:
        assert p.a < p.b, (p.a, p.b)
        assert p.a in ids and p.b in ids
        assert (p.a, p.b) not in seen
        seen.add((p.a, p.b))
        assert p.relation in RELATIONS
        assert p.direction in DIRECTIONS
        assert 0.0 <= p.confidence <= 1.0
        assert p.evidence.length_a > 0 and p.evidence.length_b > 0
        for passage in p.passages:
            assert (passage.a, passage.b) == (p.a, p.b)
        if p.relation == "same_event":
            assert p.passages == () and p.direction == "unknown"


def check_seed_relations(analysis: Analysis) -> None:
    pairs = pair_map(analysis)
    a, b = seed_id("000"), seed_id("001")
    assert (a, b) in pairs, "000 and 001 share long verbatim passages"
    reuse = pairs[(a, b)]
    assert reuse.relation in ("duplicate", "edited_copy")
    verbatim = [p for p in reuse.passages if p.kind == "verbatim"]
    assert verbatim
    # the passages cover a good share of the shorter text
    shorter = min(reuse.evidence.length_a, reuse.evidence.length_b)
    assert max(reuse.evidence.verbatim_a, reuse.evidence.verbatim_b) * shorter > 100
    other = seed_id("004")
    for p in analysis.pairs:
        if other in (p.a, p.b):
            assert p.relation not in REUSE_RELATIONS, p


def test_seeds_fast(fast_seeds: Analysis) -> None:
    assert [d.id for d in fast_seeds.documents] == SEED_IDS
    assert fast_seeds.problems == []
    check_well_formed(fast_seeds)
    check_seed_relations(fast_seeds)


def test_seed_passages_slice_the_texts(fast_seeds: Analysis) -> None:
    texts = {d.id: d.text for d in fast_seeds.documents}
    assert fast_seeds.passages
    for p in fast_seeds.passages:
        assert 0 <= p.a_start < p.a_end <= len(texts[p.a])
        assert 0 <= p.b_start < p.b_end <= len(texts[p.b])


def test_runs_are_deterministic(fast_seeds: Analysis) -> None:
    again = analyze(str(SEEDS), mode="fast")  # a single path, and mode as a keyword
    assert again.pairs == fast_seeds.pairs
    assert [p.passages for p in again.pairs] == [p.passages for p in fast_seeds.pairs]


def test_document_order_does_not_matter(fast_seeds: Analysis) -> None:
    reversed_input = analyze([str(p) for p in reversed(SEED_FILES)], FAST)
    assert [d.id for d in reversed_input.documents] == SEED_IDS
    assert reversed_input.pairs == fast_seeds.pairs


def test_progress_reports_every_stage_in_order() -> None:
    seen: list[str] = []
    analyze([SEED_FILES[0], SEED_FILES[1]], FAST, progress=lambda stage, done, total: seen.append(stage))
    assert seen == STAGES


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")  # torch's quantisation notices
def test_seeds_full_mode(fast_seeds: Analysis) -> None:
    full = analyze([SEEDS], Settings(mode="full"))
    check_well_formed(full)
    check_seed_relations(full)
    # the transformer only re-judges sentence pairs; verbatim reuse is the same in both modes
    a, b = seed_id("000"), seed_id("001")
    assert pair_map(full)[(a, b)].relation == pair_map(fast_seeds)[(a, b)].relation


# ---------------------------------------------------------------- inputs

def test_documents_and_paths_mix() -> None:
    base = SEED_FILES[0]
    copy = Document(id="zz-copy", text=base.read_text(encoding="utf-8"), source="wire")
    analysis = analyze([copy, base, SEED_FILES[4]], FAST)
    assert [d.id for d in analysis.documents] == sorted([base.stem, SEED_FILES[4].stem, "zz-copy"])
    pairs = pair_map(analysis)
    assert pairs[(base.stem, "zz-copy")].relation == "duplicate"
    check_well_formed(analysis)


def test_duplicate_ids_are_reported_and_the_first_kept() -> None:
    text = SEED_FILES[0].read_text(encoding="utf-8")
    first = Document(id="same", text=text, title="first")
    second = Document(id="same", text=SEED_FILES[1].read_text(encoding="utf-8"), title="second")
    analysis = analyze([first, Document(id="aaa", text=text), second], FAST)
    assert [d.id for d in analysis.documents] == ["aaa", "same"]
    assert analysis.documents[1].title == "first"
    assert len(analysis.problems) == 1
    assert "duplicate id 'same'" in str(analysis.problems[0])
    assert pair_map(analysis)[("aaa", "same")].relation == "duplicate"


def test_duplicate_id_across_a_path_and_a_document_keeps_the_first_given(tmp_path: Path) -> None:
    """Regression: ``_read`` used to put every Document object before the documents read from paths,
    so a later Document beat an earlier file of the same id while the problem said 'kept the first'."""
    path = tmp_path / "story.txt"
    path.write_text("The file came first. It should be kept.", encoding="utf-8")
    analysis = analyze([path, Document(id="story", text="The object came second. It is a duplicate.")], FAST)
    assert [d.id for d in analysis.documents] == ["story"]
    assert analysis.documents[0].path == str(path)


def test_one_unreadable_file_does_not_stop_the_rest(tmp_path: Path, fast_seeds: Analysis) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    bad = corpus / "zzz_broken.txt"
    bad.write_bytes(b"\x00\x01\x02\xff" * 200)
    analysis = analyze([corpus, tmp_path / "missing.txt"], FAST)
    assert [d.id for d in analysis.documents] == SEED_IDS
    where = {p.where for p in analysis.problems}
    assert str(bad) in where and str(tmp_path / "missing.txt") in where
    assert analysis.pairs == fast_seeds.pairs


def test_tiny_and_empty_documents() -> None:
    docs = [Document("empty", ""), Document("one", "Just one sentence here."), Document("blank", " \n\t ")]
    analysis = analyze(docs, FAST)
    assert [d.id for d in analysis.documents] == ["blank", "empty", "one"]
    assert analysis.pairs == []
    assert analysis.sentences["empty"] == [] and analysis.sentences["one"] == [(0, 23)]


def test_nothing_readable_gives_an_empty_analysis(tmp_path: Path) -> None:
    """Regression: with no document at all, band_pairs used to raise IndexError on the empty
    signature array."""
    (tmp_path / "bin.txt").write_bytes(b"\x00" * 64)
    analysis = analyze([tmp_path], FAST)
    assert analysis.documents == [] and analysis.pairs == []
    assert [p.where for p in analysis.problems] == [str(tmp_path / "bin.txt")]


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="mode must be 'fast' or 'full'"):
        Settings(mode="quick")
    with pytest.raises(ValueError, match="gap_words must not be negative"):
        Settings(gap_words=-1)
    with pytest.raises(ValueError, match="doubt_low"):
        Settings(doubt_low=0.9, doubt_high=0.2)
    with pytest.raises(ValueError, match="mode"):
        analyze([], mode="quick")


def test_transformer_is_asked_only_where_it_can_change_a_pair():
    """One look-alike sentence between two long texts is not worth the model; a one-sentence
    text whose only sentence is in doubt is."""
    from types import SimpleNamespace

    import numpy as np

    from filiation.engine.align_pairs import _worth_asking

    long_a = SimpleNamespace(sentences=[(0, 1)] * 30)
    long_b = SimpleNamespace(sentences=[(0, 1)] * 25)
    short = SimpleNamespace(sentences=[(0, 1)])
    docs = [long_a, long_b, short]
    pairs = np.array([[0, 1], [0, 2]])
    rows = [(0, 4, 7, 0.7), (1, 3, 0, 0.7)]
    probs = np.array([0.5, 0.5])
    assert _worth_asking(docs, pairs, rows, probs, Settings()).tolist() == [False, True]

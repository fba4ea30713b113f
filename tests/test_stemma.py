"""Stories and stemmata from related pairs: parents, lost sources, siblings, dates, drawings."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from typer.testing import CliRunner

from filiation import Document, Pair, PairEvidence, Passage, Settings
from filiation.cli import app
from filiation.schema import stemma_document, stories_from_document
from filiation.stemma import build_stories, group_stories, render_story


def ev(verbatim_a: float, verbatim_b: float, length_a: int = 300, length_b: int = 300) -> PairEvidence:
    return PairEvidence(0.0, 0.0, verbatim_a, verbatim_b, 0.0, 0.0, verbatim_a, verbatim_b, length_a, length_b, 0.8, 0.8)


def pair(a: str, b: str, direction: str, strength: float, relation: str = "edited_copy", confidence: float = 0.9) -> Pair:
    return Pair(a, b, relation, confidence, direction, ev(strength, strength))  # type: ignore[arg-type]


def docs(*ids: str, dates: dict[str, str] | None = None) -> list[Document]:
    dates = dates or {}
    return [Document(i, "text of " + i, date=dates.get(i)) for i in ids]


def parents(story) -> dict[str, str]:
    return {e.target: e.source for e in story.edges}


def test_a_chain_is_a_chain_not_a_fan():
    """C copies B copies A: C reuses B more strongly than A, so its parent is B."""
    pairs = [pair("a", "b", "a->b", 0.9), pair("b", "c", "a->b", 0.9), pair("a", "c", "a->b", 0.7)]
    (story,) = build_stories(docs("a", "b", "c"), pairs)
    assert parents(story) == {"b": "a", "c": "b"}
    assert all(n.kind == "document" for n in story.nodes)


def test_a_near_copy_too_even_to_orient_hangs_below_its_nearest_relative():
    """B copies A and C copies B, but B~C is too even to orient: C's only oriented source is
    its grandparent A, yet its parent is B, the relative it is nearest to."""
    pairs = [
        Pair("a", "b", "edited_copy", 0.9, "a->b", ev(0.75, 0.95)),
        Pair("b", "c", "edited_copy", 0.9, "unknown", ev(0.95, 0.96)),
        Pair("a", "c", "edited_copy", 0.9, "a->b", ev(0.7, 0.9)),
    ]
    (story,) = build_stories(docs("a", "b", "c"), pairs)
    assert parents(story) == {"b": "a", "c": "b"}


def _spans(text: str, *parts: str) -> list[tuple[int, int]]:
    return [(text.index(p), text.index(p) + len(p)) for p in parts]


def _copied(a: str, b: str, ta: str, tb: str, shared: list[str], direction: str, va: float, vb: float) -> Pair:
    passages = tuple(Passage(a, b, sa, ea, sb, eb, "verbatim", 1.0)
                     for (sa, ea), (sb, eb) in zip(_spans(ta, *shared), _spans(tb, *shared)))
    return Pair(a, b, "edited_copy", 0.9, direction, ev(va, vb), passages)  # type: ignore[arg-type]


def test_a_copy_that_adds_a_paragraph_is_not_read_as_its_parents_source():
    """C is B with a paragraph of its own; B is A with a paragraph cut.  Containment alone
    reads B as an excerpt of C.  The story tells them apart: A holds what B lacks (B cut it)
    and no document holds what C added, so C is B's copy."""
    s1 = "The council approved the new budget for the harbour district late on Tuesday evening."
    s2 = "Spending on the ferry terminal rises by a third, and the fish market gets a new roof."
    s3 = "Opposition members said the plan leaves the northern estates without a bus service."
    cut = "The mayor thanked the harbour staff who had worked through the winter storms to keep it open."
    added = ("Our readers can send their views on the budget to the letters page before the end of March. "
             "A selection will be printed in the weekend edition.")
    a_text, b_text, c_text = " ".join([s1, s2, s3, cut]), " ".join([s1, s2, s3]), " ".join([s1, s2, s3, added])
    documents = [Document("a", a_text), Document("b", b_text), Document("c", c_text)]
    pairs = [
        _copied("a", "b", a_text, b_text, [s1, s2, s3], "a->b", 0.75, 1.0),
        _copied("a", "c", a_text, c_text, [s1, s2, s3], "unknown", 0.75, 0.75),
        _copied("b", "c", b_text, c_text, [s1, s2, s3], "b->a", 1.0, 0.75),
    ]
    (story,) = build_stories(documents, pairs)
    assert parents(story) == {"b": "a", "c": "b"}


def test_two_excerpts_of_a_missing_report_get_a_lost_source_and_what_draws_on_both_hangs_from_it():
    pairs = [
        pair("x", "y", "common_source", 0.6),
        pair("x", "r", "a->b", 0.5, "paraphrase"),
        pair("y", "r", "a->b", 0.45, "paraphrase"),
        pair("x", "s", "a->b", 0.8),
    ]
    (story,) = build_stories(docs("x", "y", "r", "s"), pairs)
    lost = [n.id for n in story.nodes if n.kind == "lost_source"]
    assert len(lost) == 1
    p = parents(story)
    assert p["x"] == p["y"] == p["r"] == lost[0]  # r draws on material of both excerpts
    assert p["s"] == "x"  # s draws on x alone
    assert {e.direction_evidence for e in story.edges if e.source == lost[0]} == {"lost_source"}


def test_siblings_with_a_parent_in_the_corpus_get_no_lost_source():
    pairs = [pair("p", "k1", "a->b", 0.8), pair("p", "k2", "a->b", 0.8), pair("k1", "k2", "common_source", 0.5)]
    (story,) = build_stories(docs("p", "k1", "k2"), pairs)
    assert parents(story) == {"k1": "p", "k2": "p"}
    assert not [n for n in story.nodes if n.kind == "lost_source"]


def test_a_later_document_is_never_the_parent_of_an_earlier_one():
    # the content says b -> a, the dates say a came first by two days
    pairs = [pair("a", "b", "b->a", 0.9)]
    stories = build_stories(docs("a", "b", dates={"a": "2024-03-01T10:00:00Z", "b": "2024-03-03T10:00:00Z"}), pairs)
    assert parents(stories[0]) == {}  # the backwards edge is dropped, nothing invented


def test_same_event_documents_join_the_story_without_derivation_edges():
    pairs = [pair("a", "b", "a->b", 0.9), pair("a", "e", "unknown", 0.0, "same_event", 0.9)]
    (story,) = build_stories(docs("a", "b", "e"), pairs)
    assert "e" in story.documents
    assert "e" not in parents(story) and all(e.source != "e" for e in story.edges)


def test_a_weak_same_event_bridge_does_not_glue_two_stories():
    pairs = [pair("a1", "a2", "a->b", 0.9), pair("b1", "b2", "a->b", 0.9),
             pair("a2", "b1", "unknown", 0.0, "same_event", 0.65)]
    assert group_stories(["a1", "a2", "b1", "b2"], pairs) == [["a1", "a2"], ["b1", "b2"]]
    strong = pairs[:2] + [pair("a2", "b1", "unknown", 0.0, "same_event", 0.95)]
    assert group_stories(["a1", "a2", "b1", "b2"], strong) == [["a1", "a2", "b1", "b2"]]


def test_every_document_has_at_most_one_parent_and_no_cycles():
    pairs = [pair("a", "b", "unknown", 0.9), pair("b", "c", "unknown", 0.8), pair("a", "c", "unknown", 0.85)]
    (story,) = build_stories(docs("a", "b", "c"), pairs)
    g = nx.DiGraph((e.source, e.target) for e in story.edges)
    assert nx.is_directed_acyclic_graph(g)
    assert all(d <= 1 for _, d in g.in_degree())
    assert len(story.edges) == 2  # one root, the others hang from it


@pytest.fixture()
def seed_like_story():
    pairs = [pair("x", "y", "common_source", 0.6), pair("x", "r", "a->b", 0.5), pair("y", "r", "a->b", 0.45)]
    return build_stories(docs("x", "y", "r"), pairs)[0]


def test_stemma_json_round_trips(seed_like_story):
    data = json.loads(json.dumps(stemma_document([seed_like_story])))
    assert stories_from_document(data) == [seed_like_story]


@pytest.mark.parametrize("fmt", ["dot", "graphml", "mermaid", "svg"])
def test_every_format_draws_every_edge(seed_like_story, fmt):
    text = render_story(seed_like_story, fmt)
    if fmt == "graphml":
        import io

        g = nx.read_graphml(io.BytesIO(text.encode()))
        assert g.number_of_edges() == len(seed_like_story.edges)
    elif fmt == "svg":
        root = ET.fromstring(text)
        lines = root.findall("{http://www.w3.org/2000/svg}line")
        assert len(lines) == len(seed_like_story.edges)
    elif fmt == "dot":
        assert text.count("->") == len(seed_like_story.edges)
    else:
        assert text.count("-->") == len(seed_like_story.edges)


def test_svg_escapes_document_ids():
    pairs = [pair("<script>alert(1)</script>", "b&c", "a->b", 0.9)]
    (story,) = build_stories(docs("<script>alert(1)</script>", "b&c"), pairs)
    svg = render_story(story, "svg")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_cli_stemma_draws_a_results_folder(tmp_path, seed_like_story):
    from filiation.schema import write_json_atomic

    write_json_atomic(tmp_path / "stemma.json", stemma_document([seed_like_story]))
    runner = CliRunner()
    result = runner.invoke(app, ["stemma", str(tmp_path), "--format", "mermaid"])
    assert result.exit_code == 0 and result.stdout.startswith("graph TD")
    out = tmp_path / "tree.svg"
    assert runner.invoke(app, ["stemma", str(tmp_path), "-f", "svg", "-o", str(out)]).exit_code == 0
    ET.fromstring(out.read_text())
    bad = runner.invoke(app, ["stemma", str(tmp_path), "--format", "png"])
    assert bad.exit_code == 2 and "png" in bad.output
    missing = runner.invoke(app, ["stemma", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such file" in " ".join(missing.output.split())
    assert "Traceback" not in missing.output

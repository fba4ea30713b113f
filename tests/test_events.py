"""Same event: event terms, corpus frequencies, and average-link clusters over the candidate links."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from filiation import Document, PairEvidence, Settings, analyze
from filiation.relate.events import (DocumentFrequencies, average_link, cluster_pairs, event_clusters, event_cosine,
                                     event_link, event_link_matrix, event_terms, event_vectors, names_cosine,
                                     same_event_pairs)
from filiation.relate.reading import same_event_unaligned
from filiation.text.normalise import normalise
from filiation.text.shingles import word_hashes

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _doc(text: str, id: str = "d"):
    return normalise(Document(id, text))


def _groups(clusters: dict[str, str]) -> set[frozenset[str]]:
    out: dict[str, set[str]] = {}
    for x, c in clusters.items():
        out.setdefault(c, set()).add(x)
    return {frozenset(g) for g in out.values()}


def test_event_terms_are_content_words_and_their_pairs_counted() -> None:
    t = event_terms(_doc("The quake hit the city. The quake killed nine."))
    counts = dict(zip(t.keys.tolist(), t.counts.tolist()))
    quake, the = word_hashes(["quake", "the"]).tolist()
    assert counts[quake] == 2
    assert the not in counts  # function words say nothing about which event
    # quake, hit, city, quake, killed, nine: six words, five adjacent pairs (all distinct)
    assert sum(counts.values()) == 6 + 5


def test_frequencies_weigh_rare_shared_terms_over_common_ones_and_drop_terms_of_one_document() -> None:
    docs = [_doc("quake Lisbon", "a"), _doc("quake Lisbon", "b"), _doc("quake Porto", "c"), _doc("quake Madrid", "d")]
    terms = [event_terms(d) for d in docs]
    f = DocumentFrequencies.of(terms)
    quake, lisbon, madrid = word_hashes(["quake", "lisbon", "madrid"]).tolist()
    assert f.documents == 4
    assert madrid not in f.keys.tolist()  # in one document only: it links nothing
    v = f.vector(terms[0])
    w = dict(zip(v.keys.tolist(), v.weights.tolist()))
    assert w[lisbon] > w[quake] > 0
    assert abs(float(np.linalg.norm(v.weights)) - 1) < 1e-9
    vectors = event_vectors(docs)
    assert event_cosine(vectors[0], vectors[1]) > event_cosine(vectors[0], vectors[2]) > 0


def test_a_document_close_to_one_member_of_a_cluster_but_not_the_rest_stays_out() -> None:
    """Average link: x is near a alone; the mean of x's links to {a, b, c} (missing ones 0) is low."""
    tight = [("a", "b", 0.6), ("a", "c", 0.6), ("b", "c", 0.6)]
    clusters = average_link(tight + [("a", "x", 0.3)], cut=0.14)
    assert _groups(clusters) == {frozenset("abc"), frozenset("x")}
    # linked to all three, x belongs
    joined = average_link(tight + [("a", "x", 0.3), ("b", "x", 0.2), ("c", "x", 0.2)], cut=0.14)
    assert _groups(joined) == {frozenset("abcx")}


def test_two_events_of_one_kind_linked_by_look_alike_pairs_stay_two_clusters() -> None:
    one = [(f"q{i}", f"q{j}", 0.4) for i, j in itertools.combinations(range(4), 2)]
    other = [(f"r{i}", f"r{j}", 0.4) for i, j in itertools.combinations(range(4), 2)]
    look_alike = [("q0", "r0", 0.3), ("q1", "r1", 0.2)]  # one kind of event: some pairs alike
    assert _groups(event_clusters(one + other + look_alike, cut=0.14)) == {
        frozenset({"q0", "q1", "q2", "q3"}), frozenset({"r0", "r1", "r2", "r3"})}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0.0, 1.0)), max_size=40),
       st.sampled_from([0.1, 0.14, 0.3]))
def test_clustering_per_component_of_strong_links_equals_clustering_all_links(raw, cut) -> None:
    """What the Spark engine relies on: a merge needs a link at the cut, so clusters never cross
    the components of those links, and each component can be clustered alone."""
    seen, links = set(), []
    for i, j, s in raw:
        if i != j and (min(i, j), max(i, j)) not in seen:
            seen.add((min(i, j), max(i, j)))
            links.append((f"d{min(i, j):02d}", f"d{max(i, j):02d}", round(s, 3)))
    whole = average_link([l for l in links if l[2] > 0], cut) if links else {}
    split = event_clusters(links, cut)
    assert {g for g in _groups(split) if len(g) > 1} == {g for g in _groups(whole) if len(g) > 1}


def test_same_event_pairs_are_loose_pairs_inside_one_cluster() -> None:
    e = PairEvidence(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 300, 300, 0.5, 0.5)
    loose = [("a", "b", e, 0.5), ("a", "x", e, 0.1), ("b", "c", e, 0.1), ("y", "z", e, 0.9)]
    pairs = same_event_pairs(loose, {"a": "a", "b": "a", "c": "a", "x": "x"}, cut=0.14)
    assert [(p.a, p.b) for p in pairs] == [("a", "b"), ("b", "c")]
    assert all(p.relation == "same_event" and p.direction == "unknown" and not p.passages for p in pairs)
    # a pair in the cluster by its neighbours' links, not its own, is less sure
    assert pairs[0].confidence > pairs[1].confidence == 0.5


def test_event_cut_must_be_a_cosine() -> None:
    import pytest

    with pytest.raises(ValueError, match="event_cut"):
        Settings(event_cut=0)


def test_analyze_records_every_pairs_event_similarity() -> None:
    analysis = analyze([SEEDS], Settings(mode="fast", audit=False))
    assert analysis.pairs and all(0 < p.evidence.event_similarity <= 1 for p in analysis.pairs)


def test_frequencies_counted_in_chunks_equal_one_count_and_the_matrix_equals_each_cosine() -> None:
    docs = [_doc(t, str(k)) for k, t in enumerate(
        ["quake hits Lisbon", "Lisbon quake kills nine", "quake in Porto", "Porto floods", "floods kill nine in Porto"])]
    terms = [event_terms(d) for d in docs]
    whole, chunked = DocumentFrequencies.of(terms), DocumentFrequencies.of(terms, chunk=2)
    assert whole.keys.tolist() == chunked.keys.tolist() and whole.counts.tolist() == chunked.counts.tolist()
    vectors = [whole.vector(t) for t in terms]
    matrix = event_link_matrix(vectors, 0.25)
    for i, j in itertools.combinations(range(len(docs)), 2):
        one = event_link(event_cosine(vectors[i], vectors[j]), names_cosine(vectors[i], vectors[j]), 0.25)
        assert abs(matrix[i, j] - one) < 1e-12


def test_names_and_numbers_are_event_terms_apart_from_the_words() -> None:
    """A name is both a word of the text and one of its names: the two keys never meet."""
    quake = event_terms(_doc("A quake hit Lisbon on Monday, killing 12."))
    assert len(quake.names) == 3  # lisbon, monday, 12
    assert not set(quake.names.tolist()) & set(quake.keys.tolist())
    assert word_hashes(["lisbon"]).tolist()[0] in quake.keys.tolist()


def test_texts_sharing_their_names_are_nearer_by_names_than_by_words() -> None:
    docs = [_doc("Flooding in Porto closed the harbour, said mayor Silva.", "a"),
            _doc("Volunteers cleared streets in Porto after storms, mayor Silva praised them.", "b"),
            _doc("Heavy flooding closed the harbour again.", "c"),
            _doc("Volunteers cleared streets after storms and flooding closed roads, said a spokesman.", "d")]
    a, b, c, _ = event_vectors(docs)
    assert names_cosine(a, b) > 0.9 > 0.5 > event_cosine(a, b)  # many words of their own, the same names
    assert names_cosine(a, c) == 0 < event_cosine(a, c)  # no name shared
    # the clusters' link: the names weigh ``names_weight``, the words the rest
    assert event_link(0.4, 0.8, 0.25) == 0.75 * 0.4 + 0.25 * 0.8


def test_every_pair_of_a_small_cluster_is_listed_and_a_large_cluster_keeps_only_its_candidates() -> None:
    clusters = {"a": "a", "b": "a", "c": "a", "x": "x", "p": "p", "q": "p", "r": "p", "s": "p"}
    assert cluster_pairs(clusters, 3) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert len(cluster_pairs(clusters, 4)) == 3 + 6
    assert cluster_pairs(clusters, 1) == []


def test_a_pair_joined_only_by_its_cluster_is_same_event_without_passages_or_verbatim_evidence() -> None:
    docs = [_doc("Flooding in Porto closed the harbour on Monday, the mayor Silva said.", "a"),
            _doc("Mayor Silva said Porto's harbour stays shut after Monday's flooding.", "b")]
    vectors = event_vectors(docs)
    pair = same_event_unaligned(docs[0], docs[1], vectors[0], vectors[1], 0.7, Settings())
    assert (pair.a, pair.b, pair.relation, pair.direction, pair.passages) == ("a", "b", "same_event", "unknown", ())
    e = pair.evidence
    assert e.verbatim_a == e.verbatim_b == e.semantic_a == e.semantic_b == 0  # never aligned
    assert e.doc_similarity == 0.7 and e.entity_overlap > 0.5 and e.length_a == docs[0].length
    assert e.event_similarity == round(event_cosine(*vectors), 4) and e.names_similarity == round(names_cosine(*vectors), 4)


def test_a_cluster_too_large_to_list_its_pairs_is_named_among_the_limits() -> None:
    small = analyze([SEEDS], Settings(mode="fast", audit=False, event_cluster_pairs=2))
    assert any("same-event clusters of more than event_cluster_pairs (2)" in line for line in small.limits)
    assert not any("same-event clusters" in line for line in analyze([SEEDS], Settings(mode="fast", audit=False)).limits)

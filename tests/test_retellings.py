"""Retellings: a loose rewrite that matches few sentences one to one is reuse when its names and
numbers are its source's and its source stands out among its candidates; an independent report
of the same event, or a rewrite of another report, is not."""
from __future__ import annotations

from dataclasses import replace

from filiation import Document, PairEvidence, Settings
from filiation.relate.events import event_vectors
from filiation.relate.retellings import RetellingLink, retelling_link, retellings, sentence_sources
from filiation.text.normalise import normalise, specifics

# an article, written for these tests
SOURCE = ("Dockworkers at the Rotterdam harbour walked out on Monday over a new shift roster drawn up by Port Authority "
          "managers. The strike halted the loading of container ships at three terminals run by Maersk and Cosco. "
          "Union leader Jan de Vries said the roster cut rest periods between night shifts. "
          "Port managers estimated the stoppage cost 12 million euros a day. "
          "Talks between the union and the Port Authority are due to resume on Thursday in Rotterdam.")
# a loose retelling of it: merged, reordered and reworded sentences, the same names and numbers
RETELLING = ("Container traffic at three Rotterdam terminals operated by Maersk and Cosco came to a standstill "
             "after dockworkers struck on Monday. Jan de Vries, speaking for the union, blamed a roster from "
             "Port Authority managers that shortens the rest between night shifts, and the walkout is said to cost "
             "12 million euros daily until talks resume on Thursday.")
# the same strike reported independently: people, places and figures of its own
REPORT = ("Hundreds of port workers in the Netherlands stopped work, union FNV said in Amsterdam, "
          "as spokeswoman Anna Bakker warned that Hutchison and DP World could also be affected. "
          "Economists at ING put the losses near 20 million a day, citing Eurostat figures from 2019.")


def _evidence(**changes) -> PairEvidence:
    base = PairEvidence(0.0, 0.0, 0.0, 0.0, 0.1, 0.1, 0.0, 0.0, 60, 90, 0.7, 0.8)
    return replace(base, **changes)


def _pair(x: str, y: str):
    docs = [normalise(Document("a", x)), normalise(Document("b", y))]
    return docs, event_vectors(docs)


def test_names_and_numbers_drop_possessives_and_the_words_a_line_opens_with() -> None:
    found = specifics("The union's leader met Jan de Vries.\nWhile Rotterdam's port paid 3,400 euros, \"This\" was not all.")
    assert {"jan", "vries", "rotterdam", "3400"} <= found
    assert not found & {"while", "this", "the", "rotterdam's"}


def test_a_loose_rewrite_sharing_its_names_and_numbers_is_a_possible_retelling() -> None:
    (a, b), vectors = _pair(SOURCE, RETELLING)
    assert len(a.entities & b.entities) >= 5
    evidence = _evidence(entity_overlap=0.8, length_a=a.length, length_b=b.length)
    link = retelling_link(a, b, evidence, 0.4, False, vectors[0], vectors[1], Settings())
    assert link is not None and (link.short, link.long) == ("b", "a")
    assert link.relation == "paraphrase" and link.direction in ("a->b", "unknown")
    assert (link.names_of("b"), link.names_of("a")) == (b.entities, a.entities)  # what a sibling is judged by
    # its passages: each retelling sentence against the source sentence it draws on, offsets into both texts
    assert link.passages and all(p.kind == "paraphrase" and 0 < p.score <= 1 for p in link.passages)
    for p in link.passages:
        assert 0 <= p.a_start < p.a_end <= len(SOURCE) and 0 <= p.b_start < p.b_end <= len(RETELLING)


def test_reuse_unlike_documents_and_names_of_its_own_rule_a_retelling_out() -> None:
    (a, b), vectors = _pair(SOURCE, RETELLING)
    settings = Settings()

    def link(reused=False, **changes):
        return retelling_link(a, b, _evidence(**changes), 0.4, reused, vectors[0], vectors[1], settings)

    assert link() is not None
    assert link(reused=True) is None
    assert link(doc_similarity=settings.retelling_similarity - 0.01) is None
    assert link(entity_overlap=settings.reworded_specifics - 0.01) is None
    (c, d), vectors = _pair(SOURCE, REPORT)
    too_few = len(c.entities & d.entities) < settings.retelling_shared
    assert too_few and retelling_link(c, d, _evidence(), 0.4, False, vectors[0], vectors[1], settings) is None


def test_each_sentence_of_a_retelling_is_drawn_from_the_source_sentence_holding_its_terms() -> None:
    (a, b), vectors = _pair(SOURCE, RETELLING)
    drawn = sentence_sources(b, a, vectors[1])
    sources = {RETELLING[s:e][:20]: SOURCE[ss:se] for (s, e), (ss, se), _ in drawn}
    assert "Maersk" in sources["Container traffic at"]
    assert len(drawn) == len(b.sentences)


def _link(short: str, long: str, cosine: float) -> RetellingLink:
    return RetellingLink(short, long, cosine, "paraphrase", 0.7, "unknown", _evidence(), ())


def test_a_retelling_stands_when_its_source_stands_out_among_its_candidates() -> None:
    settings = Settings()
    link = _link("rewrite", "article", 0.45)
    cosines = [("article", "rewrite", 0.45), ("other", "rewrite", 0.2), ("article", "other", 0.3)]
    assert [(p.a, p.b) for p in retellings([link], cosines, lambda x, y: None, settings)] == [("article", "rewrite")]
    # another report as close (within the margin) blocks it...
    near = cosines + [("report", "rewrite", 0.35)]
    assert retellings([link], near, lambda x, y: None, settings) == []

    # ...unless that report is a copy of the article, or a text derived from the rewrite
    def copy_of_article(x: str, y: str) -> str | None:
        return "article" if {x, y} == {"report", "article"} else None

    def child_of_rewrite(x: str, y: str) -> str | None:
        return "rewrite" if {x, y} == {"report", "rewrite"} else None

    assert len(retellings([link], near, copy_of_article, settings)) == 1
    assert len(retellings([link], near, child_of_rewrite, settings)) == 1


def test_a_sibling_retelling_of_the_same_source_does_not_stand_against_the_link() -> None:
    """Two rewrites of one article are near each other through it: a rival that may itself
    retell the longer text, sharing with the shorter only names the longer holds, is excused.
    A rival that shares names of its own with the shorter text, or has no link to the longer,
    still blocks (two reports of one event, told apart by what only they share)."""
    settings = Settings()
    article, rewrite, other = frozenset({"rotterdam", "maersk", "vries", "12"}), frozenset({"rotterdam", "maersk", "vries"}), frozenset({"rotterdam", "maersk", "12"})
    link = replace(_link("rewrite", "article", 0.4), short_names=rewrite, long_names=article)
    rival = replace(_link("sibling", "article", 0.5), short_names=other, long_names=article)
    cosines = [("article", "rewrite", 0.4), ("rewrite", "sibling", 0.55), ("article", "sibling", 0.5)]
    assert [(p.a, p.b) for p in retellings([link, rival], cosines, lambda x, y: None, settings)] == [("article", "rewrite"), ("article", "sibling")]
    # the sibling shares with the rewrite a name the article lacks: it is a rival
    own = replace(rival, short_names=other | {"amsterdam"})
    both_own = replace(link, short_names=rewrite | {"amsterdam"})
    assert retellings([both_own, own], cosines, lambda x, y: None, settings) == []
    # no link of its own to the article: a rival
    assert retellings([link], cosines, lambda x, y: None, settings) == []


def test_a_rewrite_of_one_report_is_not_also_a_retelling_of_another() -> None:
    """The rewrite's own source, near it, stands against a link to a second report of the event."""
    settings = Settings()
    link = _link("rewrite", "second_report", 0.3)
    cosines = [("rewrite", "second_report", 0.3), ("rewrite", "wire", 0.6)]

    def derived_from_wire(x: str, y: str) -> str | None:
        return "wire" if {x, y} == {"rewrite", "wire"} else None

    assert retellings([link], cosines, derived_from_wire, settings) == []

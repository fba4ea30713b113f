"""Briefs: the search for a one-line text's longer neighbours, the choice of the text it condenses
(nearest by event cosine times document cosine, standing out from the rest, copies of it aside)
and its passages."""
from __future__ import annotations

import pytest

from filiation import Document, PairEvidence, Settings
from filiation.candidates.briefs import brief_and_longer, brief_neighbours, is_brief
from filiation.relate.briefs import BriefLink, brief_link, brief_summaries, choose_source, drawn_passages
from filiation.relate.events import event_vectors
from filiation.text.normalise import normalise

ARTICLES = {
    "harbour": ("Dockworkers at the Rotterdam harbour walked out on Monday over a new shift roster. "
                "The strike halted the loading of container ships at three terminals. "
                "Union leaders said the roster cut rest periods between night shifts. "
                "Port managers estimated the stoppage cost twelve million euros a day. "
                "Talks between the union and the port authority are due to resume on Thursday. "
                "Shipping lines diverted several vessels to Antwerp and Hamburg."),
    "vineyard": ("Hailstorms destroyed most of the grape harvest in Burgundy's southern vineyards. "
                 "Growers around Macon reported losing up to eighty percent of their fruit. "
                 "The storm lasted less than twenty minutes on Saturday evening. "
                 "Regional officials asked the government to declare an agricultural disaster. "
                 "Insurers said claims from winemakers would take months to settle. "
                 "Some growers had installed anti-hail nets after a similar storm two years ago."),
    "library": ("The city library of Graz reopened after a four-year renovation on Friday. "
                "Architects kept the baroque reading hall and added a glass roof over the courtyard. "
                "The collection of medieval manuscripts moved to a climate-controlled vault. "
                "Visitors queued along the Sackstrasse before the doors opened at nine. "
                "The renovation cost forty million euros, mostly paid by the province. "
                "Librarians plan evening opening hours from next month."),
    "marathon": ("A Kenyan runner won the Berlin marathon in a course record on Sunday. "
                 "She crossed the line two minutes ahead of her nearest rival. "
                 "Cool weather and flat roads helped the leading group keep a fast pace. "
                 "More than forty thousand runners started the race near the Brandenburg Gate. "
                 "Organisers said the record would be ratified within weeks. "
                 "The winner said she would now prepare for the world championships."),
}
# a one-line summary of "harbour", written for these tests: it rewords two of its sentences
BRIEF = "Rotterdam dockworkers struck over night shift rosters, halting container terminals as talks resume Thursday."


def _corpus():
    docs = [normalise(Document(k, v)) for k, v in sorted(ARTICLES.items())] + [normalise(Document("zbrief", BRIEF))]
    return docs, event_vectors(docs)


def _link(brief: str, other: str, cosine: float, reused: bool = False, brief_first: bool = False,
          doc_similarity: float = 0.5) -> BriefLink:
    evidence = PairEvidence(0.0, 0.0, 0.0, 0.0, 0.1, 0.0, 0.2, 0.0, 15, 300, doc_similarity, 0.1)
    return BriefLink(brief, other, cosine, reused, evidence, (), brief_first)


def test_a_brief_is_a_text_of_one_or_two_sentences_compared_with_texts_several_times_longer() -> None:
    docs, _ = _corpus()
    settings = Settings()
    brief, harbour = docs[-1], docs[0]
    assert is_brief(brief, settings) and not is_brief(harbour, settings)
    assert brief_and_longer(brief, harbour, settings) and brief_and_longer(harbour, brief, settings)
    assert not brief_and_longer(brief, normalise(Document("x", BRIEF + " " + BRIEF)), settings)  # not 3x longer


def test_the_brief_search_finds_the_article_a_brief_rewords_first() -> None:
    docs, vectors = _corpus()
    pairs = brief_neighbours(docs, vectors, Settings(brief_neighbours=1))
    assert [(docs[i].doc.id, docs[j].doc.id) for i, j in pairs.tolist()] == [("harbour", "zbrief")]
    assert len(brief_neighbours(docs, vectors, Settings(brief_neighbours=0))) == 0


def test_a_brief_draws_on_several_sentences_and_its_spans_point_at_their_words() -> None:
    docs, vectors = _corpus()
    brief, harbour = docs[-1], docs[0]
    drawn = drawn_passages(brief, harbour, vectors[-1])
    sources = [harbour.doc.text[s:e] for _, (s, e), _ in drawn]
    assert len(drawn) >= 2  # not only the single nearest sentence
    assert any("walked out" in t for t in sources) and any("resume on Thursday" in t for t in sources)
    for (bs, be), _, share in drawn:
        assert 0 <= bs < be <= len(BRIEF) and 0 < share <= 1


def test_brief_link_orients_passages_as_the_pair_and_skips_pairs_without_a_brief() -> None:
    docs, vectors = _corpus()
    brief, harbour, library = docs[-1], docs[0], docs[2]
    evidence = PairEvidence(0.0, 0.0, 0.0, 0.0, 0.1, 0.0, 0.2, 0.0, harbour.length, brief.length, 0.5, 0.1)
    link = brief_link(harbour, brief, evidence, 0.3, False, vectors[0], vectors[-1], Settings())
    assert link is not None and (link.brief, link.other) == ("zbrief", "harbour")
    assert link.passages
    for p in link.passages:  # a = harbour (the lower id), b = the brief
        assert (p.a, p.b) == ("harbour", "zbrief") and p.b_end <= len(BRIEF) and p.a_end <= len(ARTICLES["harbour"])
    assert brief_link(harbour, library, evidence, 0.3, False, vectors[0], vectors[2], Settings()) is None
    reused = brief_link(harbour, brief, evidence, 0.3, True, vectors[0], vectors[-1], Settings())
    assert reused is not None and reused.passages == ()  # a reuse pair is never chosen: no passages sought


def test_the_nearest_longer_text_is_chosen_when_it_stands_out() -> None:
    settings = Settings()
    choice = choose_source([_link("b", "x", 0.4), _link("b", "y", 0.15), _link("b", "z", 0.1)], settings)
    assert choice is not None and choice.link.other == "x" and choice.rivals == ()
    assert choice.next_nearness == pytest.approx(0.15 * 0.5)  # event cosine x document cosine
    close = choose_source([_link("b", "x", 0.4), _link("b", "y", 0.25)], settings)
    assert close is not None and close.rivals == ("y",)
    assert choose_source([_link("b", "x", settings.brief_min_event_cosine - 0.01)], settings) is None
    assert choose_source([_link("b", "x", 0.4), _link("b", "y", 0.1, reused=True)], settings) is None


def test_the_documents_as_wholes_weigh_with_the_event_terms() -> None:
    """A text as near by event terms but unlike the brief as a whole (a neighbouring story)
    does not stand against the article the brief reads like; nor is it chosen over it."""
    settings = Settings()
    article, neighbour = _link("b", "x", 0.3, doc_similarity=0.6), _link("b", "y", 0.32, doc_similarity=0.2)
    choice = choose_source([article, neighbour], settings)
    assert choice is not None and choice.link.other == "x" and choice.rivals == ()
    alike = choose_source([article, _link("b", "y", 0.32, doc_similarity=0.6)], settings)
    assert alike is not None and alike.link.other == "y" and alike.rivals == ("x",)
    assert choose_source([_link("b", "x", 0.3, doc_similarity=0.0)], settings) is None


def test_a_rival_that_copies_the_chosen_text_does_not_block_the_summary_but_another_does() -> None:
    settings = Settings()
    links = [_link("b1", "x", 0.4), _link("b1", "x-copy", 0.38), _link("b2", "x", 0.4), _link("b2", "y", 0.35)]
    pairs = brief_summaries(links, lambda p, q: {p, q} == {"x", "x-copy"}, settings)
    assert [(p.a, p.b, p.relation, p.direction) for p in pairs] == [("b1", "x", "summary", "b->a")]
    assert 0.5 <= pairs[0].confidence <= 1


def test_a_brief_dated_before_its_chosen_text_gets_no_direction() -> None:
    pairs = brief_summaries([_link("b", "x", 0.4, brief_first=True)], lambda p, q: False, Settings())
    assert [(p.relation, p.direction) for p in pairs] == [("summary", "unknown")]

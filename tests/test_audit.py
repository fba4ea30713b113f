"""The audit: each kind of finding on small texts a reader can check, and none on a faithful copy."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from filiation.audit import audit_document, sources_to_audit
from filiation.audit.attribution import find_hedges, find_speakers
from filiation.audit.numbers import find_quantities
from filiation.audit.quotes import explain_quote, find_quotations, quote_is_faithful
from filiation.cli import app
from filiation.model import Document, Pair, PairEvidence, Story, StemmaEdge, StemmaNode
from filiation.text.tokens import word_keys

SOURCE = (
    "Police said at least 40 people were hurt in the blast at the central market on Tuesday. "
    "The fire brigade sent 12 engines to the scene and crews worked through the night. "
    "“We will find whoever did this and bring them to justice,” the mayor Anna Keller told reporters. "
    "Investigators believe the explosion may have been caused by a gas leak in a bakery. "
    "The bakery's owner denied that his equipment was faulty and said it had passed inspection. "
    "Traders said the market would reopen next week once the damaged stalls were cleared away. "
    "The city council will meet on Friday to discuss compensation for the families affected. "
    "(Reuters)"
)


def _audit(derived: str, source: str = SOURCE, **kw):
    return audit_document(Document("copy", derived), [Document("wire", source)], **kw)


def _found(derived: str, source: str, *kinds: str):
    """The findings of these kinds for ``derived`` read against ``source``."""
    return [f for f in _audit(derived, source) if f.kind in kinds]


def _kinds(findings):
    return sorted(f.kind for f in findings)


def test_quantities_read_as_values_with_hedges():
    text = "At least 40 hurt, over 3,400 homes, three thousand four hundred cars, $2.5 billion, 12% more, the 21st"
    got = [(q.value, q.hedge, q.percent) for q in find_quantities(text)]
    assert got == [(40, "at least", False), (3400, "more than", False), (3400, None, False),
                   (2.5e9, None, False), (12, None, True)]


def test_equal_numbers_written_differently_are_not_findings():
    derived = SOURCE.replace("12 engines", "twelve engines").replace("at least 40", "no fewer than 40")
    assert "number_changed" not in _kinds(_audit(derived))


def test_changed_number_and_changed_hedge_are_reported_with_both_spans():
    derived = SOURCE.replace("12 engines", "15 engines").replace("at least 40", "more than 40")
    found = [f for f in _audit(derived) if f.kind == "number_changed"]
    assert sorted((f.derived_text, f.source_text) for f in found) == [("15", "12"), ("more than 40", "at least 40")]
    for f in found:
        assert derived[f.derived_span[0]:f.derived_span[1]] == f.derived_text
        assert SOURCE[f.source_span[0]:f.source_span[1]] == f.source_text


def test_faithful_copy_has_no_findings():
    assert _audit(SOURCE) == []


def test_quotes_faithful_shortened_or_altered():
    src = "“We will find whoever did this and bring them to justice,” she said. Crews worked on."
    quotes = find_quotations(src)
    ok = "She vowed to “bring them to justice”, officials said."
    changed = "“We will find whoever did this and punish them severely,” she said."
    assert quote_is_faithful(ok, find_quotations(ok)[0], quotes)
    q = find_quotations(changed)[0]
    assert not quote_is_faithful(changed, q, quotes)
    why = explain_quote(changed, q, quotes, tuple(word_keys(src)))
    assert why is not None and why.source_span == (quotes[0].start, quotes[0].end)


def test_altered_and_widened_quotations_are_reported():
    altered = SOURCE.replace("bring them to justice", "make them pay dearly")
    assert "quote_altered" in _kinds(_audit(altered))
    widened = SOURCE.replace("The fire brigade sent 12 engines to the scene and crews worked through the night.",
                             "“The fire brigade sent 12 engines to the scene and crews worked through the night.”")
    found = [f for f in _audit(widened) if f.kind == "quote_altered"]
    assert found and "narrative" in found[0].explanation


def test_speakers_and_hedges_are_read_per_sentence():
    text = "U.S. officials said it could spread. “No,” said David Schenker. According to police, two died."
    assert [s.key for s in find_speakers(text, 0, len(text))] == ["officials", "schenker", "police"]
    assert sorted(h.kind for h in find_hedges(text, 0, len(text))) == ["possibility", "source"]


def test_attribution_and_hedge_changes_are_reported():
    derived = SOURCE.replace("Police said at least 40", "Experts said at least 40").replace(
        "may have been caused", "was caused")
    kinds = _kinds(_audit(derived))
    assert "attribution_changed" in kinds and "hedge_changed" in kinds


def test_a_pronoun_speaker_is_the_last_speaker_before_it_that_it_can_stand_for():
    text = ("Two officials said the drone failed. It could have caused carnage, they added. "
            "Mr Keller said the roads were shut. He added that officials said it was safe, he said.")
    second = text.index("It could")
    assert [s.key for s in find_speakers(text, second, text.index("Mr Keller"), 0)] == ["officials"]
    assert find_speakers(text, second, text.index("Mr Keller")) == []  # no sentences before given: left out
    last = text.index("He added")
    # "he" is one person: Keller, not the officials named nearer
    assert [s.key for s in find_speakers(text, last, len(text), text.index("Mr Keller"))] == ["keller", "officials", "keller"]
    # a pronoun speaker of the source is compared like a named one: officials -> experts
    source = "Two officials said the drone failed to explode. The U.S. had got lucky, they added, as the drone could have caused carnage."
    derived = "Two officials said the drone failed to explode. The U.S. had got lucky, experts added, as the drone could have caused carnage."
    found = [f for f in audit_document(Document("copy", derived), [Document("wire", source)]) if f.kind == "attribution_changed"]
    assert len(found) == 1 and found[0].derived_text == "experts" and found[0].source_text == "they"


def test_a_claim_reported_second_hand_stated_first_hand_is_a_hedge_change():
    source = ("The premier met Iranian leaders in Tehran on Sunday. "
              "The officials told him that the militias made their own decisions and Tehran would not interfere, the politician said. "
              "Talks will resume next week.")
    derived = ("The premier met Iranian leaders in Tehran on Sunday. "
               "Iranian officials told him that the militias made their own decisions and Tehran would not interfere. "
               "Talks will resume next week.")
    found = [f for f in audit_document(Document("copy", derived), [Document("wire", source)]) if f.kind == "hedge_changed"]
    assert len(found) == 1 and found[0].source_text == "the politician" and "second-hand" in found[0].explanation
    # the outer speaker kept, or a single speaker's claim: nothing to report
    kept = derived.replace("would not interfere.", "would not interfere, the politician said.")
    assert not [f for f in audit_document(Document("copy", kept), [Document("wire", source)]) if f.kind == "hedge_changed"]
    single = source.replace("The officials told him that the", "The").replace(", the politician said", ", officials said")
    plain = derived.replace("Iranian officials told him that the", "Officials said the")
    assert not [f for f in audit_document(Document("copy", plain), [Document("wire", single)])
                if f.kind in ("hedge_changed", "attribution_changed")]
    # the claim's own subject made its speaker drops the sourcing just the same
    subject = derived.replace("Iranian officials told him that the militias made their own decisions and Tehran would",
                              "Tehran indicated that the militias made their own decisions and it would")
    assert [(f.kind, f.source_text) for f in _found(subject, source, "hedge_changed", "attribution_changed")] == [
        ("hedge_changed", "the politician")]


def test_an_authority_the_source_never_cites_is_an_attribution_change_even_in_a_reworded_sentence():
    source = ("A bridge over the Tagus was closed on Monday after cracks were found in two pillars. "
              "The span could have collapsed under the weekend traffic, engineers at the ministry said. "
              "Repairs will take six weeks, the ministry said.")
    derived = ("A bridge over the Tagus was closed on Monday after cracks were found in two pillars. "
               "Experts warn that a disaster under heavy traffic was only narrowly avoided. "
               "Repairs will take six weeks, the ministry said.")
    found = _found(derived, source, "attribution_changed")
    assert len(found) == 1 and found[0].derived_text == "Experts" and "never cites" in found[0].explanation
    # a kind of source the original does name is a rewording, not an invention
    cited = source.replace("Repairs will take", "Experts said repairs will take")
    assert not _found(derived, cited, "attribution_changed")


def test_the_sources_own_judgment_merged_into_a_cited_sentence_is_credited_to_the_wrong_speaker():
    source = ("A faulty valve may have spared the town a far worse flood on Sunday. "
              "The valve, fitted at the Ribeira dam in 2019, jammed half open before dawn, according to two officials. "
              "Water reached the old market but no one was hurt.")
    merged = ("A faulty valve fitted at the Ribeira dam in 2019 may have spared the town a far worse flood when it jammed, "
              "according to two officials. Water reached the old market but no one was hurt.")
    found = _found(merged, source, "attribution_changed")
    assert len(found) == 1 and found[0].derived_text == "two officials" and "own judgment" in found[0].explanation
    # each claim kept with its own voice: nothing to report
    assert not _found(source.replace("before dawn", "early on Sunday"), source, "attribution_changed")


def test_a_qualifier_dropped_between_words_the_copy_keeps_is_an_omission():
    source = ("The storm damaged mostly older homes near the coast on Friday night, the mayor said. "
              "Power was restored to most streets by Saturday.")
    derived = ("The storm damaged older homes near the coast on Friday night, the mayor said. "
               "Power was restored to most streets by Saturday.")
    found = _found(derived, source, "omission")
    assert len(found) == 1 and found[0].source_text == "mostly" and found[0].derived_text == "storm damaged older homes"
    assert not _found(source, source, "omission")


def test_unsupported_addition_but_not_connective_text():
    added = SOURCE.replace("(Reuters)", "This is a disgrace and the government must resign over its failure now. (Reuters)")
    found = [f for f in _audit(added) if f.kind == "unsupported_addition"]
    assert len(found) == 1 and found[0].source_span is None and "disgrace" in found[0].derived_text
    connective = SOURCE.replace("The city council", "Meanwhile, the city council")
    assert "unsupported_addition" not in _kinds(_audit(connective))


def test_omission_of_a_denial_but_not_of_plain_shortening():
    denial = "The bakery's owner denied that his equipment was faulty and said it had passed inspection. "
    assert "omission" in _kinds(_audit(SOURCE.replace(denial, "")))
    plain = "Traders said the market would reopen next week once the damaged stalls were cleared away. "
    assert "omission" not in _kinds(_audit(SOURCE.replace(plain, "")))
    assert "omission" not in _kinds(_audit(SOURCE.replace(denial, ""), summary=True))


def test_missing_credit_only_where_the_source_carries_one():
    uncredited = SOURCE.replace("(Reuters)", "")
    assert "missing_credit" in _kinds(_audit(uncredited))
    assert "missing_credit" not in _kinds(_audit(uncredited, source=uncredited))
    metadata = audit_document(Document("copy", uncredited), [Document("wire", uncredited, source="Wire Service")])
    assert "missing_credit" in _kinds(metadata)


@pytest.mark.parametrize("mention", [
    "The mayor later told the BBC that the market was safe.",  # an interviewer, not a credit
    "Among the traders was AP McCoy, a former jockey.",  # initials
    "(AP Photo/Jane Doe)",  # a photograph's credit
])
def test_a_mere_mention_of_an_outlet_is_not_a_credit_the_copy_owes(mention):
    source = SOURCE.replace("(Reuters)", mention)
    copy = SOURCE.replace("(Reuters)", "")
    assert "missing_credit" not in _kinds(_audit(copy, source=source))


@pytest.mark.parametrize("credit", ["-- With files from The Associated Press", "Excerpts from a Reuters report.",
                                    "LONDON (AFP) -", "Source: Xinhua"])
def test_a_credit_line_is_a_credit_the_copy_owes(credit):
    source = SOURCE.replace("(Reuters)", credit)
    assert "missing_credit" in _kinds(_audit(SOURCE.replace("(Reuters)", ""), source=source))


def test_a_hedge_is_dropped_only_from_a_claim_the_copy_keeps():
    source = SOURCE.replace("Traders said the market would reopen next week",
                            "Traders said the market would reopen next week, although fishmongers in the eastern arcade "
                            "could lose a month of trade,")
    # the clause with "could" is left out whole: shortening, not a hedge dropped
    assert "hedge_changed" not in _kinds(_audit(SOURCE, source=source))
    # the claim is kept and its hedge is gone
    kept = SOURCE.replace("may have been caused", "was caused")
    assert "hedge_changed" in _kinds(_audit(kept))


def test_a_month_and_an_inability_are_not_hedges():
    text = "The vote is on Saturday, May 2. The mayor could not be reached. It may rain and could flood."
    found = [text[h.start:h.end] for h in find_hedges(text, 0, len(text))]
    assert found == ["may", "could"]


def test_numbers_counting_different_things_are_not_one_number_changed():
    source = SOURCE.replace("sent 12 engines to the scene", "sent engines to the scene when a two-year-old was found")
    derived = source.replace("when a two-year-old was found", "at 3 pm")
    assert "number_changed" not in _kinds(_audit(derived, source=source))


def test_a_number_kept_elsewhere_in_the_sentence_does_not_hide_the_one_changed():
    source = SOURCE.replace("sent 12 engines to the scene", "sent 12 engines to the scene and 12 ambulances")
    derived = source.replace("sent 12 engines", "sent 15 engines")
    [found] = [f for f in _audit(derived, source=source) if f.kind == "number_changed"]
    assert (found.derived_text, found.source_text) == ("15", "12")
    assert source[found.source_span[0]:found.source_span[1] + 8] == "12 engines"


def test_no_more_than_is_an_upper_bound_not_more_than():
    assert [q.hedge for q in find_quantities("no more than 40 people, not less than 3 days")] == ["up to", "at least"]


def test_a_generators_unknown_word_token_is_not_a_name():
    derived = SOURCE.replace("the mayor Anna Keller", "the mayor Anna UNK")
    assert "entity_changed" not in _kinds(_audit(derived))


def _pair(a, b, direction, relation="paraphrase"):
    e = PairEvidence(0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 0.9, 0.5)
    return Pair(a, b, relation, 0.9, direction, e)


def test_a_grandchild_is_audited_against_its_parent_not_its_grandparent():
    pairs = [_pair("a", "b", "a->b"), _pair("b", "c", "a->b"), _pair("a", "c", "a->b"), _pair("c", "d", "common_source")]
    story = Story("s1", ("a", "b", "c"), tuple(StemmaNode(x, "document") for x in "abc"),
                  (StemmaEdge("a", "b", "paraphrase", 0.9, "content"), StemmaEdge("b", "c", "paraphrase", 0.9, "content")))
    chosen = {k: [(p.a, p.b) for p in v] for k, v in sources_to_audit(pairs, [story]).items()}
    assert chosen == {"b": [("a", "b")], "c": [("b", "c")]}


def test_cli_audit_prints_findings_and_json(tmp_path):
    src = tmp_path / "wire.txt"
    src.write_text(SOURCE, encoding="utf-8")
    copy = tmp_path / "copy.txt"
    copy.write_text(SOURCE.replace("12 engines", "15 engines"), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["audit", str(copy), str(src), "--mode", "fast", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["kind"], r["derived_text"], r["source_text"]) for r in rows] == [("number_changed", "15", "12")]


def test_cli_audit_names_an_unreadable_file(tmp_path):
    src = tmp_path / "wire.txt"
    src.write_text(SOURCE, encoding="utf-8")
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    result = CliRunner().invoke(app, ["audit", str(bad), str(src), "--mode", "fast"])
    assert result.exit_code == 2
    assert "empty.txt" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("mode", ["fast"])
def test_analyze_writes_audit_jsonl(tmp_path, mode):
    from filiation.engine.local import analyze
    from filiation.schema import finding_from_row, finding_row, write_analysis

    copy = SOURCE.replace("12 engines", "15 engines").replace("(Reuters)", "")
    docs = [Document("wire", SOURCE, date="2024-03-01T08:00:00Z"), Document("copy", copy, date="2024-03-02T08:00:00Z")]
    analysis = analyze(docs, mode=mode)
    assert analysis.pairs[0].direction == "b->a"  # dates decide which one is the copy
    write_analysis(analysis, tmp_path, {})
    rows = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert {r["kind"] for r in rows} >= {"number_changed", "missing_credit"}
    assert [finding_from_row(r) for r in rows] == analysis.findings
    assert [finding_row(f) for f in analysis.findings] == rows


def test_a_name_swapped_for_one_the_source_never_uses_is_entity_changed():
    derived = SOURCE.replace("the mayor Anna Keller", "the mayor Maria Schmidt")
    [found] = [f for f in _audit(derived) if f.kind == "entity_changed"]
    assert (found.derived_text, found.source_text) == ("Maria", "Anna")


def test_names_the_source_holds_in_another_form_are_not_changes():
    source = ("Iraqi Prime Minister Mohammed Shia Al-Sudani met officials of the United States in "
              "Baghdad on Sunday to discuss the withdrawal of troops from the country. ") + SOURCE
    derived = ("Iraqi Prime Minister Sudani met officials of the US in Baghdad on Sunday to discuss the "
               "withdrawal of Iraqi troops from the country. ") + SOURCE
    kinds = _kinds(audit_document(Document("copy", derived), [Document("wire", source)]))
    assert "entity_changed" not in kinds and "unsupported_addition" not in kinds


def test_a_name_added_to_a_supported_sentence_is_an_unsupported_addition():
    derived = SOURCE.replace("caused by a gas leak in a bakery", "caused by a gas leak in a bakery owned by Gazprom")
    [found] = [f for f in _audit(derived) if f.kind == "unsupported_addition"]
    assert found.derived_text == "Gazprom"


@pytest.mark.parametrize("old, new", [
    ("The bakery's owner denied that", "The bakery's owner admitted that"),
    ("the market would reopen next week", "the market would not reopen next week"),
    ("Investigators believe the explosion", "Investigators do not believe the explosion"),
])
def test_a_statement_turned_around_is_meaning_reversed(old, new):
    derived = SOURCE.replace(old, new)
    assert _kinds(_audit(derived)).count("meaning_reversed") == 1


def test_a_negation_kept_in_other_words_is_not_a_reversal():
    derived = SOURCE.replace("The bakery's owner denied that his equipment was faulty",
                             "The bakery's owner denied his equipment was faulty")
    assert "meaning_reversed" not in _kinds(_audit(derived))


def test_audit_pairs_writes_each_pairs_findings_and_names_bad_lines(tmp_path):
    (tmp_path / "wire.txt").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(SOURCE.replace("12 engines", "15 engines"), encoding="utf-8")
    lines = [
        json.dumps({"id": "changed", "source": SOURCE, "derived": SOURCE.replace("denied", "admitted")}),
        json.dumps({"id": "faithful", "source": SOURCE, "derived": SOURCE}),
        "{not json",
        json.dumps({"id": "files", "source_path": "wire.txt", "derived_path": "copy.txt"}),
        json.dumps({"id": "nosource", "derived": SOURCE}),
        json.dumps({"id": "missing", "source_path": "nowhere.txt", "derived": SOURCE}),
    ]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", "--pairs", str(pairs), "--out", str(tmp_path / "out"), "--mode", "fast"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for number, why in ((3, "invalid JSON"), (5, "neither 'source' nor 'source_path'"), (6, "nowhere.txt")):
        assert f"pairs.jsonl:{number}" in result.output and why in result.output
    rows = [json.loads(line) for line in (tmp_path / "out" / "audit.jsonl").read_text().splitlines()]
    by_pair = {}
    for r in rows:
        by_pair.setdefault(r["pair"], set()).add(r["kind"])
    assert by_pair == {"changed": {"meaning_reversed"}, "files": {"number_changed"}}
    assert "3 pairs audited" in result.output


def test_audit_pairs_with_no_readable_pair_fails_clearly(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"id": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", "--pairs", str(pairs), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no pair could be read" in result.output
    assert not (tmp_path / "out" / "audit.jsonl").exists()


def test_a_hedge_on_a_number_is_the_numbers_finding_not_a_reversal():
    kinds = _kinds(_audit(SOURCE.replace("at least 40", "no fewer than 40")))
    assert kinds == []
    kinds = _kinds(_audit(SOURCE.replace("at least 40", "fewer than 40")))
    assert kinds == ["number_changed"]


def test_a_name_swapped_for_another_of_the_source_is_entity_changed():
    """"Friday" is in the source, but not in this sentence: the day of the blast changed."""
    derived = SOURCE.replace("central market on Tuesday", "central market on Friday")
    [found] = [f for f in _audit(derived) if f.kind == "entity_changed"]
    assert (found.derived_text, found.source_text) == ("Friday", "Tuesday")


def test_a_date_spelled_out_is_not_a_changed_name():
    source = "The drone struck the base on Oct 26 and two soldiers were hurt, officials said. " + SOURCE
    derived = "The drone struck the base on October 26 and two soldiers were hurt, officials said. " + SOURCE
    assert _audit(derived, source) == []


def test_acronyms_come_from_runs_of_up_to_six_capitalised_words():
    from filiation.audit.facts import name_forms

    forms = name_forms("the Alpha Bravo Charlie Delta Echo Foxtrot Golf Hotel report")
    assert "ab" in forms and "bcdefg" in forms and "abcdefg" not in forms


def test_according_to_reads_an_unnamed_source_by_its_kind():
    text = "The drone crashed, according to two anonymous U.S. officials. It was seen, according to Pentagon data."
    assert [(text[s.start:s.end], s.key) for s in find_speakers(text, 0, len(text))] == [
        ("two anonymous U.S. officials", "officials"), ("Pentagon", "officials")]


def test_a_summary_may_generalise_but_not_add_its_own_comment():
    source = ("A fire destroyed the bakery on Main Street on Tuesday night. Firefighters fought the blaze for "
              "three hours before bringing it under control. The owner said the shop had been in his family "
              "for sixty years.")
    general = "A bakery run by one family for sixty years burned down. Firefighters battled a long blaze in town."
    comment = general + " The disaster raises concerns about ageing shops in small towns across the country."
    kinds = [f.kind for f in audit_document(Document("summary", general), [Document("wire", source)], summary=True)]
    assert "unsupported_addition" not in kinds
    found = [f for f in audit_document(Document("summary", comment), [Document("wire", source)], summary=True)
             if f.kind == "unsupported_addition"]
    assert len(found) == 1 and found[0].derived_text.startswith("The disaster raises concerns")

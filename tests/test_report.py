"""The report's views (``Results``) and the self-contained HTML around them."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from filiation.cli import app
from filiation.model import Document, Finding, Pair, PairEvidence, Passage
from filiation.report import Results, ResultsError, render_report
from filiation.report.html import embedded_json
from filiation.schema import read_jsonl

EVIDENCE = PairEvidence(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 10, 10, 0.9, 0.5)


def _results() -> Results:
    docs = [Document(f"d{k}", f"text number {k} " * 5, title=f"Title {k}") for k in range(4)]
    pairs = [
        Pair("d0", "d1", "edited_copy", 0.9, "a->b", EVIDENCE, (Passage("d0", "d1", 0, 11, 0, 11, "verbatim", 1.0),)),
        Pair("d0", "d2", "paraphrase", 0.6, "a->b", EVIDENCE),
        Pair("d1", "d3", "same_event", 0.4, "unknown", EVIDENCE),
    ]
    findings = [
        Finding("d1", "d0", "missing_credit", "low", None, None, "", "", "no credit"),
        Finding("d1", "d0", "number_changed", "high", (5, 11), (5, 11), "number", "number", "a number changed"),
        Finding("d2", "d0", "unsupported_addition", "medium", (0, 4), None, "text", "", "nothing supports it"),
    ]
    return Results(docs, pairs, findings)


def test_pairs_page_filters_sorts_and_pages():
    r = _results()
    assert r.pairs_page()["total"] == 3
    assert [row["relation"] for row in r.pairs_page()["rows"]] == ["edited_copy", "paraphrase", "same_event"]
    assert [row["b"] for row in r.pairs_page(relation="paraphrase")["rows"]] == ["d2"]
    assert {(row["a"], row["b"]) for row in r.pairs_page(document="d1")["rows"]} == {("d0", "d1"), ("d1", "d3")}
    assert r.pairs_page(min_confidence=0.5)["total"] == 2
    assert [row["b"] for row in r.pairs_page(text="title 3")["rows"]] == ["d3"]
    assert [row["confidence"] for row in r.pairs_page(sort="confidence")["rows"]] == [0.4, 0.6, 0.9]
    page = r.pairs_page(offset=1, limit=1)
    assert page["total"] == 3 and [row["b"] for row in page["rows"]] == ["d2"]
    with pytest.raises(ValueError, match="sort must be one of"):
        r.pairs_page(sort="evil")


def test_pair_view_either_order_with_its_findings_only():
    r = _results()
    view = r.pair_view("d1", "d0")
    assert view == r.pair_view("d0", "d1")
    assert [d["id"] for d in view["documents"]] == ["d0", "d1"]
    assert view["documents"][0]["text"] == r.document("d0").text
    assert {f["kind"] for f in view["findings"]} == {"missing_credit", "number_changed"}
    assert all({f["derived"], f["source"]} == {"d0", "d1"} for f in view["findings"])
    assert r.pair_view("d0", "d3") is None


def test_overview_puts_the_worst_findings_first_and_counts_every_relation():
    o = _results().overview()
    assert [f["severity"] for f in o["worst_findings"]] == ["high", "medium", "low"]
    assert o["relations"] == {"duplicate": 0, "edited_copy": 1, "paraphrase": 1, "summary": 0, "same_event": 1}
    assert o["finding_kinds"]["number_changed"] == 1


def test_document_view_lists_its_pairs_strongest_first_and_findings_on_either_side():
    d = _results().document_view("d0")
    assert [p["b"] for p in d["pairs"]] == ["d1", "d2"]
    assert len(d["findings"]) == 3  # d0 is the source of all three
    assert _results().document_view("nope") is None


def test_loaded_results_give_the_views_of_the_analysis(seed_results):
    r = Results.load(seed_results)
    assert r.overview()["pairs"] == len(read_jsonl(seed_results / "pairs.jsonl"))
    assert len(r.findings) == len(read_jsonl(seed_results / "audit.jsonl"))
    for row in read_jsonl(seed_results / "pairs.jsonl"):
        view = r.pair_view(row["a"], row["b"])
        ta, tb = (d["text"] for d in view["documents"])
        for p in view["passages"]:
            assert 0 <= p["a_start"] < p["a_end"] <= len(ta) and 0 <= p["b_start"] < p["b_end"] <= len(tb)
    story = r.stories[0]
    layout = r.story_view(story.id)["layout"]
    assert {n["id"] for n in layout["nodes"]} >= set(story.documents)


def test_results_errors_name_the_file(tmp_path, seed_results):
    with pytest.raises(ResultsError, match="texts.jsonl: no such file"):
        Results.load(tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(seed_results, broken)
    (broken / "pairs.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"pairs\.jsonl: not a JSONL file"):
        Results.load(broken)
    result = CliRunner().invoke(app, ["report", str(broken)])
    assert result.exit_code == 2 and "pairs.jsonl" in result.output and "Traceback" not in result.output


HOSTILE = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> \u2028 & \u202e'


def test_report_data_cannot_close_its_element_and_round_trips():
    docs = [Document("x", HOSTILE * 3, title=HOSTILE), Document("y", HOSTILE * 3)]
    r = Results(docs, [Pair("x", "y", "duplicate", 1.0, "unknown", EVIDENCE)])
    html = render_report(r)
    assert html.count("</script>") == 2  # the data element's and the script's own
    assert "<img" not in html and "<!--" not in html
    data = re.search(r'<script type="application/json" id="filiation-data">(.*?)</script>', html, re.S).group(1)
    assert json.loads(data) == json.loads(json.dumps(r.bundle()))
    assert "<" not in embedded_json({"k": "<>&"}) and json.loads(embedded_json({"k": "<>&\u2028"})) == {"k": "<>&\u2028"}


def test_report_allows_only_its_own_script_and_style_and_fetches_nothing(seed_results):
    html = (seed_results / "report.html").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    assert f"script-src {digest(script)}" in csp and f"style-src {digest(style)}" in csp
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    static = html.replace(re.search(r'id="filiation-data">.*?</script>', html, re.S).group(0), "")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", static)  # no network at all


def test_report_command_rewrites_the_report(tmp_path, seed_results):
    folder = tmp_path / "r"
    shutil.copytree(seed_results, folder)
    (folder / "report.html").unlink()
    result = CliRunner().invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").read_text(encoding="utf-8") == (seed_results / "report.html").read_text(encoding="utf-8")

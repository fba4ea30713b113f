"""The consistency evaluations: the audit's verdict per summary, scored as balanced accuracy."""
from __future__ import annotations

import json

from rich.console import Console

from filiation.eval.run import _balanced, eval_frank_audit, eval_summedits

DOCUMENT = (
    "The council approved the new bridge on Tuesday after a long debate. "
    "Mayor Anna Keller said the bridge would open in 2026 and cost 40 million euros. "
    "Residents of Lindenau had asked for a crossing for more than ten years. "
)


def test_balanced_accuracy_weighs_both_classes_equally():
    flags = [True, True, False, True]  # three wrong summaries (two caught), one right one (flagged)
    wrong = [True, True, True, False]
    bal, caught, clean = _balanced(flags, wrong)
    assert (round(caught, 3), clean, round(bal, 3)) == (0.667, 0.0, 0.333)


def _write(folder, name, rows):
    (folder / name).mkdir(parents=True)
    (folder / name / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_summedits_set_flags_edited_facts_and_spares_faithful_summaries(tmp_path):
    faithful = "The council approved the new bridge on Tuesday. Mayor Anna Keller said it would open in 2026."
    rows = [
        {"id": "a", "domain": "news", "document": DOCUMENT, "summary": faithful, "consistent": True, "edit_types": []},
        {"id": "b", "domain": "news", "document": DOCUMENT, "summary": faithful.replace("approved", "rejected"),
         "consistent": False, "edit_types": ["antonym_swap"]},
        {"id": "c", "domain": "news", "document": DOCUMENT, "summary": faithful.replace("Anna", "Maria"),
         "consistent": False, "edit_types": ["entity_modification"]},
        {"id": "d", "domain": "podcast", "document": DOCUMENT, "summary": faithful, "consistent": True, "edit_types": []},
    ]
    _write(tmp_path, "summedits-dev", rows)
    console = Console(record=True, width=200)
    figures = eval_summedits(tmp_path, tmp_path, "fast", console)
    assert figures["summedits.news.balanced_accuracy"] == 1.0
    assert figures["summedits.all.balanced_accuracy"] == 1.0
    text = console.export_text()
    assert "antonym_swap 1.000 (1)" in text and "entity_modification 1.000 (1)" in text


def test_frank_audit_counts_factual_summaries_left_alone(tmp_path):
    errors = {k: 1.0 for k in ("RelE", "EntE", "CircE", "OutE", "GramE", "CorefE", "LinkE")}
    faithful = "The council approved the new bridge on Tuesday. Mayor Anna Keller said it would open in 2026."
    rows = [
        {"article_id": "x", "dataset": "cnndm", "system": "s1", "article": DOCUMENT, "summary": faithful,
         "factuality": 1.0, "errors": errors},
        {"article_id": "x", "dataset": "cnndm", "system": "s2", "article": DOCUMENT,
         "summary": faithful.replace("2026", "2031"), "factuality": 0.5, "errors": errors | {"EntE": 0.0}},
    ]
    _write(tmp_path, "frank-dev", rows)
    console = Console(record=True, width=200)
    assert eval_frank_audit(tmp_path, tmp_path, "fast", console) == {"frank.factual_clean": 1.0}
    assert "EntE 1.000 (1)" in console.export_text()

"""Output files: the four files, their documented fields, round trips, and atomic writes."""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path

import pytest

import filiation.schema as schema
from filiation import Analysis, Document, PairEvidence, Passage, Settings, analyze
from filiation.engine.local import manifest_for
from filiation.schema import (
    OUTPUT_FILES,
    pair_from_row,
    passage_from_row,
    read_jsonl,
    write_analysis,
    write_jsonl_atomic,
)

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
FAST = Settings(mode="fast")

DOCUMENT_FIELDS = {"id", "path", "title", "date", "source", "url", "length", "sentences"}
PAIR_FIELDS = {"a", "b", "relation", "confidence", "direction", "evidence"}
PASSAGE_FIELDS = {"a", "b", "a_start", "a_end", "b_start", "b_end", "kind", "score"}


@pytest.fixture(scope="module")
def seeds_analysis() -> Analysis:
    # the seeds, and one document with metadata and non-ASCII text, to check every field is carried
    extra = Document(id="zz-meta", text="Café owners in Zürich said “no”. Prices rose 3,4 %.",
                     title="Zürich cafés", date="2023-10-26T05:00:00Z", source="wire", url="https://example.org/x")
    return analyze([SEEDS, extra], FAST)


@pytest.fixture(scope="module")
def written(seeds_analysis: Analysis, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "nested" / "results"  # missing parents are made
    write_analysis(seeds_analysis, out, manifest_for(seeds_analysis, FAST, 1.5))
    return out


def test_writes_every_output_file(written: Path) -> None:
    assert sorted(p.name for p in written.iterdir()) == sorted(OUTPUT_FILES)


def test_document_rows(written: Path, seeds_analysis: Analysis) -> None:
    rows = read_jsonl(written / "documents.jsonl")
    assert [r["id"] for r in rows] == [d.id for d in seeds_analysis.documents]
    for row, doc in zip(rows, seeds_analysis.documents):
        assert set(row) == DOCUMENT_FIELDS
        assert (row["path"], row["title"], row["date"], row["source"], row["url"]) == (
            doc.path, doc.title, doc.date, doc.source, doc.url)
        assert row["length"] == len(doc.text)
        assert row["sentences"] == [list(s) for s in seeds_analysis.sentences[doc.id]]
        for start, end in row["sentences"]:
            assert 0 <= start < end <= row["length"]
    meta = rows[-1]
    assert meta["title"] == "Zürich cafés" and meta["url"] == "https://example.org/x"
    assert "Zürich" in (written / "documents.jsonl").read_text(encoding="utf-8")  # UTF-8, not \\u escapes


def test_pair_rows(written: Path, seeds_analysis: Analysis) -> None:
    rows = read_jsonl(written / "pairs.jsonl")
    assert len(rows) == len(seeds_analysis.pairs) > 0
    evidence_fields = {f.name for f in fields(PairEvidence)}
    for row, pair in zip(rows, seeds_analysis.pairs):
        assert set(row) == PAIR_FIELDS
        assert set(row["evidence"]) == evidence_fields
        assert isinstance(row["confidence"], float)
        assert pair_from_row(row, pair.passages) == pair


def test_passage_rows(written: Path, seeds_analysis: Analysis) -> None:
    rows = read_jsonl(written / "passages.jsonl")
    assert len(rows) == len(seeds_analysis.passages) > 0
    lengths = {d.id: len(d.text) for d in seeds_analysis.documents}
    for row, passage in zip(rows, seeds_analysis.passages):
        assert set(row) == PASSAGE_FIELDS
        assert row["kind"] in ("verbatim", "paraphrase")
        assert all(isinstance(row[k], int) for k in ("a_start", "a_end", "b_start", "b_end"))
        assert 0 <= row["a_start"] < row["a_end"] <= lengths[row["a"]]
        assert 0 <= row["b_start"] < row["b_end"] <= lengths[row["b"]]
        assert passage_from_row(row) == passage


def test_manifest(written: Path, seeds_analysis: Analysis) -> None:
    manifest = json.loads((written / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == len(seeds_analysis.documents)
    assert manifest["pairs"] == len(seeds_analysis.pairs)
    assert manifest["passages"] == len(seeds_analysis.passages)
    assert manifest["settings"] == asdict(FAST)
    assert manifest["transformer_used"] is False
    assert manifest["problems"] == []


def test_empty_analysis_writes_empty_files(tmp_path: Path) -> None:
    write_analysis(Analysis(documents=[], pairs=[]), tmp_path, {"documents": 0})
    for name in ("documents.jsonl", "pairs.jsonl", "passages.jsonl"):
        assert (tmp_path / name).read_text(encoding="utf-8") == ""
        assert read_jsonl(tmp_path / name) == []


# ---------------------------------------------------------------- atomic writes

class Boom(RuntimeError):
    pass


def _failing_dumps(after: int):
    real = json.dumps
    calls = {"n": 0}

    def dumps(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > after:
            raise Boom("disk full, say")
        return real(*args, **kwargs)

    return dumps


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_failed_write_leaves_the_previous_file_intact(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "pairs.jsonl"
    old = [{"a": "x", "b": "y", "n": i} for i in range(3)]
    write_jsonl_atomic(target, old)
    before = target.read_bytes()
    monkeypatch.setattr(schema.json, "dumps", _failing_dumps(after=5))
    with pytest.raises(Boom):
        write_jsonl_atomic(target, ({"n": i, "text": "new " * 100} for i in range(50)))
    assert target.read_bytes() == before
    assert read_jsonl(target) == old
    assert _leftovers(tmp_path) == []  # the temporary file is cleaned up


def test_failed_first_write_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(schema.json, "dumps", _failing_dumps(after=2))
    with pytest.raises(Boom):
        write_jsonl_atomic(tmp_path / "documents.jsonl", ({"n": i} for i in range(10)))
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_analysis_keeps_earlier_results(tmp_path: Path, seeds_analysis: Analysis, monkeypatch) -> None:
    manifest = manifest_for(seeds_analysis, FAST, 1.0)
    write_analysis(seeds_analysis, tmp_path, manifest)
    before = {name: (tmp_path / name).read_bytes() for name in OUTPUT_FILES}

    def interrupted(p: Passage) -> dict:
        raise KeyboardInterrupt  # a user's Ctrl-C in the middle of passages.jsonl

    monkeypatch.setattr(schema, "passage_row", interrupted)
    first = seeds_analysis.pairs[0]
    assert first.passages
    with pytest.raises(KeyboardInterrupt):
        write_analysis(Analysis(seeds_analysis.documents[:2], [first]), tmp_path, {"documents": 2})
    # documents.jsonl and pairs.jsonl were rewritten whole before the interruption...
    assert len(read_jsonl(tmp_path / "documents.jsonl")) == 2
    assert [pair_from_row(r) for r in read_jsonl(tmp_path / "pairs.jsonl")] == [first]
    # ...passages.jsonl and the manifest are the previous run's, complete
    assert (tmp_path / "passages.jsonl").read_bytes() == before["passages.jsonl"]
    assert (tmp_path / "manifest.json").read_bytes() == before["manifest.json"]
    assert _leftovers(tmp_path) == []

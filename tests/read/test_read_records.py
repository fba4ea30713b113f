"""JSONL, CSV and stdin: one document a record, one problem a bad line."""
from __future__ import annotations

import io
import json
from pathlib import Path

from filiation.read import read_paths


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_jsonl_fields_and_default_ids(tmp_path: Path) -> None:
    path = write(
        tmp_path / "corpus" / "sub" / "recs.jsonl",
        jsonl(
            {"id": " a1 ", "text": "First text.", "title": "T", "date": "2020-01-02",
             "source": "Wire", "url": "https://example.org/a1"},
            "",
            {"text": "No id here.\r\nSecond line."},
            "   ",
            {"id": "a3", "text": "Third.", "date": 2021},
        ),
    )
    result = read_paths([tmp_path / "corpus"])
    assert result.problems == []
    first, second, third = result.documents
    assert first.id == "a1"  # surrounding whitespace stripped
    assert (first.text, first.title, first.date, first.source, first.url) == (
        "First text.", "T", "2020-01-02", "Wire", "https://example.org/a1"
    )
    assert first.path == f"{path}:1"
    assert second.id == "sub/recs:3"  # <file id>:<line>, blank lines still counted
    assert second.path == f"{path}:3"
    assert second.text == "No id here.\nSecond line."
    assert third.date == "2021"


def test_jsonl_bad_lines_are_problems_and_good_lines_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "recs.jsonl",
        jsonl(
            {"id": "good1", "text": "Good one."},
            '{"id": "broken", "text": ',
            '["not", "an", "object"]',
            {"id": "notext", "title": "only a title"},
            {"id": "blank", "text": "   "},
            {"id": 42, "text": "numeric id"},
            {"id": "", "text": "empty id"},
            {"id": "badtype", "text": ["a", "list"]},
            {"id": "good1", "text": "Duplicate of the first."},
            {"id": "good2", "text": "Good two."},
        ),
    )
    result = read_paths([path])
    assert [d.id for d in result.documents] == ["good1", "good2"]
    problems = {p.where: p.reason for p in result.problems}
    assert set(problems) == {f"{path}:{n}" for n in range(2, 10)}
    assert problems[f"{path}:2"].startswith("invalid JSON")
    assert problems[f"{path}:3"] == "expected a JSON object, got array"
    assert problems[f"{path}:4"] == "record has neither 'text' nor 'html'"
    assert problems[f"{path}:5"] == "empty text"
    assert problems[f"{path}:6"] == "id must be a string, got number"
    assert problems[f"{path}:7"] == "empty id"
    assert problems[f"{path}:8"] == "'text' must be a string, got array"
    assert problems[f"{path}:9"] == f"duplicate id 'good1' (first seen in {path}:1)"


def test_jsonl_html_field_is_extracted(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Storm hits coast</title></head><body>"
        "<p>A storm hit the coast overnight, flooding several streets near the harbour.</p>"
        "<p>Click here to subscribe!</p></body></html>"
    )
    path = write(tmp_path / "h.jsonl", jsonl({"id": "h1", "html": html}, {"id": "h2", "html": "<p>Snippet only.</p>"}))
    result = read_paths([path])
    assert result.problems == []
    h1, h2 = result.documents
    assert "A storm hit the coast overnight" in h1.text
    assert "<p>" not in h1.text
    assert h1.title == "Storm hits coast"
    assert h2.text == "Snippet only."


def test_jsonl_cp1252_and_crlf_file(tmp_path: Path) -> None:
    data = b'{"id": "q", "text": "It\x92s \x93quoted\x94"}\r\n{"id": "r", "text": "caf\xe9"}\r\n'
    result = read_paths([write(tmp_path / "w.jsonl", data)])
    assert result.problems == []
    assert [d.text for d in result.documents] == ["It’s “quoted”", "café"]


def test_empty_and_binary_record_files(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.jsonl", "\n\n")
    binary = write(tmp_path / "bin.csv", b"id,text\x00\x01\x02")
    good = write(tmp_path / "good.jsonl", jsonl({"id": "g", "text": "fine"}))
    result = read_paths([empty, binary, good])
    assert [d.id for d in result.documents] == ["g"]
    problems = {p.where: p.reason for p in result.problems}
    assert "whitespace" in problems[str(empty)]
    assert "binary" in problems[str(binary)]


def test_csv_fields_multiline_and_big_fields(tmp_path: Path) -> None:
    big = "word " * 40_000  # over csv's default 128 KiB field limit
    rows = (
        "id,title,text,date,source,url,extra\r\n"
        'c1,Title one,"Line one\r\nline two, with comma",2020-05-06,Paper,https://x.org/1,ignored\r\n'
        "\r\n"
        f",No id,{big},,,,\r\n"
        "c3,,Third text,,,,\r\n"
    )
    path = write(tmp_path / "data" / "table.csv", rows)
    result = read_paths([tmp_path / "data"])
    assert result.problems == []
    c1, noid, c3 = result.documents
    assert (c1.id, c1.title, c1.text, c1.date, c1.source, c1.url) == (
        "c1", "Title one", "Line one\nline two, with comma", "2020-05-06", "Paper", "https://x.org/1"
    )
    assert c1.path == f"{path}:2"
    assert noid.id == "table:5"  # empty id cell → <file id>:<line>
    assert noid.text == big
    assert c3.title is None and c3.id == "c3"


def test_csv_bad_rows_are_problems(tmp_path: Path) -> None:
    rows = "id,text\nok1,Fine text\nshort\nempty,\nok2,More text\nok1,dup\n"
    path = write(tmp_path / "t.csv", rows)
    result = read_paths([path])
    assert [d.id for d in result.documents] == ["ok1", "ok2"]
    problems = {p.where: p.reason for p in result.problems}
    assert problems == {
        f"{path}:3": "record has neither 'text' nor 'html'",
        f"{path}:4": "empty text",
        f"{path}:6": f"duplicate id 'ok1' (first seen in {path}:2)",
    }


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,body\n1,hello\n")
    result = read_paths([path])
    assert result.documents == []
    assert [(p.where, p.reason) for p in result.problems] == [
        (str(path), "CSV header has no 'text' or 'html' column")
    ]


def test_stdin_dash_reads_jsonl() -> None:
    stdin = io.StringIO(jsonl({"id": "s1", "text": "From stdin."}, {"text": "No id."}, "not json"))
    result = read_paths(["-"], stdin=stdin)
    assert [(d.id, d.text, d.path) for d in result.documents] == [
        ("s1", "From stdin.", "<stdin>:1"),
        ("stdin:2", "No id.", "<stdin>:2"),
    ]
    assert [p.where for p in result.problems] == ["<stdin>:3"]


def test_stdin_bytes_are_decoded_by_us(tmp_path: Path) -> None:
    raw = io.BytesIO(b'{"id": "w", "text": "it\x92s"}\n')
    stdin = io.TextIOWrapper(raw, encoding="ascii")
    result = read_paths(["-", tmp_path / "missing.txt"], stdin=stdin)
    assert [d.text for d in result.documents] == ["it’s"]
    assert [p.reason for p in result.problems] == ["no such file or folder"]

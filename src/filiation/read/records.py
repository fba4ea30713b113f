"""Record files: JSONL (one JSON object a line) and CSV (header row), one document a record.

Corpora usually arrive as exports with a record per article, so each record is checked on its
own: a bad line or row becomes one problem and the rest of the file is still read.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping
from typing import Union

from filiation.model import Document, ReadProblem
from filiation.read.decode import normalise_newlines
from filiation.read.errors import ReadError
from filiation.read.html import HtmlText, html_to_text

_META_FIELDS = ("title", "date", "source", "url")

#: One record's outcome: a document or the problem that stopped it.
Outcome = Union[Document, ReadProblem]


def json_objects(text: str, where: str) -> Iterator[tuple[int, Union[dict, ReadProblem]]]:
    """``(line number, object)`` for each non-blank line of decoded JSONL text, or
    ``(line number, problem)`` where the line is not a JSON object."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        here = f"{where}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield number, ReadProblem(here, f"invalid JSON: {err.msg} (column {err.colno})")
            continue
        except (ValueError, RecursionError) as err:  # huge numbers, absurd nesting
            yield number, ReadProblem(here, f"invalid JSON: {err}")
            continue
        if not isinstance(record, dict):
            yield number, ReadProblem(here, f"expected a JSON object, got {_json_type(record)}")
            continue
        yield number, record


def read_jsonl(text: str, file_id: str, where: str) -> Iterator[Outcome]:
    """Documents from decoded JSONL text; ``where`` names the file in problems and paths."""
    found = False
    for number, record in json_objects(text, where):
        found = True
        if isinstance(record, ReadProblem):
            yield record
        else:
            yield _outcome(record, f"{file_id}:{number}", f"{where}:{number}", strict_types=True)
    if not found:
        yield ReadProblem(where, "no records in file")


def read_csv(text: str, file_id: str, where: str) -> Iterator[Outcome]:
    """Documents from decoded CSV text with a header row naming the fields."""
    _allow_big_fields()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            yield ReadProblem(where, "no header row")
            return
        names = [name.strip().lower() for name in header]
        if "text" not in names and "html" not in names:
            yield ReadProblem(where, "CSV header has no 'text' or 'html' column")
            return
        found = False
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            found = True
            record = {name: cell for name, cell in zip(names, row) if name}
            yield _outcome(record, f"{file_id}:{start}", f"{where}:{start}", strict_types=False)
    except csv.Error as err:
        yield ReadProblem(f"{where}:{reader.line_num}", f"malformed CSV: {err}")
        return
    if not found:
        yield ReadProblem(where, "no records in file")


def _outcome(record: Mapping[str, object], default_id: str, where: str, *, strict_types: bool) -> Outcome:
    try:
        return record_to_document(record, default_id, where, empty_is_missing=not strict_types)
    except ReadError as err:
        return ReadProblem(where, err.reason)


def record_to_document(
    record: Mapping[str, object], default_id: str, where: str, *, empty_is_missing: bool = False
) -> Document:
    """Check one record's fields and build its document (raises :class:`ReadError`).

    ``empty_is_missing`` is for CSV, where an empty cell is how a missing id or field is written.
    """
    doc_id = _record_id(record.get("id"), default_id, empty_is_missing)
    body = _body(record)
    meta = {name: _meta(record.get(name), name) for name in _META_FIELDS}
    if not _is_valid_unicode(doc_id + body.text):
        raise ReadError("invalid Unicode (a lone surrogate escape) in id or text")
    return Document(
        id=doc_id,
        text=body.text,
        title=meta["title"] or body.title,
        date=meta["date"] or body.date,
        source=meta["source"],
        url=meta["url"] or body.url,
        path=where,
    )


def _record_id(value: object, default_id: str, empty_is_missing: bool) -> str:
    if value is None:
        return default_id
    if not isinstance(value, str):
        raise ReadError(f"id must be a string, got {_json_type(value)}")
    doc_id = value.strip()
    if not doc_id:
        if empty_is_missing:
            return default_id
        raise ReadError("empty id")
    return doc_id


def _body(record: Mapping[str, object]) -> HtmlText:
    """The record's text: ``text`` if given, else the main text of ``html`` (with its metadata)."""
    text, html = record.get("text"), record.get("html")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise ReadError(f"'{name}' must be a string, got {_json_type(value)}")
    if isinstance(text, str) and text.strip():
        return HtmlText(text=normalise_newlines(text))
    if isinstance(html, str) and html.strip():
        return html_to_text(html)
    if text is None and html is None:
        raise ReadError("record has neither 'text' nor 'html'")
    raise ReadError("empty text")


def _meta(value: object, name: str) -> str | None:
    """Optional string fields; numbers (a year as a date) are accepted as their text."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ReadError(f"'{name}' must be a string, got {_json_type(value)}")
    return value.strip() or None


def _is_valid_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_type(value: object) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _allow_big_fields() -> None:
    """Articles can exceed csv's 128 KiB default field limit; raise it as far as the C long allows."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 10

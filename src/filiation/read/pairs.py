"""Audit pairs: a JSONL file of ``{"id", "source", "derived"}`` records (texts, or
``source_path`` / ``derived_path`` naming files), for auditing many pairs in one process.

Each line is checked on its own, as a corpus's records are: a bad line becomes one problem
naming the file and line, and the other pairs are still audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from filiation.model import Document, ReadProblem
from filiation.read.decode import normalise_newlines, read_bytes_as_text
from filiation.read.errors import ReadError
from filiation.read.records import json_objects


@dataclass(frozen=True)
class AuditPair:
    id: str
    derived: Document
    source: Document


def read_audit_pairs(path: Path) -> tuple[list[AuditPair], list[ReadProblem]]:
    """The pairs of ``path`` in file order, and the lines that could not be used; relative
    ``*_path`` fields are read from the pairs file's folder."""
    where = str(path)
    if not Path(path).is_file():
        return [], [ReadProblem(where, "not a readable file")]
    try:
        text = read_bytes_as_text(Path(path).read_bytes(), where)
    except ReadError as err:
        return [], [ReadProblem(where, err.reason)]
    except OSError as err:
        return [], [ReadProblem(where, f"cannot read: {err.strerror or err}")]
    pairs: list[AuditPair] = []
    problems: list[ReadProblem] = []
    seen: set[str] = set()
    for number, record in json_objects(text, where):
        if isinstance(record, ReadProblem):
            problems.append(record)
            continue
        here = f"{where}:{number}"
        try:
            pair = _pair(record, number, Path(path).parent)
        except ReadError as err:
            problems.append(ReadProblem(here, err.reason))
            continue
        if pair.id in seen:
            problems.append(ReadProblem(here, f"duplicate pair id {pair.id!r}"))
            continue
        seen.add(pair.id)
        pairs.append(pair)
    if not pairs and not problems:
        problems.append(ReadProblem(where, "no pairs in file"))
    return pairs, problems


def _pair(record: dict, number: int, folder: Path) -> AuditPair:
    pid = record.get("id", str(number))
    if not isinstance(pid, (str, int)) or isinstance(pid, bool) or not str(pid).strip():
        raise ReadError("'id' must be a non-empty string")
    pid = str(pid).strip()
    source = _side(record, "source", folder)
    derived = _side(record, "derived", folder)
    return AuditPair(pid, Document(f"{pid}/derived", derived), Document(f"{pid}/source", source))


def _side(record: dict, name: str, folder: Path) -> str:
    """The text of one side: the ``name`` field, or the file ``name_path`` names."""
    text, file = record.get(name), record.get(f"{name}_path")
    if text is not None:
        if not isinstance(text, str):
            raise ReadError(f"'{name}' must be a string, got {type(text).__name__}")
        if not text.strip():
            raise ReadError(f"empty '{name}'")
        return normalise_newlines(text)
    if file is None:
        raise ReadError(f"record has neither '{name}' nor '{name}_path'")
    if not isinstance(file, str) or not file.strip():
        raise ReadError(f"'{name}_path' must be a non-empty string")
    from filiation.read import read_paths

    result = read_paths([folder / file])
    if len(result.documents) != 1:
        why = "; ".join(p.reason for p in result.problems) or f"expected one document, found {len(result.documents)}"
        raise ReadError(f"'{name}_path' {file}: {why}")
    return result.documents[0].text

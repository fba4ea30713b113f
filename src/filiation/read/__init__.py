"""The read stage: paths (files, folders, ``-`` for JSONL on stdin) → documents and problems.

A corpus is read as far as it can be: every unreadable file, line or record becomes one
``ReadProblem`` and the rest goes on, so one bad file never costs a user the whole run.
"""
from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from filiation.model import Document, ReadProblem
from filiation.read.decode import normalise_newlines, read_bytes_as_text
from filiation.read.errors import ReadError
from filiation.read.html import html_to_text, read_html_file
from filiation.read.records import read_csv, read_jsonl
from filiation.read.textfile import read_text_file
from filiation.read.walk import KINDS, InputFile, kind_of, walk_folder

__all__ = [
    "KINDS",
    "ReadError",
    "ReadResult",
    "html_to_text",
    "read_bytes_as_text",
    "read_paths",
]

STDIN = "-"
_STDIN_WHERE = "<stdin>"
_STDIN_ID = "stdin"


@dataclass
class ReadResult:
    """Documents in input order (ids unique) and what could not be read."""

    documents: list[Document] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)


def read_paths(paths: Sequence[str | os.PathLike[str]], stdin: TextIO | None = None) -> ReadResult:
    """Read files and folders (recursively) and ``-`` (JSONL on ``stdin``, default sys.stdin).

    Never raises for bad input: missing paths, binary or empty files, undecodable data, bad
    records and duplicate ids (the first is kept) are all returned as problems.
    """
    result = ReadResult()
    first_seen: dict[str, str] = {}
    stdin_read = False
    for raw in paths:
        if os.fspath(raw) == STDIN:
            if stdin_read:
                result.problems.append(ReadProblem(_STDIN_WHERE, "standard input given more than once"))
                continue
            stdin_read = True
            outcomes: Iterable[Document | ReadProblem] = _read_stdin(stdin)
        else:
            outcomes = _read_path(Path(raw))
        for outcome in outcomes:
            if isinstance(outcome, ReadProblem):
                result.problems.append(outcome)
            elif outcome.id in first_seen:
                where = outcome.path or outcome.id
                reason = f"duplicate id {outcome.id!r} (first seen in {first_seen[outcome.id]})"
                result.problems.append(ReadProblem(where, reason))
            else:
                first_seen[outcome.id] = outcome.path or outcome.id
                result.documents.append(outcome)
    return result


def _read_path(path: Path) -> Iterator[Document | ReadProblem]:
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists()
    except OSError as err:
        yield ReadProblem(str(path), _os_reason(err, path))
        return
    if is_dir:
        found = False
        for item in walk_folder(path):
            if isinstance(item, ReadProblem):
                yield item
            else:
                found = True
                yield from _read_file(item)
        if not found:
            yield ReadProblem(str(path), f"no readable files in folder (looked for {_kinds()})")
        return
    if not exists and not path.is_symlink():
        yield ReadProblem(str(path), "no such file or folder")
        return
    kind = kind_of(path)
    if kind is None:
        what = f"'{path.suffix}'" if path.suffix else "(no extension)"
        yield ReadProblem(str(path), f"unsupported file type {what}; expected one of {_kinds()}")
        return
    yield from _read_file(InputFile(path=path, file_id=path.stem, kind=kind))


def _read_file(item: InputFile) -> Iterator[Document | ReadProblem]:
    where = str(item.path)
    try:
        if not stat.S_ISREG(item.path.stat().st_mode):  # a pipe would block, /dev/zero never end
            yield ReadProblem(where, "not a regular file (a pipe, socket or device): not read")
            return
        if item.kind == "text":
            yield read_text_file(item.path, item.file_id)
        elif item.kind == "html":
            yield read_html_file(item.path, item.file_id)
        else:
            text = read_bytes_as_text(item.path.read_bytes(), where)
            reader = read_jsonl if item.kind == "jsonl" else read_csv
            yield from reader(text, item.file_id, where)
    except ReadError as err:
        yield ReadProblem(where, err.reason)
    except OSError as err:
        yield ReadProblem(where, _os_reason(err, item.path))
    except Exception as err:  # noqa: BLE001 - a reader bug must not cost the user the whole run
        yield ReadProblem(where, f"could not read ({type(err).__name__}: {err})")


def _read_stdin(stdin: TextIO | None) -> Iterator[Document | ReadProblem]:
    stream = stdin if stdin is not None else sys.stdin
    try:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:  # raw bytes: our decoding, not the locale's
            text = read_bytes_as_text(buffer.read(), _STDIN_WHERE)
        else:
            text = normalise_newlines(stream.read())
    except ReadError as err:
        yield ReadProblem(_STDIN_WHERE, err.reason)
        return
    except (OSError, UnicodeDecodeError) as err:
        yield ReadProblem(_STDIN_WHERE, f"cannot read standard input: {err}")
        return
    yield from read_jsonl(text, _STDIN_ID, _STDIN_WHERE)


def _kinds() -> str:
    return ", ".join(sorted(KINDS))


def _os_reason(err: OSError, path: Path) -> str:
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "broken symbolic link" if path.is_symlink() else "no such file or folder"
    if isinstance(err, IsADirectoryError):
        return "is a folder, not a file"
    return f"cannot read: {err.strerror or err}"

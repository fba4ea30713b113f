"""Folders → the input files in them, in a fixed order, each with the id it gives documents.

The order is sorted so two runs over the same folder agree; hidden entries are skipped (version
control, editor debris), files of other types are ignored, and a folder reached twice through
symbolic links is read once, so a link loop cannot hang a run.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from filiation.model import ReadProblem

#: File suffix (lower case) → reader kind.
KINDS: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".csv": "csv",
}


@dataclass(frozen=True)
class InputFile:
    """A file to read; ``file_id`` is its path relative to the folder given, without extension."""

    path: Path
    file_id: str
    kind: str


def kind_of(path: Path) -> str | None:
    """The reader for a file name, or None when the type is not one we read."""
    return KINDS.get(path.suffix.lower())


def walk_folder(root: Path) -> Iterator[InputFile | ReadProblem]:
    """Every readable file under ``root`` (depth first, sorted by name); unlistable folders become problems."""
    seen: set[str] = set()
    stack: list[tuple[Iterator[os.DirEntry[str]], tuple[str, ...]]] = []

    def enter(folder: Path, parts: tuple[str, ...]) -> ReadProblem | None:
        real = os.path.realpath(folder)
        if real in seen:
            return None
        seen.add(real)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as err:
            return ReadProblem(str(folder), f"cannot list folder: {err.strerror or err}")
        stack.append((iter(entries), parts))
        return None

    problem = enter(root, ())
    if problem is not None:
        yield problem
    while stack:
        entries, parts = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if _is_dir(entry):
            problem = enter(path, parts + (entry.name,))
            if problem is not None:
                yield problem
            continue
        kind = kind_of(path)
        if kind is not None:
            file_id = "/".join(parts + (path.stem,))
            yield InputFile(path=path, file_id=file_id, kind=kind)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False

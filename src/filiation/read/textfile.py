"""Plain .txt/.md files: one file, one document, the decoded text exactly as read."""
from __future__ import annotations

from pathlib import Path

from filiation.model import Document
from filiation.read.decode import read_bytes_as_text


def read_text_file(path: Path, doc_id: str) -> Document:
    """One text file → one document (raises :class:`ReadError` for bad data, OSError for I/O)."""
    text = read_bytes_as_text(path.read_bytes(), str(path))
    return Document(id=doc_id, text=text, path=str(path))

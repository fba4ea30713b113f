"""The one exception the read stage uses internally.

Readers raise :class:`ReadError` for a single unreadable item; ``read_paths`` turns it into a
``ReadProblem`` and goes on, so a user's bad input never stops a run.
"""
from __future__ import annotations


class ReadError(ValueError):
    """One file, line or record could not be read; ``reason`` is short and user-facing."""

    def __init__(self, reason: str, where: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.where = where

    def __str__(self) -> str:
        return self.reason

"""The public surface is pinned: changing it should be a visible, deliberate decision."""
from __future__ import annotations

import filiation

PUBLIC = [
    "analyze",
    "Analysis",
    "Document",
    "Pair",
    "PairEvidence",
    "Passage",
    "ReadProblem",
    "Story",
    "StemmaNode",
    "StemmaEdge",
    "Finding",
    "FINDING_KINDS",
    "audit_document",
    "Settings",
    "RELATIONS",
    "REUSE_RELATIONS",
    "DIRECTIONS",
    "__version__",
]


def test_all_is_pinned() -> None:
    assert filiation.__all__ == PUBLIC


def test_every_public_name_exists() -> None:
    for name in filiation.__all__:
        assert hasattr(filiation, name), name
    namespace: dict = {}
    exec("from filiation import *", namespace)
    assert set(PUBLIC) - {"__version__"} <= set(namespace)


def test_vocabularies() -> None:
    assert filiation.REUSE_RELATIONS == ("duplicate", "edited_copy", "paraphrase", "summary")
    assert filiation.RELATIONS == filiation.REUSE_RELATIONS + ("same_event",)
    assert filiation.DIRECTIONS == ("a->b", "b->a", "common_source", "unknown")


def test_version_matches_the_installed_distribution() -> None:
    from importlib.metadata import version

    assert filiation.__version__ == version("filiation")

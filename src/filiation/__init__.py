"""filiation: who copied whom, how, and what changed on the way.

The public surface: ``analyze`` runs the pipeline over paths or documents and returns an
``Analysis`` of the model types below; ``audit_document`` checks one derived document
against the documents it was made from.
"""
from .audit import audit_document
from .engine.local import analyze
from .model import (
    DIRECTIONS,
    FINDING_KINDS,
    RELATIONS,
    REUSE_RELATIONS,
    Analysis,
    Document,
    Finding,
    Pair,
    PairEvidence,
    Passage,
    ReadProblem,
    StemmaEdge,
    StemmaNode,
    Story,
)
from .settings import Settings

__version__ = "0.1.0"

__all__ = [
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

"""filiation: who copied whom, how, and what changed on the way.

The public surface: ``analyze`` runs the pipeline over paths or documents and returns an
``Analysis`` of the model types below.
"""
from .engine.local import analyze
from .model import (
    DIRECTIONS,
    RELATIONS,
    REUSE_RELATIONS,
    Analysis,
    Document,
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
    "Settings",
    "RELATIONS",
    "REUSE_RELATIONS",
    "DIRECTIONS",
    "__version__",
]

"""The data model every stage speaks: frozen dataclasses, nothing else.

Each stage of the pipeline (read → normalise → candidates → align → relate) takes and
returns these types, so the local engine, the Spark engine, the archive and the service all
exchange the same objects.  Every offset is a character offset into ``Document.text`` — the
text as read, after decoding and HTML extraction — so a viewer can highlight it directly.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

Relation = Literal["duplicate", "edited_copy", "paraphrase", "summary", "same_event"]
Direction = Literal["a->b", "b->a", "common_source", "unknown"]
PassageKind = Literal["verbatim", "paraphrase"]

#: Relations that mean one text reuses the other (``same_event`` does not).
REUSE_RELATIONS: tuple[str, ...] = ("duplicate", "edited_copy", "paraphrase", "summary")
RELATIONS: tuple[str, ...] = REUSE_RELATIONS + ("same_event",)
DIRECTIONS: tuple[str, ...] = ("a->b", "b->a", "common_source", "unknown")


@dataclass(frozen=True)
class Document:
    """One input document. ``text`` is the original text as read; all offsets point into it."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class ReadProblem:
    """Why one file, line or record could not be read; the rest of the corpus goes on."""

    where: str  # "path" or "path:line"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A stretch of ``a`` aligned with a stretch of ``b``."""

    a: str
    b: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: PassageKind
    score: float


@dataclass(frozen=True)
class PairEvidence:
    """The measurements a relation is decided from; each ``_a`` figure is a share of ``a``."""

    containment_a: float  # share of a's word 5-grams that occur in b
    containment_b: float
    verbatim_a: float  # share of a's words inside verbatim passages
    verbatim_b: float
    bigrams_a: float  # share of a's word pairs that occur in b: survives heavy rewording
    bigrams_b: float
    semantic_a: float  # share of a's words in sentences matched (verbatim or paraphrase) in b
    semantic_b: float
    length_a: int  # words
    length_b: int
    doc_similarity: float  # cosine of the documents' mean sentence embeddings
    entity_overlap: float  # overlap of names and numbers (same happening, not same topic)
    event_similarity: float = 0.0  # TF-IDF cosine of content words and word pairs, corpus-weighted (relate/events.py)
    names_similarity: float = 0.0  # IDF-weighted cosine of names and numbers, corpus-weighted (relate/events.py)


@dataclass(frozen=True)
class Pair:
    """A related pair of documents, ``a`` < ``b`` by id."""

    a: str
    b: str
    relation: Relation
    confidence: float
    direction: Direction
    evidence: PairEvidence
    passages: tuple[Passage, ...] = field(default=(), compare=False)


def pair_key(x: str, y: str) -> tuple[str, str]:
    """Two document ids in a ``Pair``'s order (``a`` < ``b``): the key pairs are looked up by."""
    return (x, y) if x < y else (y, x)


NodeKind = Literal["document", "lost_source"]


@dataclass(frozen=True)
class StemmaNode:
    """A document of a story, or a source its descendants prove existed but the corpus lacks.

    A lost source carries what is known of it: the spans of its descendants' texts that they
    share with one another (``(document id, start, end)``, character offsets)."""

    id: str
    kind: NodeKind
    known_text: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class StemmaEdge:
    """``target`` derives from ``source``; ``direction_evidence`` says what decided the way:
    ``date``, ``content`` or ``lost_source`` (the edge from a source the corpus lacks)."""

    source: str
    target: str
    relation: Relation
    confidence: float
    direction_evidence: str


@dataclass(frozen=True)
class Story:
    """Documents linked by reuse or by reporting one event, and who derived from whom."""

    id: str
    documents: tuple[str, ...]
    nodes: tuple[StemmaNode, ...]
    edges: tuple[StemmaEdge, ...]


FindingKind = Literal[
    "number_changed",
    "quote_altered",
    "attribution_changed",
    "hedge_changed",
    "unsupported_addition",
    "omission",
    "missing_credit",
    "entity_changed",
    "meaning_reversed",
]
FINDING_KINDS: tuple[str, ...] = get_args(FindingKind)
Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Finding:
    """One thing ``derived`` changed, invented or dropped against ``source``.

    Spans are character offsets into each document's text (``None`` where the finding has no
    place on that side: an addition has no source span, an omission no derived span)."""

    derived: str
    source: str
    kind: FindingKind
    severity: Severity
    derived_span: tuple[int, int] | None
    source_span: tuple[int, int] | None
    derived_text: str
    source_text: str
    explanation: str


@dataclass
class Analysis:
    """What ``analyze`` returns: every document read, related pairs, and what could not be read."""

    documents: list[Document]
    pairs: list[Pair]
    problems: list[ReadProblem] = field(default_factory=list)
    sentences: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    stories: list[Story] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)  # each limit the run hit, and what it cost (Settings say how to raise it)

    @property
    def passages(self) -> list[Passage]:
        return [p for pair in self.pairs for p in pair.passages]

"""The audit stage: what each derived text changed, invented or dropped against its source.

``audit_document`` checks one derived document against the documents it was made from;
``audit_analysis`` picks, for every derived document of an analysis, its closest extant
sources (its parent in the family tree, and the documents its reuse pairs point from).
"""
from __future__ import annotations

from ..model import REUSE_RELATIONS, Analysis, Finding, Pair, Story
from ..relate.direction import source_of
from .compare import THRESHOLDS, AuditThresholds, Encode, audit_document

__all__ = ["AuditThresholds", "THRESHOLDS", "audit_analysis", "audit_document", "sources_to_audit"]


def sources_to_audit(pairs: list[Pair], stories: list[Story]) -> dict[str, list[Pair]]:
    """``derived id -> the reuse pairs that name its sources``.

    A document's sources are its document parent in the stemma, and every document a reuse
    pair says it derives from, unless that document descends from it (a grandchild's pair
    with its grandparent is explained through the parent, which is audited instead)."""
    parent: dict[str, str] = {}
    for story in stories:
        kinds = {n.id: n.kind for n in story.nodes}
        for e in story.edges:
            if kinds.get(e.source) == "document":
                parent[e.target] = e.source
    out: dict[str, list[Pair]] = {}
    for p in pairs:
        if p.relation not in REUSE_RELATIONS:
            continue
        src = source_of(p)
        if src is None:
            continue
        derived = p.b if src == p.a else p.a
        if derived in parent and parent[derived] != src:
            continue  # audited against its parent, its closest extant source
        out.setdefault(derived, []).append(p)
    return out


def audit_analysis(analysis: Analysis, encode: Encode | None = None) -> list[Finding]:
    """Findings for every derived document of ``analysis``, against its closest sources."""
    docs = {d.id: d for d in analysis.documents}
    findings: list[Finding] = []
    for derived, pairs in sorted(sources_to_audit(analysis.pairs, analysis.stories).items()):
        sources = [docs[p.a if p.b == derived else p.b] for p in pairs]
        summary = all(p.relation == "summary" for p in pairs)
        findings.extend(
            audit_document(docs[derived], sources, [list(p.passages) for p in pairs], summary=summary, encode=encode)
        )
    return findings

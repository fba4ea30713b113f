"""One analysis as the views people look at: overview, pairs table, pair, story, document.

Every view is a plain JSON-ready dict built here and nowhere else.  The HTML report embeds
them, the service's API returns them and its pages render them with the same script, so the
file a journalist mails and the server an editor opens cannot disagree.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..model import FINDING_KINDS, RELATIONS, Analysis, Document, Finding, Pair, Story, pair_key
from ..schema import (
    finding_from_row,
    finding_row,
    pair_from_row,
    passage_from_row,
    passage_row,
    read_jsonl,
    stories_from_document,
)
from ..stemma.render import layout_story

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
#: Sort keys of the pairs table, each either way ("-" first: descending).
PAIR_SORTS = tuple(sign + key for key in ("confidence", "a", "b", "relation", "passages", "findings") for sign in ("", "-"))


class ResultsError(ValueError):
    """A results folder that cannot be shown: names the file and what is wrong with it."""


@dataclass
class Results:
    """Documents (with their texts), related pairs with passages, findings and stories."""

    documents: list[Document]
    pairs: list[Pair]
    findings: list[Finding] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._docs = {d.id: d for d in self.documents}
        self._pairs = {(p.a, p.b): p for p in self.pairs}
        self._findings_of_pair: dict[tuple[str, str], list[int]] = {}
        self._findings_of_doc: dict[str, list[int]] = {}
        for k, f in enumerate(self.findings):
            self._findings_of_pair.setdefault(pair_key(f.derived, f.source), []).append(k)
            self._findings_of_doc.setdefault(f.derived, []).append(k)
            if f.source != f.derived:
                self._findings_of_doc.setdefault(f.source, []).append(k)
        self._pairs_of_doc: dict[str, list[Pair]] = {}
        for p in self.pairs:
            self._pairs_of_doc.setdefault(p.a, []).append(p)
            self._pairs_of_doc.setdefault(p.b, []).append(p)

    @classmethod
    def from_analysis(cls, analysis: Analysis) -> "Results":
        return cls(list(analysis.documents), list(analysis.pairs), list(analysis.findings), list(analysis.stories))

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "Results":
        """Read a folder written by ``filiation analyze`` (``texts.jsonl`` holds the texts)."""
        folder = Path(folder)

        def rows(name: str, required: bool = True) -> list[dict]:
            path = folder / name
            if not path.exists():
                if required:
                    raise ResultsError(f"{path}: no such file (run 'filiation analyze ... --out {folder}' first)")
                return []
            try:
                return read_jsonl(path)
            except ValueError as exc:  # bad JSON or bad UTF-8
                raise ResultsError(f"{path}: not a JSONL file written by filiation ({exc})") from None
            except OSError as exc:
                raise ResultsError(f"{path}: cannot read ({exc.strerror or exc})") from None

        try:
            texts = {r["id"]: r["text"] for r in rows("texts.jsonl")}
            documents = [
                Document(r["id"], texts.get(r["id"], ""), r.get("title"), r.get("date"), r.get("source"), r.get("url"), r.get("path"))
                for r in rows("documents.jsonl")
            ]
            passages: dict[tuple[str, str], list] = {}
            for r in rows("passages.jsonl", required=False):
                passages.setdefault((r["a"], r["b"]), []).append(passage_from_row(r))
            pairs = [pair_from_row(r, passages.get((r["a"], r["b"]), ())) for r in rows("pairs.jsonl")]
            findings = [finding_from_row(r) for r in rows("audit.jsonl", required=False)]
            stemma = folder / "stemma.json"
            try:
                stories = stories_from_document(json.loads(stemma.read_text(encoding="utf-8"))) if stemma.exists() else []
            except ValueError as exc:
                raise ResultsError(f"{stemma}: not a stemma.json written by filiation ({exc})") from None
            except OSError as exc:
                raise ResultsError(f"{stemma}: cannot read ({exc.strerror or exc})") from None
        except (KeyError, TypeError) as exc:
            raise ResultsError(f"{folder}: a results file lacks a field filiation writes ({exc})") from None
        return cls(documents, pairs, findings, stories)

    # ---- lookups -------------------------------------------------------------------------

    def document(self, doc_id: str) -> Document | None:
        return self._docs.get(doc_id)

    def pair(self, a: str, b: str) -> Pair | None:
        return self._pairs.get((a, b)) or self._pairs.get((b, a))

    def story(self, story_id: str) -> Story | None:
        return next((s for s in self.stories if s.id == story_id), None)

    # ---- views ---------------------------------------------------------------------------

    def overview(self, worst: int = 25) -> dict:
        """Counts, the stories, and the worst findings first."""
        relations = Counter(p.relation for p in self.pairs)
        kinds = Counter(f.kind for f in self.findings)
        ranked = sorted(range(len(self.findings)), key=lambda k: _finding_rank(self.findings[k]))
        return {
            "documents": len(self.documents),
            "pairs": len(self.pairs),
            "stories": len(self.stories),
            "findings": len(self.findings),
            "relations": {r: relations.get(r, 0) for r in RELATIONS},
            "finding_kinds": {k: kinds.get(k, 0) for k in FINDING_KINDS},
            "worst_findings": [self.finding_view(k) for k in ranked[:worst]],
            "story_list": [
                {"id": s.id, "documents": len(s.documents), "edges": len(s.edges),
                 "lost_sources": sum(n.kind == "lost_source" for n in s.nodes)}
                for s in self.stories
            ],
        }

    def pair_row(self, p: Pair) -> dict:
        """One line of the pairs table."""
        da, db = self._docs.get(p.a), self._docs.get(p.b)
        return {
            "a": p.a, "b": p.b,
            "a_title": da.title if da else None, "b_title": db.title if db else None,
            "relation": p.relation, "direction": p.direction, "confidence": round(p.confidence, 4),
            "passages": len(p.passages),
            "findings": len(self._findings_of_pair.get((p.a, p.b), ())),
        }

    def pairs_page(self, relation: str | None = None, document: str | None = None, text: str | None = None,
                   min_confidence: float = 0.0, sort: str = "-confidence", offset: int = 0, limit: int = 100) -> dict:
        """Pairs matching every filter given, sorted, one page of them."""
        if sort not in PAIR_SORTS:
            raise ValueError(f"sort must be one of {', '.join(PAIR_SORTS)}, not {sort!r}")
        rows = [self.pair_row(p) for p in (self._pairs_of_doc.get(document, []) if document else self.pairs)]
        needle = (text or "").casefold()
        rows = [
            r for r in rows
            if (relation is None or r["relation"] == relation) and r["confidence"] >= min_confidence
            and (not needle or any(needle in (r[k] or "").casefold() for k in ("a", "b", "a_title", "b_title")))
        ]
        key = sort.lstrip("-")
        rows.sort(key=lambda r: (r[key], r["a"], r["b"]), reverse=sort.startswith("-"))
        return {"total": len(rows), "offset": offset, "limit": limit, "rows": rows[offset : offset + limit]}

    def pair_view(self, a: str, b: str) -> dict | None:
        """Both texts, their aligned passages and the pair's findings (None if not a pair)."""
        p = self.pair(a, b)
        if p is None:
            return None
        return {
            **self.pair_row(p),
            "evidence": pair_row_evidence(p),
            "documents": [self.document_meta(p.a, text=True), self.document_meta(p.b, text=True)],
            "passages": [passage_row(x) for x in p.passages],
            "findings": [self.finding_view(k) for k in self._findings_of_pair.get((p.a, p.b), ())],
        }

    def story_view(self, story_id: str) -> dict | None:
        s = self.story(story_id)
        if s is None:
            return None
        return {"id": s.id, "documents": [self.document_meta(d) for d in s.documents], "layout": layout_story(s)}

    def document_meta(self, doc_id: str, text: bool = False) -> dict:
        d = self._docs.get(doc_id)
        if d is None:
            return {"id": doc_id, "missing": True}
        meta = {"id": d.id, "title": d.title, "date": d.date, "source": d.source, "url": d.url, "length": len(d.text)}
        return meta | ({"text": d.text} if text else {})

    def document_view(self, doc_id: str) -> dict | None:
        """A document's text, every pair it is in and every finding on it."""
        if doc_id not in self._docs:
            return None
        return {
            **self.document_meta(doc_id, text=True),
            "pairs": [self.pair_row(p) for p in sorted(self._pairs_of_doc.get(doc_id, []), key=lambda p: -p.confidence)],
            "findings": [self.finding_view(k) for k in self._findings_of_doc.get(doc_id, ())],
            "stories": [s.id for s in self.stories if doc_id in s.documents],
        }

    def documents_page(self, offset: int = 0, limit: int = 100) -> dict:
        return {"total": len(self.documents), "offset": offset, "limit": limit,
                "rows": [self.document_meta(d.id) for d in self.documents[offset : offset + limit]]}

    def finding_view(self, k: int) -> dict:
        return {"id": k, **finding_row(self.findings[k])}

    def findings_page(self, kind: str | None = None, severity: str | None = None, document: str | None = None,
                      offset: int = 0, limit: int = 100) -> dict:
        """Findings matching every filter given, the worst first."""
        chosen = self._findings_of_doc.get(document, []) if document else range(len(self.findings))
        chosen = [k for k in chosen
                  if (kind is None or self.findings[k].kind == kind) and (severity is None or self.findings[k].severity == severity)]
        chosen.sort(key=lambda k: _finding_rank(self.findings[k]))
        return {"total": len(chosen), "offset": offset, "limit": limit,
                "rows": [self.finding_view(k) for k in chosen[offset : offset + limit]]}

    def bundle(self) -> dict:
        """Everything the self-contained report needs: the overview and stories as built
        above, and the raw material of the pairs table and pair views, packed tight (a
        passage is a list, not an object) so 10,000 pairs stay a file a browser opens."""
        return {
            "overview": self.overview(),
            "stories": {s.id: self.story_view(s.id) for s in self.stories},
            "documents": [self.document_meta(d.id, text=True) for d in self.documents],
            "pairs": [
                {**self.pair_row(p), "evidence": pair_row_evidence(p),
                 "passage_list": [[x.a_start, x.a_end, x.b_start, x.b_end, x.kind, round(x.score, 3)] for x in p.passages],
                 "finding_ids": self._findings_of_pair.get((p.a, p.b), [])}
                for p in self.pairs
            ],
            "findings": [self.finding_view(k) for k in range(len(self.findings))],
        }


def pair_row_evidence(p: Pair) -> dict:
    from dataclasses import asdict

    return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(p.evidence).items()}


def _finding_rank(f: Finding) -> tuple:
    return (SEVERITY_ORDER.get(f.severity, 3), FINDING_KINDS.index(f.kind) if f.kind in FINDING_KINDS else 99, f.derived)

"""The one place that turns model objects into rows of the output files, and back.

Every writer goes through ``write_jsonl_atomic``: the file appears complete or not at all
(written beside its target, flushed, then renamed over it), so a killed run never leaves a
truncated ``pairs.jsonl`` behind.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Iterable

from .model import Analysis, Document, Finding, Pair, PairEvidence, Passage

OUTPUT_FILES = ("documents.jsonl", "texts.jsonl", "pairs.jsonl", "passages.jsonl", "stemma.json", "audit.jsonl",
                "manifest.json", "report.html")


def document_row(doc: Document, sentences: list[tuple[int, int]]) -> dict:
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "url": doc.url,
        "length": len(doc.text),
        "sentences": [list(s) for s in sentences],
    }


def pair_row(pair: Pair) -> dict:
    return {
        "a": pair.a,
        "b": pair.b,
        "relation": pair.relation,
        "confidence": pair.confidence,
        "direction": pair.direction,
        "evidence": asdict(pair.evidence),
    }


def finding_row(f: Finding) -> dict:
    row = asdict(f)
    for key in ("derived_span", "source_span"):
        row[key] = list(row[key]) if row[key] is not None else None
    return row


def finding_from_row(row: dict) -> Finding:
    spans = {k: tuple(row[k]) if row.get(k) is not None else None for k in ("derived_span", "source_span")}
    return Finding(**{**row, **spans})


def passage_row(p: Passage) -> dict:
    return asdict(p)


def pair_from_row(row: dict, passages: Iterable[Passage] = ()) -> Pair:
    return Pair(row["a"], row["b"], row["relation"], row["confidence"], row["direction"],
                PairEvidence(**row["evidence"]), tuple(passages))


def passage_from_row(row: dict) -> Passage:
    return Passage(**row)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide results from their readers
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_jsonl_atomic(path: Path, rows: Iterable[dict]) -> None:
    def write(fh):
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")

    _atomic_write(path, write)


def write_json_atomic(path: Path, payload: dict) -> None:
    _atomic_write(path, lambda fh: json.dump(payload, fh, ensure_ascii=False, indent=2))


def write_text_atomic(path: Path, text: str) -> None:
    _atomic_write(Path(path), lambda fh: fh.write(text))


def write_analysis(analysis: Analysis, out: str | os.PathLike, manifest: dict, report: bool = True) -> None:
    """Write ``documents.jsonl``, ``texts.jsonl``, ``pairs.jsonl``, ``passages.jsonl``,
    ``stemma.json``, ``audit.jsonl``, ``report.html`` (drawn by ``filiation.report``) and, last,
    ``manifest.json``."""
    out = Path(out)
    write_jsonl_atomic(out / "documents.jsonl",
                       (document_row(d, analysis.sentences.get(d.id, [])) for d in analysis.documents))
    write_jsonl_atomic(out / "texts.jsonl", ({"id": d.id, "text": d.text} for d in analysis.documents))
    write_jsonl_atomic(out / "pairs.jsonl", (pair_row(p) for p in analysis.pairs))
    write_jsonl_atomic(out / "passages.jsonl", (passage_row(p) for p in analysis.passages))
    write_json_atomic(out / "stemma.json", stemma_document(analysis.stories))
    write_jsonl_atomic(out / "audit.jsonl", (finding_row(f) for f in analysis.findings))
    if report:
        from .report import Results, write_report

        write_report(Results.from_analysis(analysis), out / "report.html")
    write_json_atomic(out / "manifest.json", manifest)


def stemma_document(stories) -> dict:
    """``stemma.json``: every story of two or more documents, its nodes and derivation edges."""
    return {
        "stories": [
            {
                "id": s.id,
                "documents": list(s.documents),
                "nodes": [
                    {"id": n.id, "kind": n.kind}
                    | ({"known_text": [{"document": d, "start": a, "end": b} for d, a, b in n.known_text]}
                       if n.kind == "lost_source" else {})
                    for n in s.nodes
                ],
                "edges": [
                    {"source": e.source, "target": e.target, "relation": e.relation,
                     "confidence": e.confidence, "direction_evidence": e.direction_evidence}
                    for e in s.edges
                ],
            }
            for s in stories
        ]
    }


def stories_from_document(data: dict):
    """The inverse of ``stemma_document``: ``Story`` objects from a parsed ``stemma.json``."""
    from .model import StemmaEdge, StemmaNode, Story

    return [
        Story(
            s["id"], tuple(s["documents"]),
            tuple(StemmaNode(n["id"], n["kind"], tuple((k["document"], k["start"], k["end"]) for k in n.get("known_text", [])))
                  for n in s["nodes"]),
            tuple(StemmaEdge(e["source"], e["target"], e["relation"], e["confidence"], e["direction_evidence"]) for e in s["edges"]),
        )
        for s in data["stories"]
    ]


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]

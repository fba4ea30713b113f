"""An archive that new articles are checked against: add documents once, check each new one.

``Archive`` joins the three pieces: the SQLite store (the truth: texts, signatures, vectors,
results), the band index (lexical candidates) and the vector index (semantic candidates),
both kept beside the database in ``ARCHIVE.db.index/`` and caught up from it when behind.
A check finds candidates in the two indexes and hands them, with the new article, to the
same relate and audit stages as ``analyze`` (``engine.local.relate_to``).
"""
from __future__ import annotations

import contextlib
import fcntl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..candidates.minhash import oph_signatures
from ..model import Document, Finding, Pair, ReadProblem
from ..settings import Settings
from ..text.shingles import text_shingles
from .bands import BandIndex
from .store import ArchiveStore, digest_of
from .vectors import VectorIndex

BATCH = 1000  # documents per transaction: a crash loses at most the batch being written
FOLD_MIN = 2000  # see Archive.fold_at


@dataclass
class AddReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already archived with the same text: a no-op
    problems: list[ReadProblem] = field(default_factory=list)  # e.g. an id archived with another text


@dataclass
class CheckResult:
    """What in the archive ``document`` reuses (or is reused by), and how."""

    document: Document
    pairs: list[Pair]
    findings: list[Finding]
    candidates: int  # archived documents the indexes proposed
    timings_ms: dict[str, float]

    def to_json(self) -> dict:
        from ..schema import finding_row, pair_row, passage_row

        return {
            "document": self.document.id,
            "pairs": [pair_row(p) | {"passages": [passage_row(x) for x in p.passages]} for p in self.pairs],
            "findings": [finding_row(f) for f in self.findings],
            "candidates": self.candidates,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


def sketch(documents: list[Document], settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """Each document's MinHash signature and static document vector, as ``analyze`` makes them."""
    from ..engine.local import prepare

    normalised, vectors = prepare(documents, settings)
    return oph_signatures([n.shingles for n in normalised], settings.num_perm), vectors


class Archive:
    """``Archive(path)`` opens or creates ``path`` (SQLite) and ``path.index/`` beside it."""

    def __init__(self, path: str | Path, settings: Settings | None = None, max_lexical: int = 30):
        from ..embed import static_encoder

        self.settings = settings or Settings()
        self.max_lexical = max_lexical
        self.path = Path(path)
        self.dim = static_encoder().dim
        key = {"num_perm": self.settings.num_perm, "bands": self.settings.bands, "rows": self.settings.rows,
               "shingle_size": self.settings.shingle_size, "vector_dim": self.dim}
        self.store = ArchiveStore(self.path, key)
        self.index_dir = Path(str(self.path) + ".index")
        self._bands: BandIndex | None = None
        self._vectors: VectorIndex | None = None
        self._unsaved = False  # the loaded indexes hold changes not yet written

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __len__(self) -> int:
        return self.store.count()

    # ---- adding --------------------------------------------------------------------------

    def add(self, documents: Iterable[Document], done: Callable[[list[str]], None] | None = None) -> AddReport:
        """Archive ``documents``; each batch is committed before ``done`` hears of it, and the
        indexes are brought up to date at the end."""
        report = AddReport()
        batch: list[Document] = []
        for doc in documents:
            batch.append(doc)
            if len(batch) >= BATCH:
                self._add_batch(batch, report, done)
                batch = []
        if batch:
            self._add_batch(batch, report, done)
        self.sync_indexes(save=True)  # also mends an index a killed run left torn
        return report

    def _add_batch(self, batch: list[Document], report: AddReport, done) -> None:
        fresh: dict[str, Document] = {}
        for d in batch:
            if d.id in fresh:
                report.problems.append(ReadProblem(d.path or d.id, f"duplicate id {d.id!r} in this batch: kept the first"))
            else:
                fresh[d.id] = d
        archived = self.store.existing(fresh)
        new = []
        for d in fresh.values():
            if d.id not in archived:
                new.append(d)
            elif archived[d.id] == digest_of(d.text):
                report.unchanged.append(d.id)
            else:
                report.problems.append(ReadProblem(d.path or d.id, f"id {d.id!r} is archived with another text: kept the archived one"))
        if not new:
            return
        signatures, vectors = sketch(new, self.settings)
        with self.store.write() as db:
            # another process may have added some of these since we looked
            taken = set(self.store.existing(d.id for d in new))
            keep = [k for k, d in enumerate(new) if d.id not in taken]
            self.store.insert(db, [new[k] for k in keep], signatures[keep], vectors[keep])
        added = [new[k].id for k in keep]
        report.unchanged.extend(d.id for d in new if d.id in taken)
        report.added.extend(added)
        if done:
            done(added)

    # ---- indexes -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _index_lock(self):
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / "lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def sync_indexes(self, save: bool = False) -> tuple[BandIndex, VectorIndex]:
        """Load the saved indexes (rebuilding one that is missing, torn or of another
        database) and catch them up with documents added since, into their in-memory tails.
        ``save`` folds a tail grown past ``fold_at`` into the saved base: the large files are
        rewritten once per that many documents, not at every add."""
        with self._index_lock() if save else contextlib.nullcontext():
            s = self.settings
            bands, vectors, rebuilt = self._bands, self._vectors, False
            if bands is None or vectors is None:  # from disk: trusted only if it is this database's
                bands = BandIndex.load(self.index_dir, s.bands, s.rows)
                vectors = VectorIndex.load(self.index_dir, self.dim)
                if bands is None or not self._holds(bands.archive, bands.covered, bands.documents):
                    bands, rebuilt = BandIndex.empty(s.bands, s.rows), True
                    bands.archive = self.store.identity
                if vectors is None or not self._holds(vectors.archive, vectors.covered, int(vectors.index.ntotal)):
                    vectors, rebuilt = VectorIndex(self.dim, archive=self.store.identity), True
            for numbers, sigs, vecs in self.store.signatures_after(min(bands.newest, vectors.newest)):
                b_new, v_new = numbers > bands.newest, numbers > vectors.newest
                bands.extend(numbers[b_new], sigs[b_new])
                vectors.extend(numbers[v_new], vecs[v_new])
            if save and (rebuilt or self._unsaved or bands.tail_documents >= self.fold_at(bands.documents)):
                bands.fold()
                vectors.fold()
                bands.save(self.index_dir)
                vectors.save(self.index_dir)
                self._unsaved = rebuilt = False
            self._unsaved = self._unsaved or rebuilt
            self._bands, self._vectors = bands, vectors
            return bands, vectors

    def _holds(self, archive: str, covered: int, documents: int) -> bool:
        """Whether a saved index is of this database and holds exactly its documents up to
        ``covered``.  Documents are numbered 1, 2, 3 … and never deleted, so that count is
        ``covered`` itself; SQLite is asked to count only when it is not (a full scan)."""
        if archive != self.store.identity or covered > self.store.max_number():
            return False
        return documents == covered or documents == self.store.count_upto(covered)

    @staticmethod
    def fold_at(base_documents: int) -> int:
        """How many documents the tail may hold before it is folded into the saved base: 2 %
        of the base, at least 2,000 (a new process rebuilds a tail that size in a blink)."""
        return max(FOLD_MIN, base_documents // 50)

    def _current_indexes(self) -> tuple[BandIndex, VectorIndex]:
        """The loaded indexes, caught up first if another process has added documents since."""
        if self._bands is None or self._vectors is None or self.store.max_number() > min(self._bands.newest, self._vectors.newest):
            return self.sync_indexes()
        return self._bands, self._vectors

    # ---- checking ------------------------------------------------------------------------

    def lexical_candidates(self, document: Document) -> tuple[np.ndarray, np.ndarray]:
        """The lexical stage alone: archived documents sharing LSH bands with ``document``,
        most bands first (``(numbers, bands shared)``, at most ``max_lexical``)."""
        shingles = text_shingles([document.text], self.settings.shingle_size)[0]
        return self._lexical(self._current_indexes()[0], oph_signatures([shingles], self.settings.num_perm)[0])

    def _lexical(self, bands: BandIndex, signature: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        numbers, shared, _ = bands.query(signature, self.settings.max_bucket)
        order = np.argsort(-shared, kind="stable")[: self.max_lexical]
        return numbers[order], shared[order]

    def check(self, document: Document, save: bool = True) -> CheckResult:
        """Which archived documents ``document`` reuses or is reused by: relation, direction,
        passages, and the audit of the derived side."""
        from ..engine.local import relate_to

        timings: dict[str, float] = {}
        started = time.perf_counter()
        bands, vectors = self._current_indexes()
        signature, vector = sketch([document], self.settings)
        timings["sketch"] = (time.perf_counter() - started) * 1000
        t = time.perf_counter()
        lexical, _ = self._lexical(bands, signature[0])
        timings["lexical"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        semantic, _ = vectors.query(vector[0], self.settings.neighbours, self.settings.min_doc_cosine)
        timings["semantic"] = (time.perf_counter() - t) * 1000
        numbers = list(dict.fromkeys([*lexical.tolist(), *semantic.tolist()]))
        others = [d for d in self.store.documents_of(numbers) if not (d.id == document.id and d.text == document.text)]
        t = time.perf_counter()
        analysis = relate_to(document, others, self.settings)
        timings["relate"] = (time.perf_counter() - t) * 1000
        pairs = [p for p in analysis.pairs if document.id in (p.a, p.b)]
        result = CheckResult(document, pairs, analysis.findings, len(others), timings)
        timings["total"] = (time.perf_counter() - started) * 1000
        if save:
            self.store.save_check(document, result.to_json())
        return result

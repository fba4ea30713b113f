"""The archive: documents added once and for good, new articles checked against them.

What is promised (``filiation/archive``, docs/output.md): re-adding is a no-op; a document is
in the archive once ``add`` reported it, whole (text, signature and vector) or not at all,
whenever the process dies; two processes adding at once take turns; the indexes beside the
database are derived data, rebuilt when missing, torn or of another database and caught up
when behind.  Crash and concurrency tests run the real command line as child processes and
kill them with SIGKILL.  Fast mode throughout (no transformer).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import filiation.archive.archive as archive_module
from filiation.archive import Archive
from filiation.archive.bands import BandIndex
from filiation.archive.store import ArchiveStore
from filiation.archive.vectors import VectorIndex
from filiation.model import Document
from filiation.read import read_paths
from filiation.relate.direction import source_of
from filiation.schema import read_jsonl
from filiation.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
FILIATION = Path(sys.executable).with_name("filiation")
FAST = Settings(mode="fast")
REUSE = {"duplicate", "edited_copy", "paraphrase", "summary"}
CORPUS_DOCS = 3000  # three commits of archive.BATCH (1000) documents each


def _env(**extra: str) -> dict:
    return dict(os.environ, COLUMNS="250", NO_COLOR="1", **extra)


def _cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(FILIATION), *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          env=env or _env(), timeout=timeout)


# ---- data ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds() -> dict[str, Document]:
    """The five seed documents by their number: 000 and 001 edited excerpts of one wire report,
    002 a paraphrase and 003 a summary of it, 004 the same event reported independently."""
    return {d.id[:3]: d for d in read_paths(sorted(SEEDS.glob("*.txt"))).documents}


@dataclass
class Corpus:
    path: Path  # documents.jsonl
    docs: list[dict]  # {"id", "text"} in file order
    truth: list[dict]  # {"source", "derived", "kind"}

    @property
    def texts(self) -> dict[str, str]:
        return {d["id"]: d["text"] for d in self.docs}

    def write(self, path: Path, docs: list[dict]) -> Path:
        path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
        return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    """3,000 news-length documents (5 % planted copies), made here from the seeds' sentences so
    that the crash and concurrency tests need nothing outside the project."""
    from filiation.text.sentences import split_sentences

    sentences = [text[a:b].split() for text in (d.text for d in read_paths(sorted(SEEDS.glob("*.txt"))).documents)
                 for a, b in split_sentences(text)]
    sentences = [w for w in sentences if len(w) >= 6]
    rng = random.Random(20261124)

    def base_text() -> list[str]:  # words shuffled in each placed sentence: random documents share no 5-gram
        return [" ".join(rng.sample(words, len(words))) + "." for words in rng.choices(sentences, k=30)]

    n_derived = CORPUS_DOCS // 20
    bases = [base_text() for _ in range(CORPUS_DOCS - n_derived)]
    docs = [{"id": f"n{k + 1:05d}", "text": " ".join(b)} for k, b in enumerate(bases)]
    truth = []
    for k, src in enumerate(rng.sample(range(len(bases)), n_derived)):
        kind = ("duplicate", "excerpt", "cut_edit")[k % 3]
        parts = list(bases[src])
        if kind == "excerpt":
            parts = parts[: len(parts) // 2]
        elif kind == "cut_edit":
            parts = [p for j, p in enumerate(parts) if j % 4 != 1]
        docs.append({"id": f"d{k + 1:05d}", "text": " ".join(parts)})
        truth.append({"source": f"n{src + 1:05d}", "derived": f"d{k + 1:05d}", "kind": kind})
    rng.shuffle(docs)
    path = tmp_path_factory.mktemp("corpus") / "documents.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return Corpus(path, docs, truth)


def _docs(rows: list[dict]) -> list[Document]:
    return [Document(r["id"], r["text"]) for r in rows]


def _related(result) -> dict:
    """``archived id -> Pair`` of a check result."""
    return {(p.b if p.a == result.document.id else p.a): p for p in result.pairs}


def _comparable(result) -> dict:
    """A check's JSON without its timings: what must come out the same however the index was made."""
    return {k: v for k, v in result.to_json().items() if k != "timings_ms"}


# ---- 1. adding -------------------------------------------------------------------------------

def test_add_then_readd_is_a_noop(tmp_path, seeds) -> None:
    docs = [seeds[k] for k in ("000", "001", "002")]
    with Archive(tmp_path / "a.db", FAST) as archive:
        assert len(archive) == 0
        first = archive.add(docs)
        assert first.added == [d.id for d in docs] and first.unchanged == [] and first.problems == []
        assert len(archive) == 3
        again = archive.add(docs)
        assert again.added == [] and sorted(again.unchanged) == sorted(d.id for d in docs) and again.problems == []
        assert len(archive) == 3
    # and from another Archive over the same file
    with Archive(tmp_path / "a.db", FAST) as archive:
        report = archive.add([seeds["002"], seeds["004"]])
        assert report.added == [seeds["004"].id] and report.unchanged == [seeds["002"].id]
        assert len(archive) == 4


def test_same_id_with_other_text_is_a_problem_and_keeps_the_archived_text(tmp_path, seeds) -> None:
    original = seeds["000"]
    impostor = Document(original.id, seeds["004"].text)
    with Archive(tmp_path / "a.db", FAST) as archive:
        archive.add([original])
        report = archive.add([impostor, seeds["001"]])
        assert report.added == [seeds["001"].id] and report.unchanged == []
        assert len(report.problems) == 1
        assert original.id in str(report.problems[0]) and "another text" in str(report.problems[0])
        assert len(archive) == 2
        (n,) = [n for n, i in archive.store.db.execute("SELECT n, id FROM documents") if i == original.id]
        assert archive.store.documents_of([n])[0].text == original.text


def test_the_same_id_twice_in_one_add_keeps_the_first(tmp_path, seeds) -> None:
    with Archive(tmp_path / "a.db", FAST) as archive:
        report = archive.add([seeds["000"], Document(seeds["000"].id, seeds["001"].text)])
        assert report.added == [seeds["000"].id] and len(report.problems) == 1 and "duplicate id" in str(report.problems[0])
        assert archive.store.documents_of([1])[0].text == seeds["000"].text


# ---- 2. checking -----------------------------------------------------------------------------

def _assert_summary_of_the_wire_report(result, seeds) -> None:
    """003 checked against 000, 001, 002, 004."""
    related = _related(result)
    for k in ("000", "001"):
        pair = related[seeds[k].id]
        assert pair.relation == "summary", pair
        assert source_of(pair) == seeds[k].id, pair  # 003 derives from the archived excerpt
        assert pair.passages
    independent = related.get(seeds["004"].id)
    assert independent is not None and independent.relation == "same_event" and not independent.passages
    assert all(f.source != seeds["004"].id for f in result.findings)
    assert all(f.derived == seeds["003"].id for f in result.findings)


def test_check_finds_the_sources_of_a_summary(tmp_path, seeds) -> None:
    archived = {k: seeds[k] for k in ("000", "001", "002", "004")}
    with Archive(tmp_path / "a.db", FAST) as archive:
        archive.add(archived.values())
        result = archive.check(seeds["003"])
        assert result.candidates >= 3
        _assert_summary_of_the_wire_report(result, seeds)

        row = result.to_json()
        json.dumps(row)  # serialisable as is
        assert row["document"] == seeds["003"].id
        texts = {d.id: d.text for d in [*archived.values(), seeds["003"]]}
        for pair in row["pairs"]:
            assert pair["a"] < pair["b"] and seeds["003"].id in (pair["a"], pair["b"])
            assert set(pair) == {"a", "b", "relation", "confidence", "direction", "evidence", "passages"}
            for passage in pair["passages"]:
                assert (passage["a"], passage["b"]) == (pair["a"], pair["b"])
                a, b = texts[passage["a"]], texts[passage["b"]]
                assert 0 <= passage["a_start"] < passage["a_end"] <= len(a)
                assert 0 <= passage["b_start"] < passage["b_end"] <= len(b)
                left, right = a[passage["a_start"]:passage["a_end"]], b[passage["b_start"]:passage["b_end"]]
                assert left.strip() == left and right.strip() == right  # slices start and end on text
                shared = set(re.findall(r"\w+", left.lower())) & set(re.findall(r"\w+", right.lower()))
                assert len(shared) >= 3, (left, right)
        for finding in row["findings"]:
            if finding["derived_span"]:
                s, e = finding["derived_span"]
                assert texts[seeds["003"].id][s:e] == finding["derived_text"]
            if finding["source_span"]:
                s, e = finding["source_span"]
                assert texts[finding["source"]][s:e] == finding["source_text"]

        # the result is kept in the archive, keyed by the checked document's id and digest
        stored = archive.store.db.execute("SELECT checked_id, checked_digest, result FROM checks").fetchall()
        assert len(stored) == 1
        assert stored[0][0] == seeds["003"].id
        assert stored[0][1] == hashlib.sha256(seeds["003"].text.encode()).hexdigest()
        assert json.loads(stored[0][2]) == json.loads(json.dumps(row))
        # checking again replaces the row, it does not pile up
        archive.check(seeds["003"])
        assert archive.store.db.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 1
        # save=False leaves no trace
        archive.check(seeds["002"], save=False)
        assert archive.store.db.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 1


def test_checking_an_archived_document_does_not_pair_it_with_itself(tmp_path, seeds) -> None:
    with Archive(tmp_path / "a.db", FAST) as archive:
        archive.add([seeds[k] for k in ("000", "001", "004")])
        result = archive.check(seeds["000"])
        assert seeds["000"].id not in _related(result)
        assert _related(result)[seeds["001"].id].relation in REUSE


def test_empty_archive_checks_to_nothing(tmp_path, seeds) -> None:
    with Archive(tmp_path / "a.db", FAST) as archive:
        result = archive.check(seeds["003"])
        assert result.pairs == [] and result.findings == [] and result.candidates == 0


# ---- 3. the indexes are derived data -----------------------------------------------------------

@dataclass
class SeedArchive:
    root: Path  # archive.db, archive.db.index/ and previous-index/ (the indexes before 004 was added)
    baseline: dict  # _comparable(check of 003)
    entries: list  # the band index's (key, document number) pairs

    def copy_to(self, folder: Path) -> Path:
        shutil.copy(self.root / "archive.db", folder / "archive.db")
        shutil.copytree(self.root / "archive.db.index", folder / "archive.db.index")
        return folder / "archive.db"


def _entries(bands: BandIndex) -> list:
    """Every (key, document) the index holds, saved base and in-memory tail together."""
    keys = np.concatenate([np.asarray(bands.keys), bands.tail_keys])
    docs = np.concatenate([np.asarray(bands.docs), bands.tail_docs])
    return sorted(zip(keys.tolist(), docs.tolist()))


@pytest.fixture(scope="module")
def seed_archive(tmp_path_factory, seeds) -> SeedArchive:
    root = tmp_path_factory.mktemp("seed-archive")
    with Archive(root / "archive.db", FAST) as archive:
        archive.add([seeds[k] for k in ("000", "001", "002")])
        shutil.copytree(root / "archive.db.index", root / "previous-index")
        archive.add([seeds["004"]])
    with Archive(root / "archive.db", FAST) as archive:
        bands, vectors = archive.sync_indexes()
        assert bands.indexed == 4 and vectors.indexed == 4
        result = archive.check(seeds["003"], save=False)
        _assert_summary_of_the_wire_report(result, seeds)
        return SeedArchive(root, _comparable(result), _entries(bands))


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _edit_json(path: Path, **changes) -> None:
    meta = json.loads(path.read_text())
    meta.update({k: (v(meta[k]) if callable(v) else v) for k, v in changes.items()})
    path.write_text(json.dumps(meta))


DAMAGES = {
    "index folder deleted": lambda d, prev: shutil.rmtree(d),
    "band-keys.npy truncated": lambda d, prev: _truncate(d / "band-keys.npy", 0.5),
    "band-keys.npy header only": lambda d, prev: _truncate(d / "band-keys.npy", 0.05),
    "band-keys.npy garbage": lambda d, prev: (d / "band-keys.npy").write_bytes(os.urandom((d / "band-keys.npy").stat().st_size)),
    "band-docs.npy missing": lambda d, prev: (d / "band-docs.npy").unlink(),
    "bands.json missing": lambda d, prev: (d / "bands.json").unlink(),
    "bands.json torn": lambda d, prev: _truncate(d / "bands.json", 0.5),
    "bands.json entries disagree": lambda d, prev: _edit_json(d / "bands.json", entries=lambda v: v - 2),
    "bands.json covers fewer": lambda d, prev: _edit_json(d / "bands.json", covered=lambda v: v - 1),
    "bands.json counts more": lambda d, prev: _edit_json(d / "bands.json", documents=lambda v: v + 1),
    "bands.json other settings": lambda d, prev: _edit_json(d / "bands.json", bands=32),
    "band arrays saved, bands.json not yet": lambda d, prev: shutil.copy(prev / "bands.json", d / "bands.json"),
    "band-keys.npy saved, band-docs.npy not yet": lambda d, prev: shutil.copy(prev / "band-docs.npy", d / "band-docs.npy"),
    "band index behind (saved before the last add)": lambda d, prev: [shutil.copy(prev / n, d / n) for n in ("band-keys.npy", "band-docs.npy", "bands.json")],
    "vectors.faiss truncated": lambda d, prev: _truncate(d / "vectors.faiss", 0.5),
    "vectors.faiss empty": lambda d, prev: _truncate(d / "vectors.faiss", 0),
    "vectors.faiss saved, vectors.json not yet": lambda d, prev: shutil.copy(prev / "vectors.json", d / "vectors.json"),
    "vectors.json says other dim": lambda d, prev: _edit_json(d / "vectors.json", dim=lambda v: v + 1),
    "vector index behind": lambda d, prev: [shutil.copy(prev / n, d / n) for n in ("vectors.faiss", "vectors.json")],
    "both indexes behind": lambda d, prev: [shutil.copy(p, d / p.name) for p in prev.iterdir() if p.is_file()],
    "leftover temporary files": lambda d, prev: [(d / n).write_bytes(b"torn") for n in (".band-keys.npy.tmp", ".vectors.faiss.tmp", ".bands.json.tmp")],
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_or_stale_index_is_rebuilt_with_the_same_results(tmp_path, seeds, seed_archive, damage) -> None:
    db = seed_archive.copy_to(tmp_path)
    index_dir = tmp_path / "archive.db.index"
    DAMAGES[damage](index_dir, seed_archive.root / "previous-index")
    with Archive(db, FAST) as archive:
        assert _comparable(archive.check(seeds["003"], save=False)) == seed_archive.baseline
        bands, vectors = archive.sync_indexes()
        assert bands.indexed == 4 and bands.newest == 4 and vectors.indexed == 4
        assert _entries(bands) == seed_archive.entries
    with Archive(db, FAST) as archive:  # a fresh object's save leaves a whole index on disk
        archive.sync_indexes(save=True)
    saved_bands = BandIndex.load(index_dir, FAST.bands, FAST.rows)
    with Archive(db, FAST) as archive:
        saved_vectors = VectorIndex.load(index_dir, archive.dim)
        # whole for what it covers (a base behind by less than Archive.fold_at is kept: the
        # tail is rebuilt from the database), and of this database
        assert saved_bands is not None and saved_vectors is not None
        assert saved_bands.documents == archive.store.count_upto(saved_bands.covered) >= 3
        assert saved_vectors.index.ntotal == archive.store.count_upto(saved_vectors.covered) >= 3
        assert set(_entries(saved_bands)) <= set(seed_archive.entries)
        assert saved_bands.archive == saved_vectors.archive == archive.store.identity
        assert _comparable(archive.check(seeds["003"], save=False)) == seed_archive.baseline


def test_zero_byte_band_keys_is_rebuilt(tmp_path, seeds, seed_archive) -> None:
    db = seed_archive.copy_to(tmp_path)
    _truncate(tmp_path / "archive.db.index" / "band-keys.npy", 0)
    with Archive(db, FAST) as archive:
        assert _comparable(archive.check(seeds["003"], save=False)) == seed_archive.baseline


def test_documents_added_by_another_archive_object_are_found_after_sync(tmp_path, seeds) -> None:
    db = tmp_path / "a.db"
    with Archive(db, FAST) as setup:
        setup.add([seeds["002"], seeds["004"]])
    first = Archive(db, FAST)
    bands, vectors = first.sync_indexes()  # loaded and held, as by a long-running watch or serve
    assert bands.indexed == 2
    with Archive(db, FAST) as second:  # another process, in spirit
        second.add([seeds["000"], seeds["001"]])
    assert len(first) == 4
    bands, vectors = first.sync_indexes()
    assert bands.indexed == 4 and vectors.indexed == 4
    numbers, _ = first.lexical_candidates(seeds["003"])
    found = {d.id for d in first.store.documents_of(numbers)}
    assert {seeds["000"].id, seeds["001"].id} <= found
    _assert_summary_of_the_wire_report(first.check(seeds["003"]), seeds)
    first.close()


def test_check_catches_up_with_documents_added_by_another_process(tmp_path, seeds) -> None:
    db = tmp_path / "a.db"
    with Archive(db, FAST) as setup:
        setup.add([seeds["002"], seeds["004"]])
    with Archive(db, FAST) as first:
        first.check(seeds["004"], save=False)  # indexes loaded
        with Archive(db, FAST) as second:
            second.add([seeds["000"], seeds["001"]])
        related = _related(first.check(seeds["003"], save=False))
        assert {seeds["000"].id, seeds["001"].id} <= set(related)


def test_index_of_another_archive_with_more_documents_is_rebuilt(tmp_path, seeds, seed_archive, corpus) -> None:
    db = seed_archive.copy_to(tmp_path)
    with Archive(tmp_path / "other.db", FAST) as other:
        other.add(_docs(corpus.docs[:6]))
    shutil.rmtree(tmp_path / "archive.db.index")
    shutil.copytree(tmp_path / "other.db.index", tmp_path / "archive.db.index")
    with Archive(db, FAST) as archive:
        assert _comparable(archive.check(seeds["003"], save=False)) == seed_archive.baseline
        assert _entries(archive.sync_indexes()[0]) == seed_archive.entries


def _index_from_an_archive_of_as_many_documents(tmp_path: Path, seed_archive, corpus) -> Path:
    db = seed_archive.copy_to(tmp_path)
    with Archive(tmp_path / "other.db", FAST) as other:
        other.add(_docs(corpus.docs[:4]))
    shutil.rmtree(tmp_path / "archive.db.index")
    shutil.copytree(tmp_path / "other.db.index", tmp_path / "archive.db.index")
    return db


def _archive_recreated_beside_an_old_index(tmp_path: Path, seed_archive, corpus, seeds) -> Path:
    """``rm archive.db; filiation archive add archive.db NEW/``: the old index folder stays."""
    db = tmp_path / "archive.db"
    with Archive(db, FAST) as old:
        old.add(_docs(corpus.docs[:2]))
    for p in tmp_path.glob("archive.db*"):
        if p.is_file():
            p.unlink()
    with Archive(db, FAST) as new:
        new.add([seeds[k] for k in ("000", "001", "002", "004")])
    return db


@pytest.mark.parametrize("make", ["as many documents", "database re-created beside the old index"])
def test_index_of_another_database_is_not_trusted(tmp_path, seeds, seed_archive, corpus, make) -> None:
    if make == "as many documents":
        db = _index_from_an_archive_of_as_many_documents(tmp_path, seed_archive, corpus)
    else:
        db = _archive_recreated_beside_an_old_index(tmp_path, seed_archive, corpus, seeds)
    with Archive(db, FAST) as archive:
        assert _comparable(archive.check(seeds["003"], save=False)) == seed_archive.baseline


@pytest.mark.parametrize("how", ["re-add of the same documents", "sync_indexes(save=True) after a check"])
def test_an_index_rebuilt_in_memory_is_saved_when_asked(tmp_path, seeds, seed_archive, how) -> None:
    db = seed_archive.copy_to(tmp_path)
    shutil.rmtree(tmp_path / "archive.db.index")  # as a kill between the last commit and the save leaves it
    with Archive(db, FAST) as archive:
        if how == "re-add of the same documents":
            report = archive.add([seeds[k] for k in ("000", "001", "002", "004")])
            assert report.added == [] and len(report.unchanged) == 4
        else:
            archive.check(seeds["003"], save=False)
            archive.sync_indexes(save=True)
    saved = BandIndex.load(tmp_path / "archive.db.index", FAST.bands, FAST.rows)
    assert saved is not None and saved.documents == 4


# ---- 4. crash safety ---------------------------------------------------------------------------

def test_a_failing_batch_is_rolled_back_whole(tmp_path, corpus, monkeypatch) -> None:
    """In process, with small batches: an error in the middle of a batch's inserts leaves the
    earlier batches (all reported to ``done``) and nothing of the failing one."""
    monkeypatch.setattr(archive_module, "BATCH", 7)
    docs = _docs(corpus.docs[:30])
    real_insert = ArchiveStore.insert
    batches: list[int] = []

    def failing_insert(self, db, batch, signatures, vectors):
        batches.append(len(batch))
        if len(batches) == 3:
            real_insert(self, db, batch[:4], signatures[:4], vectors[:4])
            raise RuntimeError("the disk is full")
        return real_insert(self, db, batch, signatures, vectors)

    monkeypatch.setattr(ArchiveStore, "insert", failing_insert)
    reported: list[str] = []
    with Archive(tmp_path / "a.db", FAST) as archive:
        with pytest.raises(RuntimeError, match="disk is full"):
            archive.add(docs, done=reported.extend)
        assert reported == [d.id for d in docs[:14]]
        assert [i for (i,) in archive.store.db.execute("SELECT id FROM documents ORDER BY n")] == reported
    monkeypatch.setattr(ArchiveStore, "insert", real_insert)
    with Archive(tmp_path / "a.db", FAST) as archive:
        report = archive.add(docs, done=reported.extend)
        assert len(report.added) == 16 and len(report.unchanged) == 14
        assert len(archive) == 30 and sorted(reported) == sorted(d.id for d in docs)
        bands, vectors = archive.sync_indexes()
        assert bands.indexed == 30 and vectors.indexed == 30


class AddRun:
    """``filiation archive add DB CORPUS -v`` as a child process; its standard output read as it
    comes (whole lines only: a kill can cut the last one)."""

    def __init__(self, db: Path, corpus: Path, log: Path):
        self.lines: list[str] = []
        self.eof = False
        self.cond = threading.Condition()
        self.started = time.monotonic()
        with open(log, "ab") as err:
            self.proc = subprocess.Popen([str(FILIATION), "archive", "add", str(db), str(corpus), "-v"],
                                         stdout=subprocess.PIPE, stderr=err, cwd=ROOT, env=_env(), bufsize=0)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        pending = b""
        fd = self.proc.stdout.fileno()
        while chunk := os.read(fd, 1 << 16):
            pending += chunk
            *whole, pending = pending.split(b"\n")
            with self.cond:
                self.lines.extend(line.decode() for line in whole)
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def added(self) -> list[str]:
        with self.cond:
            return [line[len("added "):] for line in self.lines if line.startswith("added ")]

    def wait_for_added(self, count: int, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.eof or sum(l.startswith("added ") for l in self.lines) >= count, timeout)

    def wait_eof(self, timeout: float) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: self.eof, timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)

    def finish(self, timeout: float = 300) -> int:
        code = self.proc.wait(timeout)
        self.reader.join(timeout)
        self.proc.stdout.close()
        return code


# what a save of the indexes writes, in order (bands.py BandIndex.save, then vectors.py VectorIndex.save)
SAVE_STEPS = (".band-keys.npy.tmp", "band-keys.npy", ".band-docs.npy.tmp", "band-docs.npy", ".bands.json.tmp",
              "bands.json", ".vectors.faiss.tmp", "vectors.faiss", ".vectors.json.tmp", "vectors.json")


def _files(folder: Path) -> dict[str, tuple]:
    out = {}
    for name in SAVE_STEPS:
        try:
            st = os.stat(folder / name)
        except OSError:
            continue
        out[name] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def _rows(db: Path) -> int:
    if not db.exists():
        return 0
    con = sqlite3.connect(db)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return 0
        return con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    finally:
        con.close()


@dataclass
class Trial:
    strategy: str
    rows_before: int
    rows_after: int = 0
    printed: int = 0
    killed: bool = False
    seconds: float = 0.0
    saved_bands: str = ""
    saved_vectors: str = ""

    @property
    def phase(self) -> str:
        if not self.killed:
            return "finished before the kill"
        if self.rows_after == self.rows_before:
            return "before its first commit"
        if self.rows_after < CORPUS_DOCS:
            return "between commits"
        return "after its last commit (indexes)"


def _saved_state(index_dir: Path, rows: int, dim: int) -> tuple[str, str]:
    """What a kill left of the saved indexes: 'whole', 'behind' or 'torn/missing'."""
    bands = BandIndex.load(index_dir, FAST.bands, FAST.rows)
    vectors = VectorIndex.load(index_dir, dim)
    b = "torn/missing" if bands is None else ("whole" if bands.documents == rows else "behind")
    v = "torn/missing" if vectors is None else ("whole" if vectors.index.ntotal == rows else "behind")
    return b, v


def _verify_archive(db: Path, corpus: Corpus, printed: list[str], dim: int) -> int:
    """The archive after whatever happened: it opens, SQLite finds it intact, every printed id is
    there whole, no document is there in part, and a fresh Archive checks against all of it."""
    texts = corpus.texts
    if not db.exists():
        assert printed == []
        return 0
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in tables:  # killed before the schema's transaction committed
            assert printed == [] and tables <= {"meta"}
            return 0
        assert tables >= {"meta", "documents", "checks", "seen"}
        rows = con.execute("SELECT n, id, digest, text, length(signature), length(vector), signature, vector FROM documents ORDER BY n").fetchall()
    finally:
        con.close()
    ids = [r[1] for r in rows]
    assert len(set(ids)) == len(ids)
    assert set(printed) <= set(ids), "an id printed as added is missing"
    assert len(rows) % archive_module.BATCH == 0, f"{len(rows)} rows: part of a batch was committed"
    for n, i, digest, text, sig_len, vec_len, sig, vec in rows:
        assert text == texts[i]
        assert digest == hashlib.sha256(text.encode()).hexdigest()
        assert sig_len == FAST.num_perm * 8 and vec_len == dim * 4
        assert np.isfinite(np.frombuffer(vec, dtype=np.float32)).all()
    if rows:
        assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    with Archive(db, FAST) as archive:
        bands, vectors = archive.sync_indexes()
        assert bands.indexed == len(rows) and vectors.indexed == len(rows)
        if rows:  # the last document committed is found: the index was caught up to the end
            last = rows[-1]
            related = _related(archive.check(Document("probe", last[3])))
            assert last[1] in related and related[last[1]].relation == "duplicate"
        else:
            assert archive.check(Document("probe", corpus.docs[0]["text"])).pairs == []
    return len(rows)


def _killed_run(db: Path, corpus: Corpus, strategy: tuple, dim: int, log: Path) -> Trial:
    """One ``archive add`` of the whole corpus into ``db``, killed as ``strategy`` says:
    ("time", seconds) after its start; ("lines", k, seconds) after k ids were printed;
    ("save", step) once all its ids were printed and the index save reached ``step``."""
    index_dir = Path(str(db) + ".index")
    trial = Trial(repr(strategy), _rows(db))
    before = _files(index_dir)
    run = AddRun(db, corpus.path, log)
    if strategy[0] == "time":
        run.wait_eof(strategy[1])
    elif strategy[0] == "lines":
        if run.wait_for_added(strategy[1], 300) and not run.eof:
            time.sleep(strategy[2])
    elif strategy[0] == "save":
        later = SAVE_STEPS[strategy[1]:]
        run.wait_for_added(CORPUS_DOCS - trial.rows_before, 300)
        while run.proc.poll() is None:
            now = _files(index_dir)
            if any(now.get(name) != before.get(name) and name in now for name in later):
                break
            time.sleep(0.0005)
    trial.killed = run.proc.poll() is None
    run.kill()
    code = run.finish()
    trial.seconds = time.monotonic() - run.started
    if not trial.killed or code != -signal.SIGKILL:
        assert code == 0, log.read_text(errors="replace")[-2000:]
        trial.killed = False
    printed = run.added()
    trial.printed = len(printed)
    trial.saved_bands, trial.saved_vectors = _saved_state(index_dir, _rows(db), dim)
    trial.rows_after = _verify_archive(db, corpus, printed, dim)
    assert trial.rows_after >= trial.rows_before + trial.printed
    if not trial.killed:
        assert trial.rows_after == CORPUS_DOCS
    return trial


SUMMARY = re.compile(r"(\d+) added, (\d+) already archived; (.+) holds (\d+) documents")


def _complete(db: Path, corpus: Corpus, dim: int) -> None:
    """Re-run the same add to its end: it adds what is missing and ends with the whole corpus."""
    before = _rows(db)
    done = _cli("archive", "add", db, corpus.path)
    assert done.returncode == 0, done.stderr[-2000:]
    match = SUMMARY.search(" ".join(done.stdout.split()))
    assert match, done.stdout
    added, unchanged, where, total = (int(match[1]), int(match[2]), match[3], int(match[4]))
    assert (added, unchanged, where, total) == (CORPUS_DOCS - before, before, str(db), CORPUS_DOCS)
    assert _verify_archive(db, corpus, [d["id"] for d in corpus.docs], dim) == CORPUS_DOCS


def _report(trials: list[Trial]) -> str:
    lines = [f"{len(trials)} kill trials of 'filiation archive add' ({CORPUS_DOCS} documents, commits of "
             f"{archive_module.BATCH}):"]
    for phase in ("before its first commit", "between commits", "after its last commit (indexes)", "finished before the kill"):
        some = [t for t in trials if t.phase == phase]
        lines.append(f"  {phase:<34} {len(some):>3}")
    lagging = sum(t.rows_after - t.rows_before > t.printed for t in trials if t.killed)
    lines.append(f"  killed after a commit but before its ids were printed: {lagging}")
    saved = {}
    for t in trials:
        if t.phase == "after its last commit (indexes)":
            saved[(t.saved_bands, t.saved_vectors)] = saved.get((t.saved_bands, t.saved_vectors), 0) + 1
    for (b, v), k in sorted(saved.items()):
        lines.append(f"  killed after the last commit leaving bands {b}, vectors {v}: {k}")
    for t in trials:
        lines.append(f"    {t.strategy:<28} rows {t.rows_before:>4} -> {t.rows_after:>4}  printed {t.printed:>4}  "
                     f"{t.seconds:5.1f} s  {t.phase}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def dim() -> int:
    from filiation.embed import static_encoder

    return static_encoder().dim


def test_killed_add_leaves_a_whole_archive_that_a_rerun_completes(tmp_path, corpus, dim) -> None:
    """Three kills with SIGKILL: before the first commit; after all commits, in the index save;
    between commits.  After each: the archive is intact and a fresh Archive checks against it;
    then the same add, run again, completes."""
    rng = random.Random(20240611)
    log = tmp_path / "stderr.log"
    trials = []
    one = tmp_path / "one" / "archive.db"
    one.parent.mkdir()
    trials.append(_killed_run(one, corpus, ("time", round(rng.uniform(0.2, 1.0), 2)), dim, log))
    assert trials[-1].phase == "before its first commit"
    trials.append(_killed_run(one, corpus, ("save", rng.randrange(len(SAVE_STEPS))), dim, log))
    assert trials[-1].rows_after == CORPUS_DOCS
    _complete(one, corpus, dim)

    two = tmp_path / "two" / "archive.db"
    two.parent.mkdir()
    trials.append(_killed_run(two, corpus, ("lines", 1000, round(rng.uniform(0.1, 1.5), 2)), dim, log))
    assert trials[-1].rows_after >= 1000
    _complete(two, corpus, dim)
    print(_report(trials))


@pytest.mark.slow
def test_many_kills_at_random_moments(tmp_path, corpus, dim) -> None:
    """100 kills (seeded): at a random time, some time after the k-th thousand ids, or at a step
    of the index save.  A killed archive is the next run's starting point (a re-run after a
    crash, itself perhaps killed); a run that completes starts a fresh archive."""
    trials_wanted = int(os.environ.get("FILIATION_KILL_TRIALS", "100"))
    rng = random.Random(1117)
    log = tmp_path / "stderr.log"
    trials: list[Trial] = []
    chain = 0
    db = tmp_path / f"chain-{chain}" / "archive.db"
    db.parent.mkdir()
    while len(trials) < trials_wanted:
        pick = rng.random()
        if pick < 0.4:
            strategy = ("time", round(rng.uniform(0.1, 10.0), 2))
        elif pick < 0.7:
            strategy = ("lines", rng.choice((1, 1000, 2000)), round(rng.uniform(0.0, 2.5), 2))
        else:
            strategy = ("save", rng.randrange(len(SAVE_STEPS)))
        trials.append(_killed_run(db, corpus, strategy, dim, log))
        if trials[-1].rows_after == CORPUS_DOCS:
            _complete(db, corpus, dim)
            shutil.rmtree(db.parent)  # 20 MB a chain
            chain += 1
            db = tmp_path / f"chain-{chain}" / "archive.db"
            db.parent.mkdir()
    if _rows(db):
        _complete(db, corpus, dim)
    report = _report(trials)
    print(report)
    (tmp_path / "kill-trials.txt").write_text(report)
    if trials_wanted >= 50:  # kills landed at every kind of moment
        phases = {t.phase for t in trials}
        assert {"before its first commit", "between commits", "after its last commit (indexes)"} <= phases


# ---- 5. two writers at once ------------------------------------------------------------------

def test_two_processes_adding_at_once_take_turns(tmp_path, corpus, dim) -> None:
    """Two ``archive add`` at once on one archive, 1,200 documents each, 400 of them in both
    (each run is two batches, so their commits interleave): both succeed, each id is there once,
    and the saved indexes cover both."""
    docs = corpus.docs[:2000]
    first = corpus.write(tmp_path / "first.jsonl", docs[:1200])
    second = corpus.write(tmp_path / "second.jsonl", docs[800:])
    db = tmp_path / "archive.db"
    log = tmp_path / "stderr.log"
    runs = [AddRun(db, first, log), AddRun(db, second, log)]
    codes = [run.finish(300) for run in runs]
    assert codes == [0, 0], log.read_text(errors="replace")[-3000:]
    summaries = [SUMMARY.search(" ".join(" ".join(l for l in run.lines if not l.startswith("added ")).split())) for run in runs]
    assert all(summaries), [run.lines[-3:] for run in runs]
    added = [int(m[1]) for m in summaries]
    unchanged = [int(m[2]) for m in summaries]
    assert [a + u for a, u in zip(added, unchanged)] == [1200, 1200]
    assert sum(added) == 2000 and sum(unchanged) == 400
    printed = runs[0].added() + runs[1].added()
    assert sorted(printed) == sorted(d["id"] for d in docs)  # each id added by exactly one of them

    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        ids = [i for (i,) in con.execute("SELECT id FROM documents")]
    finally:
        con.close()
    assert sorted(ids) == sorted(d["id"] for d in docs)

    # the indexes saved last
    index_dir = tmp_path / "archive.db.index"
    bands = BandIndex.load(index_dir, FAST.bands, FAST.rows)
    vectors = VectorIndex.load(index_dir, dim)
    # the saved bases may lag (a tail under Archive.fold_at is kept in memory, rebuilt from the
    # database), but each is whole for what it covers, and an opened archive indexes all 2,000
    assert bands is not None and vectors is not None
    with Archive(db, FAST) as archive:
        assert bands.documents == archive.store.count_upto(bands.covered)
        assert vectors.index.ntotal == archive.store.count_upto(vectors.covered)
        b, v = archive.sync_indexes()
        assert b.indexed == 2000 and b.newest == 2000 and v.indexed == 2000

    # planted copies: a derivative archived by one run is found against its source, from either half
    where = {d["id"]: k for k, d in enumerate(docs)}
    planted = [t for t in corpus.truth if t["kind"] != "rewrite" and t["source"] in where and t["derived"] in where]
    only_first = [t for t in planted if where[t["derived"]] < 800][:2]
    only_second = [t for t in planted if where[t["derived"]] >= 1200][:2]
    assert only_first and only_second
    texts = corpus.texts
    with Archive(db, FAST) as archive:
        for t in only_first + only_second:
            related = _related(archive.check(Document(t["derived"], texts[t["derived"]]), save=False))
            assert t["source"] in related, t
            assert related[t["source"]].relation in REUSE, (t, related[t["source"]])


# ---- 6. the command line -----------------------------------------------------------------------

def test_cli_add_summary_and_check_json(tmp_path, seeds, seed_results) -> None:
    db = tmp_path / "archive.db"
    files = [seeds[k].path for k in ("000", "001", "002", "004")]
    done = _cli("archive", "add", db, *files)
    assert done.returncode == 0, done.stderr
    assert " ".join(done.stdout.split()) == f"4 added, 0 already archived; {db} holds 4 documents"
    again = _cli("archive", "add", db, *files, "-v")
    assert again.returncode == 0, again.stderr
    assert " ".join(again.stdout.split()) == f"0 added, 4 already archived; {db} holds 4 documents"

    checked = _cli("check", db, seeds["003"].path, "--json", "--mode", "fast")
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert row["document"] == seeds["003"].id
    # pairs are pairs.jsonl rows (ids as 'filiation analyze' writes them), with their passages
    analysed = {(r["a"], r["b"]): r for r in read_jsonl(seed_results / "pairs.jsonl")}
    assert row["pairs"]
    for pair in row["pairs"]:
        assert (pair["a"], pair["b"]) in analysed
        assert set(pair) - {"passages"} == set(analysed[(pair["a"], pair["b"])])
    by_other = {p["a"] if p["b"] == seeds["003"].id else p["b"]: p for p in row["pairs"]}
    assert by_other[seeds["000"].id]["relation"] == "summary" and by_other[seeds["000"].id]["direction"] == "a->b"
    assert by_other[seeds["004"].id]["relation"] == "same_event"


def test_cli_check_of_a_missing_archive_exits_2_naming_it(tmp_path, seeds) -> None:
    missing = tmp_path / "nowhere.db"
    done = _cli("check", missing, seeds["003"].path, "--mode", "fast")
    assert done.returncode == 2
    assert str(missing) in " ".join(done.stderr.split()) and "no such archive" in done.stderr
    assert "Traceback" not in done.stderr
    assert not missing.exists()


@pytest.mark.parametrize("command", ["check", "archive add"])
def test_cli_a_file_that_is_not_sqlite_exits_2(tmp_path, seeds, command) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 50)
    before = bogus.read_bytes()
    args = ["check", bogus, seeds["003"].path, "--mode", "fast"] if command == "check" else ["archive", "add", bogus, seeds["003"].path]
    done = _cli(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert str(bogus) in " ".join(done.stderr.split()) and "not a filiation archive" in done.stderr
    assert bogus.read_bytes() == before


def test_cli_add_summary_is_one_line_when_piped(tmp_path, seeds) -> None:
    db = tmp_path / ("a-folder-with-a-long-name-" * 3) / "archive.db"
    db.parent.mkdir()
    env = {k: v for k, v in _env().items() if k != "COLUMNS"}
    done = _cli("archive", "add", db, seeds["000"].path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"1 added, 0 already archived; {db} holds 1 documents\n"

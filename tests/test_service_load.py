"""The archive's check route under load, over real HTTP (uvicorn on a loopback port): many
concurrent clients, every request answered 200 with the result for the article it sent,
never a 5xx, and the rest of the service answering while checks wait their turn.

The load is bench/load_check.py's (``hammer``: one keep-alive connection per client, each
posting its next article as soon as the last is answered).  The CI-sized test runs 50
clients for 3 s against a small archive in fast mode; the slow one runs the script itself,
200 clients for 30 s against 2,000 archived documents, as docs/reliability.md reports it.
No latency is asserted: the machine running the tests sets it.
"""
from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, running

from filiation.archive import Archive
from filiation.model import Document
from filiation.service import create_app
from filiation.settings import Settings

SCRIPT = ROOT / "bench" / "load_check.py"
ARCHIVED = 300  # documents in the small archive
SENTENCES = 8  # per document
QUEUED = 45  # checks queued at once: more than the 40 threads of the server's pool


def _load_check():
    spec = importlib.util.spec_from_file_location("load_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_check"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


load_check = _load_check()


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    """``ARCHIVED`` documents of 8 sentences made from the seeds' (nothing outside the
    project; short, so that a check takes ~0.1 s: 30 seed sentences make every document a
    neighbour of every other, ~0.4 s a check)."""
    path = tmp_path_factory.mktemp("load-archive") / "archive.db"
    make = load_check.seed_generator(13, SENTENCES)
    with Archive(path, Settings(mode="fast")) as archive:
        archive.add(Document(f"a{i + 1:06d}", make(i)) for i in range(ARCHIVED))
    return path


@pytest.fixture(scope="module")
def articles(small_archive) -> list[dict]:
    """Exact copies and edited copies of archived documents, and fresh documents, interleaved."""
    return load_check.article_pool(small_archive, per_kind=30, fresh=load_check.seed_generator(99, SENTENCES))


def test_50_concurrent_clients_for_3_seconds_every_check_answered(small_archive, articles) -> None:
    clients = 50
    with running(create_app(archive=small_archive, archive_mode="fast")) as url:
        load, probe = asyncio.run(load_check.hammer(url, clients, 3.0, timeout=300, articles=articles, probe_every=0.5))
    report = "\n".join(load_check.describe("check", load) + load_check.describe("probe", probe))
    assert load.sent >= clients, report
    assert not load.errors and load.answered == load.sent, report  # every request got an answer
    assert dict(load.statuses) == {200: load.sent}, report  # and it was a 200: no 5xx, no 4xx
    assert load.wrong == 0, report  # each answer is the result for the article sent
    # copies are found as such whatever else is being checked at the same moment
    assert load.kinds["copy"] and load.found["copy"] == load.kinds["copy"], report
    assert load.found["edited"] == load.kinds["edited"], report
    assert probe.sent and not probe.errors and dict(probe.statuses) == {200: probe.sent}, report


def test_other_routes_answer_while_checks_queue(small_archive, seed_results, monkeypatch) -> None:
    """``QUEUED`` checks queued behind one that cannot finish: more than the 40 threads of
    the server's pool.  Pages, results and the archive's size still answer; then every check
    does.  (Checks that each held a pool thread while waiting for the archive starved
    every other route until the archive was free.)"""
    entered, gate = threading.Event(), threading.Event()
    check = Archive.check

    def held(self, document, save=True):
        entered.set()
        assert gate.wait(120), "the test never let the checks go"
        return check(self, document, save)

    monkeypatch.setattr(Archive, "check", held)
    body = {"documents": [{"id": "queued", "text": "A few words about cooking pasta, unlike anything archived."}]}
    with running(create_app(seed_results, archive=small_archive, archive_mode="fast")) as url, \
            ThreadPoolExecutor(max_workers=QUEUED) as pool:
        try:
            queued = [pool.submit(httpx.post, f"{url}/api/archive/check", json=body, timeout=300) for _ in range(QUEUED)]
            assert entered.wait(60), "no check reached the archive"
            time.sleep(1.0)  # the others reach the server and wait
            with httpx.Client(base_url=url, timeout=30) as client:
                for path in ("/api/overview", "/api/archive", "/"):
                    answer = client.get(path)
                    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
                assert client.get("/api/archive").json() == {"documents": ARCHIVED}
            assert not any(f.done() for f in queued)  # they were still waiting
        finally:
            gate.set()
        answers = [f.result() for f in queued]
    assert [a.status_code for a in answers] == [200] * QUEUED
    assert all(a.json()[0]["document"] == "queued" for a in answers)


@pytest.mark.slow
def test_200_concurrent_clients_for_30_seconds(tmp_path) -> None:
    """bench/load_check.py as docs/reliability.md runs it: exit 0 means every request was
    answered 200 with its result."""
    done = subprocess.run([sys.executable, str(SCRIPT), "--clients", "200", "--seconds", "30", "--mode", "fast",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "fast: every request answered 200 (5xx: 0)" in done.stdout, done.stdout[-4000:]

"""Load: many concurrent ``POST /api/archive/check`` against a real server on loopback.

    python bench/load_check.py                                  # 200 clients x 30 s, fast mode
    python bench/load_check.py [--docs 2000] [--archive PATH] [--clients 200] [--seconds 30]
                               [--mode fast|full|both] [--baseline-seconds 10] [--timeout 300]
                               [--out bench/out/load-2000]

The archive: ``--archive PATH`` (reused as it is), else ``--docs`` news-length documents
archived once in ``OUT/archive.db`` and reused by later runs.  The documents come from
``bench/corpus.py``'s generator over MSRP sentences when ``../shared/data/msrp`` exists, else
from the seed articles' sentences shuffled into distinct documents (as tests/test_archive.py
builds its corpus), so the script runs wherever the project is cloned.

The server: ``filiation serve --archive A --mode M`` in its own process on 127.0.0.1 (a free
port), as a user starts it.  The clients: one asyncio process, ``--clients`` workers, each
with an ``httpx.AsyncClient`` of its own (one keep-alive connection: ``--clients`` connections
in all), posting one article per request, the next as soon as the last is answered, for
``--seconds``; requests in flight when the time is up are waited for (``--timeout`` each) and
counted.  The articles cycle through a pool of
three kinds: exact copies of archived documents under new ids, edited copies (every fourth
sentence cut, 3 % of the words replaced), and fresh documents the archive does not hold.
Every answer is checked: 200, one result, for the document sent.

Printed per mode: requests sent, answered, by status, wrong answers, errors and timeouts
(no answer), latency p50/p90/p99/max, throughput, how many copies/edits found their source,
the latency of a cheap probe (``GET /api/archive``, twice a second) while the load runs (the
rest of the service must keep answering while checks queue), the server's CPU time per
answered request (what the machine's other load does not change much: the latency is the
queue, about clients x that), and the server's peak RSS.  Exit status 1 if any request got a 5xx, another non-200, a wrong
answer or no answer at all.

The ratio: the project's benchmarks print a ratio against a peer on the same input.  A load
test has no natural peer, so the ratio printed is against a trivial baseline endpoint on the
same server: ``GET /api/archive`` (one count, no analysis) driven by the same number of
clients in the same run, just before the check load (``--baseline-seconds``).  It says what
the check itself costs under this concurrency over what HTTP, uvicorn and the client cost.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
MSRP = ROOT.parent / "shared" / "data" / "msrp"
KINDS = ("copy", "edited", "fresh")


# ---- the archive and the articles sent -------------------------------------------------------

def seed_generator(seed: int, sentences_per_document: int = 30) -> Callable[[int], str]:
    """Document ``i`` made of 30 seed sentences, the words of each placement shuffled: random
    documents share no 5-gram (tests/test_archive.py's corpus, made per document)."""
    from filiation.read import read_paths
    from filiation.text.sentences import split_sentences

    texts = [d.text for d in read_paths(sorted(SEEDS.glob("*.txt"))).documents]
    sentences = [w for w in (t[a:b].split() for t in texts for a, b in split_sentences(t)) if len(w) >= 6]

    def make(i: int) -> str:
        rng = random.Random(f"{seed}:seeds:{i}")
        return " ".join(" ".join(rng.sample(w, len(w))) + "." for w in rng.choices(sentences, k=sentences_per_document))

    return make


def _msrp_generator(seed: int) -> Callable[[int], str]:
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus

    gen = corpus.Generator(*corpus.load_msrp(MSRP), seed)
    return lambda i: corpus.render(gen.base(i))


def generator(seed: int) -> tuple[str, Callable[[int], str]]:
    """``(what, make)``: ``make(i)`` is document ``i``'s text, the same for a given seed."""
    if (MSRP / "msr_paraphrase_train.txt").exists():
        return "MSRP sentences (bench/corpus.py's generator)", _msrp_generator(seed)
    return "the seed articles' sentences, shuffled", seed_generator(seed)


def build_archive(path: Path, docs: int, mode: str = "fast", seed: int = 13) -> str:
    """Archive ``docs`` generated documents at ``path`` (reused when already complete)."""
    from filiation.archive import Archive
    from filiation.model import Document
    from filiation.settings import Settings

    done = path.with_suffix(".json")
    what, make = generator(seed)
    if path.exists() and done.exists() and json.loads(done.read_text()).get("docs") == docs:
        return f"reused {path} ({docs} documents from {json.loads(done.read_text())['from']})"
    for stale in (path, Path(str(path) + ".index"), Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with Archive(path, Settings(mode=mode)) as archive:  # type: ignore[arg-type]
        archive.add(Document(f"a{i + 1:06d}", make(i)) for i in range(docs))
    done.write_text(json.dumps({"docs": docs, "from": what, "seed": seed}))
    return f"built {path}: {docs} documents from {what} in {time.perf_counter() - started:.1f} s"


def _edit(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    """Every fourth sentence cut, 3 % of the remaining words replaced."""
    sentences = [s for k, s in enumerate(re.split(r"(?<=[.!?])\s+", text)) if k % 4 != 1]
    words = " ".join(sentences).split()
    return " ".join(rng.choice(vocabulary) if rng.random() < 0.03 else w for w in words)


def article_pool(archive: Path, per_kind: int = 100, seed: int = 7,
                 fresh: Optional[Callable[[int], str]] = None) -> list[dict]:
    """``per_kind`` articles of each kind in ``KINDS``, interleaved: ``{"id", "text", "kind",
    "source"}`` (``source``: the archived id a copy or edit was made from).  ``fresh(i)``
    makes the fresh ones (default: ``generator``'s, with a seed of their own)."""
    db = sqlite3.connect(f"file:{archive}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT id, text FROM documents ORDER BY n").fetchall()
    finally:
        db.close()
    if not rows:
        raise SystemExit(f"{archive} holds no documents")
    rng = random.Random(seed)
    picked = [rows[rng.randrange(len(rows))] for _ in range(2 * per_kind)]
    vocabulary = [w for _, t in picked[:20] for w in t.split()]
    make = fresh or generator(seed + 1)[1]  # another seed: documents the archive does not hold
    pool = {
        "copy": [{"id": f"load-copy-{k}", "text": t, "source": i} for k, (i, t) in enumerate(picked[:per_kind])],
        "edited": [{"id": f"load-edited-{k}", "text": _edit(t, rng, vocabulary), "source": i}
                   for k, (i, t) in enumerate(picked[per_kind:])],
        "fresh": [{"id": f"load-fresh-{k}", "text": make(10_000_000 + k), "source": None} for k in range(per_kind)],
    }
    return [dict(pool[kind][k], kind=kind) for k in range(per_kind) for kind in KINDS]


# ---- the load ------------------------------------------------------------------------------

@dataclass
class Stats:
    sent: int = 0
    answered: int = 0
    statuses: Counter = field(default_factory=Counter)
    wrong: int = 0  # a 200 whose body is not the result asked for
    errors: Counter = field(default_factory=Counter)  # no answer: exception name -> count
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only
    elapsed: float = 0.0  # first request sent .. last answer in
    found: Counter = field(default_factory=Counter)  # kind -> answers naming the source
    kinds: Counter = field(default_factory=Counter)  # kind -> 200 answers
    samples: list[str] = field(default_factory=list)  # a few failures, for the log

    @property
    def failed(self) -> int:
        """Requests without a right 200 answer: 5xx, other statuses, wrong bodies, no answer."""
        return self.sent - self.statuses.get(200, 0) + self.wrong

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))]  # nearest rank

    @property
    def throughput(self) -> float:
        return self.answered / self.elapsed if self.elapsed else 0.0


def _check_answer(article: dict, body, stats: Stats) -> None:
    if not (isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict)
            and body[0].get("document") == article["id"] and isinstance(body[0].get("pairs"), list)):
        stats.wrong += 1
        if len(stats.samples) < 5:
            stats.samples.append(f"wrong answer for {article['id']}: {str(body)[:200]}")
        return
    stats.kinds[article["kind"]] += 1
    if article["source"] is not None and any(article["source"] in (p.get("a"), p.get("b")) for p in body[0]["pairs"]):
        stats.found[article["kind"]] += 1


async def hammer(url: str, clients: int, seconds: float, timeout: float,
                 articles: Optional[list[dict]] = None, probe_every: float = 0.0) -> tuple[Stats, Stats]:
    """``clients`` workers, each sending its next request when the last is answered, for
    ``seconds``: ``POST /api/archive/check`` with ``articles`` (cycled), or ``GET /api/archive``
    when ``articles`` is None.  With ``probe_every``, one more client times ``GET /api/archive``
    that often while the load runs.  Returns ``(load, probe)``."""
    import httpx

    stats, probe = Stats(), Stats()
    # one client (one keep-alive connection) per worker: one client holding 200 connections
    # cost ~8 ms of client CPU per request in httpx's pool (measured), which made the client,
    # not the server, the bottleneck; all made before the clock starts, sharing one SSL
    # context (unused on http://, but each client would otherwise build its own, ~20 ms)
    tls = ssl.create_default_context()
    connections = [httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(timeout), verify=tls,
                                     limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
                   for _ in range(clients + 1)]
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + seconds
    last_answer = started

    async def one(client, out: Stats, article: Optional[dict]) -> None:
        nonlocal last_answer
        out.sent += 1
        t = time.perf_counter()
        try:
            if article is None:
                r = await client.get("/api/archive")
            else:
                r = await client.post("/api/archive/check",
                                      json={"documents": [{"id": article["id"], "text": article["text"]}]})
        except httpx.HTTPError as exc:
            out.errors[type(exc).__name__] += 1
            if len(out.samples) < 5:
                out.samples.append(f"no answer: {type(exc).__name__}: {exc}")
            return
        out.latencies.append(time.perf_counter() - t)
        out.answered += 1
        out.statuses[r.status_code] += 1
        last_answer = loop.time()
        if r.status_code != 200:
            if len(out.samples) < 5:
                out.samples.append(f"{r.status_code}: {r.text[:200]}")
        elif article is not None:
            _check_answer(article, r.json(), out)
        elif not isinstance(r.json().get("documents"), int):
            out.wrong += 1

    async def worker(k: int) -> None:
        i = k
        while loop.time() < deadline:
            await one(connections[k], stats, articles[i % len(articles)] if articles else None)
            i += clients

    async def prober() -> None:
        while loop.time() < deadline:
            await asyncio.sleep(probe_every)
            await one(connections[-1], probe, None)

    try:
        await asyncio.gather(*(worker(k) for k in range(clients)), *([prober()] if probe_every else []))
    finally:
        stats.elapsed = last_answer - started  # the probe's elapsed stays 0: it sets no pace
        for client in connections:
            await client.aclose()
    return stats, probe


# ---- the server ------------------------------------------------------------------------------

def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(archive: Path, mode: str, log: Path):
    """``filiation serve --archive ARCHIVE --mode MODE`` on a free loopback port; yields
    ``(url, pid)`` once it answers."""
    import httpx

    port = free_port()
    exe = Path(sys.executable).with_name("filiation")
    command = [str(exe)] if exe.exists() else [sys.executable, "-c", "from filiation.cli import main; main()"]
    with open(log, "w") as err:
        proc = subprocess.Popen([*command, "serve", "--archive", str(archive), "--mode", mode, "--port", str(port)],
                                stdout=err, stderr=subprocess.STDOUT, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"the server exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/api/archive", timeout=5).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer within 120 s")
                time.sleep(0.2)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used (user + system, all its threads); NaN where /proc does not say."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), MB; NaN where /proc does not say."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


# ---- report ----------------------------------------------------------------------------------

def _ms(x: float) -> str:
    return f"{x * 1000:,.0f} ms" if x >= 0.1 else f"{x * 1000:.1f} ms"


def describe(name: str, s: Stats) -> list[str]:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(s.statuses.items())) or "none"
    errors = ", ".join(f"{k}: {v}" for k, v in s.errors.most_common()) or "none"
    lines = [f"{name}: {s.sent} sent, {s.answered} answered ({statuses}); wrong answers {s.wrong}; "
             f"no answer {sum(s.errors.values())} ({errors})",
             f"  latency p50 {_ms(s.percentile(50))}, p90 {_ms(s.percentile(90))}, p99 {_ms(s.percentile(99))}, "
             f"max {_ms(max(s.latencies, default=float('nan')))}"
             + (f"; {s.throughput:.1f} answers/s over {s.elapsed:.1f} s" if s.elapsed else "")]
    lines += [f"  {x}" for x in s.samples]
    return lines


def run_mode(archive: Path, mode: str, args, articles: list[dict], out: Path) -> bool:
    """One server in ``mode``: warm-up, the baseline, the check load.  True when every check
    request was answered 200 with its result."""
    import httpx

    print(f"\n== mode {mode}: {args.clients} clients, {args.seconds:g} s of checks ==", flush=True)
    with serving(archive, mode, out / f"server-{mode}.log") as (url, pid):
        t = time.perf_counter()
        for article in articles[:3]:  # models loaded, indexes read: not part of the load
            r = httpx.post(f"{url}/api/archive/check", timeout=args.timeout,
                           json={"documents": [{"id": article["id"], "text": article["text"]}]})
            r.raise_for_status()
        print(f"warm-up (3 checks one by one): {time.perf_counter() - t:.1f} s", flush=True)
        cpu = [cpu_seconds(pid)]
        base, _ = asyncio.run(hammer(url, args.clients, args.baseline_seconds, args.timeout))
        cpu.append(cpu_seconds(pid))
        load, probe = asyncio.run(hammer(url, args.clients, args.seconds, args.timeout, articles, probe_every=0.5))
        cpu.append(cpu_seconds(pid))
        rss = peak_rss_mb(pid)
    for line in [*describe(f"baseline GET /api/archive ({args.baseline_seconds:g} s)", base),
                 *describe("POST /api/archive/check", load),
                 *describe("probe GET /api/archive during the check load", probe)]:
        print(line)
    found = ", ".join(f"{k} {load.found[k]}/{load.kinds[k]}" for k in ("copy", "edited"))
    print(f"  answers naming the archived source: {found}; fresh articles answered: {load.kinds['fresh']}")
    print(f"ratio check/baseline (same server, {args.clients} clients): p50 {load.percentile(50) / base.percentile(50):,.0f}x, "
          f"p99 {load.percentile(99) / base.percentile(99):,.0f}x; throughput {base.throughput / max(load.throughput, 1e-9):,.0f}x lower")
    print(f"server CPU per answered request: baseline {(cpu[1] - cpu[0]) / max(base.answered, 1) * 1000:.1f} ms, "
          f"check {(cpu[2] - cpu[1]) / max(load.answered + probe.answered, 1) * 1000:.0f} ms "
          f"(server busy {(cpu[2] - cpu[1]) / max(load.elapsed, 1e-9):.0%} of one CPU during the check load)")
    print(f"server peak RSS: {rss:,.0f} MB", flush=True)
    ok = load.failed == 0 and load.answered == load.sent and base.failed == 0 and probe.failed == 0
    print(f"{mode}: {'every request answered 200' if ok else 'FAILED: some requests got no right answer'} "
          f"(5xx: {load.server_errors + base.server_errors + probe.server_errors})")
    if not ok:
        print((out / f"server-{mode}.log").read_text()[-3000:])
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000, help="documents to archive (ignored with --archive)")
    ap.add_argument("--archive", type=Path, help="an existing archive to load (else one is built in --out)")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--baseline-seconds", type=float, default=10.0)
    ap.add_argument("--mode", choices=("fast", "full", "both"), default="fast")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds one request may take before it counts as unanswered")
    ap.add_argument("--out", type=Path, help="where the archive and server logs go (default bench/out/load-DOCS)")
    args = ap.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    out = args.out or ROOT / "bench" / "out" / f"load-{args.docs}"
    out.mkdir(parents=True, exist_ok=True)

    import httpx
    print(f"python {sys.version.split()[0]}, httpx {httpx.__version__}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.archive:
        if not args.archive.exists():
            raise SystemExit(f"{args.archive}: no such archive")
        archive = args.archive
        print(f"archive {archive} (given)")
    else:
        archive = out / "archive.db"
        print(build_archive(archive, args.docs))
    articles = article_pool(archive)
    print(f"articles sent: {len(articles)} ({', '.join(KINDS)} cycled), "
          f"{sum(len(a['text'].split()) for a in articles) / len(articles):.0f} words on average")
    modes = ("fast", "full") if args.mode == "both" else (args.mode,)
    results = [run_mode(archive, m, args, articles, out) for m in modes]
    print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()

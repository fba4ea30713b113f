"""``filiation watch``: feeds (RSS 2.0 and Atom, by URL or from a file) and folders, each new
article checked once against the archive, what was handled remembered in the archive.

Feeds and article pages are served by a real HTTP server on 127.0.0.1 (``http.server`` in a
thread, on a free port), so pages go through the default ``fetch_page`` (trafilatura's
fetcher) and feeds through feedparser's own fetching, as in production.  Fast mode
throughout (no transformer)."""
from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import threading
from email.utils import formatdate
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from filiation.archive import Archive
from filiation.archive.watch import feed_arrivals, fetch_page, folder_arrivals, sources_of, watch_once
from filiation.read import read_paths
from filiation.relate.direction import source_of
from filiation.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
FILIATION = Path(sys.executable).with_name("filiation")
FAST = Settings(mode="fast")
REUSE = {"duplicate", "edited_copy", "paraphrase", "summary"}


# ---- the seeds -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds() -> dict:
    """The five seed documents by their number ("000" … "004")."""
    docs = read_paths(sorted(SEEDS.glob("*.txt"))).documents
    return {d.id[:3]: d for d in docs}


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.splitlines() if p.strip()]


def _page(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in _paragraphs(text))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><article><h1>{html.escape(title)}</h1>\n{paragraphs}</article></body></html>").encode("utf-8")


# ---- a local web server: feeds, pages, a webhook --------------------------------------------

class Site:
    """What the server serves (``routes``: path -> (content type, body)), what it was asked
    for (``gets``) and what was posted to it (``posts``: (path, headers, body))."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.gets: list[str] = []
        self.posts: list[tuple[str, dict, bytes]] = []
        self.lock = threading.Lock()
        self.url = ""

    def handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with site.lock:
                    site.gets.append(self.path)
                    route = site.routes.get(self.path)
                if route is None:
                    body = b"<html><body><h1>Not Found</h1></body></html>"
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                kind, body = route
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with site.lock:
                    site.posts.append((self.path, dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

        return Handler


# The server is on loopback, which the fetcher refuses unless told otherwise (as a user with
# an intranet feed tells it with --allow-private-addresses).
FETCH = partial(fetch_page, allow_private=True)


@pytest.fixture()
def site():
    """The feed and page server on 127.0.0.1."""
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), s.handler())
    s.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield s
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


ARTICLES = ("002", "003", "004")  # the feed's articles; the archive holds 000 and 001
MISSING = "/articles/gone.html"  # a feed item whose page is a 404 (and that carries no text itself)


def _publish(site: Site, seeds: dict, numbers=ARTICLES) -> None:
    for k in numbers:
        site.routes[f"/articles/{k}.html"] = ("text/html; charset=utf-8", _page(f"Article {k}", seeds[k].text))


def _items(site: Site, numbers) -> list[dict]:
    items = [{"title": f"Article {k}", "link": f"{site.url}/articles/{k}.html", "guid": f"urn:test:{k}"} for k in numbers]
    items.append({"title": "Gone", "link": f"{site.url}{MISSING}", "guid": "urn:test:gone"})
    return items


def _rss(items: list[dict], extra: str = "") -> bytes:
    body = "".join(
        f"<item><title>{html.escape(i['title'])}</title><link>{html.escape(i['link'])}</link>"
        f"<guid isPermaLink='false'>{i['guid']}</guid><pubDate>{formatdate(1706176800 + n * 60, usegmt=True)}</pubDate></item>\n"
        for n, i in enumerate(items))
    return (f"<?xml version='1.0' encoding='UTF-8'?>\n<rss version='2.0'><channel><title>Test wire</title>"
            f"<link>http://127.0.0.1/</link><description>articles for the watch tests</description>\n{body}{extra}"
            f"</channel></rss>\n").encode("utf-8")


def _atom(items: list[dict]) -> bytes:
    body = "".join(
        f"<entry><title>{html.escape(i['title'])}</title><id>{i['guid']}</id>"
        f"<link rel='alternate' href='{html.escape(i['link'])}'/><updated>2024-01-25T10:0{n}:00Z</updated></entry>\n"
        for n, i in enumerate(items))
    return ("<?xml version='1.0' encoding='utf-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom'><title>Test wire (Atom)</title>"
            f"<id>urn:test:feed</id><updated>2024-01-25T10:00:00Z</updated>\n{body}</feed>\n").encode("utf-8")


def _archive(path: Path, seeds: dict, numbers=("000", "001")) -> Archive:
    archive = Archive(path, FAST)
    archive.add([seeds[k] for k in numbers])
    return archive


class Collected:
    def __init__(self) -> None:
        self.results = []
        self.problems = []

    def report(self, result) -> None:
        self.results.append(result)

    def warn(self, problem) -> None:
        self.problems.append(problem)

    def by_path(self) -> dict:
        """Each reported result by the last part of its document's URL (``003.html``)."""
        return {r.document.id.rsplit("/", 1)[-1]: r for r in self.results}


def _related(result) -> dict[str, object]:
    return {(p.b if p.a == result.document.id else p.a): p for p in result.pairs}


def _watch(archive: Archive, arrivals, add: bool = True) -> tuple[int, Collected]:
    seen = Collected()
    checked = watch_once(archive, arrivals, seen.report, seen.warn, add=add)
    assert checked == len(seen.results)
    return checked, seen


# ---- 1. a feed by URL --------------------------------------------------------------------------

def test_rss_feed_checks_each_entry_once_and_remembers_it(tmp_path, site, seeds) -> None:
    _publish(site, seeds)
    site.routes["/feed.xml"] = ("application/rss+xml", _rss(_items(site, ARTICLES)))
    feed = f"{site.url}/feed.xml"
    archived = {seeds["000"].id, seeds["001"].id}
    archive = _archive(tmp_path / "archive.db", seeds)

    checked, first = _watch(archive, feed_arrivals(feed, FETCH))
    assert checked == 3
    results = first.by_path()
    assert set(results) == {"002.html", "003.html", "004.html"}
    # every page was fetched from the server (fetch_page, trafilatura), the 404 one too
    assert {f"/articles/{k}.html" for k in ARTICLES} | {MISSING} <= set(site.gets)
    for k in ARTICLES:  # the text checked is the page's article text, not the feed's (empty) summary
        r = results[f"{k}.html"]
        assert r.document.id == f"127.0.0.1:{site.url.rsplit(':', 1)[1]}/articles/{k}.html"
        assert r.document.url == f"{site.url}/articles/{k}.html"
        assert r.document.title == f"Article {k}"
        assert r.document.source == "Test wire"
        assert _paragraphs(seeds[k].text)[1][:80] in r.document.text

    # 003 (a summary of the wire report): both archived excerpts are its sources
    r003 = _related(results["003.html"])
    for a in archived:
        assert r003[a].relation in REUSE, r003[a]
        assert source_of(r003[a]) == a, r003[a]
    # 002 (a paraphrase) reuses them too; 004 (the same event, reported independently) reuses nothing
    r002 = _related(results["002.html"])
    assert archived <= {a for a, p in r002.items() if p.relation in REUSE}
    r004 = _related(results["004.html"])
    assert {p.relation for a, p in r004.items() if a in archived} <= {"same_event"}
    assert all(not p.passages for a, p in r004.items() if a in archived)

    # the 404 item: a warning naming it, not an exception; the rest went on
    assert len(first.problems) == 1
    assert MISSING in str(first.problems[0])
    # each checked article was added (watch adds by default)
    assert len(archive) == 2 + 3

    # a second look: nothing new; the page that could not be fetched is tried (and warned about) again
    checked, second = _watch(archive, feed_arrivals(feed, FETCH))
    assert (checked, second.results) == (0, []) and [MISSING in str(p) for p in second.problems] == [True]
    archive.close()

    # a restarted watch (a new Archive over the same file) remembers too
    archive = Archive(tmp_path / "archive.db", FAST)
    checked, third = _watch(archive, feed_arrivals(feed, FETCH))
    assert (checked, third.results) == (0, []) and [MISSING in str(p) for p in third.problems] == [True]

    # a new item in the feed: only it is reported
    site.routes["/articles/new.html"] = ("text/html; charset=utf-8",
                                         _page("Fresh copy", "\n\n".join(_paragraphs(seeds["000"].text)[:12])))
    items = _items(site, ARTICLES)
    items.insert(0, {"title": "Fresh copy", "link": f"{site.url}/articles/new.html", "guid": "urn:test:new"})
    site.routes["/feed.xml"] = ("application/rss+xml", _rss(items))
    checked, fourth = _watch(archive, feed_arrivals(feed, FETCH))
    assert checked == 1 and len(fourth.problems) == 1
    assert list(fourth.by_path()) == ["new.html"]
    fresh = _related(fourth.results[0])
    assert fresh[seeds["000"].id].relation in REUSE
    assert len(archive) == 2 + 3 + 1
    archive.close()


def test_atom_feed(tmp_path, site, seeds) -> None:
    _publish(site, seeds)
    site.routes["/atom.xml"] = ("application/atom+xml", _atom(_items(site, ARTICLES)))
    feed = f"{site.url}/atom.xml"
    with _archive(tmp_path / "archive.db", seeds) as archive:
        checked, first = _watch(archive, feed_arrivals(feed, FETCH), add=False)
        assert checked == 3
        results = first.by_path()
        assert set(results) == {"002.html", "003.html", "004.html"}
        r003 = _related(results["003.html"])
        assert source_of(r003[seeds["000"].id]) == seeds["000"].id
        assert source_of(r003[seeds["001"].id]) == seeds["001"].id
        assert len(first.problems) == 1 and MISSING in str(first.problems[0])
        assert len(archive) == 2  # --no-add: checked, not archived
        checked, second = _watch(archive, feed_arrivals(feed, FETCH), add=False)
        assert checked == 0 and [MISSING in str(p) for p in second.problems] == [True]  # retried, not lost


def test_feed_file_on_disk(tmp_path, site, seeds) -> None:
    """A feed saved as a file: entries linking to pages are fetched; an entry without a link
    is checked from the text the feed itself carries."""
    _publish(site, seeds, ("003",))
    inline = html.escape("".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(seeds["002"].text)))
    extra = f"<item><title>Inline</title><guid isPermaLink='false'>urn:test:inline</guid><description>{inline}</description></item>\n"
    feed_file = tmp_path / "feed.xml"
    feed_file.write_bytes(_rss(_items(site, ("003",)), extra))
    with _archive(tmp_path / "archive.db", seeds) as archive:
        checked, first = _watch(archive, sources_of([], [str(feed_file)], FETCH)())
        assert checked == 2
        assert len(first.problems) == 1 and MISSING in str(first.problems[0])
        by_title = {r.document.title: r for r in first.results}
        assert set(by_title) == {"Article 003", "Inline"}
        assert "/articles/003.html" in site.gets
        assert _paragraphs(seeds["002"].text)[1][:80] in by_title["Inline"].document.text
        for title in by_title:
            related = _related(by_title[title])
            assert {seeds["000"].id, seeds["001"].id} <= {a for a, p in related.items() if p.relation in REUSE}, title
        checked, second = _watch(archive, sources_of([], [str(feed_file)], FETCH)())
        assert checked == 0 and [MISSING in str(p) for p in second.problems] == [True]  # retried, not lost


# ---- 2. a folder -----------------------------------------------------------------------------

def test_folder_watch(tmp_path, seeds) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with _archive(tmp_path / "archive.db", seeds) as archive:
        assert _watch(archive, folder_arrivals(inbox))[0] == 0

        dropped = inbox / "wire-summary.txt"
        shutil.copy(SEEDS / Path(seeds["003"].path).name, dropped)
        checked, first = _watch(archive, folder_arrivals(inbox))
        assert checked == 1 and first.problems == []
        assert first.results[0].document.id == "wire-summary"
        assert source_of(_related(first.results[0])[seeds["000"].id]) == seeds["000"].id

        # nothing new: not checked again
        assert _watch(archive, folder_arrivals(inbox))[0] == 0

        # a binary file with a text suffix, and a new file: a warning for the one, a check of the other
        (inbox / "photo.txt").write_bytes(bytes(range(256)) * 20)
        shutil.copy(SEEDS / Path(seeds["004"].path).name, inbox / "independent.txt")
        checked, second = _watch(archive, folder_arrivals(inbox))
        assert checked == 1 and [r.document.id for r in second.results] == ["independent"]
        assert len(second.problems) == 1 and "photo.txt" in str(second.problems[0])

        # the modified file is checked again (and only it); the binary file is not warned about again
        with open(dropped, "a", encoding="utf-8") as fh:
            fh.write("\n\nAn editor's note added after publication says the strike was the tenth this month.\n")
        stat = dropped.stat()
        os.utime(dropped, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        checked, third = _watch(archive, folder_arrivals(inbox))
        assert checked == 1 and third.problems == []
        assert third.results[0].document.id == "wire-summary"
        assert "editor's note" in third.results[0].document.text
        assert _watch(archive, folder_arrivals(inbox))[0] == 0


# ---- 3. the command line ----------------------------------------------------------------------

def _cli(*args: str, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="250")
    return subprocess.run([str(FILIATION), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def test_cli_watch_feed_once_json_and_webhook(tmp_path, site, seeds) -> None:
    _publish(site, seeds)
    site.routes["/feed.xml"] = ("application/rss+xml", _rss(_items(site, ARTICLES)))
    db = tmp_path / "archive.db"
    _archive(db, seeds).close()

    done = _cli("watch", str(db), "--feed", f"{site.url}/feed.xml", "--once", "--json", "--mode", "fast",
                "--webhook", f"{site.url}/hook", "--allow-private-addresses", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    printed = [json.loads(line) for line in lines]
    assert sorted(p["document"].rsplit("/", 1)[-1] for p in printed) == ["002.html", "003.html", "004.html"]
    for row in printed:
        assert set(row) == {"document", "pairs", "findings", "candidates", "timings_ms"}
        for pair in row["pairs"]:
            assert row["document"] in (pair["a"], pair["b"])
    r003 = next(p for p in printed if p["document"].endswith("/003.html"))
    assert {seeds["000"].id, seeds["001"].id} <= {p["a"] for p in r003["pairs"] if p["relation"] in REUSE}
    # the 404 item: a warning on standard error
    assert "warning" in done.stderr and MISSING in done.stderr

    # the webhook received the same JSON, one POST per article, as application/json
    assert len(site.posts) == 3
    for path, headers, _ in site.posts:
        assert path == "/hook"
        assert {k.lower(): v for k, v in headers.items()}["content-type"] == "application/json"
    assert [json.loads(body) for _, _, body in site.posts] == printed

    # the archive now holds the three articles; a second look prints and posts nothing
    with Archive(db, FAST) as archive:
        assert len(archive) == 5
    again = _cli("watch", str(db), "--feed", f"{site.url}/feed.xml", "--once", "--json", "--mode", "fast",
                 "--webhook", f"{site.url}/hook", "--allow-private-addresses", tmp_path=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "" and len(site.posts) == 3


# ---- known problems --------------------------------------------------------------------------

def test_failed_page_fetch_is_warned_about_even_when_the_feed_carries_a_summary(tmp_path, site, seeds) -> None:
    summary = html.escape(_paragraphs(seeds["003"].text)[0])
    extra = (f"<item><title>Gone, with summary</title><link>{site.url}/articles/gone-too.html</link>"
             f"<guid isPermaLink='false'>urn:test:gone-too</guid><description>{summary}</description></item>\n")
    site.routes["/feed.xml"] = ("application/rss+xml", _rss([], extra))
    with _archive(tmp_path / "archive.db", seeds) as archive:
        _, seen = _watch(archive, feed_arrivals(f"{site.url}/feed.xml", FETCH), add=False)
        assert "/articles/gone-too.html" in site.gets
        assert any("gone-too.html" in str(p) and "fetch" in str(p) for p in seen.problems), (seen.problems, seen.results)

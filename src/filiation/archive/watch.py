"""Watching for new articles: a folder and RSS/Atom feeds, each new item checked against the
archive as it comes.  What has been handled is remembered in the archive (table ``seen``),
so a restarted watch does not report the same article twice."""
from __future__ import annotations

import hashlib
import json
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..model import Document, ReadProblem
from .archive import Archive, CheckResult


@dataclass(frozen=True)
class Arrival:
    """One new item: a document to check, or why it could not be read."""

    key: str  # what 'seen' remembers
    document: Document | None
    problem: ReadProblem | None = None
    retry: bool = False  # a passing failure (a page that could not be fetched): look again next time


def folder_arrivals(folder: Path) -> Iterator[Arrival]:
    """Every readable file under ``folder``; a file changed since it was seen counts as new."""
    from ..read import read_paths
    from ..read.walk import walk_folder

    for item in walk_folder(folder):
        if isinstance(item, ReadProblem):
            yield Arrival(f"problem:{item}", None, item)
            continue
        try:
            st = item.path.stat()
        except OSError:
            continue
        key = f"file:{item.path.resolve()}:{st.st_mtime_ns}:{st.st_size}"
        result = read_paths([item.path])
        for doc in result.documents:
            yield Arrival(key if len(result.documents) == 1 else f"{key}#{doc.id}", doc)
        for problem in result.problems:
            yield Arrival(f"{key}:problem", None, problem)


def fetch_page(url: str, allow_private: bool = False) -> str | None:
    """An article page's HTML, or None when it cannot be had (trafilatura's fetcher: redirects,
    encodings, size limits, a 30 s timeout).  Addresses on loopback and private networks are
    refused unless ``allow_private``: a feed must not steer fetches into the network it is
    read from."""
    import copy

    import trafilatura
    from trafilatura.settings import DEFAULT_CONFIG

    config = DEFAULT_CONFIG
    if allow_private:
        config = copy.deepcopy(DEFAULT_CONFIG)
        config["DEFAULT"]["SSRF_PROTECTION"] = "off"
    return trafilatura.fetch_url(url, config=config)


def feed_arrivals(feed: str, fetch: Callable[[str], str | None] = fetch_page) -> Iterator[Arrival]:
    """Each entry of an RSS/Atom feed (a URL or a file): its linked page's main text when it
    can be fetched, else the text the feed itself carries."""
    import feedparser

    from ..read.errors import ReadError
    from ..read.html import html_to_text

    parsed = feedparser.parse(feed)
    if parsed.bozo and not parsed.entries:
        yield Arrival(f"feed-problem:{feed}:{time.time():.0f}", None,
                      ReadProblem(feed, f"not a readable feed ({parsed.get('bozo_exception', 'unknown error')})"))
        return
    for entry in parsed.entries:
        link = entry.get("link")
        ident = entry.get("id") or link or hashlib.sha256(json.dumps(entry, default=str).encode()).hexdigest()
        key = f"feed:{ident}"
        html = None
        if link and link.startswith(("http://", "https://")):
            try:
                html = fetch(link)
                reason = "no page (an HTTP error, a network failure, or a private address refused)"
            except Exception as exc:  # noqa: BLE001 - one page that cannot be fetched must not stop the watch
                html, reason = None, str(exc)
            if html is None:
                yield Arrival(key, None, ReadProblem(link, f"could not fetch: {reason}; will try again"), retry=True)
                continue
        body = html or " ".join(c.get("value", "") for c in entry.get("content", [])) or entry.get("summary", "")
        try:
            page = html_to_text(body)
        except ReadError as exc:
            yield Arrival(key, None, ReadProblem(link or ident, str(exc)))
            continue
        doc_id = _id_from(link or ident)
        yield Arrival(key, Document(doc_id, page.text, entry.get("title") or page.title, entry.get("published") or page.date,
                                    parsed.feed.get("title"), link))


def _id_from(link: str) -> str:
    """A readable, stable id for a fetched page: host and path, without the scheme."""
    ident = link.split("://", 1)[-1].rstrip("/")
    return ident[:200] if len(ident) <= 200 else ident[:150] + "-" + hashlib.sha1(ident.encode()).hexdigest()[:12]


def post_webhook(url: str, payload: dict, timeout: float = 10.0) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the user's own URL
        response.read()


def watch_once(archive: Archive, arrivals: Iterator[Arrival], report: Callable[[CheckResult], None],
               warn: Callable[[ReadProblem], None], add: bool = True) -> int:
    """Check every arrival not seen before; returns how many documents were checked.

    Each is marked seen only after it was reported (and added, with ``add``), so a watch
    killed midway reports the unfinished item again rather than losing it."""
    checked = 0
    for arrival in arrivals:
        if archive.store.seen(arrival.key):
            continue
        if arrival.document is None:
            warn(arrival.problem)
            if arrival.retry:
                continue
        else:
            result = archive.check(arrival.document)
            report(result)
            if add:
                archive.add([arrival.document])
            checked += 1
        archive.store.mark_seen(arrival.key)
    return checked


def sources_of(folders: list[Path], feeds: list[str], fetch: Callable[[str], str | None] = fetch_page) -> Callable[[], Iterator[Arrival]]:
    def arrivals() -> Iterator[Arrival]:
        for folder in folders:
            yield from folder_arrivals(folder)
        for feed in feeds:
            yield from feed_arrivals(feed, fetch)  # feedparser takes a URL or a file path alike

    return arrivals

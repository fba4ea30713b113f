"""HTML → the article's text, title and date.

Web pages carry navigation, comment sections and "click here" blurbs that would otherwise be
found "shared" between every page of a site, so the main text is extracted with trafilatura
(precision over recall).  Snippets trafilatura declines (a bare paragraph, text with no tags)
fall back to plain tag stripping of the body, so no real text is lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from filiation.model import Document
from filiation.read.decode import normalise_newlines, read_bytes_as_text
from filiation.read.errors import ReadError

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "title"})
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4"
    " h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)


@dataclass(frozen=True)
class HtmlText:
    """What one page yields: its main text and, where the page says so, title, date and url."""

    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None


def read_html_file(path: Path, doc_id: str) -> Document:
    """One .html/.htm file → one document (raises :class:`ReadError`)."""
    data = path.read_bytes()
    declared = _declared_charset(data)
    page = html_to_text(read_bytes_as_text(data, str(path), declared=declared))
    return Document(
        id=doc_id, text=page.text, title=page.title, date=page.date, url=page.url, path=str(path)
    )


def html_to_text(html: str) -> HtmlText:
    """Extract the main text of a page or snippet; raise :class:`ReadError` if there is none."""
    page = _trafilatura(html)
    if page is not None and page.text.strip():
        return page
    stripper = _TagStripper()
    try:
        stripper.feed(html)
        stripper.close()
    except Exception:  # noqa: BLE001 - html.parser rarely fails, but bad input must not stop a run
        pass
    text = stripper.text()
    if not text.strip():
        raise ReadError("no text found in HTML")
    title = (page.title if page else None) or stripper.title()
    return HtmlText(text=text, title=title, date=page.date if page else None)


def _trafilatura(html: str) -> HtmlText | None:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
            with_metadata=True,
            # only dates the page states for itself, not a guess from a copyright line
            date_extraction_params={"original_date": True, "extensive_search": False},
        )
    except Exception:  # noqa: BLE001 - a crash inside the extractor means "use the fallback"
        return None
    if doc is None:
        return None
    text = _clean(_field(doc, "text"), strip=False) or ""
    return HtmlText(
        text=normalise_newlines(text),
        title=_clean(_field(doc, "title")),
        date=_clean(_field(doc, "date")),
        url=_clean(_field(doc, "url")),
    )


def _field(doc: object, name: str) -> object:
    """trafilatura 1.x returns a dict, 2.x a Document object."""
    return doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)


def _clean(value: object, strip: bool = True) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip() if strip else value


def _declared_charset(data: bytes) -> str | None:
    match = _CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


class _TagStripper(HTMLParser):
    """Body text with tags removed: one line per block element, scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._title: list[str] = []
        self._skip_depth = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif self._skip_depth == 0:
            self._parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self._parts).split("\n"))
        return "\n".join(line for line in lines if line)

    def title(self) -> str | None:
        return " ".join("".join(self._title).split()) or None

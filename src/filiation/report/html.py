"""The HTML around the viewer script: one self-contained report file, or the served shell.

The report inlines the script, the style and the data, so it opens from disk with no network
and can be mailed.  Its Content-Security-Policy allows only that script and style (by hash):
even if a document string ever reached the page as markup, nothing it carried would run.
The data travels as JSON inside a ``<script type="application/json">`` element with ``<``,
``>`` and ``&`` escaped, so no document text can close that element.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
from html import escape
from importlib.resources import files
from pathlib import Path

from .results import Results

ASSETS = files("filiation.report") / "assets"
#: What the served pages allow; the report's own policy is built from its hashes.
SERVED_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@functools.cache
def asset(name: str) -> str:
    """A packaged file of the viewer, read once (the service sends it on every page load)."""
    return (ASSETS / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def embedded_json(payload: dict) -> str:
    """JSON that is safe inside a script element: it cannot close it or start a comment."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _page(title: str, head: str, body_attrs: str, tail: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<link rel=\"icon\" href=\"data:,\">\n"
        f"{head}<title>{escape(title)}</title>\n</head>\n<body{body_attrs}>\n"
        "<header><a class=\"brand\" href=\"#/\">filiation</a><a href=\"#/\">Overview</a><a href=\"#/pairs\">Pairs</a></header>\n"
        "<main id=\"main\"><p>Loading…</p><noscript>This report needs JavaScript to draw its views.</noscript></main>\n"
        f"{tail}</body>\n</html>\n"
    )


def render_report(results: Results) -> str:
    """``report.html``: the whole analysis in one file that works offline."""
    script, style = asset("app.js"), asset("app.css")
    csp = (f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    head = f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n<style>{style}</style>\n'
    tail = (f'<script type="application/json" id="filiation-data">{embedded_json(results.bundle())}</script>\n'
            f"<script>{script}</script>\n")
    title = f"filiation report: {len(results.documents)} documents, {len(results.pairs)} related pairs"
    return _page(title, head, "", tail)


def served_page() -> str:
    """The shell the service sends for its pages: the same script, reading the JSON API."""
    head = '<link rel="stylesheet" href="static/app.css">\n'
    return _page("filiation", head, ' data-api="api/"', '<script src="static/app.js"></script>\n')


def write_report(results: Results, path: str | Path) -> None:
    from ..schema import write_text_atomic

    write_text_atomic(Path(path), render_report(results))

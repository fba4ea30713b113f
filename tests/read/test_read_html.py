"""HTML pages: the article is kept, the boilerplate around it is not."""
from __future__ import annotations

from pathlib import Path

import pytest

from filiation.read import ReadError, html_to_text, read_paths

PARAGRAPHS = [
    "The city council voted on Tuesday to approve a new pedestrian bridge across the harbour, "
    "ending a debate that has lasted nearly a decade. The project is expected to cost 42 million "
    "pounds and take three years to build.",
    "Supporters said the bridge would link the old town with the new business district and cut "
    "journey times for thousands of commuters who currently walk the long way round through the "
    "industrial estate.",
    "Opponents, including several local fishing businesses, argued that the construction work "
    "would disrupt the harbour for years and that the money would be better spent on repairing "
    "existing roads and schools.",
    "The council leader said the final design had been changed to keep the main channel open for "
    "boats at all times, and that a review of the budget would be published before work begins.",
]

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="{charset}">
  <title>Council approves new harbour bridge | The Coastal Herald</title>
  <meta property="og:title" content="Council approves new harbour bridge">
  <meta property="article:published_time" content="2021-03-14T09:30:00Z">
</head>
<body>
  <header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
  <li><a href="/sport">Sport</a></li><li><a href="/contact">Contact us</a></li></ul></nav></header>
  <main>
    <article>
      <h1>Council approves new harbour bridge</h1>
      {paragraphs}
      <p><a href="/subscribe">Click here to subscribe to our newsletter!</a></p>
    </article>
    <section id="comments" class="comments">
      <h2>Comments</h2>
      <div class="comment"><p class="author">harbourfan77</p>
        <p>Great news, about time this got built. I have waited years for this bridge.</p></div>
      <div class="comment"><p class="author">angry_sailor</p>
        <p>Total waste of money, the council never listens to people who work on the water.</p></div>
    </section>
  </main>
  <aside><h3>Most read</h3><ul><li><a href="/a">Local team wins cup</a></li></ul></aside>
  <footer><p>&copy; 2019 The Coastal Herald. All rights reserved.</p></footer>
</body>
</html>
"""


def page(charset: str = "utf-8", paragraphs: list[str] = PARAGRAPHS) -> str:
    return PAGE.format(charset=charset, paragraphs="\n      ".join(f"<p>{p}</p>" for p in paragraphs))


def test_article_kept_boilerplate_dropped(tmp_path: Path) -> None:
    path = tmp_path / "news" / "bridge.html"
    path.parent.mkdir()
    path.write_text(page(), encoding="utf-8")
    result = read_paths([tmp_path / "news"])
    assert result.problems == []
    [doc] = result.documents
    assert doc.id == "bridge" and doc.path == str(path)
    for paragraph in PARAGRAPHS:
        assert paragraph in doc.text
    for boilerplate in ["Click here", "subscribe", "harbourfan77", "waste of money", "Comments",
                        "Contact us", "Most read", "All rights reserved"]:
        assert boilerplate not in doc.text
    assert doc.title == "Council approves new harbour bridge"
    assert doc.date == "2021-03-14"


def test_declared_windows_1252_page(tmp_path: Path) -> None:
    paragraphs = [p.replace("said", "said \u201cyes\u201d and") for p in PARAGRAPHS]
    path = tmp_path / "old.htm"
    path.write_bytes(page("iso-8859-1", paragraphs).encode("cp1252"))
    [doc] = read_paths([path]).documents
    assert "said \u201cyes\u201d and" in doc.text


def test_snippets_fall_back_to_tag_stripping() -> None:
    assert html_to_text("<p>Just a short snippet.</p>").text == "Just a short snippet."
    assert html_to_text("No tags at all &amp; an entity.").text == "No tags at all & an entity."


def test_page_without_text_is_a_problem(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><head><title>Only a title</title><script>var x = 1;</script></head>"
                     "<body><script>document.write('x')</script></body></html>")
    good = tmp_path / "good.html"
    good.write_text(page())
    result = read_paths([tmp_path])
    assert [d.id for d in result.documents] == ["good"]
    assert [(p.where, p.reason) for p in result.problems] == [(str(empty), "no text found in HTML")]
    with pytest.raises(ReadError):
        html_to_text("<div><style>p {}</style></div>")

"""The viewer in a real browser, used the way a person uses it: the report opened from disk,
the served pages, a hostile document, and a report of 10,000 pairs.

Drives Debian's Chromium (never Playwright's own download) through Playwright's sync API; one
browser for the module, a fresh context for each test.  Every view waits on ``data-ready``,
which the viewer sets on <body> once a route has rendered.  Screenshots land in
``test-artifacts/screenshots/`` for a person to look at.
"""
from __future__ import annotations

import difflib
import json
import random
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import running

pytestmark = pytest.mark.browser

SEED_A = "000_66e213ce11b8a80c"  # two excerpts of one wire report: an edited_copy pair
SEED_B = "001_9ba277ab45f85cb1"
TIMEOUT_MS = 15_000


# ---- browser and page --------------------------------------------------------------------


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if not exe:
        pytest.skip("no Chromium on PATH (neither 'chromium' nor 'chromium-browser'); "
                    ".ci/run installs Debian's chromium package")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


class Watched:
    """A page with everything it requested, logged as an error, or tried to pop up."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("dialog", self._dialog)

    def _console(self, msg) -> None:
        if msg.type == "error":
            self.errors.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # -- navigation, always waiting until the view for the current hash has rendered --

    def wait_ready(self) -> None:
        self.page.wait_for_function(
            """() => {
                 const ready = document.body && document.body.getAttribute('data-ready');
                 return ready !== null && ready === (location.hash.replace(/^#\\/?/, '') || 'overview');
               }""")

    def open(self, url: str):
        response = self.page.goto(url)
        self.wait_ready()
        return response

    def route(self, *parts: str, query: str = "") -> None:
        """Go to ``#/part/part...`` with each part encoded as the viewer encodes it."""
        self.page.evaluate("([parts, query]) => { location.hash = '#/' + parts.map(encodeURIComponent).join('/') + query; }",
                           [list(parts), query])
        self.wait_ready()

    def click(self, selector: str) -> None:
        """Click something that changes the route, and wait for the new view."""
        before = self.page.evaluate("location.hash")
        self.page.locator(selector).first.click()
        self.page.wait_for_function("h => location.hash !== h", arg=before)
        self.wait_ready()

    def ready(self) -> str:
        return self.page.evaluate("document.body.getAttribute('data-ready')")

    def shot(self, artifacts: Path, name: str, full_page: bool = False) -> None:
        folder = artifacts / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield Watched(page)
    finally:
        context.close()


def _report_url(folder: Path) -> str:
    return (folder / "report.html").resolve().as_uri()


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---- what the pair view shows ------------------------------------------------------------

PASSAGES_JS = """() => [0, 1].map((side) => {
  const out = {};
  document.querySelectorAll('#pane-' + side + ' span.psg').forEach((s) => {
    const k = s.getAttribute('data-p');
    const colour = Array.from(s.classList).find((c) => /^c[0-7]$/.test(c));
    const kind = s.classList.contains('verbatim') ? 'verbatim' : s.classList.contains('paraphrase') ? 'paraphrase' : null;
    const o = out[k] || (out[k] = { colour: colour, kind: kind, text: '', firsts: 0 });
    o.text += s.textContent;
    if (s.hasAttribute('data-first')) o.firsts += 1;
  });
  return out;
})"""


def _words(text: str) -> list[str]:
    return text.lower().split()


def _check_both_sides(w: Watched, min_passages: int = 1) -> tuple[dict, dict]:
    """Passages are highlighted on both sides, index for index, in the same colour and kind."""
    left, right = w.page.evaluate(PASSAGES_JS)
    assert len(left) >= min_passages, f"no passage highlighted in the left pane: {left}"
    assert set(left) == set(right), f"passage indexes differ: left {sorted(left)}, right {sorted(right)}"
    for k in left:
        assert left[k]["colour"] and left[k]["colour"] == right[k]["colour"], f"passage {k}: colours {left[k]['colour']} / {right[k]['colour']}"
        assert left[k]["kind"] and left[k]["kind"] == right[k]["kind"], f"passage {k}: kinds differ"
        assert left[k]["firsts"] == right[k]["firsts"] == 1, f"passage {k}: data-first on {left[k]['firsts']}/{right[k]['firsts']} spans"
        assert left[k]["text"].strip() and right[k]["text"].strip(), f"passage {k} highlights no text"
    return left, right


def _no_errors(w: Watched, ignore_favicon: bool = False) -> None:
    errors = [e for e in w.errors if not (ignore_favicon and "favicon.ico" in e)]
    assert not errors, errors
    assert not w.dialogs, w.dialogs


# ---- 1. the report from disk -------------------------------------------------------------


def test_report_from_disk_overview_and_pairs(watched, seed_results, artifacts):
    w = watched
    w.open(_report_url(seed_results))
    assert w.ready() == "overview"
    counts = [t.strip() for t in w.page.locator(".count").all_inner_texts()]
    documents = len(_rows(seed_results / "documents.jsonl"))
    pairs = len(_rows(seed_results / "pairs.jsonl"))
    findings = len(_rows(seed_results / "audit.jsonl"))
    stories = len(json.loads((seed_results / "stemma.json").read_text(encoding="utf-8"))["stories"])
    def counted(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    assert counts == [counted(documents, "document", "documents"), counted(pairs, "related pair", "related pairs"),
                      counted(stories, "story", "stories"), counted(findings, "finding", "findings")]
    assert documents == 5 and pairs > 0 and stories >= 1
    assert w.page.locator("ul.stories li").count() == stories
    assert w.page.locator("li.finding-item").count() == min(findings, 25)
    w.shot(artifacts, "overview", full_page=True)

    w.click("text=All pairs →")
    assert w.ready() == "pairs"
    assert w.page.locator("tr.pair-row").count() == pairs
    assert f"of {pairs}" in w.page.locator(".pager").inner_text()
    w.shot(artifacts, "pairs", full_page=True)

    csp = w.page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert csp and "script-src 'sha256-" in csp and "unsafe-inline" not in csp
    assert w.requests and all(u.startswith("file:") for u in w.requests), w.requests
    assert {u.split("#")[0] for u in w.requests} == {_report_url(seed_results)}, w.requests  # the file, nothing else
    _no_errors(w)


# ---- 2. a shared passage, side by side -----------------------------------------------------


def test_pair_view_highlights_the_shared_wire_report(watched, seed_results, artifacts):
    pair = next(r for r in _rows(seed_results / "pairs.jsonl") if (r["a"], r["b"]) == (SEED_A, SEED_B))
    assert pair["relation"] == "edited_copy"
    w = watched
    w.open(_report_url(seed_results) + f"#/pair/{quote(SEED_A, safe='')}/{quote(SEED_B, safe='')}")
    assert w.page.locator("h1").first.inner_text().startswith("edited copy")

    left, right = _check_both_sides(w, min_passages=1)
    verbatim = [k for k in left if left[k]["kind"] == "verbatim"]
    assert verbatim, f"the wire report's pair shows no verbatim passage: {left}"
    ratios = {}
    for k in verbatim:
        a, b = _words(left[k]["text"]), _words(right[k]["text"])
        ratios[k] = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    # the two excerpts were edited (U.S. → US, Oct. → October): nearly, not exactly, the same
    assert all(r >= 0.8 for r in ratios.values()) and max(ratios.values()) >= 0.9, ratios

    # clicking a passage on the left brings its counterpart on the right level with it; link
    # scrolling is switched off first, so that only the click can move the right pane
    k = max(verbatim, key=lambda k: w.page.evaluate(
        "k => document.querySelector(`#pane-1 [data-p=\"${k}\"][data-first]`).offsetTop", k))
    w.page.locator("#link-scroll").uncheck()
    before = w.page.evaluate("""async (k) => {
        const here = document.querySelector(`#pane-0 [data-p="${k}"][data-first]`);
        const there = document.querySelector(`#pane-1 [data-p="${k}"][data-first]`);
        here.scrollIntoView({ block: 'center' });
        document.querySelector('#pane-1').scrollTop = 0;
        await new Promise((done) => setTimeout(done, 150));  // let both panes' scroll events pass
        window.__flashed = false;
        new MutationObserver(() => { if (there.classList.contains('flash')) window.__flashed = true; })
          .observe(there, { attributes: true, attributeFilter: ['class'] });
        return document.querySelector('#pane-1').scrollTop;
    }""", k)
    w.page.locator(f'#pane-0 span.psg[data-p="{k}"][data-first]').click()
    w.page.wait_for_function("before => window.__flashed || document.querySelector('#pane-1').scrollTop !== before",
                             arg=before, timeout=5_000)
    level = w.page.evaluate("""k => {
        const from = document.querySelector('#pane-0'), to = document.querySelector('#pane-1');
        const here = from.querySelector(`[data-p="${k}"][data-first]`), there = to.querySelector(`[data-p="${k}"][data-first]`);
        const clamped = to.scrollTop <= 0 || to.scrollTop >= to.scrollHeight - to.clientHeight - 1;
        return { gap: Math.abs((there.offsetTop - to.scrollTop) - (here.offsetTop - from.scrollTop)), clamped: clamped };
    }""", k)
    assert level["gap"] <= 2 or level["clamped"], level

    # with link scrolling on, scrolling the left pane to the top brings the right pane along
    w.page.locator("#link-scroll").check()
    w.page.wait_for_timeout(200)  # past the 120 ms in which the viewer ignores scrolling its own levelling caused
    w.page.evaluate("document.querySelector('#pane-0').scrollTop = 0")
    w.page.wait_for_function("() => document.querySelector('#pane-1').scrollTop < 50", timeout=5_000)
    w.shot(artifacts, "pair")
    _no_errors(w)


# ---- 3. the family tree ------------------------------------------------------------------


def test_story_tree_and_a_click_to_a_document(watched, seed_results, artifacts):
    stories = json.loads((seed_results / "stemma.json").read_text(encoding="utf-8"))["stories"]
    story = next(s for s in stories if any(n["kind"] == "lost_source" for n in s["nodes"]))
    lost = [n["id"] for n in story["nodes"] if n["kind"] == "lost_source"]
    w = watched
    w.open(_report_url(seed_results))
    w.click(f'ul.stories a[href="#/story/{quote(story["id"], safe="")}"]')
    assert w.ready() == f"story/{quote(story['id'], safe='')}"

    tree = w.page.locator("svg.tree")
    assert tree.count() == 1
    drawn = w.page.eval_on_selector_all("svg.tree g.node.document", "gs => gs.map((g) => g.getAttribute('data-node'))")
    assert sorted(drawn) == sorted(story["documents"])
    assert w.page.locator("svg.tree g.node.lost_source").count() == len(lost) >= 1
    assert w.page.locator("svg.tree g.edge").count() == len(story["edges"])
    box = tree.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50
    w.shot(artifacts, "story", full_page=True)

    target = story["documents"][0]
    w.click(f'svg.tree g.node.document[data-node="{target}"]')
    assert w.page.evaluate("location.hash") == f"#/doc/{quote(target, safe='')}"
    assert w.page.locator("#main h1").inner_text() == target
    assert len(w.page.locator(".pane.single").inner_text()) > 200
    w.shot(artifacts, "document", full_page=True)
    _no_errors(w)


# ---- 4. a finding, marked where it is ----------------------------------------------------


def test_finding_is_marked_in_the_pair_view(watched, seed_results):
    audit = _rows(seed_results / "audit.jsonl")
    fid, finding = next((k, f) for k, f in enumerate(audit) if f["derived_span"] and f["derived_span"][1] > f["derived_span"][0])
    w = watched
    w.open(_report_url(seed_results))
    w.route("pair", finding["source"], finding["derived"])

    marks = w.page.evaluate("""([fid, derived]) => {
        const side = Array.from(document.querySelectorAll('.side')).find((s) => s.querySelector('h2').textContent === derived);
        return Array.from(side.querySelectorAll('span.fmark'))
          .filter((s) => s.getAttribute('data-f').split(' ').includes(String(fid)))
          .map((s) => ({ title: s.getAttribute('title'), text: s.textContent }));
    }""", [fid, finding["derived"]])
    assert marks, f"finding {fid} is not marked in {finding['derived']}"
    assert all(finding["explanation"] in m["title"] for m in marks), marks
    assert " ".join("".join(m["text"] for m in marks).split()) == " ".join(finding["derived_text"].split())
    assert w.page.locator(f'li.finding-item[data-f="{fid}"]').count() == 1
    _no_errors(w)


# ---- 5. a hostile document ---------------------------------------------------------------

HOSTILE_BODY = (
    "The city council voted on Tuesday to close the old harbour bridge for repairs after inspectors found "
    "deep cracks in two of its steel supports. The mayor said the closure would last at least six months and "
    "that ferries would run every twenty minutes while the work goes on. <script>window.__pwned=1</script> "
    "Shop owners on the east bank warned that they could lose a third of their customers. "
    "<img src=x onerror=\"window.__pwned=2\"> Engineers from the regional office will present a full report "
    "to the council in March, and the cost of the repairs is estimated at four million euros. "
    "Residents who cross the bridge every day to work said they were worried about longer journeys."
)
HOSTILE_ID = "evil"
HOSTILE_COPY_ID = 'evil-copy"><img src=x onerror=window.__pwned=4>'
HOSTILE_TITLE = 'Bridge <b onmouseover="window.__pwned=3">closed</b> \u202egnikaerb'


@pytest.fixture(scope="module")
def hostile_results(tmp_path_factory) -> Path:
    from filiation import analyze
    from filiation.engine.local import manifest_for
    from filiation.schema import write_analysis
    from filiation.settings import Settings

    folder = tmp_path_factory.mktemp("hostile")
    copy = (HOSTILE_BODY.replace("on Tuesday", "late on Tuesday").replace("Residents who", "Many residents who")
            + " The council will meet again next week.")
    records = [
        {"id": HOSTILE_ID, "text": HOSTILE_BODY, "url": "javascript:alert(1)", "title": HOSTILE_TITLE},
        {"id": HOSTILE_COPY_ID, "text": copy, "url": "javascript:alert(2)", "title": "<script>window.__pwned=5</script>copy"},
    ]
    corpus = folder / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = Settings(mode="fast")
    analysis = analyze([corpus], settings)
    assert not analysis.problems, analysis.problems
    assert len(analysis.pairs) == 1, "the near copy should pair with the hostile document"
    out = folder / "results"
    write_analysis(analysis, out, manifest_for(analysis, settings, 0.0))
    return out


SAFE_JS = """() => ({
  pwned: typeof window.__pwned,
  jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
  images: document.querySelectorAll('#main img').length,
  bold: document.querySelectorAll('#main b[onmouseover]').length,
  handlers: Array.from(document.querySelectorAll('*')).flatMap((e) => Array.from(e.attributes))
    .filter((a) => a.name.toLowerCase().startsWith('on')).map((a) => a.name),
  scripts: document.querySelectorAll('script').length,
})"""


def _assert_harmless(w: Watched, scripts: int) -> None:
    state = w.page.evaluate(SAFE_JS)
    assert state == {"pwned": "undefined", "jsLinks": 0, "images": 0, "bold": 0, "handlers": [], "scripts": scripts}, state
    assert not w.dialogs, w.dialogs
    assert not any(u.rstrip("/").endswith("/x") for u in w.requests), w.requests


def _walk_hostile(w: Watched, artifacts: Path, shot: str, scripts: int) -> None:
    """Overview → pairs → the pair → each document → the story, as a person clicks."""
    _assert_harmless(w, scripts)
    w.click("text=All pairs →")
    assert w.page.locator("tr.pair-row").count() == 1
    assert w.page.locator("tr.pair-row").first.get_attribute("data-b") == HOSTILE_COPY_ID
    _assert_harmless(w, scripts)

    w.click("tr.pair-row")
    assert w.ready().startswith("pair/")
    for side in (0, 1):
        text = w.page.locator(f"#pane-{side}").inner_text()
        assert "<script>window.__pwned=1</script>" in text and '<img src=x onerror="window.__pwned=2">' in text
    assert w.page.locator(".side h2").all_inner_texts() == [HOSTILE_ID, HOSTILE_COPY_ID]
    meta = w.page.locator(".side .meta").first
    assert '<b onmouseover="window.__pwned=3">closed</b>' in meta.inner_text()
    assert meta.locator("bdi").first.text_content() == HOSTILE_TITLE  # the bidi override stays isolated
    assert w.page.locator(".side .meta a").count() == 0  # a javascript: url gets no "original" link
    _check_both_sides(w)
    _assert_harmless(w, scripts)
    w.shot(artifacts, shot)

    w.click(".side:nth-child(2) h2 a")
    assert w.page.locator("#main h1").inner_text() == HOSTILE_COPY_ID
    assert "<script>window.__pwned=1</script>" in w.page.locator(".pane.single").inner_text()
    _assert_harmless(w, scripts)

    w.click("#main .meta a[href^='#/story/']")
    assert w.page.locator("svg.tree g.node.document").count() == 2
    _assert_harmless(w, scripts)
    w.click(f"svg.tree g.node.document[data-node='{HOSTILE_ID}']")
    assert w.page.locator("#main h1").inner_text() == HOSTILE_ID
    assert HOSTILE_TITLE in w.page.locator("#main .meta").inner_text()
    _assert_harmless(w, scripts)


def test_hostile_document_in_the_report(watched, hostile_results, artifacts):
    w = watched
    w.open(_report_url(hostile_results))
    _walk_hostile(w, artifacts, "hostile-report", scripts=2)  # the data element and the viewer
    assert all(u.startswith("file:") for u in w.requests), w.requests
    _no_errors(w)


def test_hostile_document_in_the_served_pages(watched, hostile_results, artifacts):
    from filiation.service import create_app

    w = watched
    with running(create_app(hostile_results)) as base:
        response = w.open(base + "/")
        csp = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, csp
        _walk_hostile(w, artifacts, "hostile-served", scripts=1)  # the viewer only
        assert all(u.startswith(base + "/") for u in w.requests), w.requests
    _no_errors(w, ignore_favicon=True)


# ---- 6. the served pages -----------------------------------------------------------------


def test_served_pages_pairs_table_to_pair_view(watched, live_results_server, seed_results, artifacts):
    w = watched
    base = live_results_server
    w.open(base + "/")
    assert w.ready() == "overview"
    assert w.page.locator(".count").first.inner_text().strip() == "5 documents"

    w.click('header a[href="#/pairs"]')
    pairs = len(_rows(seed_results / "pairs.jsonl"))
    assert w.page.locator("tr.pair-row").count() == pairs
    w.click(f'tr.pair-row[data-a="{SEED_A}"][data-b="{SEED_B}"]')
    assert w.ready() == f"pair/{SEED_A}/{SEED_B}"
    left, _ = _check_both_sides(w)
    assert any(p["kind"] == "verbatim" for p in left.values())
    w.shot(artifacts, "served-pair")

    assert any("/api/pair?" in u for u in w.requests), w.requests
    assert all(u.startswith(base + "/") for u in w.requests), w.requests
    _no_errors(w, ignore_favicon=True)


# ---- 7. a report of 10,000 pairs ---------------------------------------------------------


def _synthetic_results(n_docs: int = 2000, n_pairs: int = 10_000):
    from filiation.model import RELATIONS, Document, Pair, PairEvidence, Passage
    from filiation.report.results import Results

    rng = random.Random(20240611)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(4000)]

    def text() -> str:
        sentences, size = [], 0
        while size < 600:
            words = [rng.choice(vocab) for _ in range(rng.randint(6, 16))]
            sentence = " ".join(words).capitalize() + "."
            sentences.append(sentence)
            size += len(sentence) + 1
        return " ".join(sentences)

    documents = [Document(f"doc-{k:05d}", text(), f"Synthetic article {k}", f"2024-{1 + k % 12:02d}-{1 + k % 28:02d}",
                          f"source-{k % 40}", f"https://example.org/{k}") for k in range(n_docs)]
    chosen: set[tuple[int, int]] = set()
    while len(chosen) < n_pairs:
        i, j = rng.sample(range(n_docs), 2)
        chosen.add((min(i, j), max(i, j)))
    pairs = []
    for i, j in sorted(chosen):
        a, b = documents[i].id, documents[j].id
        la, lb = len(documents[i].text), len(documents[j].text)
        evidence = PairEvidence(*(round(rng.random(), 4) for _ in range(8)), la // 6, lb // 6,
                                round(rng.random(), 4), round(rng.random(), 4))
        s = rng.randint(0, 150)
        passages = (Passage(a, b, s, s + 120, s + 10, s + 130, "verbatim", 0.97),
                    Passage(a, b, 350, min(la, 470), 330, min(lb, 460), "paraphrase", 0.81))
        pairs.append(Pair(a, b, rng.choice(RELATIONS), round(rng.random(), 4), rng.choice(["a->b", "b->a", "common_source", "unknown"]),
                          evidence, passages))
    return Results(documents, pairs)


def test_a_report_of_ten_thousand_pairs(watched, tmp_path, artifacts):
    from filiation.report.html import render_report

    results = _synthetic_results()
    path = tmp_path / "report.html"
    path.write_text(render_report(results), encoding="utf-8")
    size = path.stat().st_size
    assert size < 40 * 2**20, f"report.html is {size / 2**20:.1f} MiB"

    w = watched
    started = time.monotonic()
    w.open(path.as_uri() + "#/pairs")
    print(f"report of 10,000 pairs: {size / 2**20:.1f} MiB, pairs table shown in {time.monotonic() - started:.2f} s")
    rows = w.page.locator("tr.pair-row")
    assert rows.count() == 100
    pager = w.page.locator(".pager").inner_text()
    assert "1–100 of 10000" in pager, pager
    first_page = w.page.eval_on_selector_all("tr.pair-row", "rs => rs.map((r) => r.dataset.a + '|' + r.dataset.b)")
    w.shot(artifacts, "scale-pairs")

    w.click("button:has-text('next →')")
    assert w.ready() == "pairs?offset=100"
    assert rows.count() == 100
    assert "101–200 of 10000" in w.page.locator(".pager").inner_text()
    second_page = w.page.eval_on_selector_all("tr.pair-row", "rs => rs.map((r) => r.dataset.a + '|' + r.dataset.b)")
    assert not set(first_page) & set(second_page)
    confidences = [float(x) for x in w.page.eval_on_selector_all("tr.pair-row td.num:nth-child(5)", "ts => ts.map((t) => t.textContent)")]
    assert confidences == sorted(confidences, reverse=True)

    a, b = second_page[0].split("|")
    w.click("tr.pair-row")
    assert w.ready() == f"pair/{a}/{b}"
    left, right = _check_both_sides(w, min_passages=2)
    assert len(left) == len(right) == 2
    assert w.page.locator(".count, .error").count() == 0
    assert all(u.startswith("file:") for u in w.requests), w.requests
    _no_errors(w)

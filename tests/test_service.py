"""The HTTP service as a user relies on it: a real client (httpx) against a real server (uvicorn
on a loopback port).  The API's views agree with the results files they are read from, analysis
of posted documents answers in the files' shapes, every limit is a 4xx with a message (never a
5xx), the token guards reload and never reaches a log, CORS is closed unless opened, every
response carries the security headers, paths never leave the app, and concurrent requests all
get answers."""
from __future__ import annotations

import json
import logging
import shutil
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import SEEDS, running

from filiation.model import Document
from filiation.service import Limits, create_app

TOKEN = "test-token"  # the token of conftest's live_results_server
SMALL = Limits(max_body_bytes=20_000, max_documents=3, max_text_chars=2_000)
UNRELATED = ("The recipe calls for two cups of flour, a pinch of salt and three eggs. Whisk the eggs, fold in "
             "the flour and bake at 180 degrees for forty minutes, until the crust is golden and firm. ") * 3


# ---- helpers ----------------------------------------------------------------------------

def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pair_key(a: str, b: str) -> tuple[str, str]:
    return tuple(sorted((a, b)))


def assert_refused(response: httpx.Response, status: int) -> str:
    """A refusal: the status asked for, JSON with a non-empty ``detail``; returns it as text."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    detail = response.json()["detail"]
    assert detail, response.text
    return detail if isinstance(detail, str) else json.dumps(detail)


def assert_passages_slice(passages: list[dict], text_a: str, text_b: str) -> None:
    assert passages
    for p in passages:
        assert 0 <= p["a_start"] < p["a_end"] <= len(text_a), p
        assert 0 <= p["b_start"] < p["b_end"] <= len(text_b), p
        assert text_a[p["a_start"]:p["a_end"]].strip() and text_b[p["b_start"]:p["b_end"]].strip()


def assert_findings_quote(findings: list[dict], texts: dict[str, str]) -> None:
    """Each finding's spans slice its documents' texts to exactly the text it quotes."""
    for f in findings:
        for side in ("derived", "source"):
            span = f[f"{side}_span"]
            if span is not None:
                start, end = span
                assert 0 <= start <= end <= len(texts[f[side]]), f
                assert texts[f[side]][start:end] == f[f"{side}_text"], f


@pytest.fixture(scope="module")
def files(seed_results) -> dict:
    """The results files the served views are read from."""
    return {
        "texts": {r["id"]: r["text"] for r in jsonl(seed_results / "texts.jsonl")},
        "documents": jsonl(seed_results / "documents.jsonl"),
        "pairs": jsonl(seed_results / "pairs.jsonl"),
        "passages": jsonl(seed_results / "passages.jsonl"),
        "findings": jsonl(seed_results / "audit.jsonl"),
        "stemma": json.loads((seed_results / "stemma.json").read_text(encoding="utf-8")),
    }


@pytest.fixture(scope="module")
def client(live_results_server):
    with httpx.Client(base_url=live_results_server, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def small(seed_results):
    """A server over the seeds with small limits (20 kB bodies, 3 documents of 2,000 characters)."""
    with running(create_app(seed_results, limits=SMALL)) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


@pytest.fixture
def server_errors_unlogged():
    """For the tests of known 500s: uvicorn logs a 500's traceback from its own thread just as
    pytest renders the test's traceback, and CPython 3.11.7's traceback formatting (ast.parse
    for the carets) is not thread-safe ("SystemError: AST constructor recursion depth
    mismatch", pytest INTERNALERROR).  Drop that one log for the duration (a filter, because
    each uvicorn server started re-enables a disabled logger)."""
    logger = logging.getLogger("uvicorn.error")

    def drop_tracebacks(record: logging.LogRecord) -> bool:
        return record.exc_info is None

    logger.addFilter(drop_tracebacks)
    yield
    logger.removeFilter(drop_tracebacks)


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


# ---- the views agree with the files ---------------------------------------------------

def test_overview_counts_match_the_files(client, files):
    overview = client.get("/api/overview").json()
    assert overview["documents"] == len(files["documents"]) == 5
    assert overview["pairs"] == len(files["pairs"])
    assert overview["findings"] == len(files["findings"])
    assert overview["stories"] == len(files["stemma"]["stories"])
    assert {r: n for r, n in overview["relations"].items() if n} == Counter(p["relation"] for p in files["pairs"])
    assert {k: n for k, n in overview["finding_kinds"].items() if n} == Counter(f["kind"] for f in files["findings"])
    stories = client.get("/api/stories").json()
    assert [s["id"] for s in stories] == [s["id"] for s in files["stemma"]["stories"]]
    documents = client.get("/api/documents").json()
    assert documents["total"] == 5
    assert [d["id"] for d in documents["rows"]] == [d["id"] for d in files["documents"]]


def test_pairs_total_is_the_lines_of_pairs_jsonl(client, files, seed_results):
    lines = [line for line in (seed_results / "pairs.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    page = client.get("/api/pairs", params={"limit": 1000}).json()
    assert page["total"] == len(lines) == len(files["pairs"]) > 0
    assert {pair_key(r["a"], r["b"]) for r in page["rows"]} == {pair_key(p["a"], p["b"]) for p in files["pairs"]}
    by_key = {pair_key(p["a"], p["b"]): p for p in files["pairs"]}
    for row in page["rows"]:
        p = by_key[pair_key(row["a"], row["b"])]
        assert (row["relation"], row["direction"]) == (p["relation"], p["direction"])
        assert row["confidence"] == pytest.approx(p["confidence"], abs=1e-4)


def test_every_pair_view_has_texts_passages_and_findings(client, files):
    texts = files["texts"]
    with_findings = 0
    for p in files["pairs"]:
        r = client.get("/api/pair", params={"a": p["a"], "b": p["b"]})
        assert r.status_code == 200, r.text
        view = r.json()
        assert (view["a"], view["b"], view["relation"]) == (p["a"], p["b"], p["relation"])
        # both texts, exactly as texts.jsonl holds them
        assert [d["id"] for d in view["documents"]] == [p["a"], p["b"]]
        assert [d["text"] for d in view["documents"]] == [texts[p["a"]], texts[p["b"]]]
        assert [d["length"] for d in view["documents"]] == [len(texts[p["a"]]), len(texts[p["b"]])]
        # the passages of passages.jsonl, whose offsets slice those texts
        expected = [x for x in files["passages"] if (x["a"], x["b"]) == (p["a"], p["b"])]
        assert sorted(json.dumps(x, sort_keys=True) for x in view["passages"]) \
            == sorted(json.dumps(x, sort_keys=True) for x in expected)
        if expected:
            assert_passages_slice(view["passages"], texts[p["a"]], texts[p["b"]])
        # the pair's findings from audit.jsonl, quoting the texts they point into
        expected_findings = [f for f in files["findings"]
                             if pair_key(f["derived"], f["source"]) == pair_key(p["a"], p["b"])]
        assert sorted(json.dumps({k: v for k, v in f.items() if k != "id"}, sort_keys=True) for f in view["findings"]) \
            == sorted(json.dumps(f, sort_keys=True) for f in expected_findings)
        assert all(isinstance(f["id"], int) and f["id"] >= 0 for f in view["findings"])
        assert_findings_quote(view["findings"], texts)
        with_findings += bool(view["findings"])
    assert with_findings, "the seeds have pairs with findings; none came back"


def test_pair_view_is_the_same_either_way_round(client, files):
    p = files["pairs"][0]
    forward = client.get("/api/pair", params={"a": p["a"], "b": p["b"]})
    backward = client.get("/api/pair", params={"a": p["b"], "b": p["a"]})
    assert forward.status_code == backward.status_code == 200
    assert forward.json() == backward.json()


@pytest.mark.parametrize("path, params, what", [
    ("/api/pair", {"a": "nope", "b": "000_66e213ce11b8a80c"}, "pair"),
    ("/api/pair", {"a": "000_66e213ce11b8a80c", "b": "000_66e213ce11b8a80c"}, "pair"),
    ("/api/document", {"id": "nope"}, "document"),
    ("/api/story", {"id": "story-999"}, "story"),
])
def test_unknown_ids_are_404_with_a_message(client, path, params, what):
    detail = assert_refused(client.get(path, params=params), 404)
    assert what in detail


def test_pairs_filter_by_relation(client, files):
    relations = Counter(p["relation"] for p in files["pairs"])
    assert len(relations) > 1
    for relation, n in relations.items():
        page = client.get("/api/pairs", params={"relation": relation}).json()
        assert page["total"] == n
        assert {r["relation"] for r in page["rows"]} == {relation}


def test_pairs_filter_by_document_and_text(client, files):
    doc = files["documents"][2]["id"]
    page = client.get("/api/pairs", params={"document": doc}).json()
    assert page["total"] == sum(doc in (p["a"], p["b"]) for p in files["pairs"]) > 0
    assert all(doc in (r["a"], r["b"]) for r in page["rows"])
    # text matches ids (and titles) case-blind
    page = client.get("/api/pairs", params={"text": doc[:6].upper()}).json()
    assert page["total"] == sum(doc[:6] in p["a"] or doc[:6] in p["b"] for p in files["pairs"])
    assert client.get("/api/pairs", params={"document": "nope"}).json()["total"] == 0


def test_pairs_filter_by_min_confidence(client, files):
    threshold = sorted(round(p["confidence"], 4) for p in files["pairs"])[len(files["pairs"]) // 2]
    page = client.get("/api/pairs", params={"min_confidence": threshold}).json()
    assert page["total"] == sum(round(p["confidence"], 4) >= threshold for p in files["pairs"])
    assert 0 < page["total"] < len(files["pairs"]) or threshold == 1.0
    assert all(r["confidence"] >= threshold for r in page["rows"])
    for bad in ("-0.1", "1.5", "high"):
        assert_refused(client.get("/api/pairs", params={"min_confidence": bad}), 422)


def test_pairs_sort(client, files):
    def rows(sort):
        return client.get("/api/pairs", params={"sort": sort, "limit": 1000}).json()["rows"]

    confidences = [r["confidence"] for r in rows("confidence")]
    assert confidences == sorted(confidences)
    confidences = [r["confidence"] for r in rows("-confidence")]
    assert confidences == sorted(confidences, reverse=True)
    assert [r["a"] for r in rows("a")] == sorted(p["a"] for p in files["pairs"])
    passages = [r["passages"] for r in rows("-passages")]
    assert passages == sorted(passages, reverse=True) and passages[0] > 0
    assert_refused(client.get("/api/pairs", params={"sort": "a; drop table"}), 422)


def test_pairs_paging(client, files):
    everything = client.get("/api/pairs", params={"limit": 1000}).json()["rows"]
    page = client.get("/api/pairs", params={"offset": 2, "limit": 3}).json()
    assert (page["total"], page["offset"], page["limit"]) == (len(files["pairs"]), 2, 3)
    assert page["rows"] == everything[2:5]
    assert client.get("/api/pairs", params={"offset": 1000}).json()["rows"] == []
    assert_refused(client.get("/api/pairs", params={"limit": 1001}), 422)  # over the max page
    assert_refused(client.get("/api/pairs", params={"limit": 0}), 422)
    assert_refused(client.get("/api/pairs", params={"offset": -1}), 422)
    assert_refused(client.get("/api/pairs", params={"relation": "plagiarism"}), 422)
    assert_refused(client.get("/api/documents", params={"limit": 1001}), 422)
    assert_refused(client.get("/api/findings", params={"limit": 1001}), 422)


def test_findings_filter_by_kind_and_severity(client, files):
    kinds = Counter(f["kind"] for f in files["findings"])
    assert len(kinds) > 1
    for kind, n in kinds.items():
        page = client.get("/api/findings", params={"kind": kind}).json()
        assert page["total"] == n
        assert {f["kind"] for f in page["rows"]} == {kind}
    for severity, n in Counter(f["severity"] for f in files["findings"]).items():
        page = client.get("/api/findings", params={"severity": severity}).json()
        assert page["total"] == n and {f["severity"] for f in page["rows"]} == {severity}
    everything = client.get("/api/findings").json()
    assert everything["total"] == len(files["findings"])
    ranks = [{"high": 0, "medium": 1, "low": 2}[f["severity"]] for f in everything["rows"]]
    assert ranks == sorted(ranks), "the worst findings come first"
    assert_findings_quote(everything["rows"], files["texts"])
    assert_refused(client.get("/api/findings", params={"kind": "typo"}), 422)


def test_document_view_has_text_pairs_and_findings(client, files):
    texts = files["texts"]
    for doc in files["documents"]:
        r = client.get("/api/document", params={"id": doc["id"]})
        assert r.status_code == 200, r.text
        view = r.json()
        assert view["id"] == doc["id"]
        assert view["text"] == texts[doc["id"]]
        assert len(view["pairs"]) == sum(doc["id"] in (p["a"], p["b"]) for p in files["pairs"])
        assert all(doc["id"] in (p["a"], p["b"]) for p in view["pairs"])
        assert len(view["findings"]) == sum(doc["id"] in (f["derived"], f["source"]) for f in files["findings"])
        assert view["stories"] == [s["id"] for s in files["stemma"]["stories"] if doc["id"] in s["documents"]]
    derived = files["findings"][0]["derived"]
    assert client.get("/api/document", params={"id": derived}).json()["findings"]


def test_story_view_has_a_node_per_document(client, files):
    assert files["stemma"]["stories"]
    for story in files["stemma"]["stories"]:
        r = client.get("/api/story", params={"id": story["id"]})
        assert r.status_code == 200, r.text
        view = r.json()
        assert [d["id"] for d in view["documents"]] == story["documents"]
        layout = view["layout"]
        node_ids = [n["id"] for n in layout["nodes"]]
        assert set(story["documents"]) <= set(node_ids)
        assert sorted(node_ids) == sorted(n["id"] for n in story["nodes"])
        for n in layout["nodes"]:
            assert 0 <= n["x"] <= layout["width"] and 0 <= n["y"] <= layout["height"]
        assert len(layout["edges"]) == len(story["edges"])


# ---- analysis of posted documents -----------------------------------------------------

def test_analyze_a_small_corpus(client, files):
    texts = seed_texts()
    sent = {"original": texts[0], "summary": texts[3], "recipe": UNRELATED}
    r = client.post("/api/analyze", json={
        "documents": [{"id": k, "text": v, "title": k.title(), "source": "test"} for k, v in sent.items()],
        "mode": "fast"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out) == {"pairs", "stories", "findings", "problems"}
    # the two related seeds are a pair; the recipe is in none
    keys = {pair_key(p["a"], p["b"]) for p in out["pairs"]}
    assert pair_key("original", "summary") in keys
    assert not any("recipe" in k for k in keys)
    # the shapes of the results files: a pairs.jsonl row plus its passages.jsonl rows, audit.jsonl rows
    pair_fields, passage_fields = set(files["pairs"][0]), set(files["passages"][0])
    finding_fields = set(files["findings"][0])
    for p in out["pairs"]:
        assert set(p) == pair_fields | {"passages"}
        assert set(p["evidence"]) == set(files["pairs"][0]["evidence"])
        for x in p["passages"]:
            assert set(x) == passage_fields and (x["a"], x["b"]) == (p["a"], p["b"])
        assert_passages_slice(p["passages"], sent[p["a"]], sent[p["b"]])
    assert out["findings"], "the summary seed changes quotes and numbers of the original; no findings came back"
    for f in out["findings"]:
        assert set(f) == finding_fields
        assert {f["derived"], f["source"]} == {"original", "summary"}
    assert_findings_quote(out["findings"], sent)
    # the story holds the two related documents and not the recipe
    assert any({"original", "summary"} <= set(s["documents"]) and "recipe" not in s["documents"]
               for s in out["stories"])


def test_analyze_answers_match_the_served_analysis_of_the_same_texts(client, files):
    """The seeds' pair of the original and its summary, sent in a request, is the pair the files hold."""
    texts = seed_texts()
    ids = sorted(files["texts"])
    r = client.post("/api/analyze", json={"documents": [{"id": ids[0], "text": texts[0]},
                                                        {"id": ids[3], "text": texts[3]}]})
    assert r.status_code == 200, r.text
    [p] = r.json()["pairs"]
    [stored] = [q for q in files["pairs"] if (q["a"], q["b"]) == (ids[0], ids[3])]
    assert p["relation"] == stored["relation"]
    assert texts[0] == files["texts"][ids[0]]


# ---- limits: each a 4xx with a message, never a 5xx -----------------------------------

def small_docs(n: int, chars: int = 100) -> dict:
    return {"documents": [{"id": f"d{k}", "text": ("word " * chars)[:chars]} for k in range(n)]}


def test_body_over_the_limit_with_content_length(small):
    body = json.dumps(small_docs(3, 1_900) | {"padding": "x" * 25_000}).encode()
    r = small.post("/api/analyze", content=body, headers={"Content-Type": "application/json"})
    assert "20000" in assert_refused(r, 413)
    assert r.request.headers["content-length"] == str(len(body))


def test_body_over_the_limit_streamed_without_content_length(small):
    def chunks():
        yield b'{"documents": [{"id": "a", "text": "'
        for _ in range(40):
            yield b"x" * 1_000
        yield b'"}]}'

    r = small.post("/api/analyze", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert "20000" in assert_refused(r, 413)


def test_body_within_the_limit_streamed_is_read(small):
    body = json.dumps(small_docs(2, 500)).encode()

    def chunks():
        for k in range(0, len(body), 97):
            yield body[k:k + 97]

    r = small.post("/api/analyze", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text


def test_too_many_documents(small):
    detail = assert_refused(small.post("/api/analyze", json=small_docs(4)), 413)
    assert "4 documents" in detail and "3" in detail
    assert small.post("/api/analyze", json=small_docs(3)).status_code == 200


def test_text_too_long(small):
    body = small_docs(2)
    body["documents"][1]["text"] = "y" * 2_001
    detail = assert_refused(small.post("/api/analyze", json=body), 413)
    assert "documents[1]" in detail and "2001" in detail and "2000" in detail
    body["documents"][1]["text"] = "y" * 2_000
    assert small.post("/api/analyze", json=body).status_code == 200


@pytest.mark.parametrize("depth", [40, 10_000])
def test_deep_json_is_refused_before_parsing(client, small, depth):
    body = b'{"documents": [{"id": "a", "text": "x", "title": ' + b"[" * depth + b"]" * depth + b"}]}"
    target = client if len(body) > SMALL.max_body_bytes else small
    r = target.post("/api/analyze", content=body, headers={"Content-Type": "application/json"})
    detail = assert_refused(r, 422)
    assert "deeper" in detail


def test_deep_brackets_inside_strings_are_not_nesting(small):
    r = small.post("/api/analyze", json={"documents": [{"id": "a", "text": "[" * 500 + "{" * 500}]})
    assert r.status_code == 200, r.text


def test_deep_json_is_refused_whatever_the_case_of_the_content_type(client):
    body = b'{"documents": [{"id": "a", "text": "x", "title": ' + b"[" * 10_000 + b"]" * 10_000 + b"}]}"
    r = client.post("/api/analyze", content=body, headers={"Content-Type": "Application/JSON"})
    assert "deeper" in assert_refused(r, 422)


@pytest.mark.parametrize("body", [
    {"documents": "two texts please"},
    {"documents": [{"id": "a", "text": 42}]},
    {"documents": [{"id": 7, "text": "x"}]},
    {"documents": [{"id": "a", "text": "x", "title": ["t"]}]},
    {"documents": [{"id": "a", "text": "x"}], "mode": "thorough"},
    {"documents": [{"id": "a", "text": "x"}], "extra": 1},
    {"documents": [{"id": "a", "text": "x", "author": "me"}]},
    {"documents": [{"id": "", "text": "x"}]},
    {"documents": [{"text": "x"}]},
    {"documents": []},
    {},
    [],
    "documents",
    None,
], ids=["documents-a-string", "text-a-number", "id-a-number", "title-a-list", "unknown-mode", "unknown-field",
        "unknown-document-field", "empty-id", "no-id", "no-documents", "empty-object", "array", "string", "null"])
def test_wrong_bodies_are_422(small, body):
    assert_refused(small.post("/api/analyze", json=body), 422)


@pytest.mark.parametrize("raw", [b"{not json", b'{"documents": [}', b"", b"\xff\xfe garbage",
                                 b'{"documents": [{"id": "a", "text": "x"}]} trailing'])
def test_invalid_json_is_422(small, raw):
    assert_refused(small.post("/api/analyze", content=raw, headers={"Content-Type": "application/json"}), 422)


def test_a_body_that_is_not_utf8_is_refused_with_a_message(small):
    r = small.post("/api/analyze", content=b'{"documents": "\xff"}', headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and r.json()["detail"]


def test_a_body_that_is_not_utf8_is_422_like_other_invalid_json(small):
    r = small.post("/api/analyze", content=b'{"documents": "\xff"}', headers={"Content-Type": "application/json"})
    assert_refused(r, 422)


def test_a_body_that_is_not_json_is_refused(small):
    r = small.post("/api/analyze", content=b"documents=a",
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert 400 <= r.status_code < 500 and r.json()["detail"]


@pytest.mark.usefixtures("server_errors_unlogged")
def test_lone_surrogate_in_a_text_is_not_a_server_error(small):
    body = (b'{"documents": [{"id": "a", "text": "\\ud800 some words here"}, '
            b'{"id": "b", "text": "\\ud800 some words here"}]}')
    r = small.post("/api/analyze", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code < 500, r.text


@pytest.mark.usefixtures("server_errors_unlogged")
@pytest.mark.parametrize("raw", [
    b'{"documents": [{"id": "\\ud800", "text": "x"}]}',
    b'{"documents": [{"id": "a", "text": "x"}], "mode": "\\udc00"}',
])
def test_lone_surrogate_in_an_invalid_field_is_422(small, raw):
    r = small.post("/api/analyze", content=raw, headers={"Content-Type": "application/json"})
    assert_refused(r, 422)


# ---- the token ------------------------------------------------------------------------

def test_reload_without_a_token_is_401(client):
    r = client.post("/api/reload")
    assert_refused(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", "Bearer", f"Basic {TOKEN}", TOKEN, f"Bearer  {TOKEN}",
                                    f"Bearer {TOKEN.upper()}"])
def test_reload_with_a_wrong_token_is_401(client, header):
    r = client.post("/api/reload", headers={"Authorization": header})
    detail = assert_refused(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"
    assert TOKEN not in detail


def test_reload_with_the_token(client, files):
    r = client.post("/api/reload", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.json() == {"documents": 5, "pairs": len(files["pairs"]), "findings": len(files["findings"])}
    r = client.post("/api/reload", headers={"Authorization": f"bearer {TOKEN}"})  # the scheme is case-blind
    assert r.status_code == 200, r.text


def test_reload_without_a_configured_token_is_403(seed_results):
    with running(create_app(seed_results)) as url:
        for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer anything"}):
            detail = assert_refused(httpx.post(f"{url}/api/reload", headers=headers), 403)
            assert "token" in detail


def test_reload_of_results_in_memory_is_409(seed_results):
    from filiation.report.results import Results

    with running(create_app(Results.load(seed_results), token="t")) as url:
        assert_refused(httpx.post(f"{url}/api/reload", headers={"Authorization": "Bearer t"}), 409)


def logging_server(app):
    """Like conftest's ``running``, but uvicorn logs everything (access log on, DEBUG) through
    the standard loggers, where caplog sees it."""
    return running(app, log_config=None, log_level="debug", access_log=True)


def test_the_token_is_never_logged(seed_results, caplog):
    secret = "s3cret-Tok3n-9f2c41d7"
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "filiation", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    with logging_server(create_app(seed_results, token=secret)) as url:
        for header in (f"Bearer {secret}", f"Bearer {secret}-wrong", f"Basic {secret}"):
            httpx.post(f"{url}/api/reload", headers={"Authorization": header})
        httpx.get(f"{url}/api/pairs", headers={"Authorization": f"Bearer {secret}"})
        time.sleep(0.2)  # the access log line is written after the response
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert "/api/reload" in logged, "the access log was not captured, so this test proves nothing"
    assert any(r.name == "uvicorn.access" for r in caplog.records)
    assert secret not in logged
    assert secret not in caplog.text


# ---- reload re-reads the folder -------------------------------------------------------

@pytest.fixture
def own_results(seed_results, tmp_path):
    folder = tmp_path / "results"
    shutil.copytree(seed_results, folder)
    token = "reload-token"
    headers = {"Authorization": f"Bearer {token}"}
    with running(create_app(folder, token=token)) as url, httpx.Client(base_url=url, timeout=30, headers=headers) as c:
        yield folder, c


def test_reload_really_rereads(own_results):
    folder, c = own_results
    before = c.get("/api/pairs").json()["total"]
    lines = (folder / "pairs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = json.loads(lines[-1])
    (folder / "pairs.jsonl").write_text("".join(lines[:-1]), encoding="utf-8")
    assert c.get("/api/pairs").json()["total"] == before  # nothing changes until reload
    r = c.post("/api/reload")
    assert r.status_code == 200, r.text
    assert r.json()["pairs"] == before - 1
    assert c.get("/api/pairs").json()["total"] == before - 1
    assert c.get("/api/pair", params={"a": dropped["a"], "b": dropped["b"]}).status_code == 404


def test_reload_of_a_broken_folder_keeps_the_old_results(own_results):
    folder, c = own_results
    before = c.get("/api/pairs", params={"limit": 1000}).json()
    (folder / "pairs.jsonl").write_text("this is not JSON\n{also not\n", encoding="utf-8")
    detail = assert_refused(c.post("/api/reload"), 409)
    assert "pairs.jsonl" in detail
    assert c.get("/api/pairs", params={"limit": 1000}).json() == before
    (folder / "documents.jsonl").unlink()
    assert "documents.jsonl" in assert_refused(c.post("/api/reload"), 409)
    assert c.get("/api/pairs", params={"limit": 1000}).json() == before


@pytest.mark.usefixtures("server_errors_unlogged")
def test_reload_with_a_garbled_stemma_is_409(own_results):
    folder, c = own_results
    before = c.get("/api/stories").json()
    (folder / "stemma.json").write_text("{truncated", encoding="utf-8")
    r = c.post("/api/reload")
    assert c.get("/api/stories").json() == before  # holds even now: the old results are kept
    assert_refused(r, 409)


@pytest.mark.usefixtures("server_errors_unlogged")
def test_reload_with_an_unreadable_file_is_409(own_results):
    folder, c = own_results
    (folder / "pairs.jsonl").unlink()
    (folder / "pairs.jsonl").mkdir()
    assert_refused(c.post("/api/reload"), 409)


# ---- CORS -----------------------------------------------------------------------------

def test_cors_is_closed_by_default(client):
    r = client.get("/api/pairs", headers={"Origin": "http://evil.example"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    r = client.options("/api/pairs", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers
    r = client.options("/api/reload", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in r.headers and "access-control-allow-headers" not in r.headers
    r = client.post("/api/analyze", json=small_docs(1), headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_opens_to_the_named_origin_only(seed_results):
    with running(create_app(seed_results, cors_origins=("http://ok.example",))) as url, httpx.Client(base_url=url) as c:
        r = c.get("/api/overview", headers={"Origin": "http://ok.example"})
        assert r.headers["access-control-allow-origin"] == "http://ok.example"
        r = c.get("/api/overview", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        r = c.options("/api/pairs", headers={"Origin": "http://ok.example", "Access-Control-Request-Method": "GET"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "http://ok.example"
        r = c.options("/api/pairs", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
        assert r.status_code >= 400 and "access-control-allow-origin" not in r.headers
        r = c.options("/api/pairs", headers={"Origin": "http://ok.example.evil.example",
                                             "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in r.headers
        # credentials are never allowed, even for the named origin
        r = c.get("/api/overview", headers={"Origin": "http://ok.example"})
        assert "access-control-allow-credentials" not in r.headers


# ---- security headers -----------------------------------------------------------------

def test_every_response_carries_the_security_headers(client, small):
    responses = {
        "page": client.get("/"),
        "script": client.get("/static/app.js"),
        "style": client.get("/static/app.css"),
        "api": client.get("/api/overview"),
        "openapi": client.get("/openapi.json"),
        "404 route": client.get("/no/such/page"),
        "404 view": client.get("/api/pair", params={"a": "x", "b": "y"}),
        "422": client.get("/api/pairs", params={"limit": "many"}),
        "405": client.put("/api/overview"),
        "401": client.post("/api/reload"),
        "413": small.post("/api/analyze", content=b"x" * 30_000, headers={"Content-Type": "application/json"}),
        "413 documents": small.post("/api/analyze", json=small_docs(4)),
        "422 depth": small.post("/api/analyze", content=b"[" * 100, headers={"Content-Type": "application/json"}),
    }
    for what, r in responses.items():
        assert r.headers.get("content-security-policy"), what
        assert "default-src 'none'" in r.headers["content-security-policy"], what
        assert r.headers.get("x-content-type-options") == "nosniff", what
    assert responses["page"].status_code == 200
    assert responses["413"].status_code == 413 and responses["422 depth"].status_code == 422
    page_csp = responses["page"].headers["content-security-policy"]
    assert "unsafe-inline" not in page_csp and "unsafe-eval" not in page_csp
    assert "frame-ancestors 'none'" in page_csp
    # the page needs nothing the policy forbids: its script and style come from files
    html = responses["page"].text
    assert '<script src="static/app.js"></script>' in html and html.count("<script") == 1
    assert "<style" not in html and " style=" not in html
    assert responses["script"].headers["content-type"].startswith("text/javascript")
    assert responses["style"].headers["content-type"].startswith("text/css")


# ---- paths stay inside ------------------------------------------------------------------

def test_raw_request_targets_reach_the_server(client):
    """httpx would resolve '..' itself; the 'target' extension sends a path exactly as written."""
    r = client.get("/", extensions={"target": b"/api/overview"})
    assert r.status_code == 200 and r.json()["documents"] == 5


@pytest.mark.parametrize("target", [
    b"/static/../pyproject.toml",
    b"/static/../../../../etc/passwd",
    b"/static/%2e%2e/%2e%2e/etc/passwd",
    b"/static/%2e%2e/%2e%2e/pyproject.toml",
    b"/static/..%2f..%2fetc%2fpasswd",
    b"/static/..%5c..%5cpyproject.toml",
    b"/%2e%2e/%2e%2e/etc/passwd",
    b"/../../etc/passwd",
    b"//etc/passwd",
    b"/static//etc/passwd",
    b"/static/app.js/../../pyproject.toml",
    b"/static/%2fetc%2fpasswd",
])
def test_paths_stay_inside(client, target):
    r = client.get("/", extensions={"target": target})
    assert r.status_code == 404, (target, r.status_code, r.text[:200])
    assert "root:" not in r.text and "[project]" not in r.text and "filiation" not in r.text.lower()


# ---- concurrency --------------------------------------------------------------------------

def test_thirty_concurrent_requests(live_results_server, files):
    pairs = files["pairs"]

    def one(k: int) -> tuple[int, dict]:
        if k % 2:
            p = pairs[k % len(pairs)]
            r = httpx.get(f"{live_results_server}/api/pair", params={"a": p["a"], "b": p["b"]}, timeout=60)
        else:
            r = httpx.get(f"{live_results_server}/api/pairs", params={"offset": k % 5, "limit": 3}, timeout=60)
        return r.status_code, r.json()

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(one, range(30)))
    assert [status for status, _ in answers] == [200] * 30
    for k, (_, body) in enumerate(answers):
        if k % 2:
            assert (body["a"], body["b"]) == (pairs[k % len(pairs)]["a"], pairs[k % len(pairs)]["b"])
        else:
            assert body["total"] == len(pairs) and body["offset"] == k % 5


# ---- the archive behind the service ----------------------------------------------------------

def test_archive_check_for_anyone_and_add_behind_the_token(tmp_path):
    from filiation.archive import Archive
    from filiation.settings import Settings

    texts = seed_texts()  # 000, 001: excerpts of one wire report; 003: a summary of it
    with Archive(tmp_path / "archive.db", Settings(mode="fast")) as archive:
        archive.add([Document("wire-a", texts[0]), Document("wire-b", texts[1])])
    app = create_app(archive=tmp_path / "archive.db", archive_mode="fast", token="tok")
    with running(app) as url:
        assert httpx.get(f"{url}/api/archive").json() == {"documents": 2}
        checked = httpx.post(f"{url}/api/archive/check", json={"documents": [{"id": "new", "text": texts[3]}]}, timeout=60)
        assert checked.status_code == 200, checked.text
        [result] = checked.json()
        related = {p["a"] if p["b"] == "new" else p["b"]: p for p in result["pairs"]}
        assert related["wire-a"]["relation"] in ("summary", "paraphrase", "edited_copy")
        for p in result["pairs"]:
            for x in p["passages"]:
                assert x["a_end"] > x["a_start"] and x["b_end"] > x["b_start"]
        body = {"documents": [{"id": "new", "text": texts[3]}]}
        assert_refused(httpx.post(f"{url}/api/archive/add", json=body), 401)
        added = httpx.post(f"{url}/api/archive/add", json=body, headers={"Authorization": "Bearer tok"}, timeout=60)
        assert added.status_code == 200 and added.json()["added"] == ["new"] and added.json()["documents"] == 3
        again = httpx.post(f"{url}/api/archive/add", json=body, headers={"Authorization": "Bearer tok"}, timeout=60)
        assert again.json()["unchanged"] == ["new"] and again.json()["documents"] == 3


def test_archive_routes_without_an_archive_are_404(client):
    assert_refused(client.get("/api/archive"), 404)
    assert_refused(client.post("/api/archive/check", json={"documents": [{"id": "x", "text": "y"}]}), 404)

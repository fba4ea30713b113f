"""The HTTP service: the report's views as pages, and the same views as a JSON API.

Every route is a few lines over ``Results`` (the views the report embeds) or over
``filiation.analyze``; nothing here computes a view of its own.  Safe by default: bound to
loopback by the CLI, CORS closed unless origins are named, state-changing routes behind a
bearer token compared in constant time, every body limited before it is parsed, and a
Content-Security-Policy on every response.
"""
from __future__ import annotations

import hmac
import json
import threading
from pathlib import Path
from typing import Literal, Optional

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..model import FINDING_KINDS, RELATIONS, Document
from ..report.html import SERVED_CSP, asset, served_page
from ..report.results import PAIR_SORTS, Results
from .limits import BodyLimits, Limits, invalid_body

TOKEN_ENV = "FILIATION_TOKEN"
SECURITY_HEADERS = {"Content-Security-Policy": SERVED_CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


class DocumentIn(BaseModel):
    """One document to analyse; the fields are those of a JSONL record."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=512)
    text: str
    title: Optional[str] = None
    date: Optional[str] = None
    source: Optional[str] = None
    url: Optional[str] = None

    @field_validator("id", "text", "title", "date", "source", "url")
    @classmethod
    def encodable(cls, value: Optional[str]) -> Optional[str]:
        """JSON may carry lone surrogates (``"\\ud800"``), which are not text: refuse them here."""
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("holds a lone surrogate (\\ud800-\\udfff escape), which is not valid Unicode") from None
        return value


class AnalyzeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[DocumentIn] = Field(min_length=1)
    mode: Literal["fast", "full"] = "fast"


class ArchiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[DocumentIn] = Field(min_length=1)


class Detail(BaseModel):
    detail: str


def _refusals(*codes: int) -> dict:
    return {code: {"model": Detail} for code in codes}


class _State:
    """The results being served; swapped whole on reload so readers never see half of one."""

    def __init__(self, results: Results, folder: Path | None):
        self.results = results
        self.folder = folder
        self.lock = threading.Lock()


def create_app(results: Results | str | Path | None = None, *, archive: str | Path | None = None,
               archive_mode: str = "full", token: str | None = None, limits: Limits = Limits(),
               cors_origins: tuple[str, ...] = ()) -> FastAPI:
    """The app over one analysis (a results folder, reloadable, or ``Results`` in memory)
    and/or an archive (``check`` for anyone, ``add`` behind the token)."""
    folder = None
    if results is None:
        results = Results([], [])
    elif not isinstance(results, Results):
        folder = Path(results)
        results = Results.load(folder)
    state = _State(results, folder)
    archived = None
    if archive is not None:
        from ..archive import Archive
        from ..settings import Settings

        archived = Archive(archive, Settings(mode=archive_mode))  # type: ignore[arg-type]
    # An Archive is one SQLite connection and indexes it catches up in memory: not for two
    # threads at once.  Archive work runs in a worker thread, one request at a time, under
    # ``archive_lock``; requests wait their turn on ``archive_turns`` (first come, first
    # served), in the event loop rather than holding a worker thread each: 200 checks queued
    # behind one another would otherwise take all of the thread pool's 40 threads and leave
    # every other route (pages, results, the archive's size) waiting behind them, and a
    # thread lock is not fair (one request could wait far longer than the rest).
    archive_lock = threading.Lock()
    archive_turns = anyio.CapacityLimiter(1)

    async def archive_work(work):
        return await anyio.to_thread.run_sync(work, limiter=archive_turns)
    app = FastAPI(title="filiation", version=_version(),
                  description="Who copied whom, how, and what changed on the way: the views of one analysis, "
                              "and analysis of documents sent in the request.")
    app.add_middleware(BodyLimits, limits=limits)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    def require_token(request: Request) -> None:
        if not token:
            raise HTTPException(403, f"this server was started without a token (--token or {TOKEN_ENV}), "
                                     "so routes that change state are off")
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode("utf-8"), token.encode("utf-8")):
            raise HTTPException(401, "a valid bearer token is required (Authorization: Bearer ...)",
                                headers={"WWW-Authenticate": "Bearer"})

    def found(view, what: str):
        if view is None:
            raise HTTPException(404, f"no such {what}")
        return view

    # ---- pages ---------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(served_page())

    @app.get("/static/app.js", include_in_schema=False)
    def script() -> Response:
        return Response(asset("app.js"), media_type="text/javascript; charset=utf-8")

    @app.get("/static/app.css", include_in_schema=False)
    def style() -> Response:
        return Response(asset("app.css"), media_type="text/css; charset=utf-8")

    # ---- JSON API ------------------------------------------------------------------------
    @app.get("/api/overview", summary="Counts, stories and the worst findings")
    def overview() -> dict:
        return state.results.overview()

    @app.get("/api/stories", summary="Every story of two or more documents")
    def stories() -> list[dict]:
        return state.results.overview(worst=0)["story_list"]

    @app.get("/api/story", summary="One story: its documents and family tree", responses=_refusals(404))
    def story(id: str = Query(..., max_length=512)) -> dict:
        return found(state.results.story_view(id), "story")

    @app.get("/api/pairs", summary="Related pairs, filtered, sorted, one page")
    def pairs(relation: Optional[Literal[RELATIONS]] = None,  # type: ignore[valid-type]
              document: Optional[str] = Query(None, max_length=512),
              text: Optional[str] = Query(None, max_length=512),
              min_confidence: float = Query(0.0, ge=0.0, le=1.0),
              sort: Literal[PAIR_SORTS] = "-confidence",  # type: ignore[valid-type]
              offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=limits.max_page)) -> dict:
        return state.results.pairs_page(relation, document, text, min_confidence, sort, offset, limit)

    @app.get("/api/pair", summary="One pair: both texts, aligned passages, findings", responses=_refusals(404))
    def pair(a: str = Query(..., max_length=512), b: str = Query(..., max_length=512)) -> dict:
        return found(state.results.pair_view(a, b), "pair")

    @app.get("/api/documents", summary="Documents, one page")
    def documents(offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=limits.max_page)) -> dict:
        return state.results.documents_page(offset, limit)

    @app.get("/api/document", summary="One document: text, pairs and findings", responses=_refusals(404))
    def document(id: str = Query(..., max_length=512)) -> dict:
        return found(state.results.document_view(id), "document")

    @app.get("/api/findings", summary="Audit findings, the worst first")
    def findings(kind: Optional[Literal[FINDING_KINDS]] = None,  # type: ignore[valid-type]
                 severity: Optional[Literal["high", "medium", "low"]] = None,
                 document: Optional[str] = Query(None, max_length=512),
                 offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=limits.max_page)) -> dict:
        return state.results.findings_page(kind, severity, document, offset, limit)

    @app.post("/api/analyze", summary="Analyse the documents in the body: pairs, passages, stories, findings",
              responses=_refusals(413))
    def analyze(request: AnalyzeRequest) -> dict:
        docs = documents_within_limits(request.documents)
        from ..engine.local import analyze as run
        from ..schema import finding_row, pair_row, passage_row, stemma_document

        analysis = run(docs, mode=request.mode)
        return {
            "pairs": [pair_row(p) | {"passages": [passage_row(x) for x in p.passages]} for p in analysis.pairs],
            "stories": stemma_document(analysis.stories)["stories"],
            "findings": [finding_row(f) for f in analysis.findings],
            "problems": [str(p) for p in analysis.problems],
        }

    @app.post("/api/reload", summary="Re-read the results folder (after a new 'filiation analyze')",
              dependencies=[Depends(require_token)], responses=_refusals(401, 403, 409))
    def reload() -> dict:
        if state.folder is None:
            raise HTTPException(409, "these results were given in memory; there is no folder to re-read")
        from ..report.results import ResultsError

        with state.lock:
            try:
                fresh = Results.load(state.folder)
            except ResultsError as exc:
                raise HTTPException(409, f"kept the results being served: {exc}") from None
            state.results = fresh
        return {"documents": len(fresh.documents), "pairs": len(fresh.pairs), "findings": len(fresh.findings)}

    def documents_within_limits(documents: list[DocumentIn]) -> list[Document]:
        if len(documents) > limits.max_documents:
            raise HTTPException(413, f"{len(documents)} documents in one request; the limit is "
                                     f"{limits.max_documents} (serve --max-documents)")
        for k, d in enumerate(documents):
            if len(d.text) > limits.max_text_chars:
                raise HTTPException(413, f"documents[{k}] ({d.id!r}) has {len(d.text)} characters; the limit is "
                                         f"{limits.max_text_chars} (serve --max-text)")
        return [Document(d.id, d.text, d.title, d.date, d.source, d.url) for d in documents]

    def the_archive():
        if archived is None:
            raise HTTPException(404, "this server has no archive (serve --archive ARCHIVE.db)")
        return archived

    @app.get("/api/archive", summary="How many documents the archive holds", responses=_refusals(404))
    def archive_size() -> dict:
        # a read connection of the store's own: answers at once while checks queue
        return {"documents": the_archive().store.committed_count()}

    @app.post("/api/archive/check", summary="What in the archive each document reuses, and how", responses=_refusals(404, 413))
    async def archive_check(request: ArchiveRequest) -> list[dict]:
        docs = documents_within_limits(request.documents)
        store = the_archive()

        def check() -> list[dict]:
            with archive_lock:
                return [store.check(d).to_json() for d in docs]

        return await archive_work(check)

    @app.post("/api/archive/add", summary="Add documents to the archive (re-adding one is a no-op)",
              dependencies=[Depends(require_token)], responses=_refusals(401, 403, 404, 413))
    async def archive_add(request: ArchiveRequest) -> dict:
        docs = documents_within_limits(request.documents)
        store = the_archive()

        def add() -> dict:
            with archive_lock:
                report = store.add(docs)
                return {"added": report.added, "unchanged": report.unchanged,
                        "problems": [str(p) for p in report.problems], "documents": len(store)}

        return await archive_work(add)

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError) -> JSONResponse:
        return JSONResponse({"detail": invalid_body("the request nests too deeply to read")}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        """422 naming each wrong field, without echoing the input (which may not even encode)."""
        errors = [{k: v for k, v in e.items() if k not in ("input", "ctx", "url")} for e in exc.errors()]
        return _json_response({"detail": errors}, 422)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        """A bug is still answered as JSON, with the security headers, and without its details."""
        return _json_response({"detail": "internal error: the request could not be completed"}, 500)

    return app


def _json_response(payload: dict, status: int) -> Response:
    body = json.dumps(payload, ensure_ascii=True, default=str)
    return Response(body, status_code=status, media_type="application/json", headers=SECURITY_HEADERS)


def _version() -> str:
    from .. import __version__

    return __version__

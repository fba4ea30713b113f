"""What one request may ask of the service, and the ASGI guard that enforces the body limits
before any JSON is parsed: a body over the size limit gets 413, JSON nested deeper than the
depth limit gets 422, each with a message saying which limit and how to raise it."""
from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 5_000_000  # a request body larger than this is refused (413)
    max_documents: int = 100  # documents in one POST /api/analyze (413 beyond)
    max_text_chars: int = 500_000  # characters in one document's text (413 beyond)
    max_json_depth: int = 32  # nesting of arrays/objects in a JSON body (422 beyond)
    max_page: int = 1000  # rows in one page of a list endpoint

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_documents", "max_text_chars", "max_json_depth", "max_page"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether arrays/objects nest deeper than ``limit`` (brackets inside strings ignored).
    Cheap unless the body holds more brackets than the limit at all."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


class BodyLimits:
    """ASGI middleware: reads a request body up to the limit, refuses it past the limit (or
    when its JSON nests too deep), and hands the route the body it read."""

    def __init__(self, app, limits: Limits):
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self.limits.max_body_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await _refuse(send, 413, f"request body is {int(declared)} bytes; the limit is {limit} (serve --max-body)")
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await _refuse(send, 413, f"request body exceeds the limit of {limit} bytes (serve --max-body)")
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"json" in headers.get(b"content-type", b"").lower():
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                return await _refuse(send, 422, invalid_body(f"JSON body is not UTF-8 (byte {exc.start})"))
            if json_depth_exceeds(body, self.limits.max_json_depth):
                return await _refuse(send, 422, invalid_body(f"JSON body nests deeper than {self.limits.max_json_depth} levels"))
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


def invalid_body(message: str) -> list[dict]:
    """A 422 detail shaped like FastAPI's own (a list of located errors), so clients and the
    OpenAPI schema see one shape for every invalid request."""
    return [{"loc": ["body"], "msg": message, "type": "json_invalid"}]


async def _refuse(send, status: int, message: str | list) -> None:
    payload = json.dumps({"detail": message}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})

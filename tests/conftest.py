"""Fixtures shared by the report, service and browser tests: the seeds analysed once, and a
real HTTP server (uvicorn on a free loopback port) around any app."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def seed_results(tmp_path_factory) -> Path:
    """A results folder of the five seed articles (fast mode: no transformer), report included."""
    from filiation import analyze
    from filiation.engine.local import manifest_for
    from filiation.schema import write_analysis
    from filiation.settings import Settings

    settings = Settings(mode="fast")
    analysis = analyze([SEEDS], settings)
    out = tmp_path_factory.mktemp("seed-results")
    write_analysis(analysis, out, manifest_for(analysis, settings, 0.0))
    return out


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app, **config):
    """Serve ``app`` over real HTTP on 127.0.0.1 for the duration; yields its base URL.
    ``config`` overrides uvicorn's settings (e.g. logging)."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, **{"host": "127.0.0.1", "port": port, "log_level": "warning",
                                                   "lifespan": "off", **config}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_results_server(seed_results):
    """The service over the seeds' results, with token ``test-token``; yields its base URL."""
    from filiation.service import create_app

    with running(create_app(seed_results, token="test-token")) as url:
        yield url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave screenshots and other things a person should look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

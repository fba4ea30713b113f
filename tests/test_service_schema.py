"""The service against its own OpenAPI schema (schemathesis 4): whatever a client sends, valid
or not, the answer is never a server error.

The app is the seeds' results with small limits (3 documents of 2,000 characters at most), so
every ``POST /api/analyze`` that gets through stays quick.  Requests go straight to the ASGI app
(no socket), which keeps a few hundred of them within seconds.
"""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
    use_after_free,
)

from filiation.report.results import Results  # noqa: E402
from filiation.service import Limits, create_app  # noqa: E402

SMALL = Limits(max_body_bytes=200_000, max_documents=3, max_text_chars=2_000, max_page=50)

# positive and negative data, the three phases that need no state (examples, coverage, fuzzing);
# each operation gets a handful of generated cases on top of the coverage phase's own
CONFIG = """
[generation]
mode = "all"
max-examples = 30
deterministic = true
database = "none"

[phases]
examples.enabled = true
coverage.enabled = true
fuzzing.enabled = true
stateful.enabled = false
"""


# The schema is read once at import from an app over no results (its routes and parameters do
# not depend on the results); the requests then go to the app over the seeds' results folder.
# (``schemathesis.pytest.from_fixture`` would be the natural way, but 4.32.5's lazy schema reads
# ``request.node._nodeid``, which pytest 9 no longer has.)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Results([], []), limits=SMALL),
                                        config=schemathesis.Config.from_str(CONFIG))


# Checks tried and left out, because they fail by design or by a small documented gap:
#  - positive_data_acceptance: a schema-valid body with more than max_documents documents (or a
#    longer text than max_text_chars) is refused with 413; the limits are runtime settings, not
#    in the schema (413 is documented as a response).
#  - status_code_conformance: a JSON body that is not UTF-8 gets FastAPI's 400 "There was an
#    error parsing the body", which the schema does not list (see test_service.py's xfail).
CHECKS = [
    not_a_server_error,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    ignored_auth,
    use_after_free,
    ensure_resource_availability,
]


@pytest.fixture(scope="module")
def seeds_app(seed_results):
    return create_app(seed_results, token="schema-token", limits=SMALL)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, seeds_app):
    """Every generated request (valid or invalid) gets an answer below 500, and the other
    checks that hold for this API hold too."""
    case.call_and_validate(app=seeds_app, checks=CHECKS)


def test_schema_lists_every_api_route(seed_results):
    """The routes the page relies on are all in the schema schemathesis tests."""
    app = create_app(seed_results, limits=SMALL)
    paths = set(app.openapi()["paths"])
    assert {"/api/overview", "/api/stories", "/api/story", "/api/pairs", "/api/pair", "/api/documents",
            "/api/document", "/api/findings", "/api/analyze", "/api/reload"} <= paths

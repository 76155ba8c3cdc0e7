"""schemathesis against the app's own OpenAPI document: generated requests to every
operation, as an officer with a real token, never get a server error, and every answer
conforms to the document (status codes, content types, problem bodies). A bounded run;
``benchmarks/api_fuzz.py`` runs a longer one."""

from __future__ import annotations

import os
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import build_service

EXAMPLES = int(os.environ.get("AIEXPORTS_FUZZ_EXAMPLES", "8"))


def _service() -> object:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="aiexports-fuzz-"))
    return build_service(f"sqlite:///{folder / 'aiexports.db'}", folder / "home")


SERVICE = None


def _app() -> object:
    global SERVICE  # noqa: PLW0603
    if SERVICE is None:
        SERVICE = _service()
    return SERVICE.client.app  # type: ignore[attr-defined]


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_generated_requests_never_break_the_contract(case: schemathesis.Case) -> None:
    assert SERVICE is not None
    token = SERVICE.tokens["demo-agency/officer-1"]  # type: ignore[attr-defined]
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )

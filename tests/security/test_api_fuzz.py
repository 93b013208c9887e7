"""Schema-driven fuzzing of the whole JSON API from its OpenAPI document (schemathesis) against a
real uvicorn server: whatever the generated request, never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from service.settings import REPO_SEEDS
from tests.reliability.server import Server

TOKEN = "fuzz-token-0123456789"
EXAMPLES_PER_OPERATION = 50


@pytest.fixture(scope="module")
def api_server(tmp_path_factory):
    with Server(tmp_path_factory.mktemp("fuzz") / "data", TOKEN, env={"FOLIO_SEEDS": str(REPO_SEEDS)}) as server:
        yield server


def operations(base: str):
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_no_generated_request_causes_a_server_error(api_server):
    failures: list[str] = []
    ops = operations(api_server.base)
    assert len(ops) >= 5, [op.label for op in ops]

    for op in ops:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        @given(case=op.as_strategy())
        def fuzz(case):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {TOKEN}"}
            response = case.call(base_url=api_server.base, timeout=60)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as exc:
                failures.append(f"{op.label}: {response.status_code} {case.as_curl_command()} {str(exc)[:300]}")
                raise

        try:
            fuzz()
        except (Exception, BaseExceptionGroup):  # noqa: B036 - recorded above; go on with the others
            pass
    assert not failures, "\n".join(failures[:10])
    print(f"fuzzed {len(ops)} operations, up to {EXAMPLES_PER_OPERATION} requests each")

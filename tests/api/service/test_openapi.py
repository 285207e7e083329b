"""The OpenAPI document: the contract's schemas and examples, and schemathesis over every operation
(bounded examples): no 5xx, and every answer matches its documented status, type and schema."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.service.app import create_app
from api.service.settings import Settings
from tests.api.service.conftest import DATABASES, Service, fresh_database, service_settings, start_service

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 10


# the document does not depend on the database: it is read once, from an app that is never started
schema = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())
schema.config.phases.update(
    phases=["examples", "fuzzing"]
)  # the coverage phase is unbounded on the contract's schemas


@pytest.fixture(scope="module", params=DATABASES)
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One running service per database for every operation's examples."""
    with fresh_database(request, request.param, tmp_path_factory.mktemp("fuzzed")) as url:
        yield from start_service(service_settings(url))


def _send(service: Service, case: schemathesis.Case) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=service.headers)
    kwargs.pop("cookies", None)
    if "data" in kwargs:  # a body that is not JSON goes out as raw content
        data = kwargs.pop("data")
        kwargs["content"] = data.encode() if isinstance(data, str) else data
    if kwargs.get("files"):  # a fuzzed form field may hold any JSON value: sent as its text
        kwargs["files"] = [
            (
                name,
                (part[0], part[1] if isinstance(part[1], (bytes, str)) else json.dumps(part[1]), *part[2:]),
            )
            for name, part in kwargs["files"]
        ]
    response = service.client.request(**kwargs)
    response.request.read()  # a multipart body is streamed: the checks read it back
    return response


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case: schemathesis.Case, fuzzed: Service) -> None:
    case.validate_response(_send(fuzzed, case), checks=CHECKS)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_document_carries_the_contract(service: Service) -> None:
    document = service.client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    for name in ("Portfolio", "Plan", "ScenarioIn", "RunIn", "CheckIn", "Problem", "SolverSettings", "Kpis"):
        assert name in components, name
    post = document["paths"]["/v1/portfolios"]["post"]
    body = post["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Portfolio"}
    assert body["examples"]["small"]["value"]["projects"]
    assert set(post["responses"]) >= {"201", "401", "413", "422"}
    assert document["paths"]["/v1/runs"]["post"]["requestBody"]["content"]["application/json"]["examples"][
        "replan"
    ]
    assert {"APIKeyHeader", "HTTPBearer"} <= set(document["components"]["securitySchemes"])
    assert service.client.get("/docs").status_code == 200

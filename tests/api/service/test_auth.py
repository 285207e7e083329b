"""Keys, workspace isolation, the body cap, and problem bodies without stack traces."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.service.auth import key_digest
from api.service.db import Database
from api.service.models import ApiKey
from tests.api.service.conftest import Service, service_settings, small_portfolio, start_service


def test_401_without_or_with_a_wrong_key(service: Service) -> None:
    for headers in (
        {},
        {"X-API-Key": "pmo_wrong"},
        {"Authorization": "Bearer pmo_wrong"},
        {"Authorization": "Basic eDp5"},
    ):
        response = service.client.get("/v1/portfolios", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_bearer_works_like_the_header(service: Service) -> None:
    pid = service.add_portfolio()
    response = service.client.get(f"/v1/portfolios/{pid}", headers={"Authorization": f"Bearer {service.key}"})
    assert response.status_code == 200


def test_keys_are_stored_hashed(service: Service) -> None:
    database: Database = service.app.state.database
    with database.read() as session:
        stored = session.scalars(select(ApiKey.key_hash)).all()
    assert service.key not in stored
    assert key_digest(service.key) in stored


def test_another_workspace_sees_nothing(service: Service) -> None:
    pid = service.add_portfolio()
    run_id = service.solve(pid, 1)
    run = service.wait(run_id)
    plan_path = run["plan"]
    scenario = service.request("POST", "/v1/scenarios", json={"portfolio": pid, "changes": []}).json()["id"]
    other = service.new_key("two")
    for method, path in (
        ("GET", f"/v1/portfolios/{pid}"),
        ("PUT", f"/v1/portfolios/{pid}"),
        ("DELETE", f"/v1/portfolios/{pid}"),
        ("GET", f"/v1/portfolios/{pid}/versions/1"),
        ("GET", f"/v1/scenarios/{scenario}"),
        ("GET", f"/v1/runs/{run_id}"),
        ("DELETE", f"/v1/runs/{run_id}"),
        ("GET", f"/v1/runs/{run_id}/events"),
        ("GET", plan_path),
        ("GET", f"{plan_path}/check"),
    ):
        kwargs = {"json": small_portfolio()} if method == "PUT" else {}
        response = service.request(method, path, other, **kwargs)
        assert response.status_code == 404, (method, path)
    assert service.request("GET", "/v1/portfolios", other).json() == []
    assert service.request("GET", "/v1/runs", other).json() == []
    assert service.request("GET", "/v1/plans", other).json() == []
    refused = service.submit({"kind": "solve", "portfolio": pid}, other)
    assert refused.status_code == 404
    check = service.request(
        "POST", "/v1/check", other, json={"portfolio": pid, "plan": {"status": "feasible"}}
    )
    assert check.status_code == 404
    assert service.request("GET", f"/v1/portfolios/{pid}").status_code == 200  # still there for its owner


def test_413_above_the_body_cap(database_url: str) -> None:
    for service in start_service(service_settings(database_url, max_body_bytes=4096)):
        big = small_portfolio(name="x" * 5000)
        response = service.request("POST", "/v1/portfolios", json=big)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

        def chunks() -> object:
            yield b'{"name": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'

        streamed = service.request(
            "POST", "/v1/portfolios", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        assert service.request("POST", "/v1/portfolios", json=small_portfolio()).status_code == 201


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_errors_never_carry_a_stack_trace(service: Service) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret internals")

    service.app.state.workers.wake = broken  # the next submission fails after the run is stored
    pid = service.add_portfolio()
    response = service.submit({"kind": "solve", "portfolio": pid})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "an unexpected error; it has been logged",
        "instance": "/v1/runs",
    }
    assert service.client.get("/v1/nothing-here").json()["status"] == 404
    assert service.client.post("/healthz").status_code == 405

"""``/v1/portfolios``: store, list, read, version, delete; invalid input as the CLI reports it."""

from __future__ import annotations

import json
from http import HTTPStatus

from api.service.examples import PORTFOLIO_EXAMPLE
from model.load import InvalidInput, parse_portfolio
from tests.api.service.conftest import Service, small_portfolio


def test_store_read_and_list(service: Service) -> None:
    response = service.request("POST", "/v1/portfolios", json=small_portfolio())
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/portfolios/{body['id']}"
    assert body["version"] == 1 and body["versions"] == [1]
    assert parse_portfolio(body["portfolio"]) == parse_portfolio(small_portfolio())
    listed = service.request("GET", "/v1/portfolios").json()
    assert [p["id"] for p in listed] == [body["id"]]
    assert "portfolio" not in listed[0]
    assert service.request("GET", body["id"] and f"/v1/portfolios/{body['id']}").json() == body


def test_the_openapi_example_is_valid(service: Service) -> None:
    assert service.request("POST", "/v1/portfolios", json=PORTFOLIO_EXAMPLE).status_code == 201


def test_put_keeps_every_version(service: Service) -> None:
    pid = service.add_portfolio()
    changed = small_portfolio()
    changed["projects"][0]["priority"] = 9
    response = service.request("PUT", f"/v1/portfolios/{pid}", json=changed)
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["versions"] == [1, 2]
    versions = service.request("GET", f"/v1/portfolios/{pid}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    first = service.request("GET", f"/v1/portfolios/{pid}/versions/1").json()
    second = service.request("GET", f"/v1/portfolios/{pid}/versions/2").json()
    assert first["projects"][0]["priority"] != 9 and second["projects"][0]["priority"] == 9
    assert service.request("GET", f"/v1/portfolios/{pid}/versions/3").status_code == 404


def test_invalid_portfolio_lists_the_cli_problems(service: Service) -> None:
    data = small_portfolio()
    data["projects"][0]["tasks"][0]["requirements"][0]["skill"] = "pyhton"
    data["people"][0]["capacity"] = "full"
    response = service.request("POST", "/v1/portfolios", json=data)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == HTTPStatus(422).phrase
    try:
        parse_portfolio(json.dumps(data))
    except InvalidInput as exc:
        expected = [{"path": i.path, "message": i.message} for i in exc.issues]
    assert problem["errors"] == expected
    assert any(e["path"].endswith("capacity") for e in problem["errors"])


def test_not_json_and_document_limits(service: Service) -> None:
    for content in (b"{", b"[1, 2", b'{"a": 1, "a": 2}', b"\xff\xfe"):
        response = service.request(
            "POST", "/v1/portfolios", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, content
        assert response.json()["errors"]
    nul = small_portfolio(name="a\u0000b")
    response = service.request("POST", "/v1/portfolios", json=nul)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "name"


def test_delete(service: Service) -> None:
    pid = service.add_portfolio()
    assert service.request("DELETE", f"/v1/portfolios/{pid}").status_code == 204
    assert service.request("GET", f"/v1/portfolios/{pid}").status_code == 404
    assert service.request("DELETE", f"/v1/portfolios/{pid}").status_code == 404
    assert service.request("PUT", f"/v1/portfolios/{pid}", json=small_portfolio()).status_code == 404
    assert service.request("GET", "/v1/portfolios").json() == []


def test_unknown_ids_are_404_problems(service: Service) -> None:
    for path in (
        "/v1/portfolios/nope",
        "/v1/portfolios/00000000-0000-0000-0000-000000000000",
        "/v1/portfolios/x%00y",
    ):
        response = service.request("GET", path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404

"""``/v1/scenarios``: a stored base plus the CLI's typed changes; scenarios on scenarios."""

from __future__ import annotations

from api.service.examples import SCENARIO_CHANGES_EXAMPLE
from tests.api.service.conftest import Service

HIRE = {"op": "hire", "role": "tester", "skill": "qa", "level": 3, "from": "2027-01-04"}


def test_scenario_applies_its_changes(service: Service) -> None:
    pid = service.add_portfolio()
    response = service.request(
        "POST",
        "/v1/scenarios",
        json={
            "name": "hire",
            "portfolio": pid,
            "changes": [HIRE, {"op": "change_priority", "project": "portal", "priority": 9}],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/scenarios/{body['id']}"
    assert body["base"] == {"portfolio": pid, "version": 1, "scenario": None}
    assert body["changes"][0] == HIRE
    applied = service.request("GET", body["portfolio"]).json()
    assert any(p["id"].startswith("hire-qa") for p in applied["people"])
    assert next(p for p in applied["projects"] if p["id"] == "portal")["priority"] == 9
    assert service.request("GET", f"/v1/scenarios/{body['id']}").json() == body
    assert [s["id"] for s in service.request("GET", "/v1/scenarios").json()] == [body["id"]]


def test_scenario_on_a_scenario_and_on_an_old_version(service: Service) -> None:
    pid = service.add_portfolio()
    first = service.request("POST", "/v1/scenarios", json={"portfolio": pid, "changes": [HIRE]}).json()
    second = service.request(
        "POST",
        "/v1/scenarios",
        json={"scenario": first["id"], "changes": [{"op": "remove_person", "person": "bob"}]},
    ).json()
    assert second["base"]["scenario"] == first["id"]
    people = {p["id"] for p in service.request("GET", second["portfolio"]).json()["people"]}
    assert "bob" not in people and any(p.startswith("hire-qa") for p in people)
    service.request(
        "PUT",
        f"/v1/portfolios/{pid}",
        json={**service.request("GET", f"/v1/portfolios/{pid}/versions/1").json(), "name": "v2"},
    )
    pinned = service.request(
        "POST", "/v1/scenarios", json={"portfolio": pid, "version": 1, "changes": []}
    ).json()
    assert pinned["base"]["version"] == 1
    assert service.request("GET", pinned["portfolio"]).json()["name"] == "test"


def test_invalid_changes_are_named_as_the_cli_names_them(service: Service) -> None:
    pid = service.add_portfolio()
    response = service.request(
        "POST",
        "/v1/scenarios",
        json={
            "portfolio": pid,
            "changes": [{"op": "hire", "skill": "dta", "level": 3, "from": "2027-01-04"}],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"].startswith("changes[0]")
    unknown_op = service.request(
        "POST", "/v1/scenarios", json={"portfolio": pid, "changes": [{"op": "fire"}]}
    )
    assert unknown_op.json()["errors"][0]["path"] == "changes[0].op"
    breaks = service.request(
        "POST",
        "/v1/scenarios",
        json={"portfolio": pid, "changes": [{"op": "change_due", "project": "crm", "due": "2031-01-01"}]},
    )
    assert breaks.status_code == 422
    assert breaks.json()["errors"][0]["path"].startswith("after changes[0] (change_due)"), breaks.json()


def test_bad_bases(service: Service) -> None:
    pid = service.add_portfolio()
    for body, status, path in (
        ({"changes": []}, 422, "portfolio"),
        ({"portfolio": pid, "scenario": pid, "changes": []}, 422, "portfolio"),
        ({"base": "file.json", "changes": []}, 422, "base"),
        ({"version": 1, "scenario": pid}, 422, "version"),
        ({"portfolio": pid, "version": 0}, 422, "version"),
    ):
        response = service.request("POST", "/v1/scenarios", json=body)
        assert response.status_code == status, body
        assert response.json()["errors"][0]["path"] == path, body
    assert service.request("POST", "/v1/scenarios", json={"portfolio": pid, "version": 7}).status_code == 404
    assert service.request("POST", "/v1/scenarios", json={"scenario": pid}).status_code == 404


def test_delete_and_the_example(service: Service) -> None:
    from api.service.examples import PORTFOLIO_EXAMPLE

    pid = service.add_portfolio(PORTFOLIO_EXAMPLE)
    created = service.request(
        "POST", "/v1/scenarios", json={"portfolio": pid, "changes": SCENARIO_CHANGES_EXAMPLE}
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert service.request("DELETE", f"/v1/scenarios/{sid}").status_code == 204
    assert service.request("GET", f"/v1/scenarios/{sid}").status_code == 404
    assert service.request("GET", f"/v1/scenarios/{sid}/portfolio").status_code == 404

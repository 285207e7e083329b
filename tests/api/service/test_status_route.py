"""``POST /v1/plans/{id}/status``: the same report as ``pmo status --json``, bad actuals a 422 with the path."""

from __future__ import annotations

from tests.api.service.conftest import Service


def test_status_of_a_stored_plan(service: Service) -> None:
    path, plan = service.stored_plan()
    build = next(a for a in plan["assignments"] if a["task"] == "build")
    actuals = {
        "status_date": "2027-01-06",
        "tasks": [{"project": "crm", "task": "build", "actual_start": build["start"], "remaining_days": 4}],
    }
    response = service.request("POST", f"{path}/status", json=actuals, params={"time_limit": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    crm = next(r for r in body["projects"] if r["project"] == "crm")
    assert crm["forecast_finish"] > crm["baseline_finish"] and crm["slip_days"] > 0
    assert body["spi_method"].startswith("SPI = EV / PV")


def test_bad_actuals_are_a_422_naming_the_path(service: Service) -> None:
    path, _ = service.stored_plan()
    for rows, field in (
        ([{"project": "crm", "task": "nope"}], "tasks[0].task"),
        ([{"project": "crm", "task": "build", "actual_start": "2027-01-04", "percent_complete": 101}], "tasks[0].percent_complete"),
        ([{"project": "crm", "task": "build", "actual_start": "2027-01-09"}], "tasks[0].actual_start"),
    ):
        response = service.request("POST", f"{path}/status", json={"status_date": "2027-01-06", "tasks": rows})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["path"] == field
    assert service.request("POST", "/v1/plans/nope/status", json={"status_date": "2027-01-06"}).status_code == 404

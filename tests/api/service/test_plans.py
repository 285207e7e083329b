"""``/v1/plans`` and ``/v1/check``: plans are checked before they are served; any plan can be checked."""

from __future__ import annotations

import copy
from typing import Any

from api.service.db import Database
from api.service.models import PlanRecord
from tests.api.service.conftest import Service


def _solved(service: Service) -> tuple[str, str, dict[str, Any]]:
    pid = service.add_portfolio()
    run = service.wait(service.solve(pid, 1))
    return pid, run["plan"], service.request("GET", run["plan"]).json()


def _broken(plan: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(plan)
    test = next(a for a in broken["assignments"] if a["task"] == "test")
    build = next(a for a in broken["assignments"] if a["task"] == "build")
    test["start"], test["finish"] = build["start"], build["start"]  # before its predecessor ends
    return broken


def test_check_a_posted_plan(service: Service) -> None:
    pid, _, plan = _solved(service)
    assert service.request("POST", "/v1/check", json={"portfolio": pid, "plan": plan}).json() == {
        "valid": True,
        "violations": [],
    }
    report = service.request(
        "POST", "/v1/check", json={"portfolio": pid, "version": 1, "plan": _broken(plan)}
    ).json()
    assert report["valid"] is False
    assert {v["hard_rule"] for v in report["violations"]} >= {"dependencies"}


def test_check_refuses_what_is_not_a_plan(service: Service) -> None:
    pid, _, plan = _solved(service)
    for body, path in (
        ({"portfolio": pid}, "plan"),
        ({"portfolio": pid, "plan": {**plan, "status": "great"}}, "plan.status"),
        ({"portfolio": pid, "plan": plan, "extra": 1}, "extra"),
        ({"plan": plan}, "portfolio"),
        ([], ""),
    ):
        response = service.request("POST", "/v1/check", json=body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["path"] == path
    assert service.request("POST", "/v1/check", json={"scenario": pid, "plan": plan}).status_code == 404


def test_a_stored_plan_that_breaks_a_rule_is_never_served(service: Service) -> None:
    _, path, plan = _solved(service)
    database: Database = service.app.state.database
    with database.write() as session:
        record = session.get(PlanRecord, path.rsplit("/", 1)[1])
        assert record is not None
        record.data = _broken(plan)
        session.commit()
    for suffix in ("", "/kpis", "/explanation", "/changes"):
        response = service.request("GET", f"{path}{suffix}")
        assert response.status_code == 409, suffix
        assert response.headers["content-type"] == "application/problem+json"
    report = service.request("GET", f"{path}/check").json()
    assert report["valid"] is False and report["violations"]


def test_unknown_plans(service: Service) -> None:
    for suffix in ("", "/check", "/kpis", "/explanation", "/changes", "/portfolio", "/summary"):
        assert service.request("GET", f"/v1/plans/nope{suffix}").status_code == 404
    assert service.request("GET", "/v1/plans", params={"run": "nope"}).json() == []

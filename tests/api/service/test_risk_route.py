"""``GET /v1/plans/{id}/risk``: the same report as ``pmo risk --json``, for stored plans only."""

from __future__ import annotations

from api.service.db import Database
from api.service.models import PlanRecord
from model.load import parse_portfolio
from model.plan import Plan
from model.risk import analyse_risk
from tests.api.service.conftest import Service, small_portfolio

UNCERTAIN = small_portfolio(risk={"default_spread": {"optimistic": 0.8, "pessimistic": 2.0}})


def test_risk_of_a_stored_plan_is_the_cli_report(service: Service) -> None:
    path, plan = service.stored_plan(UNCERTAIN)
    response = service.request("GET", f"{path}/risk", params={"samples": 3000, "seed": 7})
    assert response.status_code == 200, response.text
    body = response.json()
    expected = analyse_risk(parse_portfolio(UNCERTAIN), Plan.model_validate(plan), 3000, 7)
    assert body == expected.model_dump(mode="json")
    assert {p["project"] for p in body["projects"]} == {"crm", "portal"}
    assert body["uncertain_tasks"] == 3


def test_risk_refuses_bad_parameters_and_other_workspaces(service: Service) -> None:
    path, _ = service.stored_plan(UNCERTAIN)
    for params, field in (
        ({"samples": 0}, "samples"),
        ({"seed": -1}, "seed"),
        ({"policy": "soon"}, "policy"),
    ):
        response = service.request("GET", f"{path}/risk", params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["path"].endswith(field)
    assert service.request("GET", f"{path}/risk", key=service.new_key("two")).status_code == 404
    assert service.request("GET", "/v1/plans/nope/risk").status_code == 404
    assert service.client.get(f"{path}/risk").status_code == 401


def test_a_stored_plan_that_breaks_a_rule_has_no_risk(service: Service) -> None:
    path, plan = service.stored_plan(UNCERTAIN)
    database: Database = service.app.state.database
    with database.write() as session:
        record = session.get(PlanRecord, path.rsplit("/", 1)[1])
        assert record is not None
        broken = dict(plan)
        broken["assignments"] = [dict(a, people=[]) for a in plan["assignments"]]
        record.data = broken
        session.commit()
    assert service.request("GET", f"{path}/risk").status_code == 409

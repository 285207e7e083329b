"""``/v1/check``: any posted plan checked against a stored portfolio or scenario."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.service.deps import CurrentWorkspace, JsonBody, ReadSession
from api.service.openapi import json_request_body
from api.service.plans import violations_of
from api.service.problems import invalid, problem_responses
from api.service.schemas import CheckReport, CheckTarget
from api.service.store import scenario_target, target_data, version_target
from model.claims import claim_violations
from model.load import InvalidInput, parse_model, parse_portfolio
from model.plan import Plan
from model.rules import Issue

router = APIRouter(prefix="/v1", tags=["check"])
TARGET_FIELDS = ("portfolio", "version", "scenario")


def _plan(data: dict[str, Any]) -> Plan:
    if "plan" not in data:
        raise invalid([Issue("plan", "give the plan to check")])
    try:
        return parse_model(Plan, data["plan"])
    except InvalidInput as exc:
        raise invalid(
            [Issue(f"plan.{i.path}" if i.path else "plan", i.message) for i in exc.issues]
        ) from None


@router.post(
    "/check",
    summary="Check a plan against a stored portfolio",
    response_model=CheckReport,
    responses=problem_responses(401, 404, 413, 422),
    openapi_extra=json_request_body("CheckIn"),
)
def check_posted_plan(workspace: CurrentWorkspace, session: ReadSession, data: JsonBody) -> CheckReport:
    """Every hard rule, checked by the independent checker, and every figure the plan claims
    (as `pmo check` does)."""
    if not isinstance(data, dict):
        raise invalid([Issue("", "give an object with `plan` and `portfolio` (or `scenario`)")])
    unknown = sorted(set(data) - {*TARGET_FIELDS, "plan"})
    if unknown:
        raise invalid([Issue(k, f"unknown field '{k[:60]}'") for k in unknown])
    target = parse_model(CheckTarget, {k: data[k] for k in TARGET_FIELDS if k in data})
    plan = _plan(data)
    if (target.portfolio is None) == (target.scenario is None):
        raise invalid([Issue("portfolio", "give exactly one of `portfolio` (and `version`) or `scenario`")])
    if target.portfolio is not None:
        made_for = version_target(session, workspace.id, target.portfolio, target.version)
    else:
        assert target.scenario is not None
        made_for = scenario_target(session, workspace.id, target.scenario)
    portfolio = parse_portfolio(target_data(session, made_for))
    broken = violations_of(portfolio, plan) + claim_violations(portfolio, plan)
    return CheckReport(valid=not broken, violations=broken)

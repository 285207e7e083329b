"""Turning a posted run into a queue entry: its body validated, what it plans resolved, its digest."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from api.service.models import ScenarioRecord
from api.service.problems import invalid, not_found
from api.service.schemas import CompareRunIn, ReplanRunIn, RunIn, SolveRunIn, SweepRunIn
from api.service.settings import Settings
from api.service.store import (
    Target,
    get_plan,
    get_portfolio,
    plan_target,
    scenario_target,
    target_data,
    version_target,
)
from model.load import InvalidInput, capped, issues_from_validation_error, parse_portfolio
from model.plan import PlanStatus
from model.rules import Issue

RUN_KINDS = ("solve", "compare", "replan", "sweep")
_RUN_ADAPTER: TypeAdapter[RunIn] = TypeAdapter(RunIn)


def request_digest(data: Any) -> str:
    """The digest of a request body, the same for the same JSON whatever its key order or spacing."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _run_issues(exc: ValidationError) -> list[Issue]:
    out = []
    for err, issue in zip(exc.errors(include_url=False), issues_from_validation_error(exc), strict=True):
        path = issue.path
        head, _, rest = path.partition(".")
        if head in RUN_KINDS:  # the union's tag: the path inside the body starts after it
            path = rest
        message = issue.message
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path, message = "kind", f"give `kind`: one of {', '.join(RUN_KINDS)}"
        out.append(Issue(path, message))
    return out


def parse_run(data: Any, settings: Settings) -> SolveRunIn | CompareRunIn | ReplanRunIn | SweepRunIn:
    """The validated body of a run, within the service's limits.

    Raises
    ------
    ProblemError
        422 with every problem and its path in the body.
    """
    try:
        body = _RUN_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise invalid(capped(_run_issues(exc))) from None
    issues = []
    if body.settings.time_limit > settings.max_time_limit:
        issues.append(Issue("settings.time_limit", f"at most {settings.max_time_limit:g} s on this server"))
    if body.settings.workers > settings.max_solver_workers:
        issues.append(Issue("settings.workers", f"at most {settings.max_solver_workers} on this server"))
    if issues:
        raise invalid(issues)
    return body


def _one_of(portfolio: str | None, scenario: str | None, version: int | None) -> None:
    if portfolio is not None and scenario is not None:
        raise invalid([Issue("scenario", "give `portfolio` or `scenario`, not both")])
    if version is not None and portfolio is None:
        raise invalid([Issue("version", "a version belongs with `portfolio`")])


def _unique_labels(targets: list[Target]) -> list[Target]:
    seen: set[str] = set()
    out = []
    for target in targets:
        label, n = target.label, 1
        while label in seen:
            n += 1
            label = f"{target.label} #{n}"
        seen.add(label)
        out.append(Target(label, target.portfolio_id, target.version, target.version_id, target.scenario_id))
    return out


def resolve_targets(
    session: Session,
    workspace: str,
    body: SolveRunIn | CompareRunIn | ReplanRunIn | SweepRunIn,
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """What each plan of the run is made for, in its stored form.

    Raises
    ------
    ProblemError
        404 for an id this workspace does not have, 422 for a body that names its targets wrongly.
    """
    if isinstance(body, SweepRunIn):
        return _sweep_targets(session, workspace, body, settings or Settings())
    if isinstance(body, SolveRunIn):
        _one_of(body.portfolio, body.scenario, body.version)
        if body.portfolio is not None:
            return [version_target(session, workspace, body.portfolio, body.version).as_json()]
        if body.scenario is not None:
            return [scenario_target(session, workspace, body.scenario).as_json()]
        raise invalid([Issue("portfolio", "give the `portfolio` (or the `scenario`) to plan")])
    if isinstance(body, CompareRunIn):
        _one_of(body.portfolio, None, body.version)
        targets = [version_target(session, workspace, body.portfolio, body.version)] if body.portfolio else []
        targets += [scenario_target(session, workspace, s) for s in body.scenarios]
        return [t.as_json() for t in _unique_labels(targets)]
    return [_replan_target(session, workspace, body)]


def _sweep_targets(
    session: Session, workspace: str, body: SweepRunIn, settings: Settings
) -> list[dict[str, Any]]:
    """The base (label ``base``) and each scenario of the grid, checked now and stored as a scenario of
    the workspace, so that every plan of the sweep is made for, and checked against, its own portfolio."""
    from api.sweep import BASE_NAME, expand, parse_rank_by

    target = version_target(session, workspace, body.portfolio, body.version)
    try:
        parse_rank_by(body.rank_by, "rank_by")
        base = parse_portfolio(target_data(session, target))
        scenarios = expand(base, body.vary, "vary", settings.max_sweep_scenarios)
    except InvalidInput as exc:
        raise invalid(exc.issues) from None
    out = []
    for scenario in scenarios:
        if scenario.name == BASE_NAME:
            out.append({**target.as_json(), "label": BASE_NAME, "changes": []})
            continue
        record = ScenarioRecord(
            workspace_id=workspace,
            name=scenario.name,
            description=f"a scenario of a sweep of {target.label}",
            base_version_id=target.version_id,
            changes=scenario.changes,
            applied=scenario.portfolio.model_dump(mode="json"),
        )
        session.add(record)
        session.flush()
        out.append({**scenario_target(session, workspace, record.id).as_json(), "changes": scenario.changes})
    return out


def _replan_target(session: Session, workspace: str, body: ReplanRunIn) -> dict[str, Any]:
    _one_of(body.portfolio, body.scenario, body.version)
    baseline = get_plan(session, workspace, body.baseline)
    if not PlanStatus(baseline.status).has_plan:
        raise invalid(
            [Issue("baseline", f"plan '{baseline.id}' has no assignments (status {baseline.status})")]
        )
    if body.portfolio is not None:
        target = version_target(session, workspace, body.portfolio, body.version)
    elif body.scenario is not None:
        target = scenario_target(session, workspace, body.scenario)
    else:
        made_for = plan_target(session, baseline)
        if made_for.scenario_id is not None:
            target = scenario_target(session, workspace, made_for.scenario_id)
        elif made_for.portfolio_id is not None:
            get_portfolio(session, workspace, made_for.portfolio_id)
            target = version_target(session, workspace, made_for.portfolio_id, None)
        else:
            raise not_found("portfolio", "of the baseline")
    return {**target.as_json(), "baseline_plan": baseline.id}


def total_time_limit(
    body: SolveRunIn | CompareRunIn | ReplanRunIn | SweepRunIn, targets: list[dict[str, Any]]
) -> float:
    """Seconds the run may take: each plan of a comparison (or scenario of a sweep) gets the whole time limit."""
    return body.settings.time_limit * max(1, len(targets))

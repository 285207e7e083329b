"""Reading records of one workspace: another workspace's id is never found (a 404)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.service.models import PlanRecord, PortfolioRecord, PortfolioVersion, RunRecord, ScenarioRecord
from api.service.problems import not_found

_RECORD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_record_id(ident: str) -> bool:
    """Whether ``ident`` has the shape of a record id (anything else is not looked up)."""
    return _RECORD_ID.fullmatch(ident) is not None


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` with its time zone (SQLite hands datetimes back without one; they are UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def get_portfolio(session: Session, workspace: str, portfolio_id: str) -> PortfolioRecord:
    """A live portfolio of ``workspace``, else a 404."""
    found = session.get(PortfolioRecord, portfolio_id) if is_record_id(portfolio_id) else None
    if found is None or found.workspace_id != workspace or found.deleted_at is not None:
        raise not_found("portfolio", portfolio_id)
    return found


def get_version(session: Session, portfolio: PortfolioRecord, number: int | None = None) -> PortfolioVersion:
    """Version ``number`` (default: the latest) of ``portfolio``, else a 404."""
    wanted = portfolio.latest_version if number is None else number
    found = session.scalar(
        select(PortfolioVersion).where(
            PortfolioVersion.portfolio_id == portfolio.id, PortfolioVersion.number == wanted
        )
    )
    if found is None:
        raise not_found("version", f"{portfolio.id} v{wanted}")
    return found


def get_scenario(session: Session, workspace: str, scenario_id: str) -> ScenarioRecord:
    """A live scenario of ``workspace``, else a 404."""
    found = session.get(ScenarioRecord, scenario_id) if is_record_id(scenario_id) else None
    if found is None or found.workspace_id != workspace or found.deleted_at is not None:
        raise not_found("scenario", scenario_id)
    return found


def get_run(session: Session, workspace: str, run_id: str, *, for_update: bool = False) -> RunRecord:
    """A run of ``workspace``, else a 404 (``for_update`` locks its row on PostgreSQL)."""
    found = session.get(RunRecord, run_id, with_for_update=for_update) if is_record_id(run_id) else None
    if found is None or found.workspace_id != workspace:
        raise not_found("run", run_id)
    return found


def get_plan(session: Session, workspace: str, plan_id: str) -> PlanRecord:
    """A plan of ``workspace``, else a 404."""
    found = session.get(PlanRecord, plan_id) if is_record_id(plan_id) else None
    if found is None or found.workspace_id != workspace:
        raise not_found("plan", plan_id)
    return found


@dataclass(frozen=True)
class Target:
    """A stored portfolio version or scenario something is made for."""

    label: str
    portfolio_id: str | None
    version: int | None
    version_id: str | None
    scenario_id: str | None

    def as_json(self) -> dict[str, Any]:
        """The stored form (a run's ``targets``)."""
        return {
            "label": self.label,
            "portfolio": self.portfolio_id,
            "version": self.version,
            "version_id": self.version_id,
            "scenario": self.scenario_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Target:
        """A target from its stored form."""
        return cls(
            data["label"],
            data.get("portfolio"),
            data.get("version"),
            data.get("version_id"),
            data.get("scenario"),
        )


def version_target(session: Session, workspace: str, portfolio_id: str, number: int | None) -> Target:
    """The target of a portfolio at a version (default: its latest)."""
    portfolio = get_portfolio(session, workspace, portfolio_id)
    version = get_version(session, portfolio, number)
    return Target(portfolio.name, portfolio.id, version.number, version.id, None)


def scenario_target(session: Session, workspace: str, scenario_id: str) -> Target:
    """The target of a scenario."""
    scenario = get_scenario(session, workspace, scenario_id)
    return Target(scenario.name or scenario.id, None, None, None, scenario.id)


def target_data(session: Session, target: Target) -> dict[str, Any]:
    """The portfolio JSON of a target."""
    if target.scenario_id is not None:
        scenario = session.get(ScenarioRecord, target.scenario_id)
        assert scenario is not None  # scenarios are only soft-deleted
        return scenario.applied
    version = session.get(PortfolioVersion, target.version_id)
    assert version is not None  # versions are never deleted while a portfolio's record exists
    return version.data


def plan_target(session: Session, plan: PlanRecord) -> Target:
    """What ``plan`` was made for."""
    number = None
    portfolio_id = None
    if plan.portfolio_version_id is not None:
        version = session.get(PortfolioVersion, plan.portfolio_version_id)
        if version is not None:
            number, portfolio_id = version.number, version.portfolio_id
    return Target(plan.label, portfolio_id, number, plan.portfolio_version_id, plan.scenario_id)

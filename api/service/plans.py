"""Plans as served: each one re-checked by the independent checker against the portfolio it was made for."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.service.models import PlanRecord
from api.service.problems import ProblemError
from api.service.store import plan_target, target_data
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import Plan, PlanStatus, Violation
from model.portfolio import Portfolio


def plan_portfolio(session: Session, record: PlanRecord) -> Portfolio:
    """The validated portfolio ``record`` was made for."""
    return parse_portfolio(target_data(session, plan_target(session, record)))


def stored_plan(record: PlanRecord) -> Plan:
    """The plan of ``record`` as the contract's model."""
    return Plan.model_validate(record.data)


def violations_of(portfolio: Portfolio, plan: Plan) -> list[Violation]:
    """The checker's violations of a plan that claims assignments (none for a result without a plan)."""
    return check_plan(portfolio, plan) if plan.status.has_plan else []


def verified_plan(session: Session, record: PlanRecord) -> tuple[Portfolio, Plan]:
    """The portfolio and plan of ``record``, once the checker passed it.

    Raises
    ------
    ProblemError
        409 when the stored plan breaks a hard rule of its portfolio (it is never served then).
    """
    portfolio = plan_portfolio(session, record)
    plan = stored_plan(record)
    broken = violations_of(portfolio, plan)
    if broken:
        raise ProblemError(
            409, f"the stored plan breaks {len(broken)} hard rule(s) of its portfolio; see its check"
        )
    return portfolio, plan


def has_plan(status: str) -> bool:
    """Whether a stored status comes with assignments."""
    return PlanStatus(status).has_plan

"""A plan's exports for any caller (the command line, a service): checked first, then as files.

:func:`export_problems` says why a plan may not be exported; :func:`export_plan` gives the
files of one format as ``{file name: bytes}``.
"""

from __future__ import annotations

from model.checker import check_plan
from model.plan import Plan
from model.portfolio import Portfolio
from model.rules import Issue

FORMATS = ("xlsx", "csv", "mspdi", "ics")


def export_problems(portfolio: Portfolio, plan: Plan) -> list[Issue]:
    """Why ``plan`` may not be exported for ``portfolio``: it has no assignments, or it breaks
    a hard rule (checked by :func:`model.checker.check_plan`). Empty: it may."""
    if not plan.status.has_plan:
        return [Issue("plan", f"the plan has no assignments to export (status {plan.status.value})")]
    return [Issue(f"plan: {v.rule}", v.message) for v in check_plan(portfolio, plan)]


def export_plan(fmt: str, portfolio: Portfolio, plan: Plan) -> dict[str, bytes]:
    """The files of a checked plan in one format: ``plan.xlsx``, the CSV tables, ``plan.xml``,
    or one ``.ics`` per person.

    Raises
    ------
    ValueError
        ``fmt`` is not one of :data:`FORMATS`.
    """
    if fmt == "xlsx":
        from api.interchange.plan_xlsx import plan_xlsx

        return {"plan.xlsx": plan_xlsx(portfolio, plan)}
    if fmt == "csv":
        from api.interchange.csv_export import plan_csv_files

        return plan_csv_files(portfolio, plan)
    if fmt == "mspdi":
        from api.interchange.mspdi_write import plan_mspdi

        return {"plan.xml": plan_mspdi(portfolio, plan)}
    if fmt == "ics":
        from api.interchange.ical import person_calendars

        return person_calendars(portfolio, plan)
    raise ValueError(f"unknown export format '{fmt[:40]}' ({', '.join(FORMATS)})")

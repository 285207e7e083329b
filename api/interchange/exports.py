"""A plan's exports for any caller (the command line, a service): checked first, then as files.

:func:`export_problems` says why a plan may not be exported; :func:`export_plan` gives the
files of one format as ``{file name: bytes}``, :func:`export_part` one file of a format that
writes several, :func:`zip_files` several files as one archive.
"""

from __future__ import annotations

import io
import zipfile

from model.checker import check_plan
from model.plan import Plan
from model.portfolio import Portfolio
from model.rules import Issue

FORMATS = ("xlsx", "csv", "mspdi", "ics")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


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


class UnknownPart(LookupError):
    """A CSV table or a person that the plan's export does not have (the message says which)."""


def export_part(fmt: str, portfolio: Portfolio, plan: Plan, part: str) -> tuple[str, bytes]:
    """One file of a format that writes several: a CSV table (``part`` one of
    :data:`~api.interchange.plan_tables.TABLE_NAMES`) or a person's calendar (``part`` their id).

    Raises
    ------
    UnknownPart
        ``part`` is not a table (csv) or a person (ics) of the plan's portfolio.
    ValueError
        ``fmt`` is not ``csv`` or ``ics``.
    """
    if fmt == "csv":
        from api.interchange.csv_export import plan_csv
        from api.interchange.plan_tables import TABLE_NAMES

        if part not in TABLE_NAMES:
            raise UnknownPart(f"unknown table '{part[:40]}' ({', '.join(TABLE_NAMES)})")
        return f"{part}.csv", plan_csv(portfolio, plan, part)
    if fmt == "ics":
        from api.interchange.ical import calendar_file_name, person_calendar

        if part not in {p.id for p in portfolio.people}:
            raise UnknownPart(f"unknown person '{part[:40]}'")
        return calendar_file_name(part), person_calendar(portfolio, plan, part)
    raise ValueError(f"the {fmt[:40]} export is one file: it has no parts")


def zip_files(files: dict[str, bytes]) -> bytes:
    """The files as one zip archive, in the order given; entries dated 1980-01-01 so that the
    same files give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_EPOCH), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()

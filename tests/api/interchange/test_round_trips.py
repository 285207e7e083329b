"""Every export format gives back the plan it was made from, for any valid portfolio's plan
(the workbook and MS Project XML round trips of portfolios are in test_xlsx and test_mspdi)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

from hypothesis import assume, given, seed, settings

from api.interchange.csv_export import plan_csv
from api.interchange.exports import export_plan, zip_files
from api.interchange.ical import person_calendars
from model.load import parse_portfolio
from model.plan import Plan
from model.portfolio import Portfolio
from tests.api.interchange.helpers import assert_calendars_match, levelled_plan
from tests.conftest import valid_portfolios

Staffing = dict[tuple[str, str], tuple[str, str, dict[str, int]]]


def _staffing(plan: Plan) -> Staffing:
    """(project, task) → start, finish and each person's allocation."""
    return {
        (a.project, a.task): (
            a.start.isoformat(),
            a.finish.isoformat(),
            {p.id: p.allocation for p in a.people},
        )
        for a in plan.assignments
    }


def _staffing_of_csv(data: bytes) -> Staffing:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    out: Staffing = {}
    for row in rows:
        _, _, people = out.setdefault((row["project"], row["task"]), (row["start"], row["finish"], {}))
        if row["person"]:
            people[row["person"]] = int(row["allocation"])
    return out


def _planned(data: dict[str, Any]) -> tuple[Portfolio, Plan]:
    portfolio = parse_portfolio(data)
    plan = levelled_plan(portfolio)
    assume(plan.status.has_plan)
    return portfolio, plan


@seed(31)
@settings(deadline=None, max_examples=20)
@given(valid_portfolios())
def test_any_plan_comes_back_from_its_csv_and_calendars(data: dict[str, Any]) -> None:
    portfolio, plan = _planned(data)
    assert _staffing_of_csv(plan_csv(portfolio, plan, "assignments")) == _staffing(plan)
    stamp = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    assert_calendars_match(portfolio, plan, person_calendars(portfolio, plan, stamp=stamp))


@seed(32)
@settings(deadline=None, max_examples=10)
@given(valid_portfolios())
def test_any_export_zips_and_unzips_unchanged(data: dict[str, Any]) -> None:
    portfolio, plan = _planned(data)
    for fmt in ("csv", "mspdi"):
        files = export_plan(fmt, portfolio, plan)
        archive = zipfile.ZipFile(io.BytesIO(zip_files(files)))
        assert {name: archive.read(name) for name in archive.namelist()} == files
        assert zip_files(files) == zip_files(dict(files))  # the same files, the same bytes

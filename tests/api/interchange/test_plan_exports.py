"""A plan as a workbook and as CSV: the same tables, load coloured, late projects explained."""

from __future__ import annotations

import csv
import io

import openpyxl

from api.interchange.csv_export import plan_csv, plan_csv_files
from api.interchange.exports import export_plan, export_problems
from api.interchange.plan_tables import TABLE_NAMES, plan_tables
from api.interchange.plan_xlsx import plan_xlsx
from model.explanation import Explanation
from tests.api.interchange.helpers import levelled_plan, small_plan
from tests.conftest import build, person, portfolio_dict, project, small_portfolio, task


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_workbook_sheets_match_the_tables() -> None:
    portfolio, plan = small_portfolio(), small_plan()
    wb = openpyxl.load_workbook(io.BytesIO(plan_xlsx(portfolio, plan)))
    assert wb.sheetnames == ["Summary", "Assignments", "Load", "Projects", "Late projects", "Late chains"]
    tables = {t.name: t for t in plan_tables(portfolio, plan)}
    assignments = wb["Assignments"]
    assert [c.value for c in assignments[1]] == list(tables["assignments"].columns)
    assert (
        assignments.max_row - 2
        == len(tables["assignments"].rows)
        == sum(max(1, len(a.people)) for a in plan.assignments)
    )
    first = tables["assignments"].rows[0]
    assert assignments["A3"].value == first[0] and assignments["E3"].value.date() == first[4]


def test_load_is_coloured_by_conditional_formatting() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(plan_xlsx(small_portfolio(), small_plan())))
    load = wb["Load"]
    rules = [r for rng in load.conditional_formatting for r in rng.rules]
    assert {r.type for r in rules} >= {"colorScale", "cellIs"}
    assert load["C3"].number_format == "0%"
    projects = wb["Projects"]
    assert any(r.type == "expression" for rng in projects.conditional_formatting for r in rng.rules)


def test_csv_tables() -> None:
    portfolio, plan = small_portfolio(), small_plan()
    files = plan_csv_files(portfolio, plan)
    assert sorted(files) == sorted(f"{n}.csv" for n in TABLE_NAMES)
    rows = _rows(plan_csv(portfolio, plan))
    assert rows[0][:6] == ["project", "project_name", "task", "task_name", "start", "finish"]
    crm = next(r for r in rows[1:] if r[0] == "crm" and r[2] == "scoping")
    a = next(x for x in plan.assignments if (x.project, x.task) == ("crm", "scoping"))
    assert crm[4:6] == [a.start.isoformat(), a.finish.isoformat()]
    load = _rows(files["load.csv"])
    assert load[0][:3] == ["person", "person_name", f"{portfolio.calendar.start.isocalendar()[0]}-W01"]
    assert all(0 <= float(v) <= 1 for row in load[1:] for v in row[2:] if v)
    projects = _rows(files["projects.csv"])
    assert {r[0] for r in projects[1:]} == {p.id for p in portfolio.projects}


def test_late_projects_are_explained() -> None:
    # two 5-day tasks for one person, both due after 5 days: one is late
    pf = build(
        portfolio_dict(
            [
                project("a", [task("x", 5)], due="2027-01-08", priority=9),
                project("b", [task("y", 5)], due="2027-01-08"),
            ],
            [person("ann")],
        )
    )
    plan = levelled_plan(pf)
    plan.explanation_detail = None  # computed from the plan when it carries none
    late = _rows(plan_csv(pf, plan, "late_projects"))
    assert [r[0] for r in late[1:]] == ["b"]
    assert late[1][4] == "5" and "ann" in late[1][6]
    chains = _rows(plan_csv(pf, plan, "late_chains"))
    assert chains[1][:4] == ["b", "1", "b", "y"]


def test_a_carried_explanation_is_used() -> None:
    plan = small_plan().model_copy(update={"explanation_detail": Explanation(summary=["nothing late"])})
    assert _rows(plan_csv(small_portfolio(), plan, "late_projects"))[1:] == []


def test_export_plan_gives_the_files_of_each_format() -> None:
    portfolio, plan = small_portfolio(), small_plan()
    assert export_problems(portfolio, plan) == []
    assert list(export_plan("xlsx", portfolio, plan)) == ["plan.xlsx"]
    assert list(export_plan("mspdi", portfolio, plan)) == ["plan.xml"]
    assert len(export_plan("csv", portfolio, plan)) == len(TABLE_NAMES)
    assert len(export_plan("ics", portfolio, plan)) == len(portfolio.people)
    broken = plan.model_copy(deep=True)
    broken.assignments[0].people = []
    assert export_problems(portfolio, broken)

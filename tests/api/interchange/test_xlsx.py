"""The portfolio workbook: round trips, the template, errors named by cell, a real spreadsheet program."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, seed, settings

from api.generate import generate_size
from api.interchange.cells import CellMap
from api.interchange.workbook_layout import SHEETS
from api.interchange.xlsx_read import read_portfolio_xlsx
from api.interchange.xlsx_write import portfolio_xlsx, template_xlsx
from model.load import InvalidInput, parse_portfolio
from model.rules import Issue
from tests.api.interchange.helpers import NO_SOFFICE, SOFFICE, edit_workbook, soffice_convert, workbook_safe
from tests.conftest import (
    build,
    person,
    pool_portfolios,
    portfolio_dict,
    project,
    small_portfolio,
    task,
    valid_portfolios,
)


def _issues(data: bytes) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        read_portfolio_xlsx(data)
    return [str(i) for i in caught.value.issues]


# --------------------------------------------------------------------------- round trips


def test_small_round_trips() -> None:
    original = small_portfolio()
    assert read_portfolio_xlsx(portfolio_xlsx(original)) == original


@pytest.mark.parametrize("size", ["tiny", "p10"])
def test_generated_portfolios_round_trip(size: str) -> None:
    original = parse_portfolio(generate_size(size, seed=3))
    assert read_portfolio_xlsx(portfolio_xlsx(original)) == original


def test_pools_modes_budgets_round_trip() -> None:
    data = portfolio_dict(
        [
            project(
                "p1",
                [
                    {
                        "id": "a",
                        "duration": 3,
                        "consumes": {"N1": 5},
                        "requirements": [{"pool": "rig", "units": 2}],
                    },
                    {
                        "id": "b",
                        "modes": [
                            {"duration": 4, "requirements": [{"skill": "dev", "count": 1}]},
                            {
                                "id": "fast",
                                "duration": 2,
                                "requirements": [{"skill": "dev", "count": 2}],
                                "consumes": {"N1": 3},
                            },
                        ],
                        "dependencies": [{"task": "a", "type": "SS", "lag": -1}],
                    },
                ],
                budgets={"N1": 40},
            )
        ],
        [person("ann"), person("bob")],
        pools=[{"id": "rig", "name": "Test rig", "capacity": 3}],
    )
    original = build(data)
    assert read_portfolio_xlsx(portfolio_xlsx(original)) == original


@seed(25)
@settings(deadline=None, max_examples=40)
@given(valid_portfolios())
def test_any_portfolio_round_trips(data: dict[str, Any]) -> None:
    original = parse_portfolio(workbook_safe(data))
    assert read_portfolio_xlsx(portfolio_xlsx(original)) == original


@seed(25)
@settings(deadline=None, max_examples=15)
@given(pool_portfolios(modes=True))
def test_pool_portfolios_round_trip(original: Any) -> None:
    assert read_portfolio_xlsx(portfolio_xlsx(original)) == original


def test_a_skill_named_like_a_people_column_round_trips() -> None:
    original = build(
        portfolio_dict(
            [project("p", [task("t", skill="name")])],
            [person("ann", {"name": 2})],
            skills=("name", "skill:x"),
        )
    )
    assert read_portfolio_xlsx(portfolio_xlsx(original)) == original


def test_text_that_looks_like_a_formula_stays_text() -> None:
    data = portfolio_dict([project("p", [task("t")], name="=1+1")])
    original = build(data)
    again = read_portfolio_xlsx(portfolio_xlsx(original))
    assert again.projects[0].name == "=1+1"


def test_a_control_character_in_a_name_is_refused_with_its_path() -> None:
    original = build(portfolio_dict([project("p", [task("t")], name="a\x01b")]))
    with pytest.raises(InvalidInput) as caught:
        portfolio_xlsx(original)
    assert [i.path for i in caught.value.issues] == ["projects[0].name"]


# --------------------------------------------------------------------------- template


def test_empty_template_has_every_sheet_notes_and_validation_lists() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert wb.sheetnames == [s.name for s in SHEETS]
    for sheet in SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]][: len(sheet.columns)] == [c.name for c in sheet.columns]
        assert all(c.value for c in ws[2][: len(sheet.columns)]), f"{sheet.name} has no notes row"
    lists = {
        (name, str(v.sqref).split(":")[0][0], v.formula1)
        for name in wb.sheetnames
        for v in wb[name].data_validations.dataValidation
        if v.type == "list"
    }
    assert ("Requirements", "D", "'Skills'!$A$3:$A$1000") in lists
    assert ("Tasks", "A", "'Projects'!$A$3:$A$1000") in lists
    assert ("Absences", "A", "'People'!$A$3:$A$1000") in lists
    assert ("Dependencies", "D", '"FS,SS,FF,SF"') in lists


def test_empty_template_asks_for_the_horizon() -> None:
    assert _issues(template_xlsx()) == [
        "Settings!B4: give 'start', the first day of the planning horizon (YYYY-MM-DD)",
        "Settings!B5: give 'end', the last day of the planning horizon (inclusive) (YYYY-MM-DD)",
    ]


def test_example_template_is_the_small_example() -> None:
    assert read_portfolio_xlsx(template_xlsx(example=True)) == small_portfolio()
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx(example=True)))
    levels = [v for v in wb["People"].data_validations.dataValidation if v.type == "whole"]
    assert levels and levels[0].formula1 == "1" and levels[0].formula2 == "5"


# --------------------------------------------------------------------------- errors by cell

# examples/small.json as a workbook: Requirements row 3 is crm/scoping's first requirement,
# Tasks row 3 crm/scoping, People row 3 alice, Dependencies row 3 crm/design's first link
BAD_CELLS = [
    ({"Requirements!D3": "pyhton"}, "Requirements!D3: unknown skill 'pyhton'"),
    ({"Tasks!D3": "ten"}, "Tasks!D3: Input should be a valid integer"),
    ({"People!C3": 150}, "People!C3: Input should be less than or equal to 100"),
    ({"Dependencies!D3": "XX"}, "Dependencies!D3: Input should be 'FS', 'SS', 'FF' or 'SF'"),
    ({"Dependencies!C3": "nowhere"}, "Dependencies!C3: unknown task 'nowhere'"),
    ({"Tasks!A3": "nope"}, "Tasks!A3: unknown project 'nope' (not on the Projects sheet)"),
    ({"Absences!A3": "zoe"}, "Absences!A3: unknown person 'zoe' (not on the People sheet)"),
    (
        {"Projects!E3": "2027-02-30"},
        "Projects!E3: Input should be a valid date or datetime, day value is outside expected range",
    ),
    ({"Tasks!E3": 5}, "Tasks row 3: give exactly one of `duration`, `effort` and `modes`"),
    ({"People!Q1": "cooking", "People!Q3": 3}, "People!Q3: unknown skill 'cooking'"),
    (
        {"Tasks!M1": "colour"},
        "Tasks!M1: unknown column 'colour' (columns: project, id, name, duration, effort, "
        "crew_min, crew_max, consumes, fixed_start, fixed_people, earliest_start, latest_finish)",
    ),
    (
        {"Settings!A20": "speed", "Settings!B20": 3},
        "Settings!A20: unknown setting 'speed' (name, start, end, "
        "workdays, holiday, tardiness, completion, cost, continuity, makespan, project_delay)",
    ),
    ({"Tasks!J4": "alice, zoe"}, "Tasks!J4: unknown person 'zoe'"),
    ({"Tasks!H3": "budget"}, "Tasks!H3: 'budget' is not budget=amount"),
]


@pytest.mark.parametrize(("edits", "expected"), BAD_CELLS, ids=[e for _, e in BAD_CELLS])
def test_a_bad_cell_is_named(edits: dict[str, Any], expected: str) -> None:
    data = edit_workbook(portfolio_xlsx(small_portfolio()), edits)
    assert expected in _issues(data)


def test_every_problem_is_reported_at_once() -> None:
    data = edit_workbook(
        portfolio_xlsx(small_portfolio()),
        {"Tasks!A6": "nope", "People!C3": 150, "Tasks!D4": "ten", "Dependencies!D3": "XX"},
    )
    issues = _issues(data)
    assert len(issues) >= 4
    assert {i.split(":")[0] for i in issues} >= {"Tasks!A6", "People!C3", "Tasks!D4", "Dependencies!D3"}


def test_numbers_typed_as_text_and_ids_typed_as_numbers_are_read() -> None:
    data = edit_workbook(portfolio_xlsx(small_portfolio()), {"Tasks!D3": "5", "Projects!C3": 8.0})
    assert read_portfolio_xlsx(data) == small_portfolio()


def test_not_a_workbook() -> None:
    assert _issues(b"PK\x03\x04 broken")[0].startswith("not an Excel (.xlsx) workbook")


def test_a_missing_sheet_is_named() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(portfolio_xlsx(small_portfolio())))
    del wb["Tasks"]
    out = io.BytesIO()
    wb.save(out)
    assert "Tasks: the workbook has no 'Tasks' sheet" in _issues(out.getvalue())


@pytest.mark.parametrize(
    ("path", "place"),
    [
        ("projects[0].tasks[1].requirements[0].skill", "Requirements!D4"),
        ("projects[0].tasks[1].requirements[0]", "Requirements row 4"),
        ("projects[0].tasks[1].requirements[0].level.deeper", "Requirements!E4"),
        ("people[0].skills.pm.[key]", "People!H3"),
        ("projects[9]", None),
    ],
)
def test_cell_map_finds_the_nearest_recorded_place(path: str, place: str | None) -> None:
    where = CellMap()
    where.put("projects[0].tasks[1].requirements[0]", "Requirements row 4")
    where.put("projects[0].tasks[1].requirements[0].skill", "Requirements!D4")
    where.put("projects[0].tasks[1].requirements[0].level", "Requirements!E4")
    where.put("people[0].skills.pm", "People!H3")
    assert where.place(path) == place
    assert where.issues([Issue(path, "x")])[0].path == (place or path)


# --------------------------------------------------------------------------- a real spreadsheet program


@pytest.mark.skipif(SOFFICE is None, reason=NO_SOFFICE)
def test_libreoffice_reads_the_workbook_and_its_copy_reads_back(tmp_path: Path) -> None:
    source = tmp_path / "small.xlsx"
    source.write_bytes(portfolio_xlsx(small_portfolio()))
    every_sheet = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    files = soffice_convert(source, every_sheet, tmp_path / "csv")
    tasks = next(p for p in files if p.name == "small-Tasks.csv")
    rows = list(csv.reader(tasks.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:4] == ["project", "id", "name", "duration"]
    assert rows[2][:4] == ["crm", "scoping", "", "5"]
    people = next(p for p in files if p.name == "small-People.csv").read_text(encoding="utf-8")
    assert "Chloé Dubois" in people
    # LibreOffice saves the workbook again; the engine reads its copy as the same portfolio
    copy = soffice_convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "resaved")
    resaved = next(p for p in copy if p.suffix == ".xlsx")
    assert read_portfolio_xlsx(resaved.read_bytes()) == small_portfolio()

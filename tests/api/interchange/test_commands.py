"""``pmo template``, ``pmo import`` and ``pmo export``, and every portfolio command reading .xlsx and MSPDI."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from api.cli import ExitCode, app
from api.interchange.mspdi_schema import validate_mspdi
from api.interchange.xlsx_read import read_portfolio_xlsx
from model.load import InvalidInput, parse_portfolio
from tests.api.interchange.helpers import HAND_MADE, small_plan
from tests.conftest import SMALL, small_portfolio

runner = CliRunner()


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(small_plan().model_dump_json())
    return path


def _run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_template_then_import(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    code, out = _run("template", book, "--example")
    assert code == ExitCode.PLAN and "example template written" in out
    target = tmp_path / "p.json"
    code, out = _run("import", book, "-o", target)
    assert code == ExitCode.PLAN, out
    assert parse_portfolio(target) == small_portfolio()
    code, _ = _run("template", tmp_path / "empty.xlsx")
    assert code == ExitCode.PLAN
    code, out = _run("import", tmp_path / "empty.xlsx", "-o", tmp_path / "e.json")
    assert code == ExitCode.INVALID_INPUT and "Settings!B4" in out


def test_import_mspdi_says_what_is_not_mapped(tmp_path: Path) -> None:
    target = tmp_path / "p.json"
    code, out = _run("import", HAND_MADE, "-o", target, "--pins", "people")
    assert code == ExitCode.PLAN, out
    assert "not mapped" in out and "material resources are not mapped" in out
    pf = parse_portfolio(target)
    assert [p.id for p in pf.projects] == ["Design", "Build"]
    assert all(t.fixed_start is None for p in pf.projects for t in p.tasks)


def test_import_refuses_other_files(tmp_path: Path) -> None:
    code, out = _run("import", SMALL, "-o", tmp_path / "p.json")
    assert code == ExitCode.INVALID_INPUT and "neither an .xlsx workbook nor an MS Project XML file" in out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    code, out = _run("import", bad, "-o", tmp_path / "p.json")
    assert code == ExitCode.INVALID_INPUT and f"{bad}: not an Excel (.xlsx) workbook" in out
    code, out = _run("import", HAND_MADE, "-o", tmp_path / "p.json", "--horizon-end", "soon")
    assert code == ExitCode.INVALID_INPUT and "--horizon-end" in out


def test_every_command_reads_a_workbook_and_mspdi(tmp_path: Path, plan_file: Path) -> None:
    book = tmp_path / "small.xlsx"
    assert _run("export", "xlsx", SMALL, "-o", book)[0] == ExitCode.PLAN
    code, out = _run("check", book, plan_file)
    assert code == ExitCode.PLAN and "valid" in out
    result = runner.invoke(app, ["solve", str(book), "--levelling-only", "--json"])
    assert result.exit_code == ExitCode.PLAN
    assert json.loads(result.stdout)["status"] == "feasible"
    xml = tmp_path / "plan.xml"
    assert _run("export", "mspdi", plan_file, "--portfolio", book, "-o", xml)[0] == ExitCode.PLAN
    code, out = _run("check", xml, plan_file)
    assert code == ExitCode.PLAN, out


def _misspelt_skill_book(folder: Path) -> Path:
    """examples/small.json exported to ``folder/small.xlsx``, with an unknown skill in Requirements!D3."""
    book = folder / "small.xlsx"
    assert _run("export", "xlsx", SMALL, "-o", book)[0] == ExitCode.PLAN
    wb = openpyxl.load_workbook(book)
    wb["Requirements"]["D3"] = "pyhton"
    wb.save(book)
    return book


def test_a_bad_cell_fails_every_command_with_its_place(tmp_path: Path) -> None:
    book = _misspelt_skill_book(tmp_path)
    code, out = _run("solve", book, "--levelling-only")
    assert code == ExitCode.INVALID_INPUT
    assert "Requirements!D3: unknown skill 'pyhton'" in out
    result = runner.invoke(app, ["solve", str(book), "--json"])
    errors = json.loads(result.stdout)["errors"]
    assert {"path": "Requirements!D3", "message": "unknown skill 'pyhton'"} in errors
    assert "Traceback" not in out


def test_export_plan_formats(tmp_path: Path, plan_file: Path) -> None:
    workbook = tmp_path / "plan.xlsx"
    assert _run("export", "xlsx", plan_file, "--portfolio", SMALL, "-o", workbook)[0] == ExitCode.PLAN
    assert "Load" in openpyxl.load_workbook(workbook).sheetnames
    assert _run("export", "csv", plan_file, "--portfolio", SMALL, "-o", tmp_path / "csv")[0] == ExitCode.PLAN
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "assignments.csv",
        "late_chains.csv",
        "late_projects.csv",
        "load.csv",
        "projects.csv",
    ]
    one = tmp_path / "load.csv"
    assert _run("export", "csv", plan_file, "--portfolio", SMALL, "-o", one, "--table", "load")[0] == 0
    assert one.read_text(encoding="utf-8-sig").startswith("person,person_name,2027-W01")
    code, out = _run("export", "csv", plan_file, "--portfolio", SMALL, "-o", one, "--table", "nope")
    assert code == ExitCode.INVALID_INPUT and "unknown table 'nope'" in out
    xml = tmp_path / "plan.xml"
    assert _run("export", "mspdi", plan_file, "--portfolio", SMALL, "-o", xml)[0] == ExitCode.PLAN
    assert validate_mspdi(xml.read_bytes()) == []
    assert _run("export", "ics", plan_file, "--portfolio", SMALL, "-o", tmp_path / "ics")[0] == ExitCode.PLAN
    assert len(list((tmp_path / "ics").glob("*.ics"))) == len(small_portfolio().people)
    alice = tmp_path / "alice.ics"
    assert _run("export", "ics", plan_file, "--portfolio", SMALL, "--person", "alice", "-o", alice)[0] == 0
    assert Calendar.from_ical(alice.read_bytes()).walk("VEVENT")
    code, out = _run("export", "ics", plan_file, "--portfolio", SMALL, "--person", "zoe", "-o", alice)
    assert code == ExitCode.INVALID_INPUT and "unknown person 'zoe'" in out


def test_export_portfolio_as_workbook(tmp_path: Path) -> None:
    book = tmp_path / "p.xlsx"
    assert _run("export", "xlsx", SMALL, "-o", book)[0] == ExitCode.PLAN
    assert read_portfolio_xlsx(book.read_bytes()) == small_portfolio()
    code, out = _run("export", "mspdi", SMALL, "-o", tmp_path / "x.xml")
    assert code == ExitCode.INVALID_INPUT and "needs the plan's portfolio" in out


def test_export_refuses_a_plan_that_breaks_the_portfolio(tmp_path: Path, plan_file: Path) -> None:
    plan = json.loads(plan_file.read_text())
    plan["assignments"][0]["people"] = []
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(plan))
    code, out = _run("export", "mspdi", broken, "--portfolio", SMALL, "-o", tmp_path / "x.xml")
    assert code == ExitCode.INVALID_INPUT and "breaks hard rules" in out
    assert not (tmp_path / "x.xml").exists()
    plan = json.loads(plan_file.read_text())
    plan.update(status="infeasible", assignments=[])
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(plan))
    code, out = _run("export", "ics", empty, "--portfolio", SMALL, "-o", tmp_path / "ics")
    assert code == ExitCode.INVALID_INPUT and "no assignments to export (status infeasible)" in out


def test_export_xlsx_to_standard_output(plan_file: Path) -> None:
    result = runner.invoke(app, ["export", "xlsx", str(plan_file), "--portfolio", str(SMALL), "-o", "-"])
    assert result.exit_code == ExitCode.PLAN
    assert openpyxl.load_workbook(io.BytesIO(result.stdout_bytes)).sheetnames[0] == "Summary"


def _hire(folder: Path, base: str) -> Path:
    scenario = folder / "hire.json"
    change = {"op": "hire", "role": "data engineer", "skill": "data", "level": 3, "from": "2027-02-01"}
    scenario.write_text(json.dumps({"name": "hire", "base": base, "changes": [change]}))
    return scenario


def test_compare_reads_workbooks_and_ms_project_files_given_or_as_bases(
    tmp_path: Path, plan_file: Path
) -> None:
    from api.cli import read_other_portfolio
    from model.scenario import load_for_compare

    book = tmp_path / "small.xlsx"
    assert _run("export", "xlsx", SMALL, "-o", book)[0] == ExitCode.PLAN
    xml = tmp_path / "plan.xml"
    assert _run("export", "mspdi", plan_file, "--portfolio", SMALL, "-o", xml)[0] == ExitCode.PLAN
    hire = _hire(tmp_path, "small.xlsx")
    loaded = load_for_compare([book, hire, xml], read_other=read_other_portfolio)
    base = small_portfolio()
    name = str(base.name)  # a file of another format is labelled by its portfolio's name
    assert list(loaded) == [name, "hire", f"{name} #2"]
    assert loaded[name] == base
    assert len(loaded["hire"].people) == len(base.people) + 1
    assert [p.id for p in loaded[f"{name} #2"].projects] == [p.id for p in base.projects]
    with pytest.raises(InvalidInput) as refused:
        load_for_compare([SMALL, hire])  # the model alone reads JSON only
    assert refused.value.issues[0].path.startswith("hire.json: base[small.xlsx]")
    result = runner.invoke(app, ["compare", str(book), str(hire), "-t", "2", "--json"])
    assert result.exit_code == ExitCode.PLAN, result.output
    assert [s["name"] for s in json.loads(result.stdout)["scenarios"]] == [name, "hire"]


def test_compare_names_a_bad_cell_of_a_scenario_base(tmp_path: Path) -> None:
    book = _misspelt_skill_book(tmp_path)
    code, out = _run("compare", SMALL, _hire(tmp_path, "small.xlsx"), "-t", "1")
    assert code == ExitCode.INVALID_INPUT
    assert "hire.json: base[small.xlsx].Requirements!D3: unknown skill 'pyhton'" in out
    code, out = _run("compare", book, SMALL, "-t", "1")
    assert code == ExitCode.INVALID_INPUT and "small.xlsx: Requirements!D3: unknown skill 'pyhton'" in out

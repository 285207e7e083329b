"""``pmo replan``: bad requests are invalid input naming the offender; the changes, the
before/after per project and the reasons are printed, in the JSON and in the report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from api.cli import ExitCode, app
from api.replan_report import change_text, print_replan
from model.plan import Plan
from tests.conftest import small_dict, write_json

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small example, its plan, and the example with dwh raised to priority 10."""
    folder = tmp_path_factory.mktemp("replan")
    before = write_json(folder / "before.json", small_dict())
    plan = folder / "plan.json"
    solved = runner.invoke(app, ["solve", str(before), "-o", str(plan), "-t", "2", "--deterministic"])
    assert solved.exit_code == ExitCode.PLAN, solved.output
    changed = small_dict()
    changed["projects"][1]["priority"] = 10
    return {"before": before, "plan": plan, "after": write_json(folder / "after.json", changed)}


def _replan(files: dict[str, Path], *args: str, baseline: Path | None = None) -> list[str]:
    return [
        "replan",
        str(files["after"]),
        "--baseline",
        str(baseline or files["plan"]),
        "-t",
        "2",
        "--deterministic",
        *args,
    ]


@pytest.mark.parametrize("day", ["2030-01-01", "2026-12-31"])
def test_as_of_outside_the_horizon_is_invalid_input(files: dict[str, Path], day: str) -> None:
    result = runner.invoke(app, _replan(files, "--as-of", day))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert f"--as-of: {day} is outside the portfolio's horizon (2027-01-04 to 2027-06-30)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("task", "t1", "baseline: assignments[3].task: '{project}/t1' is not a task of the portfolio"),
        ("project", "prj9", "baseline: assignments[3].project: 'prj9' is not a project of the portfolio"),
    ],
)
def test_a_foreign_baseline_is_invalid_input(
    files: dict[str, Path], tmp_path: Path, field: str, value: str, expected: str
) -> None:
    plan = json.loads(files["plan"].read_text())
    project = plan["assignments"][3]["project"]
    plan["assignments"][3][field] = value
    foreign = write_json(tmp_path / "foreign.json", plan)
    result = runner.invoke(app, _replan(files, "--as-of", "2027-02-01", baseline=foreign))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert expected.format(project=project) in result.output
    as_json = runner.invoke(app, [*_replan(files, "--as-of", "2027-02-01", baseline=foreign), "--json"])
    assert as_json.exit_code == ExitCode.INVALID_INPUT
    body = json.loads(as_json.stdout)
    assert body["status"] == "invalid"
    assert body["errors"][0]["path"] == f"baseline: assignments[3].{field}"


def test_replan_prints_and_reports_what_changed(files: dict[str, Path], tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    out = tmp_path / "new.json"
    args = ["--as-of", "2027-02-01", "--baseline-portfolio", str(files["before"]), "-o", str(out)]
    result = runner.invoke(app, [*_replan(files, *args), "--report", str(report)])
    assert result.exit_code == ExitCode.PLAN, result.output
    assert "change(s) against the baseline" in result.output
    assert "changed since the baseline: dwh: priority 5 → 10" in result.output
    plan = json.loads(out.read_text())
    rows = {row["project"]: row for row in plan["stats"]["replan"]["projects"]}
    assert set(rows) == {"crm", "dwh", "portal", "ml"}
    assert plan["stats"]["replan"]["reasons"]  # every changed project is accounted for
    text = report.read_text()
    assert "## Replan" in text and "## Changes" in text
    assert "| dwh | 10 |" in text  # the before/after table has the changed project
    for change in plan["changes"]:
        assert f"| {change['project']} | {change['task']} | {change['change']} |" in text


def test_the_change_list_is_printed_with_dates_and_cut_with_a_count(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """Every weight at zero and an early as-of: several changes, each printed with its dates;
    a shorter list ends with the count of the rest."""
    out = tmp_path / "new.json"
    args = ["--as-of", "2027-01-04", "--move-weight", "0", "--shift-weight", "0", "--people-weight", "0"]
    result = runner.invoke(app, _replan(files, *args, "-o", str(out)))
    assert result.exit_code == ExitCode.PLAN
    plan = Plan.model_validate_json(out.read_text())
    assert len(plan.changes) >= 2
    printed = " ".join(result.output.split())  # the terminal wraps long lines
    for change in plan.changes:
        assert f"{change.project}/{change.task}: {change_text(change)}" in printed
        assert str(change.new_start or change.old_start) in change_text(change)
    text = io.StringIO()
    print_replan(Console(file=text, width=200), plan, shown=1)
    assert f"… {len(plan.changes) - 1:,} more (-o, --json or --report list them all)" in text.getvalue()

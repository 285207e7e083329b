"""Scenario files on the command line (api/scenario_commands.py, `pmo compare` what-if plumbing)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import ExitCode, app
from api.scenario_commands import file_stems
from model.load import parse_portfolio
from tests.conftest import small_dict

runner = CliRunner()
HIRE = {"op": "hire", "role": "backend dev", "skill": "backend", "level": 4}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "portfolio.json").write_text(json.dumps(small_dict()), encoding="utf-8")
    (tmp_path / "hire.json").write_text(
        json.dumps({"name": "hire", "base": "portfolio.json", "changes": [HIRE]}), encoding="utf-8"
    )
    (tmp_path / "same.json").write_text(
        json.dumps({"name": "same", "base": "portfolio.json"}), encoding="utf-8"
    )
    return tmp_path


def test_apply_writes_the_changed_portfolio(folder: Path) -> None:
    out = folder / "applied.json"
    result = runner.invoke(app, ["scenario", "apply", str(folder / "hire.json"), "-o", str(out)])
    assert result.exit_code == ExitCode.PLAN, result.output
    applied = parse_portfolio(out)
    assert "hire-backend-1" in {p.id for p in applied.people}
    assert len(applied.people) == len(small_dict()["people"]) + 1


def test_apply_without_base_takes_the_given_one(folder: Path) -> None:
    scenario = folder / "bare.json"
    scenario.write_text(json.dumps({"changes": [HIRE]}), encoding="utf-8")
    result = runner.invoke(
        app, ["scenario", "apply", str(scenario), "--base", str(folder / "portfolio.json")]
    )
    assert result.exit_code == ExitCode.PLAN, result.output
    assert "hire-backend-1" in result.stdout
    missing = runner.invoke(app, ["scenario", "apply", str(scenario)])
    assert missing.exit_code == ExitCode.INVALID_INPUT
    assert "base: no base portfolio" in missing.output


def test_apply_names_the_change_at_fault(folder: Path) -> None:
    scenario = folder / "typo.json"
    changes = [{"op": "change_priority", "project": "crmm", "priority": 9}]
    scenario.write_text(json.dumps({"base": "portfolio.json", "changes": changes}), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "apply", str(scenario)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "changes[0].project: unknown project 'crmm'" in result.output
    assert "Traceback" not in result.output


def test_solve_and_explain_take_a_scenario_file(folder: Path) -> None:
    plan_file = folder / "plan.json"
    result = runner.invoke(
        app, ["solve", str(folder / "hire.json"), "-t", "2", "-w", "1", "-o", str(plan_file)]
    )
    assert result.exit_code == ExitCode.PLAN, result.output
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    assert "hire-backend-1" in plan["kpis"]["utilisation"]
    explained = runner.invoke(app, ["explain", str(folder / "hire.json"), str(plan_file), "--json"])
    assert explained.exit_code == ExitCode.PLAN, explained.output
    checked = runner.invoke(
        app, ["scenario", "apply", str(folder / "hire.json"), "-o", str(folder / "a.json")]
    )
    assert checked.exit_code == ExitCode.PLAN
    assert runner.invoke(app, ["check", str(folder / "a.json"), str(plan_file)]).exit_code == ExitCode.PLAN


def test_a_scenario_base_outside_its_folder_is_refused(folder: Path) -> None:
    inner = folder / "inner"
    inner.mkdir()
    (inner / "up.json").write_text(
        json.dumps({"base": "../portfolio.json", "changes": [HIRE]}), encoding="utf-8"
    )
    result = runner.invoke(app, ["solve", str(inner / "up.json"), "-t", "1"])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "a base must be in the scenario's folder or below" in result.output
    anywhere = runner.invoke(app, ["scenario", "apply", str(inner / "up.json"), "--base-anywhere"])
    assert anywhere.exit_code == ExitCode.PLAN, anywhere.output


def test_compare_json_carries_plans_and_out_dir_writes_them(folder: Path) -> None:
    settings = folder / "settings.toml"
    settings.write_text("[solver]\ntime_limit = 2\nseed = 3\n", encoding="utf-8")
    out = folder / "out"
    files = [str(folder / n) for n in ("portfolio.json", "same.json", "hire.json")]
    result = runner.invoke(
        app,
        ["compare", *files, "--deterministic", "--settings", str(settings), "--out-dir", str(out), "--json"],
    )
    assert result.exit_code == ExitCode.PLAN, result.output
    data = json.loads(result.stdout)
    names = [s["name"] for s in data["scenarios"]]
    assert list(data["plans"]) == names
    assert data["plans"]["same"]["assignments"] == data["plans"][names[0]]["assignments"]
    assert data["noise"] == pytest.approx(0.01)
    stems = file_stems(names)
    for name in names:
        applied = parse_portfolio(out / f"{stems[name]}.portfolio.json")
        plan = json.loads((out / f"{stems[name]}.plan.json").read_text(encoding="utf-8"))
        assert plan["assignments"] == data["plans"][name]["assignments"]
        checked = runner.invoke(
            app, ["check", str(out / f"{stems[name]}.portfolio.json"), str(out / f"{stems[name]}.plan.json")]
        )
        assert checked.exit_code == ExitCode.PLAN, checked.output
        assert bool(applied.people)


def test_compare_refuses_an_out_dir_that_is_a_file(folder: Path) -> None:
    blocker = folder / "taken"
    blocker.write_text("x", encoding="utf-8")
    files = [str(folder / "portfolio.json"), str(folder / "hire.json")]
    result = runner.invoke(app, ["compare", *files, "-t", "1", "--out-dir", str(blocker)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "--out-dir" in result.output


def test_file_stems_are_safe_and_distinct() -> None:
    stems = file_stems(["../../etc/passwd", "hire 2", "hire-2", ".hidden", "é"])
    assert all("/" not in s and not s.startswith(".") for s in stems.values())
    assert len(set(stems.values())) == 5
    assert stems["hire 2"] == "hire-2" and stems["hire-2"] == "hire-2-2"


def test_shipped_example_works_as_a_base(tmp_path: Path) -> None:
    shutil.copy(Path(__file__).parents[2] / "examples" / "small.json", tmp_path / "small.json")
    scenario = tmp_path / "s.json"
    scenario.write_text(json.dumps({"base": "small.json", "changes": [HIRE]}), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "apply", str(scenario)])
    assert result.exit_code == ExitCode.PLAN, result.output

"""CLI tests: commands, outputs and the documented exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import ExitCode, app

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small.json"
runner = CliRunner()


def _write(tmp_path: Path, data: dict, name: str = "p.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def _small() -> dict:
    return json.loads(SMALL.read_text())


def test_solve_writes_plan_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    report = tmp_path / "report.md"
    result = runner.invoke(app, ["solve", str(SMALL), "-o", str(out), "--report", str(report), "-t", "5"])
    assert result.exit_code == ExitCode.PLAN, result.output
    assert "Projects" in result.output and "crm" in result.output
    plan = json.loads(out.read_text())
    assert plan["status"] in ("optimal", "feasible")
    assert plan["violations"] == []
    assert "## Projects" in report.read_text()


def test_solve_json_output() -> None:
    result = runner.invoke(app, ["solve", str(SMALL), "--json", "--levelling-only"])
    assert result.exit_code == ExitCode.PLAN
    plan = json.loads(result.stdout)
    assert plan["status"] == "feasible"
    assert len(plan["assignments"]) == sum(len(p["tasks"]) for p in _small()["projects"])


def test_check_accepts_valid_and_rejects_broken(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    assert runner.invoke(app, ["solve", str(SMALL), "-o", str(out), "--levelling-only"]).exit_code == 0
    result = runner.invoke(app, ["check", str(SMALL), str(out)])
    assert result.exit_code == ExitCode.PLAN
    assert "valid" in result.output
    plan = json.loads(out.read_text())
    plan["assignments"][0]["people"] = []
    broken = _write(tmp_path, plan, "broken.json")
    result = runner.invoke(app, ["check", str(SMALL), str(broken)])
    assert result.exit_code == ExitCode.INFEASIBLE
    assert "Requirement not covered" in result.output
    plan = json.loads(out.read_text())
    plan["objective"] = 1
    forged = _write(tmp_path, plan, "forged.json")
    result = runner.invoke(app, ["check", str(SMALL), str(forged)])
    assert result.exit_code == ExitCode.INFEASIBLE
    assert "Objective does not match" in result.output


def test_invalid_input_exit_4_with_path(tmp_path: Path) -> None:
    data = _small()
    data["projects"][2]["tasks"][1]["requirements"][0]["skill"] = "pyhton"
    path = _write(tmp_path, data)
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "projects[2].tasks[1].requirements[0].skill: unknown skill 'pyhton'" in result.output
    assert "Traceback" not in result.output


def test_invalid_input_json_lists_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    result = runner.invoke(app, ["solve", str(path), "--json"])
    assert result.exit_code == ExitCode.INVALID_INPUT
    body = json.loads(result.stdout)
    assert body["status"] == "invalid" and "not valid JSON" in body["errors"][0]["message"]


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(tmp_path / "nope.json")])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "cannot read file" in result.output


def test_infeasible_exit_2(tmp_path: Path) -> None:
    data = _small()
    data["projects"][2]["deadline"] = "2027-02-10"  # portal cannot finish by then
    path = _write(tmp_path, data)
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == ExitCode.INFEASIBLE, result.output
    assert "portal" in result.output and "too early" in result.output


def test_no_solution_exit_3(tmp_path: Path) -> None:
    data = _small()
    data["projects"][2]["deadline"] = "2027-04-09"
    path = _write(tmp_path, data)
    result = runner.invoke(app, ["solve", str(path), "--levelling-only", "--json"])
    body = json.loads(result.stdout)
    # levelling alone proves nothing: either it fits, or it is "no plan found"
    if body["status"] == "no_solution":
        assert result.exit_code == ExitCode.NO_SOLUTION
    else:
        assert result.exit_code == ExitCode.PLAN


def test_generate_and_solve(tmp_path: Path) -> None:
    out = tmp_path / "tiny.json"
    result = runner.invoke(app, ["generate", "tiny", "--seed", "3", "-o", str(out)])
    assert result.exit_code == 0
    result = runner.invoke(app, ["solve", str(out), "-t", "3", "--json"])
    assert result.exit_code == ExitCode.PLAN
    assert json.loads(result.stdout)["violations"] == []


def test_unknown_preset_is_rejected() -> None:
    result = runner.invoke(app, ["solve", str(SMALL), "--preset", "turbo"])
    assert result.exit_code == ExitCode.INVALID_INPUT


@pytest.mark.parametrize("args", [["--help"], ["solve", "--help"], ["check", "--help"]])
def test_help(args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 0


def test_entry_point_runs_as_a_program(tmp_path: Path) -> None:
    """The installed entry point exits with the documented code and prints no traceback."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"calendar": {"start": "2027-01-04", "end": "2027-01-01"}}))
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "solve", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == ExitCode.INVALID_INPUT
    assert "calendar.end: reversed range" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_summary_and_report_name_the_bottleneck_behind_the_bound(tmp_path: Path) -> None:
    rig = [{"pool": "rig", "units": 2}]
    data = {
        "name": "rig",
        "calendar": {"start": "2027-01-04", "end": "2027-01-29"},
        "skills": [{"id": "dev"}],
        "pools": [{"id": "rig", "capacity": 2}],
        "projects": [
            {"id": "a", "tasks": [{"id": f"t{k}", "duration": 3, "requirements": rig} for k in range(4)]}
        ],
        "objective": {"tardiness": 0, "completion": 0, "cost": 0, "continuity": 0, "makespan": 1},
    }
    report = tmp_path / "r.md"
    result = runner.invoke(app, ["solve", str(_write(tmp_path, data)), "--report", str(report), "-t", "5"])
    assert result.exit_code == ExitCode.PLAN, result.output
    assert "bound 12 (capacity of pool rig)" in result.output
    assert "lower bound 12 (capacity of pool rig)" in report.read_text()


def test_solve_takes_settings_from_a_toml_file(tmp_path: Path) -> None:
    """``--settings``: the [solver] table, with options on the command line over it."""
    path = tmp_path / "settings.toml"
    path.write_text('[solver]\ntime_limit = 1\nseed = 3\ncp_sat_parameters = {num_full_subsolvers = 2}\n')
    result = runner.invoke(app, ["solve", str(SMALL), "--settings", str(path), "--json", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] in ("optimal", "feasible")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[solver]\ncp_sat_parameters = {num_full_subsolver = 2}\n", "num_full_subsolver: unknown CP-SAT parameter"),
        ("[solver]\nworkers = 0\n", "workers"),
        ("[solver]\npreset = 'turbo'\n", "preset: unknown preset 'turbo'"),
        ("[solver\n", "settings.toml"),
    ],
)
def test_bad_settings_file_exits_4_naming_the_setting(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text)
    result = runner.invoke(app, ["solve", str(SMALL), "--settings", str(path)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "invalid settings" in result.output and expected in result.output
    assert "Traceback" not in result.output


def test_missing_settings_file_exits_4(tmp_path: Path) -> None:
    result = runner.invoke(app, ["solve", str(SMALL), "--settings", str(tmp_path / "nope.toml")])
    assert result.exit_code == ExitCode.INVALID_INPUT and "nope.toml" in result.output


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["solve"], "Missing argument"),
        (["solve", str(SMALL), "--frobnicate"], "No such option"),
        (["solve", str(SMALL), "-t", "soon"], "Invalid value for '--time-limit'"),
        (["generate", "--projects", "0"], "Invalid value for '--projects'"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors_exit_4_with_the_usage_text(args: list[str], error: str) -> None:
    """Exit 2 means "infeasible" here: a usage error is invalid input."""
    result = runner.invoke(app, args, prog_name="pmo")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "Usage: pmo" in result.output and error in result.output


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"pmo {version('pmo-planner')}\n"


def test_every_help_text_renders_whole() -> None:
    """No help string loses text to rich markup (``[solver]`` once vanished)."""
    import re

    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        shown = runner.invoke(app, [name, "--help"], env={"COLUMNS": "240"}).output
        flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", shown).split())
        for param in command.params:
            text = getattr(param, "help", None)
            if text:
                assert " ".join(text.replace("\\[", "[").split()) in flat, (name, param.name)


def test_generate_output_help_says_portfolio() -> None:
    shown = runner.invoke(app, ["generate", "--help"], env={"COLUMNS": "240"}).output
    assert "generated portfolio JSON" in shown and "plan JSON" not in shown


def test_user_text_is_never_markup(tmp_path: Path) -> None:
    data = _small()
    data["name"] = "Q1 plan [/x] :smile:"
    data["people"][0]["id"] = "[/]"
    result = runner.invoke(app, ["solve", str(_write(tmp_path, data)), "--levelling-only"])
    assert result.exit_code == ExitCode.PLAN, result.output
    assert "Q1 plan [/x] :smile:" in result.output and "[/]" in result.output
    result = runner.invoke(app, ["solve", str(SMALL), "--preset", "[/x]"])
    assert result.exit_code == ExitCode.INVALID_INPUT and "unknown preset '[/x]'" in result.output

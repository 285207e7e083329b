"""Hardening of the command line: bad inputs, hostile text, signals, outputs, the time limit.

The malformed-input corpus (:mod:`benchmarks.malformed`) runs in-process for every case and,
in the slow tier, through the installed ``pmo`` with its time and memory measured. Signals,
broken pipes and the time limit are tested on the real program.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli import ExitCode, app
from api.output import OutputError, check_target, write_text
from benchmarks.hardening_bench import MAX_MB, MAX_SECONDS
from benchmarks.malformed import HOSTILE, MALFORMED, ROOT, SMALL, Case, small
from benchmarks.pmo_process import PMO, run_pmo

runner = CliRunner()


def _invoke(args: list[str]) -> Any:
    return runner.invoke(app, args, catch_exceptions=True)


# --------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize("case", MALFORMED, ids=lambda c: c.name)
def test_every_malformed_input_is_a_clear_exit_4(case: Case, tmp_path: Path) -> None:
    result = _invoke(case.build(tmp_path))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == ExitCode.INVALID_INPUT, result.output[-2000:]
    assert case.expect in result.output, result.output[-2000:]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", HOSTILE, ids=lambda c: c.name)
def test_hostile_valid_inputs_end_normally_and_print_literally(case: Case, tmp_path: Path) -> None:
    result = _invoke(case.build(tmp_path))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == case.code, result.output[-2000:]
    assert case.expect in result.output


IDLE_START_SECONDS = 0.5  # `pmo --version` on an idle 2-core machine


def slowdown() -> float:
    """How much slower than idle the machine runs now (≥ 1): the time targets are for an
    idle machine, and these tests share their cores."""
    typical = sorted(run_pmo(["--version"]).seconds for _ in range(3))[1]
    return max(1.0, typical / IDLE_START_SECONDS)


@pytest.mark.slow
def test_the_corpus_through_the_installed_program() -> None:
    """Every case on the real ``pmo``: exit code, message, ≤ 2 s and ≤ 300 MB each.

    Run by the benchmark runner in its own small process: a child forked from the test
    process would count the test process's memory as its own.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.hardening_bench", "corpus", "--scale", f"{slowdown():.2f}", "--retry-slow"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert f"malformed: {len(MALFORMED)} of {len(MALFORMED)} clear exit-4 errors" in proc.stdout
    assert f"hostile valid inputs: {len(HOSTILE)} of {len(HOSTILE)} ended normally" in proc.stdout
    assert (MAX_SECONDS, MAX_MB) == (2.0, 300.0)  # the issue's targets


FUZZ_VALUES = st.sampled_from(
    [
        None, True, -1, 0, 10**18, 10**30, 1e308, -1e308, 0.001, "", "[/x]", "x" * 300, "\u200b",
        "2027-02-30", "9999-12-31", [], {}, [[[]]], {"a": {"b": {}}}, ["mon"], {"[/]": 1},
    ]
)  # fmt: skip


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            found += _paths(value, (*prefix, k))
    return found


PATHS = _paths(small())


@seed(21)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(PATHS), FUZZ_VALUES), min_size=1, max_size=3))
def test_mutated_portfolios_end_with_a_documented_code(tmp_path: Path, edits: list[tuple[Any, Any]]) -> None:
    data = small()
    for path, value in edits:
        node: Any = data
        try:
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    file = tmp_path / "fuzz.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    result = _invoke(["solve", str(file), "--levelling-only", "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 2, 3, 4), result.output[-2000:]


# --------------------------------------------------------------------------- outputs


def test_a_symlink_planted_at_the_old_temp_name_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out.json.tmp").symlink_to(victim)
    out = tmp_path / "out.json"
    assert _invoke(["solve", str(SMALL), "--levelling-only", "-o", str(out)]).exit_code == 0
    assert victim.read_text() == "precious"
    assert json.loads(out.read_text())["status"] == "feasible"


def test_an_output_that_is_a_symlink_is_replaced_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out.json"
    out.symlink_to(victim)
    write_text(out, "{}")
    assert victim.read_text() == "precious"
    assert not out.is_symlink() and out.read_text() == "{}"


def test_a_fifo_output_is_refused_before_the_solve(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    result = _invoke(["solve", str(SMALL), "-o", str(fifo)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "not a regular file" in result.output and "solving" not in result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused_before_the_solve(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    result = _invoke(["solve", str(SMALL), "-o", str(folder / "plan.json")])
    assert result.exit_code == ExitCode.INVALID_INPUT and "--output" in result.output


def test_an_unwritable_output_is_refused_before_the_solve_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError) as caught:
        check_target(blocker / "plan.json", "--output")
    assert caught.value.issue.path == f"--output {blocker / 'plan.json'}"
    result = _invoke(["solve", str(SMALL), "-o", "/proc/pmo-plan.json"])
    assert result.exit_code == ExitCode.INVALID_INPUT and "cannot write in /proc" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def _infeasible(tmp_path: Path) -> Path:
    data = small()
    data["projects"][2]["deadline"] = "2027-02-10"  # portal cannot finish by then
    path = tmp_path / "infeasible.json"
    path.write_text(json.dumps(data))
    return path


def test_an_existing_plan_is_kept_when_the_result_has_none(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text('{"kept": true}')
    result = _invoke(["solve", str(_infeasible(tmp_path)), "-o", str(out)])
    assert result.exit_code == ExitCode.INFEASIBLE
    assert out.read_text() == '{"kept": true}' and "kept as it was" in result.output


def test_a_result_without_a_plan_is_written_where_no_file_was(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    assert _invoke(["solve", str(_infeasible(tmp_path)), "-o", str(out)]).exit_code == ExitCode.INFEASIBLE
    assert json.loads(out.read_text())["status"] == "infeasible"


def test_writes_are_fsynced_and_leave_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    write_text(tmp_path / "a.json", "{}")
    assert len(synced) == 2  # the file, then its folder
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_scenario_bases_stay_in_the_scenario_folder_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "portfolio.json").write_text(json.dumps(small()))
    inner = tmp_path / "what-if"
    inner.mkdir()
    (inner / "s.json").write_text(json.dumps({"base": "../portfolio.json", "changes": []}))
    args = ["compare", str(tmp_path / "portfolio.json"), str(inner / "s.json"), "-t", "1", "--json"]
    refused = _invoke(args)
    assert refused.exit_code == ExitCode.INVALID_INPUT and "outside" in refused.output
    assert _invoke([*args, "--base-anywhere"]).exit_code == 0


def test_dash_writes_the_plan_to_standard_output() -> None:
    result = _invoke(["solve", str(SMALL), "--levelling-only", "-o", "-"])
    assert result.exit_code == 0 and json.loads(result.stdout)["status"] == "feasible"


# --------------------------------------------------------------------------- the real program


def test_usage_errors_exit_4_with_the_usage_text() -> None:
    for args in (["solve"], ["solve", str(SMALL), "--frobnicate"], ["solve", str(SMALL), "-t", "soon"]):
        run = run_pmo(args)
        assert run.code == ExitCode.INVALID_INPUT, (args, run.output)
        assert "Usage: pmo solve" in run.stderr


def test_the_exit_code_survives_a_reader_that_closes_the_pipe() -> None:
    for args, code in ((["generate", "p30"], 0), (["solve", "--help"], 0), (["check", str(SMALL), "/nope"], 4)):
        proc = subprocess.Popen([str(PMO), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        stderr = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == code, stderr
        assert "Traceback" not in stderr and "BrokenPipe" not in stderr


@pytest.fixture(scope="module")
def p120(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("p120") / "p120.json"
    assert run_pmo(["generate", "p120", "--seed", "1", "-o", str(path)]).code == 0
    return path


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_search_writes_the_best_plan(p120: Path, tmp_path: Path, signum: int) -> None:
    out = tmp_path / "plan.json"
    run = run_pmo(["solve", str(p120), "-t", "30", "-o", str(out)], signum=signum, signal_after=3.0, timeout=60)
    assert run.code == ExitCode.STOPPED, run.output
    assert run.after_signal is not None and run.after_signal <= 1.0 * slowdown()
    plan = json.loads(out.read_text())
    assert plan["status"] == "stopped" and plan["stats"]["stopped_by"] == signal.Signals(signum).name
    assert run_pmo(["check", str(p120), str(out)]).code == 0
    assert "Traceback" not in run.output


@pytest.mark.slow
def test_a_signal_before_any_plan_writes_nothing(p120: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    out.write_text("old")
    run = run_pmo(["solve", str(p120), "-t", "30", "-o", str(out)], signum=signal.SIGTERM, signal_after=0.2)
    # during start-up the signal ends the process itself; a shell reports both as 143
    assert run.code in (-signal.SIGTERM, 128 + signal.SIGTERM), run.output
    assert out.read_text() == "old"
    assert run.after_signal is not None and run.after_signal <= 1.0 * slowdown()


@pytest.mark.slow
def test_a_second_signal_ends_at_once(p120: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen([str(PMO), "solve", str(p120), "-t", "30", "--json"], stdout=subprocess.DEVNULL)
    try:
        proc.wait(timeout=2.5)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=5) in (ExitCode.STOPPED, 128 + signal.SIGINT)


@pytest.mark.slow
@pytest.mark.parametrize(("limit", "target"), [(1, 2.0), (2, 3.0), (5, 6.0)])
def test_the_time_limit_holds_end_to_end(p120: Path, limit: float, target: float) -> None:
    run = run_pmo(["solve", str(p120), "-t", str(limit), "--json"], timeout=60)
    assert run.code == 0 and json.loads(run.stdout)["status"] in ("optimal", "feasible")
    assert run.seconds <= target * slowdown()

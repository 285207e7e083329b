"""Sweeps on a real local Ray cluster (127.0.0.1, 2 CPUs): the same ranking as in-process, stop, a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.backends.ray_backend import RayBackend, local_environment, start_local_ray
from api.sweep import expand, run_sweep, sweep_rows_text
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import PlanStatus
from solver.planning.backend import LocalBackend, SolveJob
from solver.settings import SolverSettings
from solver.stop import StopRequest
from tests.conftest import small_dict, small_portfolio

local_environment()  # before Ray is imported: loopback only, token authentication
ray = pytest.importorskip("ray")
# one Ray at a time on this machine: every test that starts one runs in the same xdist worker
pytestmark = pytest.mark.xdist_group("ray")

DETERMINISTIC = SolverSettings(time_limit=2, workers=1, deterministic=True)
AXES: list[dict[str, Any]] = [
    {"op": "hire", "skill": "backend", "level": 3, "count": [0, 1, 2, 3]},
    {"name": "crm first", "options": [[], [{"op": "change_priority", "project": "crm", "priority": 10}]]},
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A private Ray for this module; its GCS address."""
    start_local_ray(num_cpus=2)
    try:
        yield str(ray.get_runtime_context().gcs_address)
    finally:
        ray.shutdown()


def test_the_cluster_listens_on_loopback_only(cluster: str) -> None:
    assert cluster.startswith("127.0.0.1:")
    assert os.environ["RAY_AUTH_MODE"] == "token"


def test_eight_scenarios_rank_as_in_process(cluster: str) -> None:
    scenarios = expand(small_portfolio(), AXES)
    assert len(scenarios) == 8 and scenarios[0].name == "base"
    on_ray = run_sweep(scenarios, DETERMINISTIC, RayBackend(), parallel=2)
    local = run_sweep(scenarios, DETERMINISTIC, LocalBackend(), parallel=2)
    assert on_ray.backend == "ray" and local.backend == "local"
    assert [r[:-1] for r in sweep_rows_text(on_ray)] == [
        r[:-1] for r in sweep_rows_text(local)
    ]  # less seconds
    for scenario in scenarios:
        assert not check_plan(scenario.portfolio, on_ray.plans[scenario.name])


def test_stop_keeps_finished_results_and_running_best_plans(cluster: str) -> None:
    from api.generate import generate_size

    slow = parse_portfolio(generate_size("p10", 0))
    jobs = [SolveJob("fast", small_portfolio(), DETERMINISTIC)] + [
        SolveJob(f"slow{k}", slow, SolverSettings(time_limit=30, workers=1)) for k in range(3)
    ]
    stop = StopRequest()
    started: list[str] = []

    def on_start(name: str, pid: int, attempt: int) -> None:
        started.append(name)
        if name == "slow1":  # both slots busy with slow solves that have a plan by then
            threading.Timer(3.0, stop.request, args=("test",)).start()

    plans = RayBackend().run(jobs, 2, stop=stop, on_start=on_start)
    assert list(plans) == ["fast", "slow0", "slow1"] and "slow2" not in started
    assert plans["fast"].status.has_plan
    for name in ("slow0", "slow1"):
        assert plans[name].status == PlanStatus.stopped and plans[name].assignments
        assert not check_plan(slow, plans[name])


def test_a_killed_worker_is_retried_and_the_sweep_completes(cluster: str) -> None:
    killed: list[int] = []

    def on_start(name: str, pid: int, attempt: int) -> None:
        if name == "victim" and attempt == 1:
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)

    jobs = [SolveJob(n, small_portfolio(), DETERMINISTIC) for n in ("victim", "other", "third")]
    plans = RayBackend().run(jobs, 2, on_start=on_start)
    assert killed and list(plans) == ["victim", "other", "third"]
    assert all(p.status.has_plan for p in plans.values())


def test_cli_sweep_on_the_cluster_by_address(cluster: str, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    base.write_text(__import__("json").dumps(small_dict()))
    args = ["sweep", str(base), "--vary", "hire: skill=backend count=0..1", "-t", "2", "--deterministic"]
    env = {**os.environ, "PMO_RAY_ADDRESS": cluster}
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", *args, "--backend", "ray", "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = __import__("json").loads(proc.stdout)
    assert result["backend"] == "ray" and [r["name"] for r in result["scenarios"]].count("base") == 1

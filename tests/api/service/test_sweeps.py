"""Sweep runs of the service: POST a grid, poll, the ranked results and every scenario's verified plan."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from api.generate import generate_size
from tests.api.service.conftest import Service, service_settings, start_service

ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
GRID: list[dict[str, Any]] = [
    {"op": "hire", "skill": "dev", "level": 3, "count": [0, 1]},
    {"op": "priority", "crm": [1, 10]},
]


def _sweep(service: Service, portfolio: str, settings: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response = service.submit({"kind": "sweep", "portfolio": portfolio, "settings": settings, **extra})
    assert response.status_code == 202, response.text
    return dict(response.json())


def test_sweep_run_ranks_and_stores_every_plan(service: Service) -> None:
    pid = service.add_portfolio()
    run = _sweep(service, pid, {"time_limit": 2, "deterministic": True}, vary=GRID, rank_by=["cost"])
    assert run["kind"] == "sweep" and run["targets"][0]["label"] == "base"
    done = service.wait(run["id"], timeout=60)
    assert done["state"] == "completed", done
    assert done["sweep"] == f"/v1/runs/{run['id']}/sweep" and done["comparison"] is None
    assert service.request("GET", f"/v1/runs/{run['id']}/comparison").status_code == 404
    result = service.request("GET", done["sweep"]).json()
    names = [row["name"] for row in result["scenarios"]]
    assert len(names) == 5 and "base" in names and result["rank_by"] == ["cost"]
    costs = [row["figures"]["total_cost"] for row in result["scenarios"]]
    assert costs == sorted(costs)
    assert set(done["plans"]) == set(names) and done["plan"] == done["plans"]["base"]
    for path in done["plans"].values():
        assert service.request("GET", f"{path}/check").json() == {"valid": True, "violations": []}
    solve = service.solve(pid)
    assert service.request("GET", f"/v1/runs/{solve}/sweep").status_code == 404


@ONLY_SQLITE
def test_invalid_sweeps_are_422_with_their_paths(service: Service) -> None:
    pid = service.add_portfolio()
    bad = service.submit(
        {"kind": "sweep", "portfolio": pid, "vary": [{"op": "hire", "skill": "qaa", "count": [0, 1]}]}
    )
    assert bad.status_code == 422
    assert {"path": "vary[0].skill", "message": "unknown skill 'qaa'"} in bad.json()["errors"]
    big = [{"op": "hire", "skill": "dev", "count": list(range(15))}] * 2
    bad = service.submit({"kind": "sweep", "portfolio": pid, "vary": big})
    assert bad.status_code == 422 and bad.json()["errors"][0]["message"] == "225 scenarios: at most 200"
    bad = service.submit({"kind": "sweep", "portfolio": pid, "vary": GRID, "rank_by": ["speed"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "rank_by"


@ONLY_SQLITE
def test_cancelling_a_sweep_keeps_finished_results_and_the_running_best_plan(service: Service) -> None:
    pid = service.add_portfolio(generate_size("p10", 0))
    grid = [{"op": "hire", "skill": "backend", "count": [0, 1, 2]}]
    run = _sweep(service, pid, {"time_limit": 4, "workers": 1}, vary=grid)
    ends = time.monotonic() + 30
    while len(service.run(run["id"])["plans"]) < 1:  # the first scenario is done, the second running
        assert time.monotonic() < ends
        time.sleep(0.1)
    time.sleep(1.5)
    service.request("DELETE", f"/v1/runs/{run['id']}")
    done = service.wait(run["id"], timeout=30)
    assert done["state"] == "cancelled", done
    result = service.request("GET", done["sweep"]).json()
    statuses = {row["name"]: row["status"] for row in result["scenarios"]}
    assert result["stopped"] and len(result["not_run"]) == 1
    assert statuses["base"] in ("feasible", "optimal") and "stopped" in statuses.values()
    assert all(row["has_plan"] for row in result["scenarios"])
    for path in done["plans"].values():
        assert service.request("GET", f"{path}/check").json() == {"valid": True, "violations": []}


@ONLY_SQLITE
@pytest.mark.xdist_group("ray")  # one Ray at a time on this machine (tests/api/test_sweep_ray.py)
def test_a_sweep_run_on_ray(database_url: str) -> None:
    from api.backends.ray_backend import local_environment, start_local_ray

    local_environment()  # before Ray is imported: loopback only, token authentication
    ray = pytest.importorskip("ray")
    start_local_ray(num_cpus=2)
    try:
        address = str(ray.get_runtime_context().gcs_address)
        server = start_service(
            service_settings(
                database_url,
                run_backend="ray",
                ray_address=address,
                ray_auth_token=os.environ["RAY_AUTH_TOKEN"],
            )
        )
        service = next(server)
        try:
            pid = service.add_portfolio()
            run = _sweep(service, pid, {"time_limit": 2, "deterministic": True}, vary=GRID, parallel=2)
            done = service.wait(run["id"], timeout=60)
            assert done["state"] == "completed", done
            result = service.request("GET", done["sweep"]).json()
            assert result["backend"] == "ray" and result["parallel"] == 2 and len(result["scenarios"]) == 5
            for path in done["plans"].values():
                assert service.request("GET", f"{path}/check").json()["valid"]
        finally:
            server.close()
    finally:
        ray.shutdown()

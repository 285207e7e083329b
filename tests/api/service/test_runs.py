"""``/v1/runs``: solve, compare and replan in worker processes; idempotency, quota, events, cancel, crashes."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from typing import Any

import pytest

from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import Plan
from tests.api.service.conftest import DEMO, Service, service_settings, small_portfolio, start_service

ONLY_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _valid_plan(service: Service, path: str) -> Plan:
    plan = Plan.model_validate(service.request("GET", path).json())
    portfolio = parse_portfolio(service.request("GET", f"{path}/portfolio").json())
    assert check_plan(portfolio, plan) == []
    assert service.request("GET", f"{path}/check").json() == {"valid": True, "violations": []}
    return plan


def _demo() -> dict[str, Any]:
    return dict(json.loads(DEMO.read_text(encoding="utf-8")))


def test_solve(service: Service) -> None:
    pid = service.add_portfolio()
    response = service.submit({"kind": "solve", "portfolio": pid, "settings": {"time_limit": 2}})
    assert response.status_code == 202
    run = response.json()
    assert response.headers["location"] == f"/v1/runs/{run['id']}"
    assert int(response.headers["retry-after"]) >= 1
    assert run["state"] == "queued" and run["plan"] is None and run["gap_text"] == "no plan yet"
    done = service.wait(run["id"])
    assert done["state"] == "completed", done
    assert done["objective"] is not None and done["first_plan_seconds"] is not None
    assert done["gap"] == 0 and "optimal" in done["gap_text"]
    assert done["targets"] == [{"label": "test", "portfolio": pid, "version": 1, "scenario": None}]
    plan = _valid_plan(service, done["plan"])
    assert plan.status.value == "optimal"
    summary = service.request("GET", f"{done['plan']}/summary").json()
    assert summary["portfolio"] == pid and summary["version"] == 1 and summary["final"] is True
    kpis = service.request("GET", f"{done['plan']}/kpis").json()
    assert kpis["late_projects"] == plan.kpis.late_projects
    assert "summary" in service.request("GET", f"{done['plan']}/explanation").json()
    assert service.request("GET", f"{done['plan']}/changes").json() == {"baseline": None, "changes": []}
    assert [r["id"] for r in service.request("GET", "/v1/runs").json()] == [run["id"]]
    assert service.request("GET", "/v1/runs", params={"state": "queued"}).json() == []
    assert [p["id"] for p in service.request("GET", "/v1/plans", params={"run": run["id"]}).json()] == [
        done["plan"].rsplit("/", 1)[1]
    ]


def test_a_plan_points_at_the_version_it_was_made_for(service: Service) -> None:
    pid = service.add_portfolio()
    first = service.wait(service.solve(pid, 1))
    changed = small_portfolio()
    changed["projects"][1]["tasks"][0]["duration"] = 6
    service.request("PUT", f"/v1/portfolios/{pid}", json=changed)
    second = service.wait(service.solve(pid, 1))
    assert service.request("GET", f"{first['plan']}/summary").json()["version"] == 1
    assert service.request("GET", f"{second['plan']}/summary").json()["version"] == 2
    _valid_plan(service, first["plan"])
    _valid_plan(service, second["plan"])
    old = service.wait(
        service.solve(pid, 1)
        if False
        else service.submit(
            {"kind": "solve", "portfolio": pid, "version": 1, "settings": {"time_limit": 1}}
        ).json()["id"]
    )
    assert old["targets"][0]["version"] == 1


def test_solve_a_scenario_compare_and_replan(service: Service) -> None:
    pid = service.add_portfolio()
    hire = service.request(
        "POST",
        "/v1/scenarios",
        json={
            "name": "hire",
            "portfolio": pid,
            "changes": [{"op": "hire", "skill": "dev", "level": 3, "from": "2027-01-04"}],
        },
    ).json()
    solved = service.wait(
        service.submit({"kind": "solve", "scenario": hire["id"], "settings": {"time_limit": 1}}).json()["id"]
    )
    assert solved["state"] == "completed" and solved["targets"][0]["scenario"] == hire["id"]
    _valid_plan(service, solved["plan"])

    compared = service.submit(
        {"kind": "compare", "portfolio": pid, "scenarios": [hire["id"]], "settings": {"time_limit": 1}}
    )
    assert compared.status_code == 202, compared.text
    done = service.wait(compared.json()["id"])
    assert done["state"] == "completed", done
    assert list(done["plans"]) == ["test", "hire"]
    for path in done["plans"].values():
        _valid_plan(service, path)
    comparison = service.request("GET", done["comparison"]).json()
    assert comparison["baseline"] == "test" and [s["name"] for s in comparison["scenarios"]] == [
        "test",
        "hire",
    ]

    baseline = done["plans"]["test"].rsplit("/", 1)[1]
    changed = small_portfolio()
    changed["projects"][1]["priority"] = 9
    service.request("PUT", f"/v1/portfolios/{pid}", json=changed)
    replanned = service.submit(
        {"kind": "replan", "baseline": baseline, "as_of": "2027-01-06", "settings": {"time_limit": 1}}
    )
    assert replanned.status_code == 202, replanned.text
    result = service.wait(replanned.json()["id"])
    assert result["state"] == "completed", result
    assert result["baseline"] == baseline and result["targets"][0]["version"] == 2
    _valid_plan(service, result["plan"])
    changes = service.request("GET", f"{result['plan']}/changes").json()
    assert changes["baseline"] == baseline


def test_invalid_runs(service: Service) -> None:
    pid = service.add_portfolio()
    cases: list[tuple[Any, int, str]] = [
        ({"portfolio": pid}, 422, "kind"),
        ({"kind": "optimise", "portfolio": pid}, 422, "kind"),
        ({"kind": "solve"}, 422, "portfolio"),
        ({"kind": "solve", "portfolio": pid, "settings": {"time_limit": -1}}, 422, "settings.time_limit"),
        ({"kind": "solve", "portfolio": pid, "settings": {"time_limit": 10**6}}, 422, "settings.time_limit"),
        ({"kind": "solve", "portfolio": pid, "settings": {"workers": 64}}, 422, "settings.workers"),
        (
            {"kind": "solve", "portfolio": pid, "settings": {"cp_sat_parameters": {"num_full_subsolver": 2}}},
            422,
            "settings.cp_sat_parameters",
        ),
        ({"kind": "solve", "portfolio": pid, "color": "red"}, 422, "color"),
        ({"kind": "compare", "scenarios": []}, 422, "scenarios"),
        ({"kind": "replan", "baseline": pid}, 422, "as_of"),
        ([1, 2], 422, ""),
    ]
    for body, status, path in cases:
        response = service.submit(body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["errors"][0]["path"] == path, (body, response.json())
    assert (
        service.submit({"kind": "solve", "portfolio": "00000000-0000-0000-0000-000000000000"}).status_code
        == 404
    )
    assert service.submit({"kind": "replan", "baseline": pid, "as_of": "2027-01-06"}).status_code == 404
    assert service.submit({"kind": "compare", "scenarios": ["nope"]}).status_code == 404
    assert service.request("GET", "/v1/runs", params={"state": "sleeping"}).status_code == 422


def test_infeasible(service: Service) -> None:
    data = small_portfolio()
    data["projects"][0]["tasks"][0]["requirements"][0]["level"] = 5  # nobody has dev 5
    run = service.wait(service.solve(service.add_portfolio(data), 1))
    assert run["state"] == "infeasible" and run["message"]
    plan = service.request("GET", run["plan"]).json()
    assert plan["status"] == "infeasible" and plan["explanation"]


def test_idempotency_key(service: Service) -> None:
    pid = service.add_portfolio()
    body = {"kind": "solve", "portfolio": pid, "settings": {"time_limit": 1}}
    first = service.submit(body, **{"Idempotency-Key": "k-1"})
    again = service.submit(dict(reversed(list(body.items()))), **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert (
        again.headers["location"] == first.headers["location"]
        and again.headers["idempotent-replayed"] == "true"
    )
    other = service.submit({**body, "settings": {"time_limit": 2}}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert service.submit(body, **{"Idempotency-Key": "k-2"}).json()["id"] != first.json()["id"]
    other_workspace = service.submit(
        {**body, "portfolio": service.add_portfolio(key=service.new_key("two"))},
        service.new_key("two"),
        **{"Idempotency-Key": "k-1"},
    )
    assert other_workspace.status_code == 202 and other_workspace.json()["id"] != first.json()["id"]
    assert len(service.request("GET", "/v1/runs").json()) == 2
    assert service.submit(body, **{"Idempotency-Key": "x" * 201}).status_code == 422


def test_quota_and_cancelling_a_queued_run(database_url: str) -> None:
    for service in start_service(service_settings(database_url, run_workers=1, workspace_run_quota=2)):
        demo = service.add_portfolio(_demo())
        long_run = service.solve(demo, 30)
        service.wait(long_run, until={"running"})
        queued = service.solve(service.add_portfolio(), 1)
        refused = service.submit({"kind": "solve", "portfolio": demo})
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert service.run(queued)["state"] == "queued"
        cancelled = service.request("DELETE", f"/v1/runs/{queued}")
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        assert service.request("DELETE", f"/v1/runs/{long_run}").json()["state"] == "cancelled"
        assert (
            service.submit({"kind": "solve", "portfolio": demo, "settings": {"time_limit": 1}}).status_code
            == 202
        )


def test_cancel_stops_within_a_second_and_keeps_the_plan(service: Service) -> None:
    run_id = service.solve(service.add_portfolio(_demo()), 30)
    service.wait_for_plan(run_id)
    time.sleep(0.5)
    began = time.monotonic()
    response = service.request("DELETE", f"/v1/runs/{run_id}")
    elapsed = time.monotonic() - began
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["state"] == "cancelled" and elapsed <= 1.0, (run["state"], elapsed)
    plan = _valid_plan(service, run["plan"])
    assert plan.status.value in ("stopped", "optimal") and plan.assignments
    again = service.request("DELETE", f"/v1/runs/{run_id}")
    assert again.status_code == 200 and again.json()["state"] == "cancelled"


def _events(text: str) -> list[dict[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        if fields:
            events.append(
                {"id": int(fields["id"]), "event": fields["event"], "data": json.loads(fields["data"])}
            )
    return events


def test_events_at_most_one_a_second_resumable_closed_at_the_end(service: Service) -> None:
    run_id = service.solve(service.add_portfolio(_demo()), 3)
    began = time.monotonic()
    arrivals: list[float] = []
    lines: list[str] = []
    with service.client.stream("GET", f"/v1/runs/{run_id}/events", headers=service.headers) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            lines.append(line)
            if line.startswith("id:"):
                arrivals.append(time.monotonic())
    elapsed = time.monotonic() - began
    events = _events("\n".join(lines))
    assert events and events[-1]["data"]["state"] == "completed" and events[-1]["event"] == "completed"
    ids = [e["id"] for e in events]
    assert ids == sorted(set(ids))
    assert all(b - a >= 0.9 for a, b in itertools.pairwise(arrivals)), arrivals
    assert len(events) <= elapsed + 1
    resumed = _events(
        service.request("GET", f"/v1/runs/{run_id}/events", headers={"Last-Event-ID": str(ids[0])}).text
    )
    assert resumed and resumed[0]["id"] > ids[0] and resumed[-1]["id"] == ids[-1]
    assert (
        service.request("GET", f"/v1/runs/{run_id}/events", headers={"Last-Event-ID": str(ids[-1])}).text
        == ""
    )


@ONLY_SQLITE
def test_a_crashed_worker_fails_its_run_and_the_server_stays_up(database_url: str) -> None:
    for service in start_service(service_settings(database_url, run_workers=1)):
        run_id = service.solve(service.add_portfolio(_demo()), 30)
        service.wait_for_plan(run_id)
        (pid,) = service.app.state.workers.pids()
        os.kill(pid, signal.SIGSEGV)  # what a crash inside the native solver does to its process
        run = service.wait(run_id, timeout=10)
        assert run["state"] == "failed" and "SIGSEGV" in run["message"]
        _valid_plan(service, run["plan"])
        assert service.client.get("/healthz").status_code == 200
        after = service.wait(service.solve(service.add_portfolio(), 1), timeout=20)
        assert after["state"] == "completed"
        assert service.app.state.workers.pids() != [pid]


def test_a_graceful_stop_interrupts_a_running_run_and_keeps_its_best_plan(database_url: str) -> None:
    first = start_service(service_settings(database_url, run_workers=1))
    service = next(first)
    key = service.key
    run_id = service.solve(service.add_portfolio(_demo()), 30)
    service.wait_for_plan(run_id)
    began = time.monotonic()
    first.close()  # the server stops: its lifespan ends
    assert time.monotonic() - began < 5
    for again in start_service(service_settings(database_url)):
        run = again.run(run_id, key)
        assert run["state"] == "interrupted" and run["plan"], run
        assert again.request("GET", f"{run['plan']}/check", key).json() == {"valid": True, "violations": []}
        stored = again.request("GET", run["plan"], key).json()
        assert stored["status"] in ("stopped", "optimal") and stored["assignments"]

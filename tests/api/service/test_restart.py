"""A real server (``pmo serve`` under uvicorn) killed with SIGKILL during a run, then started again."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.service.auth import create_key
from api.service.db import Database
from api.service.migrate import upgrade
from model.checker import check_plan
from model.load import parse_portfolio
from model.plan import Plan
from tests.api.service.conftest import DEMO, ROOT, TERMINAL, small_portfolio

pytestmark = pytest.mark.slow  # a few seconds each: still part of make test


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@contextmanager
def server(database_url: str, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], httpx.Client]]:
    """``pmo serve`` with one worker on a free port, and a client of it."""
    port = _free_port()
    env = {**os.environ, "PMO_RUN_WORKERS": "1", "PMO_QUEUE_POLL_INTERVAL": "0.2"}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--database", database_url]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    try:
        ends = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if client.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < ends, log.read_text()
            time.sleep(0.1)
        yield process, client
    finally:
        client.close()
        if process.poll() is None:
            process.terminate()
            process.wait(30)


def _wait(client: httpx.Client, run_id: str, until: set[str], timeout: float = 60) -> dict[str, Any]:
    ends = time.monotonic() + timeout
    while True:
        run = client.get(f"/v1/runs/{run_id}").json()
        if run["state"] in until or (until == {"plan"} and run["plan"]):
            return dict(run)
        assert time.monotonic() < ends, run
        time.sleep(0.1)


def test_kill_during_a_run_then_restart(database_url: str, tmp_path: Path) -> None:
    database = Database(database_url)
    upgrade(database)
    with database.write() as session:
        key = create_key(session, "restart")
    database.dispose()
    log = tmp_path / "server.log"
    with server(database_url, log) as (process, client):
        client.headers["X-API-Key"] = key
        demo = client.post(
            "/v1/portfolios", content=DEMO.read_bytes(), headers={"Content-Type": "application/json"}
        ).json()["id"]
        small = client.post("/v1/portfolios", json=small_portfolio()).json()["id"]
        running = client.post(
            "/v1/runs", json={"kind": "solve", "portfolio": demo, "settings": {"time_limit": 60}}
        ).json()["id"]
        queued = client.post(
            "/v1/runs", json={"kind": "solve", "portfolio": small, "settings": {"time_limit": 1}}
        ).json()["id"]
        _wait(client, running, {"plan"})
        assert client.get(f"/v1/runs/{queued}").json()["state"] == "queued"
        children = _descendants(process.pid)
        assert children, "the runs execute in processes of their own"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        ends = time.monotonic() + 10
        while any(_alive(pid) for pid in children):  # no worker outlives its server
            assert time.monotonic() < ends, [pid for pid in children if _alive(pid)]
            time.sleep(0.1)

    with server(database_url, log) as (_, client):
        client.headers["X-API-Key"] = key
        done = _wait(client, queued, TERMINAL, timeout=30)
        assert done["state"] == "completed", done
        interrupted = client.get(f"/v1/runs/{running}").json()
        assert interrupted["state"] == "interrupted" and interrupted["plan"], interrupted
        plan = Plan.model_validate(client.get(interrupted["plan"]).json())
        assert plan.assignments
        assert check_plan(parse_portfolio(DEMO), plan) == []
        assert client.get(f"{interrupted['plan']}/check").json()["valid"] is True
        lines = []
        with client.stream("GET", f"/v1/runs/{running}/events") as stream:  # a final run's stream ends
            lines = [line for line in stream.iter_lines() if line.startswith("data:")]
        assert json.loads(lines[-1][5:])["state"] == "interrupted"

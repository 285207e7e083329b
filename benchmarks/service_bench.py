"""The planning service measured against its targets (issue #23), on a real ``pmo serve``.

* ``overhead``: the demo portfolio solved for 10 s by ``pmo solve -t 10`` and through the
  service (submit → final state, seen by a client polling every 50 ms) in the same run
  [service − CLI ≤ 0.5 s].
* ``load``: 20 clients, each in its own workspace, submit a small solve at once and again as
  soon as theirs ends (polling every 0.25 s), for ``--duration`` seconds: submit → first plan
  p50 and p95 (by the server's clock: submission to the first stored plan), small solves per
  minute, errors [zero].
* memory: resident memory of the server and its worker processes, idle and at the peak of
  the load.

``python -m benchmarks.service_bench [--duration 30] [--json out.json]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.service.auth import create_key
from api.service.db import Database
from api.service.migrate import upgrade
from benchmarks.pmo_process import PMO, run_pmo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.json"
SMALL = ROOT / "examples" / "small.json"
TERMINAL = {"completed", "infeasible", "cancelled", "failed", "interrupted"}
POLL_SECONDS = 0.05  # the overhead run: the client sees the end within this
LOAD_POLL_SECONDS = 0.25  # the load: 20 clients polling, as a client told `Retry-After` would, only faster
CLIENTS = 20
DEMO_SECONDS = 10.0
SMALL_SECONDS = 2.0
OVERHEAD_TARGET = 0.5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tree(pid: int) -> set[int]:
    """``pid`` and every process below it."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = {pid}, {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Memory:
    """Resident memory in MB: the web process alone, and with its worker processes."""

    server_mb: float
    total_mb: float
    processes: int


def memory(pid: int) -> Memory:
    """The resident memory of the server ``pid`` and of the processes it started."""
    tree = _tree(pid)
    return Memory(round(_rss_mb(pid), 1), round(sum(_rss_mb(p) for p in tree), 1), len(tree))


@contextmanager
def server(database_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``pmo serve`` on a free port, ready; its process and base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        command = [str(PMO), "serve", "--port", str(port), "--database", database_url]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            _ready(process, base, log)
            yield process, base
        finally:
            process.terminate()
            process.wait(30)


def _ready(process: subprocess.Popen[bytes], base: str, log: Any) -> None:
    ends = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"pmo serve ended: {log.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > ends:
            raise RuntimeError("pmo serve did not get ready in 60 s")
        time.sleep(0.1)


def _keys(database_url: str, workspaces: list[str]) -> list[str]:
    database = Database(database_url)
    try:
        upgrade(database)
        keys = []
        for name in workspaces:
            with database.write() as session:
                keys.append(create_key(session, name))
        return keys
    finally:
        database.dispose()


def _wait(
    client: httpx.Client, run_id: str, submitted: float, poll: float = POLL_SECONDS
) -> tuple[dict[str, Any], float]:
    """The final run and the seconds from submission until the client saw it final."""
    while True:
        run = client.get(f"/v1/runs/{run_id}").json()
        if run["state"] in TERMINAL:
            return run, time.monotonic() - submitted
        time.sleep(poll)


def _server_seconds(run: dict[str, Any]) -> tuple[float | None, float | None]:
    """Submission → first plan and submission → end, by the server's clock (no polling in them)."""
    created = dt.datetime.fromisoformat(run["created_at"])
    first = None
    if run.get("queued_seconds") is not None and run.get("first_plan_seconds") is not None:
        first = run["queued_seconds"] + run["first_plan_seconds"]
    done = (
        (dt.datetime.fromisoformat(run["finished_at"]) - created).total_seconds()
        if run.get("finished_at")
        else None
    )
    return first, done


# --------------------------------------------------------------------------- overhead


@dataclass
class Overhead:
    """One 10 s demo solve by the CLI and by the service."""

    cli_seconds: float
    service_seconds: float
    cli_objective: float | None
    service_objective: float | None

    @property
    def overhead(self) -> float:
        """Service minus CLI, seconds."""
        return self.service_seconds - self.cli_seconds


def overhead_run(base: str, key: str) -> Overhead:
    """The demo for 10 s through ``pmo solve`` then through the service."""
    cli = run_pmo(["solve", str(DEMO), "-t", str(DEMO_SECONDS), "--json"], timeout=60)
    cli_plan = json.loads(cli.stdout) if cli.code == 0 else {}
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as client:
        portfolio = client.post(
            "/v1/portfolios", content=DEMO.read_bytes(), headers={"Content-Type": "application/json"}
        )
        portfolio.raise_for_status()
        body = {
            "kind": "solve",
            "portfolio": portfolio.json()["id"],
            "settings": {"time_limit": DEMO_SECONDS},
        }
        began = time.monotonic()
        submitted = client.post("/v1/runs", json=body)
        submitted.raise_for_status()
        run, seconds = _wait(client, submitted.json()["id"], began)
    return Overhead(round(cli.seconds, 3), round(seconds, 3), cli_plan.get("objective"), run.get("objective"))


# --------------------------------------------------------------------------- load


@dataclass
class Load:
    """Many clients solving small portfolios at once."""

    clients: int
    duration: float
    completed: int = 0
    errors: int = 0
    first_plan: list[float] = field(default_factory=list)
    done: list[float] = field(default_factory=list)
    peak: Memory | None = None

    def percentile(self, values: list[float], share: float) -> float | None:
        """The ``share`` percentile of ``values`` (None when empty)."""
        if not values:
            return None
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)

    @property
    def per_minute(self) -> float:
        """Solves completed per minute."""
        return round(60 * self.completed / self.duration, 1)


def load_run(base: str, keys: list[str], duration: float, server_pid: int) -> Load:
    """Every client submits a small solve, waits for its end, and submits again until ``duration``."""
    result = Load(len(keys), duration)
    lock = threading.Lock()
    start = threading.Barrier(len(keys))
    small = json.loads(SMALL.read_text(encoding="utf-8"))
    stop_sampling = threading.Event()
    peak: list[Memory] = []

    def sample() -> None:
        while not stop_sampling.wait(0.2):
            now = memory(server_pid)
            if not peak or now.total_mb > peak[0].total_mb:
                peak[:] = [now]

    def client(key: str) -> None:
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as http:
            portfolio = http.post("/v1/portfolios", json=small).json()["id"]
            body = {
                "kind": "solve",
                "portfolio": portfolio,
                "settings": {"time_limit": SMALL_SECONDS, "workers": 1},
            }
            start.wait()
            ends = time.monotonic() + duration
            while time.monotonic() < ends:
                began = time.monotonic()
                try:
                    submitted = http.post("/v1/runs", json=body)
                    if submitted.status_code != 202:
                        raise RuntimeError(submitted.text)
                    run, _ = _wait(http, submitted.json()["id"], began, LOAD_POLL_SECONDS)
                except (httpx.HTTPError, RuntimeError, ValueError):
                    with lock:
                        result.errors += 1
                    continue
                first_plan, done = _server_seconds(run)
                with lock:
                    if run["state"] != "completed" or first_plan is None or done is None:
                        result.errors += 1
                        continue
                    if time.monotonic() <= ends:
                        result.completed += 1
                    result.first_plan.append(first_plan)
                    result.done.append(done)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop_sampling.set()
    sampler.join()
    result.peak = peak[0] if peak else None
    return result


# --------------------------------------------------------------------------- report


def report(overheads: list[Overhead], load: Load, idle: Memory, workers: int) -> str:
    """The markdown table of every figure against its target."""
    cli = statistics.median(o.cli_seconds for o in overheads)
    service = statistics.median(o.service_seconds for o in overheads)
    worst = max(o.overhead for o in overheads)
    peak = load.peak or idle
    rows = [
        (
            "service overhead, 10 s demo solve (median of service − CLI)",
            f"{service - cli:+.2f} s (CLI {cli:.2f} s, service {service:.2f} s; worst {worst:+.2f} s)",
            f"≤ {OVERHEAD_TARGET} s",
        ),
        (
            f"{load.clients} clients, small portfolio: submit → first plan p50 / p95",
            f"{load.percentile(load.first_plan, 0.5)} s / {load.percentile(load.first_plan, 0.95)} s",
            "—",
        ),
        (
            "submit → final state p50 / p95",
            f"{load.percentile(load.done, 0.5)} s / {load.percentile(load.done, 0.95)} s",
            "—",
        ),
        (
            "small solves per minute",
            f"{load.per_minute} ({load.completed} in {load.duration:.0f} s, {workers} workers)",
            "—",
        ),
        ("errors", str(load.errors), "0"),
        (
            "memory idle: server / with workers",
            f"{idle.server_mb:.0f} MB / {idle.total_mb:.0f} MB ({idle.processes} processes)",
            "—",
        ),
        (
            "memory under load (peak): server / with workers",
            f"{peak.server_mb:.0f} MB / {peak.total_mb:.0f} MB",
            "—",
        ),
    ]
    lines = ["| measure | value | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the measurements against a fresh SQLite database and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds of load.")
    parser.add_argument("--repeats", type=int, default=2, help="Demo solves by the CLI and by the service.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/service.db"
        keys = _keys(url, ["bench", *(f"client-{k}" for k in range(CLIENTS))])
        with server(url) as (process, base):
            time.sleep(2.0)  # the workers finish starting
            idle = memory(process.pid)
            overheads = [overhead_run(base, keys[0]) for _ in range(args.repeats)]
            load = load_run(base, keys[1:], args.duration, process.pid)
            workers = int(httpx.get(f"{base}/readyz").json()["workers"])
    print(report(overheads, load, idle, workers))
    if args.json is not None:
        figures = {
            "overheads": [asdict(o) | {"overhead": o.overhead} for o in overheads],
            "load": asdict(load) | {"per_minute": load.per_minute},
            "idle": asdict(idle),
            "workers": workers,
            "cores": os.cpu_count(),
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

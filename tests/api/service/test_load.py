"""20 small solves submitted at once by 20 clients: every one completes and the cap on runs holds."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.api.service.conftest import Service

CLIENTS = 20


pytestmark = pytest.mark.slow  # a few seconds each: still part of make test


def _most_at_once(intervals: list[tuple[dt.datetime, dt.datetime]]) -> int:
    moments = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = most = 0
    for _, step in moments:  # an end sorts before a start at the same instant
        running += step
        most = max(most, running)
    return most


def test_twenty_clients_at_once(service: Service) -> None:
    keys = [service.new_key(f"client-{k}") for k in range(CLIENTS)]
    portfolios = [service.add_portfolio(key=key) for key in keys]
    ready = threading.Barrier(CLIENTS)

    def client(k: int) -> str:
        ready.wait()
        return service.solve(portfolios[k], 1, key=keys[k], workers=1)

    with ThreadPoolExecutor(CLIENTS) as pool:
        run_ids = list(pool.map(client, range(CLIENTS)))
    assert len(set(run_ids)) == CLIENTS
    runs = [service.wait(run_id, timeout=120, key=key) for run_id, key in zip(run_ids, keys, strict=True)]
    assert [r["state"] for r in runs] == ["completed"] * CLIENTS
    assert all(r["plan"] for r in runs)
    intervals = [
        (dt.datetime.fromisoformat(r["started_at"]), dt.datetime.fromisoformat(r["finished_at"]))
        for r in runs
    ]
    assert _most_at_once(intervals) <= service.app.state.settings.run_workers
    for key in keys[:3]:  # each client sees its own run only
        assert len(service.request("GET", "/v1/runs", key).json()) == 1

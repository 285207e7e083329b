"""``/healthz`` and ``/readyz``: no key needed; not ready without workers."""

from __future__ import annotations

import pytest

from api.service.migrate import head_revision
from tests.api.service.conftest import Service


def test_healthz_and_readyz(service: Service) -> None:
    assert service.client.get("/healthz").json() == {"status": "ok", "database": None, "workers": None}
    ready = service.client.get("/readyz").json()
    assert ready == {"status": "ready", "database": head_revision(), "workers": 2}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_not_ready_without_workers(service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service.app.state.workers, "alive", lambda: 0)
    response = service.client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"

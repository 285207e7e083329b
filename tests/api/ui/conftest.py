"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and a real server.

The server is ``pmo serve`` under uvicorn on a free port of 127.0.0.1 over a temporary SQLite
database (the restart tests' ``server``); the browser is ``/usr/bin/chromium``, never a downloaded
one. Without Chromium the browser tests are skipped with the reason; CI installs it.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.service.auth import create_key
from api.service.db import Database
from api.service.migrate import upgrade
from benchmarks.ui_bench import CHROMIUM, launch
from tests.api.service.conftest import (  # noqa: F401  (the service tests' fixtures, reused here)
    DEMO,
    TERMINAL,
    database_url,
    postgres_server,
    postgres_template,
    service,
    sqlite_template,
)
from tests.api.service.test_restart import server

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class Live:
    """A running server, a client with a key of its workspace, and the demo plan it made."""

    base: str
    key: str
    client: httpx.Client
    demo_portfolio: str = ""
    demo_plan: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def wait(self, run_id: str, timeout: float = 60) -> dict[str, Any]:
        """The run once it is final."""
        ends = time.monotonic() + timeout
        while True:
            run: dict[str, Any] = self.client.get(f"/v1/runs/{run_id}").json()
            if run["state"] in TERMINAL:
                return run
            assert time.monotonic() < ends, run
            time.sleep(0.1)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (skipped when /usr/bin/chromium is missing)."""
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Page:
    """A browser page and what went wrong in it (console errors, uncaught exceptions)."""

    page: Any
    errors: list[str]

    def shot(self, name: str) -> Path:
        """A screenshot kept under tests/artifacts/."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    """A fresh 1280×800 page in its own context, recording console errors."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield Page(tab, errors)
    finally:
        context.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """``pmo serve`` on a temporary SQLite file, with a key and the demo portfolio solved once."""
    folder = tmp_path_factory.mktemp("ui-server")
    url = f"sqlite:///{folder / 'service.db'}"
    database = Database(url)
    upgrade(database)
    with database.write() as session:
        key = create_key(session, "ui")
    database.dispose()
    with server(url, folder / "server.log") as (_, client):
        client.headers["X-API-Key"] = key
        live = Live(str(client.base_url), key, client)
        stored = client.post("/v1/portfolios", content=DEMO.read_bytes())
        assert stored.status_code == 201, stored.text
        live.demo_portfolio = stored.json()["id"]
        run = client.post(
            "/v1/runs",
            json={"kind": "solve", "portfolio": live.demo_portfolio, "settings": {"time_limit": 3}},
        )
        assert run.status_code == 202, run.text
        done = live.wait(run.json()["id"])
        assert done["state"] == "completed", done
        live.demo_plan = done["plan"].rsplit("/", 1)[-1]
        yield live


def open_ui(page: Page, live: Live, fragment: str) -> None:
    """Open the UI, enter the key in its key field, then go to ``#fragment``."""
    page.page.goto(f"{live.base}/ui/")
    page.page.fill("#api-key", live.key)
    page.page.click("#key-form button")
    page.page.goto(f"{live.base}/ui/#{fragment}")


def load_json(path: Path) -> Any:
    """A JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))

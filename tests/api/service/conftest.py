"""Fixtures of the service tests: the real app over SQLite and, when there is one, PostgreSQL.

Every test that takes ``database_url`` (or ``service``) runs once per database. PostgreSQL is
``PMO_TEST_POSTGRES_URL`` when set, else a throwaway cluster this session starts when
``pg_ctl`` is installed; without either, the PostgreSQL runs are skipped and the session says
so loudly at its end (``PMO_TEST_POSTGRES_REQUIRED=1`` makes that a failure instead).
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI

with warnings.catch_warnings():  # Starlette's test client announces a move to another httpx package
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from api.service.app import create_app
from api.service.auth import create_key
from api.service.db import Database
from api.service.migrate import upgrade
from api.service.settings import Settings
from tests.api.service import postgres_cluster
from tests.conftest import person, portfolio_dict, project, task

POSTGRES_URL_ENV = "PMO_TEST_POSTGRES_URL"
POSTGRES_REQUIRED_ENV = "PMO_TEST_POSTGRES_REQUIRED"
DATABASES = ["sqlite", "postgresql"]
TERMINAL = {"completed", "infeasible", "cancelled", "failed", "interrupted"}
ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "examples" / "demo.json"
_skipped_postgres: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say loudly that the service tests did not run against PostgreSQL (once, however this module is loaded)."""
    if not _skipped_postgres or getattr(terminalreporter, "_pmo_postgres_reported", False):
        return
    terminalreporter._pmo_postgres_reported = True
    terminalreporter.write_sep("!", "PostgreSQL SKIPPED", red=True, bold=True)
    terminalreporter.write_line(
        f"the service tests ran on SQLite only: {_skipped_postgres[0]} "
        f"(install PostgreSQL or set {POSTGRES_URL_ENV})",
        red=True,
        bold=True,
    )


def small_portfolio(**extra: Any) -> dict[str, Any]:
    """Two projects, three tasks, two people: solved and proven in a fraction of a second."""
    return portfolio_dict(
        [
            project(
                "crm",
                [task("build", 3), task("test", 2, skill="qa", dependencies=[{"task": "build"}])],
                due="2027-01-08",
            ),
            project("portal", [task("api", 4)], priority=3, due="2027-01-12"),
        ],
        [person("ann"), person("bob", {"dev": 2, "qa": 2})],
        **extra,
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """The URL of a PostgreSQL server's ``postgres`` database, or None when there is none."""
    given = os.environ.get(POSTGRES_URL_ENV)
    if given:
        yield given
        return
    if postgres_cluster.find_bin() is None:
        _skipped_postgres.append("pg_ctl not found")
        yield None
        return
    directory = Path(tempfile.mkdtemp(prefix="pmo-pg-"))  # short: the socket's path is limited
    try:
        url = postgres_cluster.start(directory)
    except RuntimeError as exc:
        _skipped_postgres.append(f"the throwaway cluster did not start ({str(exc)[:200]})")
        shutil.rmtree(directory, ignore_errors=True)
        yield None
        return
    try:
        yield url
    finally:
        postgres_cluster.stop(directory)
        shutil.rmtree(directory, ignore_errors=True)


def _admin(server: str) -> psycopg.Connection[Any]:
    url = make_url(server)
    return psycopg.connect(
        dbname=url.database or "postgres",
        user=url.username,
        password=url.password,
        host=url.query.get("host") or url.host,  # type: ignore[arg-type]
        port=url.query.get("port") or url.port,  # type: ignore[arg-type]
        autocommit=True,
    )


def _postgres_server(request: pytest.FixtureRequest) -> str:
    server: str | None = request.getfixturevalue("postgres_server")
    if server is None:
        if os.environ.get(POSTGRES_REQUIRED_ENV):
            pytest.fail(f"PostgreSQL is required here: {_skipped_postgres[0]}")
        pytest.skip(f"PostgreSQL: {_skipped_postgres[0]}")
    return server


def _migrate(url: str) -> None:
    database = Database(url)
    try:
        upgrade(database)
    finally:
        database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "service.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str | None) -> Iterator[str | None]:
    """A PostgreSQL database migrated once, the template of each test's database."""
    if postgres_server is None:
        yield None
        return
    name = f"pmo_template_{uuid.uuid4().hex[:12]}"
    with _admin(postgres_server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    _migrate(make_url(postgres_server).set(database=name).render_as_string(hide_password=False))
    yield name
    with _admin(postgres_server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(
    request: pytest.FixtureRequest, kind: str, folder: Path, *, migrated: bool = True
) -> Iterator[str]:
    """The URL of a new database, migrated or empty: a SQLite file in ``folder``, or a new database
    on the PostgreSQL server (skipped, or failed when required, without one)."""
    if kind == "sqlite":
        path = folder / "service.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = _postgres_server(request)
    name = f"pmo_test_{uuid.uuid4().hex[:12]}"
    template = f' TEMPLATE "{request.getfixturevalue("postgres_template")}"' if migrated else ""
    with _admin(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{template}')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the latest migration for one test, once per database."""
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database without any table, once per database."""
    with fresh_database(request, request.param, tmp_path, migrated=False) as url:
        yield url


def service_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings of a test server: 2 workers, quick polling."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "run_workers": 2,
        "max_solver_workers": 2,
        "queue_poll_interval": 0.2,
        **overrides,
    }
    return Settings(**values)


@dataclass
class Service:
    """The running app, a client and a key of workspace ``one``."""

    app: FastAPI
    client: TestClient
    key: str

    @property
    def headers(self) -> dict[str, str]:
        """Headers with the key of workspace ``one``."""
        return {"X-API-Key": self.key}

    def new_key(self, workspace: str) -> str:
        """A key of ``workspace`` (created when missing)."""
        database: Database = self.app.state.database
        with database.write() as session:
            return create_key(session, workspace)

    def request(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        """A request with the key of workspace ``one`` (or ``key``)."""
        headers = {"X-API-Key": key or self.key, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def add_portfolio(self, data: dict[str, Any] | None = None, key: str | None = None) -> str:
        """Store a portfolio (default: the small one); its id."""
        response = self.request("POST", "/v1/portfolios", key, json=copy.deepcopy(data or small_portfolio()))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def submit(self, body: dict[str, Any], key: str | None = None, **headers: str) -> httpx.Response:
        """POST a run."""
        return self.request("POST", "/v1/runs", key, json=body, headers=headers)

    def solve(self, portfolio: str, time_limit: float = 2.0, key: str | None = None, **settings: Any) -> str:
        """Submit a solve; the run's id."""
        response = self.submit(
            {"kind": "solve", "portfolio": portfolio, "settings": {"time_limit": time_limit, **settings}}, key
        )
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def run(self, run_id: str, key: str | None = None) -> dict[str, Any]:
        """GET a run."""
        response = self.request("GET", f"/v1/runs/{run_id}", key)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def wait(
        self, run_id: str, timeout: float = 30.0, key: str | None = None, until: set[str] | None = None
    ) -> dict[str, Any]:
        """The run once it reaches one of ``until`` (default: a final state)."""
        wanted = until or TERMINAL
        ends = time.monotonic() + timeout
        while True:
            run = self.run(run_id, key)
            if run["state"] in wanted:
                return run
            assert time.monotonic() < ends, f"run still {run['state']} after {timeout} s"
            time.sleep(0.05)

    def stored_plan(self, data: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """Store ``data`` (default: the small portfolio), solve it for 1 s; the plan's path and JSON."""
        run = self.wait(self.solve(self.add_portfolio(data), 1))
        assert run["plan"] is not None, run
        return run["plan"], self.request("GET", run["plan"]).json()

    def wait_for_plan(self, run_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """The run once it has stored a plan."""
        ends = time.monotonic() + timeout
        while True:
            run = self.run(run_id)
            if run["plan"] is not None:
                return run
            assert time.monotonic() < ends, f"no plan after {timeout} s (state {run['state']})"
            time.sleep(0.05)


def start_service(settings: Settings) -> Iterator[Service]:
    """The app for ``settings``, started (migrations, workers) and stopped around the test."""
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        service = Service(app, client, "")
        service.key = service.new_key("one")
        yield service


@pytest.fixture
def service(database_url: str) -> Iterator[Service]:
    """The running service on a fresh database."""
    yield from start_service(service_settings(database_url))

"""Import and export times of the interchange formats on generated portfolios.

Usage::

    python -m benchmarks.interchange_bench --sizes p60 p200 --repeat 3
    python -m benchmarks.interchange_bench --service --repeat 10

For each size: the portfolio workbook written and read back, the levelling plan written as
a plan workbook, CSV files, MS Project XML (schema check included) and one iCalendar per
person, and the MS Project XML read back as a portfolio. Medians over ``--repeat`` runs, in
seconds, with the file sizes.

``--service``: the demo portfolio through a real ``pmo serve`` (SQLite, a temporary folder):
uploaded as a workbook and as MS Project XML (a form, then a raw body), solved for 5 s, and
its plan downloaded in every format; the client's median and slowest latency per request.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from api.generate import generate_size
from api.interchange.csv_export import plan_csv_files
from api.interchange.ical import person_calendars
from api.interchange.mspdi_read import read_portfolio_mspdi
from api.interchange.mspdi_write import plan_mspdi
from api.interchange.plan_tables import explanation_of
from api.interchange.plan_xlsx import plan_xlsx
from api.interchange.xlsx_read import read_portfolio_xlsx
from api.interchange.xlsx_write import portfolio_xlsx
from benchmarks.measure import markdown_table
from benchmarks.service_bench import DEMO, _keys, server
from model.load import parse_portfolio
from solver.settings import SolverSettings
from solver.solve import solve

COLUMNS = [
    "size",
    "tasks",
    "people",
    "xlsx_write_s",
    "xlsx_read_s",
    "xlsx_kb",
    "plan_xlsx_s",
    "csv_s",
    "mspdi_write_s",
    "mspdi_read_s",
    "mspdi_kb",
    "ics_s",
]


def _timed(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``work`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def measure(size: str, seed: int, repeat: int) -> dict[str, Any]:
    """One row of the table for one generated size."""
    portfolio = parse_portfolio(generate_size(size, seed=seed))
    plan = solve(portfolio, SolverSettings(optimise=False, time_limit=60))
    # the explanation is computed once, as the solver's plans carry it
    plan = plan.model_copy(update={"explanation_detail": explanation_of(portfolio, plan)})
    row: dict[str, Any] = {
        "size": size,
        "tasks": sum(len(p.tasks) for p in portfolio.projects),
        "people": len(portfolio.people),
    }
    row["xlsx_write_s"], book = _timed(lambda: portfolio_xlsx(portfolio), repeat)
    row["xlsx_read_s"], again = _timed(lambda: read_portfolio_xlsx(book), repeat)
    assert again == portfolio, "the workbook did not read back as the same portfolio"
    row["xlsx_kb"] = round(len(book) / 1024)
    row["plan_xlsx_s"], _ = _timed(lambda: plan_xlsx(portfolio, plan), repeat)
    row["csv_s"], _ = _timed(lambda: plan_csv_files(portfolio, plan), repeat)
    row["mspdi_write_s"], xml = _timed(lambda: plan_mspdi(portfolio, plan), repeat)
    row["mspdi_read_s"], _ = _timed(lambda: read_portfolio_mspdi(xml), repeat)
    row["mspdi_kb"] = round(len(xml) / 1024)
    row["ics_s"], _ = _timed(lambda: person_calendars(portfolio, plan), repeat)
    return row


SERVICE_COLUMNS = ["request", "status", "sent_kb", "answer_kb", "median_ms", "max_ms"]
SERVICE_SOLVE_SECONDS = 5.0
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _request_row(client: httpx.Client, label: str, repeat: int, **request: Any) -> dict[str, Any]:
    """The latency of one request over ``repeat`` sends (the last answer's status and size)."""
    times, response = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        response = client.request(**request)
        times.append(time.perf_counter() - began)
    assert response is not None
    return {
        "request": label,
        "status": response.status_code,
        "sent_kb": round(len(response.request.read()) / 1024),
        "answer_kb": round(len(response.content) / 1024),
        "median_ms": round(statistics.median(times) * 1000),
        "max_ms": round(max(times) * 1000),
    }


def _solved_plan(client: httpx.Client, portfolio_id: str) -> str:
    body = {"kind": "solve", "portfolio": portfolio_id, "settings": {"time_limit": SERVICE_SOLVE_SECONDS}}
    run = client.post("/v1/runs", json=body).json()
    while run["state"] in ("queued", "running"):
        time.sleep(0.2)
        run = client.get(f"/v1/runs/{run['id']}").json()
    assert run["plan"] is not None, f"the demo run ended {run['state']} without a plan"
    return str(run["plan"])


def service_rows(repeat: int) -> list[dict[str, Any]]:
    """The demo's uploads and downloads through a real server, one row per request."""
    portfolio = parse_portfolio(DEMO)
    plan = solve(portfolio, SolverSettings(optimise=False, time_limit=60))
    book, xml = portfolio_xlsx(portfolio), plan_mspdi(portfolio, plan)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        (key,) = _keys(url, ["bench"])
        with (
            server(url) as (_, base),
            httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as client,
        ):
            uploads: list[tuple[str, dict[str, Any]]] = [
                ("POST import: workbook form", {"files": {"file": ("demo.xlsx", book, XLSX_TYPE)}}),
                ("POST import: workbook raw", {"content": book, "headers": {"Content-Type": XLSX_TYPE}}),
                ("POST import: MSPDI form", {"files": {"file": ("demo.xml", xml, "application/xml")}}),
                ("POST import: MSPDI raw", {"content": xml, "headers": {"Content-Type": "application/xml"}}),
            ]
            rows = [
                _request_row(client, label, repeat, method="POST", url="/v1/portfolios/import", **sent)
                for label, sent in uploads
            ]
            first = client.post("/v1/portfolios/import", content=book, headers={"Content-Type": XLSX_TYPE})
            pid = first.json()["id"]
            plan_path = _solved_plan(client, pid)
            person = portfolio.people[0].id
            downloads = [
                ("GET plan JSON (reference)", plan_path),
                ("GET export.xlsx", f"{plan_path}/export.xlsx"),
                ("GET export.csv (zip)", f"{plan_path}/export.csv"),
                ("GET export.csv?table=assignments", f"{plan_path}/export.csv?table=assignments"),
                ("GET export.xml (MSPDI)", f"{plan_path}/export.xml"),
                ("GET export.ics (zip)", f"{plan_path}/export.ics"),
                ("GET export.ics?person=…", f"{plan_path}/export.ics?person={person}"),
                ("GET portfolio workbook", f"/v1/portfolios/{pid}/workbook"),
                ("GET template", "/v1/templates/portfolio.xlsx"),
            ]
            rows += [_request_row(client, label, repeat, method="GET", url=path) for label, path in downloads]
    return rows


def main(argv: list[str] | None = None) -> None:
    """Print the interchange table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["p60", "p200"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--service", action="store_true", help="The demo's uploads and downloads via pmo serve."
    )
    args = parser.parse_args(argv)
    if args.service:
        print(markdown_table(service_rows(args.repeat), SERVICE_COLUMNS))
        return
    rows = [measure(size, args.seed, args.repeat) for size in args.sizes]
    print(markdown_table(rows, COLUMNS))


if __name__ == "__main__":
    main()

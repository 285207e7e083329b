"""How fast the plan page draws in a real browser (issue: demo ≤ 1 s, 5,000 tasks / 300 people ≤ 3 s).

Usage::

    python -m benchmarks.ui_bench --sizes demo p200 --repeat 3

For each generated size: the levelling plan (``--levelling-only``, the charts do not depend on
the plan's quality), the chart data (``api.views.plan_view``), the self-contained HTML report,
then in headless Chromium (``/usr/bin/chromium``) the time from navigation to the charts drawn,
the drawing alone, and the mean time of a 100 px scroll step through both Gantts (rows are virtualised
above a few hundred); medians over ``--repeat`` page loads.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from api.generate import generate_size
from api.html_report import plan_report_html
from api.views.plan_view import plan_view
from benchmarks.measure import markdown_table
from model.checker import check_plan
from model.load import parse_portfolio
from solver.settings import SolverSettings
from solver.solve import solve

CHROMIUM = Path("/usr/bin/chromium")
# without the background-networking flags Chromium keeps dialling out, and this network refuses it
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCROLL_STEPS = 60  # wheel-sized steps of 100 px through both Gantts
COLUMNS = [
    "size",
    "tasks",
    "people",
    "weeks",
    "view_s",
    "html_mb",
    "load_ms",
    "draw_ms",
    "scroll_step_ms",
    "dom_nodes",
]

SCROLL_SCRIPT = """async (steps) => {
  const bodies = [...document.querySelectorAll('.pmo-gantt-body')];
  const began = performance.now();
  for (let k = 0; k < steps; k++) {
    for (const body of bodies) body.scrollTop += 100;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  }
  return (performance.now() - began) / steps;
}"""


def launch(playwright: Any) -> Any:
    """Headless Debian Chromium with the flags this machine needs (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)


def _page_figures(browser: Any, report: Path) -> dict[str, float]:
    """Load ``report`` once: navigation to drawn, drawing alone, a scroll step, DOM size."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    began = time.perf_counter()
    page.goto(report.as_uri())
    page.wait_for_selector("body[data-rendered=true]", timeout=60_000)
    load_ms = 1000 * (time.perf_counter() - began)
    figures = {
        "load_ms": load_ms,
        "draw_ms": float(page.evaluate("window.pmoRenderMs")),
        "scroll_step_ms": float(page.evaluate(SCROLL_SCRIPT, SCROLL_STEPS)),
        "dom_nodes": float(page.evaluate("document.getElementsByTagName('*').length")),
    }
    context.close()
    return figures


def measure(size: str, repeat: int, browser: Any, folder: Path) -> dict[str, Any]:
    """One row of the table for the generated portfolio ``size``."""
    portfolio = parse_portfolio(generate_size(size))
    plan = solve(portfolio, SolverSettings(optimise=False, time_limit=60))
    assert not check_plan(portfolio, plan), "the levelling plan must pass the checker"
    began = time.perf_counter()
    view = plan_view(portfolio, plan)
    view_s = time.perf_counter() - began
    report = folder / f"{size}.html"
    report.write_text(plan_report_html(portfolio, plan), encoding="utf-8")
    runs = [_page_figures(browser, report) for _ in range(repeat)]
    row: dict[str, Any] = {
        "size": size,
        "tasks": len(plan.assignments),
        "people": len(portfolio.people),
        "weeks": len(view["weeks"]),
        "view_s": round(view_s, 3),
        "html_mb": round(report.stat().st_size / 2**20, 2),
    }
    for key in ("load_ms", "draw_ms", "scroll_step_ms", "dom_nodes"):
        row[key] = round(statistics.median(r[key] for r in runs), 1)
    return row


def main(argv: list[str] | None = None) -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", default=["demo", "p200"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        browser = launch(playwright)
        rows = [measure(size, args.repeat, browser, Path(folder)) for size in args.sizes]
        browser.close()
    print(markdown_table(rows, COLUMNS))


if __name__ == "__main__":
    main()

"""Self-contained HTML reports: the plan charts with their data and code inlined (nothing fetched).

``pmo solve|replan|compare|status --report FILE.html`` write one file that opens offline; any
other suffix keeps the markdown report.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.report import markdown_report
from api.ui import static_text
from api.views.plan_view import plan_view
from model.plan import Plan
from model.portfolio import Portfolio

if TYPE_CHECKING:  # the comparison's modules load the solver: only the compare command needs them
    from model.actuals import StatusReport
    from solver.planning.compare import Comparison

HTML_SUFFIXES = {".html", ".htm"}
# a restrictive policy: the page may only run its own inline code and load nothing at all
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"


def _json_script(data: Any) -> str:
    """JSON safe inside a <script> element (no `</script>` or comment opener can end it early)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_page(title: str, data: Mapping[str, Any]) -> str:
    """A standalone page that draws ``data`` (``{"plans": [...], "comparison": ...}``) with the charts.

    Parameters
    ----------
    title
        The page title (escaped here).
    data
        Plan views (:func:`api.views.plan_view.plan_view`) and an optional comparison or status view.

    Returns
    -------
    str
        The HTML document, with the chart code, its style and the data inlined.
    """
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ margin: 16px; }}
{static_text("charts.css")}
</style>
</head>
<body>
<main id="pmo-main"></main>
<script type="application/json" id="pmo-data">{_json_script(data)}</script>
<script>
{static_text("charts.js")}
PmoCharts.bootReport();
</script>
</body>
</html>
"""


def plan_report_html(portfolio: Portfolio, plan: Plan) -> str:
    """The HTML report of one plan (a replan's shows its change list too).

    Parameters
    ----------
    portfolio
        The portfolio the plan was made for.
    plan
        The plan, verified by the checker.

    Returns
    -------
    str
        The self-contained HTML document.
    """
    view = plan_view(portfolio, plan)
    return html_page(f"{view['title']}: plan", {"plans": [view]})


def comparison_report_html(comparison: Comparison, portfolios: Mapping[str, Portfolio]) -> str:
    """The HTML report of a comparison: figures side by side, finishes, moves, and each scenario's plan.

    Parameters
    ----------
    comparison
        The comparison (its ``plans`` are drawn where the scenario has one).
    portfolios
        Scenario name → the portfolio its plan was made for.

    Returns
    -------
    str
        The self-contained HTML document.
    """
    from api.views.comparison_view import comparison_view

    plans = [
        plan_view(portfolios[name], plan, title=f"{name}: {portfolios[name].name or 'portfolio'}")
        for name, plan in comparison.plans.items()
        if name in portfolios and plan.status.has_plan
    ]
    from api.compare_report import comparison_data

    view = comparison_view(comparison_data(comparison))
    return html_page("What-if comparison", {"comparison": view, "plans": plans})


def is_html(path: Path) -> bool:
    """Whether a report path asks for HTML (by its suffix)."""
    return path.suffix.lower() in HTML_SUFFIXES


def plan_report(path: Path, portfolio: Portfolio, plan: Plan) -> str:
    """The report of a plan in the format ``path`` asks for (HTML or markdown)."""
    return plan_report_html(portfolio, plan) if is_html(path) else markdown_report(portfolio, plan)


def comparison_report(path: Path, comparison: Comparison, portfolios: Mapping[str, Portfolio]) -> str:
    """The report of a comparison in the format ``path`` asks for (HTML or markdown)."""
    if is_html(path):
        return comparison_report_html(comparison, portfolios)
    from api.compare_report import comparison_markdown

    return comparison_markdown(comparison)


def status_report_html(report: StatusReport, portfolio: Portfolio, forecast: Plan) -> str:
    """The HTML report of ``pmo status``: slip chart, projects, late tasks, pain points, and the forecast plan.

    Parameters
    ----------
    report
        Progress against the baseline (:func:`model.actuals.status_report`).
    portfolio
        The portfolio being executed.
    forecast
        The remaining work replanned with the actuals frozen (drawn when it has a plan).

    Returns
    -------
    str
        The self-contained HTML document.
    """
    from api.views.status_view import status_view

    view = status_view(report)
    plans = [plan_view(portfolio, forecast, title=f"Forecast plan: {portfolio.name or 'portfolio'}")]
    return html_page(view["title"], {"status": view, "plans": plans if forecast.status.has_plan else []})


def status_report(path: Path, report: StatusReport, portfolio: Portfolio, forecast: Plan) -> str:
    """The status report in the format ``path`` asks for (HTML or markdown)."""
    if is_html(path):
        return status_report_html(report, portfolio, forecast)
    from api.status_report import status_markdown

    return status_markdown(report)
